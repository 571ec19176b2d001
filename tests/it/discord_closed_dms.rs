//! A learner whose DMs are closed still gets their daily question: the refused DM (Discord
//! 50007) becomes one short notice a day in their team's channel, with a button that opens
//! the question privately; their commands show it too; and when DMs work again, so does
//! everything else.
//!
//! The real planner, outbox and delivery worker on SQLite and on Postgres, the real app
//! behind the real Discord adapter, through Prism (`prism proxy --errors` on Discord's
//! published description) and the fake Discord. Needs `LADDER_DISCORD_SPEC_PREFIXED` (see
//! `.ci/prism`); without it the test says so and returns.

use crate::delivery_common;
use crate::fake_discord;
use crate::staff_world;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::Duration;
use fake_discord::harness::{harness, Harness};
use fake_discord::payloads::{self, Who, GUILD};
use fake_discord::{responses, Recorded};
use ladder::app::closed_dms::ChannelFallback;
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::{Clock, VirtualClock};
use ladder::delivery::plan::{AppPlanner, Materialiser, TenantSchedule};
use ladder::delivery::ratelimit::{RateConfig, RateLimiter};
use ladder::delivery::slots::CronSchedule;
use ladder::delivery::worker::{Worker, WorkerConfig};
use ladder::platform::discord::{Adapter, DiscordChat, Responder};
use ladder::platform::{Chat, Inbound, Platform};
use ladder::store::outbox::pg::PgOutbox;
use ladder::store::outbox::sqlite::SqliteOutbox;
use ladder::store::outbox::Outbox;
use ladder::store::{NewTeam, Store};
use serde_json::{json, Value};
use staff_world::{library, monday};

/// The channel of the learner's team.
const TEAM_CHANNEL: &str = "645027906669510999";

struct World {
    app: Arc<App>,
    store: Arc<dyn Store>,
    outbox: Arc<dyn Outbox>,
    clock: Arc<VirtualClock>,
    h: &'static Harness,
}

impl World {
    fn new(store: Arc<dyn Store>, outbox: Arc<dyn Outbox>, h: &'static Harness) -> World {
        let clock = Arc::new(VirtualClock::new(monday(8, 0)));
        let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
        let app = App::new(records, Arc::new(library()), clock.clone());
        World {
            app: Arc::new(app),
            store,
            outbox,
            clock,
            h,
        }
    }

    fn adapter(&self) -> Adapter<impl Responder> {
        let app = Arc::clone(&self.app);
        Adapter::new(move |inbound: Inbound| {
            let app = Arc::clone(&app);
            async move { app.handle(inbound).await }
        })
    }

    /// One interaction; what the bot answered to it.
    async fn interact(&self, make: impl FnOnce(&str) -> serenity::all::Interaction) -> Vec<Value> {
        let id = fake_discord::fresh_id();
        self.clock.advance(Duration::seconds(2));
        let interaction = make(&id);
        let http = self.h.http();
        self.adapter().handle(&http, &interaction).await.unwrap();
        let token = format!("token-{id}");
        let records = self.h.fake.records();
        let answers = records.iter().filter(|r| r.path.contains(&token));
        answers.map(|r| r.body.clone()).collect()
    }

    async fn command(&self, who: &Who, name: &str, options: Value) -> String {
        let bodies = self
            .interact(|id| payloads::command(id, who, name, options))
            .await;
        Value::Array(bodies).to_string()
    }

    /// The minute loop at 09:00 on `day` (0 = Monday 2 March 2026): plan, then let one
    /// worker deliver everything due (a refused DM and the notice standing in for it).
    async fn morning(&self, day: i64) {
        let nine = monday(9, 0) + Duration::days(day);
        self.clock.advance(nine - self.clock.now());
        let planner = Arc::new(AppPlanner {
            app: Arc::clone(&self.app),
            records: Arc::new(StoreRecords::new(self.store.clone())),
        });
        let materialiser = Materialiser::new(self.outbox.clone(), planner, self.clock.clone());
        let schedule = TenantSchedule {
            tenant: GUILD.into(),
            name: "daily".into(),
            policy: ladder::app::policy::DailyPolicy {
                cron: CronSchedule::parse("0 0 9 * * Mon-Fri").unwrap(),
                ..ladder::app::policy::DailyPolicy::default()
            },
        };
        materialiser.plan(&schedule).await.unwrap();
        let chat: Arc<dyn Chat> = Arc::new(DiscordChat::new(Arc::new(self.h.http())));
        let fallback = ChannelFallback::new(self.store.clone(), HashMap::new());
        let worker = Worker::new(
            self.outbox.clone(),
            vec![chat],
            RateLimiter::new([(Platform::Discord, RateConfig::DISCORD)]),
            self.clock.clone(),
            WorkerConfig::default(),
        )
        .with_closed_dms(Arc::new(fallback));
        for _ in 0..3 {
            worker.round().await.unwrap();
        }
    }

    async fn dm_closed(&self, user: &str) -> bool {
        let tenant = self.store.find_tenant(Platform::Discord, GUILD).await;
        let tenant = tenant.unwrap().expect("the server is a tenant");
        let learner = self.store.learner_by_platform_user(tenant.id, user).await;
        learner
            .unwrap()
            .expect("the learner joined")
            .prefs
            .dm_closed
    }

    /// Messages posted to the team channel so far.
    fn channel_posts(&self) -> Vec<Recorded> {
        let path = format!("/channels/{TEAM_CHANNEL}/messages");
        let records = self.h.fake.records();
        let posts = records
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == path);
        posts.collect()
    }
}

