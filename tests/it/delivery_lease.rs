//! Leases that run out while a message is on its way. A worker may wait on the rate
//! limiter or on a slow platform for longer than its lease; the row is then claimed by
//! someone else, and the first worker must neither send it nor record it. What a learner
//! would notice is counted on the fake platform, never taken from the outbox's own view.
//! Every test runs on SQLite and on Postgres.

use crate::delivery_common;

use chrono::Utc;
use delivery_common::instances::Db;
use delivery_common::stall::Stalling;
use delivery_common::*;
use ladder::clock::{Clock, SystemClock, VirtualClock};
use ladder::delivery::fake::FakePlatform;
use ladder::delivery::ratelimit::{RateConfig, RateLimiter, Scope};
use ladder::delivery::worker::{Worker, WorkerConfig};
use ladder::platform::{Chat, Platform};
use ladder::store::outbox::Outbox;
use std::sync::Arc;
use std::time::Duration;

fn config(id: &str, lease: chrono::Duration) -> WorkerConfig {
    WorkerConfig {
        worker_id: id.into(),
        lease,
        idle_poll: Duration::from_millis(50),
        ..WorkerConfig::default()
    }
}

/// Three instances, each allowed one message a second, with a one-second lease: a worker
/// that claimed more than it can send within its lease would see the rest taken over and
/// sent again by the others. The platform here has no idempotency at all, so any second
/// send is a second message on the learner's screen.
async fn rate_limited_workers_send_each_message_once(db: Db) {
    let n = 50;
    let outbox = db.instance().await;
    assert_eq!(
        outbox.enqueue(&morning(n), Utc::now()).await.unwrap(),
        n as u64
    );
    let one_a_second = RateConfig {
        per_second: 1.0,
        burst: 1,
        scope: Scope::Global,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut workers = tokio::task::JoinSet::new();
    for i in 0..3 {
        let fake = FakePlatform::open(db.fake_db(), 0)
            .await
            .unwrap()
            .without_nonce();
        let chat: Arc<dyn Chat> = Arc::new(fake);
        let worker = Worker::new(
            db.instance().await,
            vec![chat],
            RateLimiter::new([(Platform::Local, one_a_second)]),
            Arc::new(SystemClock),
            config(&format!("w{i}"), chrono::Duration::seconds(1)),
        );
        workers.spawn(worker.run(stopped.clone()));
    }
    let counts = wait_until_drained(outbox.as_ref(), Duration::from_secs(180)).await;
    stop.send(true).unwrap();
    while workers.join_next().await.is_some() {}
    let fake = fake_counts(db.fake_db()).await;
    eprintln!("{}: outbox {counts:?}, platform {fake:?}", db.name());
    assert_eq!(counts.sent, n as u64, "every message was delivered");
    assert_eq!(fake.recipients, n as u64, "every learner got their message");
    assert_eq!(fake.shown, n as u64, "no learner saw a message twice");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_rate_limited_workers_with_a_short_lease_send_each_message_once() {
    rate_limited_workers_send_each_message_once(Db::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rate_limited_workers_with_a_short_lease_send_each_message_once() {
    let Some(db) = Db::postgres("lease_rate").await else {
        return;
    };
    rate_limited_workers_send_each_message_once(db).await;
}

/// One message, two workers on a stalling platform and a shared virtual clock.
struct Stage {
    db: Db,
    outbox: Arc<dyn Outbox>,
    clock: Arc<VirtualClock>,
    chat: Arc<Stalling>,
    lease: chrono::Duration,
}

impl Stage {
    async fn new(db: Db) -> Stage {
        let clock = Arc::new(VirtualClock::new(Utc::now()));
        let outbox = db.instance().await;
        outbox.enqueue(&morning(1), clock.now()).await.unwrap();
        let fake = FakePlatform::open(db.fake_db(), 0).await.unwrap();
        Stage {
            chat: Stalling::new(fake),
            db,
            outbox,
            clock,
            lease: chrono::Duration::seconds(60),
        }
    }

    async fn worker(&self, id: &str) -> Arc<Worker> {
        Worker::new(
            self.db.instance().await,
            vec![self.chat.clone() as Arc<dyn Chat>],
            RateLimiter::unlimited(),
            self.clock.clone(),
            config(id, self.lease),
        )
    }
}

/// Worker A's send stalls after the platform showed the message, past A's lease; B takes
/// the row over and sends it again (folded by the platform's idempotency key), and is
/// still waiting for the platform when A's answer finally comes back. A must not record
/// the outcome: the row is B's, and A reports its claim as lost.
async fn a_lease_lost_during_the_send_is_fenced(db: Db) {
    let stage = Stage::new(db).await;
    let a = stage.worker("a").await;
    let b = stage.worker("b").await;
    let a_round = tokio::spawn(async move { a.round().await.unwrap() });
    assert_eq!(
        stage.chat.next_shown().await,
        0,
        "A's send reached the platform"
    );
    stage
        .clock
        .advance(stage.lease + chrono::Duration::seconds(1));
    let b_round = tokio::spawn(async move { b.round().await.unwrap() });
    assert_eq!(stage.chat.next_shown().await, 1, "B sent the row again");
    stage.chat.release(0);
    let a_round = a_round.await.unwrap();
    stage.chat.release(1);
    let b_round = b_round.await.unwrap();
    let fake = fake_counts(stage.db.fake_db()).await;
    let counts = stage.outbox.status_counts().await.unwrap();
    eprintln!("A {a_round:?}, B {b_round:?}, platform {fake:?}");
    assert_eq!((fake.calls, fake.shown), (2, 1), "the learner saw it once");
    assert_eq!((a_round.sent, a_round.fenced), (0, 1), "A lost its claim");
    assert_eq!((b_round.sent, b_round.fenced), (1, 0), "B owned the row");
    assert_eq!((counts.sent, counts.open()), (1, 0));
    stage.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_lease_lost_during_the_send_is_fenced() {
    a_lease_lost_during_the_send_is_fenced(Db::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_lease_lost_during_the_send_is_fenced() {
    let Some(db) = Db::postgres("lease_fence").await else {
        return;
    };
    a_lease_lost_during_the_send_is_fenced(db).await;
}

/// Worker A dies after the platform showed the message and before it recorded the send.
/// Once the lease has run out another worker sends the row again under the same
/// idempotency key: the platform folds it, and the learner sees one message.
async fn a_worker_dying_inside_the_send_is_folded(db: Db) {
    let stage = Stage::new(db).await;
    let a = stage.worker("a").await;
    let b = stage.worker("b").await;
    let a_round = tokio::spawn(async move { a.round().await });
    assert_eq!(stage.chat.next_shown().await, 0);
    a_round.abort(); // A dies holding the claim
    assert!(a_round.await.unwrap_err().is_cancelled());
    stage.chat.release(1);
    assert_eq!(b.round().await.unwrap().claimed, 0, "A's lease still runs");
    stage
        .clock
        .advance(stage.lease + chrono::Duration::seconds(1));
    let b_round = b.round().await.unwrap();
    let fake = fake_counts(stage.db.fake_db()).await;
    assert_eq!(b_round.sent, 1, "B delivered the row A left behind");
    assert_eq!((fake.calls, fake.shown), (2, 1), "resent, and seen once");
    let counts = stage.outbox.status_counts().await.unwrap();
    assert_eq!((counts.sent, counts.open()), (1, 0));
    stage.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_worker_dying_inside_the_send_is_folded() {
    a_worker_dying_inside_the_send_is_folded(Db::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_worker_dying_inside_the_send_is_folded() {
    let Some(db) = Db::postgres("lease_kill").await else {
        return;
    };
    a_worker_dying_inside_the_send_is_folded(db).await;
}
