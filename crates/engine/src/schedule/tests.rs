//! Scheduling behaviour: the rating table, interval growth, leeches and the daily pick.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::{AnswerKey, Item, ItemId, SkillId, Stage};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 6, 9, 0, 0).unwrap()
}

fn sched() -> Scheduler {
    Scheduler::new(None, 0.9).unwrap()
}

fn days(d: Duration) -> f64 {
    d.num_seconds() as f64 / 86_400.0
}

#[test]
fn verdicts_and_latency_map_to_ratings() {
    use Verdict::*;
    let cases = [
        (Wrong, Some(3.0), 20, Some(Rating::Again)),
        (Wrong, None, 20, Some(Rating::Again)),
        (Partial, Some(3.0), 20, Some(Rating::Hard)),
        (Correct, Some(25.0), 20, Some(Rating::Hard)),
        (Correct, Some(20.0), 20, Some(Rating::Good)),
        (Correct, Some(10.0), 20, Some(Rating::Good)),
        (Correct, Some(9.9), 20, Some(Rating::Easy)),
        (Correct, None, 20, Some(Rating::Good)),
        (Correct, Some(f64::NAN), 20, Some(Rating::Good)),
        (Correct, Some(-1.0), 20, Some(Rating::Good)),
        (Correct, Some(5.0), 0, Some(Rating::Good)),
        (NeedsReview, Some(5.0), 20, None),
    ];
    for (verdict, latency, fluency, want) in cases {
        assert_eq!(
            rating_for(verdict, latency, fluency),
            want,
            "{verdict:?} {latency:?} {fluency}"
        );
    }
}

#[test]
fn ratings_number_like_fsrs() {
    for (n, r) in (1..=4).zip(Rating::ALL) {
        assert_eq!(r.as_u8(), n);
        assert_eq!(Rating::from_u8(n), Some(r));
    }
    assert_eq!(Rating::from_u8(0), None);
    assert_eq!(Rating::from_u8(5), None);
}

#[test]
fn intervals_grow_with_each_good_review() {
    let s = sched();
    let mut now = t0();
    let mut memory: Option<Memory> = None;
    let mut last_gap = Duration::zero();
    for _ in 0..6 {
        let m = s.review(memory.as_ref(), Rating::Good, now).memory;
        let gap = m.due - now;
        assert!(gap > last_gap, "{gap:?} after {last_gap:?}");
        assert_eq!(gap.num_seconds() % 86_400, 0, "whole days for Good");
        last_gap = gap;
        now = m.due;
        memory = Some(m);
    }
    // After six on-time Goods the item is weeks away, not days.
    assert!(days(last_gap) > 30.0, "{last_gap:?}");
    assert_eq!(memory.unwrap().reps, 6);
}

#[test]
fn again_brings_an_item_back_within_a_day_and_counts_a_lapse() {
    let s = sched();
    let mut now = t0();
    let mut m = s.review(None, Rating::Good, now).memory;
    for _ in 0..3 {
        now = m.due;
        m = s.review(Some(&m), Rating::Good, now).memory;
    }
    let stable = m.stability;
    now = m.due;
    let lapsed = s.review(Some(&m), Rating::Again, now).memory;
    assert!(lapsed.due > now && lapsed.due <= now + Duration::days(1));
    assert!(lapsed.stability < stable);
    assert_eq!(lapsed.lapses, 1);
    // Easy pushes further than Good, which pushes further than Hard.
    let gap = |r| s.review(Some(&m), r, now).memory.due - now;
    assert!(gap(Rating::Hard) <= gap(Rating::Good) && gap(Rating::Good) < gap(Rating::Easy));
}

#[test]
fn a_failed_new_item_is_not_a_lapse() {
    let m = sched().review(None, Rating::Again, t0()).memory;
    assert_eq!((m.lapses, m.reps), (0, 1));
}

