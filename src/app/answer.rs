//! Answering a prompt: parse → grade (the variant's key when a variant was shown) →
//! rating from the latency since the reveal → memory update → stage check → record
//! idempotently → feedback. Also the "show question" step and practice on demand.
//!
//! A replayed event or a double click gets exactly the reply of the first answer; an
//! answer to a replaced prompt is told so and shown the current one.

use chrono::{DateTime, Utc};
use ladder_engine::grade::{grade, parse_answer, Answer, Grade};
use ladder_engine::mastery::Evaluation;
use ladder_engine::schedule::{rating_for, Memory};
use ladder_engine::{AnswerKey, Item, ItemId, SkillId, Stage};
use std::collections::HashMap;

use super::action::{Action, PromptRef};
use super::learning;
use super::records::{
    AnswerWrite, LearnerKey, Prompt, PromptState, Recorded, RecordsError, Review,
};
use super::{feedback, onboarding, plan, prompt, App, AppResult};
use crate::platform::{Actor, Reply};

/// Option buttons (one action, or several for a multi-select).
pub async fn picked(app: &App, actor: &Actor, actions: &[Action]) -> AppResult<Vec<Reply>> {
    let mut target: Option<&PromptRef> = None;
    let mut options = Vec::new();
    for a in actions {
        let Action::Answer { prompt, option } = a else {
            return Ok(vec![Reply::text("Those buttons do not belong together.")]);
        };
        if target.is_some_and(|t| t != prompt) {
            return Ok(vec![Reply::text(
                "Those buttons belong to different questions.",
            )]);
        }
        target = Some(prompt);
        options.push(*option);
    }
    let Some(id) = target else {
        return Ok(vec![Reply::text("Nothing was picked.")]);
    };
    let Some((prompt, item)) = own_prompt(app, actor, id).await? else {
        return stale(app, actor).await;
    };
    let (_, key) = prompt::shown(item, &prompt);
    let answer = match key {
        AnswerKey::SingleChoice { .. } if options.len() == 1 => Answer::Choice(options[0]),
        AnswerKey::MultiSelect { .. } => Answer::Choices(options.clone()),
        AnswerKey::TrueFalse { .. } if options.len() == 1 => Answer::Bool(options[0] == 1),
        _ => return Ok(vec![Reply::text("That is not an answer to this question.")]),
    };
    let raw = format!("{options:?}");
    submit(app, actor, prompt, answer, &raw).await
}

/// Typed text for a prompt's text box.
pub async fn typed(app: &App, actor: &Actor, id: &PromptRef, text: &str) -> AppResult<Vec<Reply>> {
    let Some((prompt, item)) = own_prompt(app, actor, id).await? else {
        return stale(app, actor).await;
    };
    let (_, key) = prompt::shown(item, &prompt);
    let order = prompt::order(key, prompt.seed);
    match parse_answer(key, order.as_deref(), text) {
        Ok(answer) => submit(app, actor, prompt, answer, text).await,
        Err(help) => Ok(vec![Reply::text(format!(
            "I could not read \"{}\" as an answer. {help}",
            super::echo(text)
        ))]),
    }
}

/// Text typed with no text box open: it answers the learner's open, revealed question.
pub async fn loose_text(app: &App, actor: &Actor, text: &str) -> AppResult<Vec<Reply>> {
    if app.learner(actor).await?.is_none() {
        return onboarding::not_joined(app, actor).await;
    }
    let now = app.clock.now();
    let open = app.records.open_prompts(&LearnerKey::of(actor)).await?;
    let open: Vec<_> = open
        .into_iter()
        .filter(|p| p.state_at(now) == PromptState::Open)
        .collect();
    match open
        .iter()
        .filter(|p| p.revealed_at.is_some())
        .max_by_key(|p| p.created_at)
    {
        Some(p) => typed(app, actor, &p.id, text).await,
        None if !open.is_empty() => Ok(vec![Reply::text(
            "Your daily question is waiting: open it first with **Show question**.",
        )]),
        None => Ok(vec![Reply::text(
            "No question is open right now. Type /practice for one, or /help to see what I can do.",
        )]),
    }
}

