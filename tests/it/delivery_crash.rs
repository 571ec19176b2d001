//! Exactly-once delivery under crashes. Several instances plan the same morning at once,
//! then worker processes are killed with SIGKILL every couple of seconds while thousands
//! of messages go out, and restarted. The fake platform answers slowly after showing a
//! message, so kills land between a send and its record: those rows are sent again after
//! their lease and the platform's idempotency key must fold the resend. Afterwards every
//! learner has seen exactly one message: none lost, none duplicated.

use crate::delivery_common;

use delivery_common::instances::Db;
use delivery_common::planner::{roster, schedule, MorningPlanner};
use delivery_common::*;
use ladder::clock::SystemClock;
use ladder::delivery::plan::Materialiser;
use ladder::store::outbox::Outbox;
use std::sync::Arc;
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

/// Three instances race to plan the morning for `n` learners, two of them composing
/// before they reserve, one reserving first.
async fn plan_the_morning(db: &Db, n: usize) {
    let learners = roster(n, chrono::Utc::now());
    let mut race = tokio::task::JoinSet::new();
    for i in 0..3 {
        let planner = Arc::new(MorningPlanner::new(learners.clone(), i != 1));
        let m = Materialiser::new(db.instance().await, planner, Arc::new(SystemClock));
        race.spawn(async move { m.plan(&schedule()).await.unwrap().reserved });
    }
    let mut reserved = 0;
    while let Some(r) = race.join_next().await {
        reserved += r.unwrap();
    }
    assert_eq!(reserved, n, "each learner's slot was created once");
}

async fn killed_workers_deliver_everything_exactly_once(
    db: Db,
    n: usize,
    processes: usize,
    send_delay_ms: u64,
    every: Duration,
) {
    plan_the_morning(&db, n).await;
    let outbox = db.instance().await;
    let (url, schema) = db.worker_target();
    let spawn = |i: usize| spawn_worker(&url, schema.as_deref(), &format!("w{i}"), send_delay_ms);
    let mut workers: Vec<Child> = (0..processes).map(spawn).collect();
    let kills = kill_and_restart(
        &mut workers,
        spawn,
        outbox.as_ref(),
        every,
        Duration::from_secs(240),
    )
    .await;
    let counts = wait_until_drained(outbox.as_ref(), Duration::from_secs(60)).await;
    for w in &mut workers {
        let _ = w.start_kill();
    }
    let fake = fake_counts(db.fake_db()).await;
    let lost = db.lost().await;
    eprintln!(
        "{}: kills {kills}, outbox {counts:?}, platform {fake:?}",
        db.name()
    );
    assert!(
        kills >= 2,
        "the workers were killed mid-delivery ({kills} kills)"
    );
    assert!(
        fake.calls > fake.shown,
        "some kills landed after the platform showed a message and before it was recorded, \
         so those rows were sent again"
    );
    assert_eq!(counts.sent, n as u64, "every message marked sent");
    assert_eq!(lost, 0, "no message lost");
    assert_eq!(fake.recipients, n as u64, "every learner saw their message");
    assert_eq!(fake.shown, n as u64, "no learner saw a message twice");
    assert_eq!(fake.duplicates, 0, "no resend got past the idempotency key");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_postgres_workers_killed_repeatedly_deliver_everything_exactly_once() {
    let Some(db) = Db::postgres("delivery_crash").await else {
        return;
    };
    killed_workers_deliver_everything_exactly_once(db, 5_000, 3, 25, Duration::from_secs(2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_worker_killed_repeatedly_delivers_everything_exactly_once() {
    // SQLite is the single-instance backend: one worker process, killed and restarted.
    let db = Db::sqlite().await;
    killed_workers_deliver_everything_exactly_once(db, 1_500, 1, 10, Duration::from_millis(1500))
        .await;
}
