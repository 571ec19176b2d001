//! The fitting job's decision: fit FSRS parameters to a track's own review log and adopt
//! them only when enough reviews back them and they predict held-out reviews better than
//! the parameters in use, judged on the same time-series split. The service's job,
//! `ladder scheduler fit` and the simulator's `--fit-every` all decide here, so what the
//! simulator proves is what the service does.

use serde::Serialize;

use super::replay::Log;
use super::{cross_validate, held_out, DayBoundary, EvalError, FitOptions, Metrics, RevlogEntry};
use crate::schedule::Scheduler;

/// When fitted parameters may replace the ones in use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guards {
    /// Scored reviews (later-day reviews of a card) below which nothing is fitted.
    pub min_reviews: usize,
    /// Folds of the time-series split both parameter sets are judged on.
    pub folds: usize,
    pub options: FitOptions,
}

impl Default for Guards {
    fn default() -> Self {
        Guards {
            min_reviews: 1_000,
            folds: 5,
            options: FitOptions::default(),
        }
    }
}

/// What the job decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The fitted set predicts held-out reviews better: use it from now on.
    Adopt,
    /// Too few reviews to trust a fit; the parameters in use stay.
    TooFewReviews,
    /// The fitted set is no better on held-out reviews; the parameters in use stay.
    NotBetter,
}

/// One run of the job on one track's log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitOutcome {
    pub decision: Decision,
    /// Scored reviews in the log.
    pub reviews: usize,
    pub min_reviews: usize,
    /// Fitted on the whole log (absent when there were too few reviews).
    pub parameters: Option<Vec<f32>>,
    /// Held-out figures of fitting: each test segment predicted by parameters fitted on
    /// the reviews before it.
    pub fitted: Option<Metrics>,
    /// Held-out figures of the parameters in use, on the same test segments.
    pub current: Option<Metrics>,
}

impl FitOutcome {
    /// The parameters to switch to, when the job adopts.
    pub fn adopted(&self) -> Option<&[f32]> {
        match self.decision {
            Decision::Adopt => self.parameters.as_deref(),
            _ => None,
        }
    }

    /// One sentence for logs and the command line.
    pub fn explain(&self) -> String {
        match (self.decision, &self.fitted, &self.current) {
            (Decision::TooFewReviews, _, _) => format!(
                "kept the current parameters: {} reviews, fitting needs at least {}",
                self.reviews, self.min_reviews
            ),
            (Decision::NotBetter, Some(f), Some(c)) => format!(
                "kept the current parameters: fitted held-out log loss {:.4} is not better than the current {:.4} ({} reviews)",
                f.log_loss, c.log_loss, self.reviews
            ),
            (Decision::Adopt, Some(f), Some(c)) => format!(
                "adopted fitted parameters: held-out log loss {:.4}, current {:.4} ({} reviews)",
                f.log_loss, c.log_loss, self.reviews
            ),
            (d, _, _) => format!("{d:?} ({} reviews)", self.reviews),
        }
    }
}

/// Fits `entries` and decides against `current` (the scheduler the track uses now; its
/// desired retention is kept for the fitted set).
pub fn fit_track(
    entries: &[RevlogEntry],
    days: DayBoundary,
    current: &Scheduler,
    guards: &Guards,
) -> Result<FitOutcome, EvalError> {
    let reviews = Log::build(entries, days).scored;
    let mut outcome = FitOutcome {
        decision: Decision::TooFewReviews,
        reviews,
        min_reviews: guards.min_reviews,
        parameters: None,
        fitted: None,
        current: None,
    };
    // The split needs a few reviews per segment whatever the configured minimum.
    if reviews < guards.min_reviews.max(guards.folds + 1) {
        return Ok(outcome);
    }
    let cv = cross_validate(
        entries,
        days,
        guards.options,
        current.desired_retention(),
        guards.folds,
    )?;
    let now = held_out(entries, days, current, guards.folds)?;
    outcome.decision = if cv.metrics.log_loss < now.log_loss {
        Decision::Adopt
    } else {
        Decision::NotBetter
    };
    outcome.parameters = Some(cv.parameters);
    outcome.fitted = Some(cv.metrics);
    outcome.current = Some(now);
    Ok(outcome)
}
