//! The bridge from the app's records to the engine's scheduling and mastery rules: one
//! FSRS [`Scheduler`] per track (each track sets its own target retention), and the
//! conversion of a learner's reviews and memories into what `mastery::evaluate` reads.
//!
//! Pure: time is passed in. Depends on the engine only.

use chrono::{DateTime, Utc};
use ladder_engine::grade::Verdict;
use ladder_engine::mastery::{self, Attempt, Evaluation};
use ladder_engine::schedule::{Memory, Scheduler};
use ladder_engine::{Item, ItemId, Library, Skill, Stage, TrackId};
use std::collections::HashMap;

use super::records::Review;

/// A scheduler per track, at that track's desired retention.
pub struct Schedulers {
    by_track: HashMap<TrackId, Scheduler>,
    fallback: Scheduler,
}

impl Schedulers {
    /// Content is checked before it is loaded, so a track's retention is always in range;
    /// should one not be, its items fall back to the default 0.9 rather than fail.
    pub fn for_library(library: &Library) -> Self {
        let fallback = Scheduler::new(None, 0.9).expect("the FSRS defaults are valid");
        let by_track = library
            .tracks
            .iter()
            .filter_map(|t| {
                Scheduler::new(None, t.desired_retention)
                    .ok()
                    .map(|s| (t.id.clone(), s))
            })
            .collect();
        Schedulers { by_track, fallback }
    }

    /// Any scheduler: for predicted recall, which depends on the FSRS parameters only (the
    /// same for every track), not on the target retention.
    pub fn any(&self) -> &Scheduler {
        &self.fallback
    }

    /// The scheduler for an item's track.
    pub fn for_item(&self, library: &Library, item: &Item) -> &Scheduler {
        library
            .skill(&item.skill)
            .and_then(|s| self.by_track.get(&s.track))
            .unwrap_or(&self.fallback)
    }
}

/// A review as the mastery rules see it; answers still waiting for a person do not count.
pub fn attempt(review: &Review, library: &Library) -> Option<Attempt> {
    if review.verdict == Verdict::NeedsReview {
        return None;
    }
    let item = library.item(&review.item)?;
    Some(Attempt {
        item: item.id.clone(),
        item_stage: item.stage,
        at: review.at,
        score: review.score,
        correct: review.verdict == Verdict::Correct,
        latency_secs: Some(review.latency_secs),
        fluency_secs: item.fluency_secs,
        core: item.core,
    })
}

/// Evaluates the learner's stage in `skill` from its reviews (oldest first) and memories.
// Each argument is one independent input of the mastery rules; bundling them would only
// move the list into a struct built at each of the three call sites.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_skill(
    library: &Library,
    schedulers: &Schedulers,
    skill: &Skill,
    current: Stage,
    reviews: &[&Review],
    memories: &HashMap<ItemId, Memory>,
    now: DateTime<Utc>,
    accepted_contributions: u32,
) -> Evaluation {
    let attempts: Vec<Attempt> = reviews
        .iter()
        .filter(|r| r.skill == skill.id)
        .filter_map(|r| attempt(r, library))
        .collect();
    let item_memories: Vec<mastery::ItemMemory> = library
        .items_of(&skill.id)
        .filter_map(|item| {
            let m = memories.get(&item.id)?;
            Some(mastery::ItemMemory {
                item: item.id.clone(),
                item_stage: item.stage,
                stability_days: m.stability,
                retrievability: schedulers.for_item(library, item).retrievability(m, now),
            })
        })
        .collect();
    mastery::evaluate(
        &skill.mastery,
        current,
        &attempts,
        &item_memories,
        accepted_contributions,
    )
}

/// Mean predicted recall over the given memories, if any.
pub fn mean_recall<'a>(
    library: &Library,
    schedulers: &Schedulers,
    memories: impl Iterator<Item = (&'a ItemId, &'a Memory)>,
    now: DateTime<Utc>,
) -> Option<f64> {
    let rs: Vec<f64> = memories
        .filter_map(|(id, m)| {
            let item = library.item(id)?;
            Some(schedulers.for_item(library, item).retrievability(m, now))
        })
        .collect();
    (!rs.is_empty()).then(|| rs.iter().sum::<f64>() / rs.len() as f64)
}
