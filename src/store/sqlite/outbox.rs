//! The outbox on SQLite: one instance, so claims only need to be atomic against that
//! instance's own workers; a `BEGIN IMMEDIATE` transaction takes the write lock up front.
//! Instants are stored as integer milliseconds so that they compare as numbers.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::{
    corrupt, from_sqlx, Claimed, ComposedSlot, Created, Message, MessageKind, NewMessage, NewSlot,
    Outbox, OutboxId, OutboxResult, Retry, SlotKey, StatusCounts, StoreError, Stuck, MAX_CLAIMS,
};

/// Rows per statement: 500 rows of 10 values stays far below SQLite's parameter limit.
const CHUNK: usize = 500;

/// The outbox over a SQLite pool.
#[derive(Debug, Clone)]
pub struct SqliteOutbox {
    pool: SqlitePool,
}

impl SqliteOutbox {
    pub fn new(pool: SqlitePool) -> Self {
        SqliteOutbox { pool }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn db(e: sqlx::Error) -> StoreError {
    from_sqlx(e)
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn instant(id: OutboxId, ms: i64) -> OutboxResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(id, format!("bad instant {ms}")))
}

fn key_of(row: &SqliteRow) -> OutboxResult<SlotKey> {
    let kind: String = row.try_get("kind").map_err(db)?;
    let id: OutboxId = row.try_get("id").map_err(db)?;
    Ok(SlotKey {
        tenant: row.try_get("tenant").map_err(db)?,
        schedule: row.try_get("schedule").map_err(db)?,
        learner: row.try_get("learner").map_err(db)?,
        slot_date: row.try_get("slot_date").map_err(db)?,
        kind: MessageKind::parse(&kind)
            .ok_or_else(|| corrupt(id, format!("unknown kind {kind:?}")))?,
    })
}

/// A row to insert: its key, due instant, message and status.
type NewRow<'a> = (&'a SlotKey, DateTime<Utc>, Option<String>, &'static str);

/// `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING` for a batch of keys.
fn insert_batch<'a>(
    rows: impl Iterator<Item = NewRow<'a>>,
    now: DateTime<Utc>,
) -> QueryBuilder<'a, Sqlite> {
    let mut q = QueryBuilder::new(
        "INSERT INTO delivery_outbox (tenant, schedule, learner, slot_date, kind, status, \
         message, due_at, next_attempt_at, created_at) ",
    );
    q.push_values(rows, |mut b, (k, due, message, status)| {
        b.push_bind(k.tenant.as_str())
            .push_bind(k.schedule.as_str())
            .push_bind(k.learner.as_str())
            .push_bind(k.slot_date)
            .push_bind(k.kind.as_str())
            .push_bind(status)
            .push_bind(message)
            .push_bind(ms(due))
            .push_bind(ms(due))
            .push_bind(ms(now));
    });
    q.push(" ON CONFLICT (tenant, schedule, learner, slot_date, kind) DO NOTHING");
    q
}

fn claimed(row: &SqliteRow) -> OutboxResult<Claimed> {
    let id: OutboxId = row.try_get("id").map_err(db)?;
    let message: Option<String> = row.try_get("message").map_err(db)?;
    Ok(Claimed {
        id,
        attempt: row.try_get("attempt").map_err(db)?,
        failures: row.try_get("failures").map_err(db)?,
        key: key_of(row)?,
        message: Message::from_json(id, message.as_deref())?,
        due_at: instant(id, row.try_get("due_at").map_err(db)?)?,
    })
}

