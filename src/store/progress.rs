//! What learners did and where they stand: per-item memory, the answer transaction, the
//! append-only review log, stage history with evidence, escalations, contributions,
//! questions for experts, free-text reviews, leaderboard snapshots, replayed-event dedup,
//! and the privacy export and delete.
//!
//! Depends on the engine's value types (`Memory`, `Verdict`, `Rating`, `Stage`, ids) and the
//! store's own; never on a backend.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ladder_engine::schedule::Memory;
use ladder_engine::{ItemId, SkillId, Stage};
use serde::{Deserialize, Serialize};

use super::prompts::Prompt;
use super::types::{
    ContributionId, Enrolment, Learner, LearnerId, QuestionId, ReviewId, Role, TeamId, TenantId,
};
use super::StoreError;
use crate::platform::Platform;

mod records;
pub use records::*;

#[async_trait]
pub trait Progress: Send + Sync {
    /// The one write of an answer: locks the prompt, refuses stale ones, returns the
    /// original result for a duplicate, else appends the review, upserts the memory,
    /// appends the stage change and marks the prompt answered, all in one transaction.
    async fn record_answer(&self, answer: AnswerRecord) -> Result<AnswerOutcome, StoreError>;
    /// The learner's progress revision: it moves with every write of a memory or a stage
    /// (answers, grades, overwrites). Read it before reading what an answer is computed
    /// from and pass it as [`AnswerRecord::basis`]; 0 for an unknown learner.
    async fn progress_rev(&self, learner: LearnerId) -> Result<i64, StoreError>;
    /// A settled grade's new memory and stage change in one transaction, written only if
    /// the learner's progress revision is still `basis` (when given); false when it moved
    /// (nothing written: compute the grade's effect again).
    async fn apply_grade(
        &self,
        learner: LearnerId,
        item: &ItemId,
        memory: &Memory,
        stage: Option<&StageChange>,
        basis: Option<i64>,
    ) -> Result<bool, StoreError>;

    async fn memory(&self, learner: LearnerId, item: &ItemId)
        -> Result<Option<Memory>, StoreError>;
    async fn memories(&self, learner: LearnerId) -> Result<Vec<(ItemId, Memory)>, StoreError>;
    /// Overwrites one memory state (suspending a leech, an expert's re-grade).
    async fn put_memory(
        &self,
        learner: LearnerId,
        item: &ItemId,
        memory: &Memory,
    ) -> Result<(), StoreError>;

