//! The managers' and cohort commands of the real app behind the Discord adapter, through
//! Prism and the fake Discord: staffing on a SQLite store as `ladder serve` wires it, with
//! a role policy mapping Discord role ids to our roles. A manager's `/team` arrives as a
//! summary naming the team with its picture uploaded as a PNG attachment; a learner
//! without the role is refused and gets no picture; `/leaderboard` posts the cohort's
//! board, with mass mentions in people's names neutralised.
//!
//! Needs `LADDER_DISCORD_SPEC_PREFIXED` (see `.ci/prism`); without it the tests say so and
//! return.

use crate::fake_discord;

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use fake_discord::harness::harness;
use fake_discord::payloads::{self, Who, GUILD};
use fake_discord::Recorded;
use ladder::app::action::Action;
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::discord::render::render;
use ladder::platform::discord::{Adapter, Outcome};
use ladder::platform::{Actor, Inbound, InboundKind, Platform, Reply};
use ladder::store::{LearnerId, NewTeam, Role, RoleKind, RoleScope, Store};
use ladder_engine::{AnswerKey, ItemId, TrackId};
use serde_json::{json, Value};
use serenity::all::{Interaction, RoleId};

/// The role in Discord's documented interaction example, which every payload carries:
/// here it is the guild's manager role.
const MANAGER_ROLE: u64 = 539_082_325_061_836_999;
const EXPERT_ROLE: u64 = 539_082_325_061_837_000;
const MANAGER: &str = "400000000000000900";
/// The cohort: (Discord user id, display name, answers right out of each four).
const COHORT: [(&str, &str, usize); 3] = [
    ("400000000000000901", "Ada", 4),
    ("400000000000000902", "Bashir", 3),
    ("400000000000000903", "Chloé", 2),
];

struct World {
    app: Arc<App>,
    store: Arc<dyn Store>,
    clock: Arc<VirtualClock>,
    /// Every reply the app gave, in order: what the adapter rendered and uploaded.
    said: Arc<Mutex<Vec<Reply>>>,
    _dir: tempfile::TempDir,
}

/// The app on a fresh SQLite store with staffing on, as `ladder serve` wires it.
async fn world() -> World {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = ladder_content::load_dir(&content).expect("the sample content loads");
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    let store = ladder::store::connect(&url).await.unwrap();
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let clock = Arc::new(VirtualClock::new(start));
    let app = App::new(records, Arc::new(library), clock.clone());
    let policy = RolePolicy::from_ids(&[MANAGER_ROLE], &[EXPERT_ROLE], &[]);
    app.set_staffing(Staffing::on_store(store.clone(), policy));
    World {
        app: Arc::new(app),
        store,
        clock,
        said: Arc::default(),
        _dir: dir,
    }
}

fn discord_actor(user: &str, name: &str) -> Actor {
    Actor {
        platform: Platform::Discord,
        tenant: GUILD.into(),
        user: user.into(),
        display_name: name.into(),
        platform_roles: Vec::new(),
    }
}

impl World {
    /// The adapter in front of the app, keeping a copy of every reply.
    fn adapter(&self) -> Adapter<impl ladder::platform::discord::Responder> {
        let (app, said) = (Arc::clone(&self.app), Arc::clone(&self.said));
        let responder = move |inbound: Inbound| {
            let (app, said) = (Arc::clone(&app), Arc::clone(&said));
            async move {
                let replies = app.handle(inbound).await;
                said.lock().unwrap().extend(replies.iter().cloned());
                replies
            }
        };
        Adapter::new(responder)
    }

    fn tracks(&self) -> Vec<TrackId> {
        let tracks = &self.app.library().tracks;
        tracks.iter().map(|t| t.id.clone()).collect()
    }

    /// Four single-choice items as (id, right option, number of options).
    fn questions(&self) -> Vec<(ItemId, usize, usize)> {
        let items = self.app.library().items.iter();
        let questions: Vec<_> = items
            .filter(|i| i.variants.is_empty())
            .filter_map(|i| match &i.key {
                AnswerKey::SingleChoice { options, correct } => {
                    Some((i.id.clone(), *correct, options.len()))
                }
                _ => None,
            })
            .take(4)
            .collect();
        assert_eq!(questions.len(), 4, "the sample content has such items");
        questions
    }

    /// Each colleague of [`COHORT`] joins every track and answers the four questions a
    /// day for three days, some right and some wrong.
    async fn practise(&self) {
        for (user, name, _) in COHORT {
            let who = discord_actor(user, name);
            self.app.enrol(&who, &self.tracks()).await.unwrap();
        }
        for day in 0..3 {
            for (user, name, right) in COHORT {
                let who = discord_actor(user, name);
                for (n, (item, correct, options)) in self.questions().into_iter().enumerate() {
                    let asked = self.app.ask_item(&who, &item, false).await.unwrap();
                    let prompt = asked.expect("the item is asked").prompt.id;
                    self.clock.advance(Duration::seconds(9));
                    let option = if n < right {
                        correct
                    } else {
                        (correct + 1) % options
                    };
                    let actions = vec![Action::Answer { prompt, option }.encode()];
                    let inbound = Inbound {
                        actor: who.clone(),
                        event_id: format!("seed-{user}-{day}-{n}"),
                        kind: InboundKind::Action { actions },
                    };
                    self.app.handle(inbound).await;
                }
            }
            self.clock.advance(Duration::days(1));
        }
    }