/// A row that cannot be decoded would fail every claim that includes it, and its batch
/// with it: it goes straight to the admins' list instead.
async fn set_aside(pool: &SqlitePool, id: OutboxId, why: &StoreError) -> OutboxResult<()> {
    tracing::error!(id, error = %why, "undecodable outbox row set aside");
    sqlx::query(
        "UPDATE delivery_outbox SET status = 'undeliverable', last_error = ?2, claimed_by = NULL
         WHERE id = ?1",
    )
    .bind(id)
    .bind(why.to_string())
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

const CLAIM: &str = "UPDATE delivery_outbox
    SET status = 'sending', attempt = attempt + 1, claimed_by = ?1, next_attempt_at = ?3
    WHERE id IN (SELECT id FROM delivery_outbox
                 WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?2
                   AND attempt < ?5
                 ORDER BY next_attempt_at LIMIT ?4)
    RETURNING id, attempt, failures, tenant, schedule, learner, slot_date, kind, message, due_at";

#[async_trait]
impl Outbox for SqliteOutbox {
    #[tracing::instrument(skip_all, fields(n = slots.len()))]
    async fn reserve(
        &self,
        slots: &[NewSlot],
        now: DateTime<Utc>,
    ) -> OutboxResult<Vec<(OutboxId, SlotKey)>> {
        let mut won = Vec::new();
        for chunk in slots.chunks(CHUNK) {
            let mut q = insert_batch(
                chunk.iter().map(|s| (&s.key, s.due_at, None, "planning")),
                now,
            );
            q.push(" RETURNING id, tenant, schedule, learner, slot_date, kind");
            let rows = q.build().fetch_all(&self.pool).await.map_err(db)?;
            for row in &rows {
                won.push((row.try_get("id").map_err(db)?, key_of(row)?));
            }
        }
        Ok(won)
    }

    #[tracing::instrument(skip_all, fields(n = planned.len()))]
    async fn fill(&self, planned: &[(OutboxId, Option<Message>)]) -> OutboxResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for (id, message) in planned {
            let status = if message.is_some() {
                "pending"
            } else {
                "skipped"
            };
            sqlx::query(
                "UPDATE delivery_outbox SET status = ?2, message = ?3
                 WHERE id = ?1 AND status = 'planning'",
            )
            .bind(id)
            .bind(status)
            .bind(message.as_ref().map(Message::to_json))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(skip_all, fields(n = slots.len()))]
    async fn reserve_composed(
        &self,
        slots: &[ComposedSlot],
        now: DateTime<Utc>,
    ) -> OutboxResult<Created> {
        let mut created = Created::default();
        let mut tx = self.pool.begin().await.map_err(db)?;
        for chunk in slots.chunks(CHUNK) {
            let rows = chunk.iter().map(|s| {
                let status = if s.message.is_some() {
                    "pending"
                } else {
                    "skipped"
                };
                let body = s.message.as_ref().map(Message::to_json);
                (&s.slot.key, s.slot.due_at, body, status)
            });
            let mut q = insert_batch(rows, now);
            q.push(" RETURNING message IS NOT NULL AS filled");
            let filled: Vec<bool> = q
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
            created.rows += filled.len();
            created.pending += filled.iter().filter(|f| **f).count();
        }
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    #[tracing::instrument(skip_all, fields(n = messages.len()))]
    async fn enqueue(&self, messages: &[NewMessage], now: DateTime<Utc>) -> OutboxResult<u64> {
        let mut created = 0;
        let mut tx = self.pool.begin().await.map_err(db)?;
        for chunk in messages.chunks(CHUNK) {
            let rows = chunk
                .iter()
                .map(|m| (&m.key, m.due_at, Some(m.message.to_json()), "pending"));
            let done = insert_batch(rows, now)
                .build()
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            created += done.rows_affected();
        }
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    #[tracing::instrument(skip_all, fields(worker, limit))]
    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> OutboxResult<Vec<Claimed>> {
        // Take the write lock before reading, so two workers never pick the same rows. The
        // driver tracks this transaction: a failed one is rolled back when dropped.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let rows = sqlx::query(CLAIM)
            .bind(worker)
            .bind(ms(now))
            .bind(ms(now + lease))
            .bind(i64::from(limit))
            .bind(MAX_CLAIMS)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?; // setting a row aside needs a connection of its own
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            match claimed(row) {
                Ok(c) => out.push(c),
                Err(e) => set_aside(&self.pool, row.try_get("id").map_err(db)?, &e).await?,
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(id))]
    async fn renew_lease(
        &self,
        id: OutboxId,
        attempt: i32,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> OutboxResult<bool> {
        // The same fence as the completions: this attempt, still sending, lease not run out.
        let done = sqlx::query(
            "UPDATE delivery_outbox SET next_attempt_at = ?3
             WHERE id = ?1 AND attempt = ?2 AND status = 'sending' AND next_attempt_at > ?4",
        )
        .bind(id)
        .bind(attempt)
        .bind(ms(until))
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(id))]
    async fn mark_sent(
        &self,
        id: OutboxId,
        attempt: i32,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> OutboxResult<bool> {
        let done = sqlx::query(
            "UPDATE delivery_outbox SET status = 'sent', platform_message_id = ?3, sent_at = ?4,
                 claimed_by = NULL
             WHERE id = ?1 AND attempt = ?2 AND status = 'sending' AND next_attempt_at > ?4",
        )
        .bind(id)
        .bind(attempt)
        .bind(message_id)
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(id))]
    async fn mark_failed(
        &self,
        id: OutboxId,
        attempt: i32,
        error: &str,
        retry: Retry,
        _now: DateTime<Utc>,
    ) -> OutboxResult<bool> {
        let (status, at) = match retry {
            Retry::At(at) => ("pending", Some(ms(at))),
            Retry::GiveUp => ("undeliverable", None),
        };
        let done = sqlx::query(
            "UPDATE delivery_outbox SET status = ?3, failures = failures + 1, last_error = ?4,
                 next_attempt_at = COALESCE(?5, next_attempt_at), claimed_by = NULL
             WHERE id = ?1 AND attempt = ?2 AND status = 'sending'",
        )
        .bind(id)
        .bind(attempt)
        .bind(status)
        .bind(error)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(id))]
    async fn release(&self, id: OutboxId, attempt: i32, now: DateTime<Utc>) -> OutboxResult<bool> {
        let done = sqlx::query(
            "UPDATE delivery_outbox SET status = 'pending', next_attempt_at = ?3, claimed_by = NULL
             WHERE id = ?1 AND attempt = ?2 AND status = 'sending'",
        )
        .bind(id)
        .bind(attempt)
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all)]
    async fn expire(
        &self,
        now: DateTime<Utc>,
        due_before: DateTime<Utc>,
        planning_before: DateTime<Utc>,
    ) -> OutboxResult<u64> {
        let done = sqlx::query(
            "UPDATE delivery_outbox SET
                 status = CASE WHEN attempt >= ?4 THEN 'undeliverable' ELSE 'expired' END,
                 last_error = CASE WHEN attempt >= ?4
                     THEN 'gave up: claimed too many times without finishing'
                     ELSE COALESCE(last_error, 'too late to be useful') END,
                 claimed_by = NULL
             WHERE (status IN ('pending', 'sending') AND next_attempt_at <= ?1
                    AND (due_at < ?2 OR attempt >= ?4))
                OR (status = 'planning' AND created_at < ?3)",
        )
        .bind(ms(now))
        .bind(ms(due_before))
        .bind(ms(planning_before))
        .bind(MAX_CLAIMS)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    #[tracing::instrument(skip_all)]
    async fn sent_daily(
        &self,
        tenant: &str,
        learner: &str,
        slot_date: NaiveDate,
    ) -> OutboxResult<Option<(OutboxId, Message, DateTime<Utc>)>> {
        let row = sqlx::query(
            "SELECT id, message, sent_at FROM delivery_outbox
             WHERE tenant = ?1 AND learner = ?2 AND slot_date = ?3 AND kind = 'daily'
               AND status = 'sent'
             ORDER BY id LIMIT 1",
        )
        .bind(tenant)
        .bind(learner)
        .bind(slot_date)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let id: OutboxId = row.try_get("id").map_err(db)?;
        let message: Option<String> = row.try_get("message").map_err(db)?;
        let sent_at = instant(id, row.try_get("sent_at").map_err(db)?)?;
        Ok(Some((
            id,
            Message::from_json(id, message.as_deref())?,
            sent_at,
        )))
    }

    #[tracing::instrument(skip_all)]
    async fn stuck(&self, tenant: &str, limit: u32) -> OutboxResult<Vec<Stuck>> {
        let rows = sqlx::query(
            "SELECT id, tenant, schedule, learner, slot_date, kind, failures, last_error
             FROM delivery_outbox WHERE tenant = ?1 AND status = 'undeliverable'
             ORDER BY id DESC LIMIT ?2",
        )
        .bind(tenant)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(Stuck {
                    id: row.try_get("id").map_err(db)?,
                    key: key_of(row)?,
                    failures: row.try_get("failures").map_err(db)?,
                    last_error: row.try_get("last_error").map_err(db)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn status_counts(&self) -> OutboxResult<StatusCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM delivery_outbox GROUP BY status")
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        let mut counts = StatusCounts::default();
        rows.iter().for_each(|(s, n)| counts.add(s, *n));
        Ok(counts)
    }
}
