//! Diagnostics: one problem in one file at one position, printed as `path:line:col: message`.
//!
//! Positions are 1-based; columns count characters, not bytes, so that an editor jumping
//! to `3:7` lands on the seventh character even after an accented letter. Depends on
//! nothing but `std`.

use std::fmt;
use std::ops::Range;

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Loc {
    pub line: u32,
    pub col: u32,
}

impl Loc {
    /// The start of a file, used when a problem concerns the whole file.
    pub const START: Loc = Loc { line: 1, col: 1 };
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One problem found in content or in an import file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// The path as the caller gave it (relative paths stay relative).
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: loc.line,
            col: loc.col,
            message: message.into(),
        }
    }

    /// `path:line:col`, the form used to point at another definition in a message.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.path, self.line, self.col)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.col, self.message
        )
    }
}

/// Where a value was written: its file and position, kept so that later checks (duplicate
/// ids across files, unknown references) can point back at it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    pub path: String,
    pub loc: Loc,
}

impl Site {
    pub fn diag(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.path.clone(), self.loc, message)
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.loc)
    }
}

/// Turns byte offsets into line and column for one source text.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of a byte offset; offsets past the end land on the last position, and
    /// offsets inside a multi-byte character count that character.
    pub fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self.text[start..]
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .count();
        Loc {
            line: line as u32 + 1,
            col: col as u32 + 1,
        }
    }

    /// The position where a span starts.
    pub fn span_loc(&self, span: &Range<usize>) -> Loc {
        self.loc(span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçé=x\n\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.loc(0), Loc { line: 1, col: 1 });
        assert_eq!(idx.loc(1), Loc { line: 1, col: 2 });
        assert_eq!(idx.loc(3), Loc { line: 2, col: 1 });
        // 'ç' and 'é' are two bytes each: '=' is byte 7 but the third character.
        assert_eq!(idx.loc(7), Loc { line: 2, col: 3 });
        assert_eq!(idx.loc(10), Loc { line: 3, col: 1 });
        assert_eq!(idx.loc(11), Loc { line: 4, col: 1 });
        assert_eq!(idx.loc(999), Loc { line: 4, col: 5 });
    }

    #[test]
    fn displays_as_path_line_col_message() {
        let d = Diagnostic::new("content/a.toml", Loc { line: 3, col: 7 }, "boom");
        assert_eq!(d.to_string(), "content/a.toml:3:7: boom");
    }
}
