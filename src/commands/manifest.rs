//! `ladder manifest slack` and `ladder manifest teams`: print a platform's app manifest,
//! derived from the command catalogue. Slack's is committed as `slack/manifest.yml` (a
//! test keeps it equal to this output); Teams' needs the configured app id and domain (the
//! same manifest `ladder teams package` zips). Wiring only.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;
use crate::platform::slack::manifest as slack;
use crate::platform::teams::package::{self, PackageInfo};

/// The app name in Slack's committed manifest.
pub const SLACK_APP_NAME: &str = "Ladder";

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The Slack app manifest (YAML): paste it in "Create New App → From an app manifest".
    Slack,
    /// The Teams app manifest (JSON) for the configured TEAMS_APP_ID and domain.
    Teams(TeamsArgs),
}

#[derive(Debug, clap::Args)]
pub struct TeamsArgs {
    /// Configuration file (default: ./ladder.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The package version.
    #[arg(long, default_value = "1.0.0")]
    pub version: String,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Slack => print!("{}", slack::manifest(SLACK_APP_NAME)),
        Command::Teams(args) => {
            let settings =
                Settings::load(args.config.as_deref()).context("reading the configuration")?;
            let teams = &settings.teams;
            let app_id = teams.app_id.clone().context(
                "TEAMS_APP_ID is not set: register the bot first (README.md, section \
                 \"Microsoft Teams\") and set TEAMS_APP_ID to its Application (client) ID",
            )?;
            let manifest = package::manifest(&PackageInfo {
                app_id,
                name: teams.app_name.clone(),
                domain: teams.domain.clone(),
                version: args.version,
            })?;
            println!("{}", serde_json::to_string_pretty(&manifest)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
