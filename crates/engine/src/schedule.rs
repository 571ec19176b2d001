//! Scheduling: per learner per item FSRS memory states, the verdict → rating mapping,
//! leech detection and the daily pick (SPEC §3.2).
//!
//! A thin layer over the `fsrs` crate: the caller passes `now` (this crate never reads a
//! clock) and elapsed time is handed to fsrs as a number of days. The scheduler
//! evaluation in [`crate::eval`] replays review logs through this same code.

use chrono::{DateTime, Duration, Utc};
use fsrs::{MemoryState, FSRS};
use serde::{Deserialize, Serialize};

use crate::grade::Verdict;

mod daily;
#[cfg(test)]
mod tests;

pub use daily::{pick_daily, Candidate, Caps};

/// An item failed this many times (lapses) is suspended and escalated.
pub const LEECH_LAPSES: u32 = 4;

/// The four FSRS grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Again,
    Hard,
    Good,
    Easy,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// 1 (Again) to 4 (Easy), as FSRS and review-log files number them.
    pub fn as_u8(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_u8(n: u8) -> Option<Rating> {
        Rating::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Again => "again",
            Rating::Hard => "hard",
            Rating::Good => "good",
            Rating::Easy => "easy",
        }
    }
}

/// The scheduler grade for a verdict, given how long the learner took.
///
/// Wrong → Again; Partial → Hard; Correct → Good, or Hard when slower than the fluency
/// threshold, or Easy when faster than half of it. NeedsReview → None: a person grades it
/// later. Unknown (or nonsensical) latency and a zero threshold give plain Good.
pub fn rating_for(
    verdict: Verdict,
    latency_secs: Option<f64>,
    fluency_secs: u32,
) -> Option<Rating> {
    match verdict {
        Verdict::Wrong => Some(Rating::Again),
        Verdict::Partial => Some(Rating::Hard),
        Verdict::NeedsReview => None,
        Verdict::Correct => {
            let threshold = f64::from(fluency_secs);
            Some(match latency_secs {
                Some(l) if l.is_finite() && l >= 0.0 && threshold > 0.0 => {
                    if l > threshold {
                        Rating::Hard
                    } else if l < threshold / 2.0 {
                        Rating::Easy
                    } else {
                        Rating::Good
                    }
                }
                _ => Rating::Good,
            })
        }
    }
}

/// One learner's memory of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Days until recall probability falls to 90%.
    pub stability: f64,
    /// 1 (easy) ..= 10 (hard).
    pub difficulty: f64,
    pub last_review: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub reps: u32,
    /// Again ratings after the first review.
    pub lapses: u32,
    /// A leech: no longer scheduled until someone un-suspends it.
    pub suspended: bool,
}

/// The result of one review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub memory: Memory,
    /// True exactly once: on the review whose lapse made the item a leech.
    pub became_leech: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("desired retention {0} is outside 0.7..=0.99")]
    Retention(f64),
    #[error("invalid FSRS parameters: {0}")]
    Parameters(String),
}

/// FSRS with a fixed parameter set and target retention.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: FSRS,
    parameters: Vec<f32>,
    desired_retention: f64,
}

/// Reviews never push an item further out than this.
const MAX_INTERVAL_DAYS: f64 = 36_500.0;
/// The soonest a failed item comes back: long enough not to re-ask within the same chat.
const MIN_RELEARN_MINUTES: i64 = 10;

impl Scheduler {
    /// `params`: None (or empty) for the FSRS defaults, or 17/19/21 fitted parameters.
    pub fn new(params: Option<&[f32]>, desired_retention: f64) -> Result<Scheduler, ScheduleError> {
        if !(0.7..=0.99).contains(&desired_retention) {
            return Err(ScheduleError::Retention(desired_retention));
        }
        let params = params.unwrap_or(&[]);
        let parameters = fsrs::check_and_fill_parameters(params)
            .map_err(|e| ScheduleError::Parameters(e.to_string()))?;
        if parameters.iter().any(|p| !p.is_finite()) {
            return Err(ScheduleError::Parameters("not a finite number".into()));
        }
        let fsrs = FSRS::new(&parameters).map_err(|e| ScheduleError::Parameters(e.to_string()))?;
        Ok(Scheduler {
            fsrs,
            parameters,
            desired_retention,
        })
    }

