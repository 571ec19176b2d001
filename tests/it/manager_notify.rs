//! Escalation notifications to people, on SQLite and on Postgres: a simulated cohort
//! answers through `App::handle` day after day while the notifier runs once a day, as
//! `serve` would. Experts and managers get short direct messages in the outbox naming the
//! learner and the skill; someone who opted out gets nothing; a manager hears only about
//! their own team; running the notifier again the same day adds nothing.

use crate::staff_world;

use chrono::{Duration, TimeZone, Utc};
use ladder::app::manage::notify::Notifier;
use ladder::platform::{Block, Destination};
use ladder::store::outbox::Claimed;
use ladder::store::{NewTeam, RoleKind, RoleScope, Store};
use staff_world::{monday, on_both_stores, World};
use std::sync::Arc;

const DAYS: u32 = 30;

/// The cohort plays `DAYS` days; after each, the notifier queues what it found.
/// "exp" is a tenant-wide expert, "quiet" one who opted out of notifications, "mgr" the
/// manager of team Blue (the four weakest colleagues).
async fn world(store: Arc<dyn Store>) -> World {
    let w = World::new(store, monday(9, 0));
    w.enrol(&[("acme", "exp"), ("acme", "quiet"), ("acme", "mgr")])
        .await;
    // One simulated day first, so the colleagues exist before teams and roles.
    w.seed_cohort("acme", 1, 0).await;
    let tenant = w.tenant("acme").await;
    w.grant("acme", "exp", RoleKind::Expert, RoleScope::Tenant)
        .await;
    w.grant("acme", "quiet", RoleKind::Expert, RoleScope::Tenant)
        .await;
    let quiet = w.learner("acme", "quiet").await;
    let mut prefs = quiet.prefs.clone();
    prefs.notices.expert = true;
    w.store.set_preferences(quiet.id, &prefs).await.unwrap();
    let blue = w
        .store
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
        let l = w.id("acme", user).await;
        w.store.add_member(blue.id, l).await.unwrap();
    }
    let manager = RoleScope::Team(blue.id);
    w.grant("acme", "mgr", RoleKind::Manager, manager).await;
    let notifier = Notifier::new(w.store.clone(), w.library.clone(), w.clock.clone());
    for day in 1..DAYS {
        w.seed_cohort("acme", 1, u64::from(day)).await;
        notifier.queue(&tenant).await.unwrap();
    }
    // Running again at the same moment finds every notification already queued.
    assert_eq!(notifier.queue(&tenant).await.unwrap(), 0, "no duplicates");
    w
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
    on_both_stores("notify_once_a_day", struggling_learners).await;
}

async fn struggling_learners(store: Arc<dyn Store>) {
    let w = world(store).await;
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
