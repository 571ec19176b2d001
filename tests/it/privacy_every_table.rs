//! "Delete my data" leaves nothing behind and "export my data" holds everything, on SQLite
//! and on Postgres.
//!
//! Quilla (a unique name and platform id) does one of everything through `App::handle`:
//! joins, answers, writes a free-text answer a peer grades, grades someone else's, asks a
//! question an expert answers, proposes, votes, holds a role, sits in a team, has notices
//! waiting for her and about her, and appears on a leaderboard snapshot. Her export lists
//! a row of each kind. After she deletes her data, every column of every table of the
//! schema, read from the database catalogue (so a table added later is walked too), is
//! searched for her learner id, platform id, name and the words she wrote: none is left.
//! A delivery worker run afterwards sends nothing to her or about her, and still sends
//! what others are owed.

use crate::staff_world;

use async_trait::async_trait;
use chrono::Duration;
use ladder::app::action::Action;
use ladder::app::expert::AnswerCourier;
use ladder::clock::Clock;
use ladder::delivery::ratelimit::RateLimiter;
use ladder::delivery::worker::{Worker, WorkerConfig};
use ladder::platform::{
    Actor, Block, Chat, Destination, Inbound, InboundKind, Platform, Reply, SendError, Sent,
};
use ladder::store::outbox::{Message, MessageKind, NewMessage, SlotKey};
use ladder::store::{
    LeaderboardSnapshot, LearnerId, NewTeam, RoleKind, RoleScope, StageChange, Store,
};
use ladder_engine::{AnswerKey, Stage};
use serde_json::{json, Value};
use staff_world::{actor, first_id, monday, text, World};
use std::sync::{Arc, Mutex};

const USER: &str = "zq-user-4711";
const NAME: &str = "Quilla Vantrebbe";
const QUESTION: &str = "Qv-question: may I forward a phishing mail to my team?";
const FREE_TEXT: &str = "Qv-free-text: lock the screen and call security";
const PROPOSAL: &str = "Qv-proposal: ask about QR codes in parking lots";

/// The words that identify Quilla or that she wrote.
fn needles() -> [&'static str; 5] {
    [USER, NAME, QUESTION, FREE_TEXT, PROPOSAL]
}

/// A way to read every table of the store under test.
enum Catalogue {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool, String),
}

/// A column that holds text to search, or a learner id to compare.
struct Column {
    table: String,
    column: String,
    refers_to_learner: bool,
    integer: bool,
}

