//! The expert's review queue through `App::handle` on a real SQLite store: a learner's
//! free-text answer waits for a person, an expert of that skill sees it with its rubric,
//! grades it, and the grade reaches the scheduler (a memory appears). Refusals: no
//! platform role, no recorded grant, another skill's expert, another tenant's expert, and
//! grading one's own answer.

use chrono::{TimeZone, Utc};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{LearnerKey, Records, StoreRecords};
use ladder::app::App;
use ladder::clock::{Clock, VirtualClock};
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder::store::{Role, RoleKind, RoleScope, Store};
use ladder_engine::{AnswerKey, Item};
use std::path::Path;
use std::sync::Arc;

struct World {
    app: App,
    store: Arc<dyn Store>,
    records: Arc<dyn Records>,
    clock: Arc<VirtualClock>,
    item: Item,
    _dir: tempfile::TempDir,
}

fn actor(tenant: &str, user: &str, roles: &[&str]) -> Actor {
    let roles = roles.iter().map(|r| r.to_string()).collect();
    cohort::actor(tenant, user, user, roles)
}

async fn world() -> World {
    let dir_content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = ladder_content::load_dir(&dir_content).expect("the sample content loads");
    let item = library
        .items
        .iter()
        .find(|i| matches!(i.key, AnswerKey::FreeText { .. }))
        .expect("the sample content has a free-text item")
        .clone();
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = ladder::store::connect(&url).await.expect("sqlite opens");
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let app = App::new(records.clone(), Arc::new(library), clock.clone());
    for (tenant, user) in [
        ("acme", "pat"),
        ("acme", "eve"),
        ("acme", "sam"),
        ("acme", "kim"),
        ("globex", "zed"),
    ] {
        app.enrol(&actor(tenant, user, &[]), &tracks).await.unwrap();
    }
    app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
    let w = World {
        app,
        store,
        records,
        clock,
        item,
        _dir: dir,
    };
    let skill = w.item.skill.clone();
    w.grant("acme", "eve", RoleScope::Skill(skill)).await;
    w.grant("acme", "pat", RoleScope::Tenant).await;
    w.grant(
        "acme",
        "kim",
        RoleScope::Skill(ladder_engine::SkillId::parse("no-such-skill").unwrap()),
    )
    .await;
    w.grant("globex", "zed", RoleScope::Tenant).await;
    w
}

impl World {
    async fn grant(&self, tenant: &str, user: &str, scope: RoleScope) {
        let t = self
            .store
            .find_tenant(Platform::Local, tenant)
            .await
            .unwrap()
            .unwrap();
        let l = self
            .store
            .learner_by_platform_user(t.id, user)
            .await
            .unwrap()
            .unwrap();
        let role = Role {
            learner: l.id,
            kind: RoleKind::Expert,
            scope,
        };
        self.store.grant_role(&role).await.unwrap();
    }

    /// Pat answers the free-text item; the answer waits for a person.
    async fn pat_answers(&self) {
        let pat = actor("acme", "pat", &[]);
        let asked = self
            .app
            .ask_item(&pat, &self.item.id, false)
            .await
            .unwrap()
            .unwrap();
        let said = self
            .send(
                &pat,
                InboundKind::Text {
                    action: Some(format!("t:{}", asked.prompt.id)),
                    text: "Lock the screen and report it to security.".into(),
                },
            )
            .await;
        assert!(text(&said).contains("Sent for review"), "{}", text(&said));
    }

    async fn send(&self, who: &Actor, kind: InboundKind) -> Vec<Reply> {
        let n = self.clock.now().timestamp_nanos_opt().unwrap_or(0);
        self.clock.advance(chrono::Duration::seconds(1));
        self.app
            .handle(Inbound {
                actor: who.clone(),
                event_id: format!("e{n}-{}", who.user),
                kind,
            })
            .await
    }

    async fn review(&self, who: &Actor, args: &str) -> String {
        let kind = InboundKind::Command {
            name: "review".into(),
            args: args.into(),
        };
        text(&self.send(who, kind).await)
    }
}

