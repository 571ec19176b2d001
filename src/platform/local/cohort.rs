//! The playground's simulated colleagues: a handful of learners who have been practising
//! for a couple of weeks, so that stages, leaderboards and team summaries have something
//! in them from the first minute.
//!
//! They go through the *same* path as a real person: the app pushes their daily prompt,
//! they tap "show question" and answer through [`crate::app::App::handle`], each with a
//! seeded accuracy and pace. Only the choice of answer is simulated.

use chrono::Duration;
use ladder_engine::{AnswerKey, TrackId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

use crate::app::action::{Action, PromptRef};
use crate::app::records::LearnerKey;
use crate::app::{prompt, App, AppResult};
use crate::clock::{Clock, VirtualClock};
use crate::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};

/// Names of the simulated colleagues and how often each gets an answer right.
const COLLEAGUES: [(&str, f64); 8] = [
    ("Ada", 0.95),
    ("Bashir", 0.9),
    ("Chloé", 0.85),
    ("Dmitri", 0.8),
    ("Eun-ji", 0.75),
    ("Femi", 0.7),
    ("Grace", 0.6),
    ("Hiro", 0.5),
];

/// The actor for a local user.
pub fn actor(tenant: &str, user: &str, name: &str, roles: Vec<String>) -> Actor {
    Actor {
        platform: Platform::Local,
        tenant: tenant.to_owned(),
        user: user.to_owned(),
        display_name: name.to_owned(),
        platform_roles: roles,
    }
}

/// Enrols the colleagues and plays `days` of history ending at the clock's current time
/// minus `days`: the clock is expected to start `days` before "now" and is advanced here.
pub async fn seed(
    app: &App,
    clock: &Arc<VirtualClock>,
    tenant: &str,
    tracks: &[TrackId],
    days: u32,
    seed: u64,
) -> AppResult<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let people: Vec<(Actor, f64)> = COLLEAGUES
        .iter()
        .map(|(name, skill)| {
            let user = format!("sim-{}", name.to_lowercase());
            (actor(tenant, &user, name, Vec::new()), *skill)
        })
        .collect();
    for (a, _) in &people {
        app.enrol(a, tracks).await?;
    }
    for _ in 0..days {
        let day_start = clock.now();
        for (a, accuracy) in &people {
            play_day(app, clock, a, *accuracy, &mut rng).await?;
        }
        let elapsed = clock.now() - day_start;
        clock.advance(Duration::days(1) - elapsed);
    }
    Ok(())
}

/// One colleague's day: open the push, answer each question the app asks.
async fn play_day(
    app: &App,
    clock: &VirtualClock,
    who: &Actor,
    accuracy: f64,
    rng: &mut StdRng,
) -> AppResult<()> {
    let Some(planned) = app.plan_day(&LearnerKey::of(who), clock.now()).await? else {
        return Ok(());
    };
    let reveal = Action::Reveal {
        prompt: planned.prompt.id.clone(),
    };
    let mut replies = send(
        app,
        who,
        InboundKind::Action {
            actions: vec![reveal.encode()],
        },
    )
    .await;
    // Each answer may bring the next question of the day; stop when none comes.
    for _ in 0..10 {
        let Some(id) = open_question(&replies) else {
            break;
        };
        clock.advance(Duration::seconds(rng.gen_range(4..40)));
        let right = rng.gen_bool(accuracy);
        let Some(kind) = answer_for(app, who, &id, right).await? else {
            break;
        };
        replies = send(app, who, kind).await;
    }
    Ok(())
}

async fn send(app: &App, who: &Actor, kind: InboundKind) -> Vec<Reply> {
    let inbound = Inbound {
        actor: who.clone(),
        event_id: format!("sim-{}-{}", who.user, uuidish()),
        kind,
    };
    app.handle(inbound).await
}

/// A unique-enough event id without a clock read: a process-wide counter.
fn uuidish() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The prompt of the last question shown in `replies`, read from its controls as any
/// adapter would.
pub fn open_question(replies: &[Reply]) -> Option<PromptRef> {
    replies
        .iter()
        .flat_map(|r| r.blocks.iter())
        .filter_map(|b| match b {
            Block::Choices { choices, .. } => choices.first().map(|c| c.action.clone()),
            Block::AskText { action, .. } => Some(action.clone()),
            _ => None,
        })
        .filter_map(|a| match Action::parse(&a).ok()? {
            Action::Answer { prompt, .. } | Action::Typed { prompt } => Some(prompt),
            _ => None,
        })
        .next_back()
}

/// A right (or deliberately wrong) answer to the prompt, as the learner would give it.
pub async fn answer_for(
    app: &App,
    who: &Actor,
    id: &PromptRef,
    right: bool,
) -> AppResult<Option<InboundKind>> {
    let Some(p) = app.prompt_of(who, id).await? else {
        return Ok(None);
    };
    let Some(item) = app.library().item(&p.item) else {
        return Ok(None);
    };
    let (_, key) = prompt::shown(item, &p);
    let pick = |option: usize| {
        Action::Answer {
            prompt: id.clone(),
            option,
        }
        .encode()
    };
    let typed = |text: String| InboundKind::Text {
        action: Some(Action::Typed { prompt: id.clone() }.encode()),
        text,
    };
    Ok(Some(match key {
        AnswerKey::SingleChoice { options, correct } => {
            let o = if right {
                *correct
            } else {
                (correct + 1) % options.len()
            };
            InboundKind::Action {
                actions: vec![pick(o)],
            }
        }
        AnswerKey::MultiSelect { correct, .. } => {
            let picks = if right {
                correct.clone()
            } else {
                vec![correct[0]]
            };
            InboundKind::Action {
                actions: picks.into_iter().map(pick).collect(),
            }
        }
        AnswerKey::TrueFalse { answer } => InboundKind::Action {
            actions: vec![pick(usize::from(*answer == right))],
        },
        AnswerKey::ShortText { accepted, .. } => typed(if right {
            accepted[0].clone()
        } else {
            "no idea".into()
        }),
        AnswerKey::Numeric { value, .. } => typed(if right {
            value.to_string()
        } else {
            (value * 3.0 + 7.0).to_string()
        }),
        AnswerKey::Ordering { sequence } => {
            let shown = prompt::order(key, p.seed).unwrap_or_default();
            typed(order_answer(&shown, sequence.len(), right))
        }
        AnswerKey::FreeText { .. } => typed("I would report it to the security team first.".into()),
    }))
}

/// The positions (1-based, as shown) that put the steps in the right order, or a wrong
/// order (reversed) when `right` is false.
pub fn order_answer(shown: &[usize], n: usize, right: bool) -> String {
    let mut positions: Vec<usize> = (0..n)
        .filter_map(|step| shown.iter().position(|&s| s == step).map(|p| p + 1))
        .collect();
    if !right {
        positions.reverse();
    }
    positions
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_answers_name_the_shown_positions() {
        // Shown as [step 2, step 0, step 1]: the right order is positions 2, 3, 1.
        assert_eq!(order_answer(&[2, 0, 1], 3, true), "2 3 1");
        assert_eq!(order_answer(&[2, 0, 1], 3, false), "1 3 2");
    }
}
