//! Table-driven and property tests of grading and answer parsing.

use super::*;
use crate::model::Tolerance;

mod parsing;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn single() -> AnswerKey {
    AnswerKey::SingleChoice {
        options: strings(&[
            "It has a logo",
            "The sender's domain is misspelled",
            "It was sent at night",
        ]),
        correct: 1,
    }
}

fn multi() -> AnswerKey {
    AnswerKey::MultiSelect {
        options: strings(&["Paris", "Lyon", "Berlin", "Marseille"]),
        correct: vec![0, 1, 3],
    }
}

fn short(accepted: &[&str], max_edits: u8) -> AnswerKey {
    AnswerKey::ShortText {
        accepted: strings(accepted),
        max_edits,
    }
}

fn numeric(value: f64, tolerance: Tolerance, unit: Option<&str>) -> AnswerKey {
    AnswerKey::Numeric {
        value,
        tolerance,
        unit: unit.map(str::to_owned),
    }
}

fn ordering() -> AnswerKey {
    AnswerKey::Ordering {
        sequence: strings(&["Lock the screen", "Report the email", "Delete it"]),
    }
}

fn text(s: &str) -> Answer {
    Answer::Text(s.to_owned())
}

#[test]
fn short_text_ignores_what_learners_do_not_mean() {
    let key = short(&["Café au lait", "latte"], 0);
    let cases = [
        ("café au lait", Verdict::Correct),
        ("CAFE AU LAIT", Verdict::Correct),
        ("  cafe   au\tlait. ", Verdict::Correct),
        ("Cafe\u{0301} au lait!", Verdict::Correct),
        ("ＬＡＴＴＥ", Verdict::Correct), // full-width compatibility forms
        ("cafe-au-lait", Verdict::Correct),
        ("cafe au lai", Verdict::Wrong), // one typo, none allowed
        ("", Verdict::Wrong),
        ("   ", Verdict::Wrong),
        ("tea", Verdict::Wrong),
        ("«latte»", Verdict::Correct),
        ("latte…", Verdict::Correct),
    ];
    for (given, want) in cases {
        assert_eq!(grade(&key, &text(given)).verdict, want, "{given:?}");
    }
}

#[test]
fn symbols_that_change_the_meaning_are_kept() {
    let cases = [
        (short(&["C++"], 0), "c++", Verdict::Correct),
        (short(&["C++"], 0), "C", Verdict::Wrong),
        (short(&["C#"], 0), "c#", Verdict::Correct),
        (short(&["100%"], 0), "100", Verdict::Wrong),
        (short(&["20 °C"], 0), "20 ℃", Verdict::Correct), // compatibility form of °C
        (short(&["20 °C"], 0), "20 °F", Verdict::Wrong),
    ];
    for (key, given, want) in cases {
        assert_eq!(grade(&key, &text(given)).verdict, want, "{given:?}");
    }
}

#[test]
fn short_text_allows_up_to_max_edits_typos() {
    let key = short(&["phishing"], 2);
    let cases = [
        ("phishing", Verdict::Correct),
        ("phising", Verdict::Correct),
        ("fishing", Verdict::Correct),
        ("phishinng", Verdict::Correct),
        ("fising", Verdict::Wrong),
        ("spam", Verdict::Wrong),
    ];
    for (given, want) in cases {
        assert_eq!(grade(&key, &text(given)).verdict, want, "{given:?}");
    }
    let typo = grade(&key, &text("phising"));
    assert!(typo.feedback.contains("phishing"), "{}", typo.feedback);
}

