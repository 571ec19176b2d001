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
use ladder_engine::eval::{self, DayBoundary, Decision, Guards};
use ladder_engine::schedule::{Caps, Scheduler};
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
use stored::SimError;
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
    /// Run the service's fitting job on the cohort's own log every so many days (FSRS).
    pub fit_every: Option<u32>,
    pub fit_guards: Guards,
}

/// One run of the fitting job during a simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitRecord {
    /// Days simulated when the job ran.
    pub day: u32,
    pub track: String,
    pub decision: Decision,
    /// Scored reviews the track's log held.
    pub reviews: usize,
    /// Held-out log loss of fitting and of the parameters in use (absent below the
    /// minimum number of reviews).
    pub fitted_log_loss: Option<f64>,
    pub current_log_loss: Option<f64>,
    /// The parameters adopted, when the job adopted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<f32>>,
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
    /// Every run of the fitting job (`--fit-every`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fits: Vec<FitRecord>,
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
) -> Result<Report, SimError> {
    let began = Instant::now();
    let mut world = World::new(
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
    let mut fits = Vec::new();
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
        let due_fit = config
            .fit_every
            .is_some_and(|every| every > 0 && (day + 1) % every == 0);
        if due_fit && config.scheduler == SchedulerKind::Fsrs {
            for track in 0..world.tracks {
                fits.push(fit_track(
                    &mut world,
                    &mut learners,
                    track,
                    day + 1,
                    library,
                    &config.fit_guards,
                )?);
            }
        }
        progress(day + 1, config.days);
    }
    let mut report = report(config, &learners, clock.now(), began);
    report.fits = fits;
    Ok(report)
}

/// The service's fitting job on one track of the cohort: fit the track's log, and when
/// the job adopts, switch the track's skills to the fitted parameters and recompute every
/// learner's memory of its items from their history.
fn fit_track(
    world: &mut World<'_>,
    learners: &mut [Learner],
    track: usize,
    day: u32,
    library: &Library,
    guards: &Guards,
) -> Result<FitRecord, SimError> {
    let name = library
        .tracks
        .get(track)
        .map_or_else(|| "all".to_owned(), |t| t.id.to_string());
    let Some(skill) = world.track_of.iter().position(|&t| t == track) else {
        return Ok(FitRecord {
            day,
            track: name,
            decision: Decision::TooFewReviews,
            reviews: 0,
            fitted_log_loss: None,
            current_log_loss: None,
            parameters: None,
        });
    };
    let log: Vec<_> = learners
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.revlog(world, track, i as u64))
        .collect();
    let current = &world.schedulers[skill];
    let outcome = eval::fit_track(&log, DayBoundary::default(), current, guards)?;
    if let Some(params) = outcome.adopted() {
        for s in 0..world.skills {
            if world.track_of[s] == track {
                let retention = world.schedulers[s].desired_retention();
                world.schedulers[s] = Scheduler::new(Some(params), retention)?;
            }
        }
        for learner in learners.iter_mut() {
            learner.replay(world, track);
        }
    }
    Ok(FitRecord {
        day,
        track: name,
        decision: outcome.decision,
        reviews: outcome.reviews,
        fitted_log_loss: outcome.fitted.as_ref().map(|m| m.log_loss),
        current_log_loss: outcome.current.as_ref().map(|m| m.log_loss),
        parameters: outcome.adopted().map(<[f32]>::to_vec),
    })
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
        fits: Vec::new(),
        wall_seconds: began.elapsed().as_secs_f64(),
    }
}
