//! The records [`super::Progress`] reads and writes: the answer transaction's input and
//! outcome, review-log entries, stage changes, escalations, contributions, questions,
//! peer reviews and leaderboard snapshots.

use chrono::{DateTime, Utc};
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::{Memory, Rating};
use ladder_engine::{ItemId, SkillId, Stage};
use serde::{Deserialize, Serialize};

use crate::platform::Platform;
use crate::store::types::{
    ContributionId, LearnerId, PromptId, QuestionId, ReviewId, TeamId, TenantId,
};

/// Everything written when an answer is accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRecord {
    pub prompt: PromptId,
    pub learner: LearnerId,
    pub item: ItemId,
    pub skill: SkillId,
    /// The stage level of the item (what it evidences).
    pub item_stage: Stage,
    pub verdict: Verdict,
    /// 0..=1.
    pub score: f64,
    /// None while the answer waits for a person (free text).
    pub rating: Option<Rating>,
    /// From the reveal to the answer.
    pub latency_ms: Option<i64>,
    pub response: String,
    pub answered_at: DateTime<Utc>,
    /// The new memory state; None for answers that wait for a person.
    pub memory: Option<Memory>,
    pub stage_change: Option<StageChange>,
    /// Escalations decided on this answer; written only if the answer is recorded.
    pub escalations: Vec<Escalation>,
    /// What the learner was told, replayed verbatim for a duplicate.
    pub reply: serde_json::Value,
    /// The learner's progress revision ([`super::Progress::progress_rev`]) read before the
    /// memory and stage above were computed: if another write moved it since, nothing is
    /// written and the outcome is [`AnswerOutcome::Changed`]. None writes regardless.
    pub basis: Option<i64>,
}

/// The stored result of an answer, the same for the first call and every duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub review: ReviewId,
    pub prompt: PromptId,
    pub verdict: Verdict,
    pub score: f64,
    pub rating: Option<Rating>,
    pub response: String,
    pub answered_at: DateTime<Utc>,
    pub reply: serde_json::Value,
}

/// Why an answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaleReason {
    UnknownPrompt,
    /// Another learner's prompt (a forwarded button).
    NotYours,
    Expired,
    /// A newer prompt replaced it before it was answered.
    Superseded,
}

/// What [`super::Progress::record_answer`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerOutcome {
    Recorded(StoredAnswer),
    /// The prompt was already answered: nothing changed, here is the original.
    Duplicate {
        original: StoredAnswer,
    },
    Stale {
        reason: StaleReason,
    },
    /// Another answer or grade of the learner was written after [`AnswerRecord::basis`]
    /// was read: nothing changed; compute the answer again from the new state.
    Changed,
}

impl AnswerOutcome {
    /// The stored answer, whether it was written now or before.
    pub fn answer(&self) -> Option<&StoredAnswer> {
        match self {
            AnswerOutcome::Recorded(a) | AnswerOutcome::Duplicate { original: a } => Some(a),
            AnswerOutcome::Stale { .. } | AnswerOutcome::Changed => None,
        }
    }
}

/// One row of the review log, with who answered (for export).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewEntry {
    pub id: ReviewId,
    pub prompt: PromptId,
    pub learner: LearnerId,
    pub tenant: TenantId,
    pub platform: Platform,
    pub item: ItemId,
    pub skill: SkillId,
    pub item_stage: Stage,
    pub verdict: Verdict,
    pub score: f64,
    pub rating: Option<Rating>,
    pub latency_ms: Option<i64>,
    pub response: String,
    pub answered_at: DateTime<Utc>,
}

/// One step on the ladder, with the evidence that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChange {
    pub learner: LearnerId,
    pub skill: SkillId,
    /// None for the first stage a learner gets in a skill.
    pub from: Option<Stage>,
    pub to: Stage,
    pub at: DateTime<Utc>,
    /// The engine's evidence, kept as JSON so `why` can explain it later.
    pub evidence: serde_json::Value,
}

/// One escalation sent (for cool-downs and the manager's view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub learner: LearnerId,
    /// What was done: `explanation`, `coaching`, `alert_expert`, ...
    pub kind: String,
    /// What it was about: `item:phish-1`, `skill:phishing`, ...
    pub key: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    Answer,
    Review,
    Proposal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionStatus {
    Open,
    Accepted,
    Rejected,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident = $s:literal),* }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)* _ => None }
            }
        }
    };
}
text_enum!(ContributionKind { Answer = "answer", Review = "review", Proposal = "proposal" });
text_enum!(ContributionStatus { Open = "open", Accepted = "accepted", Rejected = "rejected" });

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContribution {
    pub author: LearnerId,
    pub skill: SkillId,
    pub kind: ContributionKind,
    /// The proposal or answer itself (JSON: an item draft, an answer text, ...).
    pub body: serde_json::Value,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub id: ContributionId,
    pub author: LearnerId,
    pub skill: SkillId,
    pub kind: ContributionKind,
    pub status: ContributionStatus,
    pub votes: i64,
    pub body: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub learner: LearnerId,
    pub skill: Option<SkillId>,
    pub text: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    pub learner: LearnerId,
    pub skill: Option<SkillId>,
    pub text: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_by: Option<LearnerId>,
    pub answered_at: Option<DateTime<Utc>>,
    /// When the answer was queued for the asker; `None` while it still has to go out.
    pub answer_sent_at: Option<DateTime<Utc>>,
}

/// A person's grade of a free-text answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerReview {
    pub review: ReviewId,
    pub reviewer: LearnerId,
    pub verdict: Verdict,
    pub score: f64,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// A leaderboard as posted, kept so the next one can show movement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardSnapshot {
    pub team: TeamId,
    pub at: DateTime<Utc>,
    /// The scored rows as the engine produced them.
    pub rows: serde_json::Value,
}
