//! Postgres connections cut between a write and its `COMMIT`, through `App::handle`: the
//! user is told the request was not saved, nothing of it is half-written, the same request
//! then succeeds, and no later request meets a poisoned connection.
//!
//! The store reaches Postgres through a TCP proxy that, when armed with a piece of SQL,
//! waits for a connection to send that statement and drops the connection instead of
//! forwarding its next `COMMIT`. The store's URL turns the statement cache off so that the
//! SQL text travels with every statement and the proxy can recognise it.

use crate::staff_world;

use chrono::NaiveTime;
use ladder::platform::InboundKind;
use ladder::store::{self, Learner, PromptStatus, Store};
use ladder_engine::{AnswerKey, Item};
use staff_world::{actor, monday, text, World};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const NOT_SAVED: &str = "not saved";

/// A proxy that cuts the connection that sent `trap` at its next `COMMIT`.
struct CommitCutter {
    port: u16,
    trap: Arc<Mutex<Option<&'static str>>>,
    cuts: Arc<AtomicUsize>,
}

impl CommitCutter {
    async fn start(upstream: String) -> CommitCutter {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let trap = Arc::new(Mutex::new(None));
        let cuts = Arc::new(AtomicUsize::new(0));
        let (t, c) = (trap.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, upstream.clone(), t.clone(), c.clone()));
            }
        });
        CommitCutter { port, trap, cuts }
    }

    /// Cuts the next transaction that runs `sql` just before it commits.
    fn arm(&self, sql: &'static str) {
        *self.trap.lock().unwrap() = Some(sql);
    }

    fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn forward(
    client: TcpStream,
    upstream: String,
    trap: Arc<Mutex<Option<&'static str>>>,
    cuts: Arc<AtomicUsize>,
) {
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let back = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut caught = false;
    loop {
        let n = match from_client.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        {
            let mut armed = trap.lock().unwrap();
            if let Some(sql) = *armed {
                caught |= contains(chunk, sql.as_bytes());
            }
            if caught && contains(chunk, b"COMMIT") {
                *armed = None;
                cuts.fetch_add(1, Ordering::SeqCst);
                back.abort(); // both sockets close: Postgres rolls the transaction back
                return;
            }
        }
        if to_server.write_all(chunk).await.is_err() {
            break;
        }
    }
    back.abort();
}

fn single_choice(item: &Item) -> Option<usize> {
    match &item.key {
        AnswerKey::SingleChoice { correct, .. } => Some(*correct),
        _ => None,
    }
}

async fn learner(w: &World, user: &str) -> Option<Learner> {
    let tenant = w.tenant("acme").await;
    w.store
        .learner_by_platform_user(tenant.id, user)
        .await
        .unwrap()
}

