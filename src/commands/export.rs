//! `ladder export --format csv|xapi|revlog [--since DATE] [--until DATE]`: the review log
//! as CSV, as xAPI 1.0.3 statements (one JSON object per line), or in the FSRS optimiser's
//! schema that `ladder scheduler eval --revlog` reads, on stdout.
//!
//! Dates are `YYYY-MM-DD` (UTC; `--until` includes that whole day) or RFC 3339 instants.
//! The rendering is pure ([`write_csv`], [`write_xapi`], [`revlog`]); only [`run`] opens
//! the store.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{DatabaseUrl, Settings};
use crate::store::ReviewEntry;

pub mod revlog;
pub mod xapi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xapi,
    /// card_id,review_time,review_rating,review_state,review_duration (FSRS optimiser).
    Revlog,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_enum)]
    pub format: Format,
    /// First day (or instant) to include.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Last day to include (an RFC 3339 instant is exclusive).
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    pub until: Option<DateTime<Utc>>,
    /// Database URL, instead of the configured one.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Configuration file (default: ./ladder.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn parse_date(s: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        return Ok(if end_of_day {
            start + Duration::days(1)
        } else {
            start
        });
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{s:?} is not a date: use YYYY-MM-DD or an RFC 3339 instant"))
}

fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    parse_date(s, false)
}

fn parse_until(s: &str) -> Result<DateTime<Utc>, String> {
    parse_date(s, true)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(args.config.as_deref())?;
    let url = args
        .db
        .map(DatabaseUrl::new)
        .unwrap_or_else(|| settings.database_url.clone());
    // A card's state in the revlog depends on its reviews before the window, so that
    // format reads from the start and drops the earlier rows itself.
    let read_since = match args.format {
        Format::Revlog => None,
        Format::Csv | Format::Xapi => args.since,
    };
    let reviews = super::runtime()?.block_on(async {
        let store = crate::store::connect(url.expose())
            .await
            .with_context(|| format!("opening {url}"))?;
        anyhow::Ok(store.review_log(read_since, args.until).await?)
    })?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Csv => write_csv(&mut out, &reviews),
        Format::Xapi => write_xapi(&mut out, &reviews, &settings.export.item_base_url),
        Format::Revlog => revlog::write(&mut out, &revlog::rows(&reviews, args.since)),
    }
    .and_then(|()| Ok(out.flush()?));
    match written {
        // `ladder export | head` closing the pipe early is not a failure.
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let kind = if let Some(io) = e.downcast_ref::<std::io::Error>() {
        Some(io.kind())
    } else if let Some(json) = e.downcast_ref::<serde_json::Error>() {
        json.io_error_kind()
    } else if let Some(csv) = e.downcast_ref::<csv::Error>() {
        match csv.kind() {
            csv::ErrorKind::Io(io) => Some(io.kind()),
            _ => None,
        }
    } else {
        None
    };
    kind == Some(std::io::ErrorKind::BrokenPipe)
}

/// The CSV header; one row per answer follows.
pub const CSV_HEADER: [&str; 14] = [
    "review_id",
    "answered_at",
    "tenant",
    "platform",
    "learner",
    "prompt",
    "item",
    "skill",
    "item_stage",
    "verdict",
    "score",
    "rating",
    "latency_ms",
    "response",
];

/// Writes the review log as CSV (RFC 4180 quoting; ratings 1–4, empty when ungraded).
pub fn write_csv(out: impl Write, reviews: &[ReviewEntry]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for r in reviews {
        w.write_record([
            r.id.to_string(),
            r.answered_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            r.tenant.to_string(),
            r.platform.as_str().to_owned(),
            r.learner.to_string(),
            r.prompt.to_string(),
            r.item.to_string(),
            r.skill.to_string(),
            r.item_stage.as_str().to_owned(),
            r.verdict.as_str().to_owned(),
            r.score.to_string(),
            r.rating.map(|x| x.as_u8().to_string()).unwrap_or_default(),
            r.latency_ms.map(|x| x.to_string()).unwrap_or_default(),
            r.response.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes one xAPI statement per line.
pub fn write_xapi(
    mut out: impl Write,
    reviews: &[ReviewEntry],
    item_base: &str,
) -> anyhow::Result<()> {
    for r in reviews {
        serde_json::to_writer(&mut out, &xapi::statement(r, item_base))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
