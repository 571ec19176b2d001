//! One CSV row into a draft item: the answer column read according to the type, and
//! columns that do not apply to the type refused.

use ladder_engine::{AnswerKey, ItemId, Stage, Tolerance};

use super::read::{split_list, Field};
use crate::import::{default_explanation, Draft, IdSource, ImportOptions};

/// Problems of one row: byte offset and message.
pub(super) type Problems = Vec<(usize, String)>;

/// A row's cells by column name.
pub(super) struct Cells<'a> {
    columns: &'a [String],
    fields: &'a [Field],
}

impl<'a> Cells<'a> {
    pub fn new(columns: &'a [String], fields: &'a [Field]) -> Self {
        Cells { columns, fields }
    }
    /// The cell of a column, `None` when the column is absent or the cell blank.
    fn get(&self, column: &str) -> Option<&'a Field> {
        let i = self.columns.iter().position(|c| c == column)?;
        Some(&self.fields[i]).filter(|f| !f.text.trim().is_empty())
    }
    fn text(&self, column: &str) -> Option<String> {
        self.get(column).map(|f| f.text.trim().to_owned())
    }
    fn row_start(&self) -> usize {
        self.fields[0].at
    }
}

const TYPES: [&str; 7] = [
    "single_choice",
    "multi_select",
    "true_false",
    "short_text",
    "numeric",
    "ordering",
    "free_text",
];

pub(super) fn draft(cells: &Cells, opts: &ImportOptions) -> Result<Draft, Problems> {
    let mut problems = Problems::new();
    let id = match cells.get("id") {
        None => Some(IdSource::Numbered),
        Some(f) => match ItemId::parse(f.text.trim()) {
            Ok(id) if opts.taken_ids.contains(id.as_str()) => {
                problems.push((f.at, format!("item id {:?} is already taken", id.as_str())));
                None
            }
            Ok(id) => Some(IdSource::Explicit(id)),
            Err(e) => {
                problems.push((f.at, e.to_string()));
                None
            }
        },
    };
    let stage = match cells.get("stage") {
        None => Some(opts.stage),
        Some(f) => Stage::parse(f.text.trim())
            .map_err(|e| problems.push((f.at, e.to_string())))
            .ok(),
    };
    let prompt = cells.text("prompt");
    if prompt.is_none() {
        problems.push((cells.row_start(), "`prompt` is empty".to_owned()));
    }
    let key = match cells.get("type") {
        None => {
            problems.push((cells.row_start(), "`type` is empty".to_owned()));
            None
        }
        Some(f) => answer_key(cells, f, &mut problems),
    };
    match (id, stage, prompt, key) {
        (Some(id), Some(stage), Some(prompt), Some(key)) if problems.is_empty() => Ok(Draft {
            id,
            stage,
            prompt,
            explanation: cells
                .text("explanation")
                .unwrap_or_else(|| default_explanation(&key)),
            key,
            hints: cells
                .text("hints")
                .map(|h| split_list(&h))
                .unwrap_or_default(),
            tags: cells
                .text("tags")
                .map(|t| split_list(&t))
                .unwrap_or_default(),
        }),
        _ => Err(problems),
    }
}

/// Which of `options`, `tolerance` and `unit` each type takes.
fn extra_columns(ty: &str) -> &'static [&'static str] {
    match ty {
        "single_choice" | "multi_select" => &["options"],
        "numeric" => &["tolerance", "unit"],
        _ => &[],
    }
}

fn answer_key(cells: &Cells, ty: &Field, problems: &mut Problems) -> Option<AnswerKey> {
    let name = ty.text.trim();
    if !TYPES.contains(&name) {
        let expected = format!("{} or {}", TYPES[..6].join(", "), TYPES[6]);
        let message = format!("unknown item type {name:?}: expected {expected}");
        problems.push((ty.at, message));
        return None;
    }
    for column in ["options", "tolerance", "unit"] {
        let misplaced = cells
            .get(column)
            .filter(|_| !extra_columns(name).contains(&column));
        if let Some(f) = misplaced {
            problems.push((f.at, format!("`{column}` does not apply to a {name} item")));
        }
    }
    let Some(answer) = cells.get("answer") else {
        problems.push((cells.row_start(), "`answer` is empty".to_owned()));
        return None;
    };
    match name {
        "single_choice" | "multi_select" => choice(cells, name, answer, problems),
        "true_false" => match answer.text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(AnswerKey::TrueFalse { answer: true }),
            "false" => Some(AnswerKey::TrueFalse { answer: false }),
            other => {
                let message = format!("a true_false answer is true or false, found {other:?}");
                problems.push((answer.at, message));
                None
            }
        },
        "numeric" => numeric(cells, answer, problems),
        _ => list_key(name, answer, problems),
    }
}