/// The store behind the proxy, in a fresh schema; None outside CI without Postgres.
async fn cut_store(test: &str) -> Option<(Arc<dyn Store>, CommitCutter, String, String)> {
    let Ok(url) = std::env::var("LADDER_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but LADDER_TEST_POSTGRES_URL is not"
        );
        eprintln!("skipping {test}: set LADDER_TEST_POSTGRES_URL (.ci/run does)");
        return None;
    };
    let direct = reqwest::Url::parse(&url).expect("LADDER_TEST_POSTGRES_URL is a URL");
    let upstream = format!(
        "{}:{}",
        direct.host_str().unwrap_or("127.0.0.1"),
        direct.port().unwrap_or(5432)
    );
    let proxy = CommitCutter::start(upstream).await;
    let mut via = direct.clone();
    via.set_host(Some("127.0.0.1")).unwrap();
    via.set_port(Some(proxy.port)).unwrap();
    via.query_pairs_mut()
        .append_pair("statement-cache-capacity", "0");
    let schema = format!("t_{test}_{}", std::process::id());
    let store = store::connect_postgres_schema(via.as_str(), &schema)
        .await
        .expect("the store opens through the proxy");
    Some((store, proxy, url, schema))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_before_commit_is_told_leaves_nothing_and_the_pool_recovers() {
    let Some((store, proxy, url, schema)) = cut_store("cut_commit").await else {
        return;
    };
    let w = Arc::new(World::new(store, monday(9, 30)));
    w.enrol(&[("acme", "pat"), ("acme", "amy"), ("acme", "dan")])
        .await;
    let pat = actor("acme", "pat", &[]);
    let item = w.library.items.iter().find(|i| single_choice(i).is_some());
    let item = item.expect("a single-choice item").clone();
    let skill = w.library.skills[0].id.as_str().to_owned();

    // /ask: refused, no question kept; then asked again and kept.
    let pat_id = w.id("acme", "pat").await;
    proxy.arm("INSERT INTO questions");
    let said = w
        .cmd(&pat, "ask", &format!("{skill} Is this link safe?"))
        .await;
    assert!(said.contains(NOT_SAVED), "{said}");
    assert!(w.store.questions_of(pat_id).await.unwrap().is_empty());
    let said = w
        .cmd(&pat, "ask", &format!("{skill} Is this link safe?"))
        .await;
    assert!(said.contains("went to its experts"), "{said}");
    assert_eq!(w.store.questions_of(pat_id).await.unwrap().len(), 1);

    // An answer: refused, the prompt still open, no review, no memory, no stage.
    let amy = actor("acme", "amy", &[]);
    let amy_id = w.id("acme", "amy").await;
    let asked = w.app.ask_item(&amy, &item.id, false).await.unwrap();
    let asked = asked.expect("the item is asked");
    let click = || InboundKind::Action {
        actions: vec![format!(
            "a:{}:{}",
            asked.prompt.id,
            single_choice(&item).unwrap()
        )],
    };
    proxy.arm("INSERT INTO reviews");
    let said = text(&w.send(&amy, click()).await);
    assert!(said.contains(NOT_SAVED), "{said}");
    assert!(w.store.reviews(amy_id).await.unwrap().is_empty());
    assert!(w.store.memory(amy_id, &item.id).await.unwrap().is_none());
    assert!(w.store.stage_history(amy_id).await.unwrap().is_empty());
    let prompts = w.store.prompts_of(amy_id).await.unwrap();
    assert!(prompts.iter().all(|p| p.status != PromptStatus::Answered));
    let said = text(&w.send(&amy, click()).await);
    assert!(said.contains("Right"), "{said}");
    assert_eq!(w.store.reviews(amy_id).await.unwrap().len(), 1);
    assert!(w.store.memory(amy_id, &item.id).await.unwrap().is_some());

    // /settings: refused and unchanged, then changed.
    let before = learner(&w, "pat").await.unwrap().prefs.time_of_day;
    proxy.arm("UPDATE learners SET timezone");
    let said = w.cmd(&pat, "settings", "time 06:45").await;
    assert!(said.contains(NOT_SAVED), "{said}");
    let now = learner(&w, "pat").await.unwrap().prefs.time_of_day;
    assert_eq!(now, before);
    let said = w.cmd(&pat, "settings", "time 06:45").await;
    assert!(said.contains("06:45"), "{said}");
    let now = learner(&w, "pat").await.unwrap().prefs.time_of_day;
    assert_eq!(now, NaiveTime::from_hms_opt(6, 45, 0).unwrap());

    // A privacy delete: refused with every row still there, then done.
    let dan = actor("acme", "dan", &[]);
    let dan_id = w.id("acme", "dan").await;
    let enrolled = w.store.enrolments(dan_id).await.unwrap().len();
    let yes = || InboundKind::Action {
        actions: vec!["d:yes".into()],
    };
    assert!(w
        .cmd(&dan, "privacy", "delete")
        .await
        .contains("cannot be undone"));
    proxy.arm("DELETE FROM learners");
    let said = text(&w.send(&dan, yes()).await);
    assert!(said.contains(NOT_SAVED), "{said}");
    assert!(learner(&w, "dan").await.is_some(), "refused but deleted");
    assert_eq!(w.store.enrolments(dan_id).await.unwrap().len(), enrolled);
    let said = text(&w.send(&dan, yes()).await);
    assert!(said.contains("deleted"), "{said}");
    assert!(learner(&w, "dan").await.is_none());
    assert_eq!(proxy.cuts(), 4, "every armed cut happened");

    // Many requests at once after the cuts: none meets a broken or dirty connection.
    let names: Vec<String> = (0..24).map(|n| format!("late{n}")).collect();
    let late: Vec<(&str, &str)> = names.iter().map(|n| ("acme", n.as_str())).collect();
    w.enrol(&late).await;
    let mut at_once = tokio::task::JoinSet::new();
    for name in &names {
        let (w, who) = (w.clone(), actor("acme", name, &[]));
        at_once.spawn(async move { w.cmd(&who, "settings", "time 07:30").await });
    }
    while let Some(said) = at_once.join_next().await {
        let said = said.unwrap();
        assert!(said.contains("now arrive at 07:30"), "{said}");
    }
    let said = w
        .cmd(&pat, "ask", &format!("{skill} And this attachment?"))
        .await;
    assert!(said.contains("went to its experts"), "{said}");

    drop(w);
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
}