impl Catalogue {
    async fn columns(&self) -> Vec<Column> {
        match self {
            Catalogue::Sqlite(pool) => {
                let tables: Vec<(String,)> = sqlx::query_as(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                let mut out = Vec::new();
                for (table,) in tables {
                    let fks: Vec<(String, String)> = sqlx::query_as(
                        "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)",
                    )
                    .bind(&table)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                    let cols: Vec<(String, String)> =
                        sqlx::query_as("SELECT name, type FROM pragma_table_info(?)")
                            .bind(&table)
                            .fetch_all(pool)
                            .await
                            .unwrap();
                    for (column, ty) in cols {
                        if ty.to_ascii_uppercase().contains("BLOB") {
                            continue;
                        }
                        let refers_to_learner = fks
                            .iter()
                            .any(|(from, to)| *from == column && to == "learners");
                        out.push(Column {
                            integer: ty.to_ascii_uppercase().contains("INT"),
                            refers_to_learner: refers_to_learner || column.contains("learner"),
                            table: table.clone(),
                            column,
                        });
                    }
                }
                out
            }
            Catalogue::Postgres(pool, schema) => {
                let cols: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text, data_type::text \
                     FROM information_schema.columns c \
                     WHERE table_schema = $1 AND EXISTS (SELECT 1 FROM \
                     information_schema.tables t WHERE t.table_schema = c.table_schema \
                     AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')",
                )
                .bind(schema)
                .fetch_all(pool)
                .await
                .unwrap();
                let fks: Vec<(String, String)> = sqlx::query_as(
                    "SELECT cl.relname::text, a.attname::text FROM pg_constraint c \
                     JOIN pg_class cl ON cl.oid = c.conrelid \
                     JOIN pg_namespace n ON n.oid = cl.relnamespace \
                     JOIN pg_class rf ON rf.oid = c.confrelid \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) \
                     WHERE c.contype = 'f' AND n.nspname = $1 AND rf.relname = 'learners'",
                )
                .bind(schema)
                .fetch_all(pool)
                .await
                .unwrap();
                cols.into_iter()
                    .map(|(table, column, ty)| Column {
                        refers_to_learner: column.contains("learner")
                            || fks.iter().any(|(t, c)| *t == table && *c == column),
                        integer: matches!(ty.as_str(), "bigint" | "integer" | "smallint"),
                        table,
                        column,
                    })
                    .collect()
            }
        }
    }

    /// Every value of a column, as text (NULLs left out).
    async fn values(&self, c: &Column) -> Vec<String> {
        match self {
            Catalogue::Sqlite(pool) => {
                let sql = format!(
                    "SELECT CAST(\"{}\" AS TEXT) FROM \"{}\" WHERE \"{}\" IS NOT NULL",
                    c.column, c.table, c.column
                );
                let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(pool).await.unwrap();
                rows.into_iter().map(|(v,)| v).collect()
            }
            Catalogue::Postgres(pool, schema) => {
                let sql = format!(
                    "SELECT \"{}\"::text FROM \"{schema}\".\"{}\" WHERE \"{}\" IS NOT NULL",
                    c.column, c.table, c.column
                );
                let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(pool).await.unwrap();
                rows.into_iter().map(|(v,)| v).collect()
            }
        }
    }

    /// Where Quilla still is: `table.column: what`, one line per finding.
    async fn traces(&self, id: LearnerId) -> Vec<String> {
        let mut found = Vec::new();
        let columns = self.columns().await;
        assert!(
            columns.iter().any(|c| c.table == "delivery_outbox")
                && columns.iter().any(|c| c.table == "leaderboard_snapshots"),
            "the catalogue lists the schema's tables"
        );
        for c in &columns {
            for v in self.values(c).await {
                let at = format!("{}.{}", c.table, c.column);
                let learner_column =
                    c.refers_to_learner || (c.table == "learners" && c.column == "id");
                if c.integer && learner_column && v == id.0.to_string() {
                    found.push(format!("{at}: her learner id"));
                }
                for n in needles() {
                    if v.contains(n) {
                        found.push(format!("{at}: {n}"));
                    }
                }
                if let Ok(json) = serde_json::from_str::<Value>(&v) {
                    if points_at(&json, id) {
                        found.push(format!("{at}: her learner id inside JSON"));
                    }
                }
            }
        }
        found
    }
}

/// Whether a JSON value points at the learner by id (`"to": 7`, `"learner": 7`).
fn points_at(v: &Value, id: LearnerId) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|i| points_at(i, id)),
        Value::Object(map) => {
            ["to", "learner", "learner_id", "author", "voter", "reviewer"]
                .iter()
                .any(|k| map.get(*k).and_then(Value::as_i64) == Some(id.0))
                || map.values().any(|i| points_at(i, id))
        }
        _ => false,
    }
}

/// A platform that remembers whom it was asked to show what.
#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<(String, String)>>,
}

#[async_trait]
impl Chat for Recorder {
    fn platform(&self) -> Platform {
        Platform::Local
    }
    async fn send(&self, to: &Destination, reply: &Reply, key: &str) -> Result<Sent, SendError> {
        let to = match to {
            Destination::Direct { user } => user.clone(),
            Destination::Channel { channel } => channel.clone(),
        };
        let said = text(std::slice::from_ref(reply));
        self.shown.lock().unwrap().push((to, said));
        Ok(Sent {
            message_id: key.to_owned(),
        })
    }
}

fn quilla() -> Actor {
    Actor {
        platform: Platform::Local,
        tenant: "acme".into(),
        user: USER.into(),
        display_name: NAME.into(),
        platform_roles: vec![],
    }
}

/// One event through `App::handle`. Event ids carry no user id, as a platform's do not.
async fn say(w: &World, who: &Actor, kind: InboundKind) -> Vec<Reply> {
    w.clock.advance(Duration::seconds(1));
    let event_id = format!("ev-{}", w.clock.now().timestamp_millis());
    w.app
        .handle(Inbound {
            actor: who.clone(),
            event_id,
            kind,
        })
        .await
}

async fn cmd(w: &World, who: &Actor, name: &str, args: &str) -> String {
    let kind = InboundKind::Command {
        name: name.into(),
        args: args.into(),
    };
    text(&say(w, who, kind).await)
}

