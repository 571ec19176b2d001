//! What the leaderboard scores, rebuilt from a learner's records: stability before and
//! after each review (replayed through the item's scheduler, since only the latest memory
//! state is stored), stage changes, and the items still held at the period's end.
//!
//! Pure: the period's end is passed in. The scoring itself is `ladder_engine::score`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ladder_engine::schedule::{rating_for, Memory};
use ladder_engine::score::{LearnerActivity, RetentionSnapshot, ReviewGain, StageEvent};
use ladder_engine::{ItemId, Library};
use std::collections::HashMap;

use crate::app::learning::Schedulers;
use crate::app::records::{Learner, Review, StageRecord};

/// One learner's records, as the leaderboard needs them.
pub struct Records<'a> {
    pub learner: &'a Learner,
    pub reviews: &'a [Review],
    pub stages: &'a [StageRecord],
    pub memories: &'a [(ItemId, Memory)],
}

/// The learner's activity up to `until`.
pub fn activity(
    r: &Records<'_>,
    library: &Library,
    schedulers: &Schedulers,
    until: DateTime<Utc>,
) -> LearnerActivity {
    let tz: Tz = r
        .learner
        .prefs
        .timezone
        .as_deref()
        .and_then(|name| name.parse().ok())
        .unwrap_or(Tz::UTC);
    LearnerActivity {
        id: format!("{}:{}", r.learner.key.tenant, r.learner.key.user),
        name: r.learner.display_name.clone(),
        opted_out: !r.learner.prefs.leaderboard,
        reviews: gains(r.reviews, library, schedulers, tz),
        stage_events: r
            .stages
            .iter()
            .filter_map(|s| {
                Some(StageEvent {
                    at: s.since,
                    from: s.from?,
                    to: s.stage,
                })
            })
            .collect(),
        retention: held(r.memories, library, schedulers, until),
    }
}

fn gains(
    reviews: &[Review],
    library: &Library,
    schedulers: &Schedulers,
    tz: Tz,
) -> Vec<ReviewGain> {
    let mut sorted: Vec<&Review> = reviews.iter().collect();
    sorted.sort_by_key(|r| r.at);
    let mut state: HashMap<&ItemId, Memory> = HashMap::new();
    let mut out = Vec::new();
    for review in sorted {
        let Some(item) = library.item(&review.item) else {
            continue;
        };
        let Some(rating) = rating_for(review.verdict, Some(review.latency_secs), item.fluency_secs)
        else {
            continue;
        };
        let scheduler = schedulers.for_item(library, item);
        let before = state.get(&review.item);
        let after = scheduler.review(before, rating, review.at).memory;
        out.push(ReviewGain {
            at: review.at,
            day: review.at.with_timezone(&tz).date_naive(),
            stability_before_days: before.map(|m| m.stability),
            stability_after_days: after.stability,
        });
        state.insert(&review.item, after);
    }
    out
}

fn held(
    memories: &[(ItemId, Memory)],
    library: &Library,
    schedulers: &Schedulers,
    until: DateTime<Utc>,
) -> RetentionSnapshot {
    let mut snap = RetentionSnapshot::default();
    for (id, m) in memories.iter().filter(|(_, m)| m.last_review <= until) {
        let Some(item) = library.item(id) else {
            continue;
        };
        let scheduler = schedulers.for_item(library, item);
        snap.introduced += 1;
        if scheduler.retrievability(m, until) >= scheduler.desired_retention() {
            snap.held += 1;
        }
    }
    snap
}
