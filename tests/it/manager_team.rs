//! The manager's team summary through `App::handle`, on SQLite and on Postgres, with two
//! weeks of a simulated cohort: the text and the picture, `team at-risk`, and every
//! refusal (no platform role, no recorded role, another manager's team, another tenant's
//! team); and readiness per objective over every skill and every track.

use crate::staff_world;

use chrono::Duration;
use ladder::clock::Clock;
use ladder::platform::{Actor, Block, Reply};
use ladder::store::{Learner, NewTeam, RoleKind, RoleScope, StageChange, Store, TeamId, TenantId};
use ladder_engine::Stage;
use staff_world::{actor, monday, on_both_stores, text, World};
use std::sync::Arc;

struct Teams {
    blue: TeamId,
    green: TeamId,
}

/// Tenant "acme": the eight simulated colleagues split into teams Blue and Green, a
/// manager of Blue ("mgr") and an admin ("boss"). Tenant "globex": one team, Red, with
/// its own tenant-wide manager ("other").
async fn world(store: Arc<dyn Store>) -> (World, Teams) {
    let w = World::new(store, monday(9, 0) - Duration::days(14));
    w.seed_cohort("acme", 14, 7).await;
    w.enrol(&[
        ("acme", "mgr"),
        ("acme", "boss"),
        ("acme", "pat"),
        ("globex", "other"),
    ])
    .await;
    let acme = w.tenant("acme").await;
    let sims: Vec<_> = w
        .store
        .learners(acme.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.platform_user.starts_with("sim-"))
        .collect();
    assert_eq!(sims.len(), 8, "the demo cohort has eight colleagues");
    let blue = team(&w.store, acme.id, "Blue", &sims[..4]).await;
    let green = team(&w.store, acme.id, "Green", &sims[4..]).await;
    w.grant("acme", "mgr", RoleKind::Manager, RoleScope::Team(blue))
        .await;
    w.grant("acme", "boss", RoleKind::Admin, RoleScope::Tenant)
        .await;
    let globex = w.tenant("globex").await;
    team(&w.store, globex.id, "Red", &[]).await;
    w.grant("globex", "other", RoleKind::Manager, RoleScope::Tenant)
        .await;
    (w, Teams { blue, green })
}

