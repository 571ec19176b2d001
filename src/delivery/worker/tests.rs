//! Worker behaviour a learner or an admin would notice: each message arrives once, failures
//! are retried later instead of looping, and a message nobody can deliver is listed.

use super::*;
use crate::clock::VirtualClock;
use crate::platform::{Destination, Reply, Sent};
use crate::store::outbox::sqlite::SqliteOutbox;
use crate::store::outbox::{Message, MessageKind, NewMessage, SlotKey};
use async_trait::async_trait;
use chrono::{NaiveDate, TimeZone};
use std::sync::Mutex;

/// A platform that answers from a script per user and remembers what it showed.
#[derive(Default)]
struct Scripted {
    shown: Mutex<Vec<(String, String)>>,
    fail: Mutex<HashMap<String, Vec<SendError>>>,
}

#[async_trait]
impl Chat for Scripted {
    fn platform(&self) -> Platform {
        Platform::Discord
    }
    async fn send(&self, to: &Destination, _: &Reply, key: &str) -> Result<Sent, SendError> {
        let Destination::Direct { user } = to else {
            unreachable!("tests only send DMs")
        };
        if let Some(err) = self
            .fail
            .lock()
            .unwrap()
            .get_mut(user)
            .and_then(|v| v.pop())
        {
            return Err(err);
        }
        self.shown
            .lock()
            .unwrap()
            .push((user.clone(), key.to_owned()));
        Ok(Sent {
            message_id: format!("m-{key}"),
        })
    }
}

async fn outbox() -> Arc<SqliteOutbox> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::migrate!("migrations/sqlite")
        .run(&pool)
        .await
        .unwrap();
    Arc::new(SqliteOutbox::new(pool))
}

fn message(user: &str, day: u32) -> NewMessage {
    NewMessage {
        key: SlotKey {
            tenant: "t1".into(),
            schedule: "default".into(),
            learner: format!("discord:t1:{user}"),
            slot_date: NaiveDate::from_ymd_opt(2025, 6, day).unwrap(),
            kind: MessageKind::Daily,
        },
        message: Message {
            platform: Platform::Discord,
            destination: Destination::Direct { user: user.into() },
            reply: Reply::text("Today's question is ready."),
            prompt_ref: None,
        },
        due_at: Utc.with_ymd_and_hms(2025, 6, day, 9, 0, 0).unwrap(),
    }
}

fn worker(outbox: Arc<SqliteOutbox>, chat: Arc<Scripted>, clock: Arc<VirtualClock>) -> Arc<Worker> {
    Worker::new(
        outbox,
        vec![chat],
        RateLimiter::unlimited(),
        clock,
        WorkerConfig::default(),
    )
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0).unwrap()
}

#[tokio::test]
async fn every_message_is_shown_once_even_when_planned_twice() {
    let outbox = outbox().await;
    let clock = Arc::new(VirtualClock::new(start()));
    let batch: Vec<_> = (0..100).map(|i| message(&format!("u{i}"), 2)).collect();
    assert_eq!(outbox.enqueue(&batch, start()).await.unwrap(), 100);
    // A second instance planning the same morning creates nothing new.
    assert_eq!(outbox.enqueue(&batch, start()).await.unwrap(), 0);
    let chat = Arc::new(Scripted::default());
    let w = worker(outbox.clone(), chat.clone(), clock);
    while w.round().await.unwrap().claimed > 0 {}
    let shown = chat.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 100);
    let counts = outbox.status_counts().await.unwrap();
    assert_eq!((counts.sent, counts.open()), (100, 0));
}

