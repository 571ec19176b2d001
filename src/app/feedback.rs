//! What the learner is told after an answer: the verdict, the explanation, how fluent it
//! was, a stage change with its evidence, and whatever the escalation rules call for (a
//! resource of the learner's stage, a coaching nudge, an expert flagged, an invitation to
//! teach).
//!
//! The decisions come from the engine (`escalation::decide`, with its cool-downs); this
//! file words them. Depends on the engine and the records interface.

use chrono::{DateTime, Utc};
use ladder_engine::escalation::{self, Action, ActionKind, Context, Thresholds, Trigger};
use ladder_engine::grade::{Grade, Verdict};
use ladder_engine::mastery::{Direction, Evaluation};
use ladder_engine::{Item, Library, Resource, ResourceId, Stage};
use std::collections::{BTreeMap, BTreeSet};

use super::records::{Escalation, StageRecord};
use crate::platform::{Block, Reply};

/// The replies and the records that go with them.
pub struct Outcome {
    pub replies: Vec<Reply>,
    pub stage_record: Option<StageRecord>,
    pub escalations: Vec<Escalation>,
}

/// What happened, for the wording.
pub struct Answered<'a> {
    pub item: &'a Item,
    pub grade: &'a Grade,
    pub latency_secs: f64,
    pub evaluation: Option<&'a Evaluation>,
    pub lapses: u32,
    pub became_leech: bool,
    pub now: DateTime<Utc>,
}

pub fn outcome(library: &Library, a: &Answered, history: &[Escalation]) -> Outcome {
    let mut blocks = verdict_blocks(a);
    let mut stage_record = None;
    let skill = library.skill(&a.item.skill);
    let mut stage = Stage::Novice;
    if let (Some(ev), Some(skill)) = (a.evaluation, skill) {
        stage = ev.stage;
        if let Some(change) = ev.change {
            let sentence = ev.evidence.sentence(&skill.title);
            blocks.push(stage_block(
                &skill.title,
                change.direction,
                ev.stage,
                &sentence,
            ));
            stage_record = Some(StageRecord {
                skill: skill.id.clone(),
                from: Some(change.from),
                stage: ev.stage,
                since: a.now,
                evidence: sentence,
            });
        }
    }
    let mut escalations = Vec::new();
    for trigger in triggers(a) {
        let actions = decide(library, a, stage, trigger, history, &escalations);
        for action in actions {
            if let Some(block) = word(library, &action) {
                blocks.push(block);
            }
            escalations.push(Escalation {
                skill: a.item.skill.clone(),
                kind: action.kind(),
                resource: match &action {
                    Action::SendResource(id) => Some(id.clone()),
                    _ => None,
                },
                at: a.now,
            });
        }
    }
    Outcome {
        replies: vec![Reply::private(blocks)],
        stage_record,
        escalations,
    }
}

fn triggers(a: &Answered) -> Vec<Trigger> {
    let mut t = Vec::new();
    if let Some(change) = a.evaluation.and_then(|e| e.change) {
        t.push(Trigger::StageChanged {
            from: change.from,
            to: change.to,
        });
    }
    if a.became_leech {
        t.push(Trigger::Leech);
    } else if a.grade.verdict == Verdict::Wrong && a.lapses >= 2 {
        t.push(Trigger::RepeatedLapses { lapses: a.lapses });
    } else if matches!(a.grade.verdict, Verdict::Wrong | Verdict::Partial) {
        t.push(Trigger::WrongAnswer);
    }
    t
}

