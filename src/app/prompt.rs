//! Rendering a prompt into a [`Reply`] with controls that fit the item type, and the
//! "show question" step of pushed daily prompts.
//!
//! A pushed prompt first shows only a button: latency is measured from the reveal, not
//! from a notification that may sit unread for hours (SPEC §2). Option actions carry the
//! *authored* option index, so a shuffled display never changes what a click means.
//! Depends on the engine's content model and grading helpers.

use ladder_engine::grade::shown_order;
use ladder_engine::{AnswerKey, Item, Library};

use super::action::Action;
use super::records::Prompt;
use crate::platform::{Block, Choice, Reply};

/// The key and wording actually shown: the item's, or the variant's.
pub fn shown<'a>(item: &'a Item, prompt: &Prompt) -> (&'a str, &'a AnswerKey) {
    match prompt.variant.and_then(|v| item.variants.get(v)) {
        Some(v) => (&v.prompt, &v.key),
        None => (&item.prompt, &item.key),
    }
}

/// The order options or steps are shown in, when shuffled (`None`: as authored).
pub fn order(key: &AnswerKey, seed: u64) -> Option<Vec<usize>> {
    match key {
        AnswerKey::SingleChoice { options, .. } | AnswerKey::MultiSelect { options, .. } => {
            Some(shown_order(seed, options.len()))
        }
        AnswerKey::Ordering { sequence } => Some(shown_order(seed, sequence.len())),
        _ => None,
    }
}

/// A pushed prompt before the learner opens it.
pub fn teaser(library: &Library, item: &Item, prompt: &Prompt) -> Reply {
    let skill = library
        .skill(&item.skill)
        .map_or(item.skill.as_str(), |s| s.title.as_str());
    Reply::private(vec![
        Block::Heading("Your daily question".into()),
        Block::Text(format!(
            "A question on **{skill}** is waiting. Open it when you have a minute: the timer starts when you do."
        )),
        Block::Choices {
            choices: vec![Choice {
                label: "Show question".into(),
                action: Action::Reveal {
                    prompt: prompt.id.clone(),
                }
                .encode(),
            }],
            multi: false,
            placeholder: String::new(),
        },
    ])
}

/// The question itself with its answer controls.
pub fn question(library: &Library, item: &Item, prompt: &Prompt) -> Reply {
    let (wording, key) = shown(item, prompt);
    let skill = library
        .skill(&item.skill)
        .map_or(item.skill.as_str(), |s| s.title.as_str());
    let mut blocks = vec![
        Block::Heading(format!("{skill} · {} question", item.stage.evidence())),
        Block::Text(wording.trim().to_owned()),
    ];
    blocks.extend(controls(key, prompt));
    Reply::private(blocks)
}

fn controls(key: &AnswerKey, prompt: &Prompt) -> Vec<Block> {
    let id = &prompt.id;
    let pick = |option: usize| {
        Action::Answer {
            prompt: id.clone(),
            option,
        }
        .encode()
    };
    let typed = Action::Typed { prompt: id.clone() }.encode();
    let shuffled = order(key, prompt.seed).unwrap_or_default();
    match key {
        AnswerKey::SingleChoice { options, .. } | AnswerKey::MultiSelect { options, .. } => {
            let multi = matches!(key, AnswerKey::MultiSelect { .. });
            let choices = shuffled
                .iter()
                .map(|&i| Choice {
                    label: options[i].clone(),
                    action: pick(i),
                })
                .collect();
            let placeholder = if multi {
                "Select all that apply"
            } else {
                "Pick one"
            };
            vec![Block::Choices {
                choices,
                multi,
                placeholder: placeholder.into(),
            }]
        }
        AnswerKey::TrueFalse { .. } => vec![Block::Choices {
            // Index 1 means true, 0 false: the grader reads it as a boolean.
            choices: vec![
                Choice {
                    label: "True".into(),
                    action: pick(1),
                },
                Choice {
                    label: "False".into(),
                    action: pick(0),
                },
            ],
            multi: false,
            placeholder: "True or false".into(),
        }],
        AnswerKey::Ordering { sequence } => {
            let steps: Vec<String> = shuffled
                .iter()
                .enumerate()
                .map(|(pos, &i)| format!("{}. {}", pos + 1, sequence[i]))
                .collect();
            let example: Vec<String> = (1..=sequence.len()).rev().map(|n| n.to_string()).collect();
            vec![
                Block::Text(steps.join("\n")),
                Block::AskText {
                    action: typed,
                    label: "Type the steps' numbers in the right order".into(),
                    placeholder: example.join(" "),
                    long: false,
                },
            ]
        }
        AnswerKey::ShortText { .. } => vec![ask(typed, "Type your answer", "", false)],
        AnswerKey::Numeric { unit, .. } => {
            let hint = unit.as_deref().map(|u| format!("a number in {u}"));
            vec![ask(
                typed,
                "Type a number",
                hint.as_deref().unwrap_or(""),
                false,
            )]
        }
        AnswerKey::FreeText { .. } => vec![ask(
            typed,
            "Write your answer in a few sentences",
            "an expert will review it",
            true,
        )],
    }
}

fn ask(action: String, label: &str, placeholder: &str, long: bool) -> Block {
    Block::AskText {
        action,
        label: label.into(),
        placeholder: placeholder.into(),
        long,
    }
}
