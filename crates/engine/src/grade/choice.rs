//! Grading of the closed item types: single choice, multi-select, true/false, ordering.

use super::{Answer, Grade, Verdict};

/// Quotes an option for feedback; options are authored text, so no escaping is needed here
/// (the platform layer sanitises everything it sends).
fn quoted(s: &str) -> String {
    format!("“{s}”")
}

fn list(options: &[String], indices: impl IntoIterator<Item = usize>) -> String {
    indices
        .into_iter()
        .filter_map(|i| options.get(i))
        .map(|o| quoted(o))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn grade_single(options: &[String], correct: usize, answer: &Answer) -> Grade {
    let right = options.get(correct).map(String::as_str).unwrap_or("");
    let picked = match answer {
        Answer::Choice(i) => Some(*i),
        Answer::Choices(v) if v.len() == 1 => Some(v[0]),
        _ => None,
    };
    if picked == Some(correct) {
        Grade::correct(format!("Right: {}.", quoted(right)))
    } else {
        Grade::wrong(format!("Not quite: the answer is {}.", quoted(right)))
    }
}

pub(super) fn grade_multi(options: &[String], correct: &[usize], answer: &Answer) -> Grade {
    let mut picks: Vec<usize> = match answer {
        Answer::Choices(v) => v.clone(),
        Answer::Choice(i) => vec![*i],
        _ => Vec::new(),
    };
    picks.sort_unstable();
    picks.dedup();
    let hits = picks.iter().filter(|p| correct.contains(p)).count();
    let misses = picks.len() - hits;
    let n = correct.len().max(1);
    // content/README.md: (right picks − wrong picks) / right options, floored at 0.
    let score = ((hits as f64 - misses as f64) / n as f64).max(0.0);
    let answers = list(options, correct.iter().copied());
    if hits == correct.len() && misses == 0 {
        return Grade::correct(format!("Right: {answers}."));
    }
    let extra = match misses {
        0 => String::new(),
        1 => ", plus 1 wrong pick".to_owned(),
        m => format!(", plus {m} wrong picks"),
    };
    let feedback = format!(
        "You found {hits} of {} right options{extra}. The right options are {answers}.",
        correct.len()
    );
    if score > 0.0 {
        Grade {
            verdict: Verdict::Partial,
            score,
            feedback: format!("Partly right. {feedback}"),
        }
    } else {
        Grade::wrong(format!("Not quite. {feedback}"))
    }
}

pub(super) fn grade_bool(right: bool, answer: &Answer) -> Grade {
    let word = if right { "true" } else { "false" };
    match answer {
        Answer::Bool(b) if *b == right => Grade::correct(format!("Right: it is {word}.")),
        _ => Grade::wrong(format!("Not quite: it is {word}.")),
    }
}

pub(super) fn grade_order(sequence: &[String], answer: &Answer) -> Grade {
    let order = match answer {
        Answer::Order(v) | Answer::Choices(v) => v.as_slice(),
        _ => &[],
    };
    let in_place = order
        .iter()
        .enumerate()
        .filter(|(pos, step)| *pos == **step)
        .count();
    let right_order = sequence
        .iter()
        .map(|s| quoted(s))
        .collect::<Vec<_>>()
        .join(" → ");
    if order.len() == sequence.len() && in_place == sequence.len() {
        return Grade::correct(format!("Right: {right_order}."));
    }
    Grade::wrong(format!(
        "Not quite: {in_place} of {} steps were in the right place. The right order is {right_order}.",
        sequence.len()
    ))
}
