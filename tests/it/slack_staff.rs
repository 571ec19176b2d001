//! A manager and an expert on Slack with the real app, on SQLite and Postgres, through
//! the loopback Socket Mode server and the Web API behind Prism (see `slack_flows`): each
//! person has their own connection, as several instances of the bot on one database.
//!
//! Roles are recorded as an operator does (`ladder staff`'s setup), and on Slack the
//! grant alone decides. A learner asks the experts a question; the expert sees it in
//! their queue and answers it; the manager's `/ladder team` summary comes with its
//! picture uploaded through `files.getUploadURLExternal` + `files.completeUploadExternal`;
//! someone without a role is refused; Slack's `disconnect` frame is followed by a new
//! connection that keeps answering.

use crate::common;
use crate::fake_slack::harness::harness;
use crate::slack_flows::{text_of, wait_calls, world, World, CHANNEL};

use std::sync::Arc;
use std::time::Duration;

use ladder::app::admin::{Over, Setup};
use ladder::platform::Platform;
use ladder::store::{RoleKind, Store};

/// The ephemeral replies to `user` so far, newest last, as text.
fn said_to(user: &str) -> Vec<String> {
    let fake = &harness().unwrap().fake;
    fake.calls_for("chat.postEphemeral", user)
        .iter()
        .map(text_of)
        .collect()
}

/// Sends `/ladder TEXT` as the world's person and waits for one more ephemeral reply.
async fn ask(w: &World, text: &str, trigger: &str) -> String {
    let user = w.actor.user.clone();
    let before = said_to(&user).len();
    w.command(text, trigger);
    let replies = wait_calls("chat.postEphemeral", &user, before + 1).await;
    text_of(replies.last().unwrap())
}

async fn staff_on_slack(store: Arc<dyn Store>, team: &str) {
    let users = ["learner", "manager", "expert", "bystander"].map(|u| format!("U{team}{u}"));
    let [learner, manager, expert, bystander] = &users;
    let mut worlds = Vec::new();
    for user in &users {
        let Some(w) = world(store.clone(), team, user).await else {
            return;
        };
        w.join().await;
        worlds.push(w);
    }
    let [ana, max, eve, bob] = &worlds[..] else {
        unreachable!()
    };

    // The operator records the roles and the team, as `ladder staff` does.
    let setup = Setup::open(store.as_ref(), Platform::Slack, team, None, |s| {
        s.to_owned()
    })
    .await
    .expect("the workspace is a tenant once someone joined");
    let squad = format!("Security {team}");
    setup.add_team(&squad, Some(CHANNEL), None).await.unwrap();
    setup
        .members(&squad, &[learner.clone(), expert.clone()], true)
        .await
        .unwrap();
    let security = Over::Team(squad.clone());
    setup
        .grant(manager, RoleKind::Manager, &security, false)
        .await
        .unwrap();
    setup
        .grant(expert, RoleKind::Expert, &Over::Tenant, false)
        .await
        .unwrap();

    // Without a role, staff commands are refused with what to ask for.
    let refused = ask(bob, &format!("team {squad}"), &format!("{bystander}.team")).await;
    assert!(refused.contains("Ask your admin"), "{refused}");

    // A learner's question reaches the expert's queue, and the expert answers it.
    let asked = ask(
        ana,
        // As Slack encodes what the learner typed: a channel-wide ping and a mention.
        "ask phishing Is a QR code in an email a red flag? <!channel> <@U0BOSS> \u{202e}",
        &format!("{learner}.ask"),
    )
    .await;
    assert!(asked.contains("experts"), "{asked}");
    let queue = ask(eve, "answer", &format!("{expert}.queue")).await;
    assert!(queue.contains("QR code"), "the expert sees it: {queue}");
    // The learner's text is shown inert: nobody is pinged, the direction is not flipped.
    for live in ["<!channel>", "<@U0BOSS>", "\u{202e}"] {
        assert!(
            !queue.contains(live),
            "{live:?} reached Slack live: {queue}"
        );
    }
    let id: String = queue
        .split('#')
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    assert!(!id.is_empty(), "the queue names the question: {queue}");
    let answered = ask(
        eve,
        &format!("answer {id} Yes: a QR code hides where it leads. Report it."),
        &format!("{expert}.answer"),
    )
    .await;
    assert!(answered.contains("on its way to the learner"), "{answered}");

    // The manager's summary, with its picture uploaded the current way. A file cannot be
    // ephemeral, so the summary goes to the manager's DM.
    let fake = &harness().unwrap().fake;
    max.command(&format!("team {squad}"), &format!("{manager}.team"));
    let posted = wait_calls("chat.postMessage", &format!("Team {squad}: summary"), 1).await;
    let dm = posted[0].field("channel").to_owned();
    assert!(dm.starts_with('D'), "posted in a DM: {dm}");
    assert!(
        posted[0].field("text").contains("*Learners:* 2"),
        "{posted:?}"
    );
    assert!(!fake.calls_for("conversations.open", manager).is_empty());
    let shared = wait_calls("files.completeUploadExternal", &dm, 1).await;
    let files: serde_json::Value = serde_json::from_str(shared[0].field("files")).unwrap();
    let id = files[0]["id"].as_str().unwrap().to_owned();
    assert!(
        files[0]["title"].as_str().unwrap().contains("Heatmap"),
        "the picture has a description: {files}"
    );
    let bytes = fake
        .uploaded()
        .into_iter()
        .find(|(f, _)| *f == id)
        .map(|(_, n)| n);
    assert!(
        bytes.is_some_and(|n| n > 1000),
        "the PNG's bytes were sent: {bytes:?}"
    );

    // Slack says the connection is going away: the bot connects again and goes on.
    let connections = max.socket.connections();
    max.socket
        .send(max.socket_frame("disconnect.json").to_string());
    for _ in 0..200 {
        if max.socket.connections() > connections {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(max.socket.connections(), connections + 1, "reconnected");
    let after = ask(max, "progress", &format!("{manager}.progress")).await;
    assert!(after.contains("Your progress"), "{after}");

    for w in &worlds {
        let _ = w.stop.send(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_and_an_expert_on_slack_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    staff_on_slack(store, "T0STAFFSQ1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_and_an_expert_on_slack_postgres() {
    let Some((store, schema)) = common::postgres_store("slack_staff").await else {
        return;
    };
    staff_on_slack(store, "T0STAFFPG1").await;
    schema.drop().await;
}
