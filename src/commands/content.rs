//! `ladder content check|import`: validate a content directory, or turn a GIFT or CSV
//! question bank into a skill file of our format.
//!
//! A thin shell over `ladder-content`: it reads and writes files and prints; parsing,
//! checking and conversion live in the library.

use anyhow::Context;
use ladder_content::import::emit::{items_toml, skill_file, SkillHeader};
use ladder_content::import::{csv, gift, ImportOptions, Imported};
use ladder_content::{parse_skill, parse_track};
use ladder_engine::{SkillId, Stage};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Validate content; every problem is printed as `path:line:col: message` (exit 1).
    Check {
        /// The content directory: one folder per track.
        #[arg(default_value = "content")]
        dir: PathBuf,
    },
    /// Convert a question bank into items of a skill. Exit 0 when every question was
    /// imported, 2 when some were reported (the others are still written).
    Import {
        /// The question bank's format.
        #[arg(long, value_enum)]
        format: Format,
        /// The file to import.
        file: PathBuf,
        /// The skill the items belong to; their ids start with it.
        // Checked in `run`, not by clap, so that a bad id exits 1 (nothing could be
        // done) rather than clap's 2, which here means "imported with problems".
        #[arg(long)]
        skill: String,
        /// A track directory: items go to `<DIR>/<SKILL>.toml` (appended when it exists).
        /// Without it the skill file is printed.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Stage of items whose source does not say.
        #[arg(long, default_value = "novice", value_parser = parse_stage)]
        stage: Stage,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Gift,
    Csv,
}

/// A skill id that can name its own file: `track` would write into `track.toml`.
fn parse_skill_id(s: &str) -> anyhow::Result<SkillId> {
    if s == "track" {
        anyhow::bail!(
            "`track` cannot be a skill id: skill files are named `<skill>.toml`, and \
             `track.toml` defines the track; choose another id"
        );
    }
    SkillId::parse(s).map_err(|e| anyhow::anyhow!("--skill: {e}"))
}

fn parse_stage(s: &str) -> Result<Stage, String> {
    Stage::parse(s).map_err(|e| e.to_string())
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Check { dir } => check(&dir),
        Command::Import {
            format,
            file,
            skill,
            out,
            stage,
        } => import(
            format,
            &file,
            parse_skill_id(&skill)?,
            out.as_deref(),
            stage,
        ),
    }
}

#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!("content directory {} does not exist", dir.display());
    }
    match ladder_content::load_dir(dir) {
        Ok(lib) => {
            println!(
                "ok: {} tracks, {} skills, {} items, {} resources",
                lib.tracks.len(),
                lib.skills.len(),
                lib.items.len(),
                lib.resources.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("{} problem(s) found", diags.len());
            Ok(ExitCode::from(1))
        }
    }
}

#[tracing::instrument(skip_all, fields(file = %file.display(), skill = %skill))]
fn import(
    format: Format,
    file: &Path,
    skill: SkillId,
    out: Option<&Path>,
    stage: Stage,
) -> anyhow::Result<ExitCode> {
    let src =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let label = file.display().to_string();
    let mut opts = ImportOptions::new(skill.clone(), stage);
    if let Some(dir) = out {
        opts.taken_ids = item_ids_in(dir)?;
    }
    let Imported { items, problems } = match format {
        Format::Gift => gift::import(&label, &src, &opts),
        Format::Csv => csv::import(&label, &src, &opts),
    };
    for p in &problems {
        eprintln!("{p}");
    }
    if !items.is_empty() {
        match out {
            Some(dir) => write_items(dir, &skill, &items)?,
            None => print!("{}", skill_file(&header(&skill, None), &items)),
        }
    }
    eprintln!(
        "imported {} item(s), {} problem(s)",
        items.len(),
        problems.len()
    );
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Appends to `<dir>/<skill>.toml`, or creates it with a `[skill]` table whose objective
/// is the track's first one.
fn write_items(dir: &Path, skill: &SkillId, items: &[ladder_engine::Item]) -> anyhow::Result<()> {
    let path = dir.join(format!("{skill}.toml"));
    if path.exists() {
        let mut text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&items_toml(items));
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    } else {
        let track = std::fs::read_to_string(dir.join("track.toml")).ok();
        let objective = track.and_then(|t| {
            let parsed = parse_track("track.toml", &t).value?;
            parsed
                .objectives
                .first()?
                .id
                .as_ref()
                .map(|id| id.value.clone())
        });
        if objective.is_none() {
            eprintln!(
                "note: no objective found in {}; set `objective` in {}",
                dir.join("track.toml").display(),
                path.display()
            );
        }
        std::fs::write(&path, skill_file(&header(skill, objective), items))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn header(skill: &SkillId, objective: Option<String>) -> SkillHeader {
    let mut title = skill.as_str().replace(['-', '_', '.'], " ");
    if let Some(first) = title.get(..1) {
        title = first.to_uppercase() + &title[1..];
    }
    SkillHeader {
        id: skill.to_string(),
        title,
        // Deliberately not an objective of any track, so `content check` points at it.
        objective: objective.unwrap_or_else(|| "change-me".to_owned()),
    }
}

/// Item ids already used by the skill files of a track directory, so imports never clash.
fn item_ids_in(dir: &Path) -> anyhow::Result<HashSet<String>> {
    let mut ids = HashSet::new();
    if !dir.is_dir() {
        anyhow::bail!("output directory {} does not exist", dir.display());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let is_skill =
            path.extension().is_some_and(|e| e == "toml") && !path.ends_with("track.toml");
        if !is_skill {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        if let Some(file) = parse_skill(&path.display().to_string(), &text).value {
            ids.extend(
                file.items
                    .iter()
                    .filter_map(|i| i.id.as_ref().map(|id| id.value.clone())),
            );
        }
    }
    Ok(ids)
}
