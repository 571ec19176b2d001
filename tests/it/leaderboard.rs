//! The cohort leaderboard through `App::handle`, on SQLite and on Postgres, with two weeks
//! of a simulated cohort: ranked rows, the caller's own row, opt-outs shown anonymously,
//! weekly and all-time views, and the team view counting members who have not started.

use crate::staff_world;

use chrono::Duration;
use ladder::app::manage::board::{for_team, View};
use ladder::app::manage::{Staff, StoreStaff};
use ladder::platform::{Actor, Platform, Visibility};
use ladder::store::{NewTeam, Store};
use staff_world::{monday, on_both_stores, text, World};
use std::sync::Arc;

fn actor(user: &str) -> Actor {
    staff_world::actor("acme", user, &[])
}

/// Two weeks of the eight simulated colleagues, and Pat, who has just joined.
async fn world(store: Arc<dyn Store>) -> World {
    let w = World::new(store, monday(9, 0) - Duration::days(14));
    w.seed_cohort("acme", 14, 7).await;
    w.enrol(&[("acme", "pat")]).await;
    w
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
    on_both_stores("board_weekly_ranks", weekly_ranks).await;
}

async fn weekly_ranks(store: Arc<dyn Store>) {
    let w = world(store).await;
    let board = w.cmd(&actor("sim-ada"), "leaderboard", "").await;
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
    on_both_stores("board_opted_out", opted_out).await;
}

async fn opted_out(store: Arc<dyn Store>) {
    let w = world(store).await;
    let before = w.cmd(&actor("pat"), "leaderboard", "").await;
    assert!(before.contains("Ada"), "{before}");
    w.command(&actor("sim-ada"), "privacy", "leaderboard off")
        .await;
    let after = w.cmd(&actor("pat"), "leaderboard", "").await;
    assert!(!after.contains("Ada"), "{after}");
    assert!(after.contains("Anonymous learner"), "{after}");
    assert_eq!(rows(&before).len(), rows(&after).len());
}

#[tokio::test]
async fn all_time_counts_at_least_what_the_week_counts() {
    on_both_stores("board_all_time", all_time).await;
}

async fn all_time(store: Arc<dyn Store>) {
    let w = world(store).await;
    let week = rows(&w.cmd(&actor("pat"), "leaderboard", "week").await);
    let all = w.cmd(&actor("pat"), "leaderboard", "all").await;
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
    on_both_stores("board_teams", teams_board).await;
}

async fn teams_board(store: Arc<dyn Store>) {
    let w = world(store).await;
    let acme = w.tenant("acme").await;
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
    let board = w.cmd(&actor("pat"), "leaderboard", "teams").await;
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
