//! The expert's review queue through `App::handle`, on SQLite and on Postgres: a learner's
//! free-text answer waits for a person, an expert of that skill sees it with its rubric,
//! grades it, and the grade reaches the scheduler (a memory appears). Refusals: no
//! platform role, no recorded grant, another skill's expert, another tenant's expert, and
//! grading one's own answer.

use crate::staff_world;

use ladder::app::records::LearnerKey;
use ladder::clock::Clock;
use ladder::store::{RoleKind, RoleScope, Store};
use ladder_engine::{Item, SkillId};
use staff_world::{actor, first_id, monday, on_both_stores, on_both_stores_twice, World};
use std::sync::Arc;

/// Eve is an expert of the free-text item's skill, Pat of all of acme, Kim of another
/// skill and Zed of all of globex; Sam holds no recorded role.
async fn world(store: Arc<dyn Store>) -> (World, Item) {
    let w = World::new(store, monday(9, 30));
    let item = w.free_text_item();
    w.enrol(&[
        ("acme", "pat"),
        ("acme", "eve"),
        ("acme", "sam"),
        ("acme", "kim"),
        ("globex", "zed"),
    ])
    .await;
    let expert = RoleKind::Expert;
    let skill = RoleScope::Skill(item.skill.clone());
    w.grant("acme", "eve", expert, skill).await;
    w.grant("acme", "pat", expert, RoleScope::Tenant).await;
    let other = SkillId::parse("no-such-skill").unwrap();
    w.grant("acme", "kim", expert, RoleScope::Skill(other))
        .await;
    w.grant("globex", "zed", expert, RoleScope::Tenant).await;
    (w, item)
}

#[tokio::test]
async fn an_experts_grade_reaches_the_scheduler() {
    on_both_stores("review_grade_schedules", grade_reaches_the_scheduler).await;
}

async fn grade_reaches_the_scheduler(store: Arc<dyn Store>) {
    let (w, item) = world(store).await;
    w.pat_answers(&item).await;
    let eve = actor("acme", "eve", &["expert"]);
    let queue = w.cmd(&eve, "review", "").await;
    assert!(queue.contains("1 free-text answer(s) waiting"), "{queue}");
    assert!(queue.contains("Lock the screen and report it"), "{queue}");
    assert!(queue.contains("Rubric"), "{queue}");
    assert!(
        !queue.contains("pat"),
        "the learner stays anonymous: {queue}"
    );
    let pat = LearnerKey::of(&actor("acme", "pat", &[]));
    assert!(w.records.memories(&pat).await.unwrap().is_empty());
    let id = first_id(&queue);
    let said = w
        .cmd(&eve, "review", &format!("{id} right clear and complete"))
        .await;
    assert!(said.contains(&format!("Graded #{id} as correct")), "{said}");
    let memories = w.records.memories(&pat).await.unwrap();
    assert_eq!(memories.len(), 1, "the grade produced a memory state");
    assert_eq!(memories[0].0, item.id);
    assert!(
        memories[0].1.due > w.clock.now(),
        "the next review is in the future"
    );
    // Graded once, it leaves the queue.
    assert!(w.cmd(&eve, "review", "").await.contains("Nothing waits"));
    assert!(w
        .cmd(&eve, "review", &format!("{id} wrong"))
        .await
        .contains("no answer"));
}

#[tokio::test]
async fn a_wrong_grade_schedules_the_item_sooner_than_a_right_one() {
    on_both_stores_twice("review_wrong_sooner", wrong_is_sooner).await;
}

async fn wrong_is_sooner(right: Arc<dyn Store>, wrong: Arc<dyn Store>) {
    let (right, item) = world(right).await;
    right.pat_answers(&item).await;
    let (wrong, _) = world(wrong).await;
    wrong.pat_answers(&item).await;
    let eve = actor("acme", "eve", &["expert"]);
    for (w, grade) in [(&right, "right"), (&wrong, "wrong")] {
        let id = first_id(&w.cmd(&eve, "review", "").await);
        w.cmd(&eve, "review", &format!("{id} {grade}")).await;
    }
    let pat = LearnerKey::of(&actor("acme", "pat", &[]));
    let due = |m: Vec<(ladder_engine::ItemId, ladder_engine::schedule::Memory)>| m[0].1.due;
    let right_due = due(right.records.memories(&pat).await.unwrap());
    let wrong_due = due(wrong.records.memories(&pat).await.unwrap());
    assert!(
        wrong_due < right_due,
        "wrong {wrong_due} vs right {right_due}"
    );
}

#[tokio::test]
async fn review_refusals() {
    on_both_stores("review_refusals", refusals).await;
}

async fn refusals(store: Arc<dyn Store>) {
    let (w, item) = world(store).await;
    w.pat_answers(&item).await;
    // No platform role.
    let said = w.cmd(&actor("acme", "eve", &[]), "review", "").await;
    assert!(said.contains("/review is for experts"), "{said}");
    // A platform role but nothing recorded.
    let said = w
        .cmd(&actor("acme", "sam", &["expert"]), "review", "")
        .await;
    assert!(said.contains("not recorded in Ladder"), "{said}");
    // An expert of another skill sees nothing and cannot grade.
    let kim = actor("acme", "kim", &["expert"]);
    assert!(w.cmd(&kim, "review", "").await.contains("Nothing waits"));
    let eve = actor("acme", "eve", &["expert"]);
    let id = first_id(&w.cmd(&eve, "review", "").await);
    assert!(w
        .cmd(&kim, "review", &format!("{id} right"))
        .await
        .contains("no answer"));
    // Another tenant's expert neither sees nor grades it.
    let zed = actor("globex", "zed", &["expert"]);
    assert!(w.cmd(&zed, "review", "").await.contains("Nothing waits"));
    assert!(w
        .cmd(&zed, "review", &format!("{id} right"))
        .await
        .contains("no answer"));
    // Pat is a tenant-wide expert, but not of their own answer.
    let pat = actor("acme", "pat", &["expert"]);
    assert!(w
        .cmd(&pat, "review", &format!("{id} right"))
        .await
        .contains("no answer"));
    let key = LearnerKey::of(&pat);
    assert!(
        w.records.memories(&key).await.unwrap().is_empty(),
        "nothing was graded"
    );
}
