//! The revlog rows: card ids, states before each review, the window, and that the text
//! parses back as the log `scheduler eval` reads.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ladder_engine::eval::parse_revlog;
use ladder_engine::grade::Verdict;
use ladder_engine::ItemId;

use super::*;
use crate::platform::Platform;
use crate::store::{LearnerId, PromptId, ReviewId, TenantId};

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::days(n)
}

fn review(learner: i64, item: &str, rating: Option<Rating>, at: DateTime<Utc>) -> ReviewEntry {
    let verdict = match rating {
        None => Verdict::NeedsReview,
        Some(Rating::Again) => Verdict::Wrong,
        Some(_) => Verdict::Correct,
    };
    ReviewEntry {
        id: ReviewId(at.timestamp()),
        prompt: PromptId(1),
        learner: LearnerId(learner),
        tenant: TenantId(1),
        platform: Platform::Discord,
        item: ItemId::parse(item).unwrap(),
        skill: ladder_engine::SkillId::parse("phishing").unwrap(),
        item_stage: ladder_engine::Stage::Novice,
        verdict,
        score: 1.0,
        rating,
        latency_ms: Some(4_200),
        response: "b".into(),
        answered_at: at,
    }
}

#[test]
fn a_card_is_one_learner_and_one_item_and_keeps_its_id() {
    let a = card_id(&review(7, "phish-1", Some(Rating::Good), day(0)));
    assert_eq!(
        a,
        card_id(&review(7, "phish-1", Some(Rating::Again), day(9)))
    );
    assert_ne!(
        a,
        card_id(&review(8, "phish-1", Some(Rating::Good), day(0)))
    );
    assert_ne!(
        a,
        card_id(&review(7, "phish-2", Some(Rating::Good), day(0)))
    );
    assert!(a > 0);
    // Pinned: an export made today names the same cards as one made next year.
    assert_eq!(a, 7_376_501_754_261_972_421);
}

#[test]
fn states_follow_each_cards_history_and_ungraded_answers_are_left_out() {
    use CardState::*;
    use Rating::*;
    let log = [
        review(7, "phish-1", Some(Again), day(0)),
        review(8, "phish-1", Some(Good), day(0)),
        review(7, "phish-1", Some(Again), day(1)),
        review(7, "phish-1", None, day(2)),
        review(7, "phish-1", Some(Good), day(3)),
        review(7, "phish-1", Some(Good), day(6)),
        review(7, "phish-1", Some(Again), day(20)),
        review(7, "phish-1", Some(Hard), day(21)),
        review(8, "phish-1", Some(Easy), day(21)),
    ];
    let got: Vec<(i64, Rating, CardState)> = rows(&log, None)
        .iter()
        .map(|r| (r.review_time, r.review_rating, r.review_state))
        .collect();
    let ms = |n| day(n).timestamp_millis();
    assert_eq!(
        got,
        [
            (ms(0), Again, New),
            (ms(0), Good, New),
            (ms(1), Again, Learning),
            (ms(3), Good, Learning),
            (ms(6), Good, Review),
            (ms(20), Again, Review),
            (ms(21), Hard, Relearning),
            (ms(21), Easy, Review),
        ]
    );
}

#[test]
fn a_window_keeps_the_states_its_cards_really_had() {
    let log = [
        review(7, "phish-1", Some(Rating::Good), day(0)),
        review(7, "phish-1", Some(Rating::Again), day(5)),
        review(7, "phish-1", Some(Rating::Good), day(6)),
    ];
    let got = rows(&log, Some(day(5)));
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].review_state, CardState::Review);
    assert_eq!(got[1].review_state, CardState::Relearning);
}

#[test]
fn the_text_is_the_log_scheduler_eval_reads() {
    let mut log = vec![
        review(7, "phish-1", Some(Rating::Good), day(0)),
        review(7, "phish-1", Some(Rating::Hard), day(4)),
    ];
    log[1].latency_ms = None;
    let rows = rows(&log, None);
    let mut out = Vec::new();
    write(&mut out, &rows).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("card_id,review_time,review_rating,review_state,review_duration\n"));
    let back = parse_revlog(&text).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].card_id, rows[0].card_id);
    assert_eq!(back[0].time, day(0));
    assert_eq!(back[0].rating, Rating::Good);
    assert_eq!(back[0].duration_ms, 4_200);
    assert_eq!(back[1].rating, Rating::Hard);
    assert_eq!(back[1].duration_ms, 0, "an unmeasured duration is empty");
    assert_eq!(entries(&rows), back, "the store's log is the exported one");
}
