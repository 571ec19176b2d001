//! One-off messages through the outbox, on SQLite and on Postgres: the answer to a
//! learner's question reaches the asker once (as a DM on a chat platform, on the next
//! push in the playground) and stays readable with `/ask`; a second expert cannot
//! overwrite it. Each manager gets a weekly digest of their teams on the digest cron, and
//! each team with a channel gets its leaderboard on its own cron, once per firing.

use crate::staff_world;

use chrono::{Duration, TimeZone, Utc};
use ladder::app::expert::AnswerCourier;
use ladder::app::manage::posts::{PostSchedules, TeamPosts};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::App;
use ladder::clock::Clock;
use ladder::delivery::notices::NoticeSource;
use ladder::delivery::slots::{parse_tz, CronSchedule};
use ladder::platform::{Block, Destination, Reply};
use ladder::store::outbox::{Claimed, MessageKind};
use ladder::store::{NewTeam, NoticeOptOuts, RoleKind, RoleScope, Store};
use staff_world::{actor, monday, on_both_stores, text, World};
use std::sync::Arc;

/// Everything queued so far, claimed as a worker far in the future would.
async fn queued(store: &Arc<dyn Store>, prefix: &str) -> Vec<Claimed> {
    let later = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let all = store.claim("test", later, Duration::minutes(5), 10_000);
    all.await
        .unwrap()
        .into_iter()
        .filter(|c| c.key.schedule.starts_with(prefix))
        .collect()
}

fn to(c: &Claimed) -> &str {
    match &c.message.destination {
        Destination::Direct { user } => user,
        Destination::Channel { channel } => channel,
    }
}

fn said(c: &Claimed) -> String {
    text(std::slice::from_ref(&c.message.reply))
}