/// "Show question": latency is measured from here.
pub async fn reveal(app: &App, actor: &Actor, id: &PromptRef) -> AppResult<Vec<Reply>> {
    let Some((prompt, item)) = own_prompt(app, actor, id).await? else {
        return stale(app, actor).await;
    };
    match prompt.state_at(app.clock.now()) {
        PromptState::Open => {}
        PromptState::Expired => return expired(app, actor).await,
        _ => return stale(app, actor).await,
    }
    app.records.reveal(&prompt.id, app.clock.now()).await?;
    Ok(vec![prompt::question(&app.library, item, &prompt)])
}

/// `practice [skill]`: one question now, within the caps.
pub async fn practice(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let skill = match args.trim() {
        "" => None,
        s => match super::why::find_skill(&app.library, s) {
            Some(sk) => Some(sk.id.clone()),
            None => return Ok(vec![super::why::no_such_skill(&app.library, s)]),
        },
    };
    plan::practice_now(app, actor, skill.as_ref()).await
}

/// The prompt, if it exists, is the actor's, and its item is still in the content.
async fn own_prompt<'a>(
    app: &'a App,
    actor: &Actor,
    id: &PromptRef,
) -> AppResult<Option<(Prompt, &'a Item)>> {
    let Some(p) = app.records.prompt(id).await? else {
        return Ok(None);
    };
    if p.learner != LearnerKey::of(actor) {
        return Ok(None);
    }
    Ok(app.library.item(&p.item).map(|item| (p, item)))
}

/// For a learner whose DMs are closed: the daily question still waiting for them, shown
/// privately after whatever they asked for (nothing when none waits).
pub async fn waiting(app: &App, actor: &Actor) -> AppResult<Vec<Reply>> {
    let open = app.records.open_prompts(&LearnerKey::of(actor)).await?;
    let Some(p) = open
        .iter()
        .filter(|p| p.pushed)
        .max_by_key(|p| p.created_at)
    else {
        return Ok(Vec::new());
    };
    let Some(item) = app.library.item(&p.item) else {
        return Ok(Vec::new());
    };
    Ok(vec![
        Reply::text("Your daily question is waiting (Ladder cannot reach you by direct message):"),
        match p.revealed_at {
            Some(_) => prompt::question(&app.library, item, p),
            None => prompt::teaser(&app.library, item, p),
        },
    ])
}

/// The reply to an answer for a question that is gone, with the current one.
pub async fn stale(app: &App, actor: &Actor) -> AppResult<Vec<Reply>> {
    gone(
        app,
        actor,
        "This question expired or was replaced, so that answer was not counted.".into(),
    )
    .await
}

/// The reply to an answer for a pushed question past `schedules.prompt_ttl_hours`.
async fn expired(app: &App, actor: &Actor) -> AppResult<Vec<Reply>> {
    let hours = app.policy.prompt_ttl.map_or(0, |ttl| ttl.num_hours());
    gone(
        app,
        actor,
        format!(
            "This question expired: daily questions can be answered for {hours} hours after \
             they arrive, so that answer was not counted."
        ),
    )
    .await
}

async fn gone(app: &App, actor: &Actor, said: String) -> AppResult<Vec<Reply>> {
    let mut replies = vec![Reply::text(said)];
    let now = app.clock.now();
    let open = app.records.open_prompts(&LearnerKey::of(actor)).await?;
    match open
        .iter()
        .filter(|p| p.state_at(now) == PromptState::Open)
        .max_by_key(|p| p.created_at)
    {
        Some(p) => {
            if let Some(item) = app.library.item(&p.item) {
                replies.push(Reply::text("Here is your current one:"));
                replies.push(match p.revealed_at {
                    Some(_) => prompt::question(&app.library, item, p),
                    None => prompt::teaser(&app.library, item, p),
                });
            }
        }
        None => replies.push(Reply::text("Type /practice for a fresh question.")),
    }
    Ok(replies)
}

/// Grades, schedules, checks the stage, records once, and says what happened.
async fn submit(
    app: &App,
    actor: &Actor,
    prompt: Prompt,
    answer: Answer,
    raw: &str,
) -> AppResult<Vec<Reply>> {
    let now = app.clock.now();
    if prompt.state_at(now) == PromptState::Expired {
        return expired(app, actor).await;
    }
    let Some(item) = app.library.item(&prompt.item) else {
        return stale(app, actor).await;
    };
    let (_, key) = prompt::shown(item, &prompt);
    let graded = grade(key, &answer);
    let review = review(&prompt, item, &graded, raw, now);
    let learner = LearnerKey::of(actor);
    // Another answer of the same learner may be written while this one is computed; the
    // store then refuses this one (Changed) and it is computed again from the new state.
    for _ in 0..RECOMPUTE_LIMIT {
        if let Some(replies) =
            compute_and_record(app, actor, &prompt, item, &graded, &review, &learner).await?
        {
            return Ok(replies);
        }
    }
    Err(RecordsError("the learner's progress kept changing during the answer".into()).into())
}

