//! `ladder scheduler eval`: measure the scheduler on a real review log (SPEC §3.2, §7).
//!
//! Reads the file and prints; the replay, metrics and parameter fitting all live in
//! `ladder_engine::eval`, on the same `Scheduler` the service uses.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ladder_engine::eval::{self, DayBoundary, FitOptions, Metrics};
use ladder_engine::schedule::Scheduler;
use serde::Serialize;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Replay a review log (card_id,review_rating,review_time[,review_duration], as py-fsrs
    /// and `ladder export --format revlog` write it) and report how well predicted recall
    /// matched what happened.
    Eval(EvalArgs),
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The review log (CSV), or `-` for standard input (`ladder export --format revlog |`).
    #[arg(long)]
    pub revlog: PathBuf,
    /// Fit FSRS parameters to the log and report held-out figures from a 5-way
    /// time-series split (train on earlier reviews, test on the next segment).
    #[arg(long)]
    pub optimize: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Hours added to UTC before cutting days at midnight (-4: the learner lives at UTC−4).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub day_offset_hours: i32,
    /// With --optimize: leave the same-day (short-term) parameters out of the fit, as
    /// optimisers that ignore same-day reviews do.
    #[arg(long, requires = "optimize")]
    pub no_short_term: bool,
    /// Target retention for the scheduler (only affects intervals, not predictions).
    #[arg(long, default_value_t = 0.9)]
    pub desired_retention: f64,
}

/// Folds in the time-series split, as in fsrs-rs.
const FOLDS: usize = 5;

#[derive(Debug, Serialize)]
struct Report {
    revlog: String,
    entries: usize,
    parameters_source: &'static str,
    #[serde(flatten)]
    metrics: Metrics,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<Vec<f32>>,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Eval(args) => run_eval(args),
    }
}

#[tracing::instrument(skip_all)]
fn run_eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let text = read_revlog(&args.revlog)?;
    let entries =
        eval::parse_revlog(&text).with_context(|| format!("parsing {}", args.revlog.display()))?;
    let days = DayBoundary {
        offset_hours: args.day_offset_hours,
    };
    let report = if args.optimize {
        let fit = FitOptions {
            short_term: !args.no_short_term,
        };
        let cv = eval::cross_validate(&entries, days, fit, args.desired_retention, FOLDS)?;
        Report {
            revlog: args.revlog.display().to_string(),
            entries: entries.len(),
            parameters_source: "optimised; scored on held-out reviews (5-way time-series split)",
            metrics: cv.metrics,
            parameters: Some(cv.parameters),
        }
    } else {
        let scheduler = Scheduler::new(None, args.desired_retention)?;
        Report {
            revlog: args.revlog.display().to_string(),
            entries: entries.len(),
            parameters_source: "fsrs defaults",
            metrics: eval::evaluate(&entries, &scheduler, days)?,
            parameters: None,
        }
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// The log's text: the file, or standard input for `-`.
fn read_revlog(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the review log from standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn print_table(r: &Report) {
    let m = &r.metrics;
    println!(
        "Scheduler evaluation of {} ({} log entries)",
        r.revlog, r.entries
    );
    println!("parameters        {}", r.parameters_source);
    println!("reviews scored    {}", m.reviews);
    println!(
        "log loss          {:.4}   (same reviews, always predicting the average: {:.4})",
        m.log_loss, m.baseline_log_loss
    );
    println!("RMSE(bins)        {:.4}", m.rmse_bins);
    println!("AUC               {:.4}", m.auc);
    if let Some(p) = &r.parameters {
        let shown: Vec<String> = p.iter().map(|w| format!("{w:.4}")).collect();
        println!("fitted parameters {}", shown.join(", "));
    }
}
