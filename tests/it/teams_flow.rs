//! `ladder serve` on Microsoft Teams, end to end, the way a deployment runs it: the real
//! binary with Teams credentials, a loopback identity provider for both Microsoft
//! endpoints (inbound token keys, the bot's own token), and a fake Connector behind
//! `prism proxy --errors` on Microsoft's Connector description, so every request the bot
//! makes and every answer it reads is checked against the published contract.
//!
//! A learner installs the app, joins, gets the daily question proactively after a restart
//! (through the outbox, through a 429 with Retry-After), reveals it, answers it, sees
//! feedback, progress and settings; a manager gets the team summary with its picture; an
//! expert gets the queue of learners' questions. Replayed activities are acted on once.
//! On SQLite and on Postgres.
//!
//! Needs `LADDER_TEAMS_CONNECTOR_SPEC` (see `.ci/prism`); without it the test says so.

use crate::common;
use crate::fake_teams;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_teams::{claims, sign, trusted, Connector, Idp, Sent, APP_ID, TENANT, TRUSTED_KID};
use serde_json::{json, Value};

const LEARNER: &str = "29:learner-ada";
const MANAGER: &str = "29:manager-max";
const EXPERT: &str = "29:expert-eve";

struct Bot {
    child: Child,
    url: String,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bot {
    /// Stops it the way an orchestrator does (SIGTERM) and waits for a clean exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").arg(&pid).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "serve exits 0 on SIGTERM: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

struct Setup {
    idp: Idp,
    db: String,
    dir: tempfile::TempDir,
}

impl Setup {
    fn serve(&self) -> Bot {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new(env!("CARGO_BIN_EXE_ladder"))
            .arg("serve")
            .current_dir(self.dir.path())
            .env_remove("DISCORD_TOKEN")
            .env("TEAMS_APP_ID", APP_ID)
            .env("TEAMS_APP_PASSWORD", fake_teams::APP_PASSWORD)
            .env("TEAMS_TENANT_ID", TENANT)
            .env("LADDER_TEAMS__LISTEN", format!("127.0.0.1:{port}"))
            .env("LADDER_TEAMS__OPENID_METADATA_URL", self.idp.metadata_url())
            .env("LADDER_TEAMS__TOKEN_URL", self.idp.token_url())
            .env("LADDER_DATABASE_URL", &self.db)
            .env(
                "LADDER_CONTENT_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/content"),
            )
            // A question every minute, any day, so the first planning pass has one due.
            .env("LADDER_SCHEDULES__PROMPT_CRON", "0 * * * * *")
            .env("LADDER_DELIVERY__RETRY_BASE_SECS", "1")
            .env("LADDER_LOG", "info")
            .stdout(Stdio::null())
            .stderr(match std::env::var_os("LADDER_SERVE_LOG") {
                Some(p) => Stdio::from(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(p)
                        .unwrap(),
                ),
                None => Stdio::null(),
            })
            .spawn()
            .unwrap();
        let bot = Bot {
            child,
            url: format!("http://127.0.0.1:{port}/api/messages"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "serve never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        bot
    }
}

/// Sends activities the way Teams does: signed token, its own service URL.
struct Teams {
    client: reqwest::Client,
    service_url: String,
    next: usize,
}

impl Teams {
    fn personal(user: &str) -> String {
        format!("a:personal-{user}")
    }

    fn base(&mut self, user: &str, name: &str) -> Value {
        self.next += 1;
        json!({
            "type": "message",
            "id": format!("f:{}", self.next),
            "timestamp": "2026-03-02T09:30:00.000Z",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": user, "name": name, "aadObjectId": "00000000-0000-0000-0000-000000000001"},
            "recipient": {"id": format!("28:{APP_ID}"), "name": "Ladder"},
            "conversation": {"id": Self::personal(user), "conversationType": "personal",
                             "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
        })
    }

    async fn post(&self, bot: &Bot, activity: &Value) -> u16 {
        let token = sign(&claims(&self.service_url), &trusted(), TRUSTED_KID);
        self.client
            .post(&bot.url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(activity.to_string())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// The bot added to a person's chat: Microsoft's published shape, with
    /// `membersAdded[0].id` equal to `recipient.id` (that is what says it is the bot).
    async fn install(&mut self, bot: &Bot, user: &str, name: &str) -> Value {
        let mut a = self.base(user, name);
        a["type"] = json!("conversationUpdate");
        a["membersAdded"] = json!([{"id": format!("28:{APP_ID}")}, {"id": user}]);
        assert_eq!(self.post(bot, &a).await, 200);
        a
    }

    async fn say(&mut self, bot: &Bot, user: &str, name: &str, text: &str) -> Value {
        let mut a = self.base(user, name);
        a["text"] = json!(text);
        assert_eq!(self.post(bot, &a).await, 200);
        a
    }

    async fn submit(&mut self, bot: &Bot, user: &str, card_id: &str, value: Value) -> Value {
        let mut a = self.base(user, "Ada");
        a["value"] = value;
        a["replyToId"] = json!(card_id);
        assert_eq!(self.post(bot, &a).await, 200);
        a
    }
}

/// Waits until the fake Connector holds more than `seen` requests (and a moment more for
/// the rest of the same answer); returns the new ones.
async fn next(connector: &Connector, seen: &mut usize) -> Vec<Sent> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while connector.sent().len() <= *seen {
        assert!(Instant::now() < deadline, "the bot sent nothing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let all = connector.sent();
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

/// All card text of a request, for assertions.
fn text(sent: &[Sent]) -> String {
    let mut out = String::new();
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if matches!(k.as_str(), "text" | "title" | "value" | "label") {
                        if let Some(s) = v.as_str() {
                            out.push_str(s);
                            out.push('\n');
                        }
                    }
                    walk(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    for s in sent {
        walk(&s.body, &mut out);
    }
    out
}

fn card(sent: &Sent) -> &Value {
    &sent.body["attachments"][0]["content"]
}

/// The `data` of the first submit button whose title contains `title`.
fn button(sent: &[Sent], title: &str) -> Option<(Value, String)> {
    for s in sent {
        for a in card(s)["actions"].as_array().into_iter().flatten() {
            if a["title"].as_str().is_some_and(|t| t.contains(title)) {
                return Some((a["data"].clone(), s_id(s)));
            }
        }
    }
    None
}

/// The id the fake Connector gave a POSTed activity (its position: see `next_id`).
fn s_id(s: &Sent) -> String {
    s.activity_id.clone().unwrap_or_default()
}

fn staff(setup: &Setup, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .arg("staff")
        .args(args)
        .args(["--platform", "teams", "--tenant", TENANT, "--db", &setup.db])
        .current_dir(setup.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ladder staff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn journey(db: String, dir: tempfile::TempDir) {
    let Some(spec) = fake_teams::spec() else {
        return;
    };
    let idp = Idp::start().await;
    let connector = Connector::start(idp.clone()).await;
    let prism = fake_teams::prism(connector.addr, &spec);
    let setup = Setup { idp, db, dir };
    let mut teams = Teams {
        client: reqwest::Client::new(),
        service_url: format!("{}/", prism.url),
        next: 0,
    };
    let mut seen = 0;

    // Install: the bot greets the learner in their own chat.
    let bot = setup.serve();
    teams.install(&bot, LEARNER, "Ada").await;
    let hello = next(&connector, &mut seen).await;
    assert_eq!(hello[0].method, "POST");
    assert_eq!(hello[0].conversation, Teams::personal(LEARNER));
    assert!(
        text(&hello).to_lowercase().contains("ladder"),
        "{}",
        text(&hello)
    );

    // Join by typing, as in a chat: the offer of tracks, then a click on one.
    let join = teams.say(&bot, LEARNER, "Ada", "join").await;
    let offer = next(&connector, &mut seen).await;
    let (pick, offer_id) = button(&offer, "Join ").expect("a track to join");
    teams.submit(&bot, LEARNER, &offer_id, pick).await;
    let joined = next(&connector, &mut seen).await;
    assert!(
        text(&joined).to_lowercase().contains("joined"),
        "{}",
        text(&joined)
    );

    // Teams retries a webhook it got no answer to: the same activity is acted on once.
    assert_eq!(teams.post(&bot, &join).await, 200);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        connector.sent().len(),
        seen,
        "a replayed activity is not answered twice"
    );

    for (user, name) in [(MANAGER, "Max"), (EXPERT, "Eve")] {
        teams.install(&bot, user, name).await;
        next(&connector, &mut seen).await;
        teams.say(&bot, user, name, "join").await;
        let offer = next(&connector, &mut seen).await;
        let (pick, offer_id) = button(&offer, "Join ").expect("a track to join");
        teams.submit(&bot, user, &offer_id, pick).await;
        next(&connector, &mut seen).await;
    }
    bot.stop();

    // Staff set up with the CLI, as an administrator does.
    staff(&setup, &["team", "add", "--name", "Security"]);
    staff(
        &setup,
        &[
            "team", "members", "--team", "Security", "--add", LEARNER, EXPERT,
        ],
    );
    staff(&setup, &["grant", "--user", MANAGER, "--role", "manager"]);
    staff(&setup, &["grant", "--user", EXPERT, "--role", "expert"]);

    // After a restart the daily question goes out proactively, to the stored
    // conversation, through the outbox; the Connector's first answer is a 429.
    connector.throttle_next(&Teams::personal(LEARNER), 1);
    let bot = setup.serve();
    let daily = loop {
        let batch = next(&connector, &mut seen).await;
        if let Some(s) = batch
            .iter()
            .find(|s| s.conversation == Teams::personal(LEARNER))
        {
            break vec![s.clone()];
        }
    };
    let throttled = connector.throttled();
    assert_eq!(throttled.len(), 1, "the Connector throttled once");
    assert!(
        daily[0].at.duration_since(throttled[0].1) >= Duration::from_secs(2),
        "the Retry-After of 2 s was honoured"
    );
    let (reveal, _) =
        button(&daily, "Show question").expect("the daily question hides behind a button");
    assert_eq!(
        connector.unauthorized(),
        0,
        "every Connector call carried the bot's token"
    );

    // Reveal: the card is replaced by the question.
    let daily_id = daily[0]
        .activity_id
        .clone()
        .expect("the Connector named the card");
    teams.submit(&bot, LEARNER, &daily_id, reveal).await;
    let question = next(&connector, &mut seen).await;
    assert_eq!(
        question[0].method, "PUT",
        "the revealed question replaces the card"
    );
    assert_eq!(question[0].activity_id.as_deref(), Some(daily_id.as_str()));

    // Answer: a button, a choice set or a text box; feedback replaces the question.
    let q = card(&question[0]);
    let value = if let Some(a) = q["actions"].as_array().and_then(|a| a.first()) {
        if a["data"]["ladder_typed"].is_string() {
            json!({"ladder_typed": a["data"]["ladder_typed"], "ladder_text": "I would report it"})
        } else if a["data"]["ladder_pick"] == json!(true) {
            let first = q["body"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["type"] == "Input.ChoiceSet")
                .unwrap()["choices"][0]["value"]
                .clone();
            json!({"ladder_pick": true, "ladder_choice": first})
        } else {
            a["data"].clone()
        }
    } else {
        panic!("the question has no way to answer: {q:#}");
    };
    teams.submit(&bot, LEARNER, &daily_id, value).await;
    let feedback = next(&connector, &mut seen).await;
    assert_eq!(feedback[0].method, "PUT");
    let said = text(&feedback).to_lowercase();
    assert!(
        said.contains("why:"),
        "the feedback carries the explanation: {said}"
    );

    // Progress and settings as cards.
    teams.say(&bot, LEARNER, "Ada", "/progress").await;
    let progress = next(&connector, &mut seen).await;
    assert!(
        text(&progress).contains("phishing") || text(&progress).to_lowercase().contains("progress"),
        "{}",
        text(&progress)
    );
    teams.say(&bot, LEARNER, "Ada", "settings pause 3").await;
    let paused = next(&connector, &mut seen).await;
    assert!(
        text(&paused).to_lowercase().contains("pause"),
        "{}",
        text(&paused)
    );

    // A question for the experts, and the expert's queue.
    teams
        .say(
            &bot,
            LEARNER,
            "Ada",
            "ask phishing Is a QR code in an email a red flag?",
        )
        .await;
    next(&connector, &mut seen).await;
    teams.say(&bot, EXPERT, "Eve", "answer").await;
    let queue = next(&connector, &mut seen).await;
    assert_eq!(queue[0].conversation, Teams::personal(EXPERT));
    assert!(
        text(&queue).contains("QR code"),
        "the expert sees the question: {}",
        text(&queue)
    );

    // The manager's summary, with its picture inline.
    teams.say(&bot, MANAGER, "Max", "team Security").await;
    let summary = next(&connector, &mut seen).await;
    let picture = summary
        .iter()
        .flat_map(|s| {
            s.body["attachments"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|a| a["contentType"] == "image/png")
        .unwrap_or_else(|| panic!("no picture in {}", text(&summary)));
    assert!(picture["contentUrl"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,iVBOR"));

    // A replay after the restart is known durably: applied once.
    assert_eq!(teams.post(&bot, &join).await, 200);
    let again = next(&connector, &mut seen).await;
    assert!(text(&again).contains("already done"), "{}", text(&again));

    assert_eq!(connector.unauthorized(), 0);
    assert_eq!(
        setup.idp.token_requests(),
        2,
        "one Connector token per process, cached"
    );
    bot.stop();
    drop(prism);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_manager_and_expert_on_teams_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    journey(db, dir).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_manager_and_expert_on_teams_postgres() {
    let Some((_store, schema)) = common::postgres_store("teams_flow").await else {
        return;
    };
    let db = schema.url_in_schema();
    journey(db, tempfile::tempdir().unwrap()).await;
    schema.drop().await;
}
