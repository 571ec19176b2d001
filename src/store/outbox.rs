//! The outbox: messages waiting to be pushed to learners, and the operations delivery
//! workers use to take them exactly once (SPEC §6).
//!
//! A row is created per delivery slot, keyed by (tenant, schedule, learner, local date,
//! kind) so that every instance may try to create it and only one succeeds. Workers
//! *claim* rows with a lease and an attempt number; the attempt fences a worker whose
//! lease ran out, so it can no longer mark the row sent after someone else took it over.
//! The send itself is made idempotent by the platform (the row id is the idempotency key).
//!
//! Row life: `planning` (slot reserved, message being composed) → `pending` → `sending`
//! (claimed, leased) → `sent`; or `skipped` (nothing to ask that day), `expired` (too late
//! to be useful), `undeliverable` (gave up; listed for admins by [`Outbox::stuck`]).
//!
//! Depends on sqlx only through the two implementations: [`pg`] and [`sqlite`].

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::platform::{Destination, Platform, Reply};

#[path = "postgres/outbox.rs"]
pub mod pg;
#[path = "sqlite/outbox.rs"]
pub mod sqlite;

/// Claims after which a row that never finished is given up (see [`Outbox::expire`]).
pub const MAX_CLAIMS: i32 = 25;

/// The outbox row id; also the platform idempotency key (see [`Claimed::idempotency_key`]).
pub type OutboxId = i64;

/// Sorts a driver error into "try again later" ([`StoreError::Unavailable`]) and
/// "something is wrong". Broader than the store's own mapping: a protocol error or a
/// serialisation failure in the middle of a claim is also worth a retry for a worker.
pub(crate) fn from_sqlx(e: sqlx::Error) -> StoreError {
    use sqlx::Error as E;
    let transient = match &e {
        E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::Protocol(_) => true,
        E::WorkerCrashed => true,
        E::Database(d) => d.code().is_some_and(|c| {
            // Postgres connection exceptions (08xxx), shutdown (57P0x), serialisation
            // and deadlock (40xxx); SQLite BUSY (5) and LOCKED (6).
            c.starts_with("08")
                || c.starts_with("57P")
                || c.starts_with("40")
                || c == "5"
                || c == "6"
        }),
        _ => false,
    };
    if transient {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::from(e)
    }
}

fn corrupt(id: OutboxId, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("corrupt outbox row {id}: {reason}"))
}

pub type OutboxResult<T> = Result<T, StoreError>;

/// What a row delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The daily push of a slot.
    Daily,
    /// Practice asked for on demand and delivered asynchronously.
    Practice,
    /// The one gentle reminder about an unanswered daily prompt.
    Reminder,
    /// A one-off message to a person or a channel: an answer to a learner's question, an
    /// escalation notification, a manager's digest, a leaderboard post. The row's schedule
    /// names which.
    Notice,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Daily => "daily",
            MessageKind::Practice => "practice",
            MessageKind::Reminder => "reminder",
            MessageKind::Notice => "notice",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "daily" => MessageKind::Daily,
            "practice" => MessageKind::Practice,
            "reminder" => MessageKind::Reminder,
            "notice" => MessageKind::Notice,
            _ => return None,
        })
    }
}

/// The unique key of a row: at most one message of a kind per learner per local day and
/// schedule, however many instances try to create it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlotKey {
    pub tenant: String,
    pub schedule: String,
    /// The learner's key as the app spells it (`platform:tenant:user`).
    pub learner: String,
    pub slot_date: NaiveDate,
    pub kind: MessageKind,
}

/// The message a row carries, composed when the slot is planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub platform: Platform,
    pub destination: Destination,
    pub reply: Reply,
    /// The app's prompt this message asks, if any.
    pub prompt_ref: Option<String>,
}

/// A row to create directly as `pending` (planning already done).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub key: SlotKey,
    pub message: Message,
    /// When it should go out (the slot's instant).
    pub due_at: DateTime<Utc>,
}

/// A slot to reserve before composing its message.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSlot {
    pub key: SlotKey,
    pub due_at: DateTime<Utc>,
}

/// A due slot whose message is already composed (`None`: nothing to ask that day), for
/// planners whose composing has no side effects (see [`Outbox::reserve_composed`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ComposedSlot {
    pub slot: NewSlot,
    pub message: Option<Message>,
}

/// Rows [`Outbox::reserve_composed`] created, and how many of them carry a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Created {
    pub rows: usize,
    pub pending: usize,
}

/// A row a worker has claimed and must now send.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub id: OutboxId,
    /// Fences this claim: only this attempt may finish the row.
    pub attempt: i32,
    /// Failed sends so far (not counting crashes or lost leases).
    pub failures: i32,
    pub key: SlotKey,
    pub message: Message,
    pub due_at: DateTime<Utc>,
}