/// How often an answer is computed again when other writes keep overtaking it.
const RECOMPUTE_LIMIT: usize = 8;

/// One attempt at [`submit`]: None when another write overtook it.
async fn compute_and_record(
    app: &App,
    actor: &Actor,
    prompt: &Prompt,
    item: &Item,
    graded: &Grade,
    review: &Review,
    learner: &LearnerKey,
) -> AppResult<Option<Vec<Reply>>> {
    let now = review.at;
    let basis = app.records.progress_rev(learner).await?;
    let mut memories: HashMap<_, _> = app.records.memories(learner).await?.into_iter().collect();
    let rating = rating_for(graded.verdict, Some(review.latency_secs), item.fluency_secs);
    let scheduler = app.schedulers.for_item(&app.library, item);
    let scheduled = rating.map(|r| scheduler.review(memories.get(&item.id), r, now));
    if let Some(s) = &scheduled {
        memories.insert(item.id.clone(), s.memory.clone());
    }
    let evaluation = evaluate(app, learner, &item.skill, review, &memories, now).await?;
    let history = app.records.escalations(learner).await?;
    let answered = feedback::Answered {
        item,
        grade: graded,
        latency_secs: review.latency_secs,
        evaluation: evaluation.as_ref(),
        lapses: scheduled.as_ref().map_or(0, |s| s.memory.lapses),
        became_leech: scheduled.as_ref().is_some_and(|s| s.became_leech),
        now,
    };
    let mut outcome = feedback::outcome(&app.library, &answered, &history);
    if !prompt.pushed {
        // Part of the recorded reply, so a replayed event shows exactly the same thing.
        outcome.replies.push(plan::more_button());
    }
    let write = AnswerWrite {
        review: review.clone(),
        rating,
        memory: scheduled.map(|s| s.memory),
        stage: outcome.stage_record,
        escalations: outcome.escalations,
        replies: outcome.replies.clone(),
        basis,
    };
    match app.records.record_answer(write).await? {
        Recorded::Recorded => {
            crate::ops::metrics::answered(actor.platform, answered.latency_secs);
            let mut replies = outcome.replies;
            replies.extend(plan::after_answer(app, actor, prompt).await?);
            Ok(Some(replies))
        }
        Recorded::Duplicate(first) => Ok(Some(first)),
        Recorded::Stale => stale(app, actor).await.map(Some),
        Recorded::Changed => Ok(None),
    }
}

fn review(prompt: &Prompt, item: &Item, g: &Grade, raw: &str, now: DateTime<Utc>) -> Review {
    let started = prompt.revealed_at.unwrap_or(prompt.created_at);
    Review {
        learner: prompt.learner.clone(),
        prompt: prompt.id.clone(),
        item: item.id.clone(),
        skill: item.skill.clone(),
        item_stage: item.stage,
        at: now,
        verdict: g.verdict,
        score: g.score,
        latency_secs: (now - started).num_milliseconds().max(0) as f64 / 1000.0,
        answer: raw.chars().take(2000).collect(),
    }
}

/// The learner's stage in the skill re-evaluated with this answer included.
async fn evaluate(
    app: &App,
    learner: &LearnerKey,
    skill_id: &SkillId,
    review: &Review,
    memories: &HashMap<ItemId, Memory>,
    now: DateTime<Utc>,
) -> AppResult<Option<Evaluation>> {
    let Some(skill) = app.library.skill(skill_id) else {
        return Ok(None);
    };
    let current = app
        .records
        .stages(learner)
        .await?
        .iter()
        .find(|s| &s.skill == skill_id)
        .map_or(Stage::Novice, |s| s.stage);
    let history = app.records.reviews(learner).await?;
    let mut mine: Vec<&Review> = history.iter().filter(|r| &r.skill == skill_id).collect();
    mine.push(review);
    Ok(Some(learning::evaluate_skill(
        &app.library,
        &app.schedulers,
        skill,
        current,
        &mine,
        memories,
        now,
        app.accepted_contributions(learner, skill_id).await?,
    )))
}
