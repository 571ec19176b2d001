//! Leaderboard scoring: cramming loses to steady practice, ties are fair, views and
//! opt-outs behave, and teams count everyone.

use super::*;
use crate::schedule::{Memory, Rating, Scheduler};
use chrono::TimeZone;

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
}

fn learner(id: &str) -> LearnerActivity {
    LearnerActivity {
        id: id.to_owned(),
        name: format!("Learner {id}"),
        opted_out: false,
        reviews: vec![],
        stage_events: vec![],
        retention: RetentionSnapshot::default(),
    }
}

/// Runs real FSRS reviews (all answered Good) at the given times for each of `items`
/// items, and returns the learner's activity with retention measured at `end`.
fn practise(
    id: &str,
    items: usize,
    times: &[DateTime<Utc>],
    end: DateTime<Utc>,
) -> LearnerActivity {
    let scheduler = Scheduler::new(None, 0.9).unwrap();
    let mut l = learner(id);
    let mut memories: Vec<Memory> = vec![];
    for _ in 0..items {
        let mut memory: Option<Memory> = None;
        for &at in times {
            let review = scheduler.review(memory.as_ref(), Rating::Good, at);
            l.reviews.push(ReviewGain {
                at,
                day: at.date_naive(),
                stability_before_days: memory.as_ref().map(|m| m.stability),
                stability_after_days: review.memory.stability,
            });
            memory = Some(review.memory);
        }
        memories.extend(memory);
    }
    l.retention = RetentionSnapshot {
        held: memories
            .iter()
            .filter(|m| scheduler.retrievability(m, end) >= 0.9)
            .count() as u32,
        introduced: memories.len() as u32,
    };
    l
}

#[test]
fn a_crammer_scores_below_a_steady_learner() {
    let end = monday() + Duration::days(7);
    // Ten items, each answered six times on Monday morning, twenty minutes apart.
    let cram_times: Vec<_> = (0..6)
        .map(|i| monday() + Duration::minutes(20 * i))
        .collect();
    let crammer = practise("crammer", 10, &cram_times, end);
    // The same ten items answered on Monday, Wednesday and Friday.
    let steady_times: Vec<_> = [0, 2, 4]
        .iter()
        .map(|&d| monday() + Duration::days(d))
        .collect();
    let steady = practise("steady", 10, &steady_times, end);
    assert!(crammer.reviews.len() > steady.reviews.len());

    let week = Period::week(monday());
    let rules = ScoreRules::default();
    let (c, s) = (
        score(&crammer, &week, &rules),
        score(&steady, &week, &rules),
    );
    assert!(s.total > c.total, "steady {s:?} vs crammer {c:?}");
    assert!(c.stability <= rules.daily_stability_cap + 1e-9);
    assert!(steady.retention.held > crammer.retention.held);

    let board = leaderboard(&[crammer, steady], &week, &rules, OptOutPolicy::Hide);
    assert_eq!(board[0].id.as_deref(), Some("steady"));
}

fn gain(at: DateTime<Utc>, before: f64, after: f64) -> ReviewGain {
    ReviewGain {
        at,
        day: at.date_naive(),
        stability_before_days: Some(before),
        stability_after_days: after,
    }
}

#[test]
fn stability_points_are_log_scaled_capped_per_day_and_skip_first_reviews() {
    let rules = ScoreRules::default();
    let week = Period::week(monday());
    let mut l = learner("a");
    // e-1 → e²-1 is exactly one e-fold of (1 + stability).
    let e = std::f64::consts::E;
    l.reviews.push(gain(monday(), e - 1.0, e * e - 1.0));
    l.reviews.push(ReviewGain {
        stability_before_days: None,
        ..gain(monday(), 0.0, 50.0)
    });
    assert!((score(&l, &week, &rules).stability - 2.0).abs() < 1e-9);
    // A lapse loses nothing here (retention pays for it), and a huge day is capped.
    l.reviews.push(gain(monday(), 30.0, 2.0));
    for _ in 0..20 {
        l.reviews
            .push(gain(monday() + Duration::days(1), 5.0, 40.0));
    }
    let s = score(&l, &week, &rules);
    assert!(
        (s.stability - (2.0 + rules.daily_stability_cap)).abs() < 1e-9,
        "{s:?}"
    );
}

