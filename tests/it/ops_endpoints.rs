//! What an operator sees: the admin endpoints (`/healthz`, `/readyz`, `/metrics`) served
//! for real on 127.0.0.1:0 over real SQLite and Postgres databases, delivery workers that
//! give their claims back when told to stop, and `ladder serve` itself stopping cleanly
//! on SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use ladder::clock::{Clock, SystemClock, VirtualClock};
use ladder::delivery::fake::{FakeDb, FakePlatform};
use ladder::delivery::ratelimit::{RateConfig, RateLimiter, Scope};
use ladder::delivery::worker::{Worker, WorkerConfig};
use ladder::ops::{self, AdminState, Connections, Health};
use ladder::platform::{Destination, Platform, Reply};
use ladder::store::health::DbProbe;
use ladder::store::outbox::{Message, MessageKind, NewMessage, Outbox, SlotKey};
use ladder::store::Store;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;
use tokio::sync::watch;

/// A database of each kind for one test: the store, the fake platform's tables beside
/// it, the URL, and what to clean up.
struct Db {
    store: Arc<dyn Store>,
    fake: FakeDb,
    url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl Db {
    async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
        let store = ladder::store::connect(&url).await.unwrap();
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        Db {
            store,
            fake: FakeDb::Sqlite(pool),
            url,
            _dir: Some(dir),
            schema: None,
        }
    }

    async fn postgres(tag: &str) -> Option<Db> {
        let Ok(url) = std::env::var("LADDER_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs LADDER_TEST_POSTGRES_URL"
            );
            eprintln!("skipping the Postgres half: set LADDER_TEST_POSTGRES_URL");
            return None;
        };
        let micros = Utc::now().timestamp_micros() % 1_000_000_000;
        let name = format!("ops_{tag}_{}_{micros}", std::process::id());
        let store = ladder::store::connect_postgres_schema(&url, &name)
            .await
            .unwrap();
        let opts = PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", name.as_str())]);
        let pool = sqlx::PgPool::connect_with(opts).await.unwrap();
        Some(Db {
            store,
            fake: FakeDb::Postgres(pool),
            url,
            _dir: None,
            schema: Some(name),
        })
    }

    async fn drop(self) {
        if let Some(name) = self.schema {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .execute(&pool)
                .await
                .unwrap();
        }
    }
}

/// Starts the admin server on a free port; returns its base URL and its stop switch.
async fn admin(health: Arc<Health>, metrics: bool) -> (String, watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let metrics = metrics.then(|| ops::metrics::install().unwrap());
    let (stop, stopped) = watch::channel(false);
    let state = AdminState { health, metrics };
    tokio::spawn(ops::serve(listener, state, stopped));
    (base, stop)
}

async fn get(url: &str) -> (u16, String) {
    let res = reqwest::get(url).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn health(url: &str, clock: Arc<dyn Clock>, connections: Arc<Connections>) -> Arc<Health> {
    Arc::new(Health::new(
        DbProbe::for_url(url).unwrap(),
        vec![Platform::Discord],
        connections,
        Duration::from_secs(60),
        clock,
    ))
}

/// A port nothing listens on (bound, then freed).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn healthz_answers_while_the_process_runs_even_when_not_ready() {
    let url = format!("postgres://postgres@127.0.0.1:{}/none", closed_port());
    let (base, _stop) = admin(
        health(&url, Arc::new(SystemClock), Connections::new().into()),
        false,
    )
    .await;
    assert_eq!(get(&format!("{base}/healthz")).await, (200, "ok\n".into()));
    assert_eq!(get(&format!("{base}/readyz")).await.0, 503);
}

/// Not ready until the platform is connected and planning has run; late planning (two
/// periods missed) makes it unready again.
async fn readiness_follows_the_loops(db: &Db) {
    let clock = Arc::new(VirtualClock::new(Utc::now()));
    let connections = Arc::new(Connections::new());
    let health = health(&db.url, clock.clone(), connections.clone());
    let (base, _stop) = admin(health.clone(), false).await;
    let readyz = format!("{base}/readyz");

    let (code, body) = get(&readyz).await;
    assert_eq!(code, 503);
    assert!(body.contains("planning: has not run yet"), "{body}");
    assert!(body.contains("discord: not connected yet"), "{body}");
    assert!(!body.contains("database"), "the database answers: {body}");

    connections.report(Platform::Discord, 1, 2);
    health.planning_ran();
    let (code, body) = get(&readyz).await;
    assert_eq!(
        (code, body.as_str()),
        (503, "discord: 1 of 2 connections up\n")
    );

    connections.report(Platform::Discord, 2, 2);
    assert_eq!(get(&readyz).await, (200, "ready\n".into()));

    clock.advance(chrono::Duration::minutes(3));
    let (code, body) = get(&readyz).await;
    assert_eq!(
        (code, body.as_str()),
        (503, "planning: last ran 180 s ago (every 60 s)\n")
    );
}

