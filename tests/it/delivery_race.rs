//! Several instances wake up on the same morning and plan the same slots at once, each
//! through its own connection pool, half of them composing before reserving and half
//! reserving first; then three workers deliver. Every learner gets exactly one question
//! that day: one slot row, one prompt composed, one message on their screen. Runs on
//! SQLite and on Postgres.

use crate::delivery_common;

use chrono::{TimeZone, Utc};
use delivery_common::instances::Db;
use delivery_common::planner::{roster, schedule, MorningPlanner};
use delivery_common::*;
use ladder::clock::VirtualClock;
use ladder::delivery::fake::FakePlatform;
use ladder::delivery::plan::Materialiser;
use ladder::delivery::ratelimit::RateLimiter;
use ladder::delivery::worker::{Worker, WorkerConfig};
use ladder::platform::Chat;
use std::sync::Arc;
use tokio::sync::Barrier;

const PLANNERS: usize = 4;

async fn racing_planners_ask_each_learner_once(db: Db) {
    let n = 300;
    // A Monday, just after the 09:00 UTC slot.
    let now = Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 30).unwrap();
    let clock = Arc::new(VirtualClock::new(now));
    let learners = roster(n, now);
    let barrier = Arc::new(Barrier::new(PLANNERS));
    let mut planners = Vec::new();
    let mut race = tokio::task::JoinSet::new();
    for i in 0..PLANNERS {
        let planner = Arc::new(MorningPlanner::new(learners.clone(), i % 2 == 0));
        planners.push(planner.clone());
        let materialiser = Materialiser::new(db.instance().await, planner, clock.clone());
        let barrier = barrier.clone();
        race.spawn(async move {
            barrier.wait().await;
            materialiser.plan(&schedule()).await.unwrap()
        });
    }
    let mut reserved = 0;
    while let Some(planned) = race.join_next().await {
        let planned = planned.unwrap();
        assert_eq!(planned.due, n, "every instance saw every learner due");
        reserved += planned.reserved;
    }
    assert_eq!(reserved, n, "each slot was created by exactly one instance");
    for learner in &learners {
        let prompts: u32 = planners
            .iter()
            .map(|p| {
                let composed = p.prompts.lock().unwrap();
                composed.get(&learner.key.user).copied().unwrap_or(0)
            })
            .sum();
        assert!(prompts <= 1, "{} got {prompts} prompts", learner.key.user);
    }
    // A restarted instance plans the same morning again: nothing new.
    let again = Arc::new(MorningPlanner::new(learners.clone(), false));
    let late = Materialiser::new(db.instance().await, again.clone(), clock.clone());
    assert_eq!(late.plan(&schedule()).await.unwrap().reserved, 0);
    assert!(again.prompts.lock().unwrap().is_empty());

    let outbox = db.instance().await;
    let mut workers = Vec::new();
    for i in 0..3 {
        let fake = FakePlatform::open(db.fake_db(), 0).await.unwrap();
        workers.push(Worker::new(
            db.instance().await,
            vec![Arc::new(fake) as Arc<dyn Chat>],
            RateLimiter::unlimited(),
            clock.clone(),
            WorkerConfig {
                worker_id: format!("w{i}"),
                batch: 16,
                ..WorkerConfig::default()
            },
        ));
    }
    let mut rounds = tokio::task::JoinSet::new();
    for w in workers {
        rounds.spawn(async move { while w.round().await.unwrap().claimed > 0 {} });
    }
    while let Some(done) = rounds.join_next().await {
        done.unwrap();
    }
    let counts = outbox.status_counts().await.unwrap();
    let fake = fake_counts(db.fake_db()).await;
    eprintln!("{}: outbox {counts:?}, platform {fake:?}", db.name());
    assert_eq!((counts.sent, counts.open()), (n as u64, 0));
    assert_eq!(
        fake.recipients, n as u64,
        "every learner got their question"
    );
    assert_eq!(fake.shown, n as u64, "and nobody got two");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_racing_planners_ask_each_learner_once() {
    racing_planners_ask_each_learner_once(Db::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_racing_planners_ask_each_learner_once() {
    let Some(db) = Db::postgres("race").await else {
        return;
    };
    racing_planners_ask_each_learner_once(db).await;
}
