//! `/admin team channel` through the Discord adapter, Prism and the fake Discord: the
//! channel option is checked against Discord before anything is recorded. A channel of the
//! admin's own server is accepted; a channel of another server the bot is in, or one
//! Discord does not know, is refused and the team keeps its old channel.
//!
//! Needs `LADDER_DISCORD_SPEC_PREFIXED` (see `.ci/prism`); without it the test says so and
//! returns.

use crate::fake_discord;

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use fake_discord::harness::harness;
use fake_discord::payloads::{self, Who, GUILD};
use fake_discord::{Recorded, GUILD_CHANNEL, OTHER_GUILD_CHANNEL};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::discord::{Adapter, Outcome};
use ladder::platform::{Actor, Inbound, Platform};
use ladder::store::{NewTeam, Role, RoleKind, RoleScope, Store};
use serde_json::{json, Value};

/// Every guild payload carries this role (Discord's documented example): here, admin.
const ADMIN_ROLE: u64 = 539_082_325_061_836_999;
const ADMIN: &str = "400000000000000700";

fn shown(records: &[Recorded], interaction: &str) -> String {
    let token = format!("token-{interaction}");
    let mut out = String::new();
    for r in records.iter().filter(|r| r.path.contains(&token)) {
        for e in r.body["embeds"].as_array().into_iter().flatten() {
            for part in [&e["title"], &e["description"]]
                .into_iter()
                .filter_map(Value::as_str)
            {
                out.push_str(part);
                out.push('\n');
            }
        }
    }
    out
}

#[tokio::test]
async fn a_team_channel_must_belong_to_the_admins_server() {
    let Some(h) = harness() else { return };
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = Arc::new(ladder_content::load_dir(&content).expect("sample content"));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
    let store: Arc<dyn Store> = ladder::store::connect(&url).await.unwrap();
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    ));
    let app = Arc::new(App::new(records, library.clone(), clock));
    let policy = RolePolicy::from_ids(&[], &[], &[ADMIN_ROLE]);
    app.set_staffing(Staffing::on_store(store.clone(), policy));
    let admin = Actor {
        platform: Platform::Discord,
        tenant: GUILD.into(),
        user: ADMIN.into(),
        display_name: "Ada".into(),
        platform_roles: vec![ADMIN_ROLE.to_string()],
    };
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    app.enrol(&admin, &tracks).await.unwrap();
    let tenant = store
        .find_tenant(Platform::Discord, GUILD)
        .await
        .unwrap()
        .unwrap();
    let me = store
        .learner_by_platform_user(tenant.id, ADMIN)
        .await
        .unwrap()
        .unwrap();
    store
        .grant_role(&Role {
            learner: me.id,
            kind: RoleKind::Admin,
            scope: RoleScope::Tenant,
        })
        .await
        .unwrap();
    let team = store
        .add_team(NewTeam {
            tenant: tenant.id,
            name: "Blue".into(),
            channel_id: None,
            prompt_cron: None,
            leaderboard_cron: None,
        })
        .await
        .unwrap();
    let responder = move |inbound: Inbound| {
        let app = Arc::clone(&app);
        async move { app.handle(inbound).await }
    };
    let adapter = Adapter::new(responder);
    let http = h.http();
    let set_channel = |id: &str, channel: &str| {
        let options = json!([{"type": 2, "name": "team", "options": [
            {"type": 1, "name": "channel", "options": [
                {"type": 3, "name": "name", "value": "Blue"},
                {"type": 7, "name": "channel", "value": channel}
            ]}
        ]}]);
        payloads::command(id, &Who::in_guild(ADMIN), "admin", options)
    };
    let channel_of = |store: Arc<dyn Store>| async move {
        store.team(team.id).await.unwrap().unwrap().channel_id
    };

    for (id, channel, refusal) in [
        (
            "950000000000000701",
            OTHER_GUILD_CHANNEL,
            "not in this server",
        ),
        (
            "950000000000000702",
            "645027906669510999",
            "cannot see that channel",
        ),
    ] {
        let outcome = adapter
            .handle(&http, &set_channel(id, channel))
            .await
            .unwrap();
        assert!(matches!(outcome, Outcome::Answered { .. }), "{outcome:?}");
        let text = shown(&h.fake.records(), id);
        assert!(text.contains(refusal), "{channel}: {text}");
        assert_eq!(channel_of(store.clone()).await, None, "nothing recorded");
    }

    let id = "950000000000000703";
    let outcome = adapter
        .handle(&http, &set_channel(id, GUILD_CHANNEL))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Answered { .. }), "{outcome:?}");
    let text = shown(&h.fake.records(), id);
    assert!(text.contains("Updated team \"Blue\""), "{text}");
    assert_eq!(
        channel_of(store.clone()).await.as_deref(),
        Some(GUILD_CHANNEL),
        "{text}"
    );
}
