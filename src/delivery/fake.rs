//! A fake chat platform that writes what it "shows" people into database tables, for the
//! crash tests and the fan-out benchmark.
//!
//! It behaves like Discord with `nonce` + `enforce_nonce`: a send whose idempotency key was
//! already delivered returns the existing message instead of showing a second one. Every
//! call is logged in `fake_platform_calls` and every message shown in
//! `fake_platform_messages`; neither table has a unique constraint, so if two workers ever
//! sent the same prompt at the same time, the duplicate would be there for a test to count.
//!
//! Failure injection: a destination user whose id starts with `closed-` is undeliverable
//! (DMs closed); `fail_every` makes every n-th call fail temporarily; a delay is spent
//! *after* the message is shown (the platform's answer is slow to come back), which is
//! where a crash leaves a message shown but not recorded as sent. [`FakePlatform::without_nonce`]
//! models a platform with no idempotency at all, so that any second send shows.

use crate::platform::{Block, Chat, Destination, Platform, Reply, SendError, Sent};
use async_trait::async_trait;
use sqlx::{PgPool, SqlitePool};
use std::sync::atomic::{AtomicU64, Ordering};

/// Where the fake keeps its tables: the database under test.
#[derive(Debug, Clone)]
pub enum FakeDb {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// The fake platform. It reports itself as [`Platform::Local`], so it is never rate
/// limited unless a budget is configured for it.
#[derive(Debug)]
pub struct FakePlatform {
    db: FakeDb,
    fail_every: u64,
    calls: AtomicU64,
    delay: std::time::Duration,
    nonce: bool,
}

const CREATE: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS fake_platform_calls (idempotency_key TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS fake_platform_messages (
        idempotency_key TEXT NOT NULL, destination TEXT NOT NULL, body TEXT NOT NULL)",
    // Not unique, so that duplicates stay visible; only there to keep the check fast.
    "CREATE INDEX IF NOT EXISTS fake_platform_messages_key
        ON fake_platform_messages (idempotency_key)",
];

impl FakePlatform {
    /// Creates the fake's tables if needed. `fail_every = 0` never fails temporarily.
    pub async fn open(db: FakeDb, fail_every: u64) -> Result<Self, sqlx::Error> {
        for sql in CREATE {
            match &db {
                FakeDb::Postgres(p) => sqlx::query(sql).execute(p).await.map(drop),
                FakeDb::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop),
            }
            // Concurrent processes may race on CREATE TABLE IF NOT EXISTS in Postgres.
            .or_else(|e| if is_duplicate(&e) { Ok(()) } else { Err(e) })?;
        }
        Ok(FakePlatform {
            db,
            fail_every,
            calls: AtomicU64::new(0),
            delay: std::time::Duration::ZERO,
            nonce: true,
        })
    }

    /// Adds a simulated network round trip to every send, spent after the message is shown.
    pub fn with_delay(mut self, delay: std::time::Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Shows every send, even one repeating an idempotency key already shown.
    pub fn without_nonce(mut self) -> Self {
        self.nonce = false;
        self
    }

    /// Messages shown so far, and how many of them repeat an earlier idempotency key.
    pub async fn counts(&self) -> Result<FakeCounts, sqlx::Error> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM fake_platform_messages),
            (SELECT COUNT(*) - COUNT(DISTINCT idempotency_key) FROM fake_platform_messages),
            (SELECT COUNT(*) FROM fake_platform_calls),
            (SELECT COUNT(DISTINCT destination) FROM fake_platform_messages)";
        let (shown, duplicates, calls, recipients): (i64, i64, i64, i64) = match &self.db {
            FakeDb::Postgres(p) => sqlx::query_as(SQL).fetch_one(p).await?,
            FakeDb::Sqlite(p) => sqlx::query_as(SQL).fetch_one(p).await?,
        };
        Ok(FakeCounts {
            shown: shown as u64,
            duplicates: duplicates as u64,
            calls: calls as u64,
            recipients: recipients as u64,
        })
    }

    async fn record(&self, key: &str, to: &str, body: &str) -> Result<(), sqlx::Error> {
        // Check-then-insert without a lock or constraint, on purpose: the fake is only as
        // idempotent as the platform's nonce, and concurrent duplicates must show.
        const SHOW: &str = "INSERT INTO fake_platform_messages (idempotency_key, destination, body)
            SELECT $1, $2, $3 WHERE NOT EXISTS
            (SELECT 1 FROM fake_platform_messages WHERE idempotency_key = $1 AND $4)";
        const CALL: &str = "INSERT INTO fake_platform_calls (idempotency_key) VALUES ($1)";
        match &self.db {
            FakeDb::Postgres(p) => {
                // One statement, one commit: the platform's own latency is not what the
                // benchmark measures.
                let both = format!("WITH call AS ({CALL}) {SHOW}");
                sqlx::query(&both)
                    .bind(key)
                    .bind(to)
                    .bind(body)
                    .bind(self.nonce)
                    .execute(p)
                    .await?;
            }
            FakeDb::Sqlite(p) => {
                let mut tx = p.begin().await?;
                sqlx::query(CALL).bind(key).execute(&mut *tx).await?;
                sqlx::query(SHOW)
                    .bind(key)
                    .bind(to)
                    .bind(body)
                    .bind(self.nonce)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

/// What the fake platform has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FakeCounts {
    /// Messages people saw.
    pub shown: u64,
    /// Messages shown twice for the same key: must always be 0.
    pub duplicates: u64,
    /// Send calls, including retries the nonce absorbed.
    pub calls: u64,
    /// Distinct destinations that saw a message.
    pub recipients: u64,
}

fn is_duplicate(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "23505" || c == "42P07")
}

fn describe(to: &Destination) -> String {
    match to {
        Destination::Direct { user } => format!("user:{user}"),
        Destination::Channel { channel } => format!("channel:{channel}"),
    }
}

fn body(reply: &Reply) -> String {
    reply
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(t) | Block::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[async_trait]
impl Chat for FakePlatform {
    fn platform(&self) -> Platform {
        Platform::Local
    }

    async fn send(
        &self,
        to: &Destination,
        reply: &Reply,
        idempotency_key: &str,
    ) -> Result<Sent, SendError> {
        if let Destination::Direct { user } = to {
            if user.starts_with("closed-") {
                return Err(SendError::Undeliverable(
                    "the user does not accept DMs".into(),
                ));
            }
        }
        let n = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        if self.fail_every > 0 && n.is_multiple_of(self.fail_every) {
            return Err(SendError::Temporary("injected failure".into()));
        }
        self.record(idempotency_key, &describe(to), &body(reply))
            .await
            .map_err(|e| SendError::Temporary(format!("fake platform storage: {e}")))?;
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        Ok(Sent {
            message_id: format!("fake-{idempotency_key}"),
        })
    }
}