/// The notices in the team channel addressed to `user`'s question (their button's id).
fn notices_for(posts: &[Recorded], name: &str) -> Vec<Value> {
    let posts = posts.iter().filter(|p| p.body.to_string().contains(name));
    posts.map(|p| p.body.clone()).collect()
}

async fn case(store: Arc<dyn Store>, outbox: Arc<dyn Outbox>, h: &'static Harness, user: &str) {
    let w = World::new(store.clone(), outbox, h);
    let here = Who::in_guild(user);
    let track = json!([{"type": 3, "name": "track", "value": "infosec"}]);
    let joined = w.command(&here, "join", track).await;
    assert!(joined.contains("You joined"), "{joined}");
    let tenant = store
        .find_tenant(Platform::Discord, GUILD)
        .await
        .unwrap()
        .unwrap();
    let team = store
        .add_team(NewTeam {
            tenant: tenant.id,
            name: "Blue".into(),
            channel_id: Some(TEAM_CHANNEL.into()),
            prompt_cron: None,
            leaderboard_cron: None,
        })
        .await
        .unwrap();
    let me = store
        .learner_by_platform_user(tenant.id, user)
        .await
        .unwrap()
        .unwrap();
    store.add_member(team.id, me.id).await.unwrap();
    // The sample payloads call everyone "Mason"; this learner gets a name of their own.
    let name = format!("Learner{user}");
    store.set_display_name(me.id, &name).await.unwrap();
    h.fake.set_dms_open(user, false);

    // Monday: the DM bounces; one notice in the team channel, naming nobody else, pinging
    // nobody (the learner did not ask to be mentioned).
    let before = notices_for(&w.channel_posts(), &name).len();
    w.morning(0).await;
    assert!(w.dm_closed(user).await, "the closed DMs are on record");
    let notices = notices_for(&w.channel_posts(), &name);
    assert_eq!(notices.len(), before + 1, "one notice: {notices:?}");
    let notice = notices.last().unwrap().clone();
    assert!(
        notice.to_string().contains("your question is waiting"),
        "{notice}"
    );
    assert_eq!(notice["allowed_mentions"]["parse"], json!([]));
    assert!(
        notice["content"].as_str().unwrap_or_default().is_empty(),
        "{notice}"
    );
    let open = notice["components"][0]["components"][0]["custom_id"]
        .as_str()
        .expect("an Open my question button")
        .to_owned();

    // The same morning's loop again (another instance, a restart): no second notice.
    w.morning(0).await;
    assert_eq!(notices_for(&w.channel_posts(), &name).len(), before + 1);

    // Any command of theirs shows the waiting question, privately.
    let progress = w.command(&here, "progress", json!([])).await;
    assert!(
        progress.contains("Your daily question is waiting"),
        "{progress}"
    );

    // Someone else tapping the button is refused; the learner gets the question, privately.
    let message = responses::message(&h.fake, TEAM_CHANNEL, &notice, &[]);
    let other = Who::in_guild("400000000000000999");
    let refused = w
        .interact(|id| payloads::click(id, &other, &message, &open))
        .await;
    assert!(Value::Array(refused)
        .to_string()
        .contains("sent to someone else"));
    let shown = w
        .interact(|id| payloads::click(id, &here, &message, &open))
        .await;
    assert_eq!(
        shown[0]["data"]["flags"], 64,
        "the question opens ephemerally"
    );
    let question = shown.last().unwrap();
    assert!(question["components"][0]["components"][0]["custom_id"].is_string());

    // Tuesday, after `/settings mention on`: the notice pings this learner, and only them.
    let options = json!([{"type": 1, "name": "mention",
                          "options": [{"type": 5, "name": "value", "value": true}]}]);
    w.command(&here, "settings", options).await;
    w.morning(1).await;
    let notices = notices_for(&w.channel_posts(), &name);
    assert_eq!(notices.len(), before + 2);
    let pinged = notices.last().unwrap();
    assert_eq!(pinged["content"], format!("<@{user}>"));
    assert_eq!(pinged["allowed_mentions"]["users"], json!([user]));
    assert_eq!(pinged["allowed_mentions"]["parse"], json!([]));

    // Wednesday: DMs open again. The question arrives as a DM, the mark is cleared, and
    // commands no longer carry the waiting question.
    h.fake.set_dms_open(user, true);
    w.morning(2).await;
    assert!(
        !w.dm_closed(user).await,
        "the mark is cleared once a DM goes through"
    );
    assert_eq!(notices_for(&w.channel_posts(), &name).len(), before + 2);
    let progress = w.command(&here, "progress", json!([])).await;
    assert!(!progress.contains("is waiting"), "{progress}");
}

#[tokio::test]
async fn a_learner_with_closed_dms_is_offered_the_question_in_the_team_channel_sqlite() {
    let Some(h) = harness() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    let store = ladder::store::connect(&url).await.unwrap();
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .unwrap()
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    let outbox: Arc<dyn Outbox> = Arc::new(SqliteOutbox::new(pool));
    case(store, outbox, h, "400000000000000801").await;
}

#[tokio::test]
async fn a_learner_with_closed_dms_is_offered_the_question_in_the_team_channel_postgres() {
    let Some(h) = harness() else { return };
    let Some(url) = delivery_common::postgres_url() else {
        return;
    };
    let schema = delivery_common::PgSchema::create(&url, "closed_dms").await;
    let store = ladder::store::connect_postgres_schema(&url, &schema.name)
        .await
        .unwrap();
    let outbox: Arc<dyn Outbox> = Arc::new(PgOutbox::new(schema.pool.clone()));
    case(store, outbox, h, "400000000000000802").await;
    schema.drop().await;
}
