//! Rows of the progress tables: the review log, stored answers, stage history,
//! contributions, questions and peer reviews.

use chrono::{DateTime, Utc};

use super::{bad, item, json, rating, skill, stage, verdict};
use crate::store::progress::{
    Contribution, ContributionKind, ContributionStatus, PeerReview, Question, ReviewEntry,
    StageChange, StoredAnswer,
};
use crate::store::types::*;
use crate::store::StoreError;

#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow {
    id: i64,
    prompt_id: i64,
    learner_id: i64,
    tenant_id: i64,
    platform: String,
    item_id: String,
    skill_id: String,
    item_stage: String,
    verdict: String,
    score: f64,
    rating: Option<i64>,
    latency_ms: Option<i64>,
    response: String,
    answered_at: DateTime<Utc>,
}

/// Selects [`ReviewRow`]s: reviews joined with their learner's tenant.
pub(crate) const REVIEW_SELECT: &str = "SELECT r.id, r.prompt_id, r.learner_id, l.tenant_id, \
    t.platform, r.item_id, r.skill_id, r.item_stage, r.verdict, r.score, r.rating, r.latency_ms, \
    r.response, r.answered_at FROM reviews r JOIN learners l ON l.id = r.learner_id \
    JOIN tenants t ON t.id = l.tenant_id";

impl ReviewRow {
    pub(crate) fn into_domain(self) -> Result<ReviewEntry, StoreError> {
        Ok(ReviewEntry {
            id: ReviewId(self.id),
            prompt: PromptId(self.prompt_id),
            learner: LearnerId(self.learner_id),
            tenant: TenantId(self.tenant_id),
            platform: parse_platform(&self.platform)
                .ok_or_else(|| bad("platform", &self.platform))?,
            item: item(&self.item_id)?,
            skill: skill(&self.skill_id)?,
            item_stage: stage(&self.item_stage)?,
            verdict: verdict(&self.verdict)?,
            score: self.score,
            rating: rating(self.rating)?,
            latency_ms: self.latency_ms,
            response: self.response,
            answered_at: self.answered_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StoredAnswerRow {
    id: i64,
    prompt_id: i64,
    verdict: String,
    score: f64,
    rating: Option<i64>,
    response: String,
    answered_at: DateTime<Utc>,
    reply_json: String,
}

impl StoredAnswerRow {
    pub(crate) fn into_domain(self) -> Result<StoredAnswer, StoreError> {
        Ok(StoredAnswer {
            review: ReviewId(self.id),
            prompt: PromptId(self.prompt_id),
            verdict: verdict(&self.verdict)?,
            score: self.score,
            rating: rating(self.rating)?,
            response: self.response,
            answered_at: self.answered_at,
            reply: json(&self.reply_json)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StageRow {
    learner_id: i64,
    skill_id: String,
    from_stage: Option<String>,
    to_stage: String,
    at: DateTime<Utc>,
    evidence_json: String,
}

impl StageRow {
    pub(crate) fn into_domain(self) -> Result<StageChange, StoreError> {
        Ok(StageChange {
            learner: LearnerId(self.learner_id),
            skill: skill(&self.skill_id)?,
            from: self.from_stage.as_deref().map(stage).transpose()?,
            to: stage(&self.to_stage)?,
            at: self.at,
            evidence: json(&self.evidence_json)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContributionRow {
    id: i64,
    author_id: i64,
    skill_id: String,
    kind: String,
    status: String,
    votes: i64,
    body_json: String,
    created_at: DateTime<Utc>,
}

/// Selects [`ContributionRow`]s with their vote total (up minus down).
pub(crate) const CONTRIBUTION_SELECT: &str = "SELECT c.id, c.author_id, c.skill_id, c.kind, \
    c.status, c.body_json, c.created_at, \
    COALESCE((SELECT SUM(CASE WHEN v.up THEN 1 ELSE -1 END) FROM contribution_votes v \
    WHERE v.contribution_id = c.id), 0) AS votes FROM contributions c";

impl ContributionRow {
    pub(crate) fn into_domain(self) -> Result<Contribution, StoreError> {
        Ok(Contribution {
            id: ContributionId(self.id),
            author: LearnerId(self.author_id),
            skill: skill(&self.skill_id)?,
            kind: ContributionKind::parse(&self.kind)
                .ok_or_else(|| bad("contribution kind", &self.kind))?,
            status: ContributionStatus::parse(&self.status)
                .ok_or_else(|| bad("contribution status", &self.status))?,
            votes: self.votes,
            body: json(&self.body_json)?,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct QuestionRow {
    id: i64,
    learner_id: i64,
    skill_id: Option<String>,
    text: String,
    asked_at: DateTime<Utc>,
    answer: Option<String>,
    answered_by: Option<i64>,
    answered_at: Option<DateTime<Utc>>,
    answer_sent_at: Option<DateTime<Utc>>,
}

impl QuestionRow {
    pub(crate) fn into_domain(self) -> Result<Question, StoreError> {
        Ok(Question {
            id: QuestionId(self.id),
            learner: LearnerId(self.learner_id),
            skill: self.skill_id.as_deref().map(skill).transpose()?,
            text: self.text,
            asked_at: self.asked_at,
            answer: self.answer,
            answered_by: self.answered_by.map(LearnerId),
            answered_at: self.answered_at,
            answer_sent_at: self.answer_sent_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PeerReviewRow {
    review_id: i64,
    reviewer_id: i64,
    verdict: String,
    score: f64,
    comment: String,
    at: DateTime<Utc>,
}

impl PeerReviewRow {
    pub(crate) fn into_domain(self) -> Result<PeerReview, StoreError> {
        Ok(PeerReview {
            review: ReviewId(self.review_id),
            reviewer: LearnerId(self.reviewer_id),
            verdict: verdict(&self.verdict)?,
            score: self.score,
            comment: self.comment,
            at: self.at,
        })
    }
}