/// Runs the engine's decision with this learner's escalation history for the skill,
/// including what this same answer already decided (so one answer sends one resource).
fn decide(
    library: &Library,
    a: &Answered,
    stage: Stage,
    trigger: Trigger,
    history: &[Escalation],
    now_sent: &[Escalation],
) -> Vec<Action> {
    let skill = &a.item.skill;
    let mine = history.iter().chain(now_sent).filter(|e| &e.skill == skill);
    let mut last: BTreeMap<ActionKind, DateTime<Utc>> = BTreeMap::new();
    let mut sent: Vec<ResourceId> = Vec::new();
    for e in mine {
        last.insert(e.kind, e.at);
        sent.extend(e.resource.clone());
    }
    let resources: Vec<Resource> = library.resources_of(skill).cloned().collect();
    let thresholds = Thresholds::default();
    let opted_out = BTreeSet::new();
    let ctx = Context {
        stage,
        resources: &resources,
        sent_resources: &sent,
        last: &last,
        opted_out: &opted_out,
        thresholds: &thresholds,
    };
    escalation::decide(trigger, &ctx, a.now)
        .into_iter()
        // The explanation is part of every feedback message already.
        .filter(|act| *act != Action::SendExplanation)
        .collect()
}

fn word(library: &Library, action: &Action) -> Option<Block> {
    let text = match action {
        Action::SendExplanation => return None,
        Action::SendResource(id) => {
            let r = library.resources.iter().find(|r| &r.id == id)?;
            format!("**Read next:** {}", describe(r))
        }
        Action::CoachingNudge => "**Tip:** this one keeps slipping. Explaining it out loud to a colleague, or asking someone who knows it well, often makes it stick.".into(),
        Action::NotifyExpert => "I've flagged this question for the skill's experts, so someone can help.".into(),
        Action::NotifyManager => "This will show up in your team's summary as a topic that needs support.".into(),
        Action::InviteToContribute => "**You're invited to teach:** as a master you can answer colleagues' questions, review answers and propose new questions. Your accepted contributions keep your mastery alive.".into(),
    };
    Some(Block::Text(text))
}

fn verdict_blocks(a: &Answered) -> Vec<Block> {
    if a.grade.verdict == Verdict::NeedsReview {
        return vec![
            Block::Heading("Sent for review".into()),
            Block::Text(
                "Thanks! An expert will read your answer against the rubric; it counts once they have reviewed it.".into(),
            ),
        ];
    }
    let heading = match a.grade.verdict {
        Verdict::Correct => "✓ Right!",
        Verdict::Partial => "~ Partly right",
        _ => "✗ Not quite",
    };
    let mut blocks = vec![
        Block::Heading(heading.into()),
        Block::Text(a.grade.feedback.clone()),
    ];
    if !a.item.explanation.trim().is_empty() {
        blocks.push(Block::Text(format!(
            "**Why:** {}",
            a.item.explanation.trim()
        )));
    }
    if a.grade.verdict == Verdict::Correct {
        blocks.push(Block::Text(fluency_line(
            a.latency_secs,
            a.item.fluency_secs,
        )));
    }
    blocks
}

/// Fluency counts (SPEC §2): say how the answer time affects the schedule.
fn fluency_line(latency: f64, threshold: u32) -> String {
    let t = f64::from(threshold);
    if latency > t {
        format!(
            "You took {latency:.0}s; fluent is under {threshold}s, so it will come back a little sooner."
        )
    } else if latency < t / 2.0 {
        format!(
            "Answered in {latency:.0}s: quick and sure, so it can wait longer before coming back."
        )
    } else {
        format!("Answered in {latency:.0}s.")
    }
}

fn stage_block(skill: &str, direction: Direction, stage: Stage, sentence: &str) -> Block {
    match direction {
        Direction::Up => Block::Text(format!(
            "**Stage up: you are now {stage} in {skill}!** {}",
            capitalise(sentence)
        )),
        Direction::Down => Block::Text(format!(
            "**You are back to {stage} in {skill}.** {} Nothing is fixed: a few good answers will lift you again.",
            capitalise(sentence)
        )),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// One resource as a line (or two): title, kind, link, inline text.
pub fn describe(r: &Resource) -> String {
    let mut s = format!("{} ({})", r.title, r.kind.as_str().replace('_', " "));
    if let Some(url) = &r.url {
        s.push_str(&format!(" {url}"));
    }
    if let Some(text) = &r.text {
        s.push_str(&format!("\n{}", text.trim()));
    }
    s
}
