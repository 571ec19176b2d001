//! Making user-supplied text safe to echo, and fitting text into platform limits.
//!
//! Every string a user typed (names, answers, questions) passes through [`sanitize`]
//! before it is put into a reply: no mass mentions, no markdown that breaks the message
//! around it. Cutting always happens on grapheme boundaries, never inside a character.

use unicode_segmentation::UnicodeSegmentation;

/// Neutralises mentions and markdown control characters in user text.
///
/// `@everyone`, `@here`, user/role/channel mentions (`<@123>`, `<@&1>`, `<#1>`) are broken
/// with a zero-width space so they render as text; markdown markers are escaped so an
/// answer like `**` cannot bold the rest of the message; newlines are kept.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        match c {
            '@' => out.push_str("@\u{200B}"),
            '<' => out.push_str("<\u{200B}"),
            '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            // Control characters other than newline and tab can corrupt terminals.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Cuts `text` to at most `max_chars` characters on a grapheme boundary, ending with `…`
/// when something was cut.
pub fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let budget = max_chars.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    for g in text.graphemes(true) {
        let n = g.chars().count();
        if used + n > budget {
            break;
        }
        out.push_str(g);
        used += n;
    }
    out.push('…');
    out
}

/// Splits `text` into chunks of at most `max_chars` characters, preferring to break at a
/// paragraph, then a line, then a space, and never inside a grapheme.
pub fn split(text: &str, max_chars: usize) -> Vec<String> {
    assert!(max_chars > 0, "a chunk must hold at least one character");
    let mut chunks = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max_chars {
        let graphemes: Vec<(usize, &str)> = rest.grapheme_indices(true).collect();
        let mut chars = 0;
        let mut limit = 0; // byte index after the last grapheme that fits
        for (i, g) in &graphemes {
            let n = g.chars().count();
            if chars + n > max_chars {
                break;
            }
            chars += n;
            limit = i + g.len();
        }
        if limit == 0 {
            // A single grapheme longer than the limit: emit it whole rather than loop.
            limit = graphemes
                .first()
                .map(|(_, g)| g.len())
                .unwrap_or(rest.len());
        }
        let head = &rest[..limit];
        let cut = ["\n\n", "\n", " "]
            .iter()
            .filter_map(|sep| head.rfind(sep).map(|i| i + sep.len()))
            .find(|&i| i > limit / 2)
            .unwrap_or(limit);
        chunks.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start_matches([' ', '\n']);
    }
    if !rest.is_empty() || chunks.is_empty() {
        chunks.push(rest.to_owned());
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mass_mentions_do_not_ping() {
        let s = sanitize("hi @everyone and @here <@123> <@&9>");
        assert!(!s.contains("@everyone"));
        assert!(!s.contains("@here"));
        assert!(!s.contains("<@"));
        assert!(s.contains("everyone"));
    }

    #[test]
    fn markdown_in_user_text_is_escaped() {
        assert_eq!(sanitize("**bold** `x`"), "\\*\\*bold\\*\\* \\`x\\`");
        assert_eq!(sanitize("a\u{0007}b\nc"), "ab\nc");
    }

    #[test]
    fn truncate_never_cuts_inside_a_character() {
        let family = "👨‍👩‍👧‍👦";
        let text = format!("ab{family}{family}");
        let cut = truncate(&text, 4);
        assert!(cut.chars().count() <= 4, "{cut}");
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("héllo", 10), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
    }

    #[test]
    fn split_respects_the_limit_and_keeps_all_words() {
        let text = "word ".repeat(1000);
        let parts = split(&text, 2000);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.chars().count() <= 2000));
        let words: usize = parts.iter().map(|p| p.split_whitespace().count()).sum();
        assert_eq!(words, 1000);
        let emoji = "é".repeat(4001);
        assert!(split(&emoji, 2000)
            .iter()
            .all(|p| p.chars().count() <= 2000));
    }
}
