//! Peer grading of free-text answers, on SQLite and on Postgres: learners at experienced
//! or master in the skill may grade; one peer's grade waits for a second; two peers
//! settle the answer (their verdict when they agree, partial when they do not), which
//! feeds the scheduler and the review log; nobody grades twice or grades their own answer;
//! a competent learner is not a peer.

use crate::staff_world;

use ladder::app::records::LearnerKey;
use ladder::clock::Clock;
use ladder::store::{StageChange, Store};
use ladder_engine::grade::Verdict;
use ladder_engine::{Item, Stage};
use staff_world::{actor, first_id, monday, on_both_stores, World};
use std::sync::Arc;

/// Ann and Bob are experienced in the free-text item's skill, Cat only competent.
async fn world(store: Arc<dyn Store>) -> (World, Item) {
    let w = World::new(store, monday(9, 30));
    let item = w.free_text_item();
    w.enrol(&[
        ("acme", "pat"),
        ("acme", "ann"),
        ("acme", "bob"),
        ("acme", "cat"),
    ])
    .await;
    for (user, to) in [
        ("ann", Stage::Experienced),
        ("bob", Stage::Master),
        ("cat", Stage::Competent),
    ] {
        let change = StageChange {
            learner: w.id("acme", user).await,
            skill: item.skill.clone(),
            from: Some(Stage::Novice),
            to,
            at: w.clock.now(),
            evidence: serde_json::json!({ "sentence": "set up for the test" }),
        };
        w.store.record_stage_change(&change).await.unwrap();
    }
    (w, item)
}

#[tokio::test]
async fn two_peers_settle_an_answer() {
    on_both_stores("peers_settle", two_peers).await;
}

async fn two_peers(store: Arc<dyn Store>) {
    let (w, item) = world(store).await;
    w.pat_answers(&item).await;
    let (ann, bob, cat) = (
        actor("acme", "ann", &[]),
        actor("acme", "bob", &[]),
        actor("acme", "cat", &[]),
    );
    let pat_key = LearnerKey::of(&actor("acme", "pat", &[]));

    let refused = w.cmd(&cat, "review", "").await;
    assert!(refused.contains("experienced or master"), "{refused}");

    let queue = w.cmd(&ann, "review", "").await;
    assert!(queue.contains("Lock the screen"), "{queue}");
    let id = first_id(&queue);
    let first = w.cmd(&ann, "review", &format!("{id} right")).await;
    assert!(first.contains("another peer"), "{first}");
    assert!(
        w.records.memories(&pat_key).await.unwrap().is_empty(),
        "one peer's grade does not settle the answer"
    );
    // Ann graded it; she does not see it again, Bob still does.
    assert!(w.cmd(&ann, "review", "").await.contains("Nothing waits"));
    let again = w.cmd(&ann, "review", &format!("{id} wrong")).await;
    assert!(again.contains("no answer"), "{again}");

    let second = w.cmd(&bob, "review", &format!("{id} wrong")).await;
    assert!(
        second.contains(&format!("Graded #{id} as partial")),
        "peers who disagree settle on partial: {second}"
    );
    let memories = w.records.memories(&pat_key).await.unwrap();
    assert_eq!(memories.len(), 1, "the settled grade reached the scheduler");
    assert_eq!(memories[0].0, item.id);
    let log = w.records.reviews(&pat_key).await.unwrap();
    let graded = log.iter().find(|r| r.item == item.id).unwrap();
    assert_eq!(
        graded.verdict,
        Verdict::Partial,
        "the review log keeps the grade"
    );
    assert!((graded.score - 0.5).abs() < 1e-9, "{}", graded.score);
    assert!(w.cmd(&bob, "review", "").await.contains("Nothing waits"));
}

#[tokio::test]
async fn agreeing_peers_give_their_verdict_and_nobody_grades_their_own() {
    on_both_stores("peers_agree", agreeing_peers).await;
}

async fn agreeing_peers(store: Arc<dyn Store>) {
    let (w, item) = world(store).await;
    // Pat is experienced too, but never sees their own answer.
    let change = StageChange {
        learner: w.id("acme", "pat").await,
        skill: item.skill.clone(),
        from: Some(Stage::Novice),
        to: Stage::Experienced,
        at: w.clock.now(),
        evidence: serde_json::json!({ "sentence": "set up for the test" }),
    };
    w.store.record_stage_change(&change).await.unwrap();
    w.pat_answers(&item).await;
    let pat = actor("acme", "pat", &[]);
    assert!(w.cmd(&pat, "review", "").await.contains("Nothing waits"));
    let ann = actor("acme", "ann", &[]);
    let bob = actor("acme", "bob", &[]);
    let id = first_id(&w.cmd(&ann, "review", "").await);
    w.cmd(&ann, "review", &format!("{id} right")).await;
    let said = w.cmd(&bob, "review", &format!("{id} right good")).await;
    assert!(said.contains(&format!("Graded #{id} as correct")), "{said}");
    let log = w.records.reviews(&LearnerKey::of(&pat)).await.unwrap();
    let graded = log.iter().find(|r| r.item == item.id).unwrap();
    assert_eq!(graded.verdict, Verdict::Correct);
}