async fn team(store: &Arc<dyn Store>, tenant: TenantId, name: &str, members: &[Learner]) -> TeamId {
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

async fn send(w: &World, who: &Actor, args: &str) -> Vec<Reply> {
    w.command(who, "team", args).await
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
    on_both_stores("team_text_and_picture", text_and_picture).await;
}

async fn text_and_picture(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let replies = send(&w, &actor("acme", "mgr", &["manager"]), "Blue").await;
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
    on_both_stores("team_picture_follows", picture_follows_the_data).await;
}

async fn picture_follows_the_data(store: Arc<dyn Store>) {
    let (w, teams) = world(store).await;
    let boss = actor("acme", "boss", &["admin"]);
    let blue = picture(&send(&w, &boss, "Blue").await).expect("a picture");
    let green = picture(&send(&w, &boss, "green").await).expect("a picture");
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
    let first = w.store.members(teams.green).await.unwrap()[0].id;
    w.store.remove_member(teams.green, first).await.unwrap();
    let fewer = picture(&send(&w, &boss, "Green").await).expect("a picture");
    assert_ne!(fewer, green, "removing a member changes the picture");
}

#[tokio::test]
async fn at_risk_lists_only_learners_at_risk() {
    on_both_stores("team_at_risk", at_risk_only).await;
}

async fn at_risk_only(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let boss = actor("acme", "boss", &["admin"]);
    let replies = send(&w, &boss, "at-risk Green").await;
    let t = text(&replies);
    assert!(t.contains("Team Green: learners at risk"), "{t}");
    assert!(!t.contains("Stages per skill"), "{t}");
    assert!(picture(&replies).is_none());
    let full = text(&send(&w, &boss, "Green").await);
    // Every name in the at-risk list also appears in the full summary's at-risk section.
    for line in t.lines().filter(|l| l.starts_with("- ")) {
        assert!(full.contains(line), "{line} missing from the full summary");
    }
}

#[tokio::test]
async fn without_a_platform_role_the_summary_is_refused() {
    on_both_stores("team_no_platform_role", no_platform_role).await;
}

async fn no_platform_role(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let t = text(&send(&w, &actor("acme", "pat", &[]), "Blue").await);
    assert!(t.contains("/team is for managers"), "{t}");
    assert!(!t.contains("Stages per skill"));
}

#[tokio::test]
async fn a_platform_role_without_a_recorded_grant_is_refused() {
    on_both_stores("team_not_granted", not_granted).await;
}

async fn not_granted(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let t = text(&send(&w, &actor("acme", "pat", &["manager"]), "Blue").await);
    assert!(t.contains("not recorded in Ladder"), "{t}");
}

#[tokio::test]
async fn a_manager_cannot_see_another_managers_team() {
    on_both_stores("team_other_managers", other_managers_team).await;
}

async fn other_managers_team(store: Arc<dyn Store>) {
    let (w, teams) = world(store).await;
    let mgr = actor("acme", "mgr", &["manager"]);
    let t = text(&send(&w, &mgr, "Green").await);
    assert!(
        t.contains("no team called \"Green\" among the teams you manage"),
        "{t}"
    );
    assert!(!t.contains("Stages per skill"));
    // With no name, the only team they manage.
    assert!(text(&send(&w, &mgr, "").await).contains("Team Blue: summary"));
    let _ = teams.blue;
}

#[tokio::test]
async fn a_tenant_never_sees_another_tenants_team() {
    on_both_stores("team_other_tenant", other_tenants_team).await;
}

async fn other_tenants_team(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let other = actor("globex", "other", &["manager"]);
    let t = text(&send(&w, &other, "Blue").await);
    assert!(t.contains("no team called \"Blue\""), "{t}");
    let own = text(&send(&w, &other, "Red").await);
    assert!(own.contains("Team Red: summary"), "{own}");
    assert!(own.contains("**Learners:** 0"), "{own}");
}

#[tokio::test]
async fn the_playground_manager_sees_the_demo_cohort() {
    on_both_stores("team_playground", playground_cohort).await;
}

async fn playground_cohort(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let me = actor("acme", "pat", &["manager"]);
    let store = w.store.clone();
    ladder::app::manage::playground::seed(&store, &me, RoleKind::Manager)
        .await
        .unwrap();
    // Seeding twice is harmless.
    ladder::app::manage::playground::seed(&store, &me, RoleKind::Manager)
        .await
        .unwrap();
    let replies = send(&w, &me, "Demo team").await;
    let t = text(&replies);
    assert!(t.contains("Team Demo team: summary"), "{t}");
    // The eight colleagues, mgr, boss and Pat.
    assert!(t.contains("**Learners:** 11"), "{t}");
    assert!(picture(&replies).is_some());
}

#[tokio::test]
async fn readiness_counts_every_skill_of_every_objective() {
    on_both_stores("team_readiness_whole", readiness_whole).await;
}

/// Pat is the only member of team Solo and has started nothing but one of the two skills
/// serving "data protection": that objective is not met until the other skill is too, and
/// the SQL track nobody has started is shown at 0% rather than left out.
async fn readiness_whole(store: Arc<dyn Store>) {
    let w = staff_world::World::new(store, monday(9, 0));
    w.enrol(&[("acme", "boss"), ("acme", "pat")]).await;
    w.grant("acme", "boss", RoleKind::Admin, RoleScope::Tenant)
        .await;
    let acme = w.tenant("acme").await;
    let pat = w.learner("acme", "pat").await;
    team(&w.store, acme.id, "Solo", std::slice::from_ref(&pat)).await;
    let boss = actor("acme", "boss", &["admin"]);
    let competent_in = |skill: &str| StageChange {
        learner: pat.id,
        skill: ladder_engine::SkillId::parse(skill).unwrap(),
        from: Some(Stage::Novice),
        to: Stage::Competent,
        at: w.clock.now(),
        evidence: serde_json::json!({ "sentence": "set up for the test" }),
    };
    w.store
        .record_stage_change(&competent_in("data-handling"))
        .await
        .unwrap();
    let data = "No personal-data breach caused by mishandling, sharing or disposal";
    let t = text(&send(&w, &boss, "Solo").await);
    assert!(t.contains("Readiness per objective"), "{t}");
    assert!(t.contains(&format!("- {data}: 0%")), "{t}");
    for sql in [
        "Analysts answer 80% of their data questions without waiting for an engineer",
        "Every dashboard metric reconciles with the finance source of truth within 0.5%",
    ] {
        assert!(t.contains(&format!("- {sql}: 0%")), "{sql} missing in {t}");
    }
    w.store
        .record_stage_change(&competent_in("device-security"))
        .await
        .unwrap();
    let t = text(&send(&w, &boss, "Solo").await);
    assert!(t.contains(&format!("- {data}: 100%")), "{t}");
    let phishing = "Fewer than 2% of staff click a simulated phishing link";
    assert!(t.contains(phishing), "{t}");
    assert!(
        !t.contains(&format!("{phishing}, and over 70% report it: 100%")),
        "{t}"
    );
}
