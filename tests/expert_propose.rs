//! Proposals and votes through `App::handle` on a real SQLite store: a novice cannot
//! propose, an expert can; only another expert of that skill accepts it (and gets a TOML
//! snippet for pending content); one vote per person, none on one's own, none across
//! tenants.

use chrono::{TimeZone, Utc};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::{Clock, VirtualClock};
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder::store::{ContributionStatus, Role, RoleKind, RoleScope, Store};
use ladder_engine::SkillId;
use std::path::Path;
use std::sync::Arc;

struct World {
    app: App,
    store: Arc<dyn Store>,
    clock: Arc<VirtualClock>,
    skill: SkillId,
    _dir: tempfile::TempDir,
}

fn actor(tenant: &str, user: &str, roles: &[&str]) -> Actor {
    let roles = roles.iter().map(|r| r.to_string()).collect();
    cohort::actor(tenant, user, user, roles)
}

async fn world() -> World {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = ladder_content::load_dir(&content).expect("the sample content loads");
    let skill = library.skills[0].id.clone();
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = ladder::store::connect(&url).await.expect("sqlite opens");
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let app = App::new(records, Arc::new(library), clock.clone());
    for (tenant, user) in [
        ("acme", "pat"),
        ("acme", "eve"),
        ("acme", "kim"),
        ("acme", "sam"),
        ("globex", "zed"),
    ] {
        app.enrol(&actor(tenant, user, &[]), &tracks).await.unwrap();
    }
    app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
    let w = World {
        app,
        store,
        clock,
        skill: skill.clone(),
        _dir: dir,
    };
    w.grant("acme", "eve", RoleScope::Skill(skill)).await;
    let other = SkillId::parse("no-such-skill").unwrap();
    w.grant("acme", "kim", RoleScope::Skill(other)).await;
    w.grant("globex", "zed", RoleScope::Tenant).await;
    w.grant("acme", "sam", RoleScope::Tenant).await;
    w
}

impl World {
    async fn id(&self, tenant: &str, user: &str) -> ladder::store::LearnerId {
        let t = self
            .store
            .find_tenant(Platform::Local, tenant)
            .await
            .unwrap()
            .unwrap();
        let l = self
            .store
            .learner_by_platform_user(t.id, user)
            .await
            .unwrap();
        l.unwrap().id
    }

    async fn grant(&self, tenant: &str, user: &str, scope: RoleScope) {
        let role = Role {
            learner: self.id(tenant, user).await,
            kind: RoleKind::Expert,
            scope,
        };
        self.store.grant_role(&role).await.unwrap();
    }

    async fn cmd(&self, who: &Actor, name: &str, args: &str) -> String {
        let n = self.clock.now().timestamp_nanos_opt().unwrap_or(0);
        self.clock.advance(chrono::Duration::seconds(1));
        let kind = InboundKind::Command {
            name: name.into(),
            args: args.into(),
        };
        let event_id = format!("e{n}-{}", who.user);
        text(
            &self
                .app
                .handle(Inbound {
                    actor: who.clone(),
                    event_id,
                    kind,
                })
                .await,
        )
    }
}

impl World {
    async fn file(&self, who: &Actor, name: &str, args: &str) -> Option<(String, String)> {
        let kind = InboundKind::Command {
            name: name.into(),
            args: args.into(),
        };
        let event_id = format!("f-{}-{name}-{args}", who.user);
        let replies = self
            .app
            .handle(Inbound {
                actor: who.clone(),
                event_id,
                kind,
            })
            .await;
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
}

fn text(replies: &[Reply]) -> String {
    let mut out = String::new();
    for b in replies.iter().flat_map(|r| &r.blocks) {
        if let Block::Heading(t) | Block::Text(t) = b {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

#[tokio::test]
async fn a_proposal_is_voted_on_and_accepted_by_another_expert_of_the_skill() {
    let w = world().await;
    let pat = actor("acme", "pat", &[]);
    let eve = actor("acme", "eve", &["expert"]);
    let skill = w.skill.as_str().to_owned();
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
    let (name, toml_text) = w.file(&sam, "accept", &id).await.expect("a TOML file");
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
