//! `ladder serve`: run the bot on every platform that has credentials (Discord, Slack
//! and/or Microsoft Teams, in one process).
//!
//! Wiring only: configuration → content → database (migrations) → the app → the platforms
//! (Discord: the gateway, slash commands, interactions; Slack: Socket Mode, or the signed
//! HTTP endpoint with `[slack] http_listen`), a planner that writes due daily prompts into
//! the outbox, and delivery workers that push the outbox through each platform's `Chat`.
//! With `--shards`, the instance claims a group of Discord shards through a lease in the
//! database, so several instances split the work and a standby takes over a crashed one.
//! Tokens come from the environment only (`DISCORD_TOKEN`, `SLACK_BOT_TOKEN`,
//! `SLACK_APP_TOKEN`, `SLACK_SIGNING_SECRET`) and are never logged; with none set, serve
//! refuses and names them.
//!
//! With `TEAMS_APP_ID`, `TEAMS_APP_PASSWORD` and `[teams] listen` set, the Bot Framework
//! messaging endpoint (`/api/messages`) runs too and the outbox also delivers to Teams;
//! Teams alone (no `DISCORD_TOKEN`) is a valid setup.
//!
//! With `[admin] listen` set, the operator's endpoints (`/healthz`, `/readyz`, `/metrics`)
//! run beside it. SIGTERM or Ctrl-C stops it cleanly: no new outbox rows are claimed,
//! claimed rows not yet sent are given back, SQLite is checkpointed, and it exits 0.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::app::closed_dms::ChannelFallback;
use crate::app::expert::AnswerCourier;
use crate::app::manage::notify::Notifier;
use crate::app::manage::posts::{PostSchedules, TeamPosts};
use crate::app::manage::{RolePolicy, Staffing};
use crate::app::policy::DailyPolicy;
use crate::app::records::{Records, StoreRecords};
use crate::app::App;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::delivery::notices::NoticeSource;
use crate::delivery::plan::{AppPlanner, Materialiser, TenantSchedule};
use crate::delivery::ratelimit::{RateConfig, RateLimiter};
use crate::delivery::reminders::Reminders;
use crate::delivery::slots::{parse_tz, CronSchedule};
use crate::delivery::worker::{Backoff, Worker, WorkerConfig};
use crate::ops::{self, AdminState, Connections, Health};
use crate::platform::discord::gateway::{self, DiscordOptions};
use crate::platform::discord::lease::{LeaseDb, ShardLeases, ShardPlan};
use crate::platform::discord::{DiscordChat, Responder};
use crate::platform::{Inbound, Platform};
use crate::store::health::DbProbe;
use crate::store::outbox::pg::PgOutbox;
use crate::store::outbox::sqlite::SqliteOutbox;
use crate::store::outbox::Outbox;
use crate::store::Store;

/// How often the planning loop runs; `/readyz` fails when it missed two passes.
const PLANNING_PERIOD: Duration = Duration::from_secs(60);

const MISSING_TOKEN: &str = "no platform to serve: DISCORD_TOKEN is not set, and neither \
    is SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Slack, Socket Mode) or with \
    SLACK_SIGNING_SECRET and [slack] http_listen (Slack, HTTP), nor TEAMS_APP_ID with \
    TEAMS_APP_PASSWORD and [teams] listen (Microsoft Teams). Set one platform's or several \
    (README.md, sections \"Discord\", \"Slack\" and \"Microsoft Teams\"); tokens are \
    read from the environment only.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Configuration file (default: ./ladder.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Total Discord shards, split across instances through leases in the database.
    /// Without it, this instance runs as many shards as Discord recommends.
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// Shards each instance runs (with --shards).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "shards")]
    pub shards_per_instance: u32,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(args.config.as_deref()).context("reading the configuration")?;
    let token = settings
        .discord
        .token
        .as_ref()
        .map(|t| t.expose().trim().to_owned())
        .filter(|t| !t.is_empty());
    let slack = slack_wiring::credentials(&settings.slack)?;
    let teams_on = teams_wanted(&settings.teams)?;
    if token.is_none() && slack.is_none() && !teams_on {
        bail!(MISSING_TOKEN);
    }
    let plan = match args.shards {
        Some(total) => Some(
            ShardPlan::new(total, args.shards_per_instance)
                .context("--shards and --shards-per-instance must be at least 1")?,
        ),
        None => None,
    };
    let library = load_content(&settings.content_dir)?;
    super::runtime()?.block_on(serve(settings, token, slack, library, plan))?;
    Ok(ExitCode::SUCCESS)
}

