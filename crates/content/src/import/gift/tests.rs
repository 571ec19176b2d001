//! GIFT import tests, on files in the shape Moodle users write.

use super::import;
use crate::import::ImportOptions;
use ladder_engine::{AnswerKey, SkillId, Stage, Tolerance};

const BANK: &str = r#"// Security awareness question bank, exported from Moodle
// Course: Onboarding 2024

$CATEGORY: $course$/top/Security awareness/Phishing

::Sender domain::[markdown]Which is the **strongest** sign that an email is phishing? {
  =The sender's domain is misspelled#Right: attackers register look-alike domains.
  ~It has a logo#Logos are easy to copy.
  ~It was sent at night
  ####Check the address, not the display name.
}

::Report button::You should forward a suspicious email to colleagues to ask if it is safe.{FALSE#Forwarding spreads it.#Right, use the report button.}

::Signs of phishing::Which of these are signs of phishing? {
  ~%50%Urgent tone
  ~%50%Mismatched link
  ~%-100%Your manager's usual signature
}

::Report address::What is the address for reporting phishing? {=phish@example.com =phishing@example.com}

// numeric questions
::MFA codes::How many seconds is a TOTP code valid? {#30:5}

::Range::Pick a number between 1 and 5 {#1..5}

::Match the terms::Match the attack to its description. {
  =Phishing -> Email pretending to be someone else
  =Vishing -> Phone call pretending to be someone else
}

Escapes\: is 1\=1 \{really\}? {T}

::Essay::Describe how you report phishing. {}

$CATEGORY: $course$/top/Security awareness/Passwords

[html]<p>What is the <b>minimum</b> password length?</p>{#=12:0#Per policy. =%50%10:2}
"#;

fn opts() -> ImportOptions {
    ImportOptions::new(SkillId::parse("phishing").unwrap(), Stage::Novice)
}

#[test]
fn a_moodle_bank_imports_every_supported_question() {
    let got = import("bank.gift", BANK, &opts());
    let ids: Vec<&str> = got.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "phishing-sender-domain",
            "phishing-report-button",
            "phishing-signs-of-phishing",
            "phishing-report-address",
            "phishing-mfa-codes",
            "phishing-range",
            "phishing-001",
            "phishing-essay",
            "phishing-002",
        ]
    );
    let first = &got.items[0];
    assert_eq!(
        first.prompt,
        "Which is the **strongest** sign that an email is phishing?"
    );
    assert_eq!(
        first.key,
        AnswerKey::SingleChoice {
            options: vec![
                "The sender's domain is misspelled".into(),
                "It has a logo".into(),
                "It was sent at night".into()
            ],
            correct: 0
        }
    );
    assert_eq!(
        first.explanation,
        "Check the address, not the display name.\n\
         The sender's domain is misspelled: Right: attackers register look-alike domains.\n\
         It has a logo: Logos are easy to copy."
    );
    assert_eq!(first.tags, ["Phishing"]);
    assert_eq!(first.stage, Stage::Novice);
    let tf = &got.items[1];
    assert_eq!(tf.key, AnswerKey::TrueFalse { answer: false });
    assert_eq!(
        tf.explanation,
        "Right, use the report button.\nForwarding spreads it."
    );
    assert_eq!(
        got.items[2].key,
        AnswerKey::MultiSelect {
            options: vec![
                "Urgent tone".into(),
                "Mismatched link".into(),
                "Your manager's usual signature".into()
            ],
            correct: vec![0, 1],
        }
    );
    assert_eq!(
        got.items[3].key,
        AnswerKey::ShortText {
            accepted: vec!["phish@example.com".into(), "phishing@example.com".into()],
            max_edits: 0,
        }
    );
    let numeric = |v, t| AnswerKey::Numeric {
        value: v,
        tolerance: Tolerance::Absolute(t),
        unit: None,
    };
    assert_eq!(got.items[4].key, numeric(30.0, 5.0));
    assert_eq!(got.items[5].key, numeric(3.0, 2.0));
    assert_eq!(got.items[6].prompt, "Escapes: is 1=1 {really}?");
    assert_eq!(got.items[6].key, AnswerKey::TrueFalse { answer: true });
    assert_eq!(
        got.items[7].key,
        AnswerKey::FreeText {
            rubric: vec!["Answers the question accurately and completely".into()],
            model_answer: None,
        }
    );
    let html = &got.items[8];
    assert_eq!(html.prompt, "What is the minimum password length?");
    assert_eq!(html.key, numeric(12.0, 0.0));
    assert_eq!(html.explanation, "Per policy.");
    assert_eq!(html.tags, ["Passwords"]);
}

#[test]
fn unsupported_questions_are_reported_where_they_are_written() {
    let got = import("bank.gift", BANK, &opts());
    let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "bank.gift:28:57: matching questions are not supported yet; question not imported",
            "bank.gift:39:77: unsupported GIFT construct: numeric answer \"10:2\" besides the full-credit one; only answer 1 is imported",
        ]
    );
}

#[test]
fn other_gift_shapes_are_refused_with_a_reason() {
    let cases = [
        ("Moodle is a {=LMS ~bird} {=a ~b}.", "q.gift:1:26: unsupported GIFT construct: a second answer block in one question; question not imported"),
        ("Just a description.", "q.gift:1:1: unsupported GIFT construct: description (a question without an answer block); question not imported"),
        ("Pick one {~a ~b}", "q.gift:1:10: no answer is marked right (= or a positive %weight%); question not imported"),
        ("Pick one {=a}", ""),
        ("Name it {=%50%half =full}", "q.gift:1:10: short answer \"half\" has partial credit (50%), which short-text items cannot give; it is not accepted and is named in the explanation"),
        ("Open {=a ~b", "q.gift:1:6: answer block opened with `{` is never closed; question not imported"),
        ("::Title no end Q {T}", "q.gift:1:1: question title opened with `::` is never closed; question not imported"),
    ];
    for (src, want) in cases {
        let got = import("q.gift", src, &opts());
        let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        let want: Vec<&str> = [want].into_iter().filter(|w| !w.is_empty()).collect();
        assert_eq!(problems, want, "{src}");
    }
}

