//! The manager's team summary through `App::handle`, on a real SQLite store with two weeks
//! of a simulated cohort: the text and the picture, `team at-risk`, and every refusal
//! (no platform role, no recorded role, another manager's team, another tenant's team).

use chrono::{Duration, TimeZone, Utc};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder::store::{NewTeam, Role, RoleKind, RoleScope, Store, TeamId};
use std::path::Path;
use std::sync::Arc;

struct World {
    app: App,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
    blue: TeamId,
    green: TeamId,
}

fn actor(tenant: &str, user: &str, roles: &[&str]) -> Actor {
    cohort::actor(
        tenant,
        user,
        user,
        roles.iter().map(|r| r.to_string()).collect(),
    )
}

/// Tenant "acme": the eight simulated colleagues split into teams Blue and Green, a
/// manager of Blue ("mgr") and an admin ("boss"). Tenant "globex": one team, Red, with
/// its own tenant-wide manager ("other").
async fn world() -> World {
    let library = ladder_content::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("the sample content loads");
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let clock = Arc::new(VirtualClock::new(now - Duration::days(14)));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = ladder::store::connect(&url).await.expect("sqlite opens");
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let app = App::new(records, Arc::new(library), clock.clone());
    cohort::seed(&app, &clock, "acme", &tracks, 14, 7)
        .await
        .unwrap();
    for (tenant, user) in [
        ("acme", "mgr"),
        ("acme", "boss"),
        ("acme", "pat"),
        ("globex", "other"),
    ] {
        app.enrol(&actor(tenant, user, &[]), &tracks).await.unwrap();
    }
    app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
    let acme = store
        .find_tenant(Platform::Local, "acme")
        .await
        .unwrap()
        .unwrap();
    let sims: Vec<_> = store
        .learners(acme.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.platform_user.starts_with("sim-"))
        .collect();
    assert_eq!(sims.len(), 8, "the demo cohort has eight colleagues");
    let blue = team(&store, acme.id, "Blue", &sims[..4]).await;
    let green = team(&store, acme.id, "Green", &sims[4..]).await;
    grant(
        &store,
        "acme",
        "mgr",
        RoleKind::Manager,
        RoleScope::Team(blue),
    )
    .await;
    grant(&store, "acme", "boss", RoleKind::Admin, RoleScope::Tenant).await;
    let globex = store
        .find_tenant(Platform::Local, "globex")
        .await
        .unwrap()
        .unwrap();
    team(&store, globex.id, "Red", &[]).await;
    grant(
        &store,
        "globex",
        "other",
        RoleKind::Manager,
        RoleScope::Tenant,
    )
    .await;
    World {
        app,
        store,
        _dir: dir,
        blue,
        green,
    }
}

async fn team(
    store: &Arc<dyn Store>,
    tenant: ladder::store::TenantId,
    name: &str,
    members: &[ladder::store::Learner],
) -> TeamId {
    let t = store
        .add_team(NewTeam {
            tenant,
            name: name.into(),
            channel_id: None,
            prompt_cron: None,
            leaderboard_cron: None,
        })
        .await
        .unwrap();
    for m in members {
        store.add_member(t.id, m.id).await.unwrap();
    }
    t.id
}

async fn grant(store: &Arc<dyn Store>, tenant: &str, user: &str, kind: RoleKind, scope: RoleScope) {
    let t = store
        .find_tenant(Platform::Local, tenant)
        .await
        .unwrap()
        .unwrap();
    let l = store
        .learner_by_platform_user(t.id, user)
        .await
        .unwrap()
        .unwrap();
    store
        .grant_role(&Role {
            learner: l.id,
            kind,
            scope,
        })
        .await
        .unwrap();
}

async fn send(app: &App, who: &Actor, args: &str) -> Vec<Reply> {
    app.handle(Inbound {
        actor: who.clone(),
        event_id: format!("team-{}-{args}", who.user),
        kind: InboundKind::Command {
            name: "team".into(),
            args: args.into(),
        },
    })
    .await
}

fn text(replies: &[Reply]) -> String {
    let mut out = String::new();
    for b in replies.iter().flat_map(|r| &r.blocks) {
        match b {
            Block::Heading(t) | Block::Text(t) => out.push_str(t),
            Block::Fields(fs) => fs
                .iter()
                .for_each(|(k, v)| out.push_str(&format!("{k} {v}"))),
            _ => {}
        }
        out.push('\n');
    }
    out
}

fn picture(replies: &[Reply]) -> Option<image::RgbImage> {
    replies
        .iter()
        .flat_map(|r| &r.blocks)
        .find_map(|b| match b {
            Block::Image { png, .. } => {
                Some(image::load_from_memory(png).expect("a PNG").to_rgb8())
            }
            _ => None,
        })
}

