//! `ladder bench fanout|answers`: the two benchmarks of issue 6, as commands rather than
//! timed tests. Each prints its figures next to a bare-database baseline measured in the
//! same run, so results from different machines compare as ratios.
//!
//! - `fanout`: plan one morning for N learners into the outbox, then deliver it through
//!   the fake platform with the rate limiter off and on ([`fanout`]).
//! - `answers`: handle N answers end to end against a bare UPDATE + INSERT transaction
//!   ([`answers`]).
//!
//! Each run uses a database of its own: a temporary SQLite file or a fresh Postgres schema
//! that is dropped afterwards ([`backend`]).

use std::process::ExitCode;

mod answers;
mod backend;
mod fanout;
mod growth;

use backend::Backend;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Plan and deliver one morning for N learners.
    Fanout {
        #[arg(long, value_enum)]
        backend: Backend,
        #[arg(long, default_value_t = 10_000)]
        learners: usize,
        /// Messages per second for the rate-limited delivery run.
        #[arg(long, default_value_t = 50.0)]
        limit_rate: f64,
        /// Plan in two writes per row (reserve, then fill), as the app's planner must
        /// because composing creates prompt records; the default is one write per row.
        #[arg(long)]
        two_write: bool,
        /// Stop after planning (no delivery runs).
        #[arg(long)]
        plan_only: bool,
        /// Postgres server (default: LADDER_DATABASE_URL, then LADDER_TEST_POSTGRES_URL).
        #[arg(long)]
        database_url: Option<String>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Latency and throughput of handling an answer.
    Answers {
        #[arg(long, value_enum)]
        backend: Backend,
        #[arg(long, default_value_t = 2_000)]
        n: usize,
        /// Learners answering at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Time per operation, bytes on disk per learner and RSS as the cohort grows.
    Growth {
        #[arg(long, value_enum)]
        backend: Backend,
        /// Cohort sizes, smallest first; ratios compare the last with the first.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        learners: Vec<usize>,
        /// Memory states per learner.
        #[arg(long, default_value_t = 20)]
        items: usize,
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    match cmd {
        Command::Fanout {
            backend,
            learners,
            limit_rate,
            two_write,
            plan_only,
            database_url,
            json,
        } => {
            anyhow::ensure!(limit_rate > 0.0, "--limit-rate must be positive");
            let options = fanout::Options {
                learners,
                limit_rate,
                two_write,
                plan_only,
            };
            let report = rt.block_on(fanout::run(backend, options, database_url))?;
            print(&report, json)?;
        }
        Command::Answers {
            backend,
            n,
            concurrency,
            database_url,
            json,
        } => {
            let report = rt.block_on(answers::run(backend, n, concurrency, database_url))?;
            print(&report, json)?;
        }
        Command::Growth {
            backend,
            learners,
            items,
            database_url,
            json,
        } => {
            let report = rt.block_on(growth::run(backend, learners, items, database_url))?;
            print(&report, json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One JSON object, or `name: value` lines for people.
fn print(report: &impl serde::Serialize, json: bool) -> anyhow::Result<()> {
    let value = serde_json::to_value(report)?;
    if json {
        println!("{value}");
    } else if let Some(fields) = value.as_object() {
        for (k, v) in fields {
            match v.as_f64() {
                Some(x) if v.is_f64() => println!("{k:>26}: {x:.1}"),
                _ => println!("{k:>26}: {v}"),
            }
        }
    }
    Ok(())
}