/// The number after `marker` in `said` ("proposal #12", "#3").
fn number_after(said: &str, marker: &str) -> i64 {
    let start = said
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {said}"))
        + marker.len();
    let digits: String = said[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

/// A notice as the notifier writes it, to `to` about `about`.
fn notice(to: &str, about: &str, schedule: &str, w: &World) -> NewMessage {
    NewMessage {
        key: SlotKey {
            tenant: "acme".into(),
            schedule: schedule.into(),
            learner: format!("local:acme:{to}"),
            slot_date: w.clock.now().date_naive(),
            kind: MessageKind::Notice,
        },
        message: Message {
            platform: Platform::Local,
            destination: Destination::Direct { user: to.into() },
            reply: Reply::text(format!("{about} keeps missing questions on \"Phishing\".")),
            prompt_ref: None,
        },
        due_at: w.clock.now(),
    }
}

/// Quilla does one of everything; returns her learner id.
async fn one_of_everything(w: &World) -> LearnerId {
    let me = quilla();
    for t in w.tracks() {
        let joined = cmd(w, &me, "join", t.as_str()).await;
        assert!(!joined.contains("Sorry"), "{joined}");
    }
    w.enrol(&[("acme", "pat"), ("acme", "ann"), ("acme", "eve")])
        .await;
    let id = w.id("acme", USER).await;
    let item = w.free_text_item();
    let skill = item.skill.clone();
    for (learner, stage) in [
        (id, Stage::Experienced),
        (w.id("acme", "ann").await, Stage::Master),
    ] {
        let change = StageChange {
            learner,
            skill: skill.clone(),
            from: Some(Stage::Novice),
            to: stage,
            at: w.clock.now(),
            evidence: json!({ "sentence": "set up for the test" }),
        };
        w.store.record_stage_change(&change).await.unwrap();
    }
    w.grant("acme", "eve", RoleKind::Expert, RoleScope::Tenant)
        .await;
    let eve = actor("acme", "eve", &["expert"]);
    let ann = actor("acme", "ann", &[]);

    // A chosen answer.
    let choice = w
        .library
        .items
        .iter()
        .find(|i| {
            i.skill == skill
                && i.variants.is_empty()
                && matches!(i.key, AnswerKey::SingleChoice { .. })
        })
        .expect("the skill has a single-choice item")
        .clone();
    let asked = w
        .app
        .ask_item(&me, &choice.id, false)
        .await
        .unwrap()
        .unwrap();
    let pick = asked.reply.blocks.iter().find_map(|b| match b {
        Block::Choices { choices, .. } => Some(choices[0].action.clone()),
        _ => None,
    });
    let said = text(
        &say(
            w,
            &me,
            InboundKind::Action {
                actions: vec![pick.unwrap()],
            },
        )
        .await,
    );
    assert!(!said.contains("Sorry"), "{said}");
    // A free-text answer, graded by a peer.
    let asked = w.app.ask_item(&me, &item.id, false).await.unwrap().unwrap();
    let typed = InboundKind::Text {
        action: Some(format!("t:{}", asked.prompt.id)),
        text: FREE_TEXT.into(),
    };
    assert!(text(&say(w, &me, typed).await).contains("Sent for review"));
    let queue = cmd(w, &ann, "review", "").await;
    assert!(queue.contains("Qv-free-text"), "{queue}");
    let graded = cmd(w, &ann, "review", &format!("{} right", first_id(&queue))).await;
    assert!(!graded.contains("Sorry"), "{graded}");
    // She grades Pat's free-text answer.
    w.pat_answers(&item).await;
    let queue = cmd(w, &me, "review", "").await;
    let graded = cmd(w, &me, "review", &format!("{} right", first_id(&queue))).await;
    assert!(
        !graded.contains("Sorry") && !graded.contains("no answer"),
        "{graded}"
    );
    // A question, answered by an expert and on its way to her.
    let asked = cmd(w, &me, "ask", &format!("{skill} {QUESTION}")).await;
    let q = number_after(&asked, "#");
    let answered = cmd(
        w,
        &eve,
        "answer",
        &format!("{q} Report it; do not forward."),
    )
    .await;
    assert!(answered.contains("on its way"), "{answered}");
    let tenant = w.tenant("acme").await;
    let courier = AnswerCourier::new(w.store.clone(), w.library.clone(), w.clock.clone());
    assert_eq!(courier.queue(&tenant).await.unwrap(), 1);
    // A proposal others vote on, and her vote on the expert's.
    let made = cmd(w, &me, "propose", &format!("{skill} {PROPOSAL}")).await;
    let mine = number_after(&made, "proposal #");
    assert!(cmd(w, &ann, "vote", &format!("{mine} up"))
        .await
        .contains("Thanks"));
    let theirs = cmd(w, &eve, "propose", &format!("{skill} Ask about USB sticks")).await;
    let theirs = number_after(&theirs, "proposal #");
    assert!(cmd(w, &me, "vote", &format!("{theirs} up"))
        .await
        .contains("Thanks"));
    // A role and a team.
    let blue = w
        .store
        .add_team(NewTeam {
            tenant: tenant.id,
            name: "Blue".into(),
            channel_id: Some("777".into()),
            prompt_cron: None,
            leaderboard_cron: None,
        })
        .await
        .unwrap();
    w.store.add_member(blue.id, id).await.unwrap();
    w.grant("acme", USER, RoleKind::Manager, RoleScope::Team(blue.id))
        .await;
    // A leaderboard that shows her, and notices: one waiting for her, one sent and one
    // waiting about her, one waiting for Eve about someone else.
    let pat = w.id("acme", "pat").await;
    let rows = json!([{ "learner": id.0, "name": NAME }, { "learner": pat.0, "name": "pat" }]);
    let snapshot = LeaderboardSnapshot {
        team: blue.id,
        at: w.clock.now(),
        rows,
    };
    w.store.save_leaderboard(&snapshot).await.unwrap();
    let now = w.clock.now();
    let daily = NewMessage {
        key: SlotKey {
            kind: MessageKind::Daily,
            schedule: "daily".into(),
            ..notice(USER, "", "daily", w).key
        },
        ..notice(USER, "Your question is ready", "daily", w)
    };
    let about = [
        notice("eve", NAME, "notify:sent", w),
        notice("eve", NAME, "notify:waiting", w),
        notice("eve", "pat", "notify:other", w),
    ];
    w.store.enqueue(&[daily], now).await.unwrap();
    w.store.enqueue(&about[..1], now).await.unwrap();
    let sent = w
        .store
        .claim("t", now, Duration::minutes(1), 10)
        .await
        .unwrap();
    for c in sent.iter().filter(|c| c.key.learner.ends_with(":eve")) {
        assert!(w.store.mark_sent(c.id, c.attempt, "m1", now).await.unwrap());
    }
    for c in sent.iter().filter(|c| !c.key.learner.ends_with(":eve")) {
        let retry = ladder::store::outbox::Retry::At(now);
        w.store
            .mark_failed(c.id, c.attempt, "later", retry, now)
            .await
            .unwrap();
    }
    w.store.enqueue(&about[1..], now).await.unwrap();
    id
}

/// Her export names a row of each kind she created.
async fn exported(w: &World) -> Value {
    let replies = say(
        w,
        &quilla(),
        InboundKind::Command {
            name: "privacy".into(),
            args: "export".into(),
        },
    )
    .await;
    let bytes = replies
        .iter()
        .flat_map(|r| &r.blocks)
        .find_map(|b| match b {
            Block::File { bytes, .. } => Some(bytes.clone()),
            _ => None,
        })
        .expect("the export is a file");
    serde_json::from_slice(&bytes).expect("the export is JSON")
}

fn count(v: &Value, section: &str) -> usize {
    v[section].as_array().map_or(0, Vec::len)
}

async fn delete(w: &World) {
    let asked = cmd(w, &quilla(), "privacy", "delete").await;
    assert!(asked.contains("cannot be undone"), "{asked}");
    let yes = InboundKind::Action {
        actions: vec![Action::ConfirmDelete.encode()],
    };
    let done = text(&say(w, &quilla(), yes).await);
    assert!(done.contains("deleted"), "{done}");
}

async fn case(store: Arc<dyn Store>, catalogue: Catalogue) {
    let w = World::new(store, monday(9, 30));
    let id = one_of_everything(&w).await;

    let export = exported(&w).await;
    let all = export.to_string();
    for section in [
        "reviews",
        "prompts",
        "memories",
        "stages",
        "roles",
        "teams",
        "enrolments",
        "questions",
        "contributions",
        "votes",
        "peer_reviews_given",
        "messages",
    ] {
        assert!(
            count(&export, section) >= 1,
            "the export has {section}: {all}"
        );
    }
    assert_eq!(
        count(&export, "reviews"),
        2,
        "a chosen and a free-text answer"
    );
    for words in [USER, NAME, QUESTION, FREE_TEXT, PROPOSAL, "Blue"] {
        assert!(all.contains(words), "the export holds {words}");
    }
    assert!(all.contains("Your question is ready") && all.contains("Report it"));
    assert_eq!(export["account"]["platform_user"], USER);

    let before = catalogue.traces(id).await;
    for table in [
        "learners.",
        "delivery_outbox.",
        "contributions.",
        "leaderboard_snapshots.",
    ] {
        assert!(
            before.iter().any(|t| t.starts_with(table)),
            "the walk finds her in {table} before the delete: {before:?}"
        );
    }

    delete(&w).await;
    let after = catalogue.traces(id).await;
    assert!(after.is_empty(), "left behind after the delete: {after:?}");
    assert!(w
        .records
        .learner(&ladder::app::records::LearnerKey::of(&quilla()))
        .await
        .unwrap()
        .is_none());

    // A worker run now sends nothing to her or about her, and still serves Eve.
    let recorder = Arc::new(Recorder::default());
    let worker = Worker::new(
        w.store.clone(),
        vec![recorder.clone()],
        RateLimiter::unlimited(),
        w.clock.clone(),
        WorkerConfig::default(),
    );
    w.clock.advance(Duration::hours(1));
    while worker.round().await.unwrap().claimed > 0 {}
    let shown = recorder.shown.lock().unwrap().clone();
    assert!(
        shown
            .iter()
            .all(|(to, said)| to != USER && !said.contains(NAME)),
        "sent to or about her after the delete: {shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|(to, said)| to == "eve" && said.contains("pat keeps missing")),
        "others' messages still go out: {shown:?}"
    );
    let pat = say(
        &w,
        &actor("acme", "pat", &[]),
        InboundKind::Command {
            name: "progress".into(),
            args: String::new(),
        },
    )
    .await;
    assert!(!text(&pat).contains("Sorry"), "the others carry on");
}

#[tokio::test]
async fn deleting_leaves_no_trace_in_any_table_and_the_export_holds_everything_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    let store = ladder::store::connect(&url)
        .await
        .expect("the SQLite store opens");
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    case(store, Catalogue::Sqlite(pool)).await;
}

#[tokio::test]
async fn deleting_leaves_no_trace_in_any_table_and_the_export_holds_everything_postgres() {
    let in_ci = std::env::var_os("CI").is_some();
    let Ok(url) = std::env::var("LADDER_TEST_POSTGRES_URL") else {
        assert!(!in_ci, "CI is set but LADDER_TEST_POSTGRES_URL is not");
        eprintln!("skipping: set LADDER_TEST_POSTGRES_URL to run on Postgres");
        return;
    };
    let schema = format!("t_privacy_walk_{}", std::process::id());
    let store = ladder::store::connect_postgres_schema(&url, &schema)
        .await
        .expect("Postgres answers");
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    case(store, Catalogue::Postgres(pool.clone(), schema.clone())).await;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&pool)
        .await
        .unwrap();
}