/// The configured content; the built-in sample tracks only when `content_dir` is left at its
/// default and no such directory exists (said on stderr and in the log).
fn load_content(dir: &std::path::Path) -> anyhow::Result<ladder_engine::Library> {
    use crate::content_source::{self, ContentDir, LoadError};
    match content_source::load(ContentDir::from_setting(dir)) {
        Ok(loaded) => {
            if let Some(note) = loaded.note() {
                tracing::warn!("serving the built-in sample content: no content directory");
                eprintln!("{note}");
            }
            Ok(loaded.library)
        }
        Err(LoadError::Invalid { origin, problems }) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!(
                "the content in {origin} did not load ({} problem(s) above)",
                problems.len()
            )
        }
        Err(err) => Err(err.into()),
    }
}

async fn serve(
    settings: Settings,
    token: Option<String>,
    slack: Option<slack_wiring::Credentials>,
    library: ladder_engine::Library,
    plan: Option<ShardPlan>,
) -> anyhow::Result<()> {
    let url = settings.database_url.expose();
    let store = crate::store::connect(url)
        .await
        .context("opening the database")?;
    let (outbox, leases_db) = pools(url)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let served: Vec<Platform> = [
        token.as_ref().map(|_| Platform::Discord),
        slack.as_ref().map(|_| Platform::Slack),
        teams_wanted(&settings.teams)?.then_some(Platform::Teams),
    ]
    .into_iter()
    .flatten()
    .collect();
    let health = Arc::new(Health::new(
        DbProbe::for_url(url).context("opening the database probe")?,
        served.clone(),
        Connections::global(),
        PLANNING_PERIOD,
        clock.clone(),
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let admin = start_admin(&settings, &health, stopped.clone()).await?;
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let library = Arc::new(library);
    let app = Arc::new(
        App::new(records.clone(), library.clone(), clock.clone())
            .with_policy(DailyPolicy::from_settings(&settings.schedules)?),
    );
    // Managers' and experts' commands: Discord role ids from config, grants from the store;
    // on Slack and Teams, which have no roles to map, the grant alone decides.
    let d = &settings.discord;
    let mut policy =
        RolePolicy::from_ids(&d.manager_role_ids, &d.expert_role_ids, &d.admin_role_ids);
    policy.grant_decides_without_platform_roles();
    app.set_staffing(Staffing::on_store(store.clone(), policy));

    let api_base = settings.discord.api_base.clone();
    let mut chats: Vec<Arc<dyn crate::platform::Chat>> = Vec::new();
    if let Some(token) = &token {
        let http = Arc::new(gateway::http_client(token, api_base.as_deref()));
        chats.push(Arc::new(DiscordChat::new(http)));
    }
    let slack_chat = slack
        .as_ref()
        .map(|c| slack_wiring::chat(c, settings.slack.api_base.as_deref()));
    if let Some(chat) = &slack_chat {
        chats.push(chat.clone());
    }
    let teams = match teams_wanted(&settings.teams)? {
        true => Some(
            start_teams(
                &settings.teams,
                Arc::clone(&app),
                &leases_db,
                stopped.clone(),
            )
            .await?,
        ),
        false => None,
    };
    if let Some((chat, _)) = &teams {
        chats.push(chat.clone());
    }
    let worker_id = instance_name();
    let limiter = rate_limiter(&settings.delivery);
    let closed_dms = Arc::new(ChannelFallback::new(
        store.clone(),
        settings
            .discord
            .fallback_channels
            .iter()
            .map(|(guild, channel)| (guild.clone(), channel.to_string()))
            .collect(),
    ));
    let mut delivery = tokio::task::JoinSet::new();
    for n in 0..settings.delivery.workers.max(1) {
        let worker = Worker::new(
            outbox.clone(),
            chats.clone(),
            limiter.clone(),
            clock.clone(),
            worker_config(&settings, format!("{worker_id}-{n}")),
        )
        .with_closed_dms(closed_dms.clone());
        delivery.spawn(worker.run(stopped.clone()));
    }
    let policy = DailyPolicy::from_settings(&settings.schedules)?;
    let planner = Arc::new(AppPlanner {
        app: Arc::clone(&app),
        records,
    });
    let materialiser = Materialiser::new(outbox.clone(), planner.clone(), clock.clone());
    let schedules = &settings.schedules;
    let posts = PostSchedules {
        digest: CronSchedule::parse(&schedules.digest_cron)
            .map_err(|e| anyhow::anyhow!("schedules.digest_cron: {e}"))?,
        board: CronSchedule::parse(&schedules.leaderboard_cron)
            .map_err(|e| anyhow::anyhow!("schedules.leaderboard_cron: {e}"))?,
        timezone: parse_tz(&schedules.timezone)
            .map_err(|e| anyhow::anyhow!("schedules.timezone: {e}"))?,
    };
    let notices: Vec<Box<dyn NoticeSource>> = vec![
        Box::new(Notifier::new(store.clone(), library.clone(), clock.clone())),
        Box::new(AnswerCourier::new(store.clone(), library, clock.clone())),
        Box::new(TeamPosts::new(Arc::clone(&app), store.clone(), posts)),
    ];
    let reminders = Reminders::new(
        outbox.clone(),
        planner.clone(),
        clock.clone(),
        chrono::Duration::seconds(settings.delivery.reminder_after_secs as i64),
    );
    let loops = PlanLoop {
        materialiser,
        reminders,
        notices,
        policy,
        health: Arc::clone(&health),
    };
    let pruning = tokio::spawn(crate::delivery::retention::prune_forever(
        store.clone(),
        clock.clone(),
        settings.delivery.sent_retention_days,
    ));
    let planning = tokio::spawn(plan_forever(loops, store, served, stopped.clone()));

    let slack_on = slack.is_some();
    let slack_run = slack_wiring::run(slack, slack_chat, Arc::clone(&app), stopped.clone());
    let responder = move |inbound: Inbound| {
        let app = Arc::clone(&app);
        async move { app.handle(inbound).await }
    };
    let discord_run = async {
        let Some(token) = token else {
            if !slack_on {
                // Teams alone: its endpoint runs until SIGTERM or Ctrl-C.
                ops::shutdown::requested().await;
                return Ok(());
            }
            return std::future::pending().await;
        };
        let options = DiscordOptions {
            token,
            api_base,
            dev_guilds: settings.discord.guild_ids.clone(),
            shards: None,
        };
        let application_id = settings.discord.application_id;
        match plan {
            None => run_until_stopped(gateway::run(options, responder, application_id)).await,
            Some(plan) => {
                let leases =
                    ShardLeases::new(leases_db, worker_id, chrono::Duration::seconds(60), clock);
                run_sharded(options, responder, application_id, &leases, plan).await
            }
        }
    };
    let result = tokio::select! {
        r = discord_run => r,
        r = slack_run => r,
    };
    pruning.abort();
    if let Some((_, endpoint)) = teams {
        let _ = stop.send(true);
        let _ = endpoint.await;
    }
    shut_down(stop, planning, delivery, admin, &health).await;
    result
}

/// Starts the admin endpoints when `[admin] listen` is set; a taken address is an error.
async fn start_admin(
    settings: &Settings,
    health: &Arc<Health>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(addr) = settings.admin.listen else {
        return Ok(None);
    };
    let metrics = ops::metrics::install().map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("admin.listen: cannot listen on {addr}"))?;
    let state = AdminState {
        health: Arc::clone(health),
        metrics: Some(metrics),
    };
    Ok(Some(tokio::spawn(async move {
        if let Err(err) = ops::serve(listener, state, stopped).await {
            tracing::error!(%err, "the admin endpoints stopped");
        }
    })))
}

/// Stops the loops in order: planning and claiming stop, workers finish or give back
/// what they hold, then the database is checkpointed and closed, then the admin endpoints.
async fn shut_down(
    stop: tokio::sync::watch::Sender<bool>,
    planning: tokio::task::JoinHandle<()>,
    mut delivery: tokio::task::JoinSet<()>,
    admin: Option<tokio::task::JoinHandle<()>>,
    health: &Health,
) {
    tracing::info!("stopping: no new work is claimed");
    let _ = stop.send(true);
    let _ = planning.await;
    while delivery.join_next().await.is_some() {}
    Connections::global().report(Platform::Discord, 0, 0);
    Connections::global().report(Platform::Slack, 0, 0);
    if let Err(err) = health.db().checkpoint_and_close().await {
        tracing::warn!(%err, "the final database checkpoint failed");
    }
    if let Some(admin) = admin {
        let _ = admin.await;
    }
    tracing::info!("stopped");
}

/// What the minute loop plans for every tenant.
struct PlanLoop {
    materialiser: Materialiser,
    reminders: Reminders,
    notices: Vec<Box<dyn NoticeSource>>,
    policy: DailyPolicy,
    health: Arc<Health>,
}

/// Plans due daily prompts, reminders and notices (notifications, answers, digests,
/// leaderboard posts) into the outbox once a minute (the workers send them).
async fn plan_forever(
    loops: PlanLoop,
    store: Arc<dyn Store>,
    served: Vec<Platform>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(PLANNING_PERIOD);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
        // Every tenant (guild, workspace) of a served platform someone joined from; the
        // outbox reserves each slot once, so every instance may plan them all.
        let tenants = match store.tenants().await {
            Ok(all) => all.into_iter().filter(|t| served.contains(&t.platform)),
            Err(err) => {
                tracing::warn!(%err, "listing tenants failed; retrying next minute");
                continue;
            }
        };
        for tenant in tenants {
            if *stop.borrow() {
                return;
            }
            for source in &loops.notices {
                if let Err(err) = source.queue(&tenant).await {
                    let what = source.name();
                    tracing::warn!(%err, what, "queueing notices failed; retrying next minute");
                }
            }
            let schedule = TenantSchedule {
                tenant: tenant.external_id,
                name: "daily".to_owned(),
                policy: loops.policy.clone(),
            };
            match loops.materialiser.plan(&schedule).await {
                Ok(planned) => ops::metrics::planned(tenant.platform, planned.composed as u64),
                Err(err) => {
                    tracing::warn!(%err, "planning daily prompts failed; retrying next minute")
                }
            }
            if let Err(err) = loops.reminders.queue(&schedule).await {
                tracing::warn!(%err, "queueing reminders failed; retrying next minute");
            }
        }
        loops.health.planning_ran();
        refresh_backlog(&loops.health).await;
    }
}