/// The types whose answer is a `|`-separated list: short_text, ordering, free_text.
fn list_key(name: &str, answer: &Field, problems: &mut Problems) -> Option<AnswerKey> {
    let list = answer_list(answer, problems)?;
    match name {
        "short_text" => Some(AnswerKey::ShortText {
            accepted: list,
            max_edits: 0,
        }),
        "ordering" if (2..=10).contains(&list.len()) => {
            Some(AnswerKey::Ordering { sequence: list })
        }
        "ordering" => {
            let found = list.len();
            let message =
                format!("an ordering answer lists 2 to 10 steps separated by |, found {found}");
            problems.push((answer.at, message));
            None
        }
        _ => Some(AnswerKey::FreeText {
            rubric: list,
            model_answer: None,
        }),
    }
}

/// The answer cell as a non-empty list without repeats.
fn answer_list(answer: &Field, problems: &mut Problems) -> Option<Vec<String>> {
    let list = split_list(&answer.text);
    if list.is_empty() {
        problems.push((answer.at, "`answer` has no entries".to_owned()));
        return None;
    }
    if let Some(i) = (0..list.len()).find(|&i| list[..i].contains(&list[i])) {
        let message = format!("duplicate entry {:?} in `answer`", list[i]);
        problems.push((answer.at, message));
        return None;
    }
    Some(list)
}

fn choice(cells: &Cells, name: &str, answer: &Field, problems: &mut Problems) -> Option<AnswerKey> {
    let Some(field) = cells.get("options") else {
        problems.push((
            cells.row_start(),
            format!("a {name} item needs `options` separated by |"),
        ));
        return None;
    };
    let options = split_list(&field.text);
    if !(2..=25).contains(&options.len()) {
        problems.push((
            field.at,
            format!("`options` needs 2 to 25 entries, found {}", options.len()),
        ));
        return None;
    }
    if let Some(dup) = options
        .iter()
        .enumerate()
        .find(|(i, o)| options[..*i].contains(o))
    {
        problems.push((field.at, format!("duplicate option {:?}", dup.1)));
        return None;
    }
    let answers = answer_list(answer, problems)?;
    let mut correct = Vec::new();
    for a in &answers {
        match options.iter().position(|o| o == a) {
            Some(i) => correct.push(i),
            None => {
                problems.push((answer.at, format!("answer {a:?} is not one of the options")));
                return None;
            }
        }
    }
    match (name, correct.as_slice()) {
        ("single_choice", [one]) => Some(AnswerKey::SingleChoice {
            correct: *one,
            options,
        }),
        ("single_choice", _) => {
            problems.push((
                answer.at,
                format!(
                    "a single_choice item has exactly one answer, found {}",
                    answers.len()
                ),
            ));
            None
        }
        _ => Some(AnswerKey::MultiSelect { options, correct }),
    }
}

fn numeric(cells: &Cells, answer: &Field, problems: &mut Problems) -> Option<AnswerKey> {
    let number = |s: &str| {
        s.trim()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    };
    let Some(value) = number(&answer.text) else {
        problems.push((
            answer.at,
            format!(
                "a numeric answer is a number, found {:?}",
                answer.text.trim()
            ),
        ));
        return None;
    };
    let tolerance = match cells.get("tolerance") {
        None => Tolerance::Absolute(0.0),
        Some(f) => {
            let text = f.text.trim();
            let parsed = match text.strip_suffix('%') {
                Some(pct) => number(pct).map(|p| Tolerance::Relative(p / 100.0)),
                None => number(text).map(Tolerance::Absolute),
            };
            match parsed {
                Some(Tolerance::Absolute(t) | Tolerance::Relative(t)) if t < 0.0 => {
                    problems.push((
                        f.at,
                        format!("`tolerance` must not be negative, found {text}"),
                    ));
                    return None;
                }
                Some(t) => t,
                None => {
                    problems.push((
                        f.at,
                        format!(
                            "`tolerance` is a number or a percentage such as 5%, found {text:?}"
                        ),
                    ));
                    return None;
                }
            }
        }
    };
    Some(AnswerKey::Numeric {
        value,
        tolerance,
        unit: cells.text("unit"),
    })
}
