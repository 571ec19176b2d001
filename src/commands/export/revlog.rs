//! The review log in the FSRS optimiser's schema, for `ladder export --format revlog`:
//! `card_id,review_time,review_rating,review_state,review_duration`, one row per graded
//! answer, oldest first. `ladder scheduler eval --revlog` (and the Python FSRS optimiser)
//! read it as is.
//!
//! A card is one learner's memory of one item. Its id is a hash of Ladder's learner id
//! and the item id: stable from one export to the next, distinct per (learner, item), and
//! free of platform user ids. Answers still waiting for a person to grade them have no
//! rating yet and are left out. Pure: the caller passes the reviews in.

use std::collections::HashMap;
use std::io::Write;

use ladder_engine::eval::RevlogEntry;
use ladder_engine::schedule::Rating;
use sha2::{Digest, Sha256};

use crate::store::ReviewEntry;

/// The header; one row per graded answer follows.
pub const HEADER: [&str; 5] = [
    "card_id",
    "review_time",
    "review_rating",
    "review_state",
    "review_duration",
];

/// A card's state before a review, numbered as in the FSRS optimiser's schema.
///
/// Ladder has no learning steps, so the states follow from the card's own history: its
/// first review finds it new; until it has been recalled once it is learning; after a
/// lapse (Again) that followed a recall it is relearning; otherwise it is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState {
    New = 0,
    Learning = 1,
    Review = 2,
    Relearning = 3,
}

/// The FSRS optimiser's card id for `learner`'s memory of `item`: a positive 63-bit
/// number derived from Ladder's ids only.
pub fn card_id(review: &ReviewEntry) -> i64 {
    let mut hash = Sha256::new();
    hash.update(b"ladder revlog card\0");
    hash.update(review.learner.0.to_be_bytes());
    hash.update(review.item.to_string().as_bytes());
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) >> 1) as i64
}

/// What a card has seen so far, enough to name its state before the next review.
#[derive(Debug, Default, Clone, Copy)]
struct History {
    reviews: u32,
    ever_recalled: bool,
    last: Option<Rating>,
}

impl History {
    fn state(&self) -> CardState {
        match (self.reviews, self.ever_recalled, self.last) {
            (0, _, _) => CardState::New,
            (_, false, _) => CardState::Learning,
            (_, true, Some(Rating::Again)) => CardState::Relearning,
            _ => CardState::Review,
        }
    }

    fn record(&mut self, rating: Rating) {
        self.reviews += 1;
        self.ever_recalled |= rating != Rating::Again;
        self.last = Some(rating);
    }
}

/// One row of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub card_id: i64,
    /// Unix milliseconds.
    pub review_time: i64,
    pub review_rating: Rating,
    pub review_state: CardState,
    /// Milliseconds from the reveal to the answer; None when not measured.
    pub review_duration: Option<i64>,
}

/// The rows for `reviews` (oldest first), skipping ungraded answers. States are worked
/// out over every review given, but only those answered at or after `since` are
/// returned, so that a window keeps the states its cards really had.
pub fn rows(reviews: &[ReviewEntry], since: Option<chrono::DateTime<chrono::Utc>>) -> Vec<Row> {
    let mut cards: HashMap<i64, History> = HashMap::new();
    let mut out = Vec::new();
    for review in reviews {
        let Some(rating) = review.rating else {
            continue;
        };
        let card = card_id(review);
        let history = cards.entry(card).or_default();
        let state = history.state();
        history.record(rating);
        if since.is_some_and(|s| review.answered_at < s) {
            continue;
        }
        out.push(Row {
            card_id: card,
            review_time: review.answered_at.timestamp_millis(),
            review_rating: rating,
            review_state: state,
            review_duration: review.latency_ms.filter(|ms| *ms >= 0),
        });
    }
    out
}

/// The rows as the engine's review log, exactly as `scheduler eval` would parse them
/// from [`write`]'s text: the ground on which fitting from the store can stand.
pub fn entries(rows: &[Row]) -> Vec<RevlogEntry> {
    rows.iter()
        .filter_map(|r| {
            Some(RevlogEntry {
                card_id: r.card_id,
                rating: r.review_rating,
                time: chrono::DateTime::from_timestamp_millis(r.review_time)?,
                duration_ms: r.review_duration.map_or(0, |ms| ms as u64),
            })
        })
        .collect()
}

/// Writes [`HEADER`] and `rows` as CSV; an unmeasured duration is an empty field.
pub fn write(out: impl Write, rows: &[Row]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for r in rows {
        w.write_record([
            r.card_id.to_string(),
            r.review_time.to_string(),
            r.review_rating.as_u8().to_string(),
            (r.review_state as u8).to_string(),
            r.review_duration
                .map(|ms| ms.to_string())
                .unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests;
