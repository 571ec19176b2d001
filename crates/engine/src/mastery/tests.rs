//! Table-driven and property tests for the mastery rules: every calculation method,
//! each promotion, a demotion, and the one-step-at-a-time guarantee.

use super::*;
use chrono::{Duration, TimeZone};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

/// An attempt `day` days after t0 at item `item` of `stage`, right or wrong.
fn att(item: &str, stage: Stage, day: f64, correct: bool) -> Attempt {
    Attempt {
        item: id(item),
        item_stage: stage,
        at: t0() + Duration::seconds((day * 86_400.0) as i64),
        score: if correct { 1.0 } else { 0.0 },
        correct,
        latency_secs: Some(8.0),
        fluency_secs: 20,
        core: false,
    }
}

fn mem(item: &str, stage: Stage, stability: f64, r: f64) -> ItemMemory {
    ItemMemory {
        item: id(item),
        item_stage: stage,
        stability_days: stability,
        retrievability: r,
    }
}

#[test]
fn every_calculation_method_reduces_scores_as_documented() {
    let s = [1.0, 0.0, 0.5, 1.0, 0.0];
    let cases: &[(Calculation, &[f64], f64)] = &[
        (Calculation::MostRecent, &s, 0.0),
        (Calculation::MostRecent, &[0.0, 1.0], 1.0),
        (Calculation::Highest, &s, 1.0),
        (Calculation::Highest, &[0.2, 0.6, 0.4], 0.6),
        (Calculation::Average, &s, 0.5),
        (Calculation::Average, &[], 0.0),
        (
            Calculation::DecayingAverage { weight: 0.5 },
            &[0.0, 1.0],
            0.5,
        ),
        (
            Calculation::DecayingAverage { weight: 0.5 },
            &[1.0, 1.0, 0.0],
            0.5,
        ),
        (
            Calculation::DecayingAverage { weight: 0.5 },
            &[0.0, 0.0, 1.0],
            0.5,
        ),
        (
            Calculation::DecayingAverage { weight: 0.8 },
            &[0.0, 1.0],
            0.8,
        ),
        (Calculation::DecayingAverage { weight: 1.0 }, &s, 0.0),
        (Calculation::NTimes { n: 3 }, &s, 2.0 / 3.0),
        (Calculation::NTimes { n: 2 }, &s, 1.0),
        (Calculation::NTimes { n: 4 }, &[0.79, 0.8, 0.9], 0.5),
    ];
    for (calc, scores, want) in cases {
        let got = reduce(*calc, scores, 0.8);
        assert!(
            (got - want).abs() < 1e-9,
            "{calc:?} on {scores:?}: got {got}, want {want}"
        );
    }
}

#[test]
fn n_times_passes_only_when_all_n_good_answers_are_there() {
    let calc = Calculation::NTimes { n: 3 };
    assert!(!calc.passes(reduce(calc, &[1.0, 1.0, 0.5], 0.8), 0.8));
    assert!(calc.passes(reduce(calc, &[1.0, 1.0, 0.5, 0.9], 0.8), 0.8));
}

fn rules_with(calc: Calculation) -> MasteryRules {
    let mut r = MasteryRules::default();
    r.to_competent.calculation = calc;
    r.to_competent.core_gap_days = 0.0;
    r
}

#[test]
fn each_method_decides_promotion_from_the_same_history() {
    // Eight recall answers: right, right, wrong, right, right, right, wrong, wrong.
    let pattern = [true, true, false, true, true, true, false, false];
    let attempts: Vec<Attempt> = pattern
        .iter()
        .enumerate()
        .map(|(i, &c)| att(&format!("r{i}"), Stage::Novice, i as f64, c))
        .collect();
    let cases = [
        (Calculation::MostRecent, false),
        (Calculation::Highest, true),
        (Calculation::Average, false), // 5/8 = 0.625
        (Calculation::DecayingAverage { weight: 0.1 }, false),
        (Calculation::NTimes { n: 5 }, true),
        (Calculation::NTimes { n: 6 }, false),
    ];
    for (calc, promoted) in cases {
        let e = evaluate(&rules_with(calc), Stage::Novice, &attempts, &[], 0);
        assert_eq!(e.stage == Stage::Competent, promoted, "{calc:?}: {e:?}");
    }
}

