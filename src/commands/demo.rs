//! `ladder demo`: the whole product in a terminal, with no token and no server. Loads the
//! sample content, seeds a cohort of simulated colleagues with two weeks of history, enrols
//! you in every track, and opens a chat on a virtual clock you can fast-forward.

use anyhow::{bail, Context};
use chrono::{DateTime, Duration, TimeZone, Utc};
use ladder_engine::Library;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::app::manage::{RolePolicy, Staffing};
use crate::app::records::{Records, StoreRecords};
use crate::app::App;
use crate::clock::{Clock, VirtualClock};
use crate::content_source::{self, ContentDir, LoadError};
use crate::platform::local::{cohort, detect_style, Session};
use crate::store::{RoleKind, SqliteStore, Store};

/// Days of simulated cohort history before the demo starts.
const HISTORY_DAYS: u32 = 14;
/// The cohort's history is the same on every run.
const COHORT_SEED: u64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    Learner,
    Manager,
    Expert,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Your name in the demo.
    #[arg(long = "as", value_name = "NAME", default_value = "Sam")]
    pub name: String,
    /// The role to play (managers and experts get their extra commands).
    #[arg(long, value_enum, default_value = "learner")]
    pub role: Role,
    /// Database file (default: a fresh temporary one).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Content directory to load (default: ./content, else the built-in sample content).
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
}

/// Monday 09:00 UTC: the demo's "today", fixed so that every run tells the same story.
fn demo_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid date")
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let library = load_content(args.content.as_deref())?;
    let files = tempfile::Builder::new()
        .prefix("ladder-demo-")
        .tempdir()
        .context("creating a temporary directory")?
        .keep();
    let db = args.db.clone().unwrap_or_else(|| files.join("demo.db"));
    super::runtime()?.block_on(chat(args, library, db, files))?;
    Ok(ExitCode::SUCCESS)
}

/// The content, or every problem in it as `path:line:col: message`.
fn load_content(dir: Option<&Path>) -> anyhow::Result<Library> {
    let dir = match dir {
        Some(dir) => ContentDir::Given(dir),
        None => ContentDir::Default(Path::new(content_source::DEFAULT_DIR)),
    };
    match content_source::load(dir) {
        Ok(loaded) => {
            if let Some(note) = loaded.note() {
                eprintln!("{note}");
            }
            Ok(loaded.library)
        }
        Err(LoadError::Invalid { origin, problems }) => {
            for d in &problems {
                eprintln!("{d}");
            }
            bail!(
                "the content in {origin} did not load ({} problem(s) above); fix them or use --content DIR",
                problems.len()
            )
        }
        Err(err) => Err(err.into()),
    }
}

async fn chat(args: Args, library: Library, db: PathBuf, files: PathBuf) -> anyhow::Result<()> {
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let sqlite = SqliteStore::open(&url)
        .await
        .with_context(|| format!("opening the demo database {}", db.display()))?;
    let store: Arc<dyn Store> = Arc::new(sqlite.clone());
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    let clock = Arc::new(VirtualClock::new(
        demo_start() - Duration::days(i64::from(HISTORY_DAYS)),
    ));
    let app = App::new(records, Arc::new(library), clock.clone());
    let roles = match args.role {
        Role::Learner => vec![],
        Role::Manager => vec!["manager".to_owned()],
        Role::Expert => vec!["expert".to_owned()],
    };
    let me = cohort::actor("local", "you", &args.name, roles);
    match app.last_activity(&me).await? {
        // A reopened demo database: the cohort is there; carry on where time stopped.
        Some(last) => {
            let resume = (last + Duration::minutes(1)).max(demo_start());
            clock.advance(resume - clock.now());
        }
        None => cohort::seed(&app, &clock, "local", &tracks, HISTORY_DAYS, COHORT_SEED).await?,
    }
    app.enrol(&me, &tracks).await?;
    // Managers and experts play with their role recorded and a team of the whole cohort.
    app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
    let staff_role = match args.role {
        Role::Learner => None,
        Role::Manager => Some(RoleKind::Manager),
        Role::Expert => Some(RoleKind::Expert),
    };
    if let Some(kind) = staff_role {
        crate::app::manage::playground::seed(&store, &me, kind).await?;
    }
    if staff_role == Some(RoleKind::Expert) {
        let now = clock.now();
        crate::app::manage::playground::seed_questions(&store, &me, app.library(), now).await?;
    }
    let mut out = std::io::stdout().lock();
    let mut session = Session::new(app, clock, me, detect_style(), files);
    session.command("start", "", &mut out).await?;
    session
        .run(tokio::io::BufReader::new(tokio::io::stdin()), &mut out)
        .await?;
    // The database file alone then holds the session, ready to copy or reopen.
    sqlite
        .checkpoint_and_close()
        .await
        .with_context(|| format!("saving the demo database {}", db.display()))?;
    Ok(())
}
