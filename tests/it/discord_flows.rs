//! End-to-end flows of the Discord adapter against Discord's published API description:
//! serenity → Prism (`prism proxy --errors`, validating every request and every answer
//! against `openapi-api-v10-prefixed.json`) → a fake Discord. Any request or answer Prism
//! rejects surfaces as an error from the adapter, and the tests unwrap every one.
//!
//! Needs `LADDER_DISCORD_SPEC_PREFIXED` (see `.ci/prism`); without it the tests say so and
//! return.

use crate::fake_discord;

use std::sync::{Arc, Mutex};

use fake_discord::harness::harness;
use fake_discord::payloads::{self, Who, GUILD};
use fake_discord::{responses, Recorded, CLOSED_DMS_USER};
use ladder::platform::discord::{commands, gateway, Adapter, DiscordChat, Outcome};
use ladder::platform::text::sanitize;
use ladder::platform::{Block, Chat, Choice, Destination, Inbound, InboundKind, Reply, SendError};
use serde_json::{json, Value};

/// Stands in for the app: remembers what it was asked and answers like the app would.
#[derive(Clone, Default)]
struct AppDouble {
    seen: Arc<Mutex<Vec<Inbound>>>,
}

impl AppDouble {
    fn responder(&self) -> impl ladder::platform::discord::Responder {
        let seen = Arc::clone(&self.seen);
        move |inbound: Inbound| {
            seen.lock().unwrap().push(inbound.clone());
            async move { answer(inbound) }
        }
    }
    fn last(&self) -> InboundKind {
        self.seen
            .lock()
            .unwrap()
            .last()
            .expect("the app was asked")
            .kind
            .clone()
    }
}

fn answer(inbound: Inbound) -> Vec<Reply> {
    match inbound.kind {
        InboundKind::Command { name, args } => match name.as_str() {
            "join" => vec![Reply::text(
                "Welcome to Ladder! Your first questions arrive tomorrow.",
            )],
            "progress" => vec![Reply::private(vec![
                Block::Heading("Your progress".into()),
                Block::Fields(vec![(
                    "Phishing".into(),
                    "competent · next review in 3 days".into(),
                )]),
            ])],
            "leaderboard" => vec![Reply::public(vec![Block::Text("1. Ada 2. Linus".into())])],
            _ => vec![Reply::text(format!("/{name} {args}"))],
        },
        InboundKind::Action { actions } => vec![Reply::private(vec![
            Block::Heading("Correct".into()),
            Block::Text(format!("You chose {}.", actions.join(", "))),
        ])],
        InboundKind::Text { text, .. } => {
            vec![Reply::text(format!("You wrote: {}", sanitize(&text)))]
        }
    }
}

fn prompt() -> Reply {
    let choice = |label: &str, action: &str| Choice {
        label: label.into(),
        action: action.into(),
    };
    Reply::private(vec![
        Block::Heading("Daily practice · Phishing".into()),
        Block::Text("Which sign most reliably marks a phishing email?".into()),
        Block::Choices {
            choices: vec![
                choice("A typo", "answer:p1:A"),
                choice("A mismatched link target", "answer:p1:B"),
                choice("An urgent tone", "answer:p1:C"),
            ],
            multi: false,
            placeholder: String::new(),
        },
        Block::AskText {
            action: "text:p1".into(),
            label: "Explain in your words".into(),
            placeholder: "…".into(),
            long: true,
        },
    ])
}

/// The interaction callback and webhook calls made for one interaction id.
fn calls(records: &[Recorded], interaction: &str) -> Vec<Recorded> {
    let token = format!("token-{interaction}");
    records
        .iter()
        .filter(|r| r.path.contains(&token))
        .cloned()
        .collect()
}

