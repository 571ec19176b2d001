//! The Postgres backend: production, and the shared state of several bot instances.
//!
//! Writes that read first lock their row with `SELECT … FOR UPDATE`; unique keys make
//! planning and answering idempotent across instances. [`PgStore::open_in_schema`] keeps
//! all tables in one schema (through `search_path`) so that tests can run side by side
//! on one server. The trait implementations are the shared SQL in `store::shared`.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

use super::StoreError;

/// A store in one Postgres database (or one schema of it).
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    /// Connects to `url` and applies migrations.
    #[tracing::instrument(skip_all)]
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        Self::open_with(options).await
    }

    /// Connects to `url` with every table inside `schema` (created if missing), then
    /// applies migrations there. The schema name must be lowercase letters, digits and `_`.
    #[tracing::instrument(skip_all, fields(schema))]
    pub async fn open_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        let valid = !schema.is_empty()
            && schema.len() <= 63
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError::Other(format!("invalid schema name {schema:?}")));
        }
        let options = PgConnectOptions::from_str(url)?;
        let mut conn = PgConnection::connect_with(&options).await?;
        sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Self::open_with(options.options([("search_path", schema)])).await
    }

    async fn open_with(options: PgConnectOptions) -> Result<Self, StoreError> {
        // One direct connection first: the pool retries failed connects until its acquire
        // timeout, which would turn "nothing listens there" into a 30-second wait.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            // A dropped transaction queues its ROLLBACK and lowers the depth at once; a
            // connection still inside one is not handed to the next caller. Broken
            // connections fail the pool's own ping on release and are closed.
            .after_release(|conn, _| {
                Box::pin(async move { Ok(super::clean_after_release(conn.is_in_transaction())) })
            })
            .connect_with(options)
            .await?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations from `migrations/postgres`.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// The pool, for backend-specific modules (the outbox).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A plain transaction: rows that must not change underneath are locked explicitly.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'_, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

super::shared::impl_all!(PgStore, db = sqlx::Postgres, lock = "FOR UPDATE");
super::shared::privacy::impl_privacy!(PgStore, instant = super::shared::privacy::instant_ts);
