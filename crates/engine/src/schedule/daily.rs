//! The daily pick: which items a learner is asked today, under per-day caps.
//!
//! Due reviews come first, most at risk (lowest predicted recall) first, so that after a
//! holiday the backlog drains a capped handful a day, starting with what is slipping
//! away; then new items, easiest stage first, only where prerequisites are met.

use chrono::{DateTime, Utc};

use super::{Memory, Scheduler};
use crate::model::{Item, ItemId};

/// Per-learner daily limits, new items and reviews counted separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub new_per_day: u32,
    pub reviews_per_day: u32,
}

/// One item the learner could be asked, with their memory of it (None = never seen).
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub item: &'a Item,
    pub memory: Option<&'a Memory>,
    /// Prerequisites met: only unlocked items are introduced as new.
    pub unlocked: bool,
}

/// Today's items, in the order to ask them.
///
/// `done_today` = (new items, reviews) already answered today, subtracted from the caps.
/// Candidates are expected in content order, which breaks ties.
pub fn pick_daily(
    s: &Scheduler,
    candidates: &[Candidate],
    caps: Caps,
    done_today: (u32, u32),
    now: DateTime<Utc>,
) -> Vec<ItemId> {
    let (done_new, done_reviews) = done_today;
    let review_room = caps.reviews_per_day.saturating_sub(done_reviews) as usize;
    let new_room = caps.new_per_day.saturating_sub(done_new) as usize;

    let mut due: Vec<(f64, DateTime<Utc>, usize)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(pos, c)| {
            let m = c.memory?;
            (!m.suspended && m.due <= now).then(|| (s.retrievability(m, now), m.due, pos))
        })
        .collect();
    due.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

    let mut fresh: Vec<(usize, usize)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.memory.is_none() && c.unlocked)
        .map(|(pos, c)| (c.item.stage.index(), pos))
        .collect();
    fresh.sort_unstable();

    due.iter()
        .take(review_room)
        .map(|&(_, _, pos)| pos)
        .chain(fresh.iter().take(new_room).map(|&(_, pos)| pos))
        .map(|pos| candidates[pos].item.id.clone())
        .collect()
}