#[tokio::test]
async fn readyz_follows_database_platform_and_planning_on_sqlite() {
    let db = Db::sqlite().await;
    readiness_follows_the_loops(&db).await;
}

#[tokio::test]
async fn readyz_follows_database_platform_and_planning_on_postgres() {
    let Some(db) = Db::postgres("ready").await else {
        return;
    };
    readiness_follows_the_loops(&db).await;
    db.drop().await;
}

/// Everything else fine, the database gone: 503 naming the database.
async fn database_gone(url: &str) {
    let connections = Arc::new(Connections::new());
    connections.report(Platform::Discord, 1, 1);
    let health = health(url, Arc::new(SystemClock), connections);
    health.planning_ran();
    let (base, _stop) = admin(health, false).await;
    let (code, body) = get(&format!("{base}/readyz")).await;
    assert_eq!(code, 503);
    assert_eq!(body.lines().count(), 1, "{body}");
    assert!(body.starts_with("database: "), "{body}");
}

#[tokio::test]
async fn readyz_fails_when_the_sqlite_file_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ladder.db");
    let url = format!("sqlite://{}?mode=rw", path.display());
    ladder::store::connect(&format!("{url}c")).await.unwrap();
    std::fs::remove_dir_all(dir.path()).unwrap();
    database_gone(&url).await;
}

#[tokio::test]
async fn readyz_fails_when_postgres_does_not_answer() {
    database_gone(&format!(
        "postgres://postgres@127.0.0.1:{}/test",
        closed_port()
    ))
    .await;
}

/// `n` daily messages to `n` learners of the fake (local) platform, due a minute ago.
fn morning(tag: &str, n: usize) -> Vec<NewMessage> {
    let date = NaiveDate::from_ymd_opt(2026, 6, 2).unwrap();
    (0..n)
        .map(|i| NewMessage {
            key: SlotKey {
                tenant: tag.into(),
                schedule: "daily".into(),
                learner: format!("local:{tag}:u{i}"),
                slot_date: date,
                kind: MessageKind::Daily,
            },
            message: Message {
                platform: Platform::Local,
                destination: Destination::Direct {
                    user: format!("{tag}-u{i}"),
                },
                reply: Reply::text(format!("Question of the day {i}")),
                prompt_ref: None,
            },
            due_at: Utc::now() - chrono::Duration::minutes(1),
        })
        .collect()
}

fn worker(db: &Db, chat: Arc<FakePlatform>, limiter: RateLimiter, id: &str) -> Arc<Worker> {
    let outbox: Arc<dyn Outbox> = db.store.clone();
    Worker::new(
        outbox,
        vec![chat],
        limiter,
        Arc::new(SystemClock),
        WorkerConfig {
            worker_id: id.into(),
            idle_poll: Duration::from_millis(20),
            ..WorkerConfig::default()
        },
    )
}