impl Message {
    pub(crate) fn to_json(&self) -> String {
        // Serialising plain data structures cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
    pub(crate) fn from_json(id: OutboxId, json: Option<&str>) -> OutboxResult<Self> {
        let json = json.ok_or_else(|| corrupt(id, "no message"))?;
        serde_json::from_str(json).map_err(|e| corrupt(id, e))
    }
}

impl Claimed {
    /// Stable across retries and workers, so a resend is recognised by the platform.
    pub fn idempotency_key(&self) -> String {
        format!("ladder-outbox-{}", self.id)
    }
}

/// How a failed send ends for now.
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    /// Try again at this instant.
    At(DateTime<Utc>),
    /// Stop: the row becomes `undeliverable` with the error kept for admins.
    GiveUp,
}

/// Outbox rows by status (for tests, benchmarks and the admin view).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub planning: u64,
    pub pending: u64,
    pub sending: u64,
    pub sent: u64,
    pub skipped: u64,
    pub expired: u64,
    pub undeliverable: u64,
}

impl StatusCounts {
    pub(crate) fn add(&mut self, status: &str, n: i64) {
        let n = n.max(0) as u64;
        match status {
            "planning" => self.planning += n,
            "pending" => self.pending += n,
            "sending" => self.sending += n,
            "sent" => self.sent += n,
            "skipped" => self.skipped += n,
            "expired" => self.expired += n,
            "undeliverable" => self.undeliverable += n,
            _ => {}
        }
    }
    /// Rows that still need work.
    pub fn open(&self) -> u64 {
        self.planning + self.pending + self.sending
    }
}

/// A message that could not be delivered, for an admin to look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Stuck {
    pub id: OutboxId,
    pub key: SlotKey,
    pub failures: i32,
    pub last_error: Option<String>,
}

