//! Reading an item's (or variant's) answer key according to its `type`: which keys the
//! type takes, which it requires, and whether they agree (the answer is one of the
//! options, tolerances are not negative, list sizes are within limits).

use ladder_engine::{AnswerKey, Tolerance};
use std::collections::HashSet;
use std::ops::RangeInclusive;

use crate::diagnostic::Loc;
use crate::fields::{Ctx, Located, Table};
use crate::node::{Key, Node};

/// The item types of the content format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemType {
    SingleChoice,
    MultiSelect,
    TrueFalse,
    ShortText,
    Numeric,
    Ordering,
    FreeText,
}

const OPTIONS: RangeInclusive<usize> = 2..=25;
const STEPS: RangeInclusive<usize> = 2..=10;
const MAX_EDITS: i64 = 5;

impl ItemType {
    pub const NAMES: &'static str =
        "single_choice, multi_select, true_false, short_text, numeric, ordering or free_text";

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "single_choice" => ItemType::SingleChoice,
            "multi_select" => ItemType::MultiSelect,
            "true_false" => ItemType::TrueFalse,
            "short_text" => ItemType::ShortText,
            "numeric" => ItemType::Numeric,
            "ordering" => ItemType::Ordering,
            "free_text" => ItemType::FreeText,
            _ => return None,
        })
    }
}

/// Reads the answer key of one item or variant; `fields` are its answer-key entries and
/// `owner` the position of its table (for missing keys).
pub(crate) fn read(
    cx: &mut Ctx,
    ty: ItemType,
    name: &str,
    fields: &[(Key, Node)],
    owner: Loc,
    what: &str,
) -> Option<AnswerKey> {
    let mut t = Table::new(what, owner, fields.to_vec());
    let key = match ty {
        ItemType::SingleChoice => single_choice(cx, &mut t),
        ItemType::MultiSelect => multi_select(cx, &mut t),
        ItemType::TrueFalse => {
            t.require(cx, "answer")?;
            t.bool(cx, "answer")
                .map(|a| AnswerKey::TrueFalse { answer: a.value })
        }
        ItemType::ShortText => short_text(cx, &mut t),
        ItemType::Numeric => numeric(cx, &mut t),
        ItemType::Ordering => list(cx, &mut t, "sequence", STEPS).map(|s| AnswerKey::Ordering {
            sequence: s.into_iter().map(|l| l.value).collect(),
        }),
        ItemType::FreeText => {
            let rubric = list(cx, &mut t, "rubric", 1..=usize::MAX);
            let model_answer = t.string(cx, "model_answer").map(|m| m.value);
            rubric.map(|r| AnswerKey::FreeText {
                rubric: r.into_iter().map(|l| l.value).collect(),
                model_answer,
            })
        }
    };
    for (k, _) in t.into_remaining() {
        cx.error(
            k.loc,
            format!("`{}` does not apply to a {name} item", k.name),
        );
    }
    key
}

fn single_choice(cx: &mut Ctx, t: &mut Table) -> Option<AnswerKey> {
    let (options, ok) = checked_list(cx, t, "options", OPTIONS)?;
    t.require(cx, "answer");
    let answer = t.string(cx, "answer")?;
    let correct = position(cx, &options, &answer)?;
    ok.then(|| AnswerKey::SingleChoice {
        options: options.into_iter().map(|o| o.value).collect(),
        correct,
    })
}

fn multi_select(cx: &mut Ctx, t: &mut Table) -> Option<AnswerKey> {
    let (options, ok) = checked_list(cx, t, "options", OPTIONS)?;
    let answers = list(cx, t, "answers", 1..=usize::MAX)?;
    let correct: Vec<Option<usize>> = answers.iter().map(|a| position(cx, &options, a)).collect();
    let correct: Option<Vec<usize>> = correct.into_iter().collect();
    let correct = correct?;
    ok.then(|| AnswerKey::MultiSelect {
        options: options.into_iter().map(|o| o.value).collect(),
        correct,
    })
}