    /// The learner's reviews, oldest first.
    async fn reviews(&self, learner: LearnerId) -> Result<Vec<ReviewEntry>, StoreError>;
    /// The review log of every tenant answered in `[since, until)`, oldest first (export).
    async fn review_log(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Vec<ReviewEntry>, StoreError>;

    /// Appends a stage change outside an answer (demotion by decay, an admin's decision).
    async fn record_stage_change(&self, change: &StageChange) -> Result<(), StoreError>;
    /// Every stage change of the learner, oldest first.
    async fn stage_history(&self, learner: LearnerId) -> Result<Vec<StageChange>, StoreError>;
    /// The latest stage per skill.
    async fn current_stages(&self, learner: LearnerId)
        -> Result<Vec<(SkillId, Stage)>, StoreError>;

    async fn record_escalation(&self, escalation: &Escalation) -> Result<(), StoreError>;
    /// Every escalation recorded for the learner, oldest first.
    async fn escalations(&self, learner: LearnerId) -> Result<Vec<Escalation>, StoreError>;
    /// When this escalation (kind and key) was last recorded for the learner: the
    /// cool-down check.
    async fn last_escalation(
        &self,
        learner: LearnerId,
        kind: &str,
        key: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    async fn add_contribution(
        &self,
        contribution: &NewContribution,
    ) -> Result<Contribution, StoreError>;
    async fn set_contribution_status(
        &self,
        id: ContributionId,
        status: ContributionStatus,
    ) -> Result<(), StoreError>;
    /// One vote per voter; voting again replaces the earlier vote. Returns the new total.
    async fn vote(&self, id: ContributionId, voter: LearnerId, up: bool)
        -> Result<i64, StoreError>;
    async fn contributions_by(&self, author: LearnerId) -> Result<Vec<Contribution>, StoreError>;

    async fn ask_question(&self, question: &NewQuestion) -> Result<QuestionId, StoreError>;
    async fn answer_question(
        &self,
        id: QuestionId,
        expert: LearnerId,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Questions of the tenant nobody answered yet, oldest first.
    async fn open_questions(&self, tenant: TenantId) -> Result<Vec<Question>, StoreError>;
    /// The learner's own questions, answered or not, oldest first.
    async fn questions_of(&self, learner: LearnerId) -> Result<Vec<Question>, StoreError>;
    /// Answered questions of the tenant whose answer has not gone to the asker yet.
    async fn answers_to_send(&self, tenant: TenantId) -> Result<Vec<Question>, StoreError>;
    /// Records that the answer went out; `false` if it already had (another instance won).
    async fn mark_answer_sent(&self, id: QuestionId, at: DateTime<Utc>)
        -> Result<bool, StoreError>;

    /// Reviews of the tenant waiting for a person to grade them, oldest first.
    async fn pending_free_text(&self, tenant: TenantId) -> Result<Vec<ReviewEntry>, StoreError>;
    /// A person's grade of a free-text answer; `Conflict` if the reviewer already graded it.
    async fn add_peer_review(&self, review: &PeerReview) -> Result<(), StoreError>;
    /// Gives a free-text answer its final grade, which takes it out of the review queue and
    /// into the review log. `false` if it was already settled (a concurrent grade won).
    async fn settle_review(
        &self,
        review: ReviewId,
        verdict: ladder_engine::grade::Verdict,
        score: f64,
    ) -> Result<bool, StoreError>;
    async fn peer_reviews(&self, review: ReviewId) -> Result<Vec<PeerReview>, StoreError>;

    async fn save_leaderboard(&self, snapshot: &LeaderboardSnapshot) -> Result<(), StoreError>;
    async fn latest_leaderboard(
        &self,
        team: TeamId,
    ) -> Result<Option<LeaderboardSnapshot>, StoreError>;

    /// Remembers an inbound event id; false if it was seen before (a replayed gateway
    /// event must change nothing).
    async fn first_sight(
        &self,
        platform: Platform,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Forgets inbound events first seen before `before` (no replay comes that late);
    /// returns how many were forgotten.
    async fn forget_events_before(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Everything stored about one learner, for "export my data".
    async fn learner_data(&self, learner: LearnerId) -> Result<LearnerData, StoreError>;
    /// Deletes the learner and everything recorded about them ("delete my data").
    async fn forget_learner(&self, learner: LearnerId) -> Result<(), StoreError>;
}

/// Everything stored about one learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerData {
    pub learner: Learner,
    pub roles: Vec<Role>,
    pub enrolments: Vec<Enrolment>,
    pub prompts: Vec<Prompt>,
    pub reviews: Vec<ReviewEntry>,
    pub memories: Vec<(ItemId, Memory)>,
    pub stages: Vec<StageChange>,
    pub contributions: Vec<Contribution>,
    /// What else the store holds about the person (answers to others' questions, votes,
    /// grades given, teams, messages to them).
    #[serde(flatten)]
    pub elsewhere: HeldElsewhere,
}

/// The export's sections beyond the learner's own progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeldElsewhere {
    /// Questions they asked experts, with the answers.
    pub questions: Vec<Question>,
    /// Others' questions they answered as an expert.
    pub answers_given: Vec<Question>,
    pub votes: Vec<super::privacy::VoteCast>,
    /// Free-text answers of others they graded.
    pub peer_reviews_given: Vec<PeerReview>,
    pub teams: Vec<super::types::Team>,
    /// Outbox rows addressed to them (prompts, reminders, notices).
    pub messages: Vec<super::privacy::HeldMessage>,
}
