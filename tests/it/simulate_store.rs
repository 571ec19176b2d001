//! `ladder simulate --backend sqlite|postgres`: a cohort whose every answer goes through
//! the store's answer transaction, with memory states read back from the store before
//! each session, reports exactly what the in-memory run reports for the same seed.

use ladder::sim::scratch::{postgres_url, Database, Scratch};
use ladder::sim::stored::{run_stored, SimError};
use ladder::sim::{self, Config, Report, SchedulerKind};
use ladder_engine::schedule::Caps;

fn config(scheduler: SchedulerKind) -> Config {
    Config {
        learners: 12,
        days: 40,
        scheduler,
        seed: 7,
        retention: None,
        caps: Caps {
            new_per_day: 2,
            reviews_per_day: 5,
        },
        fit_every: None,
        fit_guards: Default::default(),
    }
}

/// The report without its wall-clock time, the only part that may differ.
fn comparable(mut r: Report) -> Report {
    r.wall_seconds = 0.0;
    r
}

async fn compare_with_memory(db: Database, url: Option<String>) {
    let library = sim::library::generated();
    let config = config(SchedulerKind::Fsrs);
    let in_memory = sim::run(&config, &library, |_, _| {}).expect("memory run");
    let scratch = Scratch::open(db, url).await.expect("open scratch store");
    let stored = run_stored(&config, &library, scratch.store.as_ref(), |_, _| {}).await;
    let store = scratch.store.clone();
    let learners = {
        let tenant = store
            .find_tenant(ladder::platform::Platform::Local, "simulation")
            .await
            .expect("tenant lookup")
            .expect("the run created its tenant");
        store.learners(tenant.id).await.expect("learners")
    };
    let mut reviews = 0u64;
    for learner in &learners {
        reviews += store.reviews(learner.id).await.expect("reviews").len() as u64;
    }
    drop(store);
    scratch.close().await.expect("drop scratch store");
    let stored = stored.expect("store-backed run");
    assert!(in_memory.reviews_total > 100, "{in_memory:?}");
    assert_eq!(comparable(stored.clone()), comparable(in_memory));
    // Every learner is a row and every review was written by the answer transaction.
    assert_eq!(learners.len(), 12);
    assert_eq!(reviews, stored.reviews_total);
}

#[tokio::test]
async fn sqlite_backed_run_matches_the_memory_run() {
    compare_with_memory(Database::Sqlite, None).await;
}

#[tokio::test]
async fn postgres_backed_run_matches_the_memory_run() {
    let Some(url) = postgres_url(std::env::var("LADDER_TEST_POSTGRES_URL").ok()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but LADDER_TEST_POSTGRES_URL is not: the Postgres comparison must run"
        );
        eprintln!(
            "skipping: set LADDER_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) \
             to compare the Postgres-backed simulation with the memory one"
        );
        return;
    };
    compare_with_memory(Database::Postgres, Some(url)).await;
}

#[tokio::test]
async fn baseline_schedulers_refuse_a_store() {
    let library = sim::library::generated();
    let scratch = Scratch::open(Database::Sqlite, None).await.expect("open");
    let got = run_stored(
        &config(SchedulerKind::Leitner),
        &library,
        scratch.store.as_ref(),
        |_, _| {},
    )
    .await;
    scratch.close().await.expect("close");
    assert!(
        matches!(got, Err(SimError::Unsupported("leitner"))),
        "{got:?}"
    );
}