/// Two messages to Pat: one sent on day 0, one sent on day 20, and one still waiting.
/// On day 31, with 30 days of retention, only the first is gone.
async fn pruned_after_retention(store: Arc<dyn Store>) {
    use ladder::delivery::retention::prune_once;
    let w = World::new(store, monday(9, 30));
    let day = |n: i64| monday(9, 30) + Duration::days(n);
    let for_pat = |schedule: &str, at| NewMessage {
        key: SlotKey {
            slot_date: chrono::DateTime::date_naive(&at),
            ..notice("pat", "x", schedule, &w).key
        },
        due_at: at,
        ..notice("pat", "Your answer is here", schedule, &w)
    };
    for (schedule, at, send) in [("old", day(0), true), ("recent", day(20), true)] {
        w.store.enqueue(&[for_pat(schedule, at)], at).await.unwrap();
        let claimed = w
            .store
            .claim("t", at, Duration::minutes(1), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        if send {
            let c = &claimed[0];
            assert!(w.store.mark_sent(c.id, c.attempt, "m", at).await.unwrap());
        }
    }
    let waiting = for_pat("waiting", day(0));
    w.store.enqueue(&[waiting], day(0)).await.unwrap();
    let before = w.store.status_counts().await.unwrap();
    assert_eq!((before.sent, before.pending), (2, 1));

    w.clock.advance(day(31) - w.clock.now());
    let pruned = prune_once(w.store.as_ref(), w.clock.as_ref(), 30)
        .await
        .unwrap();
    assert_eq!(pruned, 1, "only the message sent 31 days ago goes");
    let after = w.store.status_counts().await.unwrap();
    assert_eq!(
        (after.sent, after.pending),
        (1, 1),
        "recent and waiting rows stay"
    );
    let left = w
        .store
        .claim("t", day(31), Duration::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1, "the waiting message is still delivered");
    assert_eq!(left[0].key.schedule, "waiting");
}

#[tokio::test]
async fn sent_messages_are_pruned_after_the_retention() {
    staff_world::on_both_stores("outbox_retention", pruned_after_retention).await;
}
