//! Learners' questions and experts' answers through `App::handle`, on SQLite and on
//! Postgres: a question about a skill reaches that skill's expert, not another skill's
//! expert nor another tenant's; a learner cannot open the answer queue; an answer is kept
//! and counts as the expert's contribution in that skill.

use crate::staff_world;

use ladder::store::{ContributionKind, ContributionStatus, RoleKind, RoleScope, Store};
use ladder_engine::SkillId;
use staff_world::{actor, monday, on_both_stores, World};
use std::sync::Arc;

/// Eve is an expert of the first skill, Kim of another skill, Zed of all of globex.
async fn world(store: Arc<dyn Store>) -> (World, SkillId) {
    let w = World::new(store, monday(9, 30));
    let skill = w.library.skills[0].id.clone();
    w.enrol(&[
        ("acme", "pat"),
        ("acme", "eve"),
        ("acme", "kim"),
        ("globex", "zed"),
    ])
    .await;
    let expert = RoleKind::Expert;
    w.grant("acme", "eve", expert, RoleScope::Skill(skill.clone()))
        .await;
    let other = SkillId::parse("no-such-skill").unwrap();
    w.grant("acme", "kim", expert, RoleScope::Skill(other))
        .await;
    w.grant("globex", "zed", expert, RoleScope::Tenant).await;
    (w, skill)
}

#[tokio::test]
async fn a_question_reaches_the_skills_expert_and_the_answer_counts_for_them() {
    on_both_stores("ask_reaches_expert", reaches_the_expert).await;
}

async fn reaches_the_expert(store: Arc<dyn Store>) {
    let (w, skill) = world(store).await;
    let pat = actor("acme", "pat", &[]);
    let eve = actor("acme", "eve", &["expert"]);
    let said = w
        .cmd(
            &pat,
            "ask",
            &format!("{} Is @everyone safe to click?", skill.as_str()),
        )
        .await;
    assert!(said.contains("#"), "{said}");
    let queue = w.cmd(&eve, "answer", "").await;
    assert!(queue.contains("safe to click"), "{queue}");
    assert!(
        !queue.contains("@everyone"),
        "mass mentions are defused: {queue}"
    );
    let id = queue
        .split("**#")
        .nth(1)
        .unwrap()
        .split("**")
        .next()
        .unwrap()
        .to_owned();
    let done = w
        .cmd(
            &eve,
            "answer",
            &format!("{id} Hover first, then report it."),
        )
        .await;
    assert!(done.contains("kept"), "{done}");
    assert!(w
        .cmd(&eve, "answer", "")
        .await
        .contains("No open questions"));
    let mine = w
        .store
        .contributions_by(w.id("acme", "eve").await)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].kind, ContributionKind::Answer);
    assert_eq!(mine[0].status, ContributionStatus::Accepted);
    assert_eq!(mine[0].skill, skill);
}

#[tokio::test]
async fn learners_other_skills_experts_and_other_tenants_do_not_see_the_queue() {
    on_both_stores("ask_hidden_queue", hidden_queue).await;
}

async fn hidden_queue(store: Arc<dyn Store>) {
    let (w, skill) = world(store).await;
    let pat = actor("acme", "pat", &[]);
    w.cmd(
        &pat,
        "ask",
        &format!("{} What counts as a phish?", skill.as_str()),
    )
    .await;
    let learner = w.cmd(&pat, "answer", "").await;
    assert!(learner.contains("for experts and masters"), "{learner}");
    let kim = w
        .cmd(&actor("acme", "kim", &["expert"]), "answer", "")
        .await;
    assert!(
        kim.contains("No open questions"),
        "another skill's expert: {kim}"
    );
    let zed = actor("globex", "zed", &["expert"]);
    assert!(w
        .cmd(&zed, "answer", "")
        .await
        .contains("No open questions"));
    assert!(w
        .cmd(&zed, "answer", "1 hijacked")
        .await
        .contains("no open question #1"));
    let no_role = w.cmd(&actor("acme", "eve", &[]), "answer", "1 hi").await;
    assert!(no_role.contains("for experts and masters"), "{no_role}");
}

#[tokio::test]
async fn a_question_about_an_unknown_skill_is_refused() {
    on_both_stores("ask_unknown_skill", unknown_skill).await;
}

async fn unknown_skill(store: Arc<dyn Store>) {
    let (w, _) = world(store).await;
    let said = w
        .cmd(&actor("acme", "pat", &[]), "ask", "no-such-thing why?")
        .await;
    assert!(said.contains("I know no skill or item"), "{said}");
}
