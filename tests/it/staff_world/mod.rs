//! The shared world of the manager and expert tests: the sample content, a virtual clock
//! and the real app with staffing on (the playground's role names), over a store the test
//! is given, driven through `App::handle` like an adapter would.
//!
//! [`on_both_stores`] runs one test case on a fresh SQLite store and then on a fresh
//! Postgres schema (skipped with a message outside CI when no server is configured, see
//! `tests/common`), so every manager and expert behaviour is shown on both backends.
//! Needs `mod common;` next to `mod staff_world;` in the test file.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder::store::{Learner, LearnerId, Role, RoleKind, RoleScope, Store, Tenant};
use ladder_engine::{AnswerKey, Item, Library, TrackId};
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::common;

/// Runs `case` on a fresh SQLite store, then on a fresh Postgres schema (dropped after a
/// passing run). `test` names the schema: lowercase letters, digits and `_`.
pub async fn on_both_stores<F, Fut>(test: &str, case: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_backend(test, 1, |mut stores| case(stores.remove(0))).await
}

/// Like [`on_both_stores`], for a case that compares two separate worlds: two fresh
/// stores of the same backend each time.
pub async fn on_both_stores_twice<F, Fut>(test: &str, case: F)
where
    F: Fn(Arc<dyn Store>, Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_backend(test, 2, |mut stores| {
        let b = stores.pop().unwrap();
        case(stores.pop().unwrap(), b)
    })
    .await
}

async fn on_each_backend<F, Fut>(test: &str, count: usize, case: F)
where
    F: Fn(Vec<Arc<dyn Store>>) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut stores = Vec::new();
    let mut dirs = Vec::new();
    for _ in 0..count {
        let (store, dir) = common::sqlite_store().await;
        stores.push(store);
        dirs.push(dir);
    }
    case(stores).await;
    // Postgres identifiers stop at 63 bytes; the schema name adds about 30 to this.
    let tag: String = test.chars().take(24).collect();
    let mut stores = Vec::new();
    let mut schemas: Vec<common::PgSchema> = Vec::new();
    for _ in 0..count {
        let Some((store, schema)) = common::postgres_store(&tag).await else {
            for schema in schemas {
                schema.drop().await;
            }
            return;
        };
        stores.push(store);
        schemas.push(schema);
    }
    case(stores).await;
    for schema in schemas {
        schema.drop().await;
    }
    eprintln!("{test}: passed on Postgres too");
}

/// The sample content shipped in `content/`.
pub fn library() -> Library {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    ladder_content::load_dir(&dir).expect("the sample content loads")
}

/// Monday 2 March 2026 at `hour:minute` UTC, inside the default practice window.
pub fn monday(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
}

/// A playground person; `roles` are platform role names ("manager", "expert", "admin").
pub fn actor(tenant: &str, user: &str, roles: &[&str]) -> Actor {
    let roles = roles.iter().map(|r| r.to_string()).collect();
    cohort::actor(tenant, user, user, roles)
}

pub struct World {
    pub app: App,
    pub store: Arc<dyn Store>,
    pub records: Arc<dyn Records>,
    pub clock: Arc<VirtualClock>,
    pub library: Arc<Library>,
    events: AtomicU64,
}

impl World {
    /// The app over `store` with the clock at `start`, and managers' and experts' commands
    /// on with the playground's role names.
    pub fn new(store: Arc<dyn Store>, start: DateTime<Utc>) -> World {
        let library = Arc::new(library());
        let clock = Arc::new(VirtualClock::new(start));
        let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
        let app = App::new(records.clone(), library.clone(), clock.clone());
        app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
        World {
            app,
            store,
            records,
            clock,
            library,
            events: AtomicU64::new(0),
        }
    }

    /// Every track of the sample content.
    pub fn tracks(&self) -> Vec<TrackId> {
        self.library.tracks.iter().map(|t| t.id.clone()).collect()
    }

