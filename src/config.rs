//! Configuration: one [`Settings`] struct built in layers: defaults, then `ladder.toml`
//! (or the file given with `--config`), then `LADDER_*` environment variables. The
//! environment wins; nested keys use `__` (`LADDER_DELIVERY__RATE_PER_SEC=2`).
//!
//! Secrets come from the environment only (`DISCORD_TOKEN`, `SLACK_BOT_TOKEN`,
//! `SLACK_APP_TOKEN`, the password inside `LADDER_DATABASE_URL`) and are wrapped so that
//! printing the settings never shows them. Depends on serde and toml only; reading the
//! file and the process environment happens in [`Settings::load`], everything else is pure.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod admin;
mod secret;
mod teams;
pub use admin::Admin;
pub use secret::{DatabaseUrl, Secret};
pub use teams::Teams;

/// The file read when no `--config` is given (it may be absent).
pub const DEFAULT_FILE: &str = "ladder.toml";
const ENV_PREFIX: &str = "LADDER_";

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// Everything Ladder can be told, with a default for each value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://path?mode=rwc` (embedded) or `postgres://…` (production).
    pub database_url: DatabaseUrl,
    /// The directory of tracks (`ladder content check` validates it).
    pub content_dir: PathBuf,
    pub delivery: Delivery,
    pub discord: Discord,
    pub slack: Slack,
    pub teams: Teams,
    pub schedules: Schedules,
    pub export: Export,
    pub admin: Admin,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: DatabaseUrl::new("sqlite://ladder.db?mode=rwc"),
            content_dir: PathBuf::from("content"),
            delivery: Delivery::default(),
            discord: Discord::default(),
            slack: Slack::default(),
            teams: Teams::default(),
            schedules: Schedules::default(),
            export: Export::default(),
            admin: Admin::default(),
        }
    }
}

/// How prompts get out: pace, retries, reminders and workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Delivery {
    /// Messages per second per platform, below the platform's published limit (Discord
    /// 50/s); higher values mean the platform's limit.
    pub rate_per_sec: f64,
    /// A revealed-but-unanswered or unopened daily prompt gets one reminder after this.
    pub reminder_after_secs: u64,
    /// Temporary failures (timeouts, 5xx, rate limits) before a message is given up.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt up to `retry_max_secs`.
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    /// How long a worker holds a claimed prompt before another may take it over.
    pub lease_secs: u64,
    /// Delivery workers per instance (they share the instance's rate limit).
    pub workers: u32,
    /// Days a finished outbox row (sent, skipped, expired, undeliverable) is kept: the
    /// delivery history, holding whom each message went to and what it said, is pruned
    /// after this. At least 1.
    pub sent_retention_days: u32,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            rate_per_sec: 50.0,
            reminder_after_secs: 4 * 3600,
            max_attempts: 8,
            retry_base_secs: 30,
            retry_max_secs: 3600,
            lease_secs: 60,
            workers: 2,
            sent_retention_days: 30,
        }
    }
}

/// The Discord application. The token comes from `DISCORD_TOKEN` only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Discord {
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    pub application_id: Option<u64>,
    /// Guilds where slash commands are registered directly (instant, for development);
    /// empty means global registration.
    pub guild_ids: Vec<u64>,
    /// Discord roles that grant Ladder's manager, expert and admin roles.
    pub manager_role_ids: Vec<u64>,
    pub expert_role_ids: Vec<u64>,
    pub admin_role_ids: Vec<u64>,
    /// Per server (guild id → channel id): where a learner whose DMs are closed is told
    /// their question is waiting, when none of their teams has a channel.
    pub fallback_channels: std::collections::BTreeMap<String, u64>,
    /// Send REST calls to this base URL instead of https://discord.com: an HTTP proxy
    /// that shares one rate limit between instances (serenity's own limiter is then off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
}

/// The Slack app (Socket Mode). Tokens come from `SLACK_BOT_TOKEN` and `SLACK_APP_TOKEN`;
/// the HTTP endpoint's signing secret from `SLACK_SIGNING_SECRET`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Slack {
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub bot_token: Option<Secret>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub app_token: Option<Secret>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<Secret>,
    /// Serve Slack's signed HTTP requests (Events API, interactivity, slash commands) on
    /// this address instead of Socket Mode, e.g. behind a load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_listen: Option<std::net::SocketAddr>,
    /// Send Web API calls to this base URL instead of https://slack.com/api.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
}

/// Defaults for teams and learners that did not choose otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedules {
    /// Cron (seconds first) of the daily push, evaluated in each learner's timezone.
    pub prompt_cron: String,
    /// Cron of a team's leaderboard post to its channel, for teams without their own.
    pub leaderboard_cron: String,
    /// Cron of each manager's digest of their teams, in the manager's timezone.
    pub digest_cron: String,
    /// IANA timezone of learners who did not set one.
    pub timezone: String,
    pub daily_new_cap: u32,
    pub daily_review_cap: u32,
    /// A daily prompt left unanswered this long expires.
    pub prompt_ttl_hours: u32,
}

