//! Fitting FSRS parameters to a review log, and judging the fit on reviews it never saw.

use fsrs::{compute_parameters, ComputeParametersInput};
use serde::Serialize;

use super::replay::Log;
use super::{metrics, DayBoundary, EvalError, Metrics, RevlogEntry};
use crate::schedule::Scheduler;

/// How parameters are fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Fit the same-day (short-term) parameters too. On by default: in chat a failed item
    /// often comes back the same day. Off reproduces optimisers that ignore same-day
    /// reviews (the py-fsrs reference figures were made that way).
    pub short_term: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { short_term: true }
    }
}

/// Fits the 21 FSRS parameters to a log (a cohort's own history) with the fsrs optimiser.
pub fn optimize(
    entries: &[RevlogEntry],
    days: DayBoundary,
    options: FitOptions,
) -> Result<Vec<f32>, EvalError> {
    let log = Log::build(entries, days);
    fit(&log, options, |_| true)
}

fn fit(
    log: &Log,
    options: FitOptions,
    keep: impl Fn(usize) -> bool,
) -> Result<Vec<f32>, EvalError> {
    let train_set = log.fsrs_items(keep);
    if train_set.is_empty() {
        return Err(EvalError::NotEnoughData("fit parameters"));
    }
    compute_parameters(ComputeParametersInput {
        train_set,
        enable_short_term: options.short_term,
        ..ComputeParametersInput::default()
    })
    .map_err(|e| EvalError::Optimiser(e.to_string()))
}

/// Held-out figures of a time-series split, plus parameters fitted on the whole log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossValidation {
    /// Over the test segments only: each judged with parameters fitted on what came before.
    pub metrics: Metrics,
    /// Fitted on every review, for use from now on.
    pub parameters: Vec<f32>,
}

/// fsrs-rs's time-series split: the scored reviews, in time order, are cut into
/// `folds + 1` equal segments; fold k trains on segments 0..=k and is tested on
/// segment k+1 (the last fold's test runs to the end). Predictions use our scheduler with
/// the fold's parameters, so they are exactly what the service would have shown.
pub fn cross_validate(
    entries: &[RevlogEntry],
    days: DayBoundary,
    options: FitOptions,
    retention: f64,
    folds: usize,
) -> Result<CrossValidation, EvalError> {
    let log = Log::build(entries, days);
    let split = Split::new(&log, folds)?;
    let mut predictions = Vec::new();
    for k in 0..folds {
        let (test_start, test_end) = split.test_range(k);
        let params = fit(&log, options, |r| r < test_start)?;
        let scheduler = Scheduler::new(Some(&params), retention)?;
        predictions.extend(log.predict(&scheduler, |r| (test_start..test_end).contains(&r)));
    }
    let metrics = metrics::score(&predictions).ok_or(EvalError::NotEnoughData("evaluate"))?;
    Ok(CrossValidation {
        metrics,
        parameters: fit(&log, options, |_| true)?,
    })
}

/// Scores fixed parameters on exactly the test segments [`cross_validate`] scores, so a
/// fitted set and the set in use are compared on the same reviews.
pub fn held_out(
    entries: &[RevlogEntry],
    days: DayBoundary,
    scheduler: &Scheduler,
    folds: usize,
) -> Result<Metrics, EvalError> {
    let log = Log::build(entries, days);
    let split = Split::new(&log, folds)?;
    let (first, _) = split.test_range(0);
    let predictions = log.predict(scheduler, |r| r >= first);
    metrics::score(&predictions).ok_or(EvalError::NotEnoughData("evaluate"))
}

/// The segments of a time-series split over a log's scored reviews.
struct Split {
    folds: usize,
    segment: usize,
    scored: usize,
}

impl Split {
    fn new(log: &Log, folds: usize) -> Result<Split, EvalError> {
        let segment = log.scored / (folds + 1);
        if folds == 0 || segment == 0 {
            return Err(EvalError::NotEnoughData("split into folds"));
        }
        Ok(Split {
            folds,
            segment,
            scored: log.scored,
        })
    }

    /// Ranks `[start, end)` that fold `k` is tested on.
    fn test_range(&self, k: usize) -> (usize, usize) {
        let start = (k + 1) * self.segment;
        let end = if k + 1 == self.folds {
            self.scored
        } else {
            (k + 2) * self.segment
        };
        (start, end)
    }
}
