//! What the use cases remember about a learner, and the narrow interface they use to read
//! and write it ([`Records`]).
//!
//! The use cases only need a handful of operations, named by intent; keeping them behind
//! this trait keeps the app free of SQL. Depends on the engine's value types and the
//! platform's `Reply`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc, Weekday};
use ladder_engine::escalation::ActionKind;
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::{Memory, Rating};
use ladder_engine::{ItemId, ResourceId, SkillId, Stage, TrackId};
use serde::{Deserialize, Serialize};

use super::action::PromptRef;
use crate::platform::{Actor, Platform, Reply};

mod store;
pub use crate::store::NoticeOptOuts;
pub use store::StoreRecords;

/// The learner's key: platform, tenant and user id together, as the platform names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LearnerKey {
    pub platform: Platform,
    pub tenant: String,
    pub user: String,
}

impl LearnerKey {
    pub fn of(actor: &Actor) -> Self {
        LearnerKey {
            platform: actor.platform,
            tenant: actor.tenant.clone(),
            user: actor.user.clone(),
        }
    }
}

/// A workspace a platform user joined in, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The platform's workspace id (the `tenant` of a [`LearnerKey`]).
    pub tenant: String,
    /// The workspace's name as last seen (may be empty).
    pub name: String,
}

/// When and how much a learner wants to practise. `None` means "not chosen": the tenant's
/// `[schedules]` apply (its cron's time and days, its timezone, its daily caps), and follow
/// any later change of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    /// IANA timezone name, already validated.
    pub timezone: Option<String>,
    pub time: Option<NaiveTime>,
    pub days: Option<Vec<Weekday>>,
    /// Questions per day (1..=5), lowering the tenant's new-item and review caps.
    pub daily_cap: Option<u32>,
    pub paused_until: Option<DateTime<Utc>>,
    /// Shown on the cohort leaderboard (on unless the learner opts out).
    pub leaderboard: bool,
    /// Notices the person turned off.
    pub notices: NoticeOptOuts,
    /// Pinged on the channel notice that stands in for a DM while DMs are closed.
    pub channel_mention: bool,
    /// The platform refused the last DM: the daily question waits in a channel instead.
    /// Set and cleared by delivery, read-only for the use cases.
    pub dm_closed: bool,
}

impl Default for Preferences {
    /// A new learner's: everything from the tenant, on the leaderboard, every notice on.
    fn default() -> Self {
        Preferences {
            timezone: None,
            time: None,
            days: None,
            daily_cap: None,
            paused_until: None,
            leaderboard: true,
            notices: NoticeOptOuts::default(),
            channel_mention: false,
            dm_closed: false,
        }
    }
}

/// A person who opted in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learner {
    pub key: LearnerKey,
    pub display_name: String,
    pub tenant: String,
    pub tracks: Vec<TrackId>,
    pub prefs: Preferences,
    pub joined_at: DateTime<Utc>,
}

/// Whether a prompt can still be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromptState {
    Open,
    Answered,
    /// Superseded by a newer prompt (the next day's push) before it was answered.
    Replaced,
    /// Left unanswered past `schedules.prompt_ttl_hours`.
    Expired,
}

/// One question put to one learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: PromptRef,
    pub learner: LearnerKey,
    pub item: ItemId,
    /// Index into the item's variants when a variant was shown.
    pub variant: Option<usize>,
    /// Seeds the shown order of shuffled options.
    pub seed: u64,
    /// Pushed daily prompts hide the question until revealed.
    pub pushed: bool,
    pub created_at: DateTime<Utc>,
    /// Latency is measured from here.
    pub revealed_at: Option<DateTime<Utc>>,
    pub state: PromptState,
    /// A pushed prompt can no longer be answered from this instant.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Prompt {
    /// The state at `now`: an open prompt past its expiry is expired, whether or not the
    /// store has marked it yet.
    pub fn state_at(&self, now: DateTime<Utc>) -> PromptState {
        match self.state {
            PromptState::Open if self.expires_at.is_some_and(|e| e <= now) => PromptState::Expired,
            s => s,
        }
    }
}

/// One graded answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub learner: LearnerKey,
    pub prompt: PromptRef,
    pub item: ItemId,
    pub skill: SkillId,
    pub item_stage: Stage,
    pub at: DateTime<Utc>,
    pub verdict: Verdict,
    pub score: f64,
    pub latency_secs: f64,
    /// The answer as typed or picked, kept for export and expert review.
    pub answer: String,
}