fn text(replies: &[Reply]) -> String {
    let mut out = String::new();
    for b in replies.iter().flat_map(|r| &r.blocks) {
        if let Block::Heading(t) | Block::Text(t) = b {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// The review id quoted in the queue ("**#12**").
fn first_id(queue: &str) -> i64 {
    let start = queue.find("**#").expect("an answer in the queue") + 3;
    queue[start..].split("**").next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_experts_grade_reaches_the_scheduler() {
    let w = world().await;
    w.pat_answers().await;
    let eve = actor("acme", "eve", &["expert"]);
    let queue = w.review(&eve, "").await;
    assert!(queue.contains("1 free-text answer(s) waiting"), "{queue}");
    assert!(queue.contains("Lock the screen and report it"), "{queue}");
    assert!(queue.contains("Rubric"), "{queue}");
    assert!(
        !queue.contains("pat"),
        "the learner stays anonymous: {queue}"
    );
    let pat = LearnerKey::of(&actor("acme", "pat", &[]));
    assert!(w.records.memories(&pat).await.unwrap().is_empty());
    let id = first_id(&queue);
    let said = w
        .review(&eve, &format!("{id} right clear and complete"))
        .await;
    assert!(said.contains(&format!("Graded #{id} as correct")), "{said}");
    let memories = w.records.memories(&pat).await.unwrap();
    assert_eq!(memories.len(), 1, "the grade produced a memory state");
    assert_eq!(memories[0].0, w.item.id);
    assert!(
        memories[0].1.due > w.clock.now(),
        "the next review is in the future"
    );
    // Graded once, it leaves the queue.
    assert!(w.review(&eve, "").await.contains("Nothing waits"));
    assert!(w
        .review(&eve, &format!("{id} wrong"))
        .await
        .contains("no answer"));
}

#[tokio::test]
async fn a_wrong_grade_schedules_the_item_sooner_than_a_right_one() {
    let right = world().await;
    right.pat_answers().await;
    let wrong = world().await;
    wrong.pat_answers().await;
    let eve = actor("acme", "eve", &["expert"]);
    for (w, grade) in [(&right, "right"), (&wrong, "wrong")] {
        let id = first_id(&w.review(&eve, "").await);
        w.review(&eve, &format!("{id} {grade}")).await;
    }
    let pat = LearnerKey::of(&actor("acme", "pat", &[]));
    let due = |m: Vec<(ladder_engine::ItemId, ladder_engine::schedule::Memory)>| m[0].1.due;
    let right_due = due(right.records.memories(&pat).await.unwrap());
    let wrong_due = due(wrong.records.memories(&pat).await.unwrap());
    assert!(
        wrong_due < right_due,
        "wrong {wrong_due} vs right {right_due}"
    );
}

#[tokio::test]
async fn review_refusals() {
    let w = world().await;
    w.pat_answers().await;
    // No platform role.
    let said = w.review(&actor("acme", "eve", &[]), "").await;
    assert!(said.contains("/review is for experts"), "{said}");
    // A platform role but nothing recorded.
    let said = w.review(&actor("acme", "sam", &["expert"]), "").await;
    assert!(said.contains("not recorded in Ladder"), "{said}");
    // An expert of another skill sees nothing and cannot grade.
    let kim = actor("acme", "kim", &["expert"]);
    assert!(w.review(&kim, "").await.contains("Nothing waits"));
    let id = first_id(&w.review(&actor("acme", "eve", &["expert"]), "").await);
    assert!(w
        .review(&kim, &format!("{id} right"))
        .await
        .contains("no answer"));
    // Another tenant's expert neither sees nor grades it.
    let zed = actor("globex", "zed", &["expert"]);
    assert!(w.review(&zed, "").await.contains("Nothing waits"));
    assert!(w
        .review(&zed, &format!("{id} right"))
        .await
        .contains("no answer"));
    // Pat is a tenant-wide expert, but not of their own answer.
    let pat = actor("acme", "pat", &["expert"]);
    assert!(w
        .review(&pat, &format!("{id} right"))
        .await
        .contains("no answer"));
    let key = LearnerKey::of(&pat);
    assert!(
        w.records.memories(&key).await.unwrap().is_empty(),
        "nothing was graded"
    );
}
