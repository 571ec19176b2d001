//! Proposals and votes through `App::handle`, on SQLite and on Postgres: a novice cannot
//! propose, an expert can; only another expert of that skill accepts it (and gets a TOML
//! snippet for pending content); one vote per person, none on one's own, none across
//! tenants.

use crate::staff_world;

use ladder::platform::{Actor, Block};
use ladder::store::{ContributionStatus, RoleKind, RoleScope, Store};
use ladder_engine::SkillId;
use staff_world::{actor, monday, on_both_stores, World};
use std::sync::Arc;

/// Eve is an expert of the first skill, Kim of another skill, Sam of all of acme and Zed
/// of all of globex.
async fn world(store: Arc<dyn Store>) -> (World, SkillId) {
    let w = World::new(store, monday(9, 30));
    let skill = w.library.skills[0].id.clone();
    w.enrol(&[
        ("acme", "pat"),
        ("acme", "eve"),
        ("acme", "kim"),
        ("acme", "sam"),
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
    w.grant("acme", "sam", expert, RoleScope::Tenant).await;
    (w, skill)
}

/// The file a command replied with, as (file name, text).
async fn file(w: &World, who: &Actor, name: &str, args: &str) -> Option<(String, String)> {
    let replies = w.command(who, name, args).await;
    replies
        .iter()
        .flat_map(|r| &r.blocks)
        .find_map(|b| match b {
            Block::File { bytes, filename } => {
                Some((filename.clone(), String::from_utf8(bytes.clone()).unwrap()))
            }
            _ => None,
        })
}

#[tokio::test]
async fn a_proposal_is_voted_on_and_accepted_by_another_expert_of_the_skill() {
    on_both_stores("propose_vote_accept", voted_and_accepted).await;
}

async fn voted_and_accepted(store: Arc<dyn Store>) {
    let (w, skill) = world(store).await;
    let pat = actor("acme", "pat", &[]);
    let eve = actor("acme", "eve", &["expert"]);
    let skill = skill.as_str().to_owned();
    let novice = w
        .cmd(&pat, "propose", &format!("{skill} Ask about QR codes too"))
        .await;
    assert!(novice.contains("once you are experienced"), "{novice}");
    let made = w
        .cmd(&eve, "propose", &format!("{skill} Ask about QR codes too"))
        .await;
    assert!(made.contains("proposal #"), "{made}");
    let id = made
        .split("proposal #")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();

    assert!(w.cmd(&pat, "proposals", "").await.contains("for experts"));
    assert!(w.cmd(&pat, "accept", &id).await.contains("for experts"));
    let kim = actor("acme", "kim", &["expert"]);
    assert!(
        w.cmd(&kim, "accept", &id).await.contains("no proposal"),
        "other skill"
    );
    let zed = actor("globex", "zed", &["expert"]);
    assert!(
        w.cmd(&zed, "accept", &id).await.contains("no proposal"),
        "other tenant"
    );
    assert!(w
        .cmd(&zed, "vote", &format!("{id} up"))
        .await
        .contains("no proposal"));
    assert!(w.cmd(&eve, "accept", &id).await.contains("Another expert"));
    assert!(w
        .cmd(&eve, "vote", &format!("{id} up"))
        .await
        .contains("own contribution"));

    assert!(w
        .cmd(&pat, "vote", &format!("{id} up"))
        .await
        .contains("1 vote"));
    assert!(w
        .cmd(&pat, "vote", &format!("{id} up"))
        .await
        .contains("already voted"));

    let sam = actor("acme", "sam", &["expert"]);
    assert!(w.cmd(&sam, "proposals", "").await.contains("QR codes"));
    let (name, toml_text) = file(&w, &sam, "accept", &id).await.expect("a TOML file");
    assert!(
        name.ends_with(".toml") && name.starts_with("pending/"),
        "{name}"
    );
    let parsed: toml::Value = toml::from_str(&toml_text).expect("the snippet is valid TOML");
    let p = &parsed["proposal"][0];
    assert_eq!(p["text"].as_str(), Some("Ask about QR codes too"));
    assert_eq!(p["skill"].as_str(), Some(skill.as_str()));
    assert!(w
        .cmd(&sam, "accept", &id)
        .await
        .contains("already accepted"));
    let eve_id = w.id("acme", "eve").await;
    let mine = w.store.contributions_by(eve_id).await.unwrap();
    assert_eq!(mine[0].status, ContributionStatus::Accepted);
    assert_eq!(mine[0].votes, 1);
}
