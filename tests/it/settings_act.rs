//! The `[schedules]` settings act, on SQLite and on Postgres: a tenant's `prompt_cron` in
//! its `timezone` decides when a new joiner's first push comes (until the learner picks a
//! time of their own), `daily_new_cap` and `daily_review_cap` bound what a day brings,
//! `prompt_ttl_hours` expires an unanswered push, and `/settings notices …` stops a
//! manager's notifications and digests while others still get theirs.
//!
//! Everything goes through `App::handle` and the outbox planner (`Materialiser` over the
//! app's own `AppPlanner`), as `ladder serve` wires them.

use crate::staff_world;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use ladder::app::action::{Action, PromptRef};
use ladder::app::manage::notify::Notifier;
use ladder::app::manage::posts::{PostSchedules, TeamPosts};
use ladder::app::manage::{RolePolicy, Staffing};
use ladder::app::policy::DailyPolicy;
use ladder::app::records::{LearnerKey, Records, StoreRecords};
use ladder::app::App;
use ladder::clock::{Clock, VirtualClock};
use ladder::config::Schedules;
use ladder::delivery::notices::NoticeSource;
use ladder::delivery::plan::{AppPlanner, Materialiser, TenantSchedule};
use ladder::delivery::slots::{parse_tz, CronSchedule};
use ladder::platform::local::cohort;
use ladder::platform::{Actor, Destination, Inbound, InboundKind, Reply};
use ladder::store::outbox::{Claimed, MessageKind, Outbox};
use ladder::store::{NewTeam, RoleKind, RoleScope, Store};
use staff_world::{actor, on_both_stores, on_both_stores_twice, text};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The app with a tenant's `[schedules]`, and the planner `serve` runs each minute.
struct Tenant {
    app: Arc<App>,
    store: Arc<dyn Store>,
    records: Arc<dyn Records>,
    clock: Arc<VirtualClock>,
    materialiser: Materialiser,
    schedule: TenantSchedule,
    planner: Arc<AppPlanner>,
    events: AtomicU64,
}

impl Tenant {
    fn new(store: Arc<dyn Store>, start: DateTime<Utc>, schedules: Schedules) -> Tenant {
        let library = Arc::new(staff_world::library());
        let clock = Arc::new(VirtualClock::new(start));
        let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
        let policy = DailyPolicy::from_settings(&schedules).expect("valid schedules");
        let app = App::new(records.clone(), library, clock.clone()).with_policy(policy.clone());
        app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
        let app = Arc::new(app);
        let planner = Arc::new(AppPlanner {
            app: app.clone(),
            records: records.clone(),
        });
        let outbox: Arc<dyn Outbox> = store.clone();
        let materialiser = Materialiser::new(outbox, planner.clone(), clock.clone());
        Tenant {
            app,
            store,
            records,
            clock,
            materialiser,
            schedule: TenantSchedule {
                tenant: "acme".into(),
                name: "daily".into(),
                policy,
            },
            planner,
            events: AtomicU64::new(0),
        }
    }

    async fn send(&self, who: &Actor, kind: InboundKind) -> Vec<Reply> {
        let n = self.events.fetch_add(1, Ordering::Relaxed);
        let inbound = Inbound {
            actor: who.clone(),
            event_id: format!("e{n}-{}", who.user),
            kind,
        };
        self.app.handle(inbound).await
    }

    async fn cmd(&self, who: &Actor, name: &str, args: &str) -> String {
        let kind = InboundKind::Command {
            name: name.into(),
            args: args.into(),
        };
        text(&self.send(who, kind).await)
    }

    /// `/join` of the first track, as a new colleague does.
    async fn join(&self, who: &Actor) -> String {
        let track = self.app.library().tracks[0].id.to_string();
        self.cmd(who, "join", &track).await
    }

    /// One planning pass now; how many learners were due.
    async fn plan(&self) -> usize {
        self.materialiser.plan(&self.schedule).await.unwrap().due
    }

    fn at(&self, t: DateTime<Utc>) {
        self.clock.advance(t - self.clock.now());
    }

    /// The daily pushes planned so far, to whom and when due.
    async fn pushes(&self) -> Vec<Claimed> {
        queued(&self.store, "daily").await
    }

