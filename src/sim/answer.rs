//! What a synthetic learner types: the right answer when they recall the item, otherwise
//! a guess of the right shape, so the real grader (including partial credit and lucky
//! guesses on choice items) decides the verdict.

use ladder_engine::grade::Answer;
use ladder_engine::{AnswerKey, Tolerance};
use rand::seq::SliceRandom;
use rand::Rng;

/// Whether the simulator can answer items of this type without a person grading them.
pub fn auto_graded(key: &AnswerKey) -> bool {
    !matches!(key, AnswerKey::FreeText { .. })
}

/// The answer given, right when `recalled`, else a guess.
pub fn answer(key: &AnswerKey, recalled: bool, rng: &mut impl Rng) -> Answer {
    match key {
        AnswerKey::SingleChoice { options, correct } => Answer::Choice(if recalled {
            *correct
        } else {
            rng.gen_range(0..options.len().max(1))
        }),
        AnswerKey::MultiSelect { options, correct } => Answer::Choices(if recalled {
            correct.clone()
        } else {
            (0..options.len()).filter(|_| rng.gen_bool(0.5)).collect()
        }),
        AnswerKey::TrueFalse { answer } => Answer::Bool(if recalled { *answer } else { rng.gen() }),
        AnswerKey::ShortText { accepted, .. } => Answer::Text(if recalled {
            accepted.first().cloned().unwrap_or_default()
        } else {
            "not sure".to_owned()
        }),
        AnswerKey::Numeric {
            value,
            tolerance,
            unit,
        } => {
            let v = if recalled {
                *value
            } else {
                // A guess well outside any tolerance.
                let spread = match tolerance {
                    Tolerance::Absolute(a) => a.abs() * 10.0 + 1.0,
                    Tolerance::Relative(r) => (value.abs() * r.abs() * 10.0).max(1.0),
                };
                value + spread * if rng.gen() { 1.0 } else { -1.0 }
            };
            Answer::Text(match unit {
                Some(u) => format!("{v} {u}"),
                None => format!("{v}"),
            })
        }
        AnswerKey::Ordering { sequence } => {
            let mut order: Vec<usize> = (0..sequence.len()).collect();
            if !recalled {
                order.shuffle(rng);
            }
            Answer::Order(order)
        }
        AnswerKey::FreeText { .. } => Answer::Text(String::new()),
    }
}