#[test]
fn four_lapses_make_a_leech_once() {
    let s = sched();
    let mut now = t0();
    let mut m = s.review(None, Rating::Good, now).memory;
    let mut leech_reviews = Vec::new();
    for i in 1..=6 {
        now += Duration::days(2);
        let r = s.review(Some(&m), Rating::Again, now);
        if r.became_leech {
            leech_reviews.push(i);
        }
        m = r.memory;
        assert_eq!(m.suspended, i >= LEECH_LAPSES, "after {i} lapses");
    }
    assert_eq!(leech_reviews, vec![LEECH_LAPSES]);
}

#[test]
fn a_higher_retention_target_asks_sooner() {
    let low = Scheduler::new(None, 0.8).unwrap();
    let high = Scheduler::new(None, 0.97).unwrap();
    let first = low.review(None, Rating::Good, t0()).memory;
    let now = first.due;
    let gap = |s: &Scheduler| s.review(Some(&first), Rating::Good, now).memory.due - now;
    assert!(
        gap(&high) < gap(&low),
        "{:?} vs {:?}",
        gap(&high),
        gap(&low)
    );
}

#[test]
fn retention_and_parameters_are_validated() {
    assert_eq!(
        Scheduler::new(None, 1.2).unwrap_err(),
        ScheduleError::Retention(1.2)
    );
    assert!(Scheduler::new(None, 0.5).is_err());
    assert!(Scheduler::new(Some(&[1.0, 2.0]), 0.9).is_err());
    assert!(Scheduler::new(Some(&[]), 0.9).is_ok());
    let defaults = sched().parameters().to_vec();
    assert_eq!(defaults.len(), 21);
    assert!(Scheduler::new(Some(&defaults), 0.9).is_ok());
}

#[test]
fn retrievability_falls_with_time_and_is_about_the_target_when_due() {
    let s = sched();
    let m = s.review(None, Rating::Good, t0()).memory;
    let fresh = s.retrievability(&m, t0());
    let later = s.retrievability(&m, t0() + Duration::days(30));
    assert!((fresh - 1.0).abs() < 1e-6 && later < 0.8, "{fresh} {later}");
    let at_due = s.retrievability(&m, m.due);
    assert!((at_due - 0.9).abs() < 0.05, "{at_due}");
}

fn item(id: &str, stage: Stage) -> Item {
    Item {
        id: ItemId::parse(id).unwrap(),
        skill: SkillId::parse("s").unwrap(),
        stage,
        prompt: String::new(),
        key: AnswerKey::TrueFalse { answer: true },
        explanation: String::new(),
        hints: vec![],
        variants: vec![],
        fluency_secs: 10,
        tags: vec![],
        core: false,
    }
}

fn ids(v: &[ItemId]) -> Vec<&str> {
    v.iter().map(ItemId::as_str).collect()
}

/// A memory last reviewed `ago` days before t0 with the given stability, due by t0.
fn memory(ago: i64, stability: f64) -> Memory {
    Memory {
        stability,
        difficulty: 5.0,
        last_review: t0() - Duration::days(ago),
        due: t0() - Duration::hours(1),
        reps: 3,
        lapses: 0,
        suspended: false,
    }
}

#[test]
fn daily_pick_puts_most_at_risk_reviews_first_then_new_items_by_stage() {
    let items = [
        item("new-competent", Stage::Competent),
        item("review-safe", Stage::Novice),
        item("new-novice-locked", Stage::Novice),
        item("review-risky", Stage::Novice),
        item("new-novice", Stage::Novice),
        item("review-not-due", Stage::Novice),
        item("review-suspended", Stage::Novice),
    ];
    let safe = memory(3, 30.0);
    let risky = memory(20, 2.0);
    let not_due = Memory {
        due: t0() + Duration::days(3),
        ..memory(1, 10.0)
    };
    let suspended = Memory {
        suspended: true,
        ..memory(40, 1.0)
    };
    let mems = [
        None,
        Some(&safe),
        None,
        Some(&risky),
        None,
        Some(&not_due),
        Some(&suspended),
    ];
    let cands: Vec<Candidate> = items
        .iter()
        .zip(mems)
        .map(|(item, memory)| Candidate {
            item,
            memory,
            unlocked: item.id.as_str() != "new-novice-locked",
        })
        .collect();
    let caps = Caps {
        new_per_day: 5,
        reviews_per_day: 5,
    };
    let picked = pick_daily(&sched(), &cands, caps, (0, 0), t0());
    assert_eq!(
        ids(&picked),
        ["review-risky", "review-safe", "new-novice", "new-competent"]
    );
    // Caps count what was already done today.
    let picked = pick_daily(&sched(), &cands, caps, (4, 4), t0());
    assert_eq!(ids(&picked), ["review-risky", "new-novice"]);
    let none = Caps {
        new_per_day: 0,
        reviews_per_day: 0,
    };
    assert!(pick_daily(&sched(), &cands, none, (0, 0), t0()).is_empty());
}

