//! The LMS-style calculation methods that reduce a window of attempt scores to one score.
//!
//! Kept apart from the evaluation so each method can be pinned by a table of cases.

use super::Calculation;

/// Reduces `scores` (0..=1 each, oldest first) to one score in 0..=1.
///
/// For [`Calculation::NTimes`] the result is the fraction of the `n` required attempts
/// that individually reached `min_score` (capped at 1), so "4 of 5 done" reads as 0.8
/// while the rule still passes only at 1.0 (see [`Calculation::passes`]).
pub fn reduce(calculation: Calculation, scores: &[f64], min_score: f64) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let score = match calculation {
        Calculation::MostRecent => scores[scores.len() - 1],
        Calculation::Highest => scores.iter().copied().fold(0.0, f64::max),
        Calculation::Average => scores.iter().sum::<f64>() / scores.len() as f64,
        Calculation::DecayingAverage { weight } => {
            let w = weight.clamp(0.0, 1.0);
            // Exponential smoothing from the oldest: the latest counts `w`, the one before
            // `w(1-w)`, and so on, so an old lucky streak fades instead of lingering.
            let mut it = scores.iter().copied();
            let first = it.next().unwrap_or(0.0);
            it.fold(first, |acc, s| acc * (1.0 - w) + s * w)
        }
        Calculation::NTimes { n } => {
            let hits = scores.iter().filter(|&&s| s >= min_score).count() as f64;
            (hits / f64::from(n.max(1))).min(1.0)
        }
    };
    score.clamp(0.0, 1.0)
}

impl Calculation {
    /// Whether a score reduced by this method meets the rule's `min_score`.
    pub fn passes(self, score: f64, min_score: f64) -> bool {
        match self {
            Calculation::NTimes { .. } => score >= 1.0,
            _ => score + 1e-9 >= min_score,
        }
    }
}
