//! `ladder staff grant|team add|team members|list`: sets a tenant up from the server's
//! shell: teams with their channel and leaderboard cron, members, and the manager, expert
//! and admin grants. This is how the first admin is recorded (nobody can grant themselves
//! in chat); after that, admins can also use `/admin` in chat.
//!
//! A thin shell over [`crate::app::admin::Setup`], which holds the rules. Every refusal
//! is printed as `error: ...` with exit code 1; re-running a step is harmless and says
//! that nothing changed.

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::admin::{Over, Setup};
use crate::config::{DatabaseUrl, Settings};
use crate::content_source::{self, ContentDir};
use crate::platform::Platform;
use crate::store::RoleKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Discord,
    Local,
    Teams,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Manager,
    Expert,
}

/// Which tenant, and where its records are.
#[derive(Debug, clap::Args)]
pub struct Tenant {
    #[arg(long, value_enum, default_value = "discord")]
    pub platform: PlatformArg,
    /// The platform's id for the workspace (a Discord guild id).
    #[arg(long, value_name = "GUILD_ID")]
    pub tenant: String,
    /// Database URL, instead of the configured one.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Configuration file (default: ./ladder.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Content directory to check skill ids against (default: the configured one, if it
    /// loads).
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record (or with --revoke, remove) a manager, expert or admin grant.
    Grant {
        #[command(flatten)]
        at: Tenant,
        /// The platform's user id; they must have run /join.
        #[arg(long, value_name = "USER_ID")]
        user: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Managers: the team they manage (default: every team of the tenant).
        #[arg(long, value_name = "NAME", conflicts_with = "skill")]
        team: Option<String>,
        /// Experts: the skill they answer for (default: every skill).
        #[arg(long, value_name = "SKILL_ID")]
        skill: Option<String>,
        #[arg(long)]
        revoke: bool,
    },
    /// Teams and their members.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Every team with its channel, cron and members, then every grant.
    List {
        #[command(flatten)]
        at: Tenant,
    },
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create a team, optionally with the channel and cron of its leaderboard post.
    Add {
        #[command(flatten)]
        at: Tenant,
        #[arg(long)]
        name: String,
        /// Where the team's leaderboard is posted.
        #[arg(long, value_name = "CHANNEL_ID")]
        channel: Option<String>,
        /// When it is posted, e.g. "0 9 * * MON" (the configured default otherwise).
        #[arg(long, value_name = "CRON")]
        leaderboard_cron: Option<String>,
    },
    /// Add or remove members (people who have joined).
    Members {
        #[command(flatten)]
        at: Tenant,
        #[arg(long, value_name = "NAME")]
        team: String,
        #[arg(long, value_name = "USER_ID", num_args = 1.., conflicts_with = "remove",
              required_unless_present = "remove")]
        add: Vec<String>,
        #[arg(long, value_name = "USER_ID", num_args = 1..)]
        remove: Vec<String>,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let at = match &cmd {
        Command::Grant { at, .. } | Command::List { at } => at,
        Command::Team(TeamCommand::Add { at, .. } | TeamCommand::Members { at, .. }) => at,
    };
    let settings = Settings::load(at.config.as_deref())?;
    let url = at
        .db
        .clone()
        .map(DatabaseUrl::new)
        .unwrap_or_else(|| settings.database_url.clone());
    let library = match &at.content {
        Some(dir) => Some(
            content_source::load(ContentDir::Given(dir))
                .map_err(|err| anyhow::anyhow!("{err} (see `ladder content check`)"))?
                .library,
        ),
        // Without content at hand, skill ids are taken as given: never checked against
        // the built-in sample tracks, which are not the tenant's.
        None => ladder_content::load_dir(&settings.content_dir).ok(),
    };
    let lines = super::runtime()?.block_on(async {
        let store = crate::store::connect(url.expose())
            .await
            .with_context(|| format!("opening {url}"))?;
        let platform = match at.platform {
            PlatformArg::Discord => Platform::Discord,
            PlatformArg::Local => Platform::Local,
            PlatformArg::Teams => Platform::Teams,
        };
        let setup = Setup::open(
            store.as_ref(),
            platform,
            &at.tenant,
            library.as_ref(),
            str::to_owned,
        )
        .await?;
        anyhow::Ok(step(&setup, &cmd).await?)
    })?;
    for line in lines {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn step(
    setup: &Setup<'_>,
    cmd: &Command,
) -> Result<Vec<String>, crate::app::admin::SetupError> {
    match cmd {
        Command::Grant {
            user,
            role,
            team,
            skill,
            revoke,
            ..
        } => {
            let kind = match role {
                RoleArg::Admin => RoleKind::Admin,
                RoleArg::Manager => RoleKind::Manager,
                RoleArg::Expert => RoleKind::Expert,
            };
            let over = match (team, skill) {
                (Some(t), _) => Over::Team(t.clone()),
                (None, Some(s)) => Over::Skill(s.clone()),
                (None, None) => Over::Tenant,
            };
            Ok(vec![setup.grant(user, kind, &over, *revoke).await?])
        }
        Command::List { .. } => setup.list().await,
        Command::Team(TeamCommand::Add {
            name,
            channel,
            leaderboard_cron,
            ..
        }) => Ok(vec![
            setup
                .add_team(name, channel.as_deref(), leaderboard_cron.as_deref())
                .await?,
        ]),
        Command::Team(TeamCommand::Members {
            team, add, remove, ..
        }) => match add.is_empty() {
            false => setup.members(team, add, true).await,
            true => setup.members(team, remove, false).await,
        },
    }
}
