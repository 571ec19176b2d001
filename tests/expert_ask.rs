//! Learners' questions and experts' answers through `App::handle` on a real SQLite store:
//! a question about a skill reaches that skill's expert, not another skill's expert nor
//! another tenant's; a learner cannot open the answer queue; an answer is kept and counts
//! as the expert's contribution in that skill.

use chrono::{TimeZone, Utc};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::{Clock, VirtualClock};
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder::store::{ContributionKind, ContributionStatus, Role, RoleKind, RoleScope, Store};
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
async fn a_question_reaches_the_skills_expert_and_the_answer_counts_for_them() {
    let w = world().await;
    let pat = actor("acme", "pat", &[]);
    let eve = actor("acme", "eve", &["expert"]);
    let said = w
        .cmd(
            &pat,
            "ask",
            &format!("{} Is @everyone safe to click?", w.skill.as_str()),
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
    assert_eq!(mine[0].skill, w.skill);
}

#[tokio::test]
async fn learners_other_skills_experts_and_other_tenants_do_not_see_the_queue() {
    let w = world().await;
    let pat = actor("acme", "pat", &[]);
    w.cmd(
        &pat,
        "ask",
        &format!("{} What counts as a phish?", w.skill.as_str()),
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
    let w = world().await;
    let said = w
        .cmd(&actor("acme", "pat", &[]), "ask", "no-such-thing why?")
        .await;
    assert!(said.contains("I know no skill or item"), "{said}");
}