    async fn learner_id(&self, user: &str) -> LearnerId {
        let tenant = self.store.find_tenant(Platform::Discord, GUILD).await;
        let tenant = tenant.unwrap().expect("the guild is a tenant");
        let learner = self.store.learner_by_platform_user(tenant.id, user).await;
        learner.unwrap().expect("they joined").id
    }

    /// Team Blue (the cohort) and its manager, with the role recorded in Ladder.
    async fn blue_team_with_manager(&self) {
        let me = discord_actor(MANAGER, "Morgan");
        let tenant = self.app.enrol(&me, &self.tracks()).await.unwrap().tenant;
        let tenant = self.store.find_tenant(Platform::Discord, &tenant).await;
        let team = NewTeam {
            tenant: tenant.unwrap().expect("the guild is a tenant").id,
            name: "Blue".into(),
            channel_id: None,
            prompt_cron: None,
            leaderboard_cron: None,
        };
        let blue = self.store.add_team(team).await.unwrap();
        for (user, _, _) in COHORT {
            let id = self.learner_id(user).await;
            self.store.add_member(blue.id, id).await.unwrap();
        }
        let role = Role {
            learner: self.learner_id(MANAGER).await,
            kind: RoleKind::Manager,
            scope: RoleScope::Team(blue.id),
        };
        self.store.grant_role(&role).await.unwrap();
    }

    /// The files the adapter attached to its messages so far, as (name, bytes): the
    /// app's replies rendered the way the adapter renders them before the upload.
    fn uploads(&self) -> Vec<(String, Vec<u8>)> {
        let said = self.said.lock().unwrap();
        said.iter()
            .flat_map(render)
            .flat_map(|message| message.files)
            .map(|file| (file.filename, file.data))
            .collect()
    }
}

/// The cohort has practised, and is team Blue with its manager.
async fn world_with_team() -> World {
    let w = world().await;
    w.practise().await;
    w.blue_team_with_manager().await;
    w
}

/// `/team Blue` from `user`, a member holding `roles`.
fn team_blue(id: &str, user: &str, roles: &[u64]) -> Interaction {
    let options = json!([{"type": 3, "name": "team", "value": "Blue"}]);
    let team = payloads::command(id, &Who::in_guild(user), "team", options);
    dressed(team, roles, None)
}

/// The interaction as sent by a member holding exactly `roles`, with `nick` as their
/// server nickname.
fn dressed(mut interaction: Interaction, roles: &[u64], nick: Option<&str>) -> Interaction {
    let member = match &mut interaction {
        Interaction::Command(c) => c.member.as_deref_mut(),
        Interaction::Component(c) => c.member.as_mut(),
        _ => None,
    };
    let member = member.expect("a guild interaction has a member");
    member.roles = roles.iter().map(|r| RoleId::new(*r)).collect();
    member.nick = nick.map(str::to_owned);
    interaction
}

/// The requests that answered one interaction (its deferral excluded).
fn answers(records: &[Recorded], interaction: &str) -> Vec<Recorded> {
    let token = format!("token-{interaction}");
    records
        .iter()
        .filter(|r| r.path.contains(&token) && !r.path.ends_with("/callback"))
        .cloned()
        .collect()
}

/// The deferral Discord got for one interaction: its flags say whether it is ephemeral.
fn deferral(records: &[Recorded], interaction: &str) -> Value {
    let path = format!("/interactions/{interaction}/token-{interaction}/callback");
    let found = records.iter().find(|r| r.path == path);
    found.expect("the interaction was deferred").body.clone()
}

/// Every embed title, description and field of the answers, as one text.
fn shown(answers: &[Recorded]) -> String {
    let mut out = String::new();
    let embeds = answers.iter().flat_map(|r| r.body["embeds"].as_array());
    for embed in embeds.flatten() {
        let fields = embed["fields"].as_array().into_iter().flatten();
        let parts = [&embed["title"], &embed["description"]]
            .into_iter()
            .chain(fields.flat_map(|f| [&f["name"], &f["value"]]));
        for part in parts.filter_map(Value::as_str) {
            out.push_str(part);
            out.push('\n');
        }
    }
    out
}