#[test]
fn wrong_answers_name_the_right_one() {
    let cases = [
        (
            single(),
            Answer::Choice(0),
            "The sender's domain is misspelled",
        ),
        (short(&["Enigma"], 0), text("Lorenz"), "Enigma"),
        (
            numeric(42.0, Tolerance::Absolute(0.0), Some("ms")),
            text("40"),
            "42 ms",
        ),
        (ordering(), Answer::Order(vec![1, 0, 2]), "Lock the screen"),
        (
            AnswerKey::TrueFalse { answer: false },
            Answer::Bool(true),
            "false",
        ),
    ];
    for (key, answer, named) in cases {
        let g = grade(&key, &answer);
        assert_eq!(g.verdict, Verdict::Wrong, "{key:?}");
        assert_eq!(g.score, 0.0);
        assert!(
            g.feedback.contains(named),
            "{:?} should name {named}",
            g.feedback
        );
    }
}

#[test]
fn huge_text_answers_are_graded_quickly_and_wrong() {
    let key = short(&["firewall"], 3);
    let huge = "firewall ".repeat(1200); // ~10 kB
    let start = std::time::Instant::now();
    assert_eq!(grade(&key, &text(&huge)).verdict, Verdict::Wrong);
    let key = numeric(1.0, Tolerance::Absolute(0.0), None);
    assert_eq!(
        grade(&key, &text(&"9".repeat(10_000))).verdict,
        Verdict::Wrong
    );
    // Generous bound: this only catches accidental quadratic work, not a benchmark.
    assert!(start.elapsed().as_secs() < 2);
}

#[test]
fn numbers_are_read_the_way_people_type_them() {
    let key = numeric(1234.5, Tolerance::Absolute(0.0), Some("kg"));
    for given in [
        "1234.5",
        "1,234.5",
        "1 234.5",
        "1_234.5",
        "1234.5 kg",
        "1,234.5KG",
        "1234.5kg",
        "1.234,5 kg",
        "+1234.5",
    ] {
        assert_eq!(
            grade(&key, &text(given)).verdict,
            Verdict::Correct,
            "{given:?}"
        );
    }
    for given in [
        "1234",
        "12 34.5",
        "-1234.5",
        "1,23,4.5",
        "kg",
        "",
        "about a ton",
    ] {
        assert_eq!(
            grade(&key, &text(given)).verdict,
            Verdict::Wrong,
            "{given:?}"
        );
    }
}

#[test]
fn a_different_unit_is_refused_with_a_reason() {
    let key = numeric(500.0, Tolerance::Absolute(0.0), Some("ms"));
    let g = grade(&key, &text("500 s"));
    assert_eq!(g.verdict, Verdict::Wrong);
    assert!(
        g.feedback.contains("“s”") && g.feedback.contains("500 ms"),
        "{}",
        g.feedback
    );
    // Plural and case are not a different unit.
    let key = numeric(3.0, Tolerance::Absolute(0.0), Some("day"));
    assert_eq!(grade(&key, &text("3 Days")).verdict, Verdict::Correct);
    // A unit where none is expected is a different unit.
    let key = numeric(3.0, Tolerance::Absolute(0.0), None);
    assert_eq!(grade(&key, &text("3 apples")).verdict, Verdict::Wrong);
}

#[test]
fn a_unit_that_is_not_a_unit_is_not_quoted_back() {
    let key = numeric(500.0, Tolerance::Absolute(0.0), Some("ms"));
    for typed in ["500 @everyone", "500 <@123>", "500 \u{202E}sm", "500 **x**"] {
        let g = grade(&key, &text(typed));
        assert_eq!(g.verdict, Verdict::Wrong, "{typed:?}");
        assert_eq!(
            g.feedback, "That is not in ms: the answer is 500 ms.",
            "{typed:?}"
        );
    }
    let key = numeric(3.0, Tolerance::Absolute(0.0), None);
    let g = grade(&key, &text("3 <#1>"));
    assert_eq!(g.feedback, "This answer has no unit: it is 3.");
}

