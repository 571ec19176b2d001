//! Making user-supplied text safe to echo, and fitting text into platform limits.
//!
//! Every string a user typed (names, answers, questions) passes through [`sanitize`]
//! before it is put into a reply: no mass mentions, no markdown that breaks the message
//! around it. Cutting always happens on grapheme boundaries, never inside a character.

use unicode_segmentation::UnicodeSegmentation;

/// Neutralises mentions, markdown and display spoofing in user text.
///
/// `@everyone`, `@here`, user/role/channel mentions (`<@123>`, `<@&1>`, `<#1>`) are broken
/// with a zero-width space so they render as text; markdown markers are escaped so an
/// answer like `**` cannot bold the rest of the message; newlines are kept. Control
/// characters, bidi overrides and isolates, and invisible format characters are dropped
/// (see [`is_spoofing`]), so text cannot run backwards over what follows it, hide a
/// mention between invisible characters, or smuggle a terminal escape.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    let mut chars = input.chars().peekable();
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '@' => out.push_str("@\u{200B}"),
            '<' => out.push_str("<\u{200B}"),
            '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            // Joiners shape emoji sequences and some scripts; between ASCII they only hide
            // things, so they stay only between two non-ASCII characters.
            '\u{200C}' | '\u{200D}' => {
                let joins = prev.is_some_and(|p| !p.is_ascii())
                    && chars.peek().is_some_and(|n| !n.is_ascii());
                if joins {
                    out.push(c);
                }
            }
            // Tag characters only belong in subdivision flags (a black flag, tags, cancel).
            '\u{E0020}'..='\u{E007F}'
                if prev.is_some_and(|p| {
                    p == '\u{1F3F4}' || ('\u{E0020}'..='\u{E007F}').contains(&p)
                }) =>
            {
                out.push(c)
            }
            // Control characters other than newline and tab can corrupt terminals.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c if is_spoofing(c) => {}
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// Format characters (Unicode category Cf) and blank-looking letters that change how the
/// text around them is displayed without showing themselves: bidi embeddings, overrides,
/// isolates and marks, zero-width spaces and joiners, word joiners, invisible operators,
/// the byte-order mark, soft hyphens, interlinear annotation marks, tags, and fillers.
pub fn is_spoofing(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{0600}'..='\u{0605}' | '\u{06DD}'
        | '\u{070F}' | '\u{0890}' | '\u{0891}' | '\u{08E2}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// The longest display name echoed, in characters.
pub const NAME_CHARS: usize = 64;

/// A person's or a team's name as the bot echoes it in a line of text (leaderboards,
/// summaries, notices, queues): one line, at most [`NAME_CHARS`] characters, sanitised,
/// and never empty, so an invisible or hostile name still reads as someone.
pub fn name(raw: &str) -> String {
    let line: String = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let shown = sanitize(&truncate(&line, NAME_CHARS));
    let visible = shown
        .chars()
        .any(|c| !c.is_whitespace() && !is_spoofing(c) && !c.is_control() && c != '\\');
    if visible {
        shown
    } else {
        "someone".to_owned()
    }
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
            // A single grapheme longer than the limit (thousands of joined emoji): cut it
            // by characters, the only way to keep within the limit.
            limit = rest
                .char_indices()
                .nth(max_chars)
                .map_or(rest.len(), |(i, _)| i);
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
    fn bidi_and_invisible_characters_are_dropped() {
        let spoof = "a\u{202E}b\u{2066}c\u{2069}d\u{200B}e\u{200F}f\u{2060}g\u{FEFF}h\u{00AD}i";
        assert_eq!(sanitize(spoof), "abcdefghi");
        // Hidden between invisible characters, a mention is still broken.
        let hidden = sanitize("@\u{2060}everyone <\u{200B}@&12>");
        assert_eq!(hidden, "@\u{200B}everyone <\u{200B}@\u{200B}&12\\>");
        // Joiners survive inside emoji and scripts, not between ASCII letters.
        assert_eq!(sanitize("👩\u{200D}💻"), "👩\u{200D}💻");
        assert_eq!(sanitize("ad\u{200D}min"), "admin");
        assert_eq!(sanitize("line\u{2028}break"), "line\nbreak");
    }

    #[test]
    fn names_are_one_short_safe_line_and_never_empty() {
        assert_eq!(name("Pat"), "Pat");
        assert_eq!(
            name("Ada\n# Lovelace\t <@1>"),
            "Ada \\# Lovelace <\u{200B}@\u{200B}1\\>"
        );
        assert_eq!(name("\u{202E}\u{200B}\u{3164}"), "someone");
        assert_eq!(name(""), "someone");
        let long = name(&"x".repeat(500));
        assert_eq!(long.chars().count(), NAME_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn split_cuts_a_grapheme_longer_than_the_limit() {
        let coder = "👩\u{200D}💻".repeat(1000); // one grapheme of 3,000 characters
        let parts = split(&coder, 2000);
        assert!(parts.iter().all(|p| p.chars().count() <= 2000));
        assert_eq!(parts.concat().chars().count(), 3000);
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
