//! The real app behind the Discord adapter, through Prism and the fake Discord: whatever
//! the app says (track offers, questions, feedback, progress, data export) must make
//! requests Discord's published spec accepts, and clicks on what it rendered must reach it
//! again as the actions it chose.
//!
//! Needs `LADDER_DISCORD_SPEC_PREFIXED` (see `.ci/prism`); without it the test says so and
//! returns.

use crate::fake_discord;

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use fake_discord::harness::harness;
use fake_discord::payloads::{self, Who};
use fake_discord::{responses, Recorded};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::discord::{Adapter, Outcome};
use ladder::platform::Inbound;
use serde_json::{json, Value};

/// The app on a fresh SQLite store, as `ladder serve` wires it.
async fn app(dir: &Path) -> Arc<App> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = ladder_content::load_dir(&content).expect("the sample content loads");
    let url = format!("sqlite://{}?mode=rwc", dir.join("ladder.db").display());
    let store = ladder::store::connect(&url).await.unwrap();
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store));
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap();
    Arc::new(App::new(
        records,
        Arc::new(library),
        Arc::new(VirtualClock::new(start)),
    ))
}

/// The message bodies sent for one interaction (deferral excluded).
fn messages(records: &[Recorded], interaction: &str) -> Vec<Value> {
    let token = format!("token-{interaction}");
    records
        .iter()
        .filter(|r| r.path.contains(&token) && !r.path.ends_with("/callback"))
        .map(|r| r.body.clone())
        .collect()
}

/// The first control in `bodies`: (message body, custom_id, select values to pick).
fn first_control(bodies: &[Value]) -> Option<(Value, String, Vec<String>)> {
    let body = bodies.iter().rev().find(|b| {
        b["components"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty())
    })?;
    let control = &body["components"][0]["components"][0];
    let id = control["custom_id"].as_str()?.to_owned();
    let values = match control["type"].as_u64() {
        Some(3) => vec![control["options"][0]["value"].as_str()?.to_owned()],
        _ => vec![],
    };
    Some((body.clone(), id, values))
}

#[tokio::test]
async fn the_real_app_renders_only_what_discord_accepts() {
    let Some(h) = harness() else { return };
    let http = h.http();
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let responder = {
        let app = Arc::clone(&app);
        move |inbound: Inbound| {
            let app = Arc::clone(&app);
            async move { app.handle(inbound).await }
        }
    };
    let adapter = Adapter::new(responder);
    let who = Who::in_guild("400000000000000100");
    let mut next_id = 940_000_000_000_000_000u64;
    let mut id = || {
        next_id += 1;
        next_id.to_string()
    };

    // /join offers the tracks; then follow whatever the app offers next, clicking the first
    // control each time: join a track, reveal, answer, ...
    let first = id();
    let join = payloads::command(&first, &who, "join", json!([]));
    adapter.handle(&http, &join).await.unwrap();
    let mut bodies = messages(&h.fake.records(), &first);
    let mut clicks = 0;
    let mut answered = Vec::new();
    while let Some((body, custom_id, values)) = first_control(&bodies) {
        if clicks == 6 {
            break;
        }
        clicks += 1;
        let message = responses::message(&h.fake, "645027906669510667", &body, &[]);
        let step = id();
        let interaction = if custom_id.starts_with("t:") {
            let open = payloads::click(&step, &who, &message, &custom_id);
            assert_eq!(
                adapter.handle(&http, &open).await.unwrap(),
                Outcome::ModalOpened
            );
            let modal = h.fake.matching(&format!("token-{step}"))[0].body.clone();
            let submit_id = id();
            let modal_id = modal["data"]["custom_id"].as_str().unwrap();
            let submit = payloads::modal_submit(&submit_id, &who, modal_id, "a mismatched link");
            adapter.handle(&http, &submit).await.unwrap();
            bodies = messages(&h.fake.records(), &submit_id);
            continue;
        } else if values.is_empty() {
            payloads::click(&step, &who, &message, &custom_id)
        } else {
            let picked: Vec<&str> = values.iter().map(String::as_str).collect();
            payloads::select(&step, &who, &message, &custom_id, &picked)
        };
        let outcome = adapter.handle(&http, &interaction).await.unwrap();
        assert!(
            matches!(outcome, Outcome::Answered { .. }),
            "{custom_id}: {outcome:?}"
        );
        bodies = messages(&h.fake.records(), &step);
        answered.push((interaction, bodies[0].clone()));
    }
    assert!(
        clicks >= 2,
        "the app offered something to click after /join"
    );

    // The answer replayed to another instance (a resumed gateway on a new process, so no
    // in-memory memory of it): the learner sees the same feedback, nothing counted twice.
    let (answer, feedback) = answered.get(1).cloned().expect("an answer was clicked");
    let other_instance = Adapter::new({
        let app = Arc::clone(&app);
        move |inbound: Inbound| {
            let app = Arc::clone(&app);
            async move { app.handle(inbound).await }
        }
    });
    let before = h.fake.records().len();
    other_instance.handle(&http, &answer).await.unwrap();
    let replayed: Vec<Value> = h.fake.records()[before..]
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.body.clone())
        .collect();
    assert_eq!(replayed[0]["embeds"], feedback["embeds"]);

    // Enrolled by the clicks above: /progress now shows the learner's skills.
    let progress = id();
    let cmd = payloads::command(&progress, &who, "progress", json!([]));
    adapter.handle(&http, &cmd).await.unwrap();
    let shown = messages(&h.fake.records(), &progress);
    assert!(!shown[0].to_string().contains("not joined"), "{}", shown[0]);

    // Every other learner command answers within the spec too.
    for (name, options) in [
        ("help", json!([])),
        (
            "settings",
            json!([{"type": 1, "name": "show", "options": []}]),
        ),
        (
            "why",
            json!([{"type": 3, "name": "skill", "value": "phishing"}]),
        ),
        (
            "resources",
            json!([{"type": 3, "name": "skill", "value": "phishing"}]),
        ),
        (
            "privacy",
            json!([{"type": 1, "name": "export", "options": []}]),
        ),
    ] {
        let step = id();
        let cmd = payloads::command(&step, &who, name, options);
        let outcome = adapter.handle(&http, &cmd).await.unwrap();
        assert!(matches!(outcome, Outcome::Answered { .. }), "/{name}");
        let said = messages(&h.fake.records(), &step);
        assert!(
            !said[0].to_string().contains("can't change"),
            "/{name}: {}",
            said[0]
        );
    }
    // The data export arrives as a file.
    let export = h
        .fake
        .records()
        .into_iter()
        .rev()
        .find(|r| !r.files.is_empty());
    assert!(export.is_some(), "/privacy export attached a file");
}