#[test]
fn ids_stay_unique_against_taken_ones_and_each_other() {
    let mut opts = opts();
    opts.taken_ids.insert("phishing-same".into());
    let got = import("q.gift", "::Same::A? {T}\n\n::Same::B? {F}\n", &opts);
    let ids: Vec<&str> = got.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["phishing-same-2", "phishing-same-3"]);
}

#[test]
fn long_skill_ids_still_give_valid_item_ids() {
    let skill = SkillId::parse(&"s".repeat(64)).unwrap();
    let src = "::A very long title that goes on and on and on and on::Q? {T}\n\nQ2? {F}\n";
    let got = import("q.gift", src, &ImportOptions::new(skill, Stage::Novice));
    assert_eq!(got.items.len(), 2);
    let first = got.items[0].id.as_str();
    assert!(
        first.ends_with("s-a-very-long-title-that-goes-on-and-on-an"),
        "{first}"
    );
    assert!(first.len() <= 64);
    assert!(got.items[1].id.as_str().ends_with("s-001"));
}

#[test]
fn html_that_renders_to_nothing_is_not_an_explanation() {
    let got = import("q.gift", "[html]<p>Safe?</p>{T#<br>#<b></b>}\n", &opts());
    assert_eq!(got.items[0].prompt, "Safe?");
    assert_eq!(got.items[0].explanation, "The statement is true.");
}

/// The bank a teacher brings from Moodle, one question of every kind (also imported through
/// the command line in `tests/content_cli.rs`).
const MOODLE: &str = include_str!("../../../../../tests/fixtures/gift/moodle-bank.gift");

#[test]
fn every_kind_of_moodle_question_is_imported_or_reported() {
    let got = import("moodle-bank.gift", MOODLE, &opts());
    let ids: Vec<&str> = got.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "phishing-sender-domain",
            "phishing-forwarding",
            "phishing-signs",
            "phishing-report-first",
            "phishing-mfa-name",
            "phishing-report-address",
            "phishing-code-lifetime",
            "phishing-password-length",
            "phishing-explain-a-report",
            "phishing-describe-an-attack",
            "phishing-reuse",
            "phishing-reuse-2",
            "phishing-001",
        ]
    );
    let item = |id: &str| got.items.iter().find(|i| i.id.as_str() == id).unwrap();
    let choice = item("phishing-report-first");
    assert_eq!(
        choice.prompt,
        "If you clicked a phishing link, _____ to the security team within the hour."
    );
    assert_eq!(
        choice.key,
        AnswerKey::SingleChoice {
            options: vec![
                "report it".into(),
                "delete the email".into(),
                "wait and see".into()
            ],
            correct: 0
        }
    );
    let word = item("phishing-mfa-name");
    assert_eq!(
        word.prompt,
        "Phishing-resistant sign-in needs a second _____ as well as a password."
    );
    assert_eq!(
        word.key,
        AnswerKey::ShortText {
            accepted: vec!["factor".into(), "step".into()],
            max_edits: 0
        }
    );
    let partial = item("phishing-report-address");
    assert_eq!(
        partial.key,
        AnswerKey::ShortText {
            accepted: vec!["phish@example.com".into()],
            max_edits: 0
        }
    );
    assert!(
        partial
            .explanation
            .contains("Note: \"security@example.com\" earned 50% credit in the original bank"),
        "{}",
        partial.explanation
    );
    let essay = item("phishing-explain-a-report");
    assert_eq!(
        essay.key,
        AnswerKey::FreeText {
            rubric: vec![
                "Names the report button".into(),
                "Says not to forward or reply".into(),
                "Says to report within the hour".into()
            ],
            model_answer: None
        }
    );
    assert!(matches!(
        item("phishing-describe-an-attack").key,
        AnswerKey::FreeText { .. }
    ));
    assert_eq!(
        item("phishing-sender-domain").explanation.lines().next(),
        Some("Check the address, not the display name.")
    );
    assert_eq!(item("phishing-reuse").tags, ["Passwords"]);
    assert_eq!(
        item("phishing-reuse-2").key,
        AnswerKey::TrueFalse { answer: true }
    );
    assert_eq!(
        item("phishing-001").prompt,
        "Is 1=1 in a strong password rule {really}?"
    );
    let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "moodle-bank.gift:33:3: short answer \"security@example.com\" has partial credit (50%), which short-text items cannot give; it is not accepted and is named in the explanation",
            "moodle-bank.gift:52:46: matching questions are not supported yet; question not imported",
            "moodle-bank.gift:69:1: unsupported GIFT construct: description (a question without an answer block); question not imported",
        ]
    );
}

#[test]
fn a_short_answer_with_only_partial_credit_is_refused() {
    let got = import("q.gift", "Name it {=%50%half}", &opts());
    assert!(got.items.is_empty());
    let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[1], "q.gift:1:9: short answer has no full-credit answer (`=answer` or `=%100%answer`); question not imported");
}

#[test]
fn a_blank_at_the_start_of_a_missing_word_question() {
    let got = import(
        "q.gift",
        "{=Phishing ~Patching} is the most common attack.",
        &opts(),
    );
    assert_eq!(got.items[0].prompt, "_____ is the most common attack.");
}
