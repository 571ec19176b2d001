//! `ladder export --format revlog` piped into `ladder scheduler eval --revlog -`: the real
//! binary on a store filled by a simulated cohort answering through the store's answer
//! transaction, on SQLite and on Postgres.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ladder::platform::Platform;
use ladder::sim::stored::run_stored;
use ladder::sim::{self, Config, SchedulerKind};
use ladder::store::{self, ReviewEntry, Store};
use ladder_engine::schedule::Caps;
use serde_json::Value;

fn config() -> Config {
    Config {
        learners: 8,
        days: 40,
        scheduler: SchedulerKind::Fsrs,
        seed: 11,
        retention: None,
        caps: Caps {
            new_per_day: 2,
            reviews_per_day: 5,
        },
        fit_every: None,
        fit_guards: Default::default(),
    }
}

/// Fills `store` with a simulated cohort and returns its graded reviews, oldest first.
async fn simulated_log(store: &Arc<dyn Store>) -> Vec<ReviewEntry> {
    let library = sim::library::generated();
    run_stored(&config(), &library, store.as_ref(), |_, _| {})
        .await
        .expect("the simulated cohort answers through the store");
    let tenant = store
        .find_tenant(Platform::Local, "simulation")
        .await
        .expect("tenant lookup")
        .expect("the run created its tenant");
    let mut log = Vec::new();
    for learner in store.learners(tenant.id).await.expect("learners") {
        log.extend(store.reviews(learner.id).await.expect("reviews"));
    }
    log.retain(|r| r.rating.is_some());
    log.sort_by_key(|r| r.answered_at);
    log
}

fn export(db: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ladder"));
    cmd.args(["export", "--format", "revlog", "--db", db])
        .args(extra)
        .env_remove("LADDER_DATABASE_URL");
    cmd
}

/// The export's rows (header checked), as text fields.
fn exported_rows(db: &str, extra: &[&str]) -> Vec<Vec<String>> {
    let out = export(db, extra).output().expect("export runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("card_id,review_time,review_rating,review_state,review_duration")
    );
    lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// `export | scheduler eval --revlog - --json`, through a real pipe.
fn export_into_eval(db: &str) -> Value {
    let mut exporter = export(db, &[])
        .stdout(Stdio::piped())
        .spawn()
        .expect("export starts");
    let pipe = exporter.stdout.take().expect("export's stdout");
    let eval = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["scheduler", "eval", "--revlog", "-", "--json"])
        .stdin(pipe)
        .output()
        .expect("eval runs");
    assert!(exporter.wait().expect("export ends").success());
    assert!(
        eval.status.success(),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    serde_json::from_slice(&eval.stdout).expect("one JSON object")
}

async fn round_trip(store: Arc<dyn Store>, db: &str) {
    let log = simulated_log(&store).await;
    drop(store);
    assert!(
        log.len() > 200,
        "a cohort's worth of reviews: {}",
        log.len()
    );

    let rows = exported_rows(db, &[]);
    assert_eq!(rows.len(), log.len(), "one row per graded answer");
    let cards: HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let pairs: HashSet<_> = log.iter().map(|r| (r.learner, r.item.clone())).collect();
    assert_eq!(cards.len(), pairs.len(), "one card per learner and item");
    let new = rows.iter().filter(|r| r[3] == "0").count();
    assert_eq!(new, pairs.len(), "each card is new exactly once");

    let report = export_into_eval(db);
    assert_eq!(
        report["entries"].as_u64(),
        Some(log.len() as u64),
        "{report}"
    );
    let scored = report["reviews"].as_u64().expect("reviews");
    assert!(scored > 0 && scored < log.len() as u64, "{report}");
    let loss = report["log_loss"].as_f64().expect("log_loss");
    assert!(loss.is_finite() && loss > 0.0, "{report}");

    // A window: only answers from --since on, with the states their cards really had.
    let since: DateTime<Utc> = log[log.len() / 2].answered_at;
    let stamp = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let window = exported_rows(db, &["--since", &stamp]);
    let expected = log.iter().filter(|r| r.answered_at >= since).count();
    assert_eq!(window.len(), expected);
    assert!(
        window.iter().any(|r| r[3] != "0"),
        "later reviews are not new"
    );
}

#[tokio::test]
async fn sqlite_export_pipes_into_eval() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    let store = store::connect(&url).await.expect("the SQLite store opens");
    round_trip(store, &url).await;
}

#[tokio::test]
async fn postgres_export_pipes_into_eval() {
    let Ok(server) = std::env::var("LADDER_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but LADDER_TEST_POSTGRES_URL is not: the Postgres round trip must run"
        );
        eprintln!("skipping: set LADDER_TEST_POSTGRES_URL to run the Postgres round trip");
        return;
    };
    let schema = format!("t_export_revlog_{}", std::process::id());
    let store = store::connect_postgres_schema(&server, &schema)
        .await
        .expect("Postgres answers");
    // The exporter reaches the same schema through the URL's search_path.
    let sep = if server.contains('?') { '&' } else { '?' };
    let db = format!("{server}{sep}options[search_path]={schema}");
    round_trip(store, &db).await;
    let admin = sqlx::PgPool::connect(&server).await.expect("Postgres");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&admin)
        .await
        .expect("the test schema drops");
}
