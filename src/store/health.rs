//! The database as the operator's endpoints see it: does it answer, how much delivery work
//! is waiting, and a clean close at shutdown (SQLite's WAL folded back into the file).
//!
//! A small pool of its own, opened lazily, so that a probe never waits behind the
//! service's own queries and an unreachable database is reported instead of hanging.
//! Depends on sqlx only.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

use super::StoreError;

/// How long a probe may wait for a connection before the database counts as down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Open delivery work: rows pending or being sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub open: u64,
    /// When the oldest open row that is already due was due.
    pub oldest_due: Option<DateTime<Utc>>,
}

impl Backlog {
    /// How long the oldest due row has waited at `now` (zero when nothing is due).
    pub fn oldest_age(&self, now: DateTime<Utc>) -> Duration {
        self.oldest_due
            .and_then(|due| (now - due).to_std().ok())
            .unwrap_or_default()
    }
}

/// A probe of the store's database.
#[derive(Debug, Clone)]
pub enum DbProbe {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl DbProbe {
    /// A probe of the database at `url` (`sqlite:` or `postgres://`); connects on first use.
    pub fn for_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?.busy_timeout(PROBE_TIMEOUT);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(PROBE_TIMEOUT)
                .connect_lazy_with(opts);
            return Ok(DbProbe::Sqlite(pool));
        }
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(PROBE_TIMEOUT)
            .connect_lazy_with(opts);
        Ok(DbProbe::Postgres(pool))
    }

    /// One round trip to the database.
    #[tracing::instrument(skip_all)]
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            DbProbe::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
            DbProbe::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
        }
        .map_err(super::outbox::from_sqlx)
    }

    /// Open outbox rows and the oldest due one, through the outbox's work index.
    #[tracing::instrument(skip_all)]
    pub async fn backlog(&self, now: DateTime<Utc>) -> Result<Backlog, StoreError> {
        const OPEN: &str = "SELECT COUNT(*) FROM delivery_outbox
            WHERE status IN ('pending', 'sending')";
        const OLDEST: &str = "SELECT MIN(due_at) FROM delivery_outbox
            WHERE status IN ('pending', 'sending') AND due_at <= $1";
        let db = super::outbox::from_sqlx;
        let (open, oldest_due) = match self {
            DbProbe::Sqlite(p) => {
                let open: i64 = sqlx::query_scalar(OPEN).fetch_one(p).await.map_err(db)?;
                let oldest: Option<i64> = sqlx::query_scalar(OLDEST)
                    .bind(now.timestamp_millis())
                    .fetch_one(p)
                    .await
                    .map_err(db)?;
                (open, oldest.and_then(DateTime::from_timestamp_millis))
            }
            DbProbe::Postgres(p) => {
                let open: i64 = sqlx::query_scalar(OPEN).fetch_one(p).await.map_err(db)?;
                let oldest: Option<DateTime<Utc>> = sqlx::query_scalar(OLDEST)
                    .bind(now)
                    .fetch_one(p)
                    .await
                    .map_err(db)?;
                (open, oldest)
            }
        };
        Ok(Backlog {
            open: open.max(0) as u64,
            oldest_due,
        })
    }

    /// At shutdown: SQLite folds its write-ahead log back into the database file (so the
    /// file alone is a complete copy); then the probe's pool closes.
    #[tracing::instrument(skip_all)]
    pub async fn checkpoint_and_close(&self) -> Result<(), StoreError> {
        match self {
            DbProbe::Sqlite(p) => {
                let done = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(p)
                    .await
                    .map(drop)
                    .map_err(super::outbox::from_sqlx);
                p.close().await;
                done
            }
            DbProbe::Postgres(p) => {
                p.close().await;
                Ok(())
            }
        }
    }
}