#[test]
fn coming_back_from_a_pause_spreads_the_backlog_over_days() {
    let s = sched();
    // 30 items learnt at different strengths, then a four-week holiday.
    let items: Vec<Item> = (0..30)
        .map(|i| item(&format!("i{i}"), Stage::Novice))
        .collect();
    let mut mems: Vec<Memory> = (0..30).map(|i| memory(28, 1.0 + f64::from(i))).collect();
    let caps = Caps {
        new_per_day: 3,
        reviews_per_day: 8,
    };
    let mut now = t0();
    let mut first_day = true;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..4 {
        let cands: Vec<Candidate> = items
            .iter()
            .zip(&mems)
            .map(|(item, m)| Candidate {
                item,
                memory: Some(m),
                unlocked: true,
            })
            .collect();
        let picked = pick_daily(&s, &cands, caps, (0, 0), now);
        assert!(picked.len() <= 8, "flooded with {}", picked.len());
        if first_day {
            // The weakest memories (lowest stability) come back first.
            assert_eq!(ids(&picked[..3]), ["i0", "i1", "i2"]);
            first_day = false;
        }
        for id in &picked {
            let i: usize = id.as_str()[1..].parse().unwrap();
            mems[i] = s.review(Some(&mems[i]), Rating::Good, now).memory;
            seen.insert(i);
        }
        now += Duration::days(1);
    }
    // Four capped days clear the whole backlog: nothing was starved.
    assert_eq!(seen.len(), 30);
}

proptest! {
    #[test]
    fn the_next_due_time_is_always_after_now(
        ratings in proptest::collection::vec(0u8..4, 1..25),
        gaps in proptest::collection::vec(0i64..400 * 24, 25),
        retention in 0.7f64..0.99,
    ) {
        let s = Scheduler::new(None, retention).unwrap();
        let mut now = t0();
        let mut memory: Option<Memory> = None;
        for (r, gap) in ratings.iter().zip(&gaps) {
            let rating = Rating::ALL[usize::from(*r)];
            let m = s.review(memory.as_ref(), rating, now).memory;
            prop_assert!(m.due > now);
            prop_assert!(m.stability.is_finite() && m.stability > 0.0);
            prop_assert!((1.0..=10.0).contains(&m.difficulty));
            let r = s.retrievability(&m, now + Duration::hours(*gap));
            prop_assert!((0.0..=1.0).contains(&r));
            now += Duration::hours(*gap);
            memory = Some(m);
        }
    }
}

#[test]
fn a_daily_prompt_answered_a_little_earlier_still_counts_as_a_day_later() {
    let cases = [
        (Duration::minutes(10), 0),
        (Duration::hours(11), 0),
        (Duration::hours(23) + Duration::minutes(50), 1),
        (Duration::hours(36) - Duration::minutes(1), 1),
        (Duration::days(30), 30),
        (-Duration::hours(5), 0),
    ];
    for (gap, want) in cases {
        assert_eq!(elapsed_days(t0(), t0() + gap), want, "{gap:?}");
    }
    // And it reaches fsrs as a long-term review: stability grows instead of the
    // short-term same-day update.
    let s = sched();
    let first = s.review(None, Rating::Good, t0()).memory;
    let next = s
        .review(Some(&first), Rating::Good, t0() + Duration::hours(23))
        .memory;
    let same_day = s
        .review(Some(&first), Rating::Good, t0() + Duration::hours(1))
        .memory;
    assert!(next.stability > same_day.stability);
}
