//! Importing question banks (Moodle GIFT, CSV) into items of the content format.
//!
//! Importers are pure: text in, [`Imported`] out (the items, plus every problem found,
//! each at its `path:line:col`). Nothing unsupported is dropped silently: a question that
//! cannot be carried over is reported, and the rest are still imported. [`emit`] writes
//! the result as TOML.

pub mod csv;
pub mod emit;
pub mod gift;

use ladder_engine::{AnswerKey, Item, ItemId, SkillId, Stage};
use std::collections::HashSet;

use crate::diagnostic::Diagnostic;

/// What every importer needs to know.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The skill the items belong to; item ids start with it.
    pub skill: SkillId,
    /// The stage of items whose source does not say.
    pub stage: Stage,
    /// Item ids already in use (e.g. in the file being appended to).
    pub taken_ids: HashSet<String>,
}

impl ImportOptions {
    pub fn new(skill: SkillId, stage: Stage) -> Self {
        ImportOptions {
            skill,
            stage,
            taken_ids: HashSet::new(),
        }
    }
}

/// The items that could be imported, and what could not (or not entirely).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub items: Vec<Item>,
    pub problems: Vec<Diagnostic>,
}

/// A question before it gets its id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Draft {
    /// An explicit id (CSV) or a title to derive one from (GIFT `::title::`).
    pub id: IdSource,
    pub stage: Stage,
    pub prompt: String,
    pub key: AnswerKey,
    pub explanation: String,
    pub hints: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum IdSource {
    Explicit(ItemId),
    Title(String),
    /// No id and no title: the next free `<skill>-NNN`.
    Numbered,
}

/// Gives every draft an id `<skill>-<slug or number>`, unique among `taken` and each other.
pub(crate) fn assign_ids(drafts: Vec<Draft>, opts: &ImportOptions) -> Vec<Item> {
    let mut taken = opts.taken_ids.clone();
    let mut next_number = 1;
    drafts
        .into_iter()
        .map(|d| {
            let id = match d.id {
                IdSource::Explicit(id) => id,
                IdSource::Title(title) => fresh_id(&opts.skill, &slug(&title), &mut taken),
                IdSource::Numbered => loop {
                    let candidate = format!("{}-{next_number:03}", opts.skill);
                    next_number += 1;
                    if taken.contains(&candidate) {
                        continue;
                    }
                    match ItemId::parse(&candidate) {
                        Ok(id) => break id,
                        // Too long with the number: cut the skill part instead.
                        Err(_) => {
                            break fresh_id(
                                &opts.skill,
                                &format!("{:03}", next_number - 1),
                                &mut taken,
                            )
                        }
                    }
                },
            };
            taken.insert(id.as_str().to_owned());
            Item {
                fluency_secs: d.key.default_fluency_secs(),
                id,
                skill: opts.skill.clone(),
                stage: d.stage,
                prompt: d.prompt,
                key: d.key,
                explanation: d.explanation,
                hints: d.hints,
                variants: Vec::new(),
                tags: d.tags,
                core: false,
            }
        })
        .collect()
}

/// Ids are at most 64 characters: the skill part is cut (never the distinguishing stem)
/// to leave room for the stem and a `-N` suffix, however many titles repeat.
fn fresh_id(skill: &SkillId, stem: &str, taken: &mut HashSet<String>) -> ItemId {
    // Slugs and ids are ASCII, so byte lengths are character counts.
    let stem: String = stem.chars().take(40).collect();
    let stem = stem.trim_matches('-');
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        // At least one character of the skill is kept: ids start with a letter or digit.
        let room = 63usize
            .saturating_sub(stem.len() + suffix.len().max(4))
            .max(1);
        let skill: String = skill.as_str().chars().take(room).collect();
        let candidate = format!("{}-{stem}{suffix}", skill.trim_end_matches(['-', '_', '.']));
        n += 1;
        if taken.contains(&candidate) {
            continue;
        }
        // Valid by construction: a skill id's prefix, `-`, a slug, a number, within 64.
        if let Ok(id) = ItemId::parse(&candidate) {
            return id;
        }
    }
}

/// Lowercase ASCII letters and digits, runs of anything else turned into one `-`.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        "item".to_owned()
    } else {
        out
    }
}

/// The explanation shown when the source had no feedback: at least say what was right.
pub(crate) fn default_explanation(key: &AnswerKey) -> String {
    match key {
        AnswerKey::SingleChoice { options, correct } => {
            format!("The answer is: {}", options[*correct])
        }
        AnswerKey::MultiSelect { options, correct } => {
            let right: Vec<&str> = correct.iter().map(|&i| options[i].as_str()).collect();
            format!("The right answers are: {}", right.join("; "))
        }
        AnswerKey::TrueFalse { answer } => format!("The statement is {answer}."),
        AnswerKey::ShortText { accepted, .. } => format!("The answer is: {}", accepted[0]),
        AnswerKey::Numeric { value, .. } => format!("The answer is {value}."),
        AnswerKey::Ordering { sequence } => format!("The right order is: {}", sequence.join(" → ")),
        AnswerKey::FreeText { .. } => "Reviewed against the rubric.".to_owned(),
    }
}

#[cfg(test)]
mod tests;