/// The question number quoted in a reply ("#12").
fn number(s: &str) -> i64 {
    let start = s.find('#').expect("a question number") + 1;
    let digits: String = s[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

#[tokio::test]
async fn an_answer_reaches_the_asker_once() {
    on_both_stores("answer_reaches_asker", answer_reaches_asker).await;
}

async fn answer_reaches_asker(store: Arc<dyn Store>) {
    let w = World::new(store, monday(9, 30));
    w.enrol(&[("acme", "pat"), ("acme", "eve"), ("acme", "kim")])
        .await;
    let skill = w.library.skills[0].clone();
    w.grant("acme", "eve", RoleKind::Expert, RoleScope::Tenant)
        .await;
    w.grant("acme", "kim", RoleKind::Expert, RoleScope::Tenant)
        .await;
    let pat = actor("acme", "pat", &[]);
    let eve = actor("acme", "eve", &["expert"]);
    let kim = actor("acme", "kim", &["expert"]);
    let asked = w
        .cmd(
            &pat,
            "ask",
            &format!("{} Do I report a link sent to @everyone?", skill.id),
        )
        .await;
    let id = number(&asked);
    let mine = w.cmd(&pat, "ask", "").await;
    assert!(mine.contains("Waiting for an answer"), "{mine}");

    let done = w
        .cmd(
            &eve,
            "answer",
            &format!("{id} Yes: forward it to security, then delete it."),
        )
        .await;
    assert!(done.contains("on its way"), "{done}");
    // Kim was a moment too late: the question left the queue, Eve's answer stands.
    let late = w.cmd(&kim, "answer", &format!("{id} No need.")).await;
    assert!(late.contains(&format!("no open question #{id}")), "{late}");

    let tenant = w.tenant("acme").await;
    let courier = AnswerCourier::new(w.store.clone(), w.library.clone(), w.clock.clone());
    assert_eq!(courier.queue(&tenant).await.unwrap(), 1);
    assert_eq!(courier.queue(&tenant).await.unwrap(), 0, "sent once");
    let rows = queued(&w.store, "answer:").await;
    assert_eq!(rows.len(), 1);
    let dm = &rows[0];
    assert_eq!(to(dm), "pat");
    assert_eq!(dm.key.kind, MessageKind::Notice);
    let body = said(dm);
    assert!(body.contains("forward it to security"), "{body}");
    assert!(body.contains(&skill.title), "{body}");
    assert!(body.contains("— eve"), "names who answered: {body}");
    assert!(
        !body.contains("@everyone"),
        "mentions are neutralised: {body}"
    );
    assert!(!body.contains("No need"), "{body}");

    // The answer stays readable.
    let mine = w.cmd(&pat, "ask", "").await;
    assert!(mine.contains("forward it to security"), "{mine}");
    // Sent by the courier, so the playground's push does not repeat it.
    assert!(w.app.answers_for(&pat).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_playground_shows_an_answer_on_the_next_push() {
    on_both_stores("answer_on_push", answer_on_push).await;
}

async fn answer_on_push(store: Arc<dyn Store>) {
    let w = World::new(store, monday(9, 30));
    w.enrol(&[("local", "you"), ("local", "ada")]).await;
    w.grant("local", "ada", RoleKind::Expert, RoleScope::Tenant)
        .await;
    let you = actor("local", "you", &[]);
    let ada = actor("local", "ada", &["expert"]);
    let skill = &w.library.skills[1];
    let id = number(&w.cmd(&you, "ask", &format!("{} Why?", skill.id)).await);
    assert!(w
        .app
        .pushes(&you)
        .await
        .iter()
        .all(|r| !mentions(r, "Because")));
    w.cmd(&ada, "answer", &format!("#{id} Because it scales."))
        .await;
    let pushed = w.app.pushes(&you).await;
    assert!(
        pushed.iter().any(|r| mentions(r, "Because it scales")),
        "{pushed:?}"
    );
    let again = w.app.pushes(&you).await;
    assert!(!again.iter().any(|r| mentions(r, "Because")), "only once");
    let tenant = w.tenant("local").await;
    let courier = AnswerCourier::new(w.store.clone(), w.library.clone(), w.clock.clone());
    assert_eq!(courier.queue(&tenant).await.unwrap(), 0, "already shown");
}

fn mentions(r: &Reply, what: &str) -> bool {
    text(std::slice::from_ref(r)).contains(what)
}

/// Team Blue (the four weakest colleagues, channel 777) posts its board on Fridays at
/// 16:00; "mgr" manages Blue, "boss" the whole tenant, "away" manages Blue but turned
/// notifications off. Digests go out on Mondays at 08:00 in each manager's timezone.
async fn posts_world(store: Arc<dyn Store>) -> (World, TeamPosts) {
    // Thursday 2026-03-05, 09:00 UTC.
    let w = World::new(store, Utc.with_ymd_and_hms(2026, 3, 5, 9, 0, 0).unwrap());
    w.enrol(&[("acme", "mgr"), ("acme", "boss"), ("acme", "away")])
        .await;
    w.seed_cohort("acme", 1, 3).await;
    let tenant = w.tenant("acme").await;
    let blue = w
        .store
        .add_team(NewTeam {
            tenant: tenant.id,
            name: "Blue".into(),
            channel_id: Some("777".into()),
            prompt_cron: None,
            leaderboard_cron: Some("0 0 16 * * Fri".into()),
        })
        .await
        .unwrap();
    for user in ["sim-eun-ji", "sim-femi", "sim-grace", "sim-hiro"] {
        let l = w.id("acme", user).await;
        w.store.add_member(blue.id, l).await.unwrap();
    }
    w.grant("acme", "mgr", RoleKind::Manager, RoleScope::Team(blue.id))
        .await;
    w.grant("acme", "away", RoleKind::Manager, RoleScope::Team(blue.id))
        .await;
    w.grant("acme", "boss", RoleKind::Manager, RoleScope::Tenant)
        .await;
    let away = w.learner("acme", "away").await;
    let mut prefs = away.prefs.clone();
    prefs.notices = NoticeOptOuts::ALL;
    w.store.set_preferences(away.id, &prefs).await.unwrap();
    // Boss lives in Tokyo: Monday 08:00 there is Sunday 23:00 UTC.
    let boss = w.learner("acme", "boss").await;
    let mut prefs = boss.prefs.clone();
    prefs.timezone = "Asia/Tokyo".into();
    prefs.chosen.timezone = true;
    w.store.set_preferences(boss.id, &prefs).await.unwrap();

    let app = App::new(w.records.clone(), w.library.clone(), w.clock.clone());
    app.set_staffing(Staffing::on_store(w.store.clone(), RolePolicy::local()));
    let schedules = PostSchedules {
        digest: CronSchedule::parse("0 0 8 * * Mon").unwrap(),
        board: CronSchedule::parse("0 0 12 * * Wed").unwrap(),
        timezone: parse_tz("UTC").unwrap(),
    };
    let posts = TeamPosts::new(Arc::new(app), w.store.clone(), schedules);
    (w, posts)
}

#[tokio::test]
async fn leaderboards_and_digests_go_out_on_their_crons() {
    on_both_stores("team_posts", team_posts).await;
}

async fn team_posts(store: Arc<dyn Store>) {
    let (w, posts) = posts_world(store).await;
    let tenant = w.tenant("acme").await;
    // Friday 15:59: nothing yet; 16:00 the board, once however often the loop runs.
    let friday = Utc.with_ymd_and_hms(2026, 3, 6, 15, 59, 0).unwrap();
    w.clock.advance(friday - w.clock.now());
    assert_eq!(posts.queue(&tenant).await.unwrap(), 0);
    w.clock.advance(Duration::minutes(1));
    assert_eq!(posts.queue(&tenant).await.unwrap(), 1);
    assert_eq!(posts.queue(&tenant).await.unwrap(), 0, "once per firing");
    w.clock.advance(Duration::hours(3));
    assert_eq!(posts.queue(&tenant).await.unwrap(), 0, "still once");
    let boards = queued(&w.store, "board:").await;
    assert_eq!(boards.len(), 1);
    assert_eq!(to(&boards[0]), "777");
    let board = said(&boards[0]);
    assert!(board.contains("Leaderboard for Blue"), "{board}");
    assert!(
        board.contains("Grace") || board.contains("Anonymous"),
        "{board}"
    );
    assert!(!board.contains("Ada"), "only Blue's members: {board}");

    // Sunday 23:00 UTC is Monday 08:00 in Tokyo: the boss's digests of every team.
    let sunday = Utc.with_ymd_and_hms(2026, 3, 8, 23, 0, 0).unwrap();
    w.clock.advance(sunday - w.clock.now());
    assert_eq!(posts.queue(&tenant).await.unwrap(), 1, "Blue, for boss");
    // Monday 08:00 UTC: mgr's digest of Blue; nothing for "away" (opted out).
    w.clock.advance(Duration::hours(9));
    assert_eq!(posts.queue(&tenant).await.unwrap(), 1, "Blue, for mgr");
    assert_eq!(posts.queue(&tenant).await.unwrap(), 0);
    let digests = queued(&w.store, "digest:").await;
    let mut to_whom: Vec<&str> = digests.iter().map(to).collect();
    to_whom.sort_unstable();
    assert_eq!(to_whom, ["boss", "mgr"]);
    let digest = &digests[0].message.reply;
    let words = text(std::slice::from_ref(digest));
    assert!(words.contains("Weekly digest: Blue"), "{words}");
    assert!(
        words.contains("learning aid"),
        "carries the footer: {words}"
    );
    let png = digest.blocks.iter().find_map(|b| match b {
        Block::Image { png, .. } => Some(png.clone()),
        _ => None,
    });
    let png = png.expect("the digest carries the summary picture");
    let picture = image::load_from_memory(&png).expect("the PNG decodes");
    assert!(picture.width() > 100 && picture.height() > 100);

    // The same digest on request, for a manager; refused for a learner.
    let mgr = actor("acme", "mgr", &["manager"]);
    assert!(w
        .cmd(&mgr, "digest", "")
        .await
        .contains("Weekly digest: Blue"));
    let learner = actor("acme", "sim-ada", &[]);
    let refused = w.cmd(&learner, "digest", "").await;
    assert!(!refused.contains("Weekly digest"), "{refused}");
}
