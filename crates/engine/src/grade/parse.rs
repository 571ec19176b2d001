//! What learners type in a chat, turned into an [`Answer`]: option numbers (1-based),
//! letters, option text, lists of those, yes/no words and orderings as shown.

use super::numeric::read_number;
use super::text::normalise;
use super::Answer;
use crate::model::AnswerKey;

/// Parses chat text into an answer for `key`.
///
/// `shown_order[i]` is the authored index shown at position `i` (ordering items, and choice
/// items whose options were shuffled); `None` means shown as authored. Numbers and letters
/// refer to positions as shown; option text is matched after normalisation. The error is a
/// friendly sentence telling the learner what to type.
pub fn parse_answer(
    key: &AnswerKey,
    shown_order: Option<&[usize]>,
    input: &str,
) -> Result<Answer, String> {
    let input = input.trim();
    match key {
        AnswerKey::SingleChoice { options, .. } => {
            let view = View::new(options, shown_order);
            view.pick_one(input)
                .map(Answer::Choice)
                .ok_or_else(|| view.help("Type the number or letter of your answer"))
        }
        AnswerKey::MultiSelect { options, .. } => {
            let view = View::new(options, shown_order);
            view.pick_many(input).map(Answer::Choices).ok_or_else(|| {
                view.help("Type the numbers or letters of every right option, e.g. “1, 3” or “a c”")
            })
        }
        AnswerKey::TrueFalse { .. } => parse_bool(input)
            .map(Answer::Bool)
            .ok_or_else(|| "Answer true or false (t/f, yes/no also work).".to_owned()),
        AnswerKey::Ordering { sequence } => parse_order(sequence, shown_order, input),
        AnswerKey::Numeric { unit, .. } => match read_number(input) {
            Some(_) => Ok(Answer::Text(input.to_owned())),
            None => Err(match unit {
                Some(u) => format!("Type a number, e.g. “42” or “42 {u}”."),
                None => "Type a number, e.g. “42” or “1,250.5”.".to_owned(),
            }),
        },
        AnswerKey::ShortText { .. } | AnswerKey::FreeText { .. } => {
            if input.is_empty() {
                Err("Type your answer as a message.".to_owned())
            } else {
                Ok(Answer::Text(input.to_owned()))
            }
        }
    }
}

fn parse_bool(input: &str) -> Option<bool> {
    match normalise(input).as_str() {
        "t" | "true" | "yes" | "y" | "1" | "right" | "correct" | "vrai" | "oui" => Some(true),
        "f" | "false" | "no" | "n" | "0" | "wrong" | "incorrect" | "faux" | "non" => Some(false),
        _ => None,
    }
}

/// The options as the learner saw them.
struct View<'a> {
    options: &'a [String],
    /// shown position → authored index
    order: Vec<usize>,
}

impl<'a> View<'a> {
    fn new(options: &'a [String], shown_order: Option<&[usize]>) -> Self {
        let n = options.len();
        let order = match shown_order {
            Some(o) if is_permutation(o, n) => o.to_vec(),
            _ => (0..n).collect(),
        };
        View { options, order }
    }

    /// A 1-based number or a letter, as shown; None if it is neither or out of range.
    fn position(&self, token: &str) -> Option<usize> {
        let t = token.trim_matches(|c: char| "()[].:".contains(c));
        let pos = if let Ok(k) = t.parse::<usize>() {
            k.checked_sub(1)?
        } else {
            let mut chars = t.chars();
            let c = chars.next()?.to_ascii_lowercase();
            if chars.next().is_some() || !c.is_ascii_lowercase() {
                return None;
            }
            usize::from(c as u8 - b'a')
        };
        self.order.get(pos).copied()
    }

    /// The option whose normalised text equals the input's.
    fn by_text(&self, input: &str) -> Option<usize> {
        let want = normalise(input);
        if want.is_empty() {
            return None;
        }
        self.options.iter().position(|o| normalise(o) == want)
    }

    fn pick_one(&self, input: &str) -> Option<usize> {
        // A number or letter first, since that is what the prompt shows next to each option;
        // the option's own text second ("8" can still mean the option "8" if there is no 8th).
        self.position(input).or_else(|| self.by_text(input))
    }

    fn pick_many(&self, input: &str) -> Option<Vec<usize>> {
        if input.is_empty() {
            return None;
        }
        let tokens: Vec<&str> = input
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("and") && *t != "&")
            .collect();
        let picks = tokens
            .iter()
            .map(|t| self.position(t))
            .collect::<Option<Vec<_>>>()
            .or_else(|| self.compact_letters(input))
            .or_else(|| {
                input
                    .split([',', ';', '\n'])
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| self.by_text(t))
                    .collect::<Option<Vec<_>>>()
            })?;
        let mut unique = Vec::with_capacity(picks.len());
        for p in picks {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        Some(unique)
    }

    /// "ac" or "231" typed without separators.
    fn compact_letters(&self, input: &str) -> Option<Vec<usize>> {
        let n = self.order.len();
        if input.chars().count() < 2 || input.chars().count() > n || n > 9 {
            return None;
        }
        input
            .chars()
            .map(|c| self.position(c.encode_utf8(&mut [0; 4])))
            .collect()
    }

    fn help(&self, lead: &str) -> String {
        let n = self.order.len();
        let last_letter = char::from(b'a' + (n.clamp(1, 26) - 1) as u8);
        format!("{lead}: 1–{n} or a–{last_letter}.")
    }
}

fn is_permutation(order: &[usize], n: usize) -> bool {
    let mut seen = vec![false; n];
    order.len() == n
        && order
            .iter()
            .all(|&i| i < n && !std::mem::replace(&mut seen[i], true))
}

fn parse_order(
    sequence: &[String],
    shown_order: Option<&[usize]>,
    input: &str,
) -> Result<Answer, String> {
    let n = sequence.len();
    let view = View::new(sequence, shown_order);
    let help = || {
        let example: Vec<String> = (1..=n).rev().map(|k| k.to_string()).collect();
        format!(
            "List all {n} steps by their numbers or letters in the order you think is right, e.g. “{}”.",
            example.join(" ")
        )
    };
    let tokens: Vec<&str> = input
        .split(|c: char| c == ',' || c == ';' || c == '>' || c == '-' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let picks = if tokens.len() == 1 {
        view.compact_letters(input)
    } else {
        tokens.iter().map(|t| view.position(t)).collect()
    };
    match picks {
        Some(order) if is_permutation(&order, n) => Ok(Answer::Order(order)),
        _ => Err(help()),
    }
}

/// A deterministic shuffle of `0..n` for showing an ordering item (or choice options).
///
/// The same seed always gives the same order, so a replayed prompt shows the same thing;
/// for n ≥ 2 the result is never the authored order, which would give the answer away.
pub fn shown_order(seed: u64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    if n >= 2 && order.iter().enumerate().all(|(i, &v)| i == v) {
        order.rotate_left(1);
    }
    order
}

/// A tiny, well-mixed PRNG step; enough for shuffling a handful of steps reproducibly.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
