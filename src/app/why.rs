//! `why SKILL`: the learner's stage in a skill, the evidence that put them there, and what
//! the next stage still needs (SPEC §3.3: every stage can be explained in one message).
//!
//! Depends on the records interface and [`super::learning`].

use ladder_engine::{Library, Skill, Stage};
use std::collections::HashMap;

use super::learning::evaluate_skill;
use super::records::{LearnerKey, Review};
use super::{echo, App, AppResult};
use crate::platform::{Actor, Block, Reply};

/// A skill by id or (case-insensitive) title, or the single skill whose title contains
/// the text.
pub fn find_skill<'a>(library: &'a Library, text: &str) -> Option<&'a Skill> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Some(s) = library
        .skills
        .iter()
        .find(|s| s.id.as_str() == t || s.title.to_lowercase() == t)
    {
        return Some(s);
    }
    let mut partial = library
        .skills
        .iter()
        .filter(|s| s.title.to_lowercase().contains(&t) || s.id.as_str().contains(&t));
    match (partial.next(), partial.next()) {
        (Some(s), None) => Some(s),
        _ => None,
    }
}

/// "No such skill", with the list of skills to choose from.
pub fn no_such_skill(library: &Library, text: &str) -> Reply {
    let lead = if text.trim().is_empty() {
        "Which skill? Add its name, e.g. /why phishing.".to_owned()
    } else {
        format!("I don't know a skill called \"{}\".", echo(text))
    };
    Reply::private(vec![
        Block::Text(lead),
        Block::Fields(
            library
                .skills
                .iter()
                .map(|s| (s.id.to_string(), s.title.clone()))
                .collect(),
        ),
    ])
}

pub async fn show(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let Some(skill) = find_skill(&app.library, args) else {
        return Ok(vec![no_such_skill(&app.library, args)]);
    };
    let key = LearnerKey::of(actor);
    let record = app
        .records
        .stages(&key)
        .await?
        .into_iter()
        .find(|s| s.skill == skill.id);
    let stage = record.as_ref().map_or(Stage::Novice, |r| r.stage);
    let because = match &record {
        Some(r) => format!(
            "You are **{}** in {} since {}: {}.",
            r.stage,
            skill.title,
            r.since.format("%a %d %b"),
            r.evidence
        ),
        None => format!(
            "You are **novice** in {}: everyone starts there.",
            skill.title
        ),
    };
    let reviews = app.records.reviews(&key).await?;
    let mine: Vec<&Review> = reviews.iter().filter(|r| r.skill == skill.id).collect();
    let memories: HashMap<_, _> = app.records.memories(&key).await?.into_iter().collect();
    let ev = evaluate_skill(
        &app.library,
        &app.schedulers,
        skill,
        stage,
        &mine,
        &memories,
        app.clock.now(),
        app.accepted_contributions(&key, &skill.id).await?,
    );
    // The evaluation explains the stage held and what the next one still needs; a change
    // it would make is applied with the next answer, so it is announced, not applied here.
    let next = match ev.change {
        Some(c) if c.to > stage => format!(
            "You meet the bar for **{}**: it will be confirmed with your next answer.",
            c.to
        ),
        Some(c) => format!(
            "Careful: your recall has faded, and your next answer may move you back to {}.",
            c.to
        ),
        None => capitalise(&ev.evidence.sentence(&skill.title)),
    };
    Ok(vec![Reply::private(vec![
        Block::Heading(format!("Why you are {stage} in {}", skill.title)),
        Block::Text(because),
        Block::Text(capitalise(&format!(
            "{stage} learners are tested on {}.",
            stage.evidence()
        ))),
        Block::Text(next),
    ])])
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