    /// The 21 parameters in use (defaults filled in).
    pub fn parameters(&self) -> &[f32] {
        &self.parameters
    }

    pub fn desired_retention(&self) -> f64 {
        self.desired_retention
    }

    /// Reviews an item at `now`; elapsed time is counted by [`elapsed_days`].
    pub fn review(&self, prev: Option<&Memory>, rating: Rating, now: DateTime<Utc>) -> Review {
        let days = prev.map_or(0, |m| elapsed_days(m.last_review, now));
        self.review_after_days(prev, rating, days, now)
    }

    /// Reviews an item `elapsed_days` after its last review (as counted by the caller, e.g.
    /// calendar days in a learner's timezone); `now` only stamps the result.
    pub fn review_after_days(
        &self,
        prev: Option<&Memory>,
        rating: Rating,
        elapsed_days: u32,
        now: DateTime<Utc>,
    ) -> Review {
        let state = prev.map(|m| MemoryState {
            stability: m.stability as f32,
            difficulty: m.difficulty as f32,
        });
        let next = match self
            .fsrs
            .next_states(state, self.desired_retention as f32, elapsed_days)
        {
            Ok(n) => n,
            // fsrs only fails on a non-finite state, which only corrupt storage could give:
            // start the item afresh rather than refuse the learner's answer.
            Err(_) => self
                .fsrs
                .next_states(None, self.desired_retention as f32, 0)
                .expect("fsrs accepts a new item"),
        };
        let chosen = match rating {
            Rating::Again => next.again,
            Rating::Hard => next.hard,
            Rating::Good => next.good,
            Rating::Easy => next.easy,
        };
        let lapses =
            prev.map_or(0, |m| m.lapses) + u32::from(prev.is_some() && rating == Rating::Again);
        let was_suspended = prev.is_some_and(|m| m.suspended);
        let became_leech = !was_suspended && rating == Rating::Again && lapses == LEECH_LAPSES;
        let memory = Memory {
            stability: f64::from(chosen.memory.stability),
            difficulty: f64::from(chosen.memory.difficulty),
            last_review: now,
            due: now + interval(rating, f64::from(chosen.interval)),
            reps: prev.map_or(0, |m| m.reps) + 1,
            lapses,
            suspended: was_suspended || became_leech,
        };
        Review {
            memory,
            became_leech,
        }
    }

    /// Predicted probability of recall at `now`.
    pub fn retrievability(&self, m: &Memory, now: DateTime<Utc>) -> f64 {
        let days = (now - m.last_review).num_seconds().max(0) as f64 / 86_400.0;
        self.retrievability_after_days(m, days)
    }

    /// Predicted probability of recall `elapsed_days` after the last review.
    pub fn retrievability_after_days(&self, m: &Memory, elapsed_days: f64) -> f64 {
        let state = MemoryState {
            stability: m.stability as f32,
            difficulty: m.difficulty as f32,
        };
        let decay = self.parameters[20];
        f64::from(fsrs::current_retrievability(
            state,
            elapsed_days.max(0.0) as f32,
            decay,
        ))
    }
}

/// Days from `from` to `to` as FSRS counts them: rounded to the nearest whole day (0 if
/// `to` is earlier). Rounding rather than truncating matters for daily prompts: an answer
/// at 08:55 after yesterday's at 09:05 is a day later, not a same-day repeat (which FSRS
/// treats very differently). Callers that know the learner's calendar can pass calendar
/// days to [`Scheduler::review_after_days`] instead.
pub fn elapsed_days(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    let secs = (to - from).num_seconds().max(0);
    u32::try_from((secs + 43_200) / 86_400).unwrap_or(u32::MAX)
}

/// Turns the FSRS interval into a due delay. A failed item comes back within a day (it is
/// asked again soon, however stable it was); anything remembered waits whole days, at
/// least one, so that a learner is not asked the same thing twice in one session.
fn interval(rating: Rating, fsrs_days: f64) -> Duration {
    let days = if fsrs_days.is_finite() {
        fsrs_days
    } else {
        1.0
    };
    match rating {
        Rating::Again => {
            let minutes = (days.clamp(0.0, 1.0) * 1440.0).round() as i64;
            Duration::minutes(minutes.max(MIN_RELEARN_MINUTES))
        }
        _ => Duration::days(days.round().clamp(1.0, MAX_INTERVAL_DAYS) as i64),
    }
}
