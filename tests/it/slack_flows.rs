//! The learner's day on Slack with the real app, on SQLite and Postgres, through a loopback
//! Socket Mode server sending Slack's published frames and the Web API behind Prism
//! (`prism proxy --errors` on Slack's published description; the methods it lacks checked
//! by the fake against Slack's published samples). Any request Slack's description
//! rejects, any answer that does not match it, and any Block Kit limit broken fails here.
//!
//! join → daily DM → "Show question" → an answer of every item type the content has
//! (buttons, select, checkboxes, a typed answer in a modal) → feedback in place of the
//! question → App Home → settings → "export my data" (a file uploaded to the DM); a
//! duplicate envelope applied once; a 429's Retry-After reported.
//!
//! Needs `LADDER_SLACK_DATA` (set by `.ci/run`); outside CI, without it, the tests say so
//! and return.

use crate::common;
use crate::fake_slack;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use fake_slack::harness::{data_dir, harness, SocketServer};
use fake_slack::Call;
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::commands::serve::slack_wiring::AppHome;
use ladder::platform::slack::handler::Spawner;
use ladder::platform::slack::parse::MEMBER_ROLE;
use ladder::platform::slack::{socket, Handler, SlackChat};
use ladder::platform::{Actor, Chat, Destination, Inbound, Platform, SendError};
use ladder::store::Store;
use serde_json::{json, Value};

pub(crate) const CHANNEL: &str = "C0PRACTICE1";

pub(crate) struct World {
    pub(crate) app: Arc<App>,
    chat: Arc<SlackChat>,
    pub(crate) socket: SocketServer,
    frames: std::path::PathBuf,
    pub(crate) actor: Actor,
    envelopes: std::sync::atomic::AtomicU64,
    pub(crate) stop: tokio::sync::watch::Sender<bool>,
}

pub(crate) async fn world(store: Arc<dyn Store>, team: &str, user: &str) -> Option<World> {
    let h = harness()?;
    let dir = data_dir()?;
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = ladder_content::load_dir(&content).expect("the sample content loads");
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    // Monday 2 March 2026, 08:00 UTC: the daily push is due at 09:00.
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).single().unwrap();
    let app = Arc::new(App::new(
        records,
        Arc::new(library),
        Arc::new(VirtualClock::new(start)),
    ));
    // As `ladder serve` sets it up: on Slack the recorded grant decides alone.
    let mut policy = RolePolicy::default();
    policy.grant_decides_without_platform_roles();
    app.set_staffing(Staffing::on_store(store, policy));
    let chat = Arc::new(SlackChat::new(Arc::new(h.web())));
    let responder = {
        let app = Arc::clone(&app);
        move |inbound: Inbound| {
            let app = Arc::clone(&app);
            async move { app.handle(inbound).await }
        }
    };
    let handler =
        Handler::new(responder, chat.clone()).with_home(Arc::new(AppHome::new(Arc::clone(&app))));
    let hello = std::fs::read_to_string(dir.join("socket-mode/hello.json")).unwrap();
    let socket_server = SocketServer::start(hello).await;
    // One app token (and Socket Mode connection) per world: several worlds on one store
    // are several instances of the bot.
    let app_token = format!("xapp-1-{team}-{user}");
    h.fake.set_socket_url(&app_token, &socket_server.url);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let web = chat.web().clone();
    tokio::spawn(socket::run(
        web,
        app_token,
        Arc::new(Spawner(Arc::new(handler))),
        stopped,
    ));
    let actor = Actor {
        platform: Platform::Slack,
        tenant: team.to_owned(),
        user: user.to_owned(),
        display_name: "ana".into(),
        platform_roles: vec![MEMBER_ROLE.to_owned()],
    };
    Some(World {
        app,
        chat,
        socket: socket_server,
        frames: dir.join("socket-mode"),
        actor,
        envelopes: Default::default(),
        stop,
    })
}

impl World {
    /// A published Socket Mode frame, as Slack sends it.
    pub(crate) fn socket_frame(&self, file: &str) -> Value {
        self.published(file)
    }

