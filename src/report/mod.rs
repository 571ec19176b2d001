//! Team summaries for managers: what the team knows, what it is keeping, and where a
//! coach's time is best spent, as text and as a picture.
//!
//! A summary is a learning aid, never an eligibility or performance verdict on a person
//! (Discord's developer policy forbids using its data for employment decisions); the
//! footer says so and per-person detail stays at what a coach needs (a stage per skill and
//! why someone may need help). [`summarise`] is a pure function of the members' records,
//! the content library and the time passed in; [`text`] and [`picture`] render it.
//! Depends on the engine, the app's record types and plotters/ab_glyph for the PNG.

pub mod activity;
pub mod board;
mod compute;
mod glyphs;
pub mod picture;
#[cfg(test)]
mod tests;
pub mod text;

use chrono::{DateTime, Utc};
use ladder_engine::schedule::Memory;
use ladder_engine::ItemId;
use ladder_engine::{ObjectiveId, SkillId, Stage};

use crate::app::records::{Prompt, Review, StageRecord};

pub use compute::summarise;

/// The sentence every summary ends with.
pub const FOOTER: &str = "A learning aid for coaching, not a performance or eligibility \
verdict on anyone.";

/// What one member has on record, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct MemberRecords {
    pub name: String,
    pub stages: Vec<StageRecord>,
    pub reviews: Vec<Review>,
    pub memories: Vec<(ItemId, Memory)>,
    pub prompts: Vec<Prompt>,
}

/// Why a learner may need a coach's attention soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RiskReason {
    /// Reviews more than a day past due.
    Overdue,
    /// Recently forgot the same items more than once.
    Lapsing,
    /// Predicted recall of a skill falls below its demotion floor within 7 days.
    PredictedDrop,
}

impl RiskReason {
    pub fn label(self) -> &'static str {
        match self {
            RiskReason::Overdue => "overdue reviews",
            RiskReason::Lapsing => "lapsing",
            RiskReason::PredictedDrop => "may drop a stage within 7 days",
        }
    }
}

/// One learner who may need help, and in which skills.
#[derive(Debug, Clone, PartialEq)]
pub struct AtRisk {
    pub name: String,
    pub reasons: Vec<RiskReason>,
    pub skills: Vec<String>,
}

/// Per-skill figures.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillLine {
    pub id: SkillId,
    pub title: String,
    /// Members at novice, competent, experienced, master (not started counts as novice).
    pub stages: [u32; 4],
    /// Share of first attempts at an item that were right.
    pub first_accuracy: Option<f64>,
    /// Share of the latest attempts at an item that were right.
    pub current_accuracy: Option<f64>,
}

impl SkillLine {
    /// Current accuracy minus first-attempt accuracy.
    pub fn lift(&self) -> Option<f64> {
        Some(self.current_accuracy? - self.first_accuracy?)
    }
}

/// Readiness for one business objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    pub id: ObjectiveId,
    pub title: String,
    /// Share of the team at competent or above on every skill serving the objective.
    pub share: f64,
}

/// Everything a summary shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamSummary {
    pub team: String,
    pub at: DateTime<Utc>,
    pub members: Vec<String>,
    pub skills: Vec<SkillLine>,
    /// `grid[member][skill]`: the member's stage, None before their first answer.
    pub grid: Vec<Vec<Option<Stage>>>,
    /// Mean predicted recall of the team's items, today and each of the 7 days before
    /// (oldest first, 8 points); None for a day with nothing learnt yet.
    pub retention: Vec<Option<f64>>,
    /// Daily prompts answered and sent in the last 7 days.
    pub answered: u32,
    pub sent: u32,
    pub at_risk: Vec<AtRisk>,
    pub readiness: Vec<Readiness>,
    /// Skill titles most worth coaching, best first.
    pub coach: Vec<String>,
}

impl TeamSummary {
    /// Retention today minus a week ago, when both are known.
    pub fn retention_trend(&self) -> Option<f64> {
        Some((*self.retention.last()?)? - (*self.retention.first()?)?)
    }
}
