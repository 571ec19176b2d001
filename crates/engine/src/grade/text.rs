//! Short-text grading: Unicode-aware normalisation and a bounded edit distance.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::{Answer, Grade};

/// Folds what learners do not mean to distinguish: compatibility forms and accents (NFKD,
/// then combining marks dropped), case, punctuation, and runs of whitespace. Symbols that
/// carry meaning stay ("C++" is not "C", "5%" is not "5").
pub(crate) fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() || is_meaningful_symbol(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || is_separator_punctuation(c) {
            pending_space = true;
        }
        // Other punctuation (apostrophes, quotes, dots) vanishes: "don't" == "dont".
    }
    out
}

/// Symbols that change what an answer means, unlike punctuation: ASCII operators and
/// signs, and anything outside ASCII that is not general punctuation (°, €, µ, ...).
fn is_meaningful_symbol(c: char) -> bool {
    if c.is_ascii() {
        "+#%$&@*=<>^~|".contains(c)
    } else {
        !c.is_whitespace() && !('\u{2000}'..='\u{206f}').contains(&c) && !"«»¿¡·".contains(c)
    }
}

/// Punctuation that separates words, so "well-known" matches "well known".
fn is_separator_punctuation(c: char) -> bool {
    matches!(c, '-' | '_' | '/' | ',' | ';' | ':' | '–' | '—')
}

/// Levenshtein distance over chars, giving up (None) once it must exceed `max`.
///
/// Answers far longer than the key are rejected before any work, so a 10 kB paste costs
/// one normalisation pass and nothing quadratic.
pub(crate) fn bounded_edits(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

pub(super) fn grade_short(accepted: &[String], max_edits: u8, answer: &Answer) -> Grade {
    let main = accepted.first().map(String::as_str).unwrap_or("");
    let given = match answer {
        Answer::Text(t) => normalise(t),
        _ => String::new(),
    };
    if given.is_empty() {
        return Grade::wrong(format!("No answer given: the answer is “{main}”."));
    }
    let mut best: Option<(usize, &str)> = None;
    for alt in accepted {
        let key = normalise(alt);
        if let Some(d) = bounded_edits(&given, &key, usize::from(max_edits)) {
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, alt));
            }
        }
    }
    match best {
        Some((0, _)) => Grade::correct(format!("Right: “{main}”.")),
        Some((_, alt)) => Grade::correct(format!("Right (mind the spelling: “{alt}”).")),
        None => Grade::wrong(format!("Not quite: the answer is “{main}”.")),
    }
}