/// The outbox gauges (`ladder_outbox_depth`, oldest pending age), once per pass.
async fn refresh_backlog(health: &Health) {
    let now = SystemClock.now();
    match health.db().backlog(now).await {
        Ok(b) => ops::metrics::outbox(b.open, b.oldest_age(now)),
        Err(err) => tracing::warn!(%err, "measuring the outbox failed"),
    }
}

/// The platforms' published limits, lowered to `delivery.rate_per_sec` when that is less.
fn rate_limiter(d: &crate::config::Delivery) -> RateLimiter {
    let lowered = |mut c: RateConfig| {
        if d.rate_per_sec > 0.0 && d.rate_per_sec < c.per_second {
            c.per_second = d.rate_per_sec;
            c.burst = (d.rate_per_sec.ceil() as u32).clamp(1, c.burst);
        }
        c
    };
    RateLimiter::new([
        (Platform::Discord, lowered(RateConfig::DISCORD)),
        (Platform::Slack, lowered(RateConfig::SLACK)),
        (Platform::Teams, lowered(RateConfig::TEAMS)),
    ])
}

/// A delivery worker as configured: its claim lease, retry pace, and how late a message
/// may still go out (a daily question no later than its time to live).
fn worker_config(settings: &Settings, worker_id: String) -> WorkerConfig {
    let d = &settings.delivery;
    let defaults = WorkerConfig::default();
    let ttl = settings.schedules.prompt_ttl_hours;
    WorkerConfig {
        worker_id,
        lease: chrono::Duration::seconds(d.lease_secs.max(5) as i64),
        backoff: Backoff {
            base: chrono::Duration::seconds(d.retry_base_secs.max(1) as i64),
            max: chrono::Duration::seconds(d.retry_max_secs.max(d.retry_base_secs) as i64),
            temporary_limit: d.max_attempts.max(1) as i32,
            ..defaults.backoff
        },
        max_lateness: if ttl > 0 {
            chrono::Duration::hours(i64::from(ttl))
        } else {
            defaults.max_lateness
        },
        ..defaults
    }
}

