//! Moodle GIFT import.
//!
//! Supported: multiple choice (`{=right ~wrong}`), multiple answers (`{~%50%a ~%50%b
//! ~%-100%c}`), true/false (`{T}`, `{TRUE}`, `{F}`, `{FALSE}`, with `#wrong#right`
//! feedback), short answer (`{=a =b}`), numeric (`{#3.14:0.01}`, `{#1..5}`, several
//! `{#=3.14:0.01 =%50%3:1}`), essays (`{}`: a free-text item whose rubric is the general
//! feedback, one point a line), missing-word questions (text on both sides of the block:
//! the prompt shows `_____` where the answer goes, and the block becomes whichever item
//! its answers describe), `::title::`, `// comments`, per-answer `#feedback`, general
//! feedback `####`, `$CATEGORY:` (its last level becomes a tag), the escapes
//! `\= \~ \# \{ \} \: \\ \n` and the `[markdown]`, `[html]`, `[plain]`, `[moodle]` format
//! tags. Questions with the same title get distinct ids (`-2`, `-3`, ...).
//!
//! Short-text items have no weights, so a short answer's partial-credit answers
//! (`=%50%b`) are not accepted: each is named in the item's explanation and reported,
//! and the full-credit answers are imported. Still reported at `path:line:col` and not
//! imported: matching questions (`=a -> b`), descriptions (no answer block) and a second
//! answer block in one question; numeric answers besides the full-credit one are
//! reported and left out.

mod answers;
mod text;

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::import::{assign_ids, Draft, IdSource, ImportOptions, Imported};
use text::{chars_of_line, find, skip_ws, Ch};

/// Imports every supported question of a GIFT file.
pub fn import(path: &str, src: &str, opts: &ImportOptions) -> Imported {
    let src = src.strip_prefix('\u{FEFF}').unwrap_or(src);
    let index = LineIndex::new(src);
    let mut cx = GiftCx {
        path,
        index: &index,
        problems: Vec::new(),
    };
    let mut drafts = Vec::new();
    for block in blocks(src) {
        if let Some(draft) = question(&mut cx, &block, opts) {
            drafts.push(draft);
        }
    }
    Imported {
        items: assign_ids(drafts, opts),
        problems: cx.problems,
    }
}

/// The file being imported and the problems found so far.
pub(super) struct GiftCx<'a> {
    path: &'a str,
    index: &'a LineIndex<'a>,
    problems: Vec<Diagnostic>,
}

impl GiftCx<'_> {
    pub fn problem(&mut self, at: usize, message: impl Into<String>) {
        let loc = self.index.loc(at);
        self.problems.push(Diagnostic::new(self.path, loc, message));
    }
    pub fn unsupported(&mut self, at: usize, what: &str) {
        self.problem(
            at,
            format!("unsupported GIFT construct: {what}; question not imported"),
        );
    }
}

/// One question's characters, and the category it was filed under.
struct Block {
    chars: Vec<Ch>,
    category: Option<String>,
}

/// Splits the file into questions at blank lines, dropping `//` comment lines and
/// picking up `$CATEGORY:` lines.
fn blocks(src: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut category = None;
    let mut current: Vec<Ch> = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if let Some(cat) = trimmed.strip_prefix("$CATEGORY:") {
            category = cat.trim().rsplit('/').next().map(|s| s.trim().to_owned());
            continue;
        }
        if trimmed.is_empty() {
            if current.iter().any(|c| !c.c.is_whitespace()) {
                out.push(Block {
                    chars: std::mem::take(&mut current),
                    category: category.clone(),
                });
            }
            current.clear();
            continue;
        }
        if !current.is_empty() {
            current.push(Ch {
                c: '\n',
                escaped: false,
                at: start.saturating_sub(1),
            });
        }
        chars_of_line(content, start, &mut current);
    }
    if current.iter().any(|c| !c.c.is_whitespace()) {
        out.push(Block {
            chars: current,
            category,
        });
    }
    out
}

