//! Numeric answers: reading a number the way people type it (thousands separators, a
//! trailing unit) and comparing it within a tolerance.

use super::{Answer, Grade};
use crate::model::Tolerance;

/// A number read from a learner's text, with the unit they typed after it, if any.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub value: f64,
    pub unit: Option<String>,
}

/// Reads `1,234.5`, `1 234`, `1_234`, `-3.5 kg`, `12%`, `1.234,5` (comma decimal).
/// Returns None when there is no unambiguous number at the start of the text.
pub(crate) fn read_number(input: &str) -> Option<Reading> {
    let s = input.trim().replace('−', "-");
    let split = s
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || ".,_ \u{a0}\u{202f}\u{2009}".contains(c)
                || (i == 0 && "+-".contains(c)))
        })
        .map_or(s.len(), |(i, _)| i);
    let (number, unit) = s.split_at(split);
    let value = parse_digits(number.trim_end())?;
    let unit = unit.trim();
    Some(Reading {
        value,
        unit: (!unit.is_empty()).then(|| unit.to_owned()),
    })
}

fn parse_digits(number: &str) -> Option<f64> {
    let (sign, body) = match number.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, number.strip_prefix('+').unwrap_or(number)),
    };
    let body = ungroup(body, &[' ', '_', '\u{a0}', '\u{202f}', '\u{2009}'])?;
    let plain = match (body.rfind(','), body.rfind('.')) {
        // Both present: whichever comes last is the decimal point.
        (Some(c), Some(d)) if c < d => ungroup(&body, &[','])?,
        (Some(_), Some(_)) => ungroup(&body, &['.'])?.replace(',', "."),
        (Some(_), None) if thousands_groups(&body, ',') => body.replace(',', ""),
        (Some(_), None) if body.matches(',').count() == 1 => body.replace(',', "."),
        (Some(_), None) => return None,
        (None, _) => body,
    };
    if !plain.chars().any(|c| c.is_ascii_digit()) || plain.matches('.').count() > 1 {
        return None;
    }
    plain.parse::<f64>().ok().map(|v| sign * v)
}

/// Removes grouping separators, but only where they really group thousands, so that a
/// stray space in "1 2" is not read as twelve.
fn ungroup(body: &str, seps: &[char]) -> Option<String> {
    let parts: Vec<&str> = body.split(|c| seps.contains(&c)).collect();
    if parts.len() == 1 {
        return Some(body.to_owned());
    }
    let first_ok =
        (1..=3).contains(&parts[0].len()) && parts[0].chars().all(|c| c.is_ascii_digit());
    let rest_ok = parts[1..].iter().all(|p| {
        let digits = p.chars().take_while(char::is_ascii_digit).count();
        digits == 3
    });
    (first_ok && rest_ok).then(|| parts.concat())
}

fn thousands_groups(body: &str, sep: char) -> bool {
    ungroup(body, &[sep]).is_some() && !body.contains('.')
}

/// The typed unit, if it looks like one and so can be quoted back in feedback: short,
/// letters, digits and unit signs only. Anything else (a mention, markup, invisible or
/// bidi characters) is not repeated: feedback is shown as written, and the engine does not
/// know how each platform escapes text.
fn quotable_unit(given: &str) -> Option<&str> {
    let ok = given.chars().count() <= 16
        && given
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || "%°/µ·^²³$€£¥'.-".contains(c));
    ok.then_some(given)
}

/// Units compare case-insensitively, ignoring spaces, a trailing dot and a plural "s".
fn same_unit(given: &str, key: &str) -> bool {
    let norm = |u: &str| -> String {
        u.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .trim_end_matches('.')
            .to_lowercase()
    };
    let (g, k) = (norm(given), norm(key));
    g == k || g.strip_suffix('s') == Some(k.as_str()) || k.strip_suffix('s') == Some(g.as_str())
}

fn within(given: f64, value: f64, tolerance: Tolerance) -> bool {
    let allowed = match tolerance {
        Tolerance::Absolute(t) => t.abs(),
        Tolerance::Relative(r) => r.abs() * value.abs(),
    };
    // A hair of slack so that 0.1 + 0.2 style binary noise never fails a right answer.
    let slack = 1e-9 * value.abs().max(1.0);
    (given - value).abs() <= allowed + slack
}

pub(super) fn grade_numeric(
    value: f64,
    tolerance: Tolerance,
    unit: Option<&str>,
    answer: &Answer,
) -> Grade {
    let right = match unit {
        Some(u) => format!("{value} {u}"),
        None => format!("{value}"),
    };
    let Some(reading) = (match answer {
        Answer::Text(t) => read_number(t),
        _ => None,
    }) else {
        return Grade::wrong(format!(
            "I couldn't read a number there: the answer is {right}."
        ));
    };
    match (reading.unit.as_deref(), unit) {
        (Some(given), Some(key)) if !same_unit(given, key) => {
            return Grade::wrong(match quotable_unit(given) {
                Some(given) => {
                    format!("That is in “{given}”, but this answer is in {key}: it is {right}.")
                }
                None => format!("That is not in {key}: the answer is {right}."),
            });
        }
        (Some(given), None) => {
            return Grade::wrong(match quotable_unit(given) {
                Some(given) => {
                    format!("This answer has no unit, so “{given}” doesn't fit: it is {right}.")
                }
                None => format!("This answer has no unit: it is {right}."),
            });
        }
        _ => {}
    }
    if !within(reading.value, value, tolerance) {
        return Grade::wrong(format!("Not quite: the answer is {right}."));
    }
    if reading.value == value {
        Grade::correct(format!("Right: {right}."))
    } else {
        Grade::correct(format!("Right, close enough: the exact answer is {right}."))
    }
}
