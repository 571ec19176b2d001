//! `resources SKILL` (what fits the learner's stage, Rosenberg's table) and `search TEXT`
//! over every resource's title and text.
//!
//! Depends on the content library and the records interface (for the learner's stage).

use ladder_engine::{Resource, Stage};

use super::feedback::describe;
use super::records::LearnerKey;
use super::why::{find_skill, no_such_skill};
use super::{echo, App, AppResult};
use crate::platform::{text, Actor, Block, Reply};

/// At most this many search hits are listed.
const MAX_HITS: usize = 8;

pub async fn for_skill(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let Some(skill) = find_skill(&app.library, args) else {
        return Ok(vec![no_such_skill(&app.library, args)]);
    };
    let stage = app
        .records
        .stages(&LearnerKey::of(actor))
        .await?
        .into_iter()
        .find(|s| s.skill == skill.id)
        .map_or(Stage::Novice, |s| s.stage);
    let all: Vec<&Resource> = app.library.resources_of(&skill.id).collect();
    let (mine, other): (Vec<&Resource>, Vec<&Resource>) =
        all.iter().partition(|r| r.stage == stage);
    let mut blocks = vec![Block::Heading(format!("{}: resources", skill.title))];
    if mine.is_empty() {
        blocks.push(Block::Text(format!(
            "Nothing is marked for {stage} learners yet."
        )));
    } else {
        blocks.push(Block::Text(format!(
            "For you, as a {stage}:\n{}",
            list(&mine)
        )));
    }
    if !other.is_empty() {
        blocks.push(Block::Text(format!("Other stages:\n{}", list(&other))));
    }
    Ok(vec![Reply::private(blocks)])
}

pub async fn search(app: &App, _actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let words: Vec<String> = args.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Ok(vec![Reply::text(
            "Search for what? e.g. /search password manager",
        )]);
    }
    let hits: Vec<&Resource> = app
        .library
        .resources
        .iter()
        .filter(|r| {
            let hay = format!(
                "{} {} {}",
                r.title,
                r.text.as_deref().unwrap_or(""),
                r.skill
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .take(MAX_HITS)
        .collect();
    let query = echo(args);
    if hits.is_empty() {
        return Ok(vec![Reply::text(format!(
            "No resource mentions \"{query}\".",
        ))]);
    }
    Ok(vec![Reply::private(vec![
        Block::Heading(format!("Resources matching \"{query}\"")),
        Block::Text(list(&hits)),
    ])])
}

fn list(resources: &[&Resource]) -> String {
    let lines: Vec<String> = resources
        .iter()
        .map(|r| format!("- [{}] {}", r.stage, text::truncate(&describe(r), 400)))
        .collect();
    lines.join("\n")
}
