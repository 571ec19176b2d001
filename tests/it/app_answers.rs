//! The answer use cases through `App::handle`, the one entry point every adapter calls:
//! replays, stale prompts, foreign buttons, latency from the reveal, free text, and user
//! text that must never be echoed raw.

use crate::app_world;

use app_world::{text_of, world};
use chrono::Duration;
use ladder::app::records::LearnerKey;
use ladder::clock::Clock;
use ladder::platform::InboundKind;
use ladder_engine::{AnswerKey, Item};

fn single_choice(i: &Item) -> Option<usize> {
    match &i.key {
        AnswerKey::SingleChoice { correct, .. } => Some(*correct),
        _ => None,
    }
}

#[tokio::test]
async fn a_double_click_gets_the_same_reply_and_is_counted_once() {
    let mut w = world().await;
    let item = w.item(|i| single_choice(i).is_some());
    let asked = w
        .app
        .ask_item(&w.me, &item.id, false)
        .await
        .unwrap()
        .unwrap();
    let right = format!("a:{}:{}", asked.prompt.id, single_choice(&item).unwrap());
    w.clock.advance(Duration::seconds(8));
    let first = w.click(std::slice::from_ref(&right)).await;
    let second = w.click(&[right]).await;
    assert!(text_of(&first).contains("Right!"), "{}", text_of(&first));
    assert_eq!(first, second);
    assert_eq!(w.reviews().await, 1);
}

#[tokio::test]
async fn an_answer_to_a_replaced_daily_question_is_refused_with_the_current_one() {
    let mut w = world().await;
    let item = w.item(|i| single_choice(i).is_some());
    let old = w
        .app
        .ask_item(&w.me, &item.id, true)
        .await
        .unwrap()
        .unwrap();
    w.clock.advance(Duration::days(1));
    let key = LearnerKey::of(&w.me);
    let now = w.clock.now();
    let new = w
        .app
        .plan_day(&key, now)
        .await
        .unwrap()
        .expect("Tuesday's push");
    let answer = format!("a:{}:{}", old.prompt.id, single_choice(&item).unwrap());
    let replies = w.click(&[answer]).await;
    let text = text_of(&replies);
    assert!(text.contains("expired or was replaced"), "{text}");
    assert!(text.contains("Show question"), "{text}");
    assert_eq!(new.reply, *replies.last().unwrap());
    assert_eq!(w.reviews().await, 0);
}

#[tokio::test]
async fn buttons_from_elsewhere_or_damaged_are_refused_clearly() {
    let mut w = world().await;
    let foreign = text_of(&w.click(&["ticket:open".into()]).await);
    assert!(foreign.contains("does not belong to Ladder"), "{foreign}");
    let damaged = text_of(&w.click(&["a:12".into()]).await);
    assert!(damaged.contains("damaged or out of date"), "{damaged}");
    let someone_elses = text_of(&w.click(&["a:999:0".into()]).await);
    assert!(
        someone_elses.contains("expired or was replaced"),
        "{someone_elses}"
    );
    assert_eq!(w.reviews().await, 0);
}

#[tokio::test]
async fn typed_mentions_and_markdown_are_never_echoed_raw() {
    let mut w = world().await;
    let numeric = w.item(|i| matches!(i.key, AnswerKey::Numeric { .. }));
    let asked = w
        .app
        .ask_item(&w.me, &numeric.id, false)
        .await
        .unwrap()
        .unwrap();
    let action = format!("t:{}", asked.prompt.id);
    let replies = w.typed(&action, "@everyone **now** <@123>").await;
    let text = text_of(&replies);
    assert!(text.contains("could not read"), "{text}");
    assert!(text.contains("everyone"), "{text}");
    assert!(!text.contains("@everyone"), "{text}");
    assert!(!text.contains("<@"), "{text}");
    assert!(!text.contains("**now**"), "{text}");
    assert_eq!(w.reviews().await, 0, "an unreadable answer is not counted");
}

#[tokio::test]
async fn latency_runs_from_the_reveal_not_from_the_push() {
    let mut w = world().await;
    let item = w.item(|i| single_choice(i).is_some());
    let pushed = w
        .app
        .ask_item(&w.me, &item.id, true)
        .await
        .unwrap()
        .unwrap();
    assert!(text_of(std::slice::from_ref(&pushed.reply)).contains("Show question"));
    w.clock.advance(Duration::hours(3));
    let shown = w.click(&[format!("r:{}", pushed.prompt.id)]).await;
    assert!(text_of(&shown).contains(item.prompt.trim()));
    w.clock.advance(Duration::seconds(6));
    let answer = format!("a:{}:{}", pushed.prompt.id, single_choice(&item).unwrap());
    let text = text_of(&w.click(&[answer]).await);
    assert!(text.contains("Answered in 6s"), "{text}");
}

#[tokio::test]
async fn free_text_is_sent_for_review_and_not_graded() {
    let mut w = world().await;
    let item = w.item(|i| matches!(i.key, AnswerKey::FreeText { .. }));
    let asked = w
        .app
        .ask_item(&w.me, &item.id, false)
        .await
        .unwrap()
        .unwrap();
    let text = text_of(
        &w.typed(&format!("t:{}", asked.prompt.id), "Lock it, report it.")
            .await,
    );
    assert!(text.contains("Sent for review"), "{text}");
    assert!(
        !text.contains("Right!") && !text.contains("Not quite"),
        "{text}"
    );
    let memories = w.records.memories(&LearnerKey::of(&w.me)).await.unwrap();
    assert!(memories.is_empty(), "no rating until a person reviews it");
}

#[tokio::test]
async fn nobody_is_asked_anything_before_joining() {
    let mut w = world().await;
    w.me.user = "stranger".into();
    let text = text_of(
        &w.send(InboundKind::Command {
            name: "practice".into(),
            args: String::new(),
        })
        .await,
    );
    assert!(text.contains("not joined"), "{text}");
    assert!(text.contains("Join"), "{text}");
    let key = LearnerKey::of(&w.me);
    assert!(w.records.learner(&key).await.unwrap().is_none());
    assert!(w.app.plan_day(&key, w.clock.now()).await.unwrap().is_none());
}