/// Claims a group of shards (waiting as a standby if none is free), runs it while the
/// lease holds, and gives it back on the way out.
async fn run_sharded<R: Responder + 'static>(
    mut options: DiscordOptions,
    responder: R,
    application_id: Option<u64>,
    leases: &ShardLeases,
    plan: ShardPlan,
) -> anyhow::Result<()> {
    let group = tokio::select! {
        group = leases.claim_when_free(plan) => group.context("claiming shards")?,
        () = ops::shutdown::requested() => return Ok(()),
    };
    tracing::info!(group, shards = ?plan.range(group), total = plan.total, "running shards");
    options.shards = Some((plan.range(group), plan.total));
    let result = tokio::select! {
        r = run_until_stopped(gateway::run(options, responder, application_id)) => r,
        () = leases.keep(plan, group) => {
            Err(anyhow::anyhow!("lost the lease on shard group {group}; stopping"))
        }
    };
    if let Err(err) = leases.release(group).await {
        tracing::warn!(%err, "releasing the shard lease failed; it expires by itself");
    }
    result
}

#[path = "serve/slack_wiring.rs"]
pub mod slack_wiring;

/// Runs the gateway until it fails or the process gets SIGTERM or Ctrl-C.
async fn run_until_stopped(
    gateway: impl std::future::Future<Output = Result<(), crate::platform::discord::DiscordError>>,
) -> anyhow::Result<()> {
    tokio::select! {
        r = gateway => r.context("the Discord gateway stopped"),
        () = ops::shutdown::requested() => Ok(()),
    }
}