#[test]
fn stage_ups_earn_and_demotions_cost() {
    let rules = ScoreRules::default();
    let week = Period::week(monday());
    let mut l = learner("a");
    let ev = |d, from, to| StageEvent {
        at: monday() + Duration::days(d),
        from,
        to,
    };
    l.stage_events = vec![
        ev(1, Stage::Novice, Stage::Competent),
        ev(3, Stage::Competent, Stage::Experienced),
        ev(5, Stage::Experienced, Stage::Competent),
    ];
    let s = score(&l, &week, &rules);
    assert_eq!(s.stages, 10.0 + 20.0 - 20.0);
    assert_eq!(s.reached_at, Some(monday() + Duration::days(3)));
}

#[test]
fn the_weekly_view_counts_only_the_week_and_all_time_counts_everything() {
    let rules = ScoreRules::default();
    let mut l = learner("a");
    l.stage_events.push(StageEvent {
        at: monday() - Duration::days(3),
        from: Stage::Novice,
        to: Stage::Competent,
    });
    l.stage_events.push(StageEvent {
        at: monday() + Duration::days(1),
        from: Stage::Competent,
        to: Stage::Experienced,
    });
    let end = monday() + Duration::days(7);
    assert_eq!(score(&l, &Period::week(monday()), &rules).stages, 20.0);
    assert_eq!(score(&l, &Period::all_time(end), &rules).stages, 30.0);
    assert_eq!(score(&l, &Period::week(end), &rules).stages, 0.0);
}

#[test]
fn ties_go_to_retention_then_to_who_got_there_first_never_to_volume() {
    let rules = ScoreRules::default();
    let week = Period::week(monday());
    let up = |d| StageEvent {
        at: monday() + Duration::days(d),
        from: Stage::Novice,
        to: Stage::Competent,
    };
    // Same points (10 for the stage-up + 4 held); b holds 4 of 5, a 4 of 8.
    let mut a = learner("a");
    a.stage_events.push(up(1));
    a.retention = RetentionSnapshot {
        held: 4,
        introduced: 8,
    };
    let mut b = learner("b");
    b.stage_events.push(up(2));
    b.retention = RetentionSnapshot {
        held: 4,
        introduced: 5,
    };
    let board = leaderboard(&[a.clone(), b.clone()], &week, &rules, OptOutPolicy::Hide);
    assert_eq!(board[0].id.as_deref(), Some("b"));

    // Same retention: the earlier stage-up wins, whatever the review counts.
    b.retention = a.retention;
    b.reviews = (0..200)
        .map(|i| gain(monday() + Duration::minutes(i), 3.0, 3.0))
        .collect();
    let board = leaderboard(&[b.clone(), a.clone()], &week, &rules, OptOutPolicy::Hide);
    assert_eq!(board[0].id.as_deref(), Some("a"));
    assert_eq!((board[0].rank, board[1].rank), (1, 2));

    // Fully tied: the order depends on the ids only, not on input order or volume.
    b.stage_events = a.stage_events.clone();
    let one = leaderboard(&[a.clone(), b.clone()], &week, &rules, OptOutPolicy::Hide);
    b.reviews.clear();
    let two = leaderboard(&[b, a], &week, &rules, OptOutPolicy::Hide);
    assert_eq!(one[0].id, two[0].id);
    assert_eq!(id_hash("a"), id_hash("a"));
    assert_ne!(id_hash("a"), id_hash("b"));
}

#[test]
fn opted_out_learners_are_hidden_or_anonymised() {
    let rules = ScoreRules::default();
    let week = Period::week(monday());
    let mut shy = learner("shy");
    shy.opted_out = true;
    shy.retention = RetentionSnapshot {
        held: 9,
        introduced: 9,
    };
    let open = learner("open");
    let hidden = leaderboard(
        &[shy.clone(), open.clone()],
        &week,
        &rules,
        OptOutPolicy::Hide,
    );
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0].id.as_deref(), Some("open"));
    let anon = leaderboard(&[shy, open], &week, &rules, OptOutPolicy::Anonymise);
    assert_eq!(anon[0].id, None);
    assert_eq!(anon[0].name, "Anonymous learner");
    assert!(!anon.iter().any(|e| e.name.contains("shy")));
}

#[test]
fn team_score_is_the_mean_over_every_member_including_non_starters() {
    let rules = ScoreRules::default();
    let week = Period::week(monday());
    let mut a = learner("a");
    a.retention = RetentionSnapshot {
        held: 6,
        introduced: 6,
    };
    let team = team_score(&[a.clone(), learner("b"), learner("c")], &week, &rules);
    assert_eq!((team.members, team.started), (3, 1));
    assert!((team.mean - 2.0).abs() < 1e-9);
    assert_eq!(team_score(&[], &week, &rules).mean, 0.0);
}
