//! Table-driven and property tests of grading and answer parsing.

use proptest::prelude::*;

use super::*;
use crate::model::Tolerance;

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
    ];
    for (given, want) in cases {
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

#[test]
fn choices_accept_numbers_letters_and_option_text() {
    let key = single();
    let cases = [
        ("2", Ok(1)),
        ("b", Ok(1)),
        ("B", Ok(1)),
        ("(b)", Ok(1)),
        ("2.", Ok(1)),
        ("the senders domain is MISSPELLED", Ok(1)),
        ("It has a logo", Ok(0)),
        ("4", Err(())),
        ("d", Err(())),
        ("", Err(())),
        ("maybe", Err(())),
    ];
    for (input, want) in cases {
        let got = parse_answer(&key, None, input).map_err(|_| ());
        assert_eq!(got, want.map(Answer::Choice), "{input:?}");
    }
    let err = parse_answer(&key, None, "maybe").unwrap_err();
    assert!(err.contains("1–3") && err.contains("a–c"), "{err}");
}

#[test]
fn numbers_refer_to_options_as_shown_when_shuffled() {
    // Shown as: 1) "It was sent at night", 2) "It has a logo", 3) the domain one.
    let shown = [2, 0, 1];
    assert_eq!(
        parse_answer(&single(), Some(&shown), "3"),
        Ok(Answer::Choice(1))
    );
    assert_eq!(
        parse_answer(&single(), Some(&shown), "a"),
        Ok(Answer::Choice(2))
    );
}

#[test]
fn numeric_option_text_still_works_when_no_such_position_exists() {
    let key = AnswerKey::SingleChoice {
        options: strings(&["2", "4", "8"]),
        correct: 2,
    };
    assert_eq!(parse_answer(&key, None, "3"), Ok(Answer::Choice(2)));
    assert_eq!(parse_answer(&key, None, "8"), Ok(Answer::Choice(2)));
}

#[test]
fn multi_select_accepts_lists_in_many_spellings() {
    let key = multi();
    let cases = [
        ("1,3", Some(vec![0, 2])),
        ("a c", Some(vec![0, 2])),
        ("A, C", Some(vec![0, 2])),
        ("1 and 4", Some(vec![0, 3])),
        ("ac", Some(vec![0, 2])),
        ("1,1,2", Some(vec![0, 1])),
        ("Paris, Lyon", Some(vec![0, 1])),
        ("1, 9", None),
        ("", None),
    ];
    for (input, want) in cases {
        let got = parse_answer(&key, None, input).ok();
        assert_eq!(got, want.map(Answer::Choices), "{input:?}");
    }
}

#[test]
fn true_false_words() {
    let key = AnswerKey::TrueFalse { answer: true };
    for (input, want) in [
        ("t", true),
        ("True", true),
        ("yes", true),
        ("Y", true),
        ("1", true),
        ("f", false),
        ("FALSE", false),
        ("no", false),
        ("n", false),
        ("0", false),
    ] {
        assert_eq!(
            parse_answer(&key, None, input),
            Ok(Answer::Bool(want)),
            "{input:?}"
        );
    }
    assert!(parse_answer(&key, None, "perhaps")
        .unwrap_err()
        .contains("true or false"));
}

#[test]
fn ordering_input_refers_to_positions_as_shown() {
    let key = ordering();
    // Shown: 1) "Delete it" (2), 2) "Lock the screen" (0), 3) "Report the email" (1).
    let shown = [2, 0, 1];
    for input in ["2 3 1", "b c a", "2,3,1", "231", "B > C > A"] {
        assert_eq!(
            parse_answer(&key, Some(&shown), input),
            Ok(Answer::Order(vec![0, 1, 2])),
            "{input:?}"
        );
    }
    for input in ["1 2", "1 1 2", "1 2 3 4", "x y z", ""] {
        let err = parse_answer(&key, Some(&shown), input).unwrap_err();
        assert!(err.contains("all 3 steps"), "{input:?}: {err}");
    }
}

#[test]
fn text_answers_pass_through_but_blank_is_refused() {
    assert_eq!(
        parse_answer(&short(&["x"], 0), None, "  Enigma "),
        Ok(text("Enigma"))
    );
    assert!(parse_answer(&short(&["x"], 0), None, "   ").is_err());
    let key = numeric(5.0, Tolerance::Absolute(0.0), Some("kg"));
    assert_eq!(parse_answer(&key, None, "5 lb"), Ok(text("5 lb")));
    assert!(parse_answer(&key, None, "five").unwrap_err().contains("kg"));
}

#[test]
fn shown_order_is_a_reproducible_non_identity_shuffle() {
    for n in 2..=10 {
        for seed in 0..200u64 {
            let order = shown_order(seed, n);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            assert_ne!(order, sorted, "seed {seed} n {n} shows the answer");
            assert_eq!(order, shown_order(seed, n));
        }
    }
    assert_eq!(shown_order(7, 1), vec![0]);
    assert!(shown_order(7, 0).is_empty());
    // Different seeds give different orders (not one fixed permutation).
    let distinct: std::collections::HashSet<_> = (0..50).map(|s| shown_order(s, 5)).collect();
    assert!(distinct.len() > 10);
}

fn any_key() -> impl Strategy<Value = AnswerKey> {
    prop_oneof![
        Just(single()),
        Just(multi()),
        Just(ordering()),
        Just(AnswerKey::TrueFalse { answer: false }),
        Just(short(&["Café", "ok"], 2)),
        Just(numeric(-3.5, Tolerance::Relative(0.1), Some("°C"))),
        Just(AnswerKey::FreeText {
            rubric: vec![],
            model_answer: None
        }),
    ]
}

proptest! {
    #[test]
    fn parsing_and_grading_never_panic(key in any_key(), input in "\\PC{0,200}", seed in any::<u64>()) {
        let order = shown_order(seed, 3);
        for shown in [None, Some(order.as_slice())] {
            if let Ok(answer) = parse_answer(&key, shown, &input) {
                let g = grade(&key, &answer);
                prop_assert!((0.0..=1.0).contains(&g.score));
                prop_assert!(!g.feedback.is_empty());
            }
        }
        let g = grade(&key, &Answer::Text(input.clone()));
        prop_assert!((0.0..=1.0).contains(&g.score));
    }

    #[test]
    fn arbitrary_indices_never_panic(key in any_key(), picks in proptest::collection::vec(any::<usize>(), 0..8)) {
        for answer in [Answer::Choices(picks.clone()), Answer::Order(picks.clone()), Answer::Choice(picks.first().copied().unwrap_or(0))] {
            let g = grade(&key, &answer);
            prop_assert!((0.0..=1.0).contains(&g.score));
        }
    }
}
