//! `ladder config print`: the effective configuration (defaults, then the file, then the
//! environment) as TOML, with every secret shown as `[redacted]`.

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the effective configuration as TOML, secrets redacted.
    Print {
        /// Configuration file (default: ./ladder.toml if present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Print { config } => {
            let settings = Settings::load(config.as_deref())?;
            print!("{}", settings.to_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}
