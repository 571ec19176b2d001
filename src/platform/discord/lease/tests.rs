//! Leases on both backends: one group per instance, taken over when the holder stops.

use super::*;
use crate::clock::VirtualClock;
use chrono::{Duration, TimeZone, Utc};

#[test]
fn groups_cover_every_shard_once() {
    let plan = ShardPlan::new(10, 4).unwrap();
    assert_eq!(plan.groups(), 3);
    let shards: Vec<u32> = (0..plan.groups()).flat_map(|g| plan.range(g)).collect();
    assert_eq!(shards, (0..10).collect::<Vec<_>>());
    assert_eq!(ShardPlan::new(2, 8).unwrap().range(0), 0..2);
    assert!(ShardPlan::new(0, 1).is_none());
    assert!(ShardPlan::new(4, 0).is_none());
}

/// Two instances and a standby over one database.
async fn story(db: LeaseDb) {
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    let ttl = Duration::seconds(30);
    let plan = ShardPlan::new(4, 2).unwrap();
    let a = ShardLeases::new(db.clone(), "a", ttl, clock.clone());
    let b = ShardLeases::new(db.clone(), "b", ttl, clock.clone());
    let standby = ShardLeases::new(db, "c", ttl, clock.clone());

    assert_eq!(a.claim(plan).await.unwrap(), Some(0));
    assert_eq!(b.claim(plan).await.unwrap(), Some(1));
    assert_eq!(
        standby.claim(plan).await.unwrap(),
        None,
        "every group is held"
    );

    // a keeps renewing; b stops (crashed). After the ttl, the standby takes b's group.
    clock.advance(Duration::seconds(20));
    assert!(a.renew(plan, 0).await.unwrap());
    clock.advance(Duration::seconds(20));
    assert_eq!(standby.claim(plan).await.unwrap(), Some(1));
    assert!(
        !b.renew(plan, 1).await.unwrap(),
        "b lost its group and must stop"
    );

    // A clean shutdown frees the group at once.
    a.release(0).await.unwrap();
    assert_eq!(b.claim(plan).await.unwrap(), Some(0));
}

#[tokio::test]
async fn sqlite_leases() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("lease.db").display()
    );
    crate::store::connect(&url).await.unwrap(); // applies the migrations
    let pool = SqlitePool::connect(&url).await.unwrap();
    story(LeaseDb::Sqlite(pool)).await;
}

#[tokio::test]
async fn postgres_leases() {
    let Ok(url) = std::env::var("LADDER_TEST_POSTGRES_URL") else {
        eprintln!(
            "skipping: set LADDER_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)"
        );
        return;
    };
    // Unique per run: a schema left by an earlier run would hold stale leases.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let schema = format!("lease_{}_{nanos}", std::process::id());
    crate::store::connect_postgres_schema(&url, &schema)
        .await
        .unwrap();
    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options.options([("search_path", schema.as_str())]))
        .await
        .unwrap();
    story(LeaseDb::Postgres(pool)).await;
}