#[tokio::test]
async fn temporary_failures_are_retried_later_not_in_a_loop() {
    let outbox = outbox().await;
    let clock = Arc::new(VirtualClock::new(start()));
    outbox
        .enqueue(&[message("flaky", 2)], start())
        .await
        .unwrap();
    let chat = Arc::new(Scripted::default());
    chat.fail.lock().unwrap().insert(
        "flaky".into(),
        vec![
            SendError::Temporary("502".into()),
            SendError::Temporary("timeout".into()),
        ],
    );
    let w = worker(outbox.clone(), chat.clone(), clock.clone());
    assert_eq!(w.round().await.unwrap().retried, 1);
    // Nothing more happens until the back-off has passed.
    assert_eq!(w.round().await.unwrap().claimed, 0);
    clock.advance(chrono::Duration::seconds(16));
    assert_eq!(w.round().await.unwrap().retried, 1);
    clock.advance(chrono::Duration::seconds(16));
    assert_eq!(
        w.round().await.unwrap().claimed,
        0,
        "second back-off doubles"
    );
    clock.advance(chrono::Duration::seconds(16));
    assert_eq!(w.round().await.unwrap().sent, 1);
    assert_eq!(chat.shown.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_learner_with_closed_dms_ends_up_on_the_admin_list() {
    let outbox = outbox().await;
    let clock = Arc::new(VirtualClock::new(start()));
    outbox
        .enqueue(&[message("closed", 2)], start())
        .await
        .unwrap();
    let chat = Arc::new(Scripted::default());
    let closed = || SendError::Undeliverable("Cannot send messages to this user".into());
    chat.fail.lock().unwrap().insert(
        "closed".into(),
        vec![closed(), closed(), closed(), closed()],
    );
    let w = worker(outbox.clone(), chat.clone(), clock.clone());
    let mut given_up = 0;
    for _ in 0..10 {
        given_up += w.round().await.unwrap().given_up;
        clock.advance(chrono::Duration::hours(5));
    }
    assert_eq!(given_up, 1);
    let stuck = outbox.stuck("t1", 10).await.unwrap();
    assert_eq!(stuck.len(), 1);
    assert_eq!(stuck[0].failures, 3);
    assert!(stuck[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("Cannot send"));
    assert!(chat.shown.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_cannot_mark_the_row_sent() {
    let outbox = outbox().await;
    let t0 = start();
    outbox.enqueue(&[message("u1", 2)], t0).await.unwrap();
    let lease = chrono::Duration::seconds(60);
    let slow = outbox.claim("slow", t0, lease, 10).await.unwrap().remove(0);
    // Nobody else may take it while the lease runs.
    assert!(outbox
        .claim("fast", t0 + chrono::Duration::seconds(30), lease, 10)
        .await
        .unwrap()
        .is_empty());
    let later = t0 + chrono::Duration::seconds(61);
    let fast = outbox
        .claim("fast", later, lease, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(fast.attempt, slow.attempt + 1);
    assert_eq!(fast.idempotency_key(), slow.idempotency_key());
    assert!(!outbox
        .mark_sent(slow.id, slow.attempt, "m-slow", later)
        .await
        .unwrap());
    assert!(outbox
        .mark_sent(fast.id, fast.attempt, "m-fast", later)
        .await
        .unwrap());
    // And a lease that ran out is fenced even if nobody re-claimed the row.
    outbox.enqueue(&[message("u2", 2)], t0).await.unwrap();
    let c = outbox.claim("w", later, lease, 10).await.unwrap().remove(0);
    assert!(!outbox
        .mark_sent(c.id, c.attempt, "m", later + lease)
        .await
        .unwrap());
}

#[test]
fn rate_limits_wait_exactly_as_long_as_the_platform_said() {
    let b = Backoff::default();
    let now = start();
    let r = b.after(
        &SendError::RateLimited {
            retry_after_secs: 1.5,
        },
        0,
        now,
    );
    assert_eq!(r, Retry::At(now + chrono::Duration::milliseconds(1500)));
    let r = b.after(&SendError::Temporary("x".into()), 3, now);
    assert_eq!(r, Retry::At(now + chrono::Duration::seconds(120)));
    assert_eq!(
        b.after(&SendError::Temporary("x".into()), 9, now),
        Retry::GiveUp
    );
    assert_eq!(
        b.after(&SendError::Undeliverable("x".into()), 2, now),
        Retry::GiveUp
    );
}

#[tokio::test]
async fn an_unreadable_row_goes_to_the_admin_list_without_blocking_the_others() {
    let outbox = outbox().await;
    let clock = Arc::new(VirtualClock::new(start()));
    outbox
        .enqueue(&[message("u1", 2), message("u2", 2)], start())
        .await
        .unwrap();
    // A row written by a future version (or damaged by hand).
    let pool = outbox.pool().clone();
    sqlx::query(
        "UPDATE delivery_outbox SET message = '{\"not\": \"a message\"}' WHERE learner LIKE '%u1'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let chat = Arc::new(Scripted::default());
    let w = worker(outbox.clone(), chat.clone(), clock);
    assert_eq!(w.round().await.unwrap().sent, 1);
    let stuck = outbox.stuck("t1", 10).await.unwrap();
    assert_eq!(stuck.len(), 1);
    assert!(stuck[0].key.learner.ends_with("u1"));
}