/// Text format of a question, from its `[format]` tag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Format {
    Plain,
    Html,
}

impl Format {
    pub fn apply(self, text: String) -> String {
        match self {
            Format::Plain => text,
            Format::Html => text::html_to_text(&text),
        }
    }
}

fn question(cx: &mut GiftCx, block: &Block, opts: &ImportOptions) -> Option<Draft> {
    let chars = &block.chars;
    let start = skip_ws(chars, 0);
    let (title, i) = title(cx, chars, start)?;
    let (format, i) = format_tag(chars, i);
    let (open, close) = answer_block(cx, chars, i)?;
    let prompt = with_blank(
        format.apply(text::text(&chars[i..open])),
        format.apply(text::text(&chars[close + 1..])),
    );
    if prompt.is_empty() {
        cx.problem(
            chars[start].at,
            "question has no text; question not imported",
        );
        return None;
    }
    let (key, explanation) = answers::parse(cx, &chars[open..=close], format)?;
    Some(Draft {
        id: match title.filter(|t| !t.is_empty()) {
            Some(t) => IdSource::Title(t),
            None => IdSource::Numbered,
        },
        stage: opts.stage,
        prompt,
        key,
        explanation,
        hints: Vec::new(),
        tags: block
            .category
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect(),
    })
}

/// An optional `::title::`; returns it and where the question text starts.
fn title(cx: &mut GiftCx, chars: &[Ch], i: usize) -> Option<(Option<String>, usize)> {
    if find(chars, i, "::") != Some(i) {
        return Some((None, i));
    }
    let Some(end) = find(chars, i + 2, "::") else {
        let message = "question title opened with `::` is never closed; question not imported";
        cx.problem(chars[i].at, message);
        return None;
    };
    Some((
        Some(text::text(&chars[i + 2..end])),
        skip_ws(chars, end + 2),
    ))
}

/// The positions of `{` and `}`. Text may follow the block (a missing-word question), but
/// a second block cannot be expressed by one item.
fn answer_block(cx: &mut GiftCx, chars: &[Ch], i: usize) -> Option<(usize, usize)> {
    let Some(open) = find(chars, i, "{") else {
        let at = chars[skip_ws(chars, 0)].at;
        cx.unsupported(at, "description (a question without an answer block)");
        return None;
    };
    let Some(close) = find(chars, open + 1, "}") else {
        let message = "answer block opened with `{` is never closed; question not imported";
        cx.problem(chars[open].at, message);
        return None;
    };
    if let Some(second) = find(chars, close + 1, "{") {
        cx.unsupported(chars[second].at, "a second answer block in one question");
        return None;
    }
    Some((open, close))
}

/// What a missing-word question shows in place of its answer block.
const BLANK: &str = "_____";

/// The question text, with [`BLANK`] where the answer goes when text follows the block.
fn with_blank(before: String, after: String) -> String {
    if after.is_empty() {
        return before;
    }
    let glue = if after.starts_with(|c: char| ".,;:!?)".contains(c)) {
        ""
    } else {
        " "
    };
    if before.is_empty() {
        format!("{BLANK}{glue}{after}")
    } else {
        format!("{before} {BLANK}{glue}{after}")
    }
}

/// Reads an optional `[html]`-style tag; returns the format and where the text starts.
fn format_tag(chars: &[Ch], i: usize) -> (Format, usize) {
    let rest: String = chars[i..].iter().take(12).map(|c| c.c).collect();
    for (tag, format) in [
        ("[html]", Format::Html),
        ("[markdown]", Format::Plain),
        ("[plain]", Format::Plain),
        ("[moodle]", Format::Plain),
    ] {
        if rest.starts_with(tag) {
            return (format, i + tag.len());
        }
    }
    (Format::Plain, i)
}

#[cfg(test)]
mod tests;
