//! Scoring predictions: log loss, fsrs-rs RMSE(bins), AUC and the constant baseline.

use std::collections::HashMap;

use super::replay::Prediction;
use super::Metrics;

/// Predictions are clamped away from 0 and 1 so one confident miss cannot make the log
/// loss infinite.
const EPS: f64 = 1e-7;

pub(super) fn score(predictions: &[Prediction]) -> Option<Metrics> {
    if predictions.is_empty() {
        return None;
    }
    let n = predictions.len() as f64;
    let mean_recall = predictions.iter().filter(|p| p.recalled).count() as f64 / n;
    Some(Metrics {
        reviews: predictions.len(),
        log_loss: log_loss(predictions.iter().map(|p| (p.p, p.recalled))),
        rmse_bins: rmse_bins(predictions),
        auc: auc(predictions),
        baseline_log_loss: log_loss(predictions.iter().map(|p| (mean_recall, p.recalled))),
    })
}

fn log_loss(pairs: impl Iterator<Item = (f64, bool)>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (p, y) in pairs {
        let p = p.clamp(EPS, 1.0 - EPS);
        sum -= if y { p.ln() } else { (1.0 - p).ln() };
        n += 1;
    }
    sum / n.max(1) as f64
}

/// fsrs-rs `rmse_bins`: per bin, (mean prediction − mean outcome)², weighted by the bin's
/// size, then the square root of the weighted mean.
fn rmse_bins(predictions: &[Prediction]) -> f64 {
    let mut bins: HashMap<(u32, u32, u32), (f64, f64, f64)> = HashMap::new();
    for p in predictions {
        let b = bins.entry(p.bin).or_default();
        b.0 += p.p;
        b.1 += f64::from(u8::from(p.recalled));
        b.2 += 1.0;
    }
    let (sq, total) = bins
        .values()
        .fold((0.0, 0.0), |(sq, total), &(pred, real, count)| {
            (
                sq + (pred / count - real / count).powi(2) * count,
                total + count,
            )
        });
    (sq / total).sqrt()
}

/// Rank-based AUC (Mann–Whitney U), ties sharing their average rank.
fn auc(predictions: &[Prediction]) -> f64 {
    let mut sorted: Vec<(f64, bool)> = predictions.iter().map(|p| (p.p, p.recalled)).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = sorted.iter().filter(|(_, y)| *y).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[i].0 {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += avg_rank * sorted[i..=j].iter().filter(|(_, y)| *y).count() as f64;
        i = j + 1;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pred(p: f64, recalled: bool) -> Prediction {
        Prediction {
            p,
            recalled,
            bin: (1, 1, 0),
        }
    }

    #[test]
    fn perfect_ranking_has_auc_one_and_reverse_has_zero() {
        let good = [pred(0.9, true), pred(0.8, true), pred(0.2, false)];
        assert!((auc(&good) - 1.0).abs() < 1e-12);
        let bad = [pred(0.1, true), pred(0.2, true), pred(0.9, false)];
        assert!(auc(&bad).abs() < 1e-12);
        let tied = [pred(0.5, true), pred(0.5, false)];
        assert!((auc(&tied) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn calibrated_bin_has_no_rmse_and_log_loss_matches_the_formula() {
        let preds = [
            pred(0.75, true),
            pred(0.75, true),
            pred(0.75, true),
            pred(0.75, false),
        ];
        let m = score(&preds).unwrap();
        assert!(m.rmse_bins.abs() < 1e-12);
        let expected = -(3.0 * 0.75f64.ln() + 0.25f64.ln()) / 4.0;
        assert!((m.log_loss - expected).abs() < 1e-12);
        // The baseline predicts the same 0.75 here, so it scores the same.
        assert!((m.baseline_log_loss - expected).abs() < 1e-12);
    }

    #[test]
    fn miscalibration_shows_in_rmse() {
        let preds = [pred(0.9, false), pred(0.9, false)];
        assert!((score(&preds).unwrap().rmse_bins - 0.9).abs() < 1e-12);
    }
}
