//! Replaying a log card by card through the service's own [`Scheduler`].
//!
//! Mirrors how fsrs-rs turns a log into training items: reviews are grouped by card in
//! time order, days are cut at the configured boundary, and a review on the same day as
//! the previous one (delta 0) updates memory through fsrs's short-term formula but is not
//! itself scored.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fsrs::{FSRSItem, FSRSReview};

use super::{recalled, DayBoundary, RevlogEntry};
use crate::schedule::{Memory, Rating, Scheduler};

/// One review of a card, with the whole days since the card's previous review.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    pub time: DateTime<Utc>,
    pub rating: Rating,
    pub delta_days: u32,
}

/// One scored prediction.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prediction {
    /// Predicted probability of recall.
    pub p: f64,
    pub recalled: bool,
    /// fsrs-rs's RMSE(bins) key: (interval bin, review-count bin, lapse bin).
    pub bin: (u32, u32, u32),
}

/// A log organised for replay.
pub(super) struct Log {
    pub cards: Vec<Vec<Step>>,
    /// For each card and review, the review's rank among all scored reviews in time order
    /// (None for unscored ones: first reviews and same-day repeats).
    pub rank: Vec<Vec<Option<usize>>>,
    pub scored: usize,
}

impl Log {
    pub fn build(entries: &[RevlogEntry], days: DayBoundary) -> Log {
        let mut by_card: BTreeMap<i64, Vec<&RevlogEntry>> = BTreeMap::new();
        for e in entries {
            by_card.entry(e.card_id).or_default().push(e);
        }
        let offset = i64::from(days.offset_hours) * 3600;
        let day = |t: DateTime<Utc>| (t.timestamp() + offset).div_euclid(86_400);
        let cards: Vec<Vec<Step>> = by_card
            .into_values()
            .map(|mut reviews| {
                reviews.sort_by_key(|e| e.time);
                let mut prev_day = None;
                reviews
                    .into_iter()
                    .map(|e| {
                        let d = day(e.time);
                        let delta = prev_day.map_or(0, |p: i64| (d - p).max(0));
                        prev_day = Some(d);
                        Step {
                            time: e.time,
                            rating: e.rating,
                            delta_days: u32::try_from(delta).unwrap_or(u32::MAX),
                        }
                    })
                    .collect()
            })
            .collect();
        let mut order: Vec<(DateTime<Utc>, usize, usize)> = Vec::new();
        for (c, steps) in cards.iter().enumerate() {
            for (j, s) in steps.iter().enumerate() {
                if j > 0 && s.delta_days > 0 {
                    order.push((s.time, c, j));
                }
            }
        }
        // Stable: equal times keep card order, as fsrs-rs's sort does.
        order.sort_by_key(|&(t, _, _)| t);
        let mut rank: Vec<Vec<Option<usize>>> = cards.iter().map(|s| vec![None; s.len()]).collect();
        for (r, &(_, c, j)) in order.iter().enumerate() {
            rank[c][j] = Some(r);
        }
        Log {
            cards,
            rank,
            scored: order.len(),
        }
    }

    /// Predicts recall before every scored review whose rank passes `keep`.
    pub fn predict(&self, s: &Scheduler, keep: impl Fn(usize) -> bool) -> Vec<Prediction> {
        let mut out = Vec::new();
        for (steps, ranks) in self.cards.iter().zip(&self.rank) {
            let mut memory: Option<Memory> = None;
            let mut long_term = 0u32;
            let mut lapses = 0u32;
            for (step, rank) in steps.iter().zip(ranks) {
                if let (Some(m), Some(r)) = (&memory, rank) {
                    if keep(*r) {
                        out.push(Prediction {
                            p: s.retrievability_after_days(m, f64::from(step.delta_days)),
                            recalled: recalled(step.rating),
                            bin: bin(step.delta_days, long_term + 1, lapses),
                        });
                    }
                }
                if step.delta_days > 0 {
                    long_term += 1;
                    lapses += u32::from(step.rating == Rating::Again);
                }
                memory = Some(
                    s.review_after_days(memory.as_ref(), step.rating, step.delta_days, step.time)
                        .memory,
                );
            }
        }
        out
    }

    /// fsrs training items for the scored reviews whose rank passes `keep`, in time order.
    pub fn fsrs_items(&self, keep: impl Fn(usize) -> bool) -> Vec<FSRSItem> {
        let mut items: Vec<(usize, FSRSItem)> = Vec::new();
        for (steps, ranks) in self.cards.iter().zip(&self.rank) {
            for (j, rank) in ranks.iter().enumerate() {
                let Some(r) = rank.filter(|r| keep(*r)) else {
                    continue;
                };
                let reviews = steps[..=j]
                    .iter()
                    .map(|s| FSRSReview {
                        rating: u32::from(s.rating.as_u8()),
                        delta_t: s.delta_days,
                    })
                    .collect();
                items.push((r, FSRSItem { reviews }));
            }
        }
        items.sort_by_key(|(r, _)| *r);
        items.into_iter().map(|(_, i)| i).collect()
    }
}

/// fsrs-rs `FSRSItem::r_matrix_index`: `length` counts the long-term reviews including the
/// current one plus one, `lapses` the failed long-term reviews before it.
fn bin(delta_t: u32, length: u32, lapses: u32) -> (u32, u32, u32) {
    let delta_t = f64::from(delta_t);
    let delta_bin = (2.48 * 3.62f64.powf(delta_t.log(3.62).floor()) * 100.0).round() as u32;
    let length = f64::from(length) + 1.0;
    let length_bin = (1.99 * 1.89f64.powf(length.log(1.89).floor())).round() as u32;
    if lapses == 0 {
        return (delta_bin, length_bin, 0);
    }
    let lapse_bin = (1.65 * 1.73f64.powf(f64::from(lapses).log(1.73).floor())).round() as u32;
    (delta_bin, length_bin, lapse_bin)
}
