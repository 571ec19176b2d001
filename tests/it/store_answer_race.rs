//! Two answers of one learner in flight at once, on SQLite and on Postgres: a right and a
//! wrong answer to two prompts of the same item, sent together through `App::handle` 50
//! times (a new learner each time). Each time the learner's memory of the item, their
//! stage and their reviews must equal those of the same two answers applied one after the
//! other in a second, untouched world: neither answer may be computed from a state that
//! the other has already replaced.

use crate::staff_world;

use chrono::{DateTime, Utc};
use ladder::platform::{Actor, Inbound, InboundKind};
use ladder::store::{LearnerId, Store};
use ladder_engine::schedule::Memory;
use ladder_engine::{AnswerKey, Item, SkillId, Stage};
use staff_world::{actor, monday, on_both_stores_twice, text, World};
use std::sync::Arc;

const ROUNDS: usize = 50;

fn single_choice(item: &Item) -> Option<(usize, usize)> {
    match &item.key {
        AnswerKey::SingleChoice { correct, options } if options.len() > 1 => {
            Some((*correct, (*correct + 1) % options.len()))
        }
        _ => None,
    }
}

/// What a learner's progress in one item and its skill looks like.
#[derive(Debug, PartialEq)]
struct Progress {
    memory: Option<Memory>,
    stages: Vec<(SkillId, Stage)>,
    reviews: usize,
}

async fn progress(store: &Arc<dyn Store>, learner: LearnerId, item: &Item) -> Progress {
    Progress {
        memory: store.memory(learner, &item.id).await.unwrap(),
        stages: store.current_stages(learner).await.unwrap(),
        reviews: store.reviews(learner).await.unwrap().len(),
    }
}

/// The two answers' events for `who`, one per prompt: right to the first, wrong to the
/// second.
async fn two_prompts(w: &World, who: &Actor, item: &Item) -> [Inbound; 2] {
    let (right, wrong) = single_choice(item).unwrap();
    let mut events = Vec::new();
    for (n, choice) in [right, wrong].into_iter().enumerate() {
        let asked = w.app.ask_item(who, &item.id, false).await.unwrap();
        let asked = asked.expect("the item is asked");
        events.push(Inbound {
            actor: who.clone(),
            event_id: format!("{}-{n}", who.user),
            kind: InboundKind::Action {
                actions: vec![format!("a:{}:{choice}", asked.prompt.id)],
            },
        });
    }
    events.try_into().unwrap()
}

/// The learner was answered, not refused or told of a failure.
fn told(said: &[ladder::platform::Reply]) {
    let said = text(said);
    assert!(!said.trim().is_empty(), "no reply");
    assert!(!said.contains("went wrong"), "{said}");
    assert!(!said.contains("not counted"), "{said}");
}

async fn race(together: Arc<dyn Store>, apart: Arc<dyn Store>) {
    let start: DateTime<Utc> = monday(9, 30);
    let a = Arc::new(World::new(together, start));
    let b = World::new(apart, start);
    let item = a.library.items.iter().find(|i| single_choice(i).is_some());
    let item = item.expect("a single-choice item").clone();
    let names: Vec<String> = (0..ROUNDS).map(|n| format!("r{n}")).collect();
    let people: Vec<(&str, &str)> = names.iter().map(|n| ("acme", n.as_str())).collect();
    a.enrol(&people).await;
    b.enrol(&people).await;
    let mut differ = Vec::new();
    for name in &names {
        let who = actor("acme", name, &[]);
        let [first, second] = two_prompts(&a, &who, &item).await;
        let (x, y) = tokio::join!(
            {
                let a = a.clone();
                async move { a.app.handle(first).await }
            },
            {
                let a = a.clone();
                async move { a.app.handle(second).await }
            }
        );
        told(&x);
        told(&y);

        // The same answers one after the other, in the order the race committed them.
        let id = a.id("acme", name).await;
        let kept = a.store.reviews(id).await.unwrap();
        let right_first = kept.first().map(|r| r.score) > kept.last().map(|r| r.score);
        let [right, wrong] = two_prompts(&b, &who, &item).await;
        let (first, second) = if right_first {
            (right, wrong)
        } else {
            (wrong, right)
        };
        told(&b.app.handle(first).await);
        told(&b.app.handle(second).await);

        let concurrent = progress(&a.store, id, &item).await;
        let sequential = progress(&b.store, b.id("acme", name).await, &item).await;
        assert_eq!(concurrent.reviews, 2, "both answers are kept");
        if concurrent != sequential {
            differ.push(format!("{name}: {concurrent:?} != {sequential:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {ROUNDS} races lost an update:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_answers_at_once_equal_the_same_answers_one_after_the_other() {
    on_both_stores_twice("answer_race", race).await;
}
