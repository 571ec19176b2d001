//! Writing items (and a skill header) as TOML in the content format.
//!
//! Written by hand rather than through a serializer so the output reads like content an
//! author wrote: keys in the README's order, multi-line prompts as `"""` blocks, defaults
//! left out. Every string goes through [`string`], which escapes everything TOML needs.

use ladder_engine::{AnswerKey, Item, Tolerance};
use std::fmt::Write;

/// The `[skill]` table of a new skill file.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillHeader {
    pub id: String,
    pub title: String,
    pub objective: String,
}

/// A complete skill file: the header, then the items.
pub fn skill_file(header: &SkillHeader, items: &[Item]) -> String {
    let mut out = String::new();
    out.push_str("[skill]\n");
    field(&mut out, "id", &string(&header.id));
    field(&mut out, "title", &string(&header.title));
    field(&mut out, "objective", &string(&header.objective));
    out.push('\n');
    out.push_str(&items_toml(items));
    out
}

/// `[[item]]` tables, ready to append to a skill file.
pub fn items_toml(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        item_toml(&mut out, item);
        out.push('\n');
    }
    out
}

fn item_toml(out: &mut String, item: &Item) {
    out.push_str("[[item]]\n");
    field(out, "id", &string(item.id.as_str()));
    field(out, "stage", &string(item.stage.as_str()));
    field(out, "type", &string(item.key.type_name()));
    if item.core {
        field(out, "core", "true");
    }
    field(out, "prompt", &string(&item.prompt));
    key_fields(out, &item.key);
    field(out, "explanation", &string(&item.explanation));
    if !item.hints.is_empty() {
        field(out, "hints", &list(&item.hints));
    }
    if item.fluency_secs != item.key.default_fluency_secs() {
        field(out, "fluency_secs", &item.fluency_secs.to_string());
    }
    if !item.tags.is_empty() {
        field(out, "tags", &list(&item.tags));
    }
}

fn key_fields(out: &mut String, key: &AnswerKey) {
    match key {
        AnswerKey::SingleChoice { options, correct } => {
            field(out, "options", &list(options));
            field(out, "answer", &string(&options[*correct]));
        }
        AnswerKey::MultiSelect { options, correct } => {
            field(out, "options", &list(options));
            let answers: Vec<String> = correct.iter().map(|&i| options[i].clone()).collect();
            field(out, "answers", &list(&answers));
        }
        AnswerKey::TrueFalse { answer } => field(out, "answer", &answer.to_string()),
        AnswerKey::ShortText {
            accepted,
            max_edits,
        } => {
            field(out, "answers", &list(accepted));
            if *max_edits > 0 {
                field(out, "max_edits", &max_edits.to_string());
            }
        }
        AnswerKey::Numeric {
            value,
            tolerance,
            unit,
        } => {
            field(out, "answer", &number(*value));
            match tolerance {
                Tolerance::Absolute(t) if *t == 0.0 => {}
                Tolerance::Absolute(t) => field(out, "tolerance", &number(*t)),
                Tolerance::Relative(r) => field(out, "tolerance_pct", &number(r * 100.0)),
            }
            if let Some(unit) = unit {
                field(out, "unit", &string(unit));
            }
        }
        AnswerKey::Ordering { sequence } => field(out, "sequence", &list(sequence)),
        AnswerKey::FreeText {
            rubric,
            model_answer,
        } => {
            field(out, "rubric", &list(rubric));
            if let Some(m) = model_answer {
                field(out, "model_answer", &string(m));
            }
        }
    }
}

fn field(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

/// A TOML number: `Debug` keeps a decimal point or exponent, so a float never turns into
/// an out-of-range integer.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

fn list(values: &[String]) -> String {
    let parts: Vec<String> = values.iter().map(|v| single_line(v)).collect();
    format!("[{}]", parts.join(", "))
}

/// A TOML string: a `"""` block when the text has several lines, else a basic string.
pub fn string(s: &str) -> String {
    if s.contains('\n') {
        // The newline right after the opening quotes is dropped by TOML, and escaping
        // every quote means no run of three can close the block early.
        format!("\"\"\"\n{}\"\"\"", escape(s, true))
    } else {
        single_line(s)
    }
}

fn single_line(s: &str) -> String {
    format!("\"{}\"", escape(s, false))
}

fn escape(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_survive_a_round_trip_through_toml() {
        for s in [
            "plain",
            "quote \" and \\ backslash",
            "two\nlines \"\"\" end\"",
            "tab\tcr\r\u{7}bell",
            "ends with quote\"\n",
        ] {
            let doc = format!("v = {}\n", string(s));
            let parsed: toml::Table = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(parsed["v"].as_str(), Some(s), "{doc}");
        }
    }

    #[test]
    fn numbers_stay_valid_toml() {
        for v in [3.0, 0.01, -2.5, 1e20, 1e-9] {
            let doc = format!("v = {}\n", number(v));
            let parsed: toml::Table = toml::from_str(&doc).unwrap();
            let back = parsed["v"]
                .as_float()
                .or(parsed["v"].as_integer().map(|i| i as f64));
            assert_eq!(back, Some(v), "{doc}");
        }
    }
}
