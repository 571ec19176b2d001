//! GIFT text as characters that remember whether they were escaped and where they were
//! written, so that structure (`{`, `=`, `~`, `#`, `::`) is only recognised unescaped and
//! every problem can be reported at its position.

/// One character of a question, after escape processing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ch {
    pub c: char,
    /// Written as `\=`, `\~`, `\#`, `\{`, `\}`, `\:`, `\\` or `\n`: never structure.
    pub escaped: bool,
    /// Byte offset in the source file.
    pub at: usize,
}

/// Turns one source line into characters, resolving GIFT's escapes.
pub(super) fn chars_of_line(line: &str, line_start: usize, out: &mut Vec<Ch>) {
    let mut it = line.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let at = line_start + i;
        if c == '\\' {
            match it.peek().map(|&(_, n)| n) {
                Some(n @ ('=' | '~' | '#' | '{' | '}' | ':' | '\\')) => {
                    it.next();
                    out.push(Ch {
                        c: n,
                        escaped: true,
                        at,
                    });
                    continue;
                }
                Some('n') => {
                    it.next();
                    out.push(Ch {
                        c: '\n',
                        escaped: true,
                        at,
                    });
                    continue;
                }
                _ => {}
            }
        }
        out.push(Ch {
            c,
            escaped: false,
            at,
        });
    }
}

/// Position of the first unescaped `pattern` at or after `from`.
pub(super) fn find(chars: &[Ch], from: usize, pattern: &str) -> Option<usize> {
    let pat: Vec<char> = pattern.chars().collect();
    (from..chars.len()).find(|&i| {
        chars.len() - i >= pat.len()
            && pat
                .iter()
                .enumerate()
                .all(|(k, p)| chars[i + k].c == *p && !chars[i + k].escaped)
    })
}

/// Position of the first unescaped character satisfying `pred` at or after `from`.
pub(super) fn find_any(chars: &[Ch], from: usize, pred: impl Fn(char) -> bool) -> Option<usize> {
    (from..chars.len()).find(|&i| !chars[i].escaped && pred(chars[i].c))
}

/// The text of a run of characters, trimmed.
pub(super) fn text(chars: &[Ch]) -> String {
    chars
        .iter()
        .map(|c| c.c)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Index of the first non-whitespace character at or after `from`.
pub(super) fn skip_ws(chars: &[Ch], from: usize) -> usize {
    (from..chars.len())
        .find(|&i| !chars[i].c.is_whitespace())
        .unwrap_or(chars.len())
}

/// Crude HTML to text for `[html]` questions: tags dropped, breaks kept, common entities
/// decoded. Enough for question banks exported from Moodle; not a general HTML renderer.
pub(super) fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        if tag.starts_with("br") || tag == "/p" || tag == "/div" || tag == "/li" {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let decoded = [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(out, |s, (from, to)| s.replace(from, to));
    decoded.trim().to_owned()
}
