//! Turning one line typed in the terminal into what the playground should do.
//!
//! Commands start with `/` and are read by the command catalogue's parser
//! ([`crate::app::commands::parse`]): a near-miss name gets a suggestion and a bad argument
//! the usage line, right here; everything else is an answer. Pure: no I/O, so the parsing
//! is tested with tables.

use chrono::Duration;

use crate::app::commands::{self, Cmd, UsageError};

/// One line of terminal input, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Nothing typed.
    Empty,
    /// `/quit` or `/exit`.
    Quit,
    /// `/skip 1d`: advance the virtual clock.
    Skip(Duration),
    /// `/skip` with something we could not read.
    BadSkip(String),
    /// Any other `/command args`, handed to the app (also an unknown name with no
    /// likely meaning: the app answers it with everything it understands).
    Command { name: String, args: String },
    /// A mistyped name or bad arguments: what to tell the person (the usage line, or the
    /// command they probably meant), without asking the app.
    Usage(String),
    /// Plain text: an answer (an option number or letter, or the text itself).
    Text(String),
}

/// Reads one input line.
pub fn parse_line(line: &str) -> Line {
    let line = line.trim();
    if line.is_empty() {
        return Line::Empty;
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Line::Text(line.to_owned());
    };
    let (name, args) = match rest.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (rest, ""),
    };
    let name = name.to_lowercase();
    match commands::parse(&name, args) {
        Ok(parsed) => match parsed.cmd() {
            Cmd::Quit => Line::Quit,
            Cmd::Skip => match parse_span(if args.is_empty() { "1d" } else { args }) {
                Some(d) => Line::Skip(d),
                None => Line::BadSkip(args.to_owned()),
            },
            _ => Line::Command {
                name,
                args: args.to_owned(),
            },
        },
        Err(UsageError::Unknown {
            suggestion: None, ..
        }) => Line::Command {
            name,
            args: args.to_owned(),
        },
        Err(usage) => Line::Usage(usage.to_string()),
    }
}

/// `30m`, `6h`, `1d`, `2w` (at most four weeks: the demo is about days, not years).
pub fn parse_span(s: &str) -> Option<Duration> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let n: i64 = s[..s.len() - unit.len_utf8()].trim().parse().ok()?;
    // The checked constructors: a huge count is refused, not a crash.
    let d = match unit {
        'm' => Duration::try_minutes(n),
        'h' => Duration::try_hours(n),
        'd' => Duration::try_days(n),
        'w' => Duration::try_weeks(n),
        _ => return None,
    }?;
    (n > 0 && d <= Duration::weeks(4)).then_some(d)
}

/// Which shown options a typed answer picks: `2`, `b`, `1 3`, `a,c`. `None` when the text
/// is not a list of option numbers or letters within `count`.
pub fn pick_options(text: &str, count: usize) -> Option<Vec<usize>> {
    let tokens: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return None;
    }
    let mut picked = Vec::new();
    for t in tokens {
        let i = match t.parse::<usize>() {
            Ok(n) if n >= 1 => n - 1,
            Ok(_) => return None,
            Err(_) => {
                let mut cs = t.chars();
                let c = cs.next()?.to_ascii_lowercase();
                if cs.next().is_some() || !c.is_ascii_lowercase() {
                    return None;
                }
                (c as u8 - b'a') as usize
            }
        };
        if i >= count {
            return None;
        }
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    Some(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_commands_answers_or_clock_skips() {
        assert_eq!(parse_line("  "), Line::Empty);
        assert_eq!(parse_line("/quit"), Line::Quit);
        assert_eq!(parse_line("/skip 6h"), Line::Skip(Duration::hours(6)));
        assert_eq!(parse_line("/skip"), Line::Skip(Duration::days(1)));
        assert_eq!(parse_line("/skip soon"), Line::BadSkip("soon".into()));
        assert_eq!(
            parse_line("/Why  phishing "),
            Line::Command {
                name: "why".into(),
                args: "phishing".into()
            }
        );
        assert_eq!(parse_line(" 2 "), Line::Text("2".into()));
        assert_eq!(parse_line("/EXIT"), Line::Quit);
    }

    #[test]
    fn the_catalogue_answers_typos_and_bad_arguments_here() {
        assert_eq!(
            parse_line("/progres"),
            Line::Usage("Unknown command /progres. Did you mean /progress?".into())
        );
        assert_eq!(
            parse_line("/why"),
            Line::Usage("Missing SKILL. Usage: /why SKILL".into())
        );
        // Nothing close: the app answers with everything it understands.
        assert_eq!(
            parse_line("/dance now"),
            Line::Command {
                name: "dance".into(),
                args: "now".into()
            }
        );
    }

    #[test]
    fn spans_are_minutes_hours_days_or_weeks() {
        assert_eq!(parse_span("1w"), Some(Duration::weeks(1)));
        assert_eq!(parse_span("90m"), Some(Duration::minutes(90)));
        let huge = [
            "9223372036854775807w",
            "99999999999999d",
            "-9223372036854775808m",
        ];
        for bad in ["", "d", "0d", "-1d", "1y", "5w", "1.5d", "٣d", "1e9d"]
            .iter()
            .chain(&huge)
        {
            assert_eq!(parse_span(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn options_are_picked_by_number_or_letter() {
        assert_eq!(pick_options("2", 3), Some(vec![1]));
        assert_eq!(pick_options("B", 3), Some(vec![1]));
        assert_eq!(pick_options("1, c", 3), Some(vec![0, 2]));
        assert_eq!(pick_options("4", 3), None);
        assert_eq!(pick_options("0", 3), None);
        assert_eq!(pick_options("phishing", 3), None);
    }
}
