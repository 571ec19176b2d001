//! A throwaway database for one benchmark run (a temporary SQLite file, or a fresh
//! Postgres schema dropped afterwards), and the bare baseline loops that put the measured
//! figures in proportion to what the machine's database can do at all.

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::delivery::fake::FakeDb;
use crate::store::outbox::pg::PgOutbox;
use crate::store::outbox::sqlite::SqliteOutbox;
use crate::store::outbox::Outbox;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database of one run.
pub enum BenchDb {
    Postgres {
        pool: PgPool,
        url: String,
        schema: String,
    },
    Sqlite {
        pool: SqlitePool,
        url: String,
        _dir: tempfile::TempDir,
    },
}

/// The Postgres server to use: `--database-url`, else `LADDER_DATABASE_URL`, else the
/// test server's `LADDER_TEST_POSTGRES_URL`.
fn postgres_url(given: Option<String>) -> anyhow::Result<String> {
    given
        .or_else(|| std::env::var("LADDER_DATABASE_URL").ok())
        .or_else(|| std::env::var("LADDER_TEST_POSTGRES_URL").ok())
        .filter(|u| u.starts_with("postgres"))
        .context("no Postgres server: pass --database-url or set LADDER_DATABASE_URL")
}

impl BenchDb {
    /// Opens a fresh, migrated database.
    pub async fn open(backend: Backend, url: Option<String>) -> anyhow::Result<BenchDb> {
        match backend {
            Backend::Postgres => {
                let url = postgres_url(url)?;
                let schema = format!("ladder_bench_{}", std::process::id());
                let admin = PgPool::connect(&url)
                    .await
                    .context("connecting to Postgres")?;
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&admin)
                    .await?;
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&admin)
                    .await?;
                admin.close().await;
                let opts =
                    PgConnectOptions::from_str(&url)?.options([("search_path", schema.as_str())]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .connect_with(opts)
                    .await?;
                sqlx::migrate!("migrations/postgres").run(&pool).await?;
                Ok(BenchDb::Postgres { pool, url, schema })
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("bench.db").display()
                );
                let opts = SqliteConnectOptions::from_str(&url)?
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    // As the store's connections: checkpoints are the store's background
                    // task's job, so neither side pays for them inside a commit.
                    .pragma(
                        "wal_autocheckpoint",
                        crate::store::sqlite::WAL_LIMIT_PAGES.to_string(),
                    );
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?;
                sqlx::migrate!("migrations/sqlite").run(&pool).await?;
                Ok(BenchDb::Sqlite {
                    pool,
                    url,
                    _dir: dir,
                })
            }
        }
    }

    pub fn outbox(&self) -> Arc<dyn Outbox> {
        match self {
            BenchDb::Postgres { pool, .. } => Arc::new(PgOutbox::new(pool.clone())),
            BenchDb::Sqlite { pool, .. } => Arc::new(SqliteOutbox::new(pool.clone())),
        }
    }

    pub fn fake_db(&self) -> FakeDb {
        match self {
            BenchDb::Postgres { pool, .. } => FakeDb::Postgres(pool.clone()),
            BenchDb::Sqlite { pool, .. } => FakeDb::Sqlite(pool.clone()),
        }
    }

    /// The database URL and, on Postgres, the schema of this run.
    pub fn location(&self) -> (&str, Option<&str>) {
        match self {
            BenchDb::Postgres { url, schema, .. } => (url, Some(schema)),
            BenchDb::Sqlite { url, .. } => (url, None),
        }
    }

    /// Rows per second of a bare loop of single-row INSERTs, one round trip each.
    pub async fn baseline_inserts(&self, n: usize) -> anyhow::Result<f64> {
        let create = "CREATE TABLE bench_baseline (id INTEGER, v TEXT NOT NULL)";
        let insert = "INSERT INTO bench_baseline (id, v) VALUES ($1, $2)";
        let start;
        match self {
            BenchDb::Postgres { pool, .. } => {
                sqlx::query(create).execute(pool).await?;
                start = Instant::now();
                for i in 0..n as i32 {
                    sqlx::query(insert).bind(i).bind("x").execute(pool).await?;
                }
            }
            BenchDb::Sqlite { pool, .. } => {
                sqlx::query(create).execute(pool).await?;
                start = Instant::now();
                for i in 0..n as i32 {
                    sqlx::query(insert).bind(i).bind("x").execute(pool).await?;
                }
            }
        }
        Ok(n as f64 / start.elapsed().as_secs_f64())
    }

    /// `n` bare write transactions in a row, each one `UPDATE` of a single-row counter and
    /// one single-row `INSERT`: the cheapest useful write. Returns each latency and the
    /// rate.
    pub async fn baseline_transactions(&self, n: usize) -> anyhow::Result<(Vec<Duration>, f64)> {
        self.prepare_baseline(1).await?;
        let mut samples = Vec::with_capacity(n);
        let start = Instant::now();
        for i in 0..n as i32 {
            samples.push(self.baseline_transaction(0, i).await?);
        }
        let per_s = n as f64 / start.elapsed().as_secs_f64();
        Ok((samples, per_s))
    }

    /// Creates the baseline's tables with `rows` counters, one per concurrent writer so
    /// that writers do not queue on one row lock (the answers they are compared with touch
    /// their own learner's rows).
    pub async fn prepare_baseline(&self, rows: usize) -> anyhow::Result<()> {
        let setup = [
            "CREATE TABLE bench_counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
            "CREATE TABLE bench_log (id INTEGER, v TEXT NOT NULL)",
        ];
        let counter = "INSERT INTO bench_counter (id, n) VALUES ($1, 0)";
        match self {
            BenchDb::Postgres { pool, .. } => {
                for sql in setup {
                    sqlx::query(sql).execute(pool).await?;
                }
                for row in 0..rows as i64 {
                    sqlx::query(counter).bind(row).execute(pool).await?;
                }
            }
            BenchDb::Sqlite { pool, .. } => {
                for sql in setup {
                    sqlx::query(sql).execute(pool).await?;
                }
                for row in 0..rows as i64 {
                    sqlx::query(counter).bind(row).execute(pool).await?;
                }
            }
        }
        Ok(())
    }

    /// Runs each statement once, in order (maintenance such as `ANALYZE`).
    pub async fn execute_all(&self, statements: &[&str]) -> anyhow::Result<()> {
        for sql in statements {
            match self {
                BenchDb::Postgres { pool, .. } => {
                    sqlx::query(sql).execute(pool).await?;
                }
                BenchDb::Sqlite { pool, .. } => {
                    sqlx::query(sql).execute(pool).await?;
                }
            }
        }
        Ok(())
    }

    /// One bare write transaction on counter `row`; its latency.
    pub async fn baseline_transaction(&self, row: i64, i: i32) -> anyhow::Result<Duration> {
        let update = "UPDATE bench_counter SET n = n + 1 WHERE id = $1";
        let insert = "INSERT INTO bench_log (id, v) VALUES ($1, $2)";
        let t = Instant::now();
        match self {
            BenchDb::Postgres { pool, .. } => {
                let mut tx = pool.begin().await?;
                sqlx::query(update).bind(row).execute(&mut *tx).await?;
                sqlx::query(insert)
                    .bind(i)
                    .bind("x")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            BenchDb::Sqlite { pool, .. } => {
                // Like the store's writes: take the write lock at BEGIN.
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::query(update).bind(row).execute(&mut *tx).await?;
                sqlx::query(insert)
                    .bind(i)
                    .bind("x")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(t.elapsed())
    }

    /// Drops the Postgres schema (the SQLite file goes with its temporary directory).
    pub async fn close(self) -> anyhow::Result<()> {
        if let BenchDb::Postgres { pool, url, schema } = self {
            pool.close().await;
            let admin = PgPool::connect(&url).await?;
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await?;
        }
        Ok(())
    }
}

/// Peak and current resident memory of this process, in MiB (Linux only; 0 elsewhere).
pub fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}
