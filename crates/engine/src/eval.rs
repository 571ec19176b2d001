//! Scheduler evaluation (SPEC §3.2): replay a real review log through our [`Scheduler`] and
//! measure how well it predicts recall, optionally after fitting FSRS parameters to the
//! log with the `fsrs` optimiser and a time-series split.
//!
//! The log format is py-fsrs's CSV (`card_id,review_rating,review_time,review_duration`).
//! Everything here is pure: the caller reads the file and passes its text in.

use serde::Serialize;

use crate::schedule::{Rating, ScheduleError, Scheduler};

pub mod fitting;
mod metrics;
mod optimize;
mod replay;
mod revlog;
#[cfg(test)]
mod tests;

pub use fitting::{fit_track, Decision, FitOutcome, Guards};
pub use optimize::{cross_validate, held_out, optimize, CrossValidation, FitOptions};
pub use revlog::{parse_revlog, RevlogEntry};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error(
        "the review log has no header line card_id,review_rating,review_time[,review_duration]"
    )]
    Header,
    #[error("not enough reviews to {0}")]
    NotEnoughData(&'static str),
    #[error("the FSRS optimiser failed: {0}")]
    Optimiser(String),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// How reviews are grouped into days.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayBoundary {
    /// Hours added to UTC before cutting days at midnight: -4 puts the boundary at 04:00
    /// UTC, which is midnight in UTC−4 (the py-fsrs reference log's learner).
    pub offset_hours: i32,
}

/// How well predicted recall matched what happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Reviews predicted: every review after a card's first that falls on a later day
    /// (same-day repeats update memory but are not scored, as in fsrs).
    pub reviews: usize,
    /// Mean binary cross-entropy of predicted recall (lower is better).
    pub log_loss: f64,
    /// fsrs-rs RMSE(bins): calibration error over bins of interval, review count and lapses.
    pub rmse_bins: f64,
    /// Area under the ROC curve: how well predictions rank recalled above forgotten.
    pub auc: f64,
    /// Log loss of always predicting the log's average recall rate.
    pub baseline_log_loss: f64,
}

/// Replays `entries` through `scheduler` and scores every prediction.
pub fn evaluate(
    entries: &[RevlogEntry],
    scheduler: &Scheduler,
    days: DayBoundary,
) -> Result<Metrics, EvalError> {
    let log = replay::Log::build(entries, days);
    let predictions = log.predict(scheduler, |_| true);
    metrics::score(&predictions).ok_or(EvalError::NotEnoughData("evaluate"))
}

/// A rating as used in the log: 1 Again .. 4 Easy; recall is anything but Again.
fn recalled(r: Rating) -> bool {
    r != Rating::Again
}
