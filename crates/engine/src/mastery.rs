//! Mastery rules: when a learner moves up or down the ladder for one skill, and why.
//!
//! Rules are data (declared per track, overridable per skill in content files); the
//! evaluation ([`evaluate`]) is a pure function of the skill's attempts, the memory
//! states of its items and the learner's accepted contributions. It returns the new
//! stage together with the [`Evidence`] that decided it, which renders as one sentence
//! for the learner ("why am I competent?"). Depends only on the content model.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{ItemId, Stage};

mod calc;
mod evidence;
#[cfg(test)]
mod tests;

pub use calc::reduce;
pub use evidence::{Evidence, LevelRecord, Missing, Progress, RetentionCheck};

/// How a run of attempts is reduced to one score, in the vocabulary of LMS outcome
/// calculations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calculation {
    /// The latest attempt only.
    MostRecent,
    /// The best attempt.
    Highest,
    /// Plain mean of the last `window` attempts.
    Average,
    /// Weighted so the latest attempt counts `weight` (0..1) and older ones decay.
    DecayingAverage { weight: f64 },
    /// At least `n` correct attempts.
    NTimes { n: u32 },
}

/// The conditions for moving from one stage to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromotionRule {
    pub calculation: Calculation,
    /// How many of the most recent attempts at items of the stage level count.
    pub window: u32,
    /// Score (0..1) the calculation must reach.
    pub min_score: f64,
    /// Fewest attempts before the rule can pass at all.
    pub min_attempts: u32,
    /// Every core item must have been answered right after a gap of at least this many days.
    pub core_gap_days: f64,
    /// Median FSRS stability of the skill's items at this level, in days.
    pub min_median_stability_days: f64,
    /// Median answer latency must be under each item's fluency threshold.
    pub require_fluency: bool,
    /// Accepted contributions (answers, reviews, proposals) in the skill.
    pub min_contributions: u32,
}

impl Default for PromotionRule {
    fn default() -> Self {
        PromotionRule {
            calculation: Calculation::Average,
            window: 10,
            min_score: 0.8,
            min_attempts: 5,
            core_gap_days: 0.0,
            min_median_stability_days: 0.0,
            require_fluency: false,
            min_contributions: 0,
        }
    }
}

/// The rules for one skill: three promotions and a demotion floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MasteryRules {
    pub to_competent: PromotionRule,
    pub to_experienced: PromotionRule,
    pub to_master: PromotionRule,
    /// Demote one stage when the skill's predicted retrievability falls below this.
    pub demotion_floor: f64,
}

impl Default for MasteryRules {
    /// The defaults of SPEC §3.3.
    fn default() -> Self {
        MasteryRules {
            to_competent: PromotionRule {
                window: 10,
                min_score: 0.8,
                min_attempts: 5,
                core_gap_days: 1.0,
                ..PromotionRule::default()
            },
            to_experienced: PromotionRule {
                window: 10,
                min_score: 0.85,
                min_attempts: 5,
                min_median_stability_days: 21.0,
                require_fluency: true,
                ..PromotionRule::default()
            },
            to_master: PromotionRule {
                window: 10,
                min_score: 0.9,
                min_attempts: 5,
                min_median_stability_days: 60.0,
                min_contributions: 2,
                ..PromotionRule::default()
            },
            demotion_floor: 0.7,
        }
    }
}

impl MasteryRules {
    /// The rule for leaving `from` upwards; masters have none.
    pub fn promotion_from(&self, from: Stage) -> Option<&PromotionRule> {
        match from {
            Stage::Novice => Some(&self.to_competent),
            Stage::Competent => Some(&self.to_experienced),
            Stage::Experienced => Some(&self.to_master),
            Stage::Master => None,
        }
    }
}

/// One graded answer to an item of the skill, as the mastery rules see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub item: ItemId,
    /// The stage level of the item (what it evidences).
    pub item_stage: Stage,
    pub at: DateTime<Utc>,
    /// Grade score, 0..=1.
    pub score: f64,
    pub correct: bool,
    /// From revealing the question to answering; `None` when it was not measured.
    pub latency_secs: Option<f64>,
    /// The item's fluency threshold.
    pub fluency_secs: u32,
    pub core: bool,
}

/// The memory state of one of the skill's items, as of the evaluation time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemMemory {
    pub item: ItemId,
    pub item_stage: Stage,
    pub stability_days: f64,
    /// Predicted probability of recall now, 0..=1.
    pub retrievability: f64,
}

/// Which way a stage moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

/// A move of exactly one step on the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StageChange {
    pub from: Stage,
    pub to: Stage,
    pub direction: Direction,
}

/// The outcome of one evaluation: the stage to hold now, the change if any, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub stage: Stage,
    pub change: Option<StageChange>,
    pub evidence: Evidence,
}

/// Decides the learner's stage for one skill.
///
/// `attempts` are the skill's attempts, oldest first. Demotion is checked first (retention
/// is what the ladder certifies), then promotion; either way the stage moves at most one
/// step, so a learner always passes through every rung and every change has one reason.
pub fn evaluate(
    rules: &MasteryRules,
    current: Stage,
    attempts: &[Attempt],
    memories: &[ItemMemory],
    accepted_contributions: u32,
) -> Evaluation {
    let retention = evidence::retention(current, memories, rules.demotion_floor);
    let demoted = match (&retention, current.down()) {
        (Some(check), Some(lower)) if check.below_floor() => Some(lower),
        _ => None,
    };
    let promoted = if demoted.is_some() {
        None
    } else {
        rules.promotion_from(current).and_then(|rule| {
            let p = evidence::progress(rule, current, attempts, memories, accepted_contributions);
            p.missing.is_empty().then_some(p.target)
        })
    };
    let (stage, change) = match (demoted, promoted) {
        (Some(to), _) => (to, Some(change(current, to, Direction::Down))),
        (None, Some(to)) => (to, Some(change(current, to, Direction::Up))),
        (None, None) => (current, None),
    };
    let record = stage
        .down()
        .map(|level| evidence::record(rules, level, attempts));
    let progress = rules
        .promotion_from(stage)
        .map(|rule| evidence::progress(rule, stage, attempts, memories, accepted_contributions));
    Evaluation {
        stage,
        change,
        evidence: Evidence {
            stage,
            change,
            record,
            progress,
            retention: demoted.and(retention),
        },
    }
}

fn change(from: Stage, to: Stage, direction: Direction) -> StageChange {
    StageChange {
        from,
        to,
        direction,
    }
}