    /// Enrols each (tenant, user) in every track.
    pub async fn enrol(&self, people: &[(&str, &str)]) {
        let tracks = self.tracks();
        for (tenant, user) in people {
            let who = actor(tenant, user, &[]);
            self.app.enrol(&who, &tracks).await.unwrap();
        }
    }

    /// The eight simulated colleagues of `tenant` ("sim-ada", ...) play `days` days in
    /// every track, moving the clock forward by as much.
    pub async fn seed_cohort(&self, tenant: &str, days: u32, seed: u64) {
        let tracks = self.tracks();
        cohort::seed(&self.app, &self.clock, tenant, &tracks, days, seed)
            .await
            .unwrap();
    }

    pub async fn tenant(&self, tenant: &str) -> Tenant {
        let found = self.store.find_tenant(Platform::Local, tenant).await;
        found.unwrap().expect("the tenant exists")
    }

    pub async fn learner(&self, tenant: &str, user: &str) -> Learner {
        let t = self.tenant(tenant).await;
        let found = self.store.learner_by_platform_user(t.id, user).await;
        found.unwrap().expect("the learner joined")
    }

    pub async fn id(&self, tenant: &str, user: &str) -> LearnerId {
        self.learner(tenant, user).await.id
    }

    /// Records `kind` over `scope` for an enrolled person.
    pub async fn grant(&self, tenant: &str, user: &str, kind: RoleKind, scope: RoleScope) {
        let learner = self.id(tenant, user).await;
        let role = Role {
            learner,
            kind,
            scope,
        };
        self.store.grant_role(&role).await.unwrap();
    }

    /// One event through `App::handle`, a second after the previous one, with a fresh id.
    pub async fn send(&self, who: &Actor, kind: InboundKind) -> Vec<Reply> {
        self.clock.advance(Duration::seconds(1));
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        let inbound = Inbound {
            actor: who.clone(),
            event_id: format!("e{n}-{}", who.user),
            kind,
        };
        self.app.handle(inbound).await
    }

    /// A command as typed after `/name`.
    pub async fn command(&self, who: &Actor, name: &str, args: &str) -> Vec<Reply> {
        let kind = InboundKind::Command {
            name: name.into(),
            args: args.into(),
        };
        self.send(who, kind).await
    }

    /// The text of a command's replies.
    pub async fn cmd(&self, who: &Actor, name: &str, args: &str) -> String {
        text(&self.command(who, name, args).await)
    }
}

/// What the replies say: headings, text and fields, a line each.
pub fn text(replies: &[Reply]) -> String {
    let mut out = String::new();
    for b in replies.iter().flat_map(|r| &r.blocks) {
        match b {
            Block::Heading(t) | Block::Text(t) => out.push_str(t),
            Block::Fields(fs) => fs
                .iter()
                .for_each(|(k, v)| out.push_str(&format!("{k} {v}\n"))),
            _ => continue,
        }
        out.push('\n');
    }
    out
}

impl World {
    /// The first free-text item of the sample content (graded by people).
    pub fn free_text_item(&self) -> Item {
        let item = self
            .library
            .items
            .iter()
            .find(|i| matches!(i.key, AnswerKey::FreeText { .. }));
        item.expect("the sample content has a free-text item")
            .clone()
    }

    /// Pat (of acme) answers the free-text item; the answer waits for a person.
    pub async fn pat_answers(&self, item: &Item) {
        let pat = actor("acme", "pat", &[]);
        let asked = self.app.ask_item(&pat, &item.id, false).await.unwrap();
        let asked = asked.expect("the item is asked");
        let kind = InboundKind::Text {
            action: Some(format!("t:{}", asked.prompt.id)),
            text: "Lock the screen and report it to security.".into(),
        };
        let said = text(&self.send(&pat, kind).await);
        assert!(said.contains("Sent for review"), "{said}");
    }
}

/// The first review id quoted in a `/review` queue ("**#12**").
pub fn first_id(queue: &str) -> i64 {
    let start = queue.find("**#").expect("an answer in the queue") + 3;
    queue[start..].split("**").next().unwrap().parse().unwrap()
}
