//! What learners type in a chat, parsed into answers; and the shown order of steps.

use proptest::prelude::*;

use super::*;

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