impl Default for Schedules {
    fn default() -> Self {
        Schedules {
            prompt_cron: "0 0 9 * * Mon-Fri".into(),
            leaderboard_cron: "0 0 16 * * Fri".into(),
            digest_cron: "0 0 8 * * Mon".into(),
            timezone: "UTC".into(),
            daily_new_cap: 2,
            daily_review_cap: 3,
            prompt_ttl_hours: 20,
        }
    }
}

/// `ladder export` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Export {
    /// xAPI activity ids are this base followed by the item id.
    pub item_base_url: String,
}

impl Default for Export {
    fn default() -> Self {
        Export {
            item_base_url: "https://ladder.invalid/items/".into(),
        }
    }
}

impl Settings {
    /// Reads `file` (which must exist) or `ladder.toml` (if present), then the process
    /// environment.
    #[tracing::instrument(skip_all)]
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let (path, required) = match file {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_FILE), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let file = text.as_deref().map(|t| (path.display().to_string(), t));
        Settings::build(file, std::env::vars())
    }

    /// The layering itself, pure: `file` is (name for messages, TOML text).
    pub fn build(
        file: Option<(String, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut table = toml::Table::new();
        if let Some((origin, text)) = &file {
            table = text
                .parse::<toml::Table>()
                .map_err(|e| ConfigError::Invalid {
                    origin: origin.clone(),
                    message: e.message().to_owned(),
                })?;
            refuse_file_secrets(origin, &table)?;
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        overlay_env(&mut table, &env)?;
        let mut settings: Settings =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid {
                    origin: "configuration".into(),
                    message: e.message().to_owned(),
                })?;
        let secret = |name: &str| {
            env.iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| Secret::new(v.clone()))
        };
        settings.discord.token = secret("DISCORD_TOKEN");
        settings.slack.bot_token = secret("SLACK_BOT_TOKEN");
        settings.slack.app_token = secret("SLACK_APP_TOKEN");
        settings.slack.signing_secret = secret("SLACK_SIGNING_SECRET");
        settings.teams.app_password = secret("TEAMS_APP_PASSWORD");
        let plain = |name: &str| secret(name).map(|s| s.expose().trim().to_owned());
        settings.teams.app_id = plain("TEAMS_APP_ID");
        settings.teams.tenant_id = plain("TEAMS_TENANT_ID");
        Ok(settings)
    }

    /// The effective configuration as TOML, secrets redacted (`ladder config print`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

/// A secret written into a file ends up in backups and repositories: refuse it, and
/// name the variable it belongs in.
fn refuse_file_secrets(origin: &str, table: &toml::Table) -> Result<(), ConfigError> {
    let secrets = [
        ("discord", "token", "DISCORD_TOKEN"),
        ("slack", "bot_token", "SLACK_BOT_TOKEN"),
        ("slack", "app_token", "SLACK_APP_TOKEN"),
        ("slack", "signing_secret", "SLACK_SIGNING_SECRET"),
        ("teams", "app_password", "TEAMS_APP_PASSWORD"),
        ("teams", "app_id", "TEAMS_APP_ID"),
        ("teams", "tenant_id", "TEAMS_TENANT_ID"),
    ];
    for (section, key, var) in secrets {
        if table.get(section).and_then(|s| s.get(key)).is_some() {
            return Err(ConfigError::Invalid {
                origin: origin.to_owned(),
                message: format!("{section}.{key} is a secret: set it in {var} instead"),
            });
        }
    }
    if let Some(url) = table.get("database_url").and_then(|v| v.as_str()) {
        if DatabaseUrl::new(url).has_password() {
            return Err(ConfigError::Invalid {
                origin: origin.to_owned(),
                message: "database_url holds a password: set it in LADDER_DATABASE_URL instead"
                    .into(),
            });
        }
    }
    Ok(())
}

/// Puts every `LADDER_SECTION__KEY=value` whose first segment names a setting into the
/// table. Other `LADDER_*` variables (test data paths, log filters) are not settings.
fn overlay_env(table: &mut toml::Table, env: &[(String, String)]) -> Result<(), ConfigError> {
    let known = known_sections();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
        if !known.contains(&path[0]) {
            continue;
        }
        let mut at = &mut *table;
        for segment in &path[..path.len() - 1] {
            let entry = at
                .entry(segment.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            at = entry.as_table_mut().ok_or_else(|| ConfigError::Invalid {
                origin: name.clone(),
                message: format!("{segment} is a value, not a section"),
            })?;
        }
        at.insert(path[path.len() - 1].clone(), env_value(value));
    }
    Ok(())
}

/// Top-level keys of [`Settings`], taken from the defaults so the list cannot drift.
fn known_sections() -> Vec<String> {
    match toml::Value::try_from(Settings::default()) {
        Ok(toml::Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// An environment value as TOML: numbers, booleans and `[lists]` keep their type; a
/// comma-separated list of numbers becomes a list; anything else is a string.
fn env_value(raw: &str) -> toml::Value {
    let parsed = format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"));
    if let Some(v) = parsed {
        return v;
    }
    let numbers: Option<Vec<toml::Value>> = raw
        .split(',')
        .map(|s| s.trim().parse::<i64>().ok().map(toml::Value::Integer))
        .collect();
    match numbers {
        Some(list) if raw.contains(',') => toml::Value::Array(list),
        _ => toml::Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests;
