//! `ladder teams package --out FILE`: the Teams app package for upload (manifest with the
//! configured `TEAMS_APP_ID` as bot id, and its icons). Wiring only: the package itself is
//! built by [`crate::platform::teams::package`].

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;
use crate::platform::teams::package::{self, PackageInfo};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Build the app package (a zip) to upload in the Teams admin center or Teams itself.
    Package(PackageArgs),
}

#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// Where to write the zip.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Configuration file (default: ./ladder.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The package version; raise it for every upload of a changed package.
    #[arg(long, default_value = "1.0.0")]
    pub version: String,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Package(args) = cmd;
    let settings = Settings::load(args.config.as_deref()).context("reading the configuration")?;
    let teams = &settings.teams;
    let app_id = teams.app_id.clone().context(
        "TEAMS_APP_ID is not set: register the bot first (README.md, section \"Microsoft \
         Teams\") and set TEAMS_APP_ID to its Application (client) ID",
    )?;
    let zip = package::build(&PackageInfo {
        app_id,
        name: teams.app_name.clone(),
        domain: teams.domain.clone(),
        version: args.version,
    })?;
    std::fs::write(&args.out, &zip).with_context(|| format!("writing {}", args.out.display()))?;
    println!("{} ({} bytes)", args.out.display(), zip.len());
    Ok(ExitCode::SUCCESS)
}
