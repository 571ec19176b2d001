//! Settings and privacy through `App::handle`: a pause stops the daily push, a timezone
//! must be a real one, the export is a file with everything, and deleting needs an
//! explicit confirmation.

use crate::app_world;

use app_world::{text_of, world};
use chrono::Duration;
use ladder::app::records::LearnerKey;
use ladder::clock::Clock;
use ladder::platform::{Block, InboundKind};

fn command(name: &str, args: &str) -> InboundKind {
    InboundKind::Command {
        name: name.into(),
        args: args.into(),
    }
}

#[tokio::test]
async fn a_pause_stops_the_daily_question_and_resume_brings_it_back() {
    let mut w = world().await;
    let key = LearnerKey::of(&w.me);
    let said = text_of(&w.send(command("settings", "pause 3")).await);
    assert!(said.contains("Paused for 3 day(s)"), "{said}");
    w.clock.advance(Duration::days(1));
    assert!(w.app.plan_day(&key, w.clock.now()).await.unwrap().is_none());
    w.send(command("settings", "resume")).await;
    let planned = w.app.plan_day(&key, w.clock.now()).await.unwrap();
    assert!(text_of(&[planned.expect("pushed again").reply]).contains("Show question"));
}

#[tokio::test]
async fn only_real_timezones_are_accepted() {
    let mut w = world().await;
    let bad = text_of(&w.send(command("settings", "timezone Atlantis/Lost")).await);
    assert!(bad.contains("not a timezone"), "{bad}");
    let good = text_of(
        &w.send(command("settings", "timezone America/New_York"))
            .await,
    );
    assert!(good.contains("America/New_York"), "{good}");
    let shown = text_of(&w.send(command("settings", "")).await);
    assert!(shown.contains("America/New_York"), "{shown}");
}

#[tokio::test]
async fn the_export_holds_every_answer_and_deleting_needs_a_yes() {
    let mut w = world().await;
    let practice = w.send(command("practice", "")).await;
    assert!(!practice.is_empty());
    let export = w.send(command("privacy", "export")).await;
    let file = export
        .iter()
        .flat_map(|r| &r.blocks)
        .find_map(|b| match b {
            Block::File { bytes, filename } => Some((bytes.clone(), filename.clone())),
            _ => None,
        })
        .expect("the export is a file");
    assert!(file.1.ends_with(".json"));
    let json: serde_json::Value = serde_json::from_slice(&file.0).unwrap();
    assert_eq!(json["learner"]["display_name"], "Pat");
    assert_eq!(json["prompts"].as_array().unwrap().len(), 1);

    let asked = text_of(&w.send(command("privacy", "delete")).await);
    assert!(asked.contains("Are you sure?"), "{asked}");
    let key = LearnerKey::of(&w.me);
    assert!(
        w.records.learner(&key).await.unwrap().is_some(),
        "nothing goes before a yes"
    );
    let no = text_of(&w.click(&["d:no".into()]).await);
    assert!(no.contains("Nothing was deleted"), "{no}");
    let yes = text_of(&w.click(&["d:yes".into()]).await);
    assert!(yes.contains("deleted"), "{yes}");
    assert!(w.records.learner(&key).await.unwrap().is_none());
    assert!(w.records.prompts(&key).await.unwrap().is_empty());
}

#[tokio::test]
async fn leaving_the_leaderboard_is_remembered() {
    let mut w = world().await;
    let off = text_of(&w.send(command("privacy", "leaderboard off")).await);
    assert!(off.contains("off the cohort leaderboard"), "{off}");
    let key = LearnerKey::of(&w.me);
    let me = w.records.learner(&key).await.unwrap().unwrap();
    assert!(!me.prefs.leaderboard);
}
