//! Evaluation on small hand-made logs and on a log simulated from a known FSRS learner.
//! (The real reference log is exercised end to end by the root crate's
//! `tests/scheduler_eval.rs`.)

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::schedule::Memory;

const HEADER: &str = "card_id,review_rating,review_time,review_duration\n";

fn at(day: i64, hour: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap() + Duration::days(day) + Duration::hours(hour)
}

fn entry(card: i64, rating: Rating, time: DateTime<Utc>) -> RevlogEntry {
    RevlogEntry {
        card_id: card,
        rating,
        time,
        duration_ms: 0,
    }
}

#[test]
fn parses_the_py_fsrs_format() {
    let src = format!(
        "{HEADER}1711684180217,1,2024-03-29T20:32:32.250000+00:00,25060\n\n7,3,1711744352250,\n"
    );
    let log = parse_revlog(&src).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].card_id, 1711684180217);
    assert_eq!(log[0].rating, Rating::Again);
    assert_eq!(log[0].duration_ms, 25060);
    assert_eq!(
        log[0].time,
        Utc.with_ymd_and_hms(2024, 3, 29, 20, 32, 32).unwrap() + Duration::milliseconds(250)
    );
    assert_eq!(log[1].rating, Rating::Good);
    assert_eq!(log[1].time.timestamp_millis(), 1711744352250);
    // Columns in another order, without a duration.
    let log =
        parse_revlog("review_time,card_id,review_rating\n2024-01-01T00:00:00Z,5,4\n").unwrap();
    assert_eq!((log[0].card_id, log[0].rating), (5, Rating::Easy));
}

