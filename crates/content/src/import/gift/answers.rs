//! The answer block of a GIFT question (`{...}`): which question type it is, the answer
//! key in our terms, and an explanation built from the feedback.

use ladder_engine::{AnswerKey, Tolerance};

use super::text::{find, find_any, skip_ws, text, Ch};
use super::{Format, GiftCx};
use crate::import::default_explanation;

/// Our option limits (see the content README); a choice question outside them is refused.
const OPTIONS: std::ops::RangeInclusive<usize> = 2..=25;

/// `block` runs from `{` to `}` inclusive.
pub(super) fn parse(cx: &mut GiftCx, block: &[Ch], format: Format) -> Option<(AnswerKey, String)> {
    let open = block[0].at;
    let inner = &block[1..block.len() - 1];
    let (body, general) = match find(inner, 0, "####") {
        Some(g) => (&inner[..g], Some(format.apply(text(&inner[g + 4..])))),
        None => (inner, None),
    };
    let first = skip_ws(body, 0);
    if first == body.len() {
        return Some(essay(general));
    }
    if find(body, 0, "->").is_some() {
        cx.problem(
            open,
            "matching questions are not supported yet; question not imported",
        );
        return None;
    }
    let mut feedback: Vec<String> = general.into_iter().filter(|g| !g.is_empty()).collect();
    let key = if body[first].c == '#' && !body[first].escaped {
        numeric(cx, &body[first + 1..], open, &mut feedback, format)?
    } else if let Some(key) = true_false(body, &mut feedback, format) {
        key
    } else {
        choices(cx, body, open, &mut feedback, format)?
    };
    // `[html]` feedback can turn out empty once its tags are removed.
    feedback.retain(|f| !f.trim().is_empty());
    let explanation = if feedback.is_empty() {
        default_explanation(&key)
    } else {
        feedback.join("\n")
    };
    Some((key, explanation))
}

/// The rubric of an essay whose bank gives no general feedback to grade against.
const DEFAULT_RUBRIC: &str = "Answers the question accurately and completely";

