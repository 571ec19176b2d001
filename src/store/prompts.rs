//! Prompts: one question put to one learner, from planning (daily slot or on-demand
//! practice) through reveal to answer, expiry or replacement.
//!
//! Delivery state (status, attempts, lease) lives on the same row so that the outbox can
//! claim prompts; the claiming itself is the outbox's business. Depends only on the store's
//! value types and the engine's ids.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use ladder_engine::ItemId;
use serde::{Deserialize, Serialize};

use super::types::{LearnerId, PromptId, TenantId};
use super::StoreError;

/// Why a prompt exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    /// Pushed by a schedule slot; the question is hidden until revealed.
    Daily,
    /// Asked for by the learner.
    Practice,
}

impl PromptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptKind::Daily => "daily",
            PromptKind::Practice => "practice",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "daily" => Some(PromptKind::Daily),
            "practice" => Some(PromptKind::Practice),
            _ => None,
        }
    }
}

/// Where a prompt is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptStatus {
    Pending,
    Sending,
    Sent,
    Answered,
    Expired,
    Undeliverable,
}

impl PromptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptStatus::Pending => "pending",
            PromptStatus::Sending => "sending",
            PromptStatus::Sent => "sent",
            PromptStatus::Answered => "answered",
            PromptStatus::Expired => "expired",
            PromptStatus::Undeliverable => "undeliverable",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => PromptStatus::Pending,
            "sending" => PromptStatus::Sending,
            "sent" => PromptStatus::Sent,
            "answered" => PromptStatus::Answered,
            "expired" => PromptStatus::Expired,
            "undeliverable" => PromptStatus::Undeliverable,
            _ => return None,
        })
    }
    /// Still waiting for an answer.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PromptStatus::Pending | PromptStatus::Sending | PromptStatus::Sent
        )
    }
}

/// The unique key of a daily slot: planning the same slot twice (two instances, a
/// restart) yields the same prompt.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlotKey {
    pub tenant: TenantId,
    /// The schedule's name (a team's cron, "default", ...).
    pub schedule: String,
    pub learner: LearnerId,
    /// The learner's local date of the slot.
    pub date: NaiveDate,
    /// Which question of that slot (0-based), since a push may carry several.
    pub index: u32,
}

impl SlotKey {
    /// The text stored in the unique column.
    pub fn encode(&self) -> String {
        format!(
            "{}/{}/{}/{}/{}",
            self.tenant, self.schedule, self.learner, self.date, self.index
        )
    }
}

/// A prompt to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPrompt {
    pub learner: LearnerId,
    pub item: ItemId,
    pub variant: Option<u32>,
    /// Fixes the shown order of shuffled options.
    pub seed: u64,
    pub kind: PromptKind,
    /// Daily prompts carry their slot; practice prompts have none.
    pub slot: Option<SlotKey>,
    pub created_at: DateTime<Utc>,
    /// Practice prompts are revealed at creation; daily ones when the learner taps.
    pub revealed_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Marks the learner's open prompts of the same kind as superseded by this one.
    pub supersede_open: bool,
}

/// A stored prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: PromptId,
    pub learner: LearnerId,
    pub item: ItemId,
    pub variant: Option<u32>,
    pub seed: u64,
    pub kind: PromptKind,
    pub slot_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revealed_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<PromptId>,
    pub status: PromptStatus,
    pub attempt: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub platform_message_id: Option<String>,
}

/// The result of [`Prompts::create_prompt`].
#[derive(Debug, Clone, PartialEq)]
pub struct PromptCreated {
    pub prompt: Prompt,
    /// False when the slot already had its prompt (planned by another instance or before a
    /// restart): nothing new was written.
    pub fresh: bool,
}

#[async_trait]
pub trait Prompts: Send + Sync {
    /// Creates a prompt, or returns the existing one for the same slot key.
    async fn create_prompt(&self, prompt: NewPrompt) -> Result<PromptCreated, StoreError>;
    async fn prompt(&self, id: PromptId) -> Result<Option<Prompt>, StoreError>;
    /// The learner's prompts still waiting for an answer, oldest first.
    async fn open_prompts(&self, learner: LearnerId) -> Result<Vec<Prompt>, StoreError>;
    /// Every prompt of the learner, oldest first.
    async fn prompts_of(&self, learner: LearnerId) -> Result<Vec<Prompt>, StoreError>;
    /// Sets the reveal time once (latency is measured from the first reveal) and returns
    /// the prompt; `NotFound` if there is no such prompt.
    async fn reveal(&self, id: PromptId, at: DateTime<Utc>) -> Result<Prompt, StoreError>;
    /// Marks open prompts whose `expires_at` is before `now` as expired; returns how many.
    async fn expire_prompts(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
