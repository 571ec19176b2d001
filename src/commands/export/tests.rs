//! The shapes an LMS or a spreadsheet will read.

use super::*;
use crate::platform::Platform;
use crate::store::{LearnerId, PromptId, ReviewId, TenantId};
use chrono::TimeZone;
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::Rating;
use ladder_engine::{ItemId, SkillId, Stage};

fn review(id: i64, verdict: Verdict, latency_ms: Option<i64>, response: &str) -> ReviewEntry {
    ReviewEntry {
        id: ReviewId(id),
        prompt: PromptId(10 + id),
        learner: LearnerId(7),
        tenant: TenantId(1),
        platform: Platform::Discord,
        item: ItemId::parse("phish-1").unwrap(),
        skill: SkillId::parse("phishing").unwrap(),
        item_stage: Stage::Novice,
        verdict,
        score: if verdict == Verdict::Correct {
            1.0
        } else {
            0.0
        },
        rating: (verdict != Verdict::NeedsReview).then_some(Rating::Good),
        latency_ms,
        response: response.into(),
        answered_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 15, 30).unwrap(),
    }
}

#[test]
fn xapi_statement_has_the_answered_shape() {
    let mut out = Vec::new();
    let reviews = [review(1, Verdict::Correct, Some(12_500), "b")];
    write_xapi(&mut out, &reviews, "https://lms.example/items/").unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 1);
    let s: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(s["actor"]["objectType"], "Agent");
    assert_eq!(s["actor"]["account"]["homePage"], "https://discord.com");
    assert_eq!(s["actor"]["account"]["name"], "7");
    assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/answered");
    assert_eq!(s["object"]["id"], "https://lms.example/items/phish-1");
    assert_eq!(s["result"]["success"], true);
    assert_eq!(s["result"]["score"]["scaled"], 1.0);
    assert_eq!(s["result"]["duration"], "PT12.5S");
    assert_eq!(s["result"]["response"], "b");
    assert_eq!(s["timestamp"], "2026-03-02T09:15:30.000Z");
    let id = s["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "8", "a version-8 UUID");
}

#[test]
fn statement_ids_are_stable_and_distinct() {
    let a = xapi::statement(&review(1, Verdict::Correct, None, "b"), "x/");
    let again = xapi::statement(&review(1, Verdict::Wrong, None, "c"), "x/");
    let b = xapi::statement(&review(2, Verdict::Correct, None, "b"), "x/");
    assert_eq!(a.id, again.id, "re-exporting yields the same statement id");
    assert_ne!(a.id, b.id);
}

#[test]
fn ungraded_free_text_has_no_success_or_score() {
    let s = serde_json::to_value(xapi::statement(
        &review(3, Verdict::NeedsReview, None, "I would call IT"),
        "x/",
    ))
    .unwrap();
    assert!(s["result"].get("success").is_none());
    assert!(s["result"].get("score").is_none());
    assert!(s["result"].get("duration").is_none());
    let wrong = serde_json::to_value(xapi::statement(
        &review(4, Verdict::Wrong, Some(800), "a"),
        "x/",
    ))
    .unwrap();
    assert_eq!(wrong["result"]["success"], false);
    assert_eq!(wrong["result"]["duration"], "PT0.8S");
}

#[test]
fn durations_are_iso_8601_seconds() {
    assert_eq!(xapi::iso_duration(12_500), "PT12.5S");
    assert_eq!(xapi::iso_duration(3_000), "PT3S");
    assert_eq!(xapi::iso_duration(61_005), "PT61.005S");
    assert_eq!(xapi::iso_duration(0), "PT0S");
}

#[test]
fn csv_quotes_what_learners_typed() {
    let mut out = Vec::new();
    let reviews = [
        review(1, Verdict::Correct, Some(4_200), "b"),
        review(2, Verdict::NeedsReview, None, "say \"no\", then report"),
    ];
    write_csv(&mut out, &reviews).unwrap();
    let mut rows = csv::Reader::from_reader(out.as_slice());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        CSV_HEADER
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][9], "correct");
    assert_eq!(&rows[0][11], "3", "Good is rating 3");
    assert_eq!(&rows[0][12], "4200");
    assert_eq!(&rows[1][11], "", "ungraded answers have no rating");
    assert_eq!(&rows[1][13], "say \"no\", then report");
}

#[test]
fn until_a_date_includes_that_day() {
    let since = parse_since("2026-03-01").unwrap();
    let until = parse_until("2026-03-01").unwrap();
    assert_eq!(until - since, Duration::days(1));
    assert_eq!(
        parse_until("2026-03-01T12:00:00Z").unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    );
    assert!(parse_since("March 1st").is_err());
}
