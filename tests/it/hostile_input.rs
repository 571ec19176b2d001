//! Hostile chat input, end to end: 10,000 generated lines (mass mentions, bidi and
//! invisible characters, ZWJ sequences, 5 kB emoji strings, NUL, huge and unicode numbers,
//! look-alike slashes, every command with random arguments, `/skip` with huge values) are
//! pushed through `App::handle` as commands, clicks and typed text, on SQLite and on
//! Postgres, and through the playground's line handler and the real `ladder demo` binary.
//!
//! What a user would notice is asserted: no line crashes the bot, no reply carries a mention
//! that would ping or a bidi control that would flip the text around it, and every reply
//! fits Discord's limits once rendered (and the terminal gets no control characters). The
//! generator is seeded, so a failure names the line that caused it and reproduces.

use crate::common;
use crate::hostile_world;

use hostile_world::{check_reply, generate, typed_line, Cast, Findings, Hostile};
use ladder::clock::VirtualClock;
use ladder::platform::local::render::Style;
use ladder::platform::local::{Bot, Session};
use ladder::platform::{Actor, Inbound, Reply};
use std::sync::Arc;

const SEED: u64 = 0x001a_dde5;
const LINES: usize = 10_000;

/// Feeds every line to the app, each in its own task so that a panic is caught, counted
/// and named instead of ending the run.
async fn push_through_app(cast: &Cast, lines: &[Hostile]) -> Findings {
    let mut findings = Findings::default();
    let mut harvested: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let actor = cast.actor(line.who).clone();
        let kind = line.kind(&harvested);
        let inbound = Inbound {
            actor,
            event_id: format!("hostile-{i}"),
            kind: kind.clone(),
        };
        let app = cast.app.clone();
        match tokio::spawn(async move { app.handle(inbound).await }).await {
            Ok(replies) => {
                for reply in &replies {
                    check_reply(reply, &format!("line {i} ({kind:?})"), &mut findings);
                    hostile_world::harvest(reply, &mut harvested);
                }
                findings.replies += replies.len();
            }
            Err(e) if e.is_panic() => findings.panics.push(format!("line {i}: {kind:?}")),
            Err(e) => panic!("task failed: {e}"),
        }
        // Let the clock move as it does for a real team, so daily pushes come due.
        if i % 500 == 499 {
            cast.clock.advance(chrono::Duration::hours(7));
            for who in 0..Cast::PEOPLE {
                for reply in cast.app.pushes(cast.actor(who)).await {
                    check_reply(&reply, &format!("push after line {i}"), &mut findings);
                    hostile_world::harvest(&reply, &mut harvested);
                }
            }
        }
    }
    findings
}

fn assert_clean(f: &Findings, what: &str) {
    assert!(
        f.panics.is_empty(),
        "{what}: {} panics, first: {:?}",
        f.panics.len(),
        f.panics.first()
    );
    assert!(
        f.mentions.is_empty(),
        "{what}: unescaped mentions: {:?}",
        &f.mentions[..f.mentions.len().min(5)]
    );
    assert!(
        f.bidi.is_empty(),
        "{what}: bidi or invisible controls echoed: {:?}",
        &f.bidi[..f.bidi.len().min(5)]
    );
    assert!(
        f.limits.is_empty(),
        "{what}: over platform limits: {:?}",
        &f.limits[..f.limits.len().min(5)]
    );
    assert!(f.replies > 0, "{what}: nothing was answered at all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_hostile_lines_through_the_app_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    let cast = Cast::new(store).await;
    let lines = generate(SEED, LINES);
    let findings = push_through_app(&cast, &lines).await;
    assert_clean(&findings, "sqlite");
    cast.assert_still_serving().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_lines_through_the_app_on_postgres() {
    let Some((store, schema)) = common::postgres_store("hostile").await else {
        return;
    };
    let cast = Cast::new(store).await;
    let lines = generate(SEED, LINES);
    let findings = push_through_app(&cast, &lines).await;
    assert_clean(&findings, "postgres");
    cast.assert_still_serving().await;
    schema.drop().await;
}

/// The playground's own line handler (parsing `/skip`, option numbers and typed text)
/// with the same lines, typed as a person would type them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_lines_through_the_playground_line_handler() {
    struct Shared(Arc<ladder::app::App>);
    #[async_trait::async_trait]
    impl Bot for Shared {
        async fn handle(&self, inbound: Inbound) -> Vec<Reply> {
            self.0.handle(inbound).await
        }
        async fn pushes(&self, actor: &Actor) -> Vec<Reply> {
            self.0.pushes(actor).await
        }
    }
    let (store, dir) = common::sqlite_store().await;
    let cast = Cast::new(store).await;
    let lines = generate(SEED ^ 1, 3_000);
    let typed: String = lines.iter().map(|l| typed_line(l) + "\n").collect();
    let clock: Arc<VirtualClock> = cast.clock.clone();
    let mut session = Session::new(
        Shared(cast.app.clone()),
        clock,
        cast.actor(0).clone(),
        Style::PLAIN,
        dir.path().join("files"),
    )
    .echo_input(true);
    let mut out = Vec::new();
    let input = tokio::io::BufReader::new(typed.as_bytes());
    session
        .run(input, &mut out)
        .await
        .expect("the session runs");
    let out = String::from_utf8(out).expect("the terminal output is UTF-8");
    assert!(out.trim_end().ends_with("Bye!"), "the session ended early");
    hostile_world::check_terminal(&out).expect("terminal output is clean");
}

/// The real binary, fed a share of the lines on stdin.
#[test]
fn hostile_lines_through_the_demo_binary() {
    let dir = tempfile::tempdir().unwrap();
    let lines = generate(SEED ^ 2, 400);
    let mut typed: String = lines.iter().map(|l| typed_line(l) + "\n").collect();
    typed.push_str("/progress\n");
    let out = hostile_world::run_demo(&dir.path().join("demo.db"), &typed);
    assert!(
        out.status.success(),
        "the demo exited with {:?}",
        out.status
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    assert!(
        stdout.trim_end().ends_with("Bye!"),
        "the demo stopped early"
    );
    assert!(
        stdout.contains("Progress") || stdout.contains("progress"),
        "no progress shown"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "the demo panicked: {stderr}");
    hostile_world::check_terminal(&stdout).expect("terminal output is clean");
}
