//! Exactly-once delivery under crashes: worker processes are killed with SIGKILL every
//! couple of seconds while thousands of messages go out, and restarted. Afterwards every
//! message has been shown exactly once by the fake platform: none lost, none duplicated.

mod delivery_common;

use delivery_common::*;
use ladder::delivery::fake::FakeDb;
use ladder::store::outbox::pg::PgOutbox;
use ladder::store::outbox::sqlite::SqliteOutbox;
use ladder::store::outbox::Outbox;
use std::time::{Duration, Instant};
use tokio::process::Child;

/// Kills one worker every `every` (round robin) and restarts it, until the outbox drains.
async fn kill_and_restart(
    workers: &mut [Child],
    respawn: impl Fn(usize) -> Child,
    outbox: &dyn Outbox,
    every: Duration,
    deadline: Duration,
) -> usize {
    let start = Instant::now();
    let mut kills = 0;
    while start.elapsed() < deadline {
        tokio::time::sleep(every).await;
        if outbox.status_counts().await.unwrap().open() == 0 {
            break;
        }
        let i = kills % workers.len();
        workers[i].start_kill().unwrap(); // SIGKILL: no chance to clean up
        workers[i].wait().await.unwrap();
        workers[i] = respawn(i);
        kills += 1;
    }
    kills
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_postgres_workers_killed_repeatedly_deliver_everything_exactly_once() {
    let Some(url) = postgres_url() else { return };
    let schema = PgSchema::create(&url, "delivery_crash").await;
    let outbox = PgOutbox::new(schema.pool.clone());
    let n = 5_000;
    assert_eq!(
        outbox
            .enqueue(&morning(n), chrono::Utc::now())
            .await
            .unwrap(),
        n as u64
    );

    let spawn = |i: usize| spawn_worker(&url, Some(&schema.name), &format!("w{i}"), 25);
    let mut workers: Vec<Child> = (0..3).map(spawn).collect();
    let kills = kill_and_restart(
        &mut workers,
        spawn,
        &outbox,
        Duration::from_secs(2),
        Duration::from_secs(240),
    )
    .await;
    let counts = wait_until_drained(&outbox, Duration::from_secs(60)).await;
    for w in &mut workers {
        let _ = w.start_kill();
    }

    let fake = fake_counts(FakeDb::Postgres(schema.pool.clone())).await;
    let lost = lost_pg(&schema.pool).await;
    eprintln!("kills: {kills}, outbox: {counts:?}, platform: {fake:?}");
    assert!(
        kills >= 3,
        "the workers were killed mid-delivery ({kills} kills)"
    );
    assert_eq!(counts.sent, n as u64, "every message marked sent");
    assert_eq!(lost, 0, "no message lost");
    assert_eq!(fake.shown, n as u64, "each learner saw one message");
    assert_eq!(fake.duplicates, 0, "no message shown twice");
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_worker_killed_repeatedly_delivers_everything_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .unwrap()
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    sqlx::migrate!("migrations/sqlite")
        .run(&pool)
        .await
        .unwrap();
    let outbox = SqliteOutbox::new(pool.clone());
    let n = 1_500;
    outbox
        .enqueue(&morning(n), chrono::Utc::now())
        .await
        .unwrap();

    // SQLite is the single-instance backend: one worker process, killed and restarted.
    let spawn = |_| spawn_worker(&url, None, "solo", 10);
    let mut workers = vec![spawn(0)];
    let kills = kill_and_restart(
        &mut workers,
        spawn,
        &outbox,
        Duration::from_millis(1500),
        Duration::from_secs(240),
    )
    .await;
    let counts = wait_until_drained(&outbox, Duration::from_secs(60)).await;
    let _ = workers[0].start_kill();

    let fake = fake_counts(FakeDb::Sqlite(pool.clone())).await;
    let lost = lost_sqlite(&pool).await;
    eprintln!("kills: {kills}, outbox: {counts:?}, platform: {fake:?}");
    assert!(
        kills >= 2,
        "the worker was killed mid-delivery ({kills} kills)"
    );
    assert_eq!(counts.sent, n as u64);
    assert_eq!(lost, 0);
    assert_eq!(fake.shown, n as u64);
    assert_eq!(fake.duplicates, 0);
}

use std::str::FromStr;