    async fn reveal(&self, who: &Actor, prompt: &PromptRef) -> String {
        let reveal = Action::Reveal {
            prompt: prompt.clone(),
        };
        let kind = InboundKind::Action {
            actions: vec![reveal.encode()],
        };
        text(&self.send(who, kind).await)
    }

    /// Answers the question right, `think` after it was shown.
    async fn answer_right(&self, who: &Actor, prompt: &PromptRef, think: Duration) -> Vec<Reply> {
        self.clock.advance(think);
        let kind = cohort::answer_for(&self.app, who, prompt, true)
            .await
            .unwrap()
            .expect("an answer to the prompt");
        self.send(who, kind).await
    }
}

/// Everything queued so far under a schedule name prefix, claimed as a far-future worker
/// would.
async fn queued(store: &Arc<dyn Store>, prefix: &str) -> Vec<Claimed> {
    let later = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let all = store.claim("test", later, Duration::minutes(5), 10_000);
    all.await
        .unwrap()
        .into_iter()
        .filter(|c| c.key.schedule.starts_with(prefix))
        .collect()
}

fn to(c: &Claimed) -> &str {
    match &c.message.destination {
        Destination::Direct { user } => user,
        Destination::Channel { channel } => channel,
    }
}

fn prompt_of(c: &Claimed) -> PromptRef {
    let id = c.message.prompt_ref.as_deref().expect("a daily prompt");
    PromptRef::parse(id).unwrap()
}

fn paris(cron: &str) -> Schedules {
    Schedules {
        prompt_cron: cron.into(),
        timezone: "Europe/Paris".into(),
        ..Schedules::default()
    }
}

/// Monday 2 March 2026 (Paris is UTC+1).
fn monday(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
}

#[tokio::test]
async fn a_new_joiner_follows_the_tenant_cron_in_the_tenant_timezone() {
    on_both_stores("cron_in_tenant_tz", cron_in_tenant_tz).await;
}

async fn cron_in_tenant_tz(store: Arc<dyn Store>) {
    let t = Tenant::new(store, monday(5, 0), paris("0 30 7 * * *"));
    let ana = actor("acme", "ana", &[]);
    let ben = actor("acme", "ben", &[]);
    let joined = t.join(&ana).await;
    assert!(joined.contains("07:30 (Europe/Paris)"), "{joined}");
    t.join(&ben).await;
    let chose = t.cmd(&ben, "settings", "time 10:00").await;
    assert!(chose.contains("10:00"), "{chose}");
    let shown = t.cmd(&ana, "settings", "").await;
    assert!(shown.contains("07:30 (Europe/Paris) on Mon"), "{shown}");
    assert!(shown.contains("your team's"), "{shown}");

    // 07:29 in Paris: nobody yet. 07:30 in Paris (06:30 UTC): Ana, not Ben.
    t.at(monday(6, 29));
    assert_eq!(t.plan().await, 0);
    t.at(monday(6, 30));
    assert_eq!(t.plan().await, 1);
    let pushes = t.pushes().await;
    assert_eq!(pushes.len(), 1);
    assert_eq!(to(&pushes[0]), "ana");
    assert_eq!(pushes[0].due_at, monday(6, 30), "07:30 Paris time");
    assert_eq!(pushes[0].key.kind, MessageKind::Daily);

    // Ben chose 10:00: in the tenant's timezone too, since he set none.
    t.at(monday(8, 59));
    assert_eq!(t.plan().await, 1, "only Ana is due, and already planned");
    assert!(t.pushes().await.is_empty());
    t.at(monday(9, 0));
    t.plan().await;
    let pushes = t.pushes().await;
    assert_eq!(pushes.len(), 1);
    assert_eq!((to(&pushes[0]), pushes[0].due_at), ("ben", monday(9, 0)));

    // Ben goes back to the team's time; Ana moves to Tokyo and keeps the cron's 07:30 there.
    t.cmd(&ben, "settings", "time default").await;
    t.cmd(&ana, "settings", "timezone Asia/Tokyo").await;
    // Tuesday 07:30 in Tokyo is Monday 22:30 UTC.
    t.at(monday(22, 30));
    t.plan().await;
    let pushes = t.pushes().await;
    assert_eq!(pushes.len(), 1);
    assert_eq!(to(&pushes[0]), "ana");
    assert_eq!(
        pushes[0].key.slot_date,
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
    );
    // Tuesday 07:30 Paris: Ben again at the team's time.
    t.at(monday(6, 30) + Duration::days(1));
    t.plan().await;
    let pushes = t.pushes().await;
    assert_eq!(pushes.len(), 1);
    assert_eq!(to(&pushes[0]), "ben");
}

