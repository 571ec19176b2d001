//! `ladder db migrate`: applies the pending migrations of the configured database
//! (SQLite or Postgres, each with its own `migrations/` directory).

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{DatabaseUrl, Settings};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations to the configured database.
    Migrate {
        /// Configuration file (default: ./ladder.toml if present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Database URL, instead of the configured one.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Migrate { config, db } => {
            let settings = Settings::load(config.as_deref())?;
            let url = db.map(DatabaseUrl::new).unwrap_or(settings.database_url);
            super::runtime()?.block_on(async {
                // Opening a store applies its migrations; nothing else is touched.
                crate::store::connect(url.expose())
                    .await
                    .with_context(|| format!("migrating {url}"))
            })?;
            println!("{url}: migrations applied");
            Ok(ExitCode::SUCCESS)
        }
    }
}
