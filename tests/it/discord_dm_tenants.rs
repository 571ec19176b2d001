//! Daily questions in direct messages, set up the way a company deploys Ladder: commands
//! registered globally (no "home" server), the bot in two servers, people who join in
//! either or in both. A DM interaction carries no server id, so every click in a DM must
//! reach the learner who owns the question, in the right server, and nobody else.
//!
//! The real app on SQLite and on Postgres, behind the real Discord adapter, through Prism
//! (`prism proxy --errors` on Discord's published description) and the fake Discord. Needs
//! `LADDER_DISCORD_SPEC_PREFIXED` (see `.ci/prism`); without it the tests say so and return.

use crate::fake_discord;
use crate::staff_world;

use std::sync::Arc;

use fake_discord::harness::{harness, Harness};
use fake_discord::payloads::{self, Who, GUILD};
use fake_discord::responses;
use ladder::app::records::{LearnerKey, Records, StoreRecords};
use ladder::app::App;
use ladder::clock::{Clock, VirtualClock};
use ladder::platform::discord::{Adapter, DiscordChat, Responder};
use ladder::platform::{Chat, Destination, Inbound, Platform};
use ladder::store::Store;
use serde_json::{json, Value};
use staff_world::{library, monday, on_both_stores};

/// A second server the bot was added to.
const OTHER_GUILD: &str = "290926798626358111";

struct Deployment {
    app: Arc<App>,
    records: Arc<dyn Records>,
    clock: Arc<VirtualClock>,
    h: &'static Harness,
}

impl Deployment {
    fn new(store: Arc<dyn Store>, h: &'static Harness) -> Deployment {
        let clock = Arc::new(VirtualClock::new(monday(8, 0)));
        let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store));
        let app = App::new(records.clone(), Arc::new(library()), clock.clone());
        Deployment {
            app: Arc::new(app),
            records,
            clock,
            h,
        }
    }

    /// A fresh adapter, as each instance (or restart) has.
    fn adapter(&self) -> Adapter<impl Responder> {
        let app = Arc::clone(&self.app);
        Adapter::new(move |inbound: Inbound| {
            let app = Arc::clone(&app);
            async move { app.handle(inbound).await }
        })
    }

    /// A fresh interaction id, unique across the tests sharing the fake Discord.
    fn id(&self) -> String {
        fake_discord::fresh_id()
    }

    /// Sends one interaction and returns everything the bot said in answer to it.
    async fn interact(&self, make: impl FnOnce(&str) -> serenity::all::Interaction) -> String {
        let id = self.id();
        let interaction = make(&id);
        self.clock.advance(chrono::Duration::seconds(2));
        self.adapter()
            .handle(&self.h.http(), &interaction)
            .await
            .unwrap();
        said(&self.h.fake.records(), &id)
    }

    async fn join(&self, who: &Who) -> String {
        let track = json!([{"type": 3, "name": "track", "value": "infosec"}]);
        self.interact(|id| payloads::command(id, who, "join", track))
            .await
    }

    /// The day's question planned by the app and sent as a DM through the real chat; the
    /// message as Discord stored it.
    async fn deliver_daily(&self, key: &LearnerKey) -> Value {
        let planned = self
            .app
            .plan_day(key, self.clock.now())
            .await
            .unwrap()
            .expect("a question is due");
        let chat = DiscordChat::new(Arc::new(self.h.http()));
        let to = Destination::Direct {
            user: key.user.clone(),
        };
        // Tests share the fake Discord: the slot key (and so the nonce) is this test's own.
        let slot = format!("daily-{}-{}-{}", key.tenant, key.user, planned.prompt.id);
        chat.send(&to, &planned.reply, &slot).await.unwrap();
        let nonce = ladder::platform::discord::chat::nonce(&slot, 0);
        let posted = self
            .h
            .fake
            .records()
            .into_iter()
            .find(|r| r.method == "POST" && r.body["nonce"] == nonce.as_str())
            .expect("the DM was posted");
        let channel = posted.path.split('/').nth(2).unwrap().to_owned();
        responses::message(&self.h.fake, &channel, &posted.body, &[])
    }

    /// Reveals the question of a delivered DM and answers it with its first option, both
    /// clicks in the DM.
    async fn reveal_and_answer(&self, who: &Who, dm: &Value) -> String {
        let reveal = first_custom_id(dm).expect("the DM has a Show question button");
        assert!(reveal.contains("r:"), "{reveal}");
        let id = self.id();
        self.clock.advance(chrono::Duration::seconds(2));
        self.adapter()
            .handle(&self.h.http(), &payloads::click(&id, who, dm, &reveal))
            .await
            .unwrap();
        let question = self
            .answer_bodies(&id)
            .pop()
            .expect("the question is shown");
        let message = responses::message(&self.h.fake, "645027906669510667", &question, &[]);
        let answer = first_custom_id(&question).expect("the question has answer controls");
        let values = select_values(&question);
        self.interact(|id| match values.is_empty() {
            true => payloads::click(id, who, &message, &answer),
            false => {
                let picked: Vec<&str> = values.iter().map(String::as_str).collect();
                payloads::select(id, who, &message, &answer, &picked[..1])
            }
        })
        .await
    }

    fn answer_bodies(&self, interaction: &str) -> Vec<Value> {
        let token = format!("token-{interaction}");
        let records = self.h.fake.records();
        let bodies = records
            .iter()
            .filter(|r| r.path.contains(&token) && !r.path.ends_with("/callback"));
        bodies.map(|r| r.body.clone()).collect()
    }

    /// Moves the clock to 09:00, the default time of the daily question.
    fn at_nine(&self) {
        self.clock.advance(monday(9, 0) - self.clock.now());
    }

    async fn reviews(&self, key: &LearnerKey) -> usize {
        self.records.reviews(key).await.unwrap().len()
    }
}

