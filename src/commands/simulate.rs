//! `ladder simulate`: run a synthetic cohort through the engine under one scheduler and
//! report retention, effort and stages (SPEC §7). The model and a comparison of the
//! schedulers are written up in `bench/README.md`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ladder_engine::eval::Guards;
use ladder_engine::schedule::Caps;
use ladder_engine::Library;

use crate::sim::scratch::{Database, Scratch};
use crate::sim::stored::run_stored;
use crate::sim::{self, Report, SchedulerKind};

/// Where the simulated cohort's state lives: in memory, or in a real store (FSRS only),
/// where every answer goes through the answer transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Memory,
    Sqlite,
    Postgres,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Learners in the cohort.
    #[arg(long, default_value_t = 100)]
    pub learners: u32,
    /// Calendar days to simulate (learners practise on weekdays).
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    /// Which scheduler decides when items come back.
    #[arg(long, value_enum, default_value_t = SchedulerKind::Fsrs)]
    pub scheduler: SchedulerKind,
    /// Random seed: the same seed gives the same cohort and the same results.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// FSRS target retention for every track (default: each track's own).
    #[arg(long)]
    pub retention: Option<f64>,
    /// Where learners' state lives; sqlite and postgres need `--scheduler fsrs`.
    #[arg(long, value_enum, default_value_t = Backend::Memory)]
    pub backend: Backend,
    /// Database for a store backend: a SQLite URL (default: a temporary file), or a
    /// Postgres server (default: LADDER_DATABASE_URL, then LADDER_TEST_POSTGRES_URL) on
    /// which the run gets a fresh schema, dropped afterwards.
    #[arg(long)]
    pub db: Option<String>,
    /// Content directory; a generated library is used when it does not exist.
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// New items per learner per day.
    #[arg(long, default_value_t = 2)]
    pub new_per_day: u32,
    /// Reviews per learner per day.
    #[arg(long, default_value_t = 5)]
    pub reviews_per_day: u32,
    /// Run the service's fitting job on the cohort's own review log every DAYS days and
    /// schedule with the parameters it adopts (FSRS, memory backend).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub fit_every: Option<u32>,
    /// With --fit-every: reviews a track needs before fitting is attempted.
    #[arg(long, default_value_t = Guards::default().min_reviews, requires = "fit_every")]
    pub fit_min_reviews: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(r) = args.retention {
        anyhow::ensure!(
            (0.7..=0.99).contains(&r),
            "--retention must be within 0.7..=0.99, got {r}"
        );
    }
    if args.backend != Backend::Memory {
        anyhow::ensure!(
            args.scheduler == SchedulerKind::Fsrs,
            "--backend {} keeps FSRS memory states in the store; --scheduler {} runs only with --backend memory",
            if args.backend == Backend::Sqlite { "sqlite" } else { "postgres" },
            args.scheduler.as_str()
        );
    }
    if args.fit_every.is_some() {
        anyhow::ensure!(
            args.scheduler == SchedulerKind::Fsrs,
            "--fit-every fits FSRS parameters; it runs only with --scheduler fsrs"
        );
        anyhow::ensure!(
            args.backend == Backend::Memory,
            "--fit-every runs with --backend memory: the stored backends do not keep fitted parameters yet"
        );
    }
    let library = library(&args.content)?;
    let config = sim::Config {
        learners: args.learners,
        days: args.days,
        scheduler: args.scheduler,
        seed: args.seed,
        retention: args.retention,
        caps: Caps {
            new_per_day: args.new_per_day,
            reviews_per_day: args.reviews_per_day,
        },
        fit_every: args.fit_every,
        fit_guards: Guards {
            min_reviews: args.fit_min_reviews,
            ..Guards::default()
        },
    };
    let mut bar = Progress::new(std::io::stderr().is_terminal());
    let show = |day, days| bar.show(day, days);
    let report = match args.backend {
        Backend::Memory => sim::run(&config, &library, show)?,
        Backend::Sqlite => stored(Database::Sqlite, args.db, &config, &library, show)?,
        Backend::Postgres => stored(Database::Postgres, args.db, &config, &library, show)?,
    };
    bar.finish();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the cohort in a scratch store and drops it afterwards, also after a failure.
fn stored(
    db: Database,
    url: Option<String>,
    config: &sim::Config,
    library: &Library,
    progress: impl FnMut(u32, u32),
) -> anyhow::Result<Report> {
    super::runtime()?.block_on(async {
        let scratch = Scratch::open(db, url).await.context("opening the store")?;
        let result = run_stored(config, library, scratch.store.as_ref(), progress).await;
        scratch
            .close()
            .await
            .context("dropping the scratch schema")?;
        Ok(result?)
    })
}

#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
fn library(dir: &Path) -> anyhow::Result<Library> {
    if !dir.exists() {
        eprintln!(
            "note: {} not found; simulating a generated library",
            dir.display()
        );
        return Ok(sim::library::generated());
    }
    ladder_content::load_dir(dir).map_err(|diags| {
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        anyhow::anyhow!(
            "content in {} has errors (see `ladder content check`):\n{}",
            dir.display(),
            lines.join("\n")
        )
    })
}

fn table(r: &Report) -> String {
    let s = &r.stage_counts;
    let rows = [
        ("scheduler", r.scheduler.as_str().to_owned()),
        (
            "learners × days",
            format!("{} × {} (seed {})", r.learners, r.days, r.seed),
        ),
        (
            "daily caps",
            format!("{} new, {} reviews", r.new_per_day, r.max_reviews_per_day),
        ),
        (
            "reviews",
            format!(
                "{} ({:.2} per learner-day)",
                r.reviews_total, r.reviews_per_learner_day
            ),
        ),
        ("items introduced", r.items_introduced.to_string()),
        (
            "retention at the end",
            format!("{:.1}%", r.retention_final * 100.0),
        ),
        ("items retained", format!("{:.0}", r.items_retained)),
        (
            "reviews per retained item",
            format!("{:.2}", r.reviews_per_retained_item),
        ),
        (
            "stages (learner × skill)",
            format!(
                "novice {} · competent {} · experienced {} · master {}",
                s.novice, s.competent, s.experienced, s.master
            ),
        ),
        ("wall time", format!("{:.2} s", r.wall_seconds)),
    ];
    let mut out: String = rows.iter().map(|(k, v)| format!("{k:<27} {v}\n")).collect();
    for f in &r.fits {
        let figures = match (f.fitted_log_loss, f.current_log_loss) {
            (Some(fit), Some(cur)) => format!("held-out log loss {fit:.4} vs current {cur:.4}"),
            _ => "too few to fit".to_owned(),
        };
        out.push_str(&format!(
            "{:<27} {} · {} reviews · {figures} · {}\n",
            format!("fit on day {}", f.day),
            f.track,
            f.reviews,
            match f.decision {
                ladder_engine::eval::Decision::Adopt => "adopted",
                _ => "kept",
            }
        ));
    }
    out
}

/// A one-line progress bar on stderr, drawn only on a terminal.
struct Progress {
    on: bool,
    last: u32,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress { on, last: u32::MAX }
    }

    fn show(&mut self, day: u32, days: u32) {
        const WIDTH: u32 = 30;
        let filled = (day * WIDTH).checked_div(days).unwrap_or(WIDTH);
        if !self.on || filled == self.last {
            return;
        }
        self.last = filled;
        let bar: String = (0..WIDTH)
            .map(|i| if i < filled { '#' } else { '.' })
            .collect();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r[{bar}] day {day}/{days}");
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.on {
            eprintln!();
        }
    }
}
