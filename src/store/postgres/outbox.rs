//! The outbox on Postgres: batched writes through `UNNEST`, claims with
//! `FOR UPDATE SKIP LOCKED` so any number of instances share the work without waiting on
//! each other, and fenced completions.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::{
    corrupt, from_sqlx, Claimed, ComposedSlot, Created, Message, MessageKind, NewMessage, NewSlot,
    Outbox, OutboxId, OutboxResult, Retry, SlotKey, StatusCounts, StoreError, Stuck, MAX_CLAIMS,
};

/// Rows per statement: large enough to amortise round trips, small enough for memory.
const CHUNK: usize = 5_000;

/// The outbox over a Postgres pool (the schema comes from the pool's `search_path`).
#[derive(Debug, Clone)]
pub struct PgOutbox {
    pool: PgPool,
}

impl PgOutbox {
    pub fn new(pool: PgPool) -> Self {
        PgOutbox { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

fn db(e: sqlx::Error) -> StoreError {
    from_sqlx(e)
}

/// The key columns of a batch, as parallel arrays for `UNNEST`.
#[derive(Default)]
struct KeyColumns {
    tenant: Vec<String>,
    schedule: Vec<String>,
    learner: Vec<String>,
    date: Vec<NaiveDate>,
    kind: Vec<&'static str>,
    due: Vec<DateTime<Utc>>,
}

impl KeyColumns {
    fn push(&mut self, k: &SlotKey, due: DateTime<Utc>) {
        self.tenant.push(k.tenant.clone());
        self.schedule.push(k.schedule.clone());
        self.learner.push(k.learner.clone());
        self.date.push(k.slot_date);
        self.kind.push(k.kind.as_str());
        self.due.push(due);
    }
}

fn key_of(row: &PgRow) -> OutboxResult<SlotKey> {
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

fn claimed_row(row: &PgRow) -> OutboxResult<Claimed> {
    let id: OutboxId = row.try_get("id").map_err(db)?;
    let message: Option<String> = row.try_get("message").map_err(db)?;
    Ok(Claimed {
        id,
        attempt: row.try_get("attempt").map_err(db)?,
        failures: row.try_get("failures").map_err(db)?,
        key: key_of(row)?,
        message: Message::from_json(id, message.as_deref())?,
        due_at: row.try_get("due_at").map_err(db)?,
    })
}

/// A row that cannot be decoded would fail every claim that includes it, and its batch
/// with it: it goes straight to the admins' list instead.
async fn set_aside(pool: &PgPool, id: OutboxId, why: &StoreError) -> OutboxResult<()> {
    tracing::error!(id, error = %why, "undecodable outbox row set aside");
    sqlx::query(
        "UPDATE delivery_outbox SET status = 'undeliverable', last_error = $2, claimed_by = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(why.to_string())
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

const RESERVE: &str = "INSERT INTO delivery_outbox
    (tenant, schedule, learner, slot_date, kind, status, due_at, next_attempt_at, created_at)
    SELECT t, s, l, d, k, 'planning', due, due, $7
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[])
        AS u(t, s, l, d, k, due)
    ON CONFLICT (tenant, schedule, learner, slot_date, kind) DO NOTHING
    RETURNING id, tenant, schedule, learner, slot_date, kind";

/// Reserve and fill in one statement: a message of `NULL` makes the row `skipped`.
const RESERVE_COMPOSED: &str = "INSERT INTO delivery_outbox
    (tenant, schedule, learner, slot_date, kind, status, message, due_at, next_attempt_at,
     created_at)
    SELECT t, s, l, d, k, CASE WHEN m IS NULL THEN 'skipped' ELSE 'pending' END, m, due, due, $8
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[],
                $7::text[]) AS u(t, s, l, d, k, due, m)
    ON CONFLICT (tenant, schedule, learner, slot_date, kind) DO NOTHING
    RETURNING message IS NOT NULL AS filled";

const FILL: &str = "UPDATE delivery_outbox o
    SET status = CASE WHEN u.m IS NULL THEN 'skipped' ELSE 'pending' END, message = u.m
    FROM UNNEST($1::bigint[], $2::text[]) AS u(id, m)
    WHERE o.id = u.id AND o.status = 'planning'";

const ENQUEUE: &str = "INSERT INTO delivery_outbox
    (tenant, schedule, learner, slot_date, kind, status, message, due_at, next_attempt_at, created_at)
    SELECT t, s, l, d, k, 'pending', m, due, due, $8
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[],
                $7::text[]) AS u(t, s, l, d, k, due, m)
    ON CONFLICT (tenant, schedule, learner, slot_date, kind) DO NOTHING";

const CLAIM: &str = "UPDATE delivery_outbox o
    SET status = 'sending', attempt = o.attempt + 1, claimed_by = $1, next_attempt_at = $3
    FROM (SELECT id FROM delivery_outbox
          WHERE status IN ('pending', 'sending') AND next_attempt_at <= $2 AND attempt < $5
          ORDER BY next_attempt_at
          LIMIT $4
          FOR UPDATE SKIP LOCKED) c
    WHERE o.id = c.id
    RETURNING o.id, o.attempt, o.failures, o.tenant, o.schedule, o.learner, o.slot_date,
              o.kind, o.message, o.due_at";

#[async_trait]
impl Outbox for PgOutbox {
    #[tracing::instrument(skip_all, fields(n = slots.len()))]
    async fn reserve(
        &self,
        slots: &[NewSlot],
        now: DateTime<Utc>,
    ) -> OutboxResult<Vec<(OutboxId, SlotKey)>> {
        let mut won = Vec::new();
        for chunk in slots.chunks(CHUNK) {
            let mut c = KeyColumns::default();
            chunk.iter().for_each(|s| c.push(&s.key, s.due_at));
            let rows = sqlx::query(RESERVE)
                .bind(c.tenant)
                .bind(c.schedule)
                .bind(c.learner)
                .bind(c.date)
                .bind(c.kind)
                .bind(c.due)
                .bind(now)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            for row in &rows {
                won.push((row.try_get("id").map_err(db)?, key_of(row)?));
            }
        }
        Ok(won)
    }

    #[tracing::instrument(skip_all, fields(n = planned.len()))]
    async fn fill(&self, planned: &[(OutboxId, Option<Message>)]) -> OutboxResult<()> {
        for chunk in planned.chunks(CHUNK) {
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            let messages: Vec<Option<String>> = chunk
                .iter()
                .map(|(_, m)| m.as_ref().map(Message::to_json))
                .collect();
            sqlx::query(FILL)
                .bind(ids)
                .bind(messages)
                .execute(&self.pool)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(n = slots.len()))]
    async fn reserve_composed(
        &self,
        slots: &[ComposedSlot],
        now: DateTime<Utc>,
    ) -> OutboxResult<Created> {
        let mut created = Created::default();
        for chunk in slots.chunks(CHUNK) {
            let mut c = KeyColumns::default();
            chunk
                .iter()
                .for_each(|s| c.push(&s.slot.key, s.slot.due_at));
            let bodies: Vec<Option<String>> = chunk
                .iter()
                .map(|s| s.message.as_ref().map(Message::to_json))
                .collect();
            let filled: Vec<bool> = sqlx::query_scalar(RESERVE_COMPOSED)
                .bind(c.tenant)
                .bind(c.schedule)
                .bind(c.learner)
                .bind(c.date)
                .bind(c.kind)
                .bind(c.due)
                .bind(bodies)
                .bind(now)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            created.rows += filled.len();
            created.pending += filled.iter().filter(|f| **f).count();
        }
        Ok(created)
    }

    #[tracing::instrument(skip_all, fields(n = messages.len()))]
    async fn enqueue(&self, messages: &[NewMessage], now: DateTime<Utc>) -> OutboxResult<u64> {
        let mut created = 0;
        for chunk in messages.chunks(CHUNK) {
            let mut c = KeyColumns::default();
            chunk.iter().for_each(|m| c.push(&m.key, m.due_at));
            let bodies: Vec<String> = chunk.iter().map(|m| m.message.to_json()).collect();
            let done = sqlx::query(ENQUEUE)
                .bind(c.tenant)
                .bind(c.schedule)
                .bind(c.learner)
                .bind(c.date)
                .bind(c.kind)
                .bind(c.due)
                .bind(bodies)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(db)?;
            created += done.rows_affected();
        }
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
        let rows = sqlx::query(CLAIM)
            .bind(worker)
            .bind(now)
            .bind(now + lease)
            .bind(i64::from(limit))
            .bind(MAX_CLAIMS)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            match claimed_row(row) {
                Ok(c) => claimed.push(c),
                Err(e) => set_aside(&self.pool, row.try_get("id").map_err(db)?, &e).await?,
            }
        }
        Ok(claimed)
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
            "UPDATE delivery_outbox SET next_attempt_at = $3
             WHERE id = $1 AND attempt = $2 AND status = 'sending' AND next_attempt_at > $4",
        )
        .bind(id)
        .bind(attempt)
        .bind(until)
        .bind(now)
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
        // The lease check makes a worker that overran its lease lose the race even when
        // nobody has re-claimed the row yet: the row will be sent again under the same
        // idempotency key, which the platform folds into the first message.
        let done = sqlx::query(
            "UPDATE delivery_outbox SET status = 'sent', platform_message_id = $3, sent_at = $4,
                 claimed_by = NULL
             WHERE id = $1 AND attempt = $2 AND status = 'sending' AND next_attempt_at > $4",
        )
        .bind(id)
        .bind(attempt)
        .bind(message_id)
        .bind(now)
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
            Retry::At(at) => ("pending", Some(at)),
            Retry::GiveUp => ("undeliverable", None),
        };
        let done = sqlx::query(
            "UPDATE delivery_outbox SET status = $3, failures = failures + 1, last_error = $4,
                 next_attempt_at = COALESCE($5, next_attempt_at), claimed_by = NULL
             WHERE id = $1 AND attempt = $2 AND status = 'sending'",
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
            "UPDATE delivery_outbox SET status = 'pending', next_attempt_at = $3, claimed_by = NULL
             WHERE id = $1 AND attempt = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(attempt)
        .bind(now)
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
                 status = CASE WHEN attempt >= $4 THEN 'undeliverable' ELSE 'expired' END,
                 last_error = CASE WHEN attempt >= $4
                     THEN 'gave up: claimed too many times without finishing'
                     ELSE COALESCE(last_error, 'too late to be useful') END,
                 claimed_by = NULL
             WHERE (status IN ('pending', 'sending') AND next_attempt_at <= $1
                    AND (due_at < $2 OR attempt >= $4))
                OR (status = 'planning' AND created_at < $3)",
        )
        .bind(now)
        .bind(due_before)
        .bind(planning_before)
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
             WHERE tenant = $1 AND learner = $2 AND slot_date = $3 AND kind = 'daily'
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
        let sent_at: DateTime<Utc> = row.try_get("sent_at").map_err(db)?;
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
             FROM delivery_outbox WHERE tenant = $1 AND status = 'undeliverable'
             ORDER BY id DESC LIMIT $2",
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