/// `{}` or `{####what a good answer covers}`: a free-text item reviewed by people, each
/// line of the general feedback one rubric point.
fn essay(general: Option<String>) -> (AnswerKey, String) {
    let general = general.filter(|g| !g.trim().is_empty());
    let mut rubric: Vec<String> = general
        .iter()
        .flat_map(|g| g.lines())
        .map(|l| l.trim().trim_start_matches(['-', '*']).trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if rubric.is_empty() {
        rubric.push(DEFAULT_RUBRIC.to_owned());
    }
    let key = AnswerKey::FreeText {
        rubric,
        model_answer: None,
    };
    let explanation = general.unwrap_or_else(|| default_explanation(&key));
    (key, explanation)
}

/// `{T}`, `{FALSE#wrong feedback#right feedback}`.
fn true_false(body: &[Ch], feedback: &mut Vec<String>, format: Format) -> Option<AnswerKey> {
    let hash = find(body, 0, "#").unwrap_or(body.len());
    let answer = match text(&body[..hash]).as_str() {
        "T" | "TRUE" => true,
        "F" | "FALSE" => false,
        _ => return None,
    };
    if hash < body.len() {
        let rest = &body[hash + 1..];
        let (wrong, right) = match find(rest, 0, "#") {
            Some(h) => (text(&rest[..h]), text(&rest[h + 1..])),
            None => (text(rest), String::new()),
        };
        // Moodle shows the first text to a wrong answer and the second to a right one.
        feedback.extend(
            [right, wrong]
                .into_iter()
                .filter(|f| !f.is_empty())
                .map(|f| format.apply(f)),
        );
    }
    Some(AnswerKey::TrueFalse { answer })
}

/// One `=answer` or `~answer` with its optional `%weight%` and `#feedback`.
struct Answer {
    right_marker: bool,
    weight: Option<f64>,
    text: String,
    feedback: String,
    at: usize,
}

impl Answer {
    /// Credit in percent, as Moodle counts it.
    fn credit(&self) -> f64 {
        self.weight
            .unwrap_or(if self.right_marker { 100.0 } else { 0.0 })
    }
}

fn split_answers(
    cx: &mut GiftCx,
    body: &[Ch],
    markers: &[char],
    open: usize,
) -> Option<Vec<Answer>> {
    let first = skip_ws(body, 0);
    if first < body.len() && (body[first].escaped || !markers.contains(&body[first].c)) {
        cx.problem(body[first].at, "unexpected text before the first answer (answers start with = or ~); question not imported");
        return None;
    }
    let mut answers = Vec::new();
    let mut i = first;
    while i < body.len() {
        let end = find_any(body, i + 1, |c| markers.contains(&c)).unwrap_or(body.len());
        answers.push(answer(cx, &body[i..end])?);
        i = end;
    }
    if answers.is_empty() {
        cx.problem(open, "answer block has no answers; question not imported");
        return None;
    }
    Some(answers)
}

fn answer(cx: &mut GiftCx, part: &[Ch]) -> Option<Answer> {
    let at = part[0].at;
    let mut i = 1;
    let mut weight = None;
    let w = skip_ws(part, 1);
    if w < part.len() && part[w].c == '%' {
        let Some(end) = find(part, w + 1, "%") else {
            cx.problem(
                part[w].at,
                "answer weight opened with `%` is never closed; question not imported",
            );
            return None;
        };
        let Ok(value) = text(&part[w + 1..end]).parse::<f64>() else {
            cx.problem(
                part[w].at,
                format!(
                    "answer weight {:?} is not a number; question not imported",
                    text(&part[w + 1..end])
                ),
            );
            return None;
        };
        weight = Some(value);
        i = end + 1;
    }
    let hash = find(part, i, "#").unwrap_or(part.len());
    Some(Answer {
        right_marker: part[0].c == '=',
        weight,
        text: text(&part[i..hash]),
        feedback: if hash < part.len() {
            text(&part[hash + 1..])
        } else {
            String::new()
        },
        at,
    })
}

fn choices(
    cx: &mut GiftCx,
    body: &[Ch],
    open: usize,
    feedback: &mut Vec<String>,
    format: Format,
) -> Option<AnswerKey> {
    let answers = split_answers(cx, body, &['=', '~'], open)?;
    for a in answers.iter().filter(|a| !a.feedback.is_empty()) {
        feedback.push(format!(
            "{}: {}",
            format.apply(a.text.clone()),
            format.apply(a.feedback.clone())
        ));
    }
    let texts: Vec<String> = answers
        .iter()
        .map(|a| format.apply(a.text.clone()))
        .collect();
    if let Some(empty) = texts.iter().position(|t| t.is_empty()) {
        cx.problem(answers[empty].at, "empty answer; question not imported");
        return None;
    }
    if answers.iter().all(|a| a.right_marker) {
        return short_answer(cx, &answers, texts, open, feedback);
    }
    if !options_fit(cx, &answers, &texts, open) {
        return None;
    }
    let right: Vec<usize> = (0..answers.len())
        .filter(|&i| answers[i].credit() > 0.0)
        .collect();
    match right.as_slice() {
        [] => {
            cx.problem(
                open,
                "no answer is marked right (= or a positive %weight%); question not imported",
            );
            None
        }
        [one] if answers[*one].credit() >= 100.0 => Some(AnswerKey::SingleChoice {
            options: texts,
            correct: *one,
        }),
        _ => Some(AnswerKey::MultiSelect {
            options: texts,
            correct: right,
        }),
    }
}

/// `{=a =b}`: every full-credit answer is accepted. Our short-text key has no weights, so
/// partial-credit answers (`=%50%b`) are not accepted: each is named in the explanation
/// (for reviewers and learners) and reported, so that nobody loses it silently.
fn short_answer(
    cx: &mut GiftCx,
    answers: &[Answer],
    texts: Vec<String>,
    open: usize,
    feedback: &mut Vec<String>,
) -> Option<AnswerKey> {
    let mut accepted: Vec<String> = Vec::new();
    for (a, t) in answers.iter().zip(texts) {
        let credit = a.credit();
        if credit >= 100.0 {
            // The same accepted answer twice says nothing more: keep it once.
            if !accepted.contains(&t) {
                accepted.push(t);
            }
        } else if credit > 0.0 {
            feedback.push(format!(
                "Note: {t:?} earned {credit}% credit in the original bank; only fully right answers are accepted here."
            ));
            let message = format!("short answer {t:?} has partial credit ({credit}%), which short-text items cannot give; it is not accepted and is named in the explanation");
            cx.problem(a.at, message);
        }
    }
    if accepted.is_empty() {
        let message = "short answer has no full-credit answer (`=answer` or `=%100%answer`); question not imported";
        cx.problem(open, message);
        return None;
    }
    Some(AnswerKey::ShortText {
        accepted,
        max_edits: 0,
    })
}

/// Options within our limits and distinct (a learner could not tell twins apart).
fn options_fit(cx: &mut GiftCx, answers: &[Answer], texts: &[String], open: usize) -> bool {
    if !OPTIONS.contains(&texts.len()) {
        let found = texts.len();
        cx.problem(
            open,
            format!("choice question needs 2 to 25 answers, found {found}; question not imported"),
        );
        return false;
    }
    let dup = (0..texts.len()).find(|&i| texts[..i].contains(&texts[i]));
    if let Some(i) = dup {
        let message = format!("answer {:?} appears twice; question not imported", texts[i]);
        cx.problem(answers[i].at, message);
        return false;
    }
    true
}

/// `{#3.14:0.01}`, `{#1..5}`, `{#=3.14:0.01#fb =%50%3:1}`: the first full-credit answer
/// becomes the key; other answers are reported because one key cannot hold them.
fn numeric(
    cx: &mut GiftCx,
    body: &[Ch],
    open: usize,
    feedback: &mut Vec<String>,
    format: Format,
) -> Option<AnswerKey> {
    let first = skip_ws(body, 0);
    let answers = if first < body.len() && body[first].c == '=' && !body[first].escaped {
        split_answers(cx, body, &['='], open)?
    } else {
        let hash = find(body, 0, "#").unwrap_or(body.len());
        let fb = if hash < body.len() {
            text(&body[hash + 1..])
        } else {
            String::new()
        };
        vec![Answer {
            right_marker: true,
            weight: None,
            text: text(&body[..hash]),
            feedback: fb,
            at: open,
        }]
    };
    let Some(full) = answers.iter().position(|a| a.credit() >= 100.0) else {
        cx.problem(
            open,
            "numeric question has no full-credit answer; question not imported",
        );
        return None;
    };
    let (value, tolerance) = number_spec(cx, &answers[full])?;
    for (_, other) in answers.iter().enumerate().filter(|(i, _)| *i != full) {
        let what = format!(
            "numeric answer {:?} besides the full-credit one",
            other.text
        );
        cx.problem(
            other.at,
            format!(
                "unsupported GIFT construct: {what}; only answer {} is imported",
                full + 1
            ),
        );
    }
    if !answers[full].feedback.is_empty() {
        feedback.push(format.apply(answers[full].feedback.clone()));
    }
    Some(AnswerKey::Numeric {
        value,
        tolerance: Tolerance::Absolute(tolerance),
        unit: None,
    })
}

/// `3.14:0.01`, `1..5` (the middle, give or take half the range) or `42`.
fn number_spec(cx: &mut GiftCx, a: &Answer) -> Option<(f64, f64)> {
    let parse = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let parsed = if let Some((lo, hi)) = a.text.split_once("..") {
        parse(lo)
            .zip(parse(hi))
            .map(|(lo, hi)| ((lo + hi) / 2.0, (hi - lo).abs() / 2.0))
    } else if let Some((v, t)) = a.text.split_once(':') {
        parse(v).zip(parse(t).map(f64::abs))
    } else {
        parse(&a.text).map(|v| (v, 0.0))
    };
    if parsed.is_none() {
        cx.problem(a.at, format!("numeric answer {:?} is not a number, a value:tolerance or a min..max range; question not imported", a.text));
    }
    parsed
}