/// A novice with `n` right answers at novice items, one a day, one core item answered
/// twice a day apart.
fn steady_novice(n: usize) -> Vec<Attempt> {
    let mut v: Vec<Attempt> = (0..n)
        .map(|i| att(&format!("r{i}"), Stage::Novice, i as f64, true))
        .collect();
    v[0].core = true;
    v[0].item = id("core-1");
    let mut again = v[0].clone();
    again.at = t0() + Duration::days(n as i64);
    v.push(again);
    v
}

#[test]
fn novice_becomes_competent_with_spaced_core_items() {
    let rules = MasteryRules::default();
    let e = evaluate(&rules, Stage::Novice, &steady_novice(9), &[], 0);
    assert_eq!(e.stage, Stage::Competent);
    assert_eq!(
        e.change,
        Some(StageChange {
            from: Stage::Novice,
            to: Stage::Competent,
            direction: Direction::Up
        })
    );
    let sentence = e.evidence.sentence("Joins");
    assert!(
        sentence.starts_with(
            "competent in Joins: 10 of your last 10 recall answers right, spaced over 10 days."
        ),
        "{sentence}"
    );
    assert!(
        sentence.contains("To reach experienced: 5 more application answers"),
        "{sentence}"
    );
}

#[test]
fn a_core_item_answered_right_only_on_the_same_day_blocks_promotion() {
    let mut attempts = steady_novice(9);
    // The repeat of the core item comes an hour after the first answer.
    let last = attempts.len() - 1;
    attempts[last].at = attempts[0].at + Duration::hours(1);
    attempts.sort_by_key(|a| a.at);
    let e = evaluate(&MasteryRules::default(), Stage::Novice, &attempts, &[], 0);
    assert_eq!(e.stage, Stage::Novice);
    let p = e.evidence.progress.unwrap();
    assert!(p.missing.contains(&Missing::CoreSpacing {
        items: 1,
        gap_days: 1.0
    }));
}

#[test]
fn too_few_answers_or_too_many_wrong_keep_the_novice_where_they_are() {
    let rules = MasteryRules::default();
    let few = steady_novice(3); // 4 attempts, 5 needed
    let e = evaluate(&rules, Stage::Novice, &few, &[], 0);
    assert_eq!(e.stage, Stage::Novice);
    assert!(e
        .evidence
        .sentence("SQL")
        .contains("To reach competent: 1 more recall answer"));

    let mut wrong = steady_novice(9);
    for a in wrong.iter_mut().skip(1).take(4) {
        a.correct = false;
        a.score = 0.0;
    }
    let e = evaluate(&rules, Stage::Novice, &wrong, &[], 0);
    assert_eq!(e.stage, Stage::Novice);
    assert!(
        e.evidence
            .sentence("SQL")
            .contains("score 60% of 80% needed"),
        "{}",
        e.evidence.sentence("SQL")
    );
}

fn application_attempts(latency: f64) -> Vec<Attempt> {
    (0..10)
        .map(|i| {
            let mut a = att(&format!("a{i}"), Stage::Competent, i as f64 * 3.0, true);
            a.latency_secs = Some(latency);
            a
        })
        .collect()
}

fn stable_memories(stage: Stage, days: f64) -> Vec<ItemMemory> {
    (0..5)
        .map(|i| mem(&format!("{stage}{i}"), stage, days, 0.95))
        .collect()
}

#[test]
fn competent_needs_stability_and_fluency_for_experienced() {
    let rules = MasteryRules::default();
    let e = evaluate(
        &rules,
        Stage::Competent,
        &application_attempts(10.0),
        &stable_memories(Stage::Competent, 12.0),
        0,
    );
    assert_eq!(e.stage, Stage::Competent);
    assert!(e
        .evidence
        .sentence("Joins")
        .contains("median stability 12 of 21 days"));

    let slow = evaluate(
        &rules,
        Stage::Competent,
        &application_attempts(45.0),
        &stable_memories(Stage::Competent, 30.0),
        0,
    );
    assert_eq!(slow.stage, Stage::Competent);
    assert!(
        slow.evidence.sentence("Joins").contains("quicker answers"),
        "{}",
        slow.evidence.sentence("Joins")
    );

    let ok = evaluate(
        &rules,
        Stage::Competent,
        &application_attempts(10.0),
        &stable_memories(Stage::Competent, 30.0),
        0,
    );
    assert_eq!(ok.stage, Stage::Experienced);
}

