//! The simulator's parts: the baseline schedulers follow their published rules, the
//! memory model rewards spacing over cramming, and a run is reproducible from its seed.

use super::memory::Trace;
use super::plan::{Plan, SchedulerKind};
use super::*;
use ladder_engine::eval::{Decision, Guards};
use ladder_engine::schedule::Rating;

#[test]
fn sm2_follows_the_published_intervals() {
    let mut plan = Plan::new(SchedulerKind::Sm2);
    // Good, Good, Good: 1, 6, then 6 × ease (2.5 stays 2.5 for quality 4).
    assert_eq!(plan.answer(Rating::Good), Some(1));
    assert_eq!(plan.answer(Rating::Good), Some(6));
    assert_eq!(plan.answer(Rating::Good), Some(15));
    // A lapse starts over at one day and lowers the ease.
    assert_eq!(plan.answer(Rating::Again), Some(1));
    assert_eq!(plan.answer(Rating::Good), Some(1));
    assert_eq!(plan.answer(Rating::Good), Some(6));
    match plan {
        Plan::Sm2 { ease, .. } => assert!((ease - 2.18).abs() < 1e-9, "{ease}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn leitner_moves_one_box_up_when_right_and_back_to_the_first_when_wrong() {
    let mut plan = Plan::new(SchedulerKind::Leitner);
    let got: Vec<_> = [
        Rating::Good,
        Rating::Hard,
        Rating::Easy,
        Rating::Good,
        Rating::Good,
        Rating::Again,
    ]
    .into_iter()
    .map(|r| plan.answer(r))
    .collect();
    assert_eq!(
        got,
        [Some(2), Some(4), Some(8), Some(16), Some(16), Some(1)]
    );
}

#[test]
fn fixed_plan_retires_an_item_after_two_right_in_a_row() {
    let mut plan = Plan::new(SchedulerKind::Fixed);
    assert_eq!(plan.answer(Rating::Again), Some(7));
    assert_eq!(plan.answer(Rating::Good), Some(21));
    assert_eq!(plan.answer(Rating::Again), Some(7));
    assert_eq!(plan.answer(Rating::Good), Some(21));
    assert_eq!(plan.answer(Rating::Hard), None);
}

#[test]
fn spaced_retrieval_builds_memory_that_cramming_does_not() {
    let t0 = start();
    let at = |days: f64| t0 + Duration::minutes((days * 1440.0) as i64);
    let first = Trace::first(t0, 1.0, 1.0, false);
    // Five repeats within the first hour, versus three spread over a week.
    let mut crammed = first;
    for k in 1..=5 {
        let now = at(k as f64 / 100.0);
        crammed = crammed.after(true, crammed.recall(now), now, 1.0, 1.0);
    }
    let mut spaced = first;
    for day in [1.0, 3.0, 7.0] {
        let now = at(day);
        spaced = spaced.after(true, spaced.recall(now), now, 1.0, 1.0);
    }
    let month = at(30.0);
    assert!(spaced.recall(month) > crammed.recall(month) + 0.2);
    // Forgetting is monotonic and a failure shortens the half-life.
    assert!(first.recall(at(1.0)) > first.recall(at(2.0)));
    let failed = spaced.after(false, 0.3, at(8.0), 1.0, 1.0);
    assert!(failed.half_life_days < spaced.half_life_days);
}

fn config(scheduler: SchedulerKind, seed: u64) -> Config {
    Config {
        learners: 6,
        days: 40,
        scheduler,
        seed,
        retention: None,
        caps: Caps {
            new_per_day: 2,
            reviews_per_day: 5,
        },
        fit_every: None,
        fit_guards: Default::default(),
    }
}

#[test]
fn a_seed_reproduces_a_run_and_another_seed_changes_it() {
    let lib = library::generated();
    let run_once = |seed| {
        let mut r = run(&config(SchedulerKind::Fsrs, seed), &lib, |_, _| {}).unwrap();
        r.wall_seconds = 0.0;
        r
    };
    assert_eq!(run_once(7), run_once(7));
    assert_ne!(run_once(7), run_once(8));
}

#[test]
fn learners_practise_on_weekdays_within_their_caps_and_climb() {
    let lib = library::generated();
    let mut days_seen = 0;
    let r = run(&config(SchedulerKind::Fsrs, 3), &lib, |day, _| {
        days_seen = day
    })
    .unwrap();
    assert_eq!(days_seen, 40);
    // 40 days from a Monday hold 30 weekdays; at most 7 answers a weekday each.
    assert!(r.reviews_total <= 6 * 30 * 7, "{r:?}");
    assert!(r.reviews_total >= 6 * 30 * 2, "{r:?}");
    assert!(r.items_introduced <= 6 * 30 * 2);
    let s = r.stage_counts;
    assert_eq!(s.novice + s.competent + s.experienced + s.master, 6 * 3);
    assert!(s.competent + s.experienced + s.master > 0, "{r:?}");
    assert!(r.retention_final > 0.0 && r.retention_final < 1.0);
}

#[test]
fn fitting_the_scheduler_to_the_cohort_brings_true_retention_closer_to_the_target() {
    let lib = library::generated();
    let plain = Config {
        learners: 40,
        days: 120,
        retention: Some(0.9),
        ..config(SchedulerKind::Fsrs, 11)
    };
    let fitted = Config {
        fit_every: Some(30),
        fit_guards: Guards {
            min_reviews: 300,
            ..Guards::default()
        },
        ..plain.clone()
    };
    let without = run(&plain, &lib, |_, _| {}).unwrap();
    let with = run(&fitted, &lib, |_, _| {}).unwrap();
    assert!(without.fits.is_empty());
    // The job ran every 30 days on the one track, and adopted at least once.
    let days: Vec<u32> = with.fits.iter().map(|f| f.day).collect();
    assert_eq!(days, [30, 60, 90, 120]);
    assert!(
        with.fits.iter().any(|f| f.decision == Decision::Adopt),
        "{:?}",
        with.fits
    );
    let gap = |r: &Report| (r.retention_final - 0.9).abs();
    assert!(
        gap(&with) < gap(&without),
        "true retention with fitting {:.3}, without {:.3}",
        with.retention_final,
        without.retention_final
    );
}
