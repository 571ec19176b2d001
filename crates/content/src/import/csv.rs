//! CSV import: one question per row under a header naming the columns.
//!
//! Columns (any order; `type`, `prompt` and `answer` are required):
//! `id,stage,type,prompt,options,answer,explanation,tolerance,unit,hints,tags`.
//! Lists (`options`, several answers, `hints`, `tags`) are separated by `|`; write `\|`
//! for a literal bar and `\\` for a backslash. The exact meaning of `answer` per type is
//! in `content/README.md`. A row with a problem is reported at its `line:col` and skipped.

mod read;
mod row;

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::import::{assign_ids, Draft, ImportOptions, Imported};
use read::{records, Field};

/// The columns a CSV file may have.
pub const COLUMNS: [&str; 11] = [
    "id",
    "stage",
    "type",
    "prompt",
    "options",
    "answer",
    "explanation",
    "tolerance",
    "unit",
    "hints",
    "tags",
];
const REQUIRED: [&str; 3] = ["type", "prompt", "answer"];

/// Imports every valid row of a CSV file.
pub fn import(path: &str, src: &str, opts: &ImportOptions) -> Imported {
    let src = src.strip_prefix('\u{FEFF}').unwrap_or(src);
    let index = LineIndex::new(src);
    let mut problems = Vec::new();
    let mut report = |at: usize, message: String| {
        problems.push(Diagnostic::new(path, index.loc(at), message));
    };
    let drafts = match records(src) {
        Ok(rows) => drafts(rows, opts, &mut report),
        Err((at, message)) => {
            report(at, format!("{message}; file not imported"));
            Vec::new()
        }
    };
    Imported {
        items: assign_ids(drafts, opts),
        problems,
    }
}

/// The header, then one draft per valid row; blank rows are skipped.
fn drafts(
    rows: Vec<Vec<Field>>,
    opts: &ImportOptions,
    report: &mut impl FnMut(usize, String),
) -> Vec<Draft> {
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        report(
            0,
            "empty file: the first row must name the columns".to_owned(),
        );
        return Vec::new();
    };
    let Some(columns) = read_header(&header, report) else {
        return Vec::new();
    };
    let mut drafts = Vec::new();
    for record in rows {
        if record.iter().all(|f| f.text.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            let (fields, cols) = (record.len(), columns.len());
            let message = format!(
                "row has {fields} fields but the header has {cols} columns; row not imported"
            );
            report(record[0].at, message);
            continue;
        }
        match row::draft(&row::Cells::new(&columns, &record), opts) {
            Ok(draft) => drafts.push(draft),
            Err(errs) => errs
                .into_iter()
                .for_each(|(at, m)| report(at, format!("{m}; row not imported"))),
        }
    }
    drafts
}

/// The column names, or `None` after reporting an unknown, repeated or missing one.
fn read_header(header: &[Field], report: &mut impl FnMut(usize, String)) -> Option<Vec<String>> {
    let mut ok = true;
    let mut names: Vec<String> = Vec::new();
    for f in header {
        let name = f.text.trim().to_ascii_lowercase();
        if !COLUMNS.contains(&name.as_str()) {
            report(
                f.at,
                format!("unknown column {name:?}: expected {}", COLUMNS.join(", ")),
            );
            ok = false;
        } else if names.contains(&name) {
            report(f.at, format!("column {name:?} appears twice"));
            ok = false;
        }
        names.push(name);
    }
    for required in REQUIRED {
        if !names.iter().any(|n| n == required) {
            report(header[0].at, format!("missing column {required:?}: the header needs at least type, prompt and answer"));
            ok = false;
        }
    }
    ok.then_some(names)
}

#[cfg(test)]
mod tests;
