//! The SQLite backend: the embedded default, one file next to the binary.
//!
//! WAL lets readers run during a write; writes start with `BEGIN IMMEDIATE` so that two
//! writers queue on the busy timeout instead of failing halfway through a transaction;
//! foreign keys are switched on (SQLite leaves them off by default) so that deleting a
//! learner cascades. The trait implementations are the shared SQL in `store::shared`.
//!
//! Checkpoints run in the background: with `synchronous = NORMAL` a commit only appends
//! to the WAL, and the fsyncs happen when the WAL is copied back into the database file.
//! Left to SQLite, that copy runs inside whichever commit crosses 1,000 WAL pages, so
//! about one answer in a hundred paid two fsyncs (the p99 of `ladder bench answers`).
//! A task now runs a `PASSIVE` checkpoint every [`CHECKPOINT_EVERY`] on its own
//! connection, which never blocks writers; committing writers only checkpoint themselves
//! past [`WAL_LIMIT_PAGES`], a safety net for when the task falls behind.
//!
//! Writers of one process take turns on an async mutex before `BEGIN IMMEDIATE`. SQLite
//! allows one writer at a time anyway; without the turn, the others poll the lock with
//! sleeps that grow to 100 ms (SQLite's busy handler), which is where the tail latency of
//! several learners answering at once came from. Other processes still meet the busy
//! timeout.
//!
//! Every write runs in an explicit transaction ended by an explicit `COMMIT` whose error
//! reaches the caller: in autocommit mode, `INSERT … RETURNING` read with `fetch_one`
//! hands back its row before SQLite commits, and a commit that then fails (a full disk)
//! went unseen. A connection whose transaction could not be rolled back (SQLite undoes
//! the transaction itself after an I/O error, so the driver's `ROLLBACK` fails and it
//! still counts the transaction as open) is closed when it returns to the pool instead of
//! failing every later `BEGIN` on it.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

mod backup;
pub use backup::{backup, BackupError};

use super::StoreError;

/// How long a writer waits for another writer before giving up with `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the background task checkpoints the WAL.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// WAL size (pages of 4 kB) past which a committing writer checkpoints by itself.
pub const WAL_LIMIT_PAGES: u32 = 10_000;

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// The background checkpoint task, stopped when the last clone of the store goes.
    _checkpoints: Option<Arc<Checkpoints>>,
    /// Whose turn it is to write, in this process.
    write_turn: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction that holds this process's writing turn until it ends.
pub(crate) struct WriteTx<'a> {
    tx: Transaction<'static, Sqlite>,
    _turn: tokio::sync::MutexGuard<'a, ()>,
}

impl WriteTx<'_> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// Runs `PRAGMA wal_checkpoint(PASSIVE)` periodically until dropped.
#[derive(Debug)]
struct Checkpoints(tokio::task::JoinHandle<()>);

impl Checkpoints {
    fn start(pool: SqlitePool) -> Self {
        Checkpoints(tokio::spawn(async move {
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if pool.is_closed() {
                    break;
                }
                // Busy or closing: the next tick tries again; writers have the safety net.
                if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(%err, "background checkpoint skipped");
                }
            }
        }))
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl SqliteStore {
    /// Opens (creating with `?mode=rwc`) the database at `url` and applies migrations.
    #[tracing::instrument(skip_all)]
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("wal_autocheckpoint", WAL_LIMIT_PAGES.to_string());
        // An in-memory database exists once per connection: keep exactly one.
        let in_memory = url.contains(":memory:");
        let max = if in_memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(BUSY_TIMEOUT)
            .after_release(|conn, _| {
                Box::pin(async move {
                    // A rollback queued by a dropped transaction runs before the ping
                    // answers, so the depth read after it is the connection's real state.
                    conn.ping().await?;
                    Ok(super::clean_after_release(conn.is_in_transaction()))
                })
            })
            .connect_with(options)
            .await?;
        let checkpoints = (!in_memory).then(|| Arc::new(Checkpoints::start(pool.clone())));
        let store = SqliteStore {
            pool,
            _checkpoints: checkpoints,
            write_turn: Arc::new(tokio::sync::Mutex::new(())),
        };
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
    /// so that a read-then-write (the answer transaction) cannot be overtaken. Waits for
    /// this process's writing turn first (fair, no polling).
    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let turn = self.write_turn.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }
}

// SQLite has no row locks: BEGIN IMMEDIATE already serialises writers.
super::shared::impl_all!(SqliteStore, db = sqlx::Sqlite, lock = "");
super::shared::privacy::impl_privacy!(SqliteStore, instant = super::shared::privacy::instant_ms);
