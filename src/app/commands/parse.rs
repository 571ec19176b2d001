//! Typed commands from what a person typed (or a platform flattened): `why phishing`,
//! `settings cap 2`, `admin member add Blue 42`.
//!
//! As lenient as the use cases behind it: optional arguments that do not fit are left to
//! the use case (which explains its own syntax), words after the last argument are kept,
//! and every use case still receives the argument text itself. What the catalogue can tell
//! for sure (an unknown command or subcommand, a missing or malformed required value) is
//! refused here, with the usage line. Pure.

use super::{find, ArgKind, ArgSpec, CommandSpec, Pick, SubSpec, CATALOGUE};
use crate::app::echo;

/// One argument's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    /// A choice's canonical value.
    Choice(&'static str),
    Boolean(bool),
    /// `default`: back to the team's setting.
    Default,
}

/// A command understood.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCommand {
    pub spec: &'static CommandSpec,
    /// The subcommand path, canonical names (`["team", "add"]`).
    pub path: Vec<&'static str>,
    /// The arguments read, by name.
    pub values: Vec<(&'static str, Value)>,
    /// What the use case reads: the canonical subcommand path, then the words typed after
    /// it as they were typed; empty for a subcommand that means the command alone.
    pub args: String,
}

impl ParsedCommand {
    pub fn cmd(&self) -> super::Cmd {
        self.spec.cmd
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Why a command was not understood. Its text is for the person, user input sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageError {
    Unknown {
        name: String,
        suggestion: Option<&'static str>,
    },
    Bad {
        /// What was wrong (may be empty: the usage line says it all).
        problem: String,
        /// `/why SKILL`.
        usage: String,
    },
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsageError::Unknown { name, suggestion } => {
                write!(f, "Unknown command /{name}.")?;
                match suggestion {
                    Some(s) => write!(f, " Did you mean /{s}?"),
                    None => write!(f, " Type /help to see what I understand."),
                }
            }
            UsageError::Bad { problem, usage } if problem.is_empty() => {
                write!(f, "Usage: {usage}")
            }
            UsageError::Bad { problem, usage } => write!(f, "{problem} Usage: {usage}"),
        }
    }
}

impl std::error::Error for UsageError {}

struct Tok<'a> {
    text: &'a str,
    start: usize,
}

fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(b)) => {
                out.push(Tok {
                    text: &s[b..i],
                    start: b,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push(Tok {
            text: &s[b..],
            start: b,
        });
    }
    out
}

/// Reads `/name args`.
pub fn parse(name: &str, args: &str) -> Result<ParsedCommand, UsageError> {
    let Some(spec) = find(name) else {
        return Err(UsageError::Unknown {
            name: echo(name.trim().trim_start_matches('/')),
            suggestion: suggest(name),
        });
    };
    let args = args.trim();
    let toks = tokens(args);
    if spec.subs.is_empty() {
        let values = read(spec.args, &toks, args).map_err(|problem| UsageError::Bad {
            problem,
            usage: spec.usage(),
        })?;
        return Ok(ParsedCommand {
            spec,
            path: Vec::new(),
            values,
            args: args.to_owned(),
        });
    }
    let mut path: Vec<&'static SubSpec> = Vec::new();
    let mut level: &'static [SubSpec] = spec.subs;
    let leaf = loop {
        let bad = |problem: String, path: &[&SubSpec]| UsageError::Bad {
            problem,
            usage: usage_at(spec, path),
        };
        let Some(tok) = toks.get(path.len()) else {
            if path.is_empty() && spec.bare {
                return Ok(ParsedCommand {
                    spec,
                    path: Vec::new(),
                    values: Vec::new(),
                    args: String::new(),
                });
            }
            return Err(bad(String::new(), &path));
        };
        let Some(sub) = super::find_sub(level, tok.text) else {
            let names: Vec<&str> = level.iter().map(|s| s.name).collect();
            let hint = closest(tok.text, names.iter().map(|n| (*n, *n)))
                .map(|s| format!(" Did you mean {s}?"))
                .unwrap_or_default();
            let problem = format!(
                "/{} has no \"{}\".{hint}",
                path_name(spec, &path),
                echo(tok.text)
            );
            return Err(bad(problem, &path));
        };
        path.push(sub);
        if sub.subs.is_empty() {
            break sub;
        }
        level = sub.subs;
    };
    let names: Vec<&'static str> = path.iter().map(|s| s.name).collect();
    if leaf.alone {
        return Ok(ParsedCommand {
            spec,
            path: names,
            values: Vec::new(),
            args: String::new(),
        });
    }
    let rest_toks = &toks[path.len()..];
    let values = read(leaf.args, rest_toks, args).map_err(|problem| UsageError::Bad {
        problem,
        usage: usage_at(spec, &path),
    })?;
    let rest = rest_toks.first().map_or("", |t| &args[t.start..]);
    let mut canonical = names.join(" ");
    if !rest.is_empty() {
        canonical.push(' ');
        canonical.push_str(rest);
    }
    Ok(ParsedCommand {
        spec,
        path: names,
        values,
        args: canonical,
    })
}

/// `settings cap`, for messages.
fn path_name(spec: &CommandSpec, path: &[&SubSpec]) -> String {
    std::iter::once(spec.name)
        .chain(path.iter().map(|s| s.name))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The usage line below `path`: the whole command, a group's forms, or one subcommand.
fn usage_at(spec: &CommandSpec, path: &[&SubSpec]) -> String {
    let Some((last, parents)) = path.split_last() else {
        return spec.usage();
    };
    let prefix: String = parents.iter().map(|s| format!("{} ", s.name)).collect();
    let forms: Vec<String> = last
        .forms()
        .iter()
        .map(|f| format!("{prefix}{f}"))
        .collect();
    format!("/{} {}", spec.name, forms.join(" | "))
}

/// The arguments from `toks` (offsets into `raw`), or what is wrong with them.
fn read(
    args: &[ArgSpec],
    toks: &[Tok<'_>],
    raw: &str,
) -> Result<Vec<(&'static str, Value)>, String> {
    let mut values = Vec::new();
    let mut i = 0;
    for (k, a) in args.iter().enumerate() {
        let left = &toks[i..];
        let Some(first) = left.first() else {
            if a.required {
                return Err(format!("Missing {}.", a.usage()));
            }
            continue;
        };
        if a.default_word && first.text.eq_ignore_ascii_case("default") {
            values.push((a.name, Value::Default));
            i += 1;
            continue;
        }
        let read = match a.kind {
            ArgKind::Text if k + 1 == args.len() => Some((
                Value::Text(raw[first.start..].trim().to_owned()),
                left.len(),
            )),
            ArgKind::Text => {
                let later = args[k + 1..].iter().filter(|b| b.required).count();
                let take = if a.spaces {
                    left.len().saturating_sub(later).max(1)
                } else {
                    1
                };
                let words: Vec<&str> = left[..take].iter().map(|t| t.text).collect();
                Some((Value::Text(words.join(" ")), take))
            }
            ArgKind::User | ArgKind::Channel => Some((Value::Text(first.text.to_owned()), 1)),
            ArgKind::Integer { min, max } => first
                .text
                .trim_start_matches('#')
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= min && max.is_none_or(|m| *n <= m))
                .map(|n| (Value::Integer(n), 1)),
            ArgKind::Boolean => boolean(first.text).map(|b| (Value::Boolean(b), 1)),
            ArgKind::Choice(picks) => pick(picks, left).map(|(p, n)| (Value::Choice(p), n)),
        };
        match read {
            Some((value, n)) => {
                values.push((a.name, value));
                i += n;
            }
            // An optional value that does not fit is the use case's to explain.
            None if !a.required => {}
            None => return Err(invalid(a, first.text)),
        }
    }
    Ok(values)
}

fn boolean(word: &str) -> Option<bool> {
    match word.to_lowercase().as_str() {
        "on" | "yes" | "true" => Some(true),
        "off" | "no" | "false" => Some(false),
        _ => None,
    }
}

/// The longest choice (a value or an alias, possibly several words) `toks` start with.
fn pick(picks: &[Pick], toks: &[Tok<'_>]) -> Option<(&'static str, usize)> {
    picks
        .iter()
        .flat_map(|p| {
            std::iter::once(p.value)
                .chain(p.aliases.iter().copied())
                .map(move |w| (p.value, w))
        })
        .filter_map(|(value, words)| {
            let words: Vec<&str> = words.split(' ').collect();
            let fits = words.len() <= toks.len()
                && words
                    .iter()
                    .zip(toks)
                    .all(|(w, t)| t.text.eq_ignore_ascii_case(w));
            fits.then_some((value, words.len()))
        })
        .max_by_key(|(_, n)| *n)
}

fn invalid(a: &ArgSpec, typed: &str) -> String {
    let typed = echo(typed);
    match a.kind {
        ArgKind::Integer {
            min,
            max: Some(max),
        } => {
            format!("\"{typed}\" is not a number from {min} to {max}.")
        }
        ArgKind::Integer { min, max: None } => {
            format!("\"{typed}\" is not a number of {min} or more.")
        }
        ArgKind::Boolean => format!("\"{typed}\" is not on or off."),
        ArgKind::Choice(picks) => {
            let values: Vec<&str> = picks.iter().map(|p| p.value).collect();
            let options = match values.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} or {last}", rest.join(", "))
                }
                _ => values.join(""),
            };
            format!("\"{typed}\" is not a {}: use {options}.", a.name)
        }
        _ => format!("\"{typed}\" is not a valid {}.", a.name),
    }
}

/// The command a mistyped name most likely meant (`progres` → `progress`).
pub fn suggest(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_start_matches('/');
    let candidates = CATALOGUE.iter().flat_map(|c| {
        std::iter::once((c.name, c.name)).chain(c.aliases.iter().map(move |a| (*a, c.name)))
    });
    closest(name, candidates)
}

/// The closest candidate within a small edit distance (one for short words, two beyond),
/// or one the word begins; ties go to the earlier candidate.
fn closest(
    word: &str,
    candidates: impl Iterator<Item = (&'static str, &'static str)>,
) -> Option<&'static str> {
    let word = word.to_lowercase();
    let n = word.chars().count();
    if n == 0 {
        return None;
    }
    let limit = if n < 5 { 1 } else { 2 };
    candidates
        .filter_map(|(spelled, canonical)| {
            let d = if n >= 3 && spelled.starts_with(&word) {
                1
            } else {
                distance(&word, spelled)
            };
            (d <= limit).then_some((d, canonical))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests;
