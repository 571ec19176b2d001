//! The cohort leaderboard through `App::handle` on a real SQLite store with two weeks of
//! a simulated cohort: ranked rows, the caller's own row, opt-outs shown anonymously,
//! weekly and all-time views, and the team view counting members who have not started.

use chrono::{Duration, TimeZone, Utc};
use ladder::app::manage::board::{for_team, View};
use ladder::app::manage::{RolePolicy, Staff, Staffing, StoreStaff};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply, Visibility};
use ladder::store::{NewTeam, Store};
use std::path::Path;
use std::sync::Arc;

struct World {
    app: App,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

fn actor(user: &str) -> Actor {
    cohort::actor("acme", user, user, vec![])
}

async fn world() -> World {
    let dir_content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = ladder_content::load_dir(&dir_content).expect("the sample content loads");
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
    app.enrol(&actor("pat"), &tracks).await.unwrap();
    app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
    World {
        app,
        store,
        _dir: dir,
    }
}

async fn send(app: &App, who: &Actor, name: &str, args: &str) -> Vec<Reply> {
    app.handle(Inbound {
        actor: who.clone(),
        event_id: format!("{name}-{}-{args}", who.user),
        kind: InboundKind::Command {
            name: name.into(),
            args: args.into(),
        },
    })
    .await
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

/// (rank, name, points) of each ranked row.
fn rows(board: &str) -> Vec<(u32, String, f64)> {
    board
        .lines()
        .filter_map(|l| {
            let (rank, rest) = l.split_once(". ")?;
            let (name, rest) = rest.split_once(": ")?;
            let points = rest.split_once(" points")?.0.parse().ok()?;
            Some((rank.parse().ok()?, name.replace(" (you)", ""), points))
        })
        .collect()
}

#[tokio::test]
async fn the_weekly_board_ranks_the_cohort_by_points() {
    let w = world().await;
    let board = text(&send(&w.app, &actor("sim-ada"), "leaderboard", "").await);
    assert!(board.contains("Leaderboard, this week"), "{board}");
    let rows = rows(&board);
    assert!(rows.len() >= 8, "{board}");
    let ranks: Vec<u32> = rows.iter().map(|r| r.0).collect();
    assert_eq!(ranks, (1..=rows.len() as u32).collect::<Vec<_>>());
    assert!(
        rows.windows(2).all(|p| p[0].2 >= p[1].2),
        "not in score order: {board}"
    );
    assert!(
        rows[0].2 > 0.0,
        "two weeks of practice earn points: {board}"
    );
    assert!(board.contains("(you)"), "{board}");
    assert!(board.contains("cramming does not pay"), "{board}");
}

#[tokio::test]
async fn opted_out_learners_are_anonymous() {
    let w = world().await;
    let before = text(&send(&w.app, &actor("pat"), "leaderboard", "").await);
    assert!(before.contains("Ada"), "{before}");
    send(&w.app, &actor("sim-ada"), "privacy", "leaderboard off").await;
    let after = text(&send(&w.app, &actor("pat"), "leaderboard", "").await);
    assert!(!after.contains("Ada"), "{after}");
    assert!(after.contains("Anonymous learner"), "{after}");
    assert_eq!(rows(&before).len(), rows(&after).len());
}

#[tokio::test]
async fn all_time_counts_at_least_what_the_week_counts() {
    let w = world().await;
    let week = rows(&text(
        &send(&w.app, &actor("pat"), "leaderboard", "week").await,
    ));
    let all = text(&send(&w.app, &actor("pat"), "leaderboard", "all").await);
    assert!(all.contains("Leaderboard, all time"), "{all}");
    let all = rows(&all);
    for (_, name, points) in &week {
        let total = all.iter().find(|r| &r.1 == name).expect("same people").2;
        assert!(
            total + 0.5 >= *points,
            "{name}: all time {total} < week {points}"
        );
    }
    let sum = |rs: &[(u32, String, f64)]| rs.iter().map(|r| r.2).sum::<f64>();
    assert!(
        sum(&all) > sum(&week),
        "two weeks earn more than the last one"
    );
}

#[tokio::test]
async fn teams_are_scored_on_every_member_and_posted_publicly() {
    let w = world().await;
    let acme = w
        .store
        .find_tenant(Platform::Local, "acme")
        .await
        .unwrap()
        .unwrap();
    let people = w.store.learners(acme.id).await.unwrap();
    let new_team = |name: &str| NewTeam {
        tenant: acme.id,
        name: name.into(),
        channel_id: Some("c1".into()),
        prompt_cron: None,
        leaderboard_cron: None,
    };
    let blue = w.store.add_team(new_team("Blue")).await.unwrap();
    let green = w.store.add_team(new_team("Green")).await.unwrap();
    for p in &people {
        let team = if p.platform_user == "sim-ada" || p.platform_user == "pat" {
            &blue
        } else {
            &green
        };
        w.store.add_member(team.id, p.id).await.unwrap();
    }
    let board = text(&send(&w.app, &actor("pat"), "leaderboard", "teams").await);
    // Pat has not started: Blue's mean counts them as zero.
    assert!(board.contains("Blue: "), "{board}");
    assert!(board.contains("(1 of 2 started)"), "{board}");
    assert!(board.contains("(7 of 7 started)"), "{board}");
    let staff = StoreStaff::new(w.store.clone());
    let teams = staff.teams(Platform::Local, "acme").await.unwrap();
    let posted = for_team(&w.app, &teams[0], View::Week).await.unwrap();
    assert_eq!(posted.visibility, Visibility::Public);
    let posted = text(&[posted]);
    assert!(posted.contains("Leaderboard for Blue"), "{posted}");
    assert!(
        !posted.contains("(you)") && !posted.contains("Hiro"),
        "{posted}"
    );
}