#[test]
fn parse_errors_say_which_line_and_what_is_wrong() {
    let cases = [
        (
            format!("{HEADER}1,3,2024-01-01T00:00:00Z,5\n1,5,2024-01-02T00:00:00Z,5\n"),
            3,
            "review_rating",
        ),
        (format!("{HEADER}1,3,yesterday,5\n"), 2, "review_time"),
        (
            format!("{HEADER}x,3,2024-01-01T00:00:00Z,5\n"),
            2,
            "card_id",
        ),
        (format!("{HEADER}1,3\n"), 2, "missing"),
        (
            format!("{HEADER}1,3,2024-01-01T00:00:00Z,-5\n"),
            2,
            "review_duration",
        ),
    ];
    for (src, line, word) in cases {
        match parse_revlog(&src) {
            Err(EvalError::Parse { line: l, message }) => {
                assert_eq!(l, line, "{message}");
                assert!(message.contains(word), "{message}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }
    assert_eq!(parse_revlog("a,b,c\n1,2,3\n"), Err(EvalError::Header));
    assert_eq!(parse_revlog(""), Err(EvalError::Header));
}

#[test]
fn only_reviews_on_a_later_day_are_scored() {
    let s = Scheduler::new(None, 0.9).unwrap();
    let log = [
        entry(1, Rating::Good, at(0, 10)),
        entry(1, Rating::Again, at(0, 11)), // same day: updates memory, not scored
        entry(1, Rating::Good, at(2, 10)),
        entry(2, Rating::Good, at(1, 9)), // a card's first review is never scored
        entry(2, Rating::Good, at(5, 9)),
    ];
    let m = evaluate(&log, &s, DayBoundary::default()).unwrap();
    assert_eq!(m.reviews, 2);
    // Entry order in the file does not matter.
    let mut shuffled = log.to_vec();
    shuffled.reverse();
    assert_eq!(evaluate(&shuffled, &s, DayBoundary::default()).unwrap(), m);
}

#[test]
fn the_day_offset_moves_the_day_boundary() {
    let s = Scheduler::new(None, 0.9).unwrap();
    // 23:00 and 02:00 UTC the next night: two days in UTC, one evening in UTC−4.
    let log = [
        entry(1, Rating::Good, at(0, 23)),
        entry(1, Rating::Good, at(1, 2)),
    ];
    assert_eq!(
        evaluate(&log, &s, DayBoundary { offset_hours: 0 })
            .unwrap()
            .reviews,
        1
    );
    assert_eq!(
        evaluate(&log, &s, DayBoundary { offset_hours: -4 }),
        Err(EvalError::NotEnoughData("evaluate"))
    );
}

/// A deterministic learner whose memory follows FSRS with default parameters: each review
/// is recalled with exactly the probability the default model predicts.
fn simulated_log(cards: i64, days: i64) -> Vec<RevlogEntry> {
    simulated_log_of(&Scheduler::new(None, 0.85).unwrap(), cards, days)
}

/// Like [`simulated_log`], for a learner whose memory follows `s`'s parameters.
fn simulated_log_of(s: &Scheduler, cards: i64, days: i64) -> Vec<RevlogEntry> {
    let mut rng = 0x5EED_u64;
    let mut uniform = move || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut log = Vec::new();
    for card in 0..cards {
        let mut t = at(card % 30, 9);
        let mut memory: Option<Memory> = None;
        while t < at(days, 0) {
            let recalled = memory
                .as_ref()
                .is_none_or(|m| uniform() < s.retrievability(m, t));
            let rating = match (recalled, uniform()) {
                (false, _) => Rating::Again,
                (true, u) if u < 0.15 => Rating::Hard,
                (true, u) if u > 0.9 => Rating::Easy,
                _ => Rating::Good,
            };
            log.push(entry(card, rating, t));
            let m = s.review(memory.as_ref(), rating, t).memory;
            // Learners come back anywhere from early to very late, so that recall varies
            // enough for predictions to be told apart.
            let interval = (m.due - t).num_hours().max(24) as f64;
            t += Duration::hours((interval * (0.3 + 3.0 * uniform())) as i64);
            memory = Some(m);
        }
    }
    log
}

#[test]
fn the_model_that_made_the_data_beats_the_constant_baseline() {
    let log = simulated_log(300, 300);
    let s = Scheduler::new(None, 0.9).unwrap();
    let m = evaluate(&log, &s, DayBoundary::default()).unwrap();
    assert!(m.reviews > 1000, "{m:?}");
    assert!(m.log_loss < m.baseline_log_loss, "{m:?}");
    assert!(m.rmse_bins < 0.08, "{m:?}");
    assert!(m.auc > 0.6, "{m:?}");
}

#[test]
fn cross_validation_fits_parameters_and_scores_held_out_reviews() {
    let log = simulated_log(300, 300);
    let cv = cross_validate(&log, DayBoundary::default(), FitOptions::default(), 0.9, 5).unwrap();
    assert_eq!(cv.parameters.len(), 21);
    assert!(Scheduler::new(Some(&cv.parameters), 0.9).is_ok());
    // Only the five test segments are scored: the first sixth is training-only.
    let all = evaluate(
        &log,
        &Scheduler::new(None, 0.9).unwrap(),
        DayBoundary::default(),
    )
    .unwrap();
    let expected = all.reviews - all.reviews / 6;
    assert!(
        cv.metrics.reviews.abs_diff(expected) <= 5,
        "{} vs {expected}",
        cv.metrics.reviews
    );
    assert!(
        cv.metrics.log_loss < cv.metrics.baseline_log_loss,
        "{:?}",
        cv.metrics
    );
}

#[test]
fn too_little_data_is_an_error_not_a_panic() {
    let one = [entry(1, Rating::Good, at(0, 9))];
    assert!(cross_validate(&one, DayBoundary::default(), FitOptions::default(), 0.9, 5).is_err());
    assert!(optimize(&[], DayBoundary::default(), FitOptions::default()).is_err());
    let s = Scheduler::new(None, 0.9).unwrap();
    assert!(evaluate(&one, &s, DayBoundary::default()).is_err());
}

#[test]
fn held_out_figures_match_fsrs_rs_own_time_series_evaluation() {
    // Same items, same folds, same optimiser: our replay through `Scheduler` and our
    // log loss / RMSE(bins) must agree with fsrs-rs's reference implementation.
    let log = simulated_log(300, 300);
    let days = DayBoundary::default();
    let ours = cross_validate(&log, days, FitOptions::default(), 0.9, 5).unwrap();
    let items = replay::Log::build(&log, days).fsrs_items(|_| true);
    let theirs = fsrs::evaluate_with_time_series_splits(
        fsrs::ComputeParametersInput {
            train_set: items,
            ..Default::default()
        },
        |_| true,
    )
    .unwrap();
    assert!(
        (ours.metrics.log_loss - f64::from(theirs.log_loss)).abs() < 1e-4,
        "{ours:?} {theirs:?}"
    );
    assert!(
        (ours.metrics.rmse_bins - f64::from(theirs.rmse_bins)).abs() < 1e-4,
        "{ours:?} {theirs:?}"
    );
}

/// FSRS defaults with the first-review stabilities cut to a quarter and stability growing
/// far less after a recall: a cohort that forgets much faster than the defaults assume.
fn fast_forgetter() -> Scheduler {
    let defaults = Scheduler::new(None, 0.85).unwrap();
    let mut w = defaults.parameters().to_vec();
    for s0 in &mut w[..4] {
        *s0 /= 4.0;
    }
    w[8] -= 1.0;
    Scheduler::new(Some(&w), 0.85).unwrap()
}

#[test]
fn the_fitting_job_keeps_the_parameters_when_reviews_are_too_few() {
    let log = simulated_log(20, 40);
    let current = Scheduler::new(None, 0.9).unwrap();
    let guards = Guards {
        min_reviews: 10_000,
        ..Guards::default()
    };
    let out = fit_track(&log, DayBoundary::default(), &current, &guards).unwrap();
    assert_eq!(out.decision, Decision::TooFewReviews);
    assert!(out.reviews > 0 && out.reviews < 10_000, "{out:?}");
    assert_eq!(out.adopted(), None);
    assert!(
        out.parameters.is_none(),
        "nothing is fitted below the minimum"
    );
    let why = out.explain();
    assert!(
        why.contains(&out.reviews.to_string()) && why.contains("10000"),
        "{why}"
    );
}

#[test]
fn the_fitting_job_adopts_a_fit_that_predicts_a_fast_forgetting_cohort_better() {
    let log = simulated_log_of(&fast_forgetter(), 300, 300);
    let current = Scheduler::new(None, 0.9).unwrap();
    let out = fit_track(&log, DayBoundary::default(), &current, &Guards::default()).unwrap();
    assert_eq!(out.decision, Decision::Adopt, "{}", out.explain());
    let (fitted, now) = (out.fitted.as_ref().unwrap(), out.current.as_ref().unwrap());
    assert!(fitted.log_loss < now.log_loss, "{fitted:?} vs {now:?}");
    // Both sets were judged on the same held-out reviews.
    assert_eq!(fitted.reviews, now.reviews);
    let adopted = out.adopted().unwrap();
    // The fit found the faster forgetting: a first "Good" is remembered for less long.
    assert!(
        adopted[2] < current.parameters()[2],
        "fitted initial stability for Good {} vs default {}",
        adopted[2],
        current.parameters()[2]
    );
}

#[test]
fn the_fitting_job_keeps_parameters_that_already_match_the_cohort() {
    // The cohort's memory follows the defaults exactly: a fit from finite data cannot
    // predict its held-out reviews better than the true model.
    let log = simulated_log(300, 300);
    let current = Scheduler::new(None, 0.85).unwrap();
    let out = fit_track(&log, DayBoundary::default(), &current, &Guards::default()).unwrap();
    assert_eq!(out.decision, Decision::NotBetter, "{}", out.explain());
    assert_eq!(out.adopted(), None);
    assert!(out.parameters.is_some(), "the fitted set is still reported");
}
