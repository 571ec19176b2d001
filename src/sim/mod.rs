//! The cohort simulator behind `ladder simulate`: synthetic learners answer real items
//! through the real engine on a virtual clock, so schedulers can be compared on what a
//! team would get (retention at the end, reviews spent, stages reached) before anyone
//! is asked a question.
//!
//! - [`memory`]: the learners' true memory (exponential forgetting, not FSRS).
//! - [`answer`]: what a learner types when they recall an item and when they guess.
//! - [`plan`]: the compared schedulers (FSRS, SM-2, Leitner, fixed).
//! - [`world`]: the items, difficulties, per-skill schedulers and rules of one run.
//! - [`learner`]: one learner's cards, stages and daily session.
//! - [`library`]: a generated library for when no content directory is at hand.
//! - [`stored`]: the same run with every learner's state in the real store.
//! - [`scratch`]: a throwaway SQLite file or Postgres schema for such a run.
//!
//! Everything but `stored` and `scratch` is pure apart from the wall-clock timing it
//! reports, depending on the engine and the crate's virtual clock; those two also use the
//! store's public API.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};
use ladder_engine::schedule::{Caps, ScheduleError};
use ladder_engine::{Library, Stage};
use serde::Serialize;
use std::time::Instant;

use crate::clock::{Clock, VirtualClock};

mod answer;
mod learner;
pub mod library;
pub mod memory;
pub mod plan;
pub mod scratch;
pub mod stored;
mod world;

#[cfg(test)]
mod tests;

pub use plan::SchedulerKind;

use learner::Learner;
use world::World;

/// One simulation's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub learners: u32,
    pub days: u32,
    pub scheduler: SchedulerKind,
    pub seed: u64,
    /// Overrides every track's desired retention (FSRS only).
    pub retention: Option<f64>,
    pub caps: Caps,
}

/// Learners at each stage, counted per learner per skill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    pub novice: u64,
    pub competent: u64,
    pub experienced: u64,
    pub master: u64,
}

/// What a run produced; the `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub scheduler: SchedulerKind,
    pub learners: u32,
    pub days: u32,
    pub seed: u64,
    pub new_per_day: u32,
    pub max_reviews_per_day: u32,
    /// Every answer, first sight of an item included.
    pub reviews_total: u64,
    /// Per learner per simulated calendar day (weekends count as days without practice).
    pub reviews_per_learner_day: f64,
    /// True recall probability at the end, averaged over every introduced item.
    pub retention_final: f64,
    pub items_introduced: u64,
    /// `retention_final × items_introduced`: the expected number of items recalled.
    pub items_retained: f64,
    pub reviews_per_retained_item: f64,
    pub stage_counts: StageCounts,
    pub wall_seconds: f64,
}

/// The simulation starts on a Monday so that every run sees the same weekdays.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .expect("valid date")
}

/// Runs the cohort for `config.days` days; `progress(day, days)` is called after each.
pub fn run(
    config: &Config,
    library: &Library,
    mut progress: impl FnMut(u32, u32),
) -> Result<Report, ScheduleError> {
    let began = Instant::now();
    let world = World::new(
        library,
        config.scheduler,
        config.caps,
        config.retention,
        config.seed,
    )?;
    let mut learners: Vec<Learner> = (0..config.learners)
        .map(|i| Learner::new(&world, config.seed, u64::from(i)))
        .collect();
    let clock = VirtualClock::new(start());
    for day in 0..config.days {
        let today = clock.now();
        if !matches!(today.weekday(), Weekday::Sat | Weekday::Sun) {
            for (i, learner) in learners.iter_mut().enumerate() {
                // Sessions spread over the morning, as delivery slots would be.
                let at = today + Duration::hours(9) + Duration::minutes((i % 120) as i64);
                learner.session(&world, at);
            }
        }
        clock.advance(Duration::days(1));
        progress(day + 1, config.days);
    }
    Ok(report(config, &learners, clock.now(), began))
}

fn report(config: &Config, learners: &[Learner], end: DateTime<Utc>, began: Instant) -> Report {
    let reviews_total: u64 = learners.iter().map(|l| l.reviews).sum();
    let items_introduced: u64 = learners.iter().map(|l| l.items_introduced() as u64).sum();
    let recall_sum: f64 = learners.iter().flat_map(|l| l.recall_at(end)).sum();
    let retention_final = if items_introduced == 0 {
        0.0
    } else {
        recall_sum / items_introduced as f64
    };
    let mut stage_counts = StageCounts::default();
    for stage in learners.iter().flat_map(|l| l.stages.iter()) {
        match stage {
            Stage::Novice => stage_counts.novice += 1,
            Stage::Competent => stage_counts.competent += 1,
            Stage::Experienced => stage_counts.experienced += 1,
            Stage::Master => stage_counts.master += 1,
        }
    }
    let learner_days = f64::from(config.learners) * f64::from(config.days);
    Report {
        scheduler: config.scheduler,
        learners: config.learners,
        days: config.days,
        seed: config.seed,
        new_per_day: config.caps.new_per_day,
        max_reviews_per_day: config.caps.reviews_per_day,
        reviews_total,
        reviews_per_learner_day: if learner_days > 0.0 {
            reviews_total as f64 / learner_days
        } else {
            0.0
        },
        retention_final,
        items_introduced,
        items_retained: recall_sum,
        reviews_per_retained_item: if recall_sum > 0.0 {
            reviews_total as f64 / recall_sum
        } else {
            0.0
        },
        stage_counts,
        wall_seconds: began.elapsed().as_secs_f64(),
    }
}