#[test]
fn tolerances_are_absolute_or_relative() {
    let abs = numeric(10.0, Tolerance::Absolute(0.5), None);
    let rel = numeric(200.0, Tolerance::Relative(0.05), Some("%"));
    let cases = [
        (&abs, "10.5", Verdict::Correct),
        (&abs, "9.5", Verdict::Correct),
        (&abs, "10.6", Verdict::Wrong),
        (&rel, "210%", Verdict::Correct),
        (&rel, "190 %", Verdict::Correct),
        (&rel, "211", Verdict::Wrong),
    ];
    for (key, given, want) in cases {
        assert_eq!(grade(key, &text(given)).verdict, want, "{given:?}");
    }
    let noisy = numeric(0.3, Tolerance::Absolute(0.0), None);
    assert_eq!(
        grade(&noisy, &text("0.30000000000000004")).verdict,
        Verdict::Correct
    );
}

#[test]
fn multi_select_gives_partial_credit_by_the_documented_rule() {
    // Right options: Paris (0), Lyon (1), Marseille (3); Berlin (2) is wrong.
    let cases: [(&[usize], Verdict, f64); 7] = [
        (&[0, 1, 3], Verdict::Correct, 1.0),
        (&[3, 1, 0, 0], Verdict::Correct, 1.0),
        (&[0, 1], Verdict::Partial, 2.0 / 3.0),
        (&[0, 1, 2], Verdict::Partial, 1.0 / 3.0),
        (&[0, 2], Verdict::Wrong, 0.0),
        (&[2], Verdict::Wrong, 0.0),
        (&[], Verdict::Wrong, 0.0),
    ];
    for (picks, verdict, score) in cases {
        let g = grade(&multi(), &Answer::Choices(picks.to_vec()));
        assert_eq!(g.verdict, verdict, "{picks:?}");
        assert!((g.score - score).abs() < 1e-9, "{picks:?}: {}", g.score);
    }
    let g = grade(&multi(), &Answer::Choices(vec![0, 2]));
    assert!(
        g.feedback.contains("1 of 3") && g.feedback.contains("1 wrong pick"),
        "{}",
        g.feedback
    );
}

#[test]
fn ordering_is_right_only_in_exact_order_and_says_how_close() {
    assert_eq!(
        grade(&ordering(), &Answer::Order(vec![0, 1, 2])).verdict,
        Verdict::Correct
    );
    let g = grade(&ordering(), &Answer::Order(vec![0, 2, 1]));
    assert_eq!(g.verdict, Verdict::Wrong);
    assert!(g.feedback.contains("1 of 3 steps"), "{}", g.feedback);
    assert_eq!(
        grade(&ordering(), &Answer::Order(vec![0, 1])).verdict,
        Verdict::Wrong
    );
}

#[test]
fn free_text_always_waits_for_a_person() {
    let key = AnswerKey::FreeText {
        rubric: strings(&["mentions least privilege"]),
        model_answer: Some("Grant least privilege".into()),
    };
    for answer in [text("Grant least privilege"), text(""), Answer::Bool(true)] {
        let g = grade(&key, &answer);
        assert_eq!(g.verdict, Verdict::NeedsReview);
        assert_eq!(g.score, 0.0);
    }
}

#[test]
fn answers_of_the_wrong_shape_are_wrong_not_errors() {
    assert_eq!(
        grade(&single(), &Answer::Bool(true)).verdict,
        Verdict::Wrong
    );
    assert_eq!(
        grade(&single(), &Answer::Choice(99)).verdict,
        Verdict::Wrong
    );
    assert_eq!(grade(&multi(), &text("Paris")).verdict, Verdict::Wrong);
    assert_eq!(
        grade(&AnswerKey::TrueFalse { answer: true }, &Answer::Choice(0)).verdict,
        Verdict::Wrong
    );
}

#[test]
fn verdict_names_round_trip() {
    for v in [
        Verdict::Correct,
        Verdict::Partial,
        Verdict::Wrong,
        Verdict::NeedsReview,
    ] {
        assert_eq!(Verdict::parse(v.as_str()), Ok(v));
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            format!("\"{}\"", v.as_str())
        );
    }
    assert!(Verdict::parse("right").is_err());
}
