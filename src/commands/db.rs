//! `ladder db migrate`: applies the pending migrations of the configured database
//! (SQLite or Postgres, each with its own `migrations/` directory).
//!
//! `ladder db backup FILE`: a consistent copy of a SQLite store, safe while the bot runs
//! (`VACUUM INTO`). Postgres has its own tools (`pg_dump`), which this points to.

use anyhow::{bail, Context};
use clap::Subcommand;
use std::path::{Path, PathBuf};
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
    /// Copy a SQLite store into FILE, consistently, while the bot may be running. FILE
    /// must not exist. For Postgres use `pg_dump`.
    Backup {
        /// The copy to write (a new file).
        #[arg(value_name = "FILE")]
        file: PathBuf,
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
        Command::Backup { file, config, db } => {
            let settings = Settings::load(config.as_deref())?;
            let url = db.map(DatabaseUrl::new).unwrap_or(settings.database_url);
            backup(&url, &file)
        }
    }
}

fn backup(url: &DatabaseUrl, file: &Path) -> anyhow::Result<ExitCode> {
    if !url.expose().starts_with("sqlite:") {
        bail!(
            "`ladder db backup` copies SQLite stores; {url} is not one. For Postgres use its \
             own tools, e.g. `pg_dump --format=custom --file=ladder.dump \"$LADDER_DATABASE_URL\"`"
        );
    }
    super::runtime()?
        .block_on(crate::store::sqlite::backup(url.expose(), file))
        .with_context(|| format!("backing up {url}"))?;
    println!("{url}: copied to {}", file.display());
    Ok(ExitCode::SUCCESS)
}