/// Polls (without a deadline of its own: the test runner's timeout is the backstop) until
/// the fake platform has shown at least `n` messages.
async fn until_shown(chat: &FakePlatform, n: u64) -> u64 {
    loop {
        let shown = chat.counts().await.unwrap().shown;
        if shown >= n {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The value of the sample `name{labels}` in Prometheus text, after checking that every
/// line of the exposition is a comment or a `name{labels} value` sample.
fn sample(exposition: &str, series: &str) -> f64 {
    let mut found = 0.0;
    for line in exposition.lines().filter(|l| !l.is_empty()) {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (name, value) = line.rsplit_once(' ').expect("a sample line");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        let metric = name.split('{').next().unwrap();
        assert!(
            metric
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name: {line}"
        );
        if name == series {
            found = value;
        }
    }
    found
}

async fn metrics_show_what_the_worker_sent(db: Db, tag: &str) {
    let health = health(&db.url, Arc::new(SystemClock), Arc::new(Connections::new()));
    let (base, _stop) = admin(health, true).await;
    let series = r#"ladder_prompts_sent_total{platform="local",kind="daily"}"#;
    let before = sample(&get(&format!("{base}/metrics")).await.1, series);

    db.store
        .enqueue(&morning(tag, 3), Utc::now())
        .await
        .unwrap();
    let chat = Arc::new(FakePlatform::open(db.fake.clone(), 0).await.unwrap());
    let (stop, stopped) = watch::channel(false);
    let run = tokio::spawn(worker(&db, chat.clone(), RateLimiter::unlimited(), tag).run(stopped));
    until_shown(&chat, 3).await;
    while db.store.status_counts().await.unwrap().sent < 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    run.await.unwrap();

    let (code, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(code, 200);
    // Other tests in this binary send too: the counter moved by at least our three.
    let after = sample(&text, series);
    assert!(
        after >= before + 3.0,
        "{series}: {before} -> {after}\n{text}"
    );
    db.drop().await;
}

#[tokio::test]
async fn metrics_count_messages_the_worker_sent_on_sqlite() {
    metrics_show_what_the_worker_sent(Db::sqlite().await, "msq").await;
}

#[tokio::test]
async fn metrics_count_messages_the_worker_sent_on_postgres() {
    if let Some(db) = Db::postgres("metrics").await {
        metrics_show_what_the_worker_sent(db, "mpg").await;
    }
}

/// A worker holding five claims, sending one a second, is told to stop after the first
/// went out: the rest are given back and another worker claims them at once, not after
/// the 60-second lease; in the end everyone saw their message exactly once.
async fn shutdown_gives_claims_back(db: Db, tag: &str) {
    db.store
        .enqueue(&morning(tag, 5), Utc::now())
        .await
        .unwrap();
    let chat = Arc::new(FakePlatform::open(db.fake.clone(), 0).await.unwrap());
    let slow = RateConfig {
        per_second: 1.0,
        burst: 1,
        scope: Scope::Global,
    };
    let limiter = RateLimiter::new([(Platform::Local, slow)]);
    let (stop, stopped) = watch::channel(false);
    let run = tokio::spawn(worker(&db, chat.clone(), limiter, "stopping").run(stopped));
    until_shown(&chat, 1).await;
    stop.send(true).unwrap();
    run.await.unwrap();

    let shown = chat.counts().await.unwrap().shown;
    assert!(shown < 5, "the worker stopped before sending everything");
    let lease = chrono::Duration::seconds(60);
    let taken = db.store.claim("next", Utc::now(), lease, 64).await.unwrap();
    assert_eq!(
        taken.len() as u64,
        5 - shown,
        "every unsent claim came back"
    );
    for c in &taken {
        db.store.release(c.id, c.attempt, Utc::now()).await.unwrap();
    }

    let (stop, stopped) = watch::channel(false);
    let fast = RateLimiter::unlimited();
    let run = tokio::spawn(worker(&db, chat.clone(), fast, "next").run(stopped));
    until_shown(&chat, 5).await;
    stop.send(true).unwrap();
    run.await.unwrap();
    let counts = chat.counts().await.unwrap();
    assert_eq!((counts.shown, counts.duplicates), (5, 0));
    db.drop().await;
}

#[tokio::test]
async fn shutdown_gives_claimed_rows_back_on_sqlite() {
    shutdown_gives_claims_back(Db::sqlite().await, "ssq").await;
}

#[tokio::test]
async fn shutdown_gives_claimed_rows_back_on_postgres() {
    if let Some(db) = Db::postgres("shutdown").await {
        shutdown_gives_claims_back(db, "spg").await;
    }
}

/// A Discord REST stand-in that only tells where the gateway is: a port where nothing
/// listens, so the bot runs, keeps trying to connect, and is never ready.
async fn unreachable_discord() -> String {
    use axum::http::Uri;
    let gateway = format!("ws://127.0.0.1:{}", closed_port());
    let answer = move |uri: Uri| {
        let gateway = gateway.clone();
        async move {
            let body = if uri.path().ends_with("/gateway/bot") {
                serde_json::json!({"url": gateway, "shards": 1, "session_start_limit":
                    {"remaining": 1000, "reset_after": 0, "total": 1000, "max_concurrency": 1}})
            } else if uri.path().ends_with("/gateway") {
                serde_json::json!({ "url": gateway })
            } else {
                return (
                    axum::http::StatusCode::NOT_FOUND,
                    axum::Json(serde_json::json!(
                    {"message": "Unknown", "code": 0})),
                );
            };
            (axum::http::StatusCode::OK, axum::Json(body))
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(answer);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The real `ladder serve`, run as an operator would (SQLite, admin endpoints on): alive,
/// not ready while Discord is unreachable, and on SIGTERM it exits 0 with the SQLite
/// write-ahead log folded back into the database file.
#[tokio::test]
async fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ladder.db");
    let admin_port = closed_port();
    let discord = unreachable_discord().await;
    let content = concat!(env!("CARGO_MANIFEST_DIR"), "/content");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["serve", "--log-format", "json"])
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "not-a-real-token")
        .env(
            "LADDER_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .env("LADDER_CONTENT_DIR", content)
        .env("LADDER_ADMIN__LISTEN", format!("127.0.0.1:{admin_port}"))
        .env("LADDER_DISCORD__API_BASE", &discord)
        .env("LADDER_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{admin_port}");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().await.unwrap();
            panic!(
                "serve exited early ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        match reqwest::get(format!("{base}/healthz")).await {
            Ok(r) if r.status() == 200 => break,
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let (code, body) = get(&format!("{base}/readyz")).await;
    assert_eq!(code, 503);
    assert!(body.contains("discord: "), "{body}");
    let (code, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(code, 200);
    sample(&text, "ladder_outbox_depth");

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().await.unwrap();
    let logs = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{logs}");
    for line in logs.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(v.get("level").is_some(), "{line}");
        assert!(
            !line.contains("not-a-real-token"),
            "the token was logged: {line}"
        );
    }
    let wal = dir.path().join("ladder.db-wal");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(
        wal_len, 0,
        "the WAL was checkpointed into the database file"
    );
}