fn key(tenant: &str, user: &str) -> LearnerKey {
    LearnerKey {
        platform: Platform::Discord,
        tenant: tenant.into(),
        user: user.into(),
    }
}

fn in_guild(guild: &str, user: &str) -> Who {
    Who {
        user: user.into(),
        guild: Some(guild.into()),
    }
}

/// Everything sent in answer to one interaction, as one string.
fn said(records: &[fake_discord::Recorded], interaction: &str) -> String {
    let token = format!("token-{interaction}");
    records
        .iter()
        .filter(|r| r.path.contains(&token))
        .map(|r| r.body.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_custom_id(message: &Value) -> Option<String> {
    let control = &message["components"][0]["components"][0];
    control["custom_id"].as_str().map(str::to_owned)
}

fn select_values(message: &Value) -> Vec<String> {
    let control = &message["components"][0]["components"][0];
    let options = control["options"].as_array().cloned().unwrap_or_default();
    options
        .iter()
        .filter_map(|o| o["value"].as_str().map(str::to_owned))
        .collect()
}

/// Guards that a reply is not the old bug's "your question is gone".
fn assert_counted(reply: &str) {
    assert!(!reply.contains("expired or was replaced"), "{reply}");
    assert!(!reply.contains("someone else"), "{reply}");
}

#[tokio::test]
async fn a_learner_of_the_second_server_answers_the_daily_question_in_a_dm() {
    let Some(h) = harness() else { return };
    on_both_stores("dm_second_server", |store| async move {
        let d = Deployment::new(store, h);
        let user = "400000000000000701";
        let joined = d.join(&in_guild(OTHER_GUILD, user)).await;
        assert!(joined.contains("You joined"), "{joined}");
        let me = key(OTHER_GUILD, user);
        let before = d.reviews(&me).await;

        d.at_nine();
        let dm = d.deliver_daily(&me).await;
        let feedback = d.reveal_and_answer(&Who::in_dm(user), &dm).await;
        assert_counted(&feedback);

        assert_eq!(d.reviews(&me).await, before + 1, "the DM answer counted");
        let memories = d.records.memories(&me).await.unwrap();
        assert!(!memories.is_empty(), "the item has a memory state");
        // Progress asked in the DM is the second server's, with the answer in it.
        let dm = Who::in_dm(user);
        let progress = d
            .interact(|id| payloads::command(id, &dm, "progress", json!([])))
            .await;
        assert!(progress.contains("novice"), "{progress}");
        // Nothing was created for the person anywhere else.
        let memberships = d.records.memberships(Platform::Discord, user).await;
        assert_eq!(memberships.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_learner_of_two_servers_answers_each_servers_question_in_dms() {
    let Some(h) = harness() else { return };
    on_both_stores("dm_two_servers", |store| async move {
        let d = Deployment::new(store, h);
        let user = "400000000000000702";
        d.join(&in_guild(GUILD, user)).await;
        d.join(&in_guild(OTHER_GUILD, user)).await;
        let (first, second) = (key(GUILD, user), key(OTHER_GUILD, user));
        let (before_first, before_second) = (d.reviews(&first).await, d.reviews(&second).await);

        d.at_nine();
        let dm_first = d.deliver_daily(&first).await;
        let dm_second = d.deliver_daily(&second).await;
        let dm = Who::in_dm(user);
        assert_counted(&d.reveal_and_answer(&dm, &dm_second).await);
        assert_eq!(d.reviews(&second).await, before_second + 1);
        assert_eq!(d.reviews(&first).await, before_first, "only its own server");
        assert_counted(&d.reveal_and_answer(&dm, &dm_first).await);
        assert_eq!(d.reviews(&first).await, before_first + 1);

        // A command in the DM cannot tell which server is meant: the person is asked.
        let progress = d
            .interact(|id| payloads::command(id, &dm, "progress", json!([])))
            .await;
        assert!(progress.contains("2 servers"), "{progress}");
        assert!(progress.contains(GUILD) && progress.contains(OTHER_GUILD));
    })
    .await;
}

#[tokio::test]
async fn a_dm_click_on_someone_elses_question_is_refused() {
    let Some(h) = harness() else { return };
    on_both_stores("dm_foreign_prompt", |store| async move {
        let d = Deployment::new(store, h);
        let (owner, intruder) = ("400000000000000703", "400000000000000704");
        d.join(&in_guild(OTHER_GUILD, owner)).await;
        d.join(&in_guild(OTHER_GUILD, intruder)).await;
        let (theirs, mine) = (key(OTHER_GUILD, owner), key(OTHER_GUILD, intruder));
        let before = (d.reviews(&theirs).await, d.reviews(&mine).await);

        d.at_nine();
        let dm = d.deliver_daily(&theirs).await;
        let reveal = first_custom_id(&dm).unwrap();
        let who = Who::in_dm(intruder);
        let refused = d
            .interact(|id| payloads::click(id, &who, &dm, &reveal))
            .await;
        assert!(refused.contains("sent to someone else"), "{refused}");
        assert!(
            !refused.contains("\"custom_id\""),
            "no question shown: {refused}"
        );
        assert_eq!(
            (d.reviews(&theirs).await, d.reviews(&mine).await),
            before,
            "nothing counted for either"
        );
        // The owner still answers it.
        assert_counted(&d.reveal_and_answer(&Who::in_dm(owner), &dm).await);
        assert_eq!(d.reviews(&theirs).await, before.0 + 1);
    })
    .await;
}

#[tokio::test]
async fn commands_in_a_dm_act_in_the_one_server_and_join_is_done_in_a_server() {
    let Some(h) = harness() else { return };
    on_both_stores("dm_commands", |store| async move {
        let d = Deployment::new(store, h);
        let user = "400000000000000705";
        let dm = Who::in_dm(user);

        // Before joining anywhere: /join in a DM explains, and joins nobody.
        let join = d.join(&dm).await;
        assert!(join.contains("run /join in a channel"), "{join}");
        let memberships = d.records.memberships(Platform::Discord, user).await;
        assert!(memberships.unwrap().is_empty());
        let progress = d
            .interact(|id| payloads::command(id, &dm, "progress", json!([])))
            .await;
        assert!(
            progress.contains("not joined Ladder in any server"),
            "{progress}"
        );

        // Joined in one server: DM commands act there.
        d.join(&in_guild(OTHER_GUILD, user)).await;
        let progress = d
            .interact(|id| payloads::command(id, &dm, "progress", json!([])))
            .await;
        assert!(!progress.contains("servers"), "{progress}");
        assert!(!progress.contains("not joined"), "{progress}");
        let options = json!([{"type": 1, "name": "pause",
                              "options": [{"type": 4, "name": "days", "value": 3}]}]);
        let pause = d
            .interact(|id| payloads::command(id, &dm, "settings", options))
            .await;
        assert!(!pause.contains("not joined"), "{pause}");
        let learner = d.records.learner(&key(OTHER_GUILD, user)).await.unwrap();
        assert!(
            learner.unwrap().prefs.paused_until.is_some(),
            "the pause reached the learner of that server"
        );
    })
    .await;
}