fn position(cx: &mut Ctx, options: &[Located<String>], answer: &Located<String>) -> Option<usize> {
    let found = options.iter().position(|o| o.value == answer.value);
    if found.is_none() {
        cx.error(
            answer.loc,
            format!("answer {:?} is not one of the options", answer.value),
        );
    }
    found
}

fn short_text(cx: &mut Ctx, t: &mut Table) -> Option<AnswerKey> {
    let accepted = list(cx, t, "answers", 1..=usize::MAX);
    let max_edits = match t.integer(cx, "max_edits") {
        None => Some(0),
        Some(m) if (0..=MAX_EDITS).contains(&m.value) => Some(m.value as u8),
        Some(m) => {
            cx.error(
                m.loc,
                format!(
                    "`max_edits` must be between 0 and {MAX_EDITS}, found {}",
                    m.value
                ),
            );
            None
        }
    };
    Some(AnswerKey::ShortText {
        accepted: accepted?.into_iter().map(|a| a.value).collect(),
        max_edits: max_edits?,
    })
}

fn numeric(cx: &mut Ctx, t: &mut Table) -> Option<AnswerKey> {
    t.require(cx, "answer");
    let value = t.number(cx, "answer");
    let absolute = t.number(cx, "tolerance");
    let absolute = non_negative(cx, absolute, "tolerance");
    let percent = t.number(cx, "tolerance_pct");
    let percent = non_negative(cx, percent, "tolerance_pct");
    let tolerance = match (absolute, percent) {
        (Some(_), Some(p)) => {
            cx.error(p.loc, "set `tolerance` or `tolerance_pct`, not both");
            None
        }
        (Some(a), None) => Some(Tolerance::Absolute(a.value)),
        (None, Some(p)) => Some(Tolerance::Relative(p.value / 100.0)),
        (None, None) => Some(Tolerance::Absolute(0.0)),
    };
    let unit = t
        .string(cx, "unit")
        .map(|u| u.value)
        .filter(|u| !u.trim().is_empty());
    Some(AnswerKey::Numeric {
        value: value?.value,
        tolerance: tolerance?,
        unit,
    })
}

fn non_negative(cx: &mut Ctx, v: Option<Located<f64>>, key: &str) -> Option<Located<f64>> {
    let v = v?;
    if v.value >= 0.0 && v.value.is_finite() {
        Some(v)
    } else {
        cx.error(
            v.loc,
            format!("`{key}` must not be negative, found {}", v.value),
        );
        None
    }
}

/// A required list of distinct, non-empty strings with a size limit.
fn list(
    cx: &mut Ctx,
    t: &mut Table,
    key: &str,
    size: RangeInclusive<usize>,
) -> Option<Vec<Located<String>>> {
    let (entries, ok) = checked_list(cx, t, key, size)?;
    ok.then_some(entries)
}

/// The entries of a list and whether they passed, so that answers can still be compared
/// with options that broke a rule (and both problems reported at once).
fn checked_list(
    cx: &mut Ctx,
    t: &mut Table,
    key: &str,
    size: RangeInclusive<usize>,
) -> Option<(Vec<Located<String>>, bool)> {
    t.require(cx, key)?;
    let entries = t.strings(cx, key)?;
    let mut ok = true;
    if !size.contains(&entries.value.len()) {
        let limit = if *size.end() == usize::MAX {
            format!("at least {}", size.start())
        } else {
            format!("{} to {}", size.start(), size.end())
        };
        cx.error(
            entries.loc,
            format!(
                "`{key}` needs {limit} entries, found {}",
                entries.value.len()
            ),
        );
        ok = false;
    }
    let mut seen = HashSet::new();
    for e in &entries.value {
        if e.value.trim().is_empty() {
            cx.error(e.loc, format!("empty entry in `{key}`"));
            ok = false;
        } else if !seen.insert(e.value.as_str()) {
            cx.error(e.loc, format!("duplicate entry {:?} in `{key}`", e.value));
            ok = false;
        }
    }
    Some((entries.value, ok))
}
