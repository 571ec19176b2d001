//! Mastery rules: when a learner moves up or down the ladder for one skill, and why.
//!
//! Rules are data (declared per track, overridable per skill in content files); the
//! evaluation is a pure function of the skill's review history and memory states.

use serde::{Deserialize, Serialize};

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