#[tokio::test]
async fn a_manager_gets_the_team_summary_with_its_picture_attached() {
    let Some(h) = harness() else { return };
    let w = world_with_team().await;
    let id = "950000000000000101";
    let team = team_blue(id, MANAGER, &[MANAGER_ROLE]);
    let outcome = w.adapter().handle(&h.http(), &team).await.unwrap();
    assert!(matches!(outcome, Outcome::Answered { .. }), "{outcome:?}");

    let records = h.fake.records();
    assert_eq!(
        deferral(&records, id)["data"]["flags"],
        json!(64),
        "private"
    );
    let sent = answers(&records, id);
    let text = shown(&sent);
    assert!(text.contains("Team Blue: summary"), "{text}");
    assert!(text.contains("**Learners:** 3"), "{text}");
    assert!(text.contains("Stages per skill"), "{text}");
    // The picture went up as a multipart attachment that the embed shows.
    let with_file: Vec<_> = sent.iter().filter(|r| !r.files.is_empty()).collect();
    assert_eq!(with_file.len(), 1, "one upload: {sent:?}");
    let (_, filename, size) = with_file[0].files[0].clone();
    assert_eq!(filename, "team-summary.png");
    let image = with_file[0].body["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|e| e["image"]["url"].as_str());
    assert_eq!(image, Some("attachment://team-summary.png"));
    // The attached bytes are a PNG of the summary card.
    let uploads = w.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].0, filename);
    let png = image::load_from_memory_with_format(&uploads[0].1, image::ImageFormat::Png)
        .expect("the attachment decodes as a PNG");
    // Prism forwards a multipart body to the fake as UTF-8 text, so the bytes the fake
    // receives are the PNG with each invalid sequence replaced: all of it went up.
    let forwarded = String::from_utf8_lossy(&uploads[0].1).len();
    assert_eq!(size, forwarded, "the whole PNG was uploaded");
    assert_eq!(
        (png.width(), png.height()),
        (
            ladder::report::picture::WIDTH,
            ladder::report::picture::HEIGHT
        )
    );
}

#[tokio::test]
async fn without_the_manager_role_team_is_refused_and_nothing_is_attached() {
    let Some(h) = harness() else { return };
    let w = world_with_team().await;
    // A learner with no role at all, and one whose manager role Ladder has not recorded.
    let (ada, bashir) = (COHORT[0].0, COHORT[1].0);
    for (id, user, roles, refusal) in [
        ("950000000000000201", ada, &[][..], "/team is for managers"),
        (
            "950000000000000202",
            bashir,
            &[MANAGER_ROLE][..],
            "not recorded in Ladder",
        ),
    ] {
        let team = team_blue(id, user, roles);
        let outcome = w.adapter().handle(&h.http(), &team).await.unwrap();
        assert!(matches!(outcome, Outcome::Answered { .. }), "{outcome:?}");
        let sent = answers(&h.fake.records(), id);
        let text = shown(&sent);
        assert!(text.contains(refusal), "{text}");
        assert!(!text.contains("Team Blue"), "{text}");
        assert!(sent.iter().all(|r| r.files.is_empty()), "{sent:?}");
    }
    assert!(w.uploads().is_empty(), "nothing was attached");
}

#[tokio::test]
async fn the_leaderboard_shows_the_cohort_and_defuses_mass_mentions_in_names() {
    let Some(h) = harness() else { return };
    let http = h.http();
    let w = world().await;
    w.practise().await;
    let adapter = w.adapter();
    // Mallory joins through Discord with a server nickname that would ping everyone.
    let mallory = Who::in_guild("400000000000000950");
    let nick = Some("@everyone Mallory @here");
    let join = payloads::command("950000000000000301", &mallory, "join", json!([]));
    adapter
        .handle(&http, &dressed(join, &[], nick))
        .await
        .unwrap();
    let offer = answers(&h.fake.records(), "950000000000000301");
    let body = offer
        .iter()
        .map(|r| r.body.clone())
        .find(|b| b["components"].as_array().is_some_and(|c| !c.is_empty()))
        .expect("/join offers the tracks");
    let button = body["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = fake_discord::responses::message(&h.fake, "645027906669510667", &body, &[]);
    let click = payloads::click("950000000000000302", &mallory, &message, &button);
    let joined = adapter
        .handle(&http, &dressed(click, &[], nick))
        .await
        .unwrap();
    assert!(matches!(joined, Outcome::Answered { .. }), "{joined:?}");

    let id = "950000000000000303";
    let board = payloads::command(id, &Who::in_guild(COHORT[0].0), "leaderboard", json!([]));
    let outcome = adapter
        .handle(&http, &dressed(board, &[], None))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Answered { .. }), "{outcome:?}");
    let records = h.fake.records();
    let flags = deferral(&records, id)["data"]["flags"].as_u64();
    assert_eq!(flags.unwrap_or(0) & 64, 0, "posted for the channel");
    let sent = answers(&records, id);
    let text = shown(&sent);
    assert!(text.contains("Leaderboard, this week"), "{text}");
    // Ranked by what they got right, the caller marked.
    let rank = |name: &str| text.find(name).unwrap_or_else(|| panic!("{name}: {text}"));
    assert!(text.contains("1. Ada (you): "), "{text}");
    assert!(
        rank("Ada") < rank("Bashir") && rank("Bashir") < rank("Chloé"),
        "{text}"
    );
    assert!(text.contains("Mallory"), "{text}");
    assert!(
        !text.contains("@everyone") && !text.contains("@here"),
        "{text}"
    );
    assert!(text.contains("@\u{200B}everyone"), "{text}");
    let pings = |r: &Recorded| r.body["allowed_mentions"]["parse"] != json!([]);
    assert!(!sent.iter().any(pings), "mentions are off: {sent:?}");
}
