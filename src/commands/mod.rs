//! The command line: one file per subcommand, each a thin shell over the library.
//!
//! Every subcommand returns an exit code; errors bubble up as `anyhow` and are printed once
//! by `main`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod bench;
pub mod config;
pub mod content;
pub mod db;
pub mod delivery_worker;
pub mod demo;
pub mod export;
pub mod manifest;
pub mod scheduler;
pub mod serve;
pub mod simulate;
pub mod staff;
pub mod teams;

/// Mastery-based practice in the chat tools your team already uses.
#[derive(Debug, Parser)]
#[command(name = "ladder", version, about, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Log lines as plain text or as one JSON object per line (for log collectors).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Local chat in the terminal: sample content, a demo cohort and a virtual clock.
    Demo(demo::Args),
    /// Run the bot on the configured platforms.
    Serve(serve::Args),
    /// Check or import content files.
    #[command(subcommand)]
    Content(content::Command),
    /// Measure the scheduler on a real review log.
    #[command(subcommand)]
    Scheduler(scheduler::Command),
    /// Simulate a cohort of learners under a scheduler.
    Simulate(simulate::Args),
    /// Benchmarks of the answer path and the morning fan-out.
    #[command(subcommand)]
    Bench(bench::Command),
    /// Export the review log as CSV or xAPI statements.
    Export(export::Args),
    /// Database maintenance.
    #[command(subcommand)]
    Db(db::Command),
    /// Set a tenant up: teams, members, and manager, expert and admin grants.
    #[command(subcommand)]
    Staff(staff::Command),
    /// Print a platform's app manifest, derived from the command catalogue.
    #[command(subcommand)]
    Manifest(manifest::Command),
    /// Microsoft Teams: the app package for upload.
    #[command(subcommand)]
    Teams(teams::Command),
    /// Show configuration.
    #[command(subcommand)]
    Config(config::Command),
    /// One delivery worker on the fake platform (used by the crash tests).
    #[command(hide = true)]
    DeliveryWorker(delivery_worker::Args),
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    /// One JSON object per line: timestamp, level, target, message, fields and spans.
    Json,
}

/// Logs go to stderr so that piped output (demo transcripts, `--json`) stays clean.
pub fn init_tracing(verbose: u8, format: LogFormat) {
    let default = match verbose {
        0 => "warn",
        1 => "info,ladder=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LADDER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        LogFormat::Json => logs.json().try_init(),
    };
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Content(cmd) => content::run(cmd),
        Command::Scheduler(cmd) => scheduler::run(cmd),
        Command::Simulate(args) => simulate::run(args),
        Command::Bench(cmd) => bench::run(cmd),
        Command::Export(args) => export::run(args),
        Command::Db(cmd) => db::run(cmd),
        Command::Staff(cmd) => staff::run(cmd),
        Command::Config(cmd) => config::run(cmd),
        Command::Teams(cmd) => teams::run(cmd),
        Command::Manifest(cmd) => manifest::run(cmd),
        Command::DeliveryWorker(args) => delivery_worker::run(args),
    }
}

/// A multi-threaded tokio runtime for the subcommands that do I/O.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