/// Per local day of a learner's prompts: (new items, reviews) asked.
async fn per_day(t: &Tenant, who: &Actor) -> BTreeMap<NaiveDate, (u32, u32)> {
    let mut prompts = t.records.prompts(&LearnerKey::of(who)).await.unwrap();
    prompts.sort_by_key(|p| p.created_at);
    let mut seen = HashSet::new();
    let mut days: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    for p in prompts {
        let day = days.entry(p.created_at.date_naive()).or_default();
        if seen.insert(p.item.clone()) {
            day.0 += 1;
        } else {
            day.1 += 1;
        }
    }
    days
}

/// A learner who joined everything takes each day's push (08:00 UTC) for `days` days and
/// answers every question right but slowly, so reviews come back within days.
async fn practise_days(t: &Tenant, who: &Actor, days: i64) {
    let tracks: Vec<_> = t
        .app
        .library()
        .tracks
        .iter()
        .map(|x| x.id.clone())
        .collect();
    t.app.enrol(who, &tracks).await.unwrap();
    let start = t.clock.now();
    for day in 0..days {
        t.at(start + Duration::days(day));
        t.plan().await;
        for push in t.pushes().await {
            let shown = t.reveal(who, &prompt_of(&push)).await;
            assert!(!shown.contains("expired"), "{shown}");
            let mut prompt = Some(prompt_of(&push));
            for _ in 0..10 {
                let Some(p) = prompt else { break };
                let replies = t.answer_right(who, &p, Duration::seconds(90)).await;
                prompt = cohort::open_question(&replies).filter(|next| *next != p);
            }
        }
    }
}

fn daily_at_8(new: u32, reviews: u32) -> Schedules {
    Schedules {
        prompt_cron: "0 0 8 * * *".into(),
        daily_new_cap: new,
        daily_review_cap: reviews,
        ..Schedules::default()
    }
}

#[tokio::test]
async fn daily_review_cap_bounds_the_reviews_of_a_day() {
    on_both_stores_twice("review_cap", review_cap).await;
}

async fn review_cap(one: Arc<dyn Store>, three: Arc<dyn Store>) {
    let pat = actor("acme", "pat", &[]);
    let capped = Tenant::new(one, monday(8, 0), daily_at_8(2, 1));
    practise_days(&capped, &pat, 8).await;
    let loose = Tenant::new(three, monday(8, 0), daily_at_8(2, 3));
    practise_days(&loose, &pat, 8).await;
    let capped = per_day(&capped, &pat).await;
    let loose = per_day(&loose, &pat).await;
    assert!(capped.values().all(|d| d.1 <= 1), "{capped:?}");
    assert!(
        capped.values().any(|d| d.1 == 1),
        "reviews came: {capped:?}"
    );
    assert!(loose.values().any(|d| d.1 >= 2), "{loose:?}");
    assert!(loose.values().all(|d| d.1 <= 3), "{loose:?}");
}

#[tokio::test]
async fn daily_new_cap_bounds_the_new_items_of_a_day_and_a_learner_cap_lowers_it() {
    on_both_stores_twice("new_cap", new_cap).await;
}

async fn new_cap(one: Arc<dyn Store>, four: Arc<dyn Store>) {
    let pat = actor("acme", "pat", &[]);
    let capped = Tenant::new(one, monday(8, 0), daily_at_8(1, 3));
    practise_days(&capped, &pat, 3).await;
    let loose = Tenant::new(four, monday(8, 0), daily_at_8(4, 3));
    practise_days(&loose, &pat, 2).await;
    let capped_days = per_day(&capped, &pat).await;
    let loose_days = per_day(&loose, &pat).await;
    assert!(capped_days.values().all(|d| d.0 == 1), "{capped_days:?}");
    assert!(loose_days.values().all(|d| d.0 == 4), "{loose_days:?}");
    // Practice on demand stays within the tenant's cap too.
    let more = capped.cmd(&pat, "practice", "").await;
    assert!(more.contains("today's 1 new questions"), "{more}");

    // The learner's own cap lowers the tenant's: one question on the next day.
    let said = loose.cmd(&pat, "settings", "cap 1").await;
    assert!(
        said.contains("Up to 1 new question(s) and 1 review(s)"),
        "{said}"
    );
    loose.at(monday(8, 0) + Duration::days(2));
    practise_days(&loose, &pat, 1).await;
    let last = per_day(&loose, &pat).await;
    let (_, today) = last.last_key_value().unwrap();
    assert_eq!(today.0 + today.1, 1, "{last:?}");
}

