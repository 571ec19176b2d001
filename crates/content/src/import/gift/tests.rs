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
    let html = &got.items[7];
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
            "bank.gift:28:57: unsupported GIFT construct: matching question (->); question not imported",
            "bank.gift:35:44: unsupported GIFT construct: essay question (empty answer block); question not imported",
            "bank.gift:39:77: unsupported GIFT construct: numeric answer \"10:2\" besides the full-credit one; only answer 1 is imported",
        ]
    );
}

#[test]
fn other_gift_shapes_are_refused_with_a_reason() {
    let cases = [
        ("Moodle is a {=LMS ~bird} used by schools.", "q.gift:1:13: unsupported GIFT construct: missing-word question (text on both sides of the answer block); question not imported"),
        ("Just a description.", "q.gift:1:1: unsupported GIFT construct: description (a question without an answer block); question not imported"),
        ("Pick one {~a ~b}", "q.gift:1:10: no answer is marked right (= or a positive %weight%); question not imported"),
        ("Pick one {=a}", ""),
        ("Name it {=%50%half =full}", "q.gift:1:10: unsupported GIFT construct: short answer with partial credit (%N%); question not imported"),
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