/// The outbox operations, named by intent. Every timestamp comes from the caller's clock.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Reserves slots as `planning`; returns the ids of those this caller created (the
    /// others already exist, created by another instance or an earlier run).
    async fn reserve(
        &self,
        slots: &[NewSlot],
        now: DateTime<Utc>,
    ) -> OutboxResult<Vec<(OutboxId, SlotKey)>>;
    /// Completes reserved slots: `Some` becomes `pending`, `None` becomes `skipped`.
    async fn fill(&self, planned: &[(OutboxId, Option<Message>)]) -> OutboxResult<()>;
    /// Reserves and fills slots in one write: a row is created `pending` (or `skipped`)
    /// with its message, and keys that already exist are left alone. Only for messages
    /// composed without side effects, since losing the race throws the message away.
    async fn reserve_composed(
        &self,
        slots: &[ComposedSlot],
        now: DateTime<Utc>,
    ) -> OutboxResult<Created>;
    /// Creates ready-to-send rows; existing keys are left alone. Returns rows created.
    async fn enqueue(&self, messages: &[NewMessage], now: DateTime<Utc>) -> OutboxResult<u64>;
    /// Claims up to `limit` rows due at `now` (pending, or sending with a lapsed lease).
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> OutboxResult<Vec<Claimed>>;
    /// Extends a live claim's lease to `until`, right before its send; false when the
    /// claim was lost (its lease ran out, or another worker holds the row now), and then
    /// the caller must not send: the row belongs to whoever claims it next.
    async fn renew_lease(
        &self,
        id: OutboxId,
        attempt: i32,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> OutboxResult<bool>;
    /// Marks a claim sent; false when the claim was fenced off (lease lost).
    async fn mark_sent(
        &self,
        id: OutboxId,
        attempt: i32,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> OutboxResult<bool>;
    /// Records a failed send; false when the claim was fenced off.
    async fn mark_failed(
        &self,
        id: OutboxId,
        attempt: i32,
        error: &str,
        retry: Retry,
        now: DateTime<Utc>,
    ) -> OutboxResult<bool>;
    /// Gives a claim back unsent (the worker is shutting down): the row is pending again
    /// and due at `now`, so another instance takes it at once instead of after the lease.
    /// False when the claim was fenced off.
    async fn release(&self, id: OutboxId, attempt: i32, now: DateTime<Utc>) -> OutboxResult<bool>;
    /// Expires work too old to be useful: rows still open whose slot was due before
    /// `due_before`, and `planning` rows whose planner vanished before `planning_before`.
    /// Rows claimed [`MAX_CLAIMS`] times without finishing (a message that crashes its
    /// worker) become `undeliverable` here too, so nothing loops forever.
    async fn expire(
        &self,
        now: DateTime<Utc>,
        due_before: DateTime<Utc>,
        planning_before: DateTime<Utc>,
    ) -> OutboxResult<u64>;
    /// The sent daily message of a learner's local day, if any (for reminders).
    async fn sent_daily(
        &self,
        tenant: &str,
        learner: &str,
        slot_date: NaiveDate,
    ) -> OutboxResult<Option<(OutboxId, Message, DateTime<Utc>)>>;
    /// Undeliverable rows of a tenant, newest first.
    async fn stuck(&self, tenant: &str, limit: u32) -> OutboxResult<Vec<Stuck>>;
    async fn status_counts(&self) -> OutboxResult<StatusCounts>;
}

/// Implements [`Outbox`] for a store by handing every call to the backend's outbox over
/// the store's own pool, so `Arc<dyn Store>` users get the outbox without a second pool.
macro_rules! outbox_via {
    ($store:ty, $outbox:ty) => {
        #[async_trait]
        impl Outbox for $store {
            async fn reserve(
                &self,
                slots: &[NewSlot],
                now: DateTime<Utc>,
            ) -> OutboxResult<Vec<(OutboxId, SlotKey)>> {
                <$outbox>::new(self.pool().clone())
                    .reserve(slots, now)
                    .await
            }
            async fn fill(&self, planned: &[(OutboxId, Option<Message>)]) -> OutboxResult<()> {
                <$outbox>::new(self.pool().clone()).fill(planned).await
            }
            async fn reserve_composed(
                &self,
                slots: &[ComposedSlot],
                now: DateTime<Utc>,
            ) -> OutboxResult<Created> {
                <$outbox>::new(self.pool().clone())
                    .reserve_composed(slots, now)
                    .await
            }
            async fn enqueue(
                &self,
                messages: &[NewMessage],
                now: DateTime<Utc>,
            ) -> OutboxResult<u64> {
                <$outbox>::new(self.pool().clone())
                    .enqueue(messages, now)
                    .await
            }
            async fn claim(
                &self,
                worker: &str,
                now: DateTime<Utc>,
                lease: chrono::Duration,
                limit: u32,
            ) -> OutboxResult<Vec<Claimed>> {
                <$outbox>::new(self.pool().clone())
                    .claim(worker, now, lease, limit)
                    .await
            }
            async fn renew_lease(
                &self,
                id: OutboxId,
                attempt: i32,
                until: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> OutboxResult<bool> {
                <$outbox>::new(self.pool().clone())
                    .renew_lease(id, attempt, until, now)
                    .await
            }
            async fn mark_sent(
                &self,
                id: OutboxId,
                attempt: i32,
                message_id: &str,
                now: DateTime<Utc>,
            ) -> OutboxResult<bool> {
                <$outbox>::new(self.pool().clone())
                    .mark_sent(id, attempt, message_id, now)
                    .await
            }
            async fn mark_failed(
                &self,
                id: OutboxId,
                attempt: i32,
                error: &str,
                retry: Retry,
                now: DateTime<Utc>,
            ) -> OutboxResult<bool> {
                <$outbox>::new(self.pool().clone())
                    .mark_failed(id, attempt, error, retry, now)
                    .await
            }
            async fn release(
                &self,
                id: OutboxId,
                attempt: i32,
                now: DateTime<Utc>,
            ) -> OutboxResult<bool> {
                <$outbox>::new(self.pool().clone())
                    .release(id, attempt, now)
                    .await
            }
            async fn expire(
                &self,
                now: DateTime<Utc>,
                due_before: DateTime<Utc>,
                planning_before: DateTime<Utc>,
            ) -> OutboxResult<u64> {
                <$outbox>::new(self.pool().clone())
                    .expire(now, due_before, planning_before)
                    .await
            }
            async fn sent_daily(
                &self,
                tenant: &str,
                learner: &str,
                slot_date: NaiveDate,
            ) -> OutboxResult<Option<(OutboxId, Message, DateTime<Utc>)>> {
                <$outbox>::new(self.pool().clone())
                    .sent_daily(tenant, learner, slot_date)
                    .await
            }
            async fn stuck(&self, tenant: &str, limit: u32) -> OutboxResult<Vec<Stuck>> {
                <$outbox>::new(self.pool().clone())
                    .stuck(tenant, limit)
                    .await
            }
            async fn status_counts(&self) -> OutboxResult<StatusCounts> {
                <$outbox>::new(self.pool().clone()).status_counts().await
            }
        }
    };
}

outbox_via!(super::PgStore, pg::PgOutbox);
outbox_via!(super::SqliteStore, sqlite::SqliteOutbox);