#[tokio::test]
async fn an_answer_after_the_prompt_ttl_is_refused_as_expired() {
    on_both_stores("prompt_ttl", prompt_ttl).await;
}

async fn prompt_ttl(store: Arc<dyn Store>) {
    let schedules = Schedules {
        prompt_ttl_hours: 2,
        ..daily_at_8(2, 3)
    };
    let t = Tenant::new(store, monday(7, 0), schedules);
    let (ana, ben) = (actor("acme", "ana", &[]), actor("acme", "ben", &[]));
    t.join(&ana).await;
    t.join(&ben).await;
    let practised = t
        .records
        .reviews(&LearnerKey::of(&ana))
        .await
        .unwrap()
        .len();
    t.at(monday(8, 0));
    assert_eq!(t.plan().await, 2);
    let pushes = t.pushes().await;
    let of = |who: &str| prompt_of(pushes.iter().find(|c| to(c) == who).unwrap());
    let (for_ana, for_ben) = (of("ana"), of("ben"));

    // Ben answers after an hour: counted.
    t.at(monday(9, 0));
    t.reveal(&ben, &for_ben).await;
    let said = text(&t.answer_right(&ben, &for_ben, Duration::seconds(5)).await);
    assert!(!said.contains("expired"), "{said}");
    assert!(!t.planner_open(&for_ben).await, "answered");

    // Ana comes back three hours after the push: expired, said so, not counted.
    t.at(monday(11, 0));
    assert!(
        !t.planner_open(&for_ana).await,
        "no reminder for an expired push"
    );
    let shown = t.reveal(&ana, &for_ana).await;
    assert!(shown.contains("expired"), "{shown}");
    assert!(shown.contains("2 hours"), "{shown}");
    let said = text(&t.answer_right(&ana, &for_ana, Duration::seconds(5)).await);
    assert!(said.contains("This question expired"), "{said}");
    let reviews = t.records.reviews(&LearnerKey::of(&ana)).await.unwrap();
    assert_eq!(reviews.len(), practised, "the late answer is not counted");
    // It no longer blocks: practice goes on.
    let more = t.cmd(&ana, "practice", "").await;
    assert!(!more.contains("expired"), "{more}");

    // A slot older than the time to live (the service was down) is not planned late.
    let cy = actor("acme", "cy", &[]);
    t.join(&cy).await;
    t.at(monday(10, 1) + Duration::days(1));
    assert_eq!(t.plan().await, 0, "Tuesday 08:00 + 2 h has passed");
}

impl Tenant {
    /// Whether the reminder planner still sees the prompt as waiting for an answer.
    async fn planner_open(&self, prompt: &PromptRef) -> bool {
        use ladder::delivery::plan::DayPlanner;
        self.planner.still_open(prompt.as_str()).await.unwrap()
    }
}

#[tokio::test]
async fn notices_turned_off_in_settings_stop_notifications_and_digests() {
    on_both_stores("notices_off", notices_off).await;
}