/// One escalation sent to a learner, for cool-downs and "already sent" checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalation {
    pub skill: SkillId,
    pub kind: ActionKind,
    pub resource: Option<ResourceId>,
    pub at: DateTime<Utc>,
}

/// A learner's stage in one skill and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    pub skill: SkillId,
    /// The stage before this change (None for the first record of a skill).
    pub from: Option<Stage>,
    pub stage: Stage,
    pub since: DateTime<Utc>,
    /// The evidence sentence shown by `why`.
    pub evidence: String,
}

/// Everything written when an answer is accepted, in one step.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerWrite {
    pub review: Review,
    /// None for answers that wait for a person (free text).
    pub rating: Option<Rating>,
    pub memory: Option<Memory>,
    pub stage: Option<StageRecord>,
    pub escalations: Vec<Escalation>,
    /// What the learner was told, replayed verbatim for a duplicate event.
    pub replies: Vec<Reply>,
    /// [`Records::progress_rev`] as read before the memories and stages this answer was
    /// computed from.
    pub basis: Option<i64>,
}

/// What happened to an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    Recorded,
    /// The same prompt was already answered: here is what was said then.
    Duplicate(Vec<Reply>),
    /// The prompt was replaced or never existed.
    Stale,
    /// Another answer or grade of the learner was written after
    /// [`AnswerWrite::basis`] was read: nothing was written; compute it again.
    Changed,
}

/// A storage failure, worded for logs (never for users).
#[derive(Debug, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct RecordsError(pub String);

pub type Result<T> = std::result::Result<T, RecordsError>;

/// The operations the use cases need, named by intent.
#[async_trait]
pub trait Records: Send + Sync {
    async fn learner(&self, key: &LearnerKey) -> Result<Option<Learner>>;
    async fn save_learner(&self, learner: &Learner) -> Result<()>;
    async fn learners(&self, tenant: &str) -> Result<Vec<Learner>>;
    /// The workspaces (guilds) in which this platform user joined, oldest first: a direct
    /// message names none, so the app asks here where it belongs.
    async fn memberships(&self, platform: Platform, user: &str) -> Result<Vec<Membership>>;
    /// Removes the learner and everything recorded about them.
    async fn forget(&self, key: &LearnerKey) -> Result<()>;

    /// Stores a new prompt, replacing any open pushed prompt when `replace_open` is set.
    async fn add_prompt(&self, prompt: Prompt, replace_open: bool) -> Result<Prompt>;
    async fn prompt(&self, id: &PromptRef) -> Result<Option<Prompt>>;
    async fn open_prompts(&self, key: &LearnerKey) -> Result<Vec<Prompt>>;
    /// Every prompt of the learner, oldest first.
    async fn prompts(&self, key: &LearnerKey) -> Result<Vec<Prompt>>;
    async fn reveal(&self, id: &PromptRef, at: DateTime<Utc>) -> Result<()>;

    /// Idempotent: the first answer to a prompt wins; later ones get its replies back.
    async fn record_answer(&self, write: AnswerWrite) -> Result<Recorded>;
    /// The learner's progress revision, which every write of a memory or a stage moves
    /// on; read first, before what an answer is computed from (see [`Recorded::Changed`]).
    async fn progress_rev(&self, _key: &LearnerKey) -> Result<Option<i64>> {
        Ok(None)
    }
    async fn reviews(&self, key: &LearnerKey) -> Result<Vec<Review>>;
    async fn memories(&self, key: &LearnerKey) -> Result<Vec<(ItemId, Memory)>>;
    async fn stages(&self, key: &LearnerKey) -> Result<Vec<StageRecord>>;
    /// Escalations sent to the learner, oldest first.
    async fn escalations(&self, key: &LearnerKey) -> Result<Vec<Escalation>>;

    /// Records, durably and before anything is applied, that this inbound event is being
    /// handled; false when it already was (a replay, on this instance or another).
    async fn first_handling(
        &self,
        platform: Platform,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Forgets handled events first seen before `before`.
    async fn forget_handled_before(&self, before: DateTime<Utc>) -> Result<u64>;
    /// Everything the service's store holds about the learner beyond the records above
    /// (account, roles, teams, questions, contributions, votes, grades given, messages),
    /// for "export my data". None where there is no such store (the in-memory records).
    async fn stored_data(&self, _key: &LearnerKey) -> Result<Option<crate::store::LearnerData>> {
        Ok(None)
    }
}
