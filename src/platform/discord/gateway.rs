//! The running bot: the serenity client, slash-command registration, the gateway event
//! handler that feeds the one [`Adapter`], and the shard watchdog.
//!
//! I/O lives here (gateway, HTTP); everything it calls is the pure parse/render code or the
//! app through [`Responder`].

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serenity::all::{
    ApplicationId, Command, ConnectionStage, Context, EventHandler, GatewayIntents, GuildId, Http,
    HttpBuilder, Interaction, Ready, ShardId, ShardManager,
};
use serenity::async_trait;

use super::commands;
use super::handler::{Adapter, DiscordError, Responder};
use super::render::no_mentions;

/// What `ladder serve` needs to run the Discord side.
#[derive(Clone)]
pub struct DiscordOptions {
    /// The bot token (secret: never logged; `Debug` redacts it).
    pub token: String,
    /// Send REST calls to this base URL instead of discord.com (a proxy or a test fake).
    pub api_base: Option<String>,
    /// Register commands in these guilds only (instant, for development); empty: globally.
    pub dev_guilds: Vec<u64>,
    /// The shards this instance runs (`range` of `total`); `None`: as many as Discord says,
    /// all here.
    pub shards: Option<(Range<u32>, u32)>,
}

impl fmt::Debug for DiscordOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordOptions")
            .field("token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("dev_guilds", &self.dev_guilds)
            .field("shards", &self.shards)
            .finish()
    }
}

/// The REST client every Discord call goes through. Mentions are off by default, because
/// scheduled posts are built far from any interaction and must not ping either. With an
/// `api_base`, serenity's own rate limiter is off (it would ignore the base otherwise).
pub fn http_client(token: &str, api_base: Option<&str>) -> Http {
    http_builder(token, api_base).build()
}

/// The builder behind [`http_client`], for callers that also bring their own HTTP client.
pub fn http_builder(token: &str, api_base: Option<&str>) -> HttpBuilder {
    let mut builder = HttpBuilder::new(token).default_allowed_mentions(no_mentions());
    if let Some(base) = api_base {
        builder = builder.proxy(base).ratelimiter_disabled(true);
    }
    builder
}

/// Replaces the bot's slash commands: in each of `guilds`, or globally when empty.
#[tracing::instrument(skip_all, fields(guilds = guilds.len()))]
pub async fn register_commands(http: &Http, guilds: &[u64]) -> Result<usize, DiscordError> {
    let list = commands::all();
    let count = list.len();
    if guilds.is_empty() {
        Command::set_global_commands(http, list).await?;
    } else {
        for &guild in guilds {
            GuildId::new(guild).set_commands(http, list.clone()).await?;
        }
    }
    Ok(count)
}

struct Events<R> {
    adapter: Arc<Adapter<R>>,
    dev_guilds: Vec<u64>,
}

#[async_trait]
impl<R: Responder + 'static> EventHandler for Events<R> {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(shard = ?ready.shard, guilds = ready.guilds.len(), "gateway ready");
        ctx.http.set_application_id(ready.application.id);
        // Every shard reports ready; shard 0 (present in every deployment) registers.
        if !matches!(ready.shard, Some(s) if s.id.0 != 0) {
            match register_commands(&ctx.http, &self.dev_guilds).await {
                Ok(n) => tracing::info!(commands = n, "slash commands registered"),
                Err(err) => tracing::error!(%err, "registering slash commands failed"),
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let adapter = Arc::clone(&self.adapter);
        // Own task: a slow app must not hold up the shard's event loop.
        tokio::spawn(async move {
            if let Err(err) = adapter.handle(&ctx.http, &interaction).await {
                tracing::warn!(%err, "interaction not answered");
            }
        });
    }
}

/// Connects to the gateway and serves interactions until the process is stopped.
#[tracing::instrument(skip_all)]
pub async fn run<R: Responder + 'static>(
    options: DiscordOptions,
    responder: R,
    application_id: Option<u64>,
) -> Result<(), DiscordError> {
    let http = http_client(&options.token, options.api_base.as_deref());
    if let Some(id) = application_id {
        http.set_application_id(ApplicationId::new(id));
    }
    let events = Events {
        adapter: Arc::new(Adapter::new(responder)),
        dev_guilds: options.dev_guilds.clone(),
    };
    // Interactions need no intent; GUILDS keeps the guild list (not privileged).
    let mut client = serenity::all::ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .event_handler(events)
        .await?;
    tokio::spawn(watchdog(Arc::clone(&client.shard_manager), STALL_LIMIT));
    match options.shards {
        Some((range, total)) => client.start_shard_range(range, total).await?,
        None => client.start_autosharded().await?,
    }
    Ok(())
}

/// How long a shard may stay disconnected before it is restarted: serenity normally
/// reconnects within seconds, but a shard can hang after a failed resume.
pub const STALL_LIMIT: Duration = Duration::from_secs(180);

async fn watchdog(manager: Arc<ShardManager>, limit: Duration) {
    let mut stalls = Stalls::default();
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    loop {
        tick.tick().await;
        let stages: Vec<(ShardId, bool)> = {
            let runners = manager.runners.lock().await;
            runners
                .iter()
                .map(|(id, info)| (*id, info.stage == ConnectionStage::Connected))
                .collect()
        };
        let up = stages.iter().filter(|(_, connected)| *connected).count();
        crate::ops::Connections::global().report(
            crate::platform::Platform::Discord,
            up,
            stages.len(),
        );
        for shard in stalls.observe(Instant::now(), &stages, limit) {
            tracing::warn!(shard = shard.0, "shard disconnected too long: restarting");
            manager.restart(shard).await;
        }
    }
}

/// Since when each shard has been seen disconnected.
#[derive(Debug, Default)]
pub struct Stalls {
    since: HashMap<ShardId, Instant>,
}

impl Stalls {
    /// Records one look at the shards (`true` = connected) and returns those disconnected
    /// for longer than `limit`; their clocks restart so a restart gets its own `limit`.
    pub fn observe(
        &mut self,
        now: Instant,
        stages: &[(ShardId, bool)],
        limit: Duration,
    ) -> Vec<ShardId> {
        let mut stalled = Vec::new();
        for &(shard, connected) in stages {
            if connected {
                self.since.remove(&shard);
                continue;
            }
            let since = *self.since.entry(shard).or_insert(now);
            if now.duration_since(since) >= limit {
                stalled.push(shard);
                self.since.insert(shard, now);
            }
        }
        stalled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_shard_down_for_the_whole_limit_is_restarted() {
        let mut stalls = Stalls::default();
        let t0 = Instant::now();
        let limit = Duration::from_secs(180);
        let (a, b) = (ShardId(0), ShardId(1));
        assert!(stalls
            .observe(t0, &[(a, false), (b, false)], limit)
            .is_empty());
        let t1 = t0 + Duration::from_secs(120);
        assert!(stalls
            .observe(t1, &[(a, false), (b, true)], limit)
            .is_empty());
        let t2 = t0 + Duration::from_secs(200);
        assert_eq!(
            stalls.observe(t2, &[(a, false), (b, false)], limit),
            vec![a]
        );
        // b reconnected in between, so its clock started again at t2.
        let t3 = t2 + Duration::from_secs(30);
        assert!(stalls
            .observe(t3, &[(a, false), (b, false)], limit)
            .is_empty());
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let options = DiscordOptions {
            token: "secret-token-value".into(),
            api_base: None,
            dev_guilds: vec![],
            shards: None,
        };
        assert!(!format!("{options:?}").contains("secret-token-value"));
    }
}