async fn notices_off(store: Arc<dyn Store>) {
    let start = monday(9, 0);
    let t = Tenant::new(store, start, Schedules::default());
    let staff =
        ["mgr", "quiet", "nodigest", "noexpert"].map(|u| actor("acme", u, &["manager", "expert"]));
    for who in &staff {
        t.join(who).await;
    }
    let tracks: Vec<_> = t
        .app
        .library()
        .tracks
        .iter()
        .map(|x| x.id.clone())
        .collect();
    cohort::seed(&t.app, &t.clock, "acme", &tracks, 1, 0)
        .await
        .unwrap();
    let tenant = t
        .store
        .find_tenant(ladder::platform::Platform::Local, "acme");
    let tenant = tenant.await.unwrap().unwrap();
    let blue = t.store.add_team(NewTeam {
        tenant: tenant.id,
        name: "Blue".into(),
        channel_id: None,
        prompt_cron: None,
        leaderboard_cron: None,
    });
    let blue = blue.await.unwrap();
    for user in ["sim-eun-ji", "sim-femi", "sim-grace", "sim-hiro"] {
        let l = t.store.learner_by_platform_user(tenant.id, user).await;
        t.store
            .add_member(blue.id, l.unwrap().unwrap().id)
            .await
            .unwrap();
    }
    for who in &staff {
        let l = t.store.learner_by_platform_user(tenant.id, &who.user).await;
        let learner = l.unwrap().unwrap().id;
        let roles = [
            (RoleKind::Manager, RoleScope::Team(blue.id)),
            (RoleKind::Expert, RoleScope::Tenant),
        ];
        for (kind, scope) in roles {
            let role = ladder::store::Role {
                learner,
                kind,
                scope,
            };
            t.store.grant_role(&role).await.unwrap();
        }
    }
    let off = t.cmd(&staff[1], "settings", "notices off").await;
    assert!(off.contains("Notices are off"), "{off}");
    let off = t.cmd(&staff[2], "settings", "notices digest off").await;
    assert!(off.contains("Weekly digests are off"), "{off}");
    let off = t.cmd(&staff[3], "settings", "notices expert off").await;
    assert!(off.contains("Notices about your skills are off"), "{off}");
    let shown = t.cmd(&staff[2], "settings", "").await;
    assert!(
        shown.contains("team notices on, skill notices on, digests off"),
        "{shown}"
    );

    // A month of the weak cohort, the notifier and the digests running daily.
    let library = Arc::new(staff_world::library());
    let notifier = Notifier::new(t.store.clone(), library, t.clock.clone());
    let digests = PostSchedules {
        digest: CronSchedule::parse("0 0 8 * * Mon").unwrap(),
        board: CronSchedule::parse("0 0 16 * * Fri").unwrap(),
        timezone: parse_tz("UTC").unwrap(),
    };
    let posts = TeamPosts::new(t.app.clone(), t.store.clone(), digests);
    // Each day ends at 09:00 the next day, past Monday's 08:00 digest time.
    for day in 1..30 {
        cohort::seed(&t.app, &t.clock, "acme", &tracks, 1, day)
            .await
            .unwrap();
        notifier.queue(&tenant).await.unwrap();
        posts.queue(&tenant).await.unwrap();
    }
    // One claim takes every row; split it by kind.
    let (notices, digests): (Vec<Claimed>, Vec<Claimed>) = queued(&t.store, "")
        .await
        .into_iter()
        .filter(|c| !c.key.schedule.starts_with("daily"))
        .partition(|c| c.key.schedule.starts_with("notify:"));
    assert!(digests
        .iter()
        .all(|c| c.key.schedule.starts_with("digest:")));
    let count = |rows: &[Claimed], who: &str| rows.iter().filter(|c| to(c) == who).count();
    let expert = |who: &str| {
        let about_skill =
            |c: &&Claimed| text(std::slice::from_ref(&c.message.reply)).contains("keeps missing");
        notices
            .iter()
            .filter(|c| to(c) == who)
            .filter(about_skill)
            .count()
    };
    assert!(
        expert("mgr") > 0,
        "a month of a weak cohort brings expert notices"
    );
    assert!(
        count(&digests, "mgr") >= 4,
        "a digest each Monday: {}",
        count(&digests, "mgr")
    );
    assert_eq!(count(&notices, "quiet"), 0, "all notices off");
    assert_eq!(count(&digests, "quiet"), 0, "all notices off");
    assert_eq!(count(&digests, "nodigest"), 0, "digests off");
    assert_eq!(
        count(&notices, "nodigest"),
        count(&notices, "mgr"),
        "other notices on"
    );
    assert_eq!(expert("noexpert"), 0, "expert notices off");
    assert_eq!(
        count(&notices, "noexpert"),
        count(&notices, "mgr") - expert("mgr"),
        "manager notices still on"
    );
    assert_eq!(count(&digests, "noexpert"), count(&digests, "mgr"));
    let help = t.cmd(&staff[0], "help", "").await;
    assert!(help.contains("notices off"), "{help}");
}