#[test]
fn experienced_needs_contributions_for_master() {
    let rules = MasteryRules::default();
    let scenarios: Vec<Attempt> = (0..10)
        .map(|i| att(&format!("s{i}"), Stage::Experienced, i as f64 * 7.0, true))
        .collect();
    let mems = stable_memories(Stage::Experienced, 90.0);
    let e = evaluate(&rules, Stage::Experienced, &scenarios, &mems, 1);
    assert_eq!(e.stage, Stage::Experienced);
    assert!(e
        .evidence
        .sentence("Joins")
        .contains("1 more accepted contribution"));
    let e = evaluate(&rules, Stage::Experienced, &scenarios, &mems, 2);
    assert_eq!(e.stage, Stage::Master);
    assert!(e.evidence.progress.is_none());
    // A master's evidence is the scenario record that earned it.
    assert!(e
        .evidence
        .sentence("Joins")
        .starts_with("master in Joins: 10 of your last 10 scenario answers right"));
}

#[test]
fn decayed_retention_demotes_one_stage_and_says_why() {
    let rules = MasteryRules::default();
    let mems = vec![
        mem("r1", Stage::Novice, 3.0, 0.6),
        mem("r2", Stage::Novice, 3.0, 0.5),
        mem("a1", Stage::Competent, 5.0, 0.7),
        mem("s1", Stage::Experienced, 5.0, 0.99), // above the stage: not counted
    ];
    let e = evaluate(
        &rules,
        Stage::Competent,
        &application_attempts(5.0),
        &mems,
        0,
    );
    assert_eq!(e.stage, Stage::Novice);
    assert_eq!(e.change.unwrap().direction, Direction::Down);
    let s = e.evidence.sentence("Joins");
    assert!(s.starts_with("novice in Joins: down from competent because your predicted recall of the 3 questions you had learned fell to 60%, under 70%."), "{s}");
}

#[test]
fn a_novice_cannot_be_demoted() {
    let mems = vec![mem("r1", Stage::Novice, 1.0, 0.1)];
    let e = evaluate(&MasteryRules::default(), Stage::Novice, &[], &mems, 0);
    assert_eq!((e.stage, e.change), (Stage::Novice, None));
    assert_eq!(
        e.evidence.sentence("Joins"),
        "novice in Joins: no recall answers yet. To reach competent: 5 more recall answers; score 0% of 80% needed."
    );
}

fn arb_stage() -> impl Strategy<Value = Stage> {
    prop::sample::select(Stage::ALL.to_vec())
}

fn arb_attempt() -> impl Strategy<Value = Attempt> {
    (
        0u8..6,
        arb_stage(),
        0.0f64..60.0,
        any::<bool>(),
        prop::option::of(1.0f64..90.0),
        any::<bool>(),
    )
        .prop_map(|(item, stage, day, correct, latency, core)| {
            let mut a = att(&format!("i{item}"), stage, day, correct);
            a.latency_secs = latency;
            a.core = core;
            a
        })
}

proptest! {
    #[test]
    fn never_two_steps_at_once(
        current in arb_stage(),
        mut attempts in prop::collection::vec(arb_attempt(), 0..40),
        mems in prop::collection::vec((0u8..6, arb_stage(), 0.0f64..200.0, 0.0f64..=1.0), 0..12),
        contributions in 0u32..5,
        lenient in any::<bool>(),
    ) {
        attempts.sort_by_key(|a| a.at);
        let mems: Vec<ItemMemory> = mems
            .into_iter()
            .map(|(i, s, st, r)| mem(&format!("i{i}"), s, st, r))
            .collect();
        let mut rules = MasteryRules::default();
        if lenient {
            // Rules anyone passes: the only thing stopping a jump is the one-step limit.
            for r in [&mut rules.to_competent, &mut rules.to_experienced, &mut rules.to_master] {
                *r = PromotionRule { min_score: 0.0, min_attempts: 0, ..PromotionRule::default() };
            }
        }
        let e = evaluate(&rules, current, &attempts, &mems, contributions);
        let step = (e.stage.index() as i64 - current.index() as i64).abs();
        prop_assert!(step <= 1);
        prop_assert_eq!(e.change.is_some(), step == 1);
        if let Some(c) = e.change {
            prop_assert_eq!(c.from, current);
            prop_assert_eq!(c.to, e.stage);
        }
        prop_assert!(!e.evidence.sentence("Skill").is_empty());
    }
}
