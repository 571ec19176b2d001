//! Grading: a learner's answer against an item's (or a variant's) answer key, giving a
//! verdict, a score in 0..=1 and one short learner-facing sentence of feedback.
//!
//! Also turns what a learner types in a chat ("2", "b", "a, c", "yes", "3 1 2") into a
//! typed [`Answer`] ([`parse_answer`]), and fixes the shuffled order in which ordering
//! items are shown ([`shown_order`]).
//!
//! Pure functions of their arguments: depends only on the content model and
//! `unicode-normalization`.

use serde::{Deserialize, Serialize};

use crate::model::AnswerKey;

mod choice;
mod numeric;
mod parse;
mod text;

#[cfg(test)]
mod tests;

pub use parse::{parse_answer, shown_order};

/// The outcome of grading one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Correct,
    /// Some credit (multi-select only): rated Hard by the scheduler.
    Partial,
    Wrong,
    /// Free text: a person grades it later; never counted as correct until then.
    NeedsReview,
}

/// A string that is not one of the four verdict names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown verdict {0:?}: expected correct, partial, wrong or needs_review")]
pub struct UnknownVerdict(pub String);

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Correct => "correct",
            Verdict::Partial => "partial",
            Verdict::Wrong => "wrong",
            Verdict::NeedsReview => "needs_review",
        }
    }

    pub fn parse(s: &str) -> Result<Self, UnknownVerdict> {
        match s {
            "correct" => Ok(Verdict::Correct),
            "partial" => Ok(Verdict::Partial),
            "wrong" => Ok(Verdict::Wrong),
            "needs_review" => Ok(Verdict::NeedsReview),
            other => Err(UnknownVerdict(other.to_owned())),
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A learner's answer, already in the shape of the item type.
///
/// Indices always refer to the options / the sequence *as authored*, never as shown:
/// [`parse_answer`] undoes any shuffling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Answer {
    Choice(usize),
    Choices(Vec<usize>),
    Bool(bool),
    Text(String),
    /// `order[i]` is the authored step the learner put at position `i`.
    Order(Vec<usize>),
}

/// A graded answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    pub verdict: Verdict,
    /// 0..=1: 1 when correct, partial credit for multi-select, 0 otherwise.
    pub score: f64,
    /// One short sentence for the learner; names the right answer when the answer was not.
    pub feedback: String,
}

impl Grade {
    fn correct(feedback: impl Into<String>) -> Grade {
        Grade {
            verdict: Verdict::Correct,
            score: 1.0,
            feedback: feedback.into(),
        }
    }

    fn wrong(feedback: impl Into<String>) -> Grade {
        Grade {
            verdict: Verdict::Wrong,
            score: 0.0,
            feedback: feedback.into(),
        }
    }
}

/// Grades `answer` against `key` (an item's key or one of its variants').
///
/// An answer of the wrong shape (say, a `Bool` for a numeric item) is graded wrong rather
/// than refused, so that a stale button press can never crash the answer path.
pub fn grade(key: &AnswerKey, answer: &Answer) -> Grade {
    match key {
        AnswerKey::SingleChoice { options, correct } => {
            choice::grade_single(options, *correct, answer)
        }
        AnswerKey::MultiSelect { options, correct } => {
            choice::grade_multi(options, correct, answer)
        }
        AnswerKey::TrueFalse { answer: right } => choice::grade_bool(*right, answer),
        AnswerKey::ShortText {
            accepted,
            max_edits,
        } => text::grade_short(accepted, *max_edits, answer),
        AnswerKey::Numeric {
            value,
            tolerance,
            unit,
        } => numeric::grade_numeric(*value, *tolerance, unit.as_deref(), answer),
        AnswerKey::Ordering { sequence } => choice::grade_order(sequence, answer),
        AnswerKey::FreeText { .. } => Grade {
            verdict: Verdict::NeedsReview,
            score: 0.0,
            feedback: "Thanks: an expert will review your answer and get back to you.".into(),
        },
    }
}
