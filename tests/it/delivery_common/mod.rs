//! Shared helpers for the delivery tests: a migrated Postgres schema or SQLite file of
//! their own, an outbox full of messages, worker processes, and the fake platform's view.

pub mod instances;
pub mod planner;
pub mod proxy;
pub mod stall;

use chrono::{NaiveDate, Utc};
use ladder::delivery::fake::{FakeCounts, FakeDb, FakePlatform};
use ladder::platform::{Destination, Platform, Reply};
use ladder::store::outbox::{Message, MessageKind, NewMessage, Outbox, SlotKey, StatusCounts};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, SqlitePool};
use std::process::Stdio;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The Postgres URL for tests, or None (with a note) when it is not configured. Under CI a
/// missing database is a failure, not a skip.
pub fn postgres_url() -> Option<String> {
    match std::env::var("LADDER_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("LADDER_TEST_POSTGRES_URL must be set in CI")
        }
        Err(_) => {
            eprintln!(
                "skipping: set LADDER_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

/// A fresh schema, migrated, dropped again by [`PgSchema::drop`].
pub struct PgSchema {
    pub url: String,
    pub name: String,
    pub pool: PgPool,
}

impl PgSchema {
    pub async fn create(url: &str, tag: &str) -> PgSchema {
        let name = format!(
            "{tag}_{}_{}",
            std::process::id(),
            Utc::now().timestamp_micros() % 1_000_000_000
        );
        let admin = PgPool::connect(url).await.expect("connect to Postgres");
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let opts = PgConnectOptions::from_str(url)
            .unwrap()
            .options([("search_path", name.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_with(opts)
            .await
            .unwrap();
        sqlx::migrate!("migrations/postgres")
            .run(&pool)
            .await
            .unwrap();
        PgSchema {
            url: url.to_owned(),
            name,
            pool,
        }
    }

    pub async fn drop(self) {
        self.pool.close().await;
        let admin = PgPool::connect(&self.url).await.unwrap();
        let _ = sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&admin)
            .await;
    }
}

/// `n` daily messages to `n` learners on the (unlimited) local platform.
pub fn morning(n: usize) -> Vec<NewMessage> {
    let date = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
    (0..n)
        .map(|i| NewMessage {
            key: SlotKey {
                tenant: "crash".into(),
                schedule: "default".into(),
                learner: format!("local:crash:u{i}"),
                slot_date: date,
                kind: MessageKind::Daily,
            },
            message: Message {
                platform: Platform::Local,
                destination: Destination::Direct {
                    user: format!("u{i}"),
                },
                reply: Reply::text(format!("Question of the day for learner {i}")),
                prompt_ref: None,
            },
            due_at: Utc::now() - chrono::Duration::minutes(1),
        })
        .collect()
}

/// Starts `ladder delivery-worker` on the fake platform.
pub fn spawn_worker(url: &str, schema: Option<&str>, id: &str, delay_ms: u64) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ladder"));
    cmd.args(["delivery-worker", "--fake-platform", "--database-url", url])
        .args(["--worker-id", id, "--lease-secs", "3", "--batch", "16"])
        .args([
            "--concurrency",
            "4",
            "--send-delay-ms",
            &delay_ms.to_string(),
        ])
        .env("LADDER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(s) = schema {
        cmd.args(["--schema", s]);
    }
    cmd.spawn().expect("start the ladder binary")
}

/// What the fake platform showed, read directly (not through any proxy).
pub async fn fake_counts(db: FakeDb) -> FakeCounts {
    FakePlatform::open(db, 0)
        .await
        .unwrap()
        .counts()
        .await
        .unwrap()
}

/// Waits until no outbox row needs work any more, or the deadline passes.
pub async fn wait_until_drained(outbox: &dyn Outbox, deadline: Duration) -> StatusCounts {
    let start = Instant::now();
    loop {
        let counts = outbox.status_counts().await.unwrap();
        if counts.open() == 0 || start.elapsed() > deadline {
            return counts;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Outbox rows whose message the fake platform never showed: must be none.
pub async fn lost_pg(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM delivery_outbox o WHERE NOT EXISTS (SELECT 1
         FROM fake_platform_messages f WHERE f.idempotency_key = 'ladder-outbox-' || o.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn lost_sqlite(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM delivery_outbox o WHERE NOT EXISTS (SELECT 1
         FROM fake_platform_messages f WHERE f.idempotency_key = 'ladder-outbox-' || o.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}