#[tokio::test]
async fn a_manager_sees_their_team_as_text_and_picture() {
    let w = world().await;
    let replies = send(&w.app, &actor("acme", "mgr", &["manager"]), "Blue").await;
    let t = text(&replies);
    assert!(t.contains("Team Blue: summary"), "{t}");
    assert!(t.contains("**Learners:** 4"), "{t}");
    for section in [
        "Estimated retention:",
        "Engagement:",
        "Stages per skill",
        "Readiness per objective",
        "Lift",
    ] {
        assert!(t.contains(section), "missing {section} in {t}");
    }
    assert!(
        t.contains("not a performance or eligibility verdict"),
        "{t}"
    );
    // Only Blue's members are named.
    assert!(!t.contains("Hiro") && !t.contains("Grace"), "{t}");
    let img = picture(&replies).expect("a picture");
    // To look at the picture: LADDER_SUMMARY_PNG=/tmp/team.png cargo test --test manager_team
    if let Ok(path) = std::env::var("LADDER_SUMMARY_PNG") {
        img.save(&path).unwrap();
        println!("{t}");
    }
    assert_eq!(
        img.dimensions(),
        (
            ladder::report::picture::WIDTH,
            ladder::report::picture::HEIGHT
        )
    );
    // The heatmap shows stages in their colours, and the card is opaque white.
    let has = |rgb: [u8; 3]| img.pixels().any(|p| p.0 == rgb);
    assert!(has([0xff, 0xff, 0xff]));
    let coloured = [
        [0xd5, 0x5e, 0x00],
        [0xe6, 0x9f, 0x00],
        [0x56, 0xb4, 0xe9],
        [0x00, 0x9e, 0x73],
    ];
    assert!(coloured.iter().any(|c| has(*c)), "no stage colour drawn");
}

#[tokio::test]
async fn the_picture_follows_the_data() {
    let w = world().await;
    let boss = actor("acme", "boss", &["admin"]);
    let blue = picture(&send(&w.app, &boss, "Blue").await).expect("a picture");
    let green = picture(&send(&w.app, &boss, "green").await).expect("a picture");
    assert_eq!(blue.dimensions(), green.dimensions());
    let differing = blue
        .pixels()
        .zip(green.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        differing > 1000,
        "only {differing} pixels differ between two teams"
    );
    // One member fewer, one row fewer.
    w.store
        .remove_member(w.green, w.store.members(w.green).await.unwrap()[0].id)
        .await
        .unwrap();
    let fewer = picture(&send(&w.app, &boss, "Green").await).expect("a picture");
    assert_ne!(fewer, green, "removing a member changes the picture");
}

#[tokio::test]
async fn at_risk_lists_only_learners_at_risk() {
    let w = world().await;
    let replies = send(&w.app, &actor("acme", "boss", &["admin"]), "at-risk Green").await;
    let t = text(&replies);
    assert!(t.contains("Team Green: learners at risk"), "{t}");
    assert!(!t.contains("Stages per skill"), "{t}");
    assert!(picture(&replies).is_none());
    let full = text(&send(&w.app, &actor("acme", "boss", &["admin"]), "Green").await);
    // Every name in the at-risk list also appears in the full summary's at-risk section.
    for line in t.lines().filter(|l| l.starts_with("- ")) {
        assert!(full.contains(line), "{line} missing from the full summary");
    }
}

#[tokio::test]
async fn without_a_platform_role_the_summary_is_refused() {
    let w = world().await;
    let t = text(&send(&w.app, &actor("acme", "pat", &[]), "Blue").await);
    assert!(t.contains("/team is for managers"), "{t}");
    assert!(!t.contains("Stages per skill"));
}

#[tokio::test]
async fn a_platform_role_without_a_recorded_grant_is_refused() {
    let w = world().await;
    let t = text(&send(&w.app, &actor("acme", "pat", &["manager"]), "Blue").await);
    assert!(t.contains("not recorded in Ladder"), "{t}");
}

#[tokio::test]
async fn a_manager_cannot_see_another_managers_team() {
    let w = world().await;
    let mgr = actor("acme", "mgr", &["manager"]);
    let t = text(&send(&w.app, &mgr, "Green").await);
    assert!(
        t.contains("no team called \"Green\" among the teams you manage"),
        "{t}"
    );
    assert!(!t.contains("Stages per skill"));
    // With no name, the only team they manage.
    assert!(text(&send(&w.app, &mgr, "").await).contains("Team Blue: summary"));
    let _ = w.blue;
}

#[tokio::test]
async fn a_tenant_never_sees_another_tenants_team() {
    let w = world().await;
    let other = actor("globex", "other", &["manager"]);
    let t = text(&send(&w.app, &other, "Blue").await);
    assert!(t.contains("no team called \"Blue\""), "{t}");
    let own = text(&send(&w.app, &other, "Red").await);
    assert!(own.contains("Team Red: summary"), "{own}");
    assert!(own.contains("**Learners:** 0"), "{own}");
}

#[tokio::test]
async fn the_playground_manager_sees_the_demo_cohort() {
    let w = world().await;
    let me = actor("acme", "pat", &["manager"]);
    let store = w.store.clone();
    ladder::app::manage::playground::seed(&store, &me, RoleKind::Manager)
        .await
        .unwrap();
    // Seeding twice is harmless.
    ladder::app::manage::playground::seed(&store, &me, RoleKind::Manager)
        .await
        .unwrap();
    let replies = send(&w.app, &me, "Demo team").await;
    let t = text(&replies);
    assert!(t.contains("Team Demo team: summary"), "{t}");
    // The eight colleagues, mgr, boss and Pat.
    assert!(t.contains("**Learners:** 11"), "{t}");
    assert!(picture(&replies).is_some());
}