/// Small pools for the outbox worker and the shard leases, on the store's database.
fn pools(url: &str) -> anyhow::Result<(Arc<dyn Outbox>, LeaseDb)> {
    if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)?
            .busy_timeout(Duration::from_secs(5))
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_lazy_with(opts);
        return Ok((
            Arc::new(SqliteOutbox::new(pool.clone())),
            LeaseDb::Sqlite(pool),
        ));
    }
    let opts = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_lazy_with(opts);
    Ok((
        Arc::new(PgOutbox::new(pool.clone())),
        LeaseDb::Postgres(pool),
    ))
}

/// Names this process in leases and claimed outbox rows.
fn instance_name() -> String {
    crate::instance::id().to_owned()
}

/// Whether Teams is configured: the app id, its password and `[teams] listen` together.
/// Some but not all of them is a mistake worth stopping for.
fn teams_wanted(t: &crate::config::Teams) -> anyhow::Result<bool> {
    let parts = [
        ("TEAMS_APP_ID", t.app_id.is_some()),
        ("TEAMS_APP_PASSWORD", t.app_password.is_some()),
        ("[teams] listen (LADDER_TEAMS__LISTEN)", t.listen.is_some()),
    ];
    let set = parts.iter().filter(|(_, on)| *on).count();
    if set == 0 {
        return Ok(false);
    }
    if set < parts.len() {
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(_, on)| !on)
            .map(|(n, _)| *n)
            .collect();
        bail!(
            "Microsoft Teams is half configured: {} not set (README.md, section \"Microsoft \
             Teams\")",
            missing.join(", ")
        );
    }
    Ok(true)
}

/// Starts the Teams messaging endpoint; returns the Teams `Chat` for the delivery workers
/// and the endpoint's task (it stops when `stopped` turns true).
async fn start_teams(
    t: &crate::config::Teams,
    app: Arc<App>,
    db: &LeaseDb,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<(Arc<dyn crate::platform::Chat>, tokio::task::JoinHandle<()>)> {
    use crate::platform::teams::{auth, connector, refs, server, TeamsChat};
    let (Some(app_id), Some(password), Some(addr)) = (&t.app_id, &t.app_password, t.listen) else {
        bail!("Microsoft Teams is not configured");
    };
    let refs = match db {
        LeaseDb::Sqlite(pool) => refs::RefStore::Sqlite(pool.clone()),
        LeaseDb::Postgres(pool) => refs::RefStore::Postgres(pool.clone()),
    };
    let connector = Arc::new(connector::Connector::new(connector::Credentials {
        app_id: app_id.clone(),
        password: password.clone(),
        token_url: t.token_endpoint(),
    }));
    let responder = move |inbound: Inbound| {
        let app = Arc::clone(&app);
        async move { app.handle(inbound).await }
    };
    let endpoint = Arc::new(server::Endpoint::new(
        auth::TokenValidator::new(app_id.clone(), t.openid_metadata_url.clone()),
        Arc::clone(&connector),
        refs.clone(),
        Arc::new(responder),
    ));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("teams.listen: cannot listen on {addr}"))?;
    tracing::info!(%addr, "Teams messaging endpoint listening on /api/messages");
    let task = tokio::spawn(async move {
        if let Err(err) = server::serve(listener, endpoint, stopped).await {
            tracing::error!(%err, "the Teams endpoint stopped");
        }
    });
    Ok((Arc::new(TeamsChat::new(connector, refs)), task))
}
