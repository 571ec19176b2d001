//! Replayed inbound events change things once. The same event reaches the app twice: once
//! more after a restart (a new `App` on the same store, nothing in memory), and twice at
//! the same moment on two instances. The learner's question is asked once and stays the
//! one they can answer; a replayed answer is counted once and gets the same feedback.
//! Runs on SQLite and on Postgres.

use crate::common;

use chrono::{TimeZone, Utc};
use ladder::app::action::Action;
use ladder::app::records::{LearnerKey, Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder::store::Store;
use std::path::Path;
use std::sync::Arc;

fn learner() -> Actor {
    Actor {
        platform: Platform::Discord,
        tenant: "100000000000000001".into(),
        user: "200000000000000002".into(),
        display_name: "Pat".into(),
        platform_roles: vec![],
    }
}

fn event(id: &str, kind: InboundKind) -> Inbound {
    Inbound {
        actor: learner(),
        event_id: id.into(),
        kind,
    }
}

fn practice(id: &str) -> Inbound {
    event(
        id,
        InboundKind::Command {
            name: "practice".into(),
            args: String::new(),
        },
    )
}

fn text(replies: &[Reply]) -> String {
    let mut out = String::new();
    for b in replies.iter().flat_map(|r| &r.blocks) {
        if let Block::Text(t) | Block::Heading(t) = b {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// Two app instances over one store, as two bot processes (or one, restarted) would be.
struct Instances {
    first: App,
    second: App,
    records: Arc<dyn Records>,
    clock: Arc<VirtualClock>,
}

async fn instances(store: Arc<dyn Store>) -> Instances {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = Arc::new(ladder_content::load_dir(&dir).expect("the sample content loads"));
    // A Monday, 09:30 UTC.
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
    ));
    let app = |records: Arc<dyn Records>| App::new(records, library.clone(), clock.clone());
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let first = app(records.clone());
    let second = app(Arc::new(StoreRecords::new(store)));
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    first.enrol(&learner(), &tracks).await.unwrap();
    Instances {
        first,
        second,
        records,
        clock,
    }
}

async fn replays_change_things_once(store: Arc<dyn Store>) {
    let apps = instances(store).await;
    let me = LearnerKey::of(&learner());
    let prompts = || async { apps.records.prompts(&me).await.unwrap().len() };

    // "Practice" once, then the same event again after a restart.
    let shown = apps.first.handle(practice("3001")).await;
    assert_eq!(prompts().await, 1, "the learner was asked one question");
    let open = apps.records.open_prompts(&me).await.unwrap();
    assert_eq!(open.len(), 1);
    let replayed = apps.second.handle(practice("3001")).await;
    assert_ne!(replayed, shown);
    assert!(text(&replayed).contains("already done"), "{replayed:?}");
    assert_eq!(prompts().await, 1, "the replay asked nothing new");
    assert_eq!(
        apps.records.open_prompts(&me).await.unwrap(),
        open,
        "the question on screen is still the one to answer"
    );

    // The same answer click reaches both instances: counted once, same feedback twice.
    let pick = Action::Answer {
        prompt: open[0].id.clone(),
        option: 0,
    }
    .encode();
    let click = || {
        event(
            "3002",
            InboundKind::Action {
                actions: vec![pick.clone()],
            },
        )
    };
    let (a, b) = tokio::join!(apps.first.handle(click()), apps.second.handle(click()));
    assert_eq!(apps.records.reviews(&me).await.unwrap().len(), 1);
    assert_eq!(a, b, "the replayed answer gets the first answer's feedback");

    // Two instances receive one new "practice" at the same moment: one question.
    let (a, b) = tokio::join!(
        apps.first.handle(practice("3003")),
        apps.second.handle(practice("3003"))
    );
    assert_eq!(prompts().await, 2, "one more question, not two");
    let done = [&a, &b]
        .iter()
        .filter(|r| text(r).contains("already done"))
        .count();
    assert_eq!(
        done, 1,
        "one instance acted, the other said so: {a:?} {b:?}"
    );

    // A different event of the same kind is of course applied (the next day: today's
    // new-question cap is reached).
    apps.clock.advance(chrono::Duration::days(1));
    apps.second.handle(practice("3004")).await;
    assert_eq!(prompts().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_replayed_events_change_things_once() {
    let (store, _dir) = common::sqlite_store().await;
    replays_change_things_once(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_replayed_events_change_things_once() {
    let Some((store, schema)) = common::postgres_store("replay").await else {
        return;
    };
    replays_change_things_once(store).await;
    schema.drop().await;
}
