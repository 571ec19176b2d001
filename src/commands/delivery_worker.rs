//! `ladder delivery-worker` (hidden): one delivery worker against an outbox and the
//! database-backed fake platform, until killed. The crash and outage tests run several of
//! these processes and kill them at random moments; it is not meant for production, where
//! `serve` runs the workers next to the real platforms.

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::SystemClock;
use crate::delivery::fake::{FakeDb, FakePlatform};
use crate::delivery::ratelimit::RateLimiter;
use crate::delivery::worker::{Worker, WorkerConfig};
use crate::store::outbox::pg::PgOutbox;
use crate::store::outbox::sqlite::SqliteOutbox;
use crate::store::outbox::Outbox;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `postgres://…` or `sqlite://path`; the outbox must already be migrated.
    #[arg(long, env = "LADDER_DATABASE_URL")]
    pub database_url: String,
    /// Postgres schema holding the tables (tests use one schema each).
    #[arg(long)]
    pub schema: Option<String>,
    /// Deliver through the fake platform (the only platform this command supports).
    #[arg(long, required = true)]
    pub fake_platform: bool,
    /// Simulated platform latency per send, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub send_delay_ms: u64,
    #[arg(long, default_value = "worker")]
    pub worker_id: String,
    #[arg(long, default_value_t = 5)]
    pub lease_secs: i64,
    #[arg(long, default_value_t = 32)]
    pub batch: u32,
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(async move {
        let (outbox, db) = open(&args).await?;
        let fake = FakePlatform::open(db, 0)
            .await
            .context("preparing the fake platform")?
            .with_delay(Duration::from_millis(args.send_delay_ms));
        let config = WorkerConfig {
            worker_id: args.worker_id.clone(),
            batch: args.batch,
            concurrency: args.concurrency,
            lease: chrono::Duration::seconds(args.lease_secs),
            idle_poll: Duration::from_millis(200),
            ..WorkerConfig::default()
        };
        let worker = Worker::new(
            outbox,
            vec![Arc::new(fake)],
            RateLimiter::unlimited(),
            Arc::new(SystemClock),
            config,
        );
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop.send(true);
        });
        worker.run(stopped).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Opens a small pool that fails fast, so an outage shows up as "unavailable" within a
/// couple of seconds instead of hanging a worker.
async fn open(args: &Args) -> anyhow::Result<(Arc<dyn Outbox>, FakeDb)> {
    let url = &args.database_url;
    if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)?
            .busy_timeout(Duration::from_secs(5))
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy_with(opts);
        return Ok((
            Arc::new(SqliteOutbox::new(pool.clone())),
            FakeDb::Sqlite(pool),
        ));
    }
    let mut opts = PgConnectOptions::from_str(url)?;
    if let Some(schema) = &args.schema {
        opts = opts.options([("search_path", schema.as_str())]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(args.concurrency as u32 + 2)
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy_with(opts);
    Ok((
        Arc::new(PgOutbox::new(pool.clone())),
        FakeDb::Postgres(pool),
    ))
}