    fn published(&self, file: &str) -> Value {
        let text = std::fs::read_to_string(self.frames.join(file)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Sends a published frame with its payload changed by `edit`; the envelope id.
    fn send(&self, file: &str, edit: impl FnOnce(&mut Value)) -> String {
        let mut frame = self.published(file);
        let n = self
            .envelopes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let id = format!("{}-{n}", self.actor.user);
        frame["envelope_id"] = id.clone().into();
        edit(&mut frame["payload"]);
        self.socket.send(frame.to_string());
        id
    }

    pub(crate) fn command(&self, text: &str, trigger: &str) -> String {
        let (team, user) = (self.actor.tenant.clone(), self.actor.user.clone());
        let (text, trigger) = (text.to_owned(), trigger.to_owned());
        self.send("slash_commands.json", move |p| {
            p["team_id"] = team.into();
            p["user_id"] = user.into();
            p["channel_id"] = CHANNEL.into();
            p["command"] = "/ladder".into();
            p["text"] = text.into();
            p["trigger_id"] = trigger.into();
        })
    }

    /// A click on `element` of the message `ts` in `channel`.
    pub(crate) fn click(
        &self,
        channel: &str,
        ts: &str,
        element: &Value,
        state: Value,
        trigger: &str,
    ) {
        let (team, user) = (self.actor.tenant.clone(), self.actor.user.clone());
        let mut action = json!({"action_id": element["action_id"], "block_id": "b",
            "type": element["type"], "action_ts": "1767225600.000001"});
        match element["type"].as_str() {
            Some("static_select") => {
                action["selected_option"] = element["options"][0].clone();
            }
            _ => action["value"] = element["value"].clone(),
        }
        let (channel, ts, trigger) = (channel.to_owned(), ts.to_owned(), trigger.to_owned());
        self.send("interactive_block_actions.json", move |p| {
            p["user"]["id"] = user.into();
            p["user"]["team_id"] = team.clone().into();
            p["team"]["id"] = team.into();
            p["container"]["channel_id"] = channel.clone().into();
            p["container"]["message_ts"] = ts.clone().into();
            p["container"]["is_ephemeral"] = (!channel.starts_with('D')).into();
            p["channel"]["id"] = channel.into();
            p["message"]["ts"] = ts.into();
            p["trigger_id"] = trigger.into();
            p["actions"] = json!([action]);
            p["state"] = state;
        });
    }

    /// Socket Mode: hello, then `/ladder join` in the channel, whose offer is ephemeral,
    /// and a click on the first track; the join command's envelope id.
    pub(crate) async fn join(&self) -> String {
        let user = self.actor.user.clone();
        let join = self.command("join", &format!("{user}.join"));
        let offers = wait_calls("chat.postEphemeral", &user, 1).await;
        assert!(
            self.socket.acks().contains(&join),
            "the envelope was acknowledged"
        );
        let offer = &offers[0];
        assert_eq!(offer.field("channel"), CHANNEL);
        let track_button = elements(&offer.blocks())
            .into_iter()
            .find(|e| e["value"].as_str().is_some_and(|v| v.starts_with("j:")))
            .expect("a track to join");
        self.click(
            CHANNEL,
            "1767225600.000100",
            &track_button,
            json!({}),
            &format!("{user}.t1"),
        );
        let joined = wait_calls("chat.postEphemeral", &user, 2).await;
        assert!(
            joined[1].field("text").contains("You joined"),
            "{:?}",
            joined[1]
        );
        join
    }

    /// Submits the typed-answer modal opened by `views.open`.
    fn submit_modal(&self, view: &Value, text: &str, trigger: &str) {
        let payload = json!({"type": "view_submission",
            "team": {"id": self.actor.tenant}, "user": {"id": self.actor.user,
                "team_id": self.actor.tenant},
            "trigger_id": trigger,
            "view": {"id": format!("V{trigger}"), "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": {"values": {"answer": {"answer": {"type": "plain_text_input",
                    "value": text}}}}}});
        self.send("interactive_block_actions.json", move |p| *p = payload);
    }
}

/// Waits until `count` calls match (the handler answers after the ack, on its own task).
pub(crate) async fn wait_calls(method: &str, marker: &str, count: usize) -> Vec<Call> {
    let fake = &harness().unwrap().fake;
    for _ in 0..400 {
        let calls = fake.calls_for(method, marker);
        if calls.len() >= count {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no {count} {method} call(s) mentioning {marker}: {:#?}",
        fake.calls()
    );
}

/// The interactive elements of some blocks.
pub(crate) fn elements(blocks: &Value) -> Vec<Value> {
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A call's text and blocks, for assertions.
pub(crate) fn text_of(call: &Call) -> String {
    format!("{} {}", call.field("text"), call.field("blocks"))
}

async fn the_learners_day(store: Arc<dyn Store>, team: &str, user: &str) {
    let Some(w) = world(store, team, user).await else {
        return;
    };
    w.join().await;

    // A duplicate delivery of the join (Slack retried: same trigger, new envelope) is
    // acknowledged and applied once: nothing more is posted.
    let said = || {
        harness()
            .unwrap()
            .fake
            .calls_for("chat.postEphemeral", user)
            .len()
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = said();
    let again = w.command("join", &format!("{user}.join"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(w.socket.acks().contains(&again));
    assert_eq!(said(), before, "the duplicate envelope was applied again");

    // Every item type of the content, pushed as a daily DM and answered.
    let library = w.app.library();
    let mut types = BTreeSet::new();
    let mut answered_with = BTreeSet::new();
    let mut picked = Vec::new();
    for item in &library.items {
        if types.insert(item.key.type_name()) {
            picked.push(item.id.clone());
        }
    }
    for (n, item) in picked.iter().enumerate() {
        let planned = w
            .app
            .ask_item(&w.actor, item, true)
            .await
            .unwrap()
            .expect("the item is asked");
        let to = Destination::Direct {
            user: user.to_owned(),
        };
        let sent = w
            .chat
            .send(
                &to,
                &planned.reply,
                &format!("prompt-{}", planned.prompt.id),
            )
            .await
            .expect("the daily DM is accepted by Slack's description");
        let (dm, ts) = sent.message_id.split_once('/').unwrap();
        assert!(dm.starts_with('D'));
        let teaser = harness()
            .unwrap()
            .fake
            .calls()
            .into_iter()
            .rev()
            .find(|c| c.method == "chat.postMessage" && c.field("channel") == dm)
            .unwrap();
        let reveal = elements(&teaser.blocks())
            .into_iter()
            .find(|e| e["value"].as_str().is_some_and(|v| v.starts_with("r:")))
            .expect("a Show question button");
        let before = harness().unwrap().fake.calls_for("chat.update", ts).len();
        w.click(dm, ts, &reveal, json!({}), &format!("{user}.r{n}"));
        let updates = wait_calls("chat.update", ts, before + 1).await;
        let question = updates.last().unwrap().blocks();
        let control = elements(&question)
            .into_iter()
            .next()
            .expect("a way to answer");
        let kind = control["type"].as_str().unwrap().to_owned();
        let action_id = control["action_id"].as_str().unwrap().to_owned();
        let before = updates.len();
        let trigger = format!("{user}.a{n}");
        if action_id.starts_with("t:") {
            let posted = harness()
                .unwrap()
                .fake
                .calls_for("chat.postMessage", dm)
                .len();
            w.click(dm, ts, &control, json!({}), &trigger);
            let opened = wait_calls("views.open", &trigger, 1).await;
            let view: Value = serde_json::from_str(opened[0].field("view")).unwrap();
            w.submit_modal(&view, "least privilege", &format!("{trigger}.m"));
            answered_with.insert("modal");
            // A typed answer's feedback is posted in the DM.
            let feedback = wait_calls("chat.postMessage", dm, posted + 1).await;
            assert!(!text_of(feedback.last().unwrap()).is_empty());
        } else {
            let state = if kind == "checkboxes" {
                json!({"values": {"blk": {action_id.clone(): {"type": "checkboxes",
                    "selected_options": [control["options"][0].clone()]}}}})
            } else {
                json!({})
            };
            let pressed = if kind == "checkboxes" {
                elements(&question)
                    .into_iter()
                    .find(|e| e["action_id"].as_str().is_some_and(|a| a.starts_with("k:")))
                    .expect("a submit button")
            } else {
                control.clone()
            };
            w.click(dm, ts, &pressed, state, &trigger);
            answered_with.insert(match kind.as_str() {
                "button" => "buttons",
                "static_select" => "select",
                _ => "checkboxes",
            });
            // The question is replaced by its feedback: its answer buttons are gone.
            let updates = wait_calls("chat.update", ts, before + 1).await;
            let feedback = updates.last().unwrap();
            let prompt = planned.prompt.id.to_string();
            assert!(
                !elements(&feedback.blocks()).iter().any(|e| {
                    e["value"].as_str().is_some_and(|v| v.contains(&prompt))
                        || e["options"].to_string().contains(&prompt)
                }),
                "old answer buttons can still be pressed: {}",
                feedback.field("blocks")
            );
        }
    }
    for kind in ["buttons", "modal"] {
        assert!(answered_with.contains(kind), "{answered_with:?}");
    }
    assert!(answered_with.len() >= 3, "{answered_with:?}");

    // App Home was published after the answers, and on opening it.
    let homes_before = harness()
        .unwrap()
        .fake
        .calls_for("views.publish", user)
        .len();
    assert!(homes_before >= 1, "App Home refreshed after answers");
    let (team_id, uid) = (team.to_owned(), user.to_owned());
    w.send("events_api_app_mention.json", move |p| {
        p["team_id"] = team_id.into();
        p["event_id"] = format!("Ev{uid}home").into();
        p["event"] = json!({"type": "app_home_opened", "user": uid, "tab": "home",
            "channel": "D0HOME00001", "event_ts": "1767225600.000300"});
    });
    let homes = wait_calls("views.publish", user, homes_before + 1).await;
    let home = homes.last().unwrap().field("view").to_owned();
    for part in ["Practice now", "m:settings", "m:privacy"] {
        assert!(home.contains(part), "{part} missing from App Home: {home}");
    }

    // Settings from the slash command, answered privately in the channel.
    let fake = &harness().unwrap().fake;
    let before = fake.calls_for("chat.postEphemeral", user).len();
    w.command("settings time 08:30", &format!("{user}.time"));
    let set = wait_calls("chat.postEphemeral", user, before + 1).await;
    assert!(
        set.last().unwrap().field("text").contains("08:30"),
        "{:?}",
        set.last()
    );

    // "Export my data": a JSON file cannot be ephemeral, so it goes to the learner's DM,
    // uploaded the current way, with a sentence saying what it holds.
    w.command("privacy export", &format!("{user}.export"));
    let mut dm = None;
    for _ in 0..200 {
        dm = fake.dm_of(user);
        if dm.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dm = dm.expect("the learner's DM was opened");
    let shared = wait_calls("files.completeUploadExternal", &dm, 1).await;
    assert!(
        shared
            .iter()
            .any(|c| c.field("files").contains("ladder-my-data.json")),
        "{shared:?}"
    );
    let said = wait_calls("chat.postMessage", &dm, 1).await;
    assert!(
        said.iter().any(|c| c
            .field("text")
            .contains("everything Ladder holds about you")),
        "{said:?}"
    );
    let _ = w.stop.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learners_day_on_slack_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    the_learners_day(store, "T0SQLITE01", "U0SQLITE01").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learners_day_on_slack_postgres() {
    let Some((store, schema)) = common::postgres_store("slack_flows").await else {
        return;
    };
    the_learners_day(store, "T0POSTGRES1", "U0POSTGRES1").await;
    schema.drop().await;
}

#[tokio::test]
async fn a_429_reports_slacks_retry_after_and_the_next_send_goes_through() {
    let Some(h) = harness() else { return };
    let chat = SlackChat::new(Arc::new(h.web()));
    let to = Destination::Channel {
        channel: "C0LIMITED01".into(),
    };
    let reply = ladder::platform::Reply::public(vec![ladder::platform::Block::Text(
        "Leaderboard: <!channel> 1. ana".into(),
    )]);
    h.fake.limit_next("chat.postMessage", 3);
    let err = chat.send(&to, &reply, "board-1").await.unwrap_err();
    assert_eq!(
        err,
        SendError::RateLimited {
            retry_after_secs: 3.0
        }
    );
    chat.send(&to, &reply, "board-1").await.unwrap();
    let posted = h.fake.calls_for("chat.postMessage", "C0LIMITED01");
    assert_eq!(posted.len(), 1);
    // The same key again is not posted twice.
    chat.send(&to, &reply, "board-1").await.unwrap();
    assert_eq!(h.fake.calls_for("chat.postMessage", "C0LIMITED01").len(), 1);
    assert!(!posted[0].field("blocks").contains("<!channel>"));
}
