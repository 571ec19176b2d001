//! Escalation notifications to people, on a real SQLite store: a simulated cohort answers
//! through `App::handle` day after day while the notifier runs once a day, as `serve`
//! would. Experts and managers get short direct messages in the outbox naming the learner
//! and the skill; someone who opted out gets nothing; a manager hears only about their
//! own team; running the notifier again the same day adds nothing.

use chrono::{Duration, TimeZone, Utc};
use ladder::app::manage::notify::Notifier;
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::local::cohort;
use ladder::platform::{Block, Destination, Platform};
use ladder::store::outbox::Claimed;
use ladder::store::{Learner, NewTeam, Role, RoleKind, RoleScope, Store, Tenant};
use std::path::Path;
use std::sync::Arc;

const DAYS: u32 = 30;

struct World {
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

fn person(user: &str) -> ladder::platform::Actor {
    cohort::actor("acme", user, user, Vec::new())
}

async fn learner(store: &Arc<dyn Store>, tenant: &Tenant, user: &str) -> Learner {
    store
        .learner_by_platform_user(tenant.id, user)
        .await
        .unwrap()
        .expect("joined")
}

async fn grant(store: &Arc<dyn Store>, who: &Learner, kind: RoleKind, scope: RoleScope) {
    let role = Role {
        learner: who.id,
        kind,
        scope,
    };
    store.grant_role(&role).await.unwrap();
}

/// The cohort plays `DAYS` days; after each, the notifier queues what it found.
/// "exp" is a tenant-wide expert, "quiet" one who opted out of notifications, "mgr" the
/// manager of team Blue (the four weakest colleagues).
async fn world() -> World {
    let library = ladder_content::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("the sample content loads");
    let library = Arc::new(library);
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let clock = Arc::new(VirtualClock::new(start));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = ladder::store::connect(&url).await.expect("sqlite opens");
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let app = App::new(records, library.clone(), clock.clone());
    for user in ["exp", "quiet", "mgr"] {
        app.enrol(&person(user), &tracks).await.unwrap();
    }
    // One simulated day first, so the colleagues exist before teams and roles.
    cohort::seed(&app, &clock, "acme", &tracks, 1, 0)
        .await
        .unwrap();
    let tenant = store
        .find_tenant(Platform::Local, "acme")
        .await
        .unwrap()
        .unwrap();
    let exp = learner(&store, &tenant, "exp").await;
    let quiet = learner(&store, &tenant, "quiet").await;
    let mgr = learner(&store, &tenant, "mgr").await;
    grant(&store, &exp, RoleKind::Expert, RoleScope::Tenant).await;
    grant(&store, &quiet, RoleKind::Expert, RoleScope::Tenant).await;
    let mut prefs = quiet.prefs.clone();
    prefs.notifications_opt_out = true;
    store.set_preferences(quiet.id, &prefs).await.unwrap();
    let blue = store
        .add_team(NewTeam {
            tenant: tenant.id,
            name: "Blue".into(),
            channel_id: None,
            prompt_cron: None,
            leaderboard_cron: None,
        })
        .await
        .unwrap();
    for user in ["sim-eun-ji", "sim-femi", "sim-grace", "sim-hiro"] {
        let l = learner(&store, &tenant, user).await;
        store.add_member(blue.id, l.id).await.unwrap();
    }
    grant(&store, &mgr, RoleKind::Manager, RoleScope::Team(blue.id)).await;
    let notifier = Notifier::new(store.clone(), library, clock.clone());
    for day in 1..DAYS {
        cohort::seed(&app, &clock, "acme", &tracks, 1, u64::from(day))
            .await
            .unwrap();
        notifier.queue(&tenant).await.unwrap();
    }
    // Running again at the same moment finds every notification already queued.
    assert_eq!(notifier.queue(&tenant).await.unwrap(), 0, "no duplicates");
    World { store, _dir: dir }
}

async fn queued(store: &Arc<dyn Store>) -> Vec<Claimed> {
    let later = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    store
        .claim("test", later, Duration::minutes(5), 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.key.schedule.starts_with("notify:"))
        .collect()
}

fn to(c: &Claimed) -> &str {
    match &c.message.destination {
        Destination::Direct { user } => user,
        Destination::Channel { channel } => channel,
    }
}

fn text(c: &Claimed) -> String {
    c.message
        .reply
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn experts_and_managers_hear_about_struggling_learners_once_a_day() {
    let w = world().await;
    let rows = queued(&w.store).await;
    let expert: Vec<_> = rows.iter().filter(|c| to(c) == "exp").collect();
    assert!(
        !expert.is_empty(),
        "a month of a weak cohort brings at least one expert notification"
    );
    assert!(
        rows.iter().all(|c| to(c) != "quiet"),
        "an expert who opted out gets nothing"
    );
    for c in &expert {
        let t = text(c);
        assert!(t.contains("keeps missing questions on"), "{t}");
        assert!(
            ["Ada", "Bashir", "Chloé", "Dmitri", "Eun-ji", "Femi", "Grace", "Hiro"]
                .iter()
                .any(|n| t.contains(n)),
            "names the learner: {t}"
        );
    }
    for c in rows.iter().filter(|c| to(c) == "mgr") {
        let t = text(c);
        assert!(
            ["Eun-ji", "Femi", "Grace", "Hiro"]
                .iter()
                .any(|n| t.contains(n)),
            "a manager hears only about their own team: {t}"
        );
    }
    // The recipient's cool-down: one message per recipient, skill and day.
    let mut keys: Vec<_> = rows
        .iter()
        .map(|c| (to(c).to_owned(), c.key.schedule.clone(), c.key.slot_date))
        .collect();
    let all = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all);
}