/// Every message body that reached "Discord" had mentions switched off.
fn assert_no_mentions(records: &[Recorded]) {
    for r in records {
        let is_message = r.path.contains("/messages") || r.path.starts_with("/webhooks/");
        if is_message && r.method != "GET" {
            assert_eq!(
                r.body["allowed_mentions"]["parse"],
                json!([]),
                "{} {}",
                r.method,
                r.path
            );
        }
        let text = r.body.to_string();
        assert!(
            !text.contains("@everyone") && !text.contains("@here"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_learner_joins_answers_by_button_and_text_and_sees_progress() {
    let Some(h) = harness() else { return };
    let http = h.http();
    let app = AppDouble::default();
    let adapter = Adapter::new(app.responder());
    let learner = "400000000000000001";
    let in_guild = Who::in_guild(learner);

    // /join in the server: deferred privately within Discord's 3 s, then filled in.
    let join = payloads::command("900000000000000001", &in_guild, "join", json!([]));
    let outcome = adapter.handle(&http, &join).await.unwrap();
    assert_eq!(outcome, Outcome::Answered { messages: 1 });
    let join_calls = calls(&h.fake.records(), "900000000000000001");
    assert_eq!(join_calls[0].body["type"], 5);
    assert_eq!(join_calls[0].body["data"]["flags"], 64);
    assert_eq!(join_calls[1].method, "PATCH");
    let welcome = join_calls[1].body["embeds"][0]["description"]
        .as_str()
        .unwrap();
    assert!(welcome.starts_with("Welcome to Ladder"));

    // The daily prompt arrives as a DM; sending it twice (a crash and retry) is one message.
    let chat = DiscordChat::new(Arc::new(h.http()));
    let to = Destination::Direct {
        user: learner.into(),
    };
    let first = chat.send(&to, &prompt(), "prompt-1").await.unwrap();
    let again = chat.send(&to, &prompt(), "prompt-1").await.unwrap();
    assert_eq!(first, again);
    let posts: Vec<Recorded> = h
        .fake
        .records()
        .into_iter()
        .filter(|r| {
            r.method == "POST" && r.path.ends_with("/messages") && r.body["nonce"].is_string()
        })
        .filter(|r| r.body.to_string().contains("Which sign"))
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].body["nonce"], posts[1].body["nonce"]);
    assert_eq!(posts[0].body["enforce_nonce"], true);
    let channel = posts[0].path.split('/').nth(2).unwrap();
    let message = responses::message(&h.fake, channel, &posts[0].body, &[]);
    let buttons = &posts[0].body["components"][0]["components"];
    let ask = &posts[0].body["components"][1]["components"][0];

    // After a "restart" (a new adapter, nothing in memory) the click is still understood.
    let restarted = Adapter::new(app.responder());
    let in_dm = Who::in_dm(learner);
    let click_id = "900000000000000002";
    let click = payloads::click(
        click_id,
        &in_dm,
        &message,
        buttons[1]["custom_id"].as_str().unwrap(),
    );
    assert_eq!(
        restarted.handle(&http, &click).await.unwrap(),
        Outcome::Answered { messages: 1 }
    );
    assert_eq!(
        app.last(),
        InboundKind::Action {
            actions: vec!["answer:p1:B".into()]
        }
    );
    let feedback = calls(&h.fake.records(), click_id);
    assert_eq!(feedback[0].body["type"], 5);
    assert_eq!(feedback[1].body["embeds"][0]["title"], "Correct");

    // A gateway resume replays the click: answered once, nothing new reaches Discord.
    assert_eq!(
        restarted.handle(&http, &click).await.unwrap(),
        Outcome::Duplicate
    );
    assert_eq!(calls(&h.fake.records(), click_id).len(), 2);

    // "Explain in your words" opens a modal; its submit reaches the app as text.
    let open = payloads::click(
        "900000000000000003",
        &in_dm,
        &message,
        ask["custom_id"].as_str().unwrap(),
    );
    assert_eq!(
        restarted.handle(&http, &open).await.unwrap(),
        Outcome::ModalOpened
    );
    let modal = &calls(&h.fake.records(), "900000000000000003")[0].body;
    assert_eq!(modal["type"], 9);
    assert_eq!(modal["data"]["title"], "Explain in your words");
    let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    let typed = "@everyone the **link** shows a different host";
    let submit = payloads::modal_submit("900000000000000004", &in_dm, &modal_id, typed);
    restarted.handle(&http, &submit).await.unwrap();
    assert_eq!(
        app.last(),
        InboundKind::Text {
            action: Some("text:p1".into()),
            text: typed.into()
        }
    );
    let echoed = &calls(&h.fake.records(), "900000000000000004")[1].body;
    assert!(echoed["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains("everyone"));

    // /progress shows stage per skill as embed fields.
    let progress = payloads::command("900000000000000005", &in_guild, "progress", json!([]));
    restarted.handle(&http, &progress).await.unwrap();
    let shown = &calls(&h.fake.records(), "900000000000000005")[1].body;
    assert_eq!(shown["embeds"][0]["fields"][0]["name"], "Phishing");

    assert_no_mentions(&h.fake.records());
}

#[tokio::test]
async fn every_slash_command_registers_and_reaches_the_app() {
    let Some(h) = harness() else { return };
    let http = h.http();
    let app = AppDouble::default();
    let adapter = Adapter::new(app.responder());

    let n = gateway::register_commands(&http, &[GUILD.parse().unwrap()])
        .await
        .unwrap();
    assert_eq!(n, commands::all().len());
    gateway::register_commands(&http, &[]).await.unwrap();
    let puts: Vec<Recorded> = h
        .fake
        .records()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert!(puts
        .iter()
        .any(|r| r.path.contains(&format!("/guilds/{GUILD}/commands"))));
    assert!(puts
        .iter()
        .any(|r| r.path.ends_with("/commands") && !r.path.contains("guilds")));

    let who = Who::in_guild("400000000000000002");
    for (i, cmd) in commands::all().into_iter().enumerate() {
        let name = serde_json::to_value(cmd).unwrap()["name"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = format!("91000000000000{i:04}");
        let interaction = payloads::command(&id, &who, &name, json!([]));
        let outcome = adapter.handle(&http, &interaction).await.unwrap();
        assert_eq!(outcome, Outcome::Answered { messages: 1 }, "/{name}");
        match app.last() {
            InboundKind::Command { name: got, .. } => assert_eq!(got, name),
            other => panic!("/{name} became {other:?}"),
        }
        let deferral = &calls(&h.fake.records(), &id)[0].body;
        // The leaderboard is for the channel; everything else only for the asker.
        let ephemeral = deferral["data"]["flags"].as_u64().unwrap_or(0) & 64 == 64;
        assert_eq!(ephemeral, name != "leaderboard", "/{name}");
    }

    // Subcommands and options arrive as the text a person would type.
    let settings = payloads::command(
        "920000000000000001",
        &who,
        "settings",
        json!([{"type": 1, "name": "time", "options": [{"type": 3, "name": "value", "value": "08:30"}]}]),
    );
    adapter.handle(&http, &settings).await.unwrap();
    assert_eq!(
        app.last(),
        InboundKind::Command {
            name: "settings".into(),
            args: "time 08:30".into()
        }
    );

    // Timezone autocomplete is answered by the adapter itself, from the IANA names.
    let typing = payloads::timezone_autocomplete("920000000000000002", &who, "paris");
    assert_eq!(
        adapter.handle(&http, &typing).await.unwrap(),
        Outcome::Autocompleted
    );
    let suggested = &calls(&h.fake.records(), "920000000000000002")[0].body;
    assert_eq!(suggested["type"], 8);
    assert_eq!(suggested["data"]["choices"][0]["value"], "Europe/Paris");
    assert_no_mentions(&h.fake.records());
}

#[tokio::test]
async fn selects_long_replies_and_attachments_stay_within_discord_limits() {
    let Some(h) = harness() else { return };
    let http = h.http();
    let many = (0..8)
        .map(|i| Choice {
            label: format!("Skill {i}"),
            action: format!("practice:s{i}"),
        })
        .collect::<Vec<_>>();
    let long = "Spaced retrieval beats rereading. ".repeat(400); // ~13,600 characters
    let reply = Reply::private(vec![
        Block::Text(long),
        Block::Choices {
            choices: many,
            multi: false,
            placeholder: "Pick a skill".into(),
        },
        Block::Image {
            png: vec![137, 80, 78, 71, 13, 10, 26, 10],
            filename: "team.png".into(),
            alt: "Team".into(),
        },
        Block::File {
            bytes: b"learner,stage\n".to_vec(),
            filename: "export.csv".into(),
        },
    ]);
    let replies = Arc::new(reply);
    let responder = {
        let replies = Arc::clone(&replies);
        move |_: Inbound| {
            let replies = Arc::clone(&replies);
            async move { vec![(*replies).clone()] }
        }
    };
    let adapter = Adapter::new(responder);
    let who = Who::in_guild("400000000000000003");
    let id = "930000000000000001";
    let cmd = payloads::command(id, &who, "practice", json!([]));
    let Outcome::Answered { messages } = adapter.handle(&http, &cmd).await.unwrap() else {
        panic!("not answered")
    };
    assert!(messages >= 3, "13,600 characters need several messages");
    let sent = calls(&h.fake.records(), id);
    let mut described = 0;
    for r in &sent[1..] {
        for e in r.body["embeds"].as_array().into_iter().flatten() {
            let d = e["description"].as_str().unwrap_or_default();
            assert!(d.chars().count() <= 4096);
            described += d.chars().count();
        }
        assert!(r.body.to_string().chars().count() < 8_000);
    }
    assert!(described > 13_000);
    let select = sent
        .iter()
        .find_map(|r| {
            r.body["components"][0]["components"][0]
                .as_object()
                .cloned()
        })
        .expect("a select menu was sent");
    assert_eq!(select["type"], 3);
    assert_eq!(select["options"].as_array().unwrap().len(), 8);
    let files: Vec<String> = sent
        .iter()
        .flat_map(|r| r.files.iter().map(|f| f.1.clone()))
        .collect();
    assert_eq!(files, vec!["team.png".to_owned(), "export.csv".to_owned()]);

    // Choosing from the select reaches the app as the option's action.
    let seen = Arc::new(Mutex::new(None));
    let record = Arc::clone(&seen);
    let picker = Adapter::new(move |inbound: Inbound| {
        *record.lock().unwrap() = Some(inbound.kind);
        async { vec![Reply::text("Starting skill 6.")] }
    });
    let carrier = sent
        .iter()
        .find(|r| r.body["components"][0]["components"][0]["type"] == 3)
        .unwrap();
    let message = responses::message(&h.fake, "645027906669510667", &carrier.body, &[]);
    let custom_id = select["custom_id"].as_str().unwrap();
    let pick = payloads::select(
        "930000000000000002",
        &who,
        &message,
        custom_id,
        &["practice:s6"],
    );
    picker.handle(&http, &pick).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        Some(InboundKind::Action {
            actions: vec!["practice:s6".into()]
        })
    );
    assert_no_mentions(&h.fake.records());
}

#[tokio::test]
async fn a_learner_with_closed_dms_is_reported_as_dms_closed() {
    let Some(h) = harness() else { return };
    let chat = DiscordChat::new(Arc::new(h.http()));
    let to = Destination::Direct {
        user: CLOSED_DMS_USER.into(),
    };
    match chat
        .send(
            &to,
            &Reply::text("Your daily questions are ready."),
            "prompt-closed",
        )
        .await
    {
        Err(SendError::DmsClosed(why)) => assert!(why.contains("50007"), "{why}"),
        other => panic!("expected closed DMs, got {other:?}"),
    }
    let bad = Destination::Direct {
        user: "not-an-id".into(),
    };
    assert!(matches!(
        chat.send(&bad, &prompt(), "k").await,
        Err(SendError::Undeliverable(_))
    ));
    let channel = Destination::Channel {
        channel: "645027906669510667".into(),
    };
    let board = Reply::public(vec![Block::Text(sanitize("Top: @everyone <@123>"))]);
    chat.send(&channel, &board, "leaderboard-2026-47")
        .await
        .unwrap();
    let _: Value = Value::Null;
    assert_no_mentions(&h.fake.records());
}

#[tokio::test]
async fn the_interaction_is_deferred_before_the_app_starts_working() {
    let Some(h) = harness() else { return };
    let http = h.http();
    let interaction_id = "950000000000000001";
    let fake = h.fake.clone();
    // A slow app (a busy database): by the time it is asked, Discord already has the
    // deferral, so its 3-second limit cannot expire however long the app takes.
    let deferred_first = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&deferred_first);
    let slow_app = move |_: Inbound| {
        let callback = fake
            .matching(&format!("{interaction_id}/token-{interaction_id}/callback"))
            .len();
        *seen.lock().unwrap() = Some(callback == 1);
        async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            vec![Reply::text("Here is your progress.")]
        }
    };
    let adapter = Adapter::new(slow_app);
    let who = Who::in_guild("400000000000000004");
    let cmd = payloads::command(interaction_id, &who, "progress", json!([]));
    adapter.handle(&http, &cmd).await.unwrap();
    assert_eq!(*deferred_first.lock().unwrap(), Some(true));
}
