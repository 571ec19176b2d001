//! Taking the database away mid-delivery: workers reach Postgres through a proxy that the
//! test cuts for several seconds. The workers wait (they treat "unavailable" as "try again
//! later"), stay alive, and once the database is back every message goes out exactly once.

use crate::delivery_common;

use delivery_common::proxy::Proxy;
use delivery_common::*;
use ladder::delivery::fake::FakeDb;
use ladder::store::outbox::pg::PgOutbox;
use ladder::store::outbox::Outbox;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_survive_a_database_outage_and_lose_nothing() {
    let Some(url) = postgres_url() else { return };
    let schema = PgSchema::create(&url, "delivery_outage").await;
    let outbox = PgOutbox::new(schema.pool.clone());
    // The fake platform's tables exist before the cut, as they would on a real platform.
    let _ = fake_counts(FakeDb::Postgres(schema.pool.clone())).await;
    let n = 3_000;
    outbox
        .enqueue(&morning(n), chrono::Utc::now())
        .await
        .unwrap();

    let opts = PgConnectOptions::from_str(&url).unwrap();
    let proxy = Proxy::start(format!("{}:{}", opts.get_host(), opts.get_port())).await;
    let via_proxy = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        opts.get_username(),
        proxy.port,
        opts.get_database().unwrap_or("postgres")
    );
    let mut workers: Vec<_> = (0..2)
        .map(|i| spawn_worker(&via_proxy, Some(&schema.name), &format!("w{i}"), 20))
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = outbox.status_counts().await.unwrap();
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let during = outbox.status_counts().await.unwrap();
    for w in &mut workers {
        assert!(
            w.try_wait().unwrap().is_none(),
            "a worker exited during the outage"
        );
    }
    proxy.restore();

    let counts = wait_until_drained(&outbox, Duration::from_secs(120)).await;
    for w in &mut workers {
        assert!(
            w.try_wait().unwrap().is_none(),
            "a worker exited after the outage"
        );
        let _ = w.start_kill();
    }
    let fake = fake_counts(FakeDb::Postgres(schema.pool.clone())).await;
    let lost = lost_pg(&schema.pool).await;
    eprintln!("before cut: {before:?}\nduring: {during:?}\nafter: {counts:?}\nplatform: {fake:?}");
    assert!(
        before.sent > 0 && before.sent < n as u64,
        "the cut came mid-delivery"
    );
    assert!(during.sent < n as u64, "the outage stopped delivery");
    assert_eq!(counts.sent, n as u64);
    assert_eq!(lost, 0);
    assert_eq!(fake.shown, n as u64);
    assert_eq!(fake.duplicates, 0);
    schema.drop().await;
}
