//! Storage: small traits named by intent ([`Directory`], [`Progress`], [`Prompts`]) joined
//! in the [`Store`] supertrait, with one implementation per backend: SQLite (the embedded
//! default) and Postgres (production, several instances sharing work).
//!
//! Both backends run the same SQL where the dialects agree and keep their own migrations
//! (`migrations/sqlite`, `migrations/postgres`), applied when a store is opened. Row
//! structs stay private to the backends; the traits speak domain types. Callers get an
//! `Arc<dyn Store>` from [`connect`] and never name a backend. Depends on sqlx, the engine's
//! value types and the platform enum.

use std::sync::Arc;

pub mod directory;
pub mod health;
pub mod outbox;
pub mod postgres;
pub mod privacy;
pub mod progress;
pub mod prompts;
mod shared;
pub mod sqlite;
pub mod types;

pub use directory::Directory;
pub use postgres::PgStore;
pub use progress::*;
pub use prompts::{NewPrompt, Prompt, PromptCreated, PromptKind, PromptStatus, Prompts, SlotKey};
pub use sqlite::SqliteStore;
pub use types::*;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    /// A unique key or a cross-tenant rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or the connection dropped: callers retry.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("storage error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("row".into()),
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_owned())
            }
            sqlx::Error::Database(db) if is_busy(db.code().as_deref()) => {
                StoreError::Unavailable(db.message().to_owned())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

/// SQLite "database is locked/busy" after the busy timeout; Postgres connection failures
/// and admin shutdowns (class 08, 57P0x), serialization failures and deadlocks (40001,
/// 40P01): the same call is worth a retry.
fn is_busy(code: Option<&str>) -> bool {
    match code {
        Some("5") | Some("6") | Some("517") | Some("261") => true,
        Some("40001") | Some("40P01") => true,
        Some(c) => c.starts_with("08") || c.starts_with("57P0"),
        None => false,
    }
}

/// Whether a connection coming back to its pool may serve the next caller: not while the
/// driver still counts a transaction on it (its rollback failed), which would make every
/// later `BEGIN` on it fail. The pool closes such a connection and opens a fresh one.
pub(crate) fn clean_after_release(in_transaction: bool) -> bool {
    if in_transaction {
        tracing::warn!("closing a connection whose transaction did not end cleanly");
    }
    !in_transaction
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Other(format!("migration failed: {e}"))
    }
}

/// Everything the service keeps, behind one object.
pub trait Store:
    Directory + Progress + Prompts + outbox::Outbox + privacy::Retention + Send + Sync
{
}

impl<T: Directory + Progress + Prompts + outbox::Outbox + privacy::Retention + Send + Sync> Store
    for T
{
}

/// Opens the store named by `url`, applying pending migrations: `sqlite://path?mode=rwc`
/// (or `sqlite::memory:`) or `postgres://…`.
#[tracing::instrument(skip_all)]
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Err(StoreError::Other(
            "unsupported database url: expected sqlite:// or postgres://".into(),
        ))
    }
}

/// Opens a Postgres store whose tables live in `schema` (created if missing), so that
/// tests and tenants of a shared server stay apart.
#[tracing::instrument(skip_all, fields(schema))]
pub async fn connect_postgres_schema(
    url: &str,
    schema: &str,
) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(PgStore::open_in_schema(url, schema).await?))
}
