//! The SQLite backend: the embedded default, one file next to the binary.
//!
//! WAL lets readers run during a write; writes start with `BEGIN IMMEDIATE` so that two
//! writers queue on the busy timeout instead of failing halfway through a transaction;
//! foreign keys are switched on (SQLite leaves them off by default) so that deleting a
//! learner cascades. The trait implementations are the shared SQL in `store::shared`.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

use super::StoreError;

/// How long a writer waits for another writer before giving up with `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating with `?mode=rwc`) the database at `url` and applies migrations.
    #[tracing::instrument(skip_all)]
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // An in-memory database exists once per connection: keep exactly one.
        let max = if url.contains(":memory:") { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options)
            .await?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations from `migrations/sqlite`.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    /// The pool, for backend-specific modules (the outbox).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that holds the database's write lock from its first statement,
    /// so that a read-then-write (the answer transaction) cannot be overtaken.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'_, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

// SQLite has no row locks: BEGIN IMMEDIATE already serialises writers.
super::shared::impl_all!(SqliteStore, db = sqlx::Sqlite, lock = "");
