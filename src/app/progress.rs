//! `progress`: stage per skill with a bar, reviews due, the day streak and estimated
//! retention.
//!
//! Depends on the records interface and [`super::learning`] for predicted recall.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ladder_engine::{Skill, Stage};
use std::collections::{BTreeSet, HashMap};

use super::learning::mean_recall;
use super::records::{LearnerKey, Review};
use super::{App, AppResult};
use crate::platform::{Actor, Block, Reply};

pub async fn show(app: &App, actor: &Actor) -> AppResult<Vec<Reply>> {
    let key = LearnerKey::of(actor);
    let Some(learner) = app.records.learner(&key).await? else {
        return Ok(Vec::new());
    };
    let now = app.clock.now();
    let stages = app.records.stages(&key).await?;
    let memories: HashMap<_, _> = app.records.memories(&key).await?.into_iter().collect();
    let reviews = app.records.reviews(&key).await?;
    let skills: Vec<&Skill> = app
        .library
        .skills
        .iter()
        .filter(|s| learner.tracks.contains(&s.track))
        .collect();
    let fields = skills
        .iter()
        .map(|s| {
            let stage = stages
                .iter()
                .find(|r| r.skill == s.id)
                .map_or(Stage::Novice, |r| r.stage);
            (s.title.clone(), format!("{} {stage}", bar(stage)))
        })
        .collect();
    let due = memories.values().filter(|m| m.due <= now).count();
    let next = memories.values().map(|m| m.due).filter(|d| *d > now).min();
    let mut summary = vec![format!("Reviews due now: {due}")];
    if let Some(n) = next {
        summary.push(format!("Next review: {}", n.format("%a %d %b")));
    }
    summary.push(format!("Streak: {} day(s) in a row", streak(&reviews, now)));
    if let Some(r) = mean_recall(&app.library, &app.schedulers, memories.iter(), now) {
        summary.push(format!(
            "Estimated retention: {:.0}% of what you have practised",
            r * 100.0
        ));
    }
    summary.push(format!("Answers so far: {}", reviews.len()));
    Ok(vec![Reply::private(vec![
        Block::Heading("Your progress".into()),
        Block::Fields(fields),
        Block::Text(summary.join("\n")),
    ])])
}

/// Four rungs, filled up to the stage.
fn bar(stage: Stage) -> String {
    let n = stage.index() + 1;
    format!("[{}{}]", "#".repeat(n), ".".repeat(4 - n))
}

/// Consecutive days, ending today or yesterday, with at least one answer.
fn streak(reviews: &[Review], now: DateTime<Utc>) -> u32 {
    let days: BTreeSet<NaiveDate> = reviews.iter().map(|r| r.at.date_naive()).collect();
    let mut day = now.date_naive();
    if !days.contains(&day) {
        day -= Duration::days(1);
    }
    let mut n = 0;
    while days.contains(&day) {
        n += 1;
        day -= Duration::days(1);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_one_rung_per_stage() {
        assert_eq!(bar(Stage::Novice), "[#...]");
        assert_eq!(bar(Stage::Master), "[####]");
    }
}
