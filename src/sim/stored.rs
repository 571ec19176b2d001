//! The simulator through the real store: each synthetic learner is a learner row, each
//! question a practice prompt, each answer goes through the store's answer transaction,
//! and before every session the learner's memory states are read back from the store,
//! the same path the service takes when it plans a day.
//!
//! The learners' true memory, their random streams and the engine calls are the ones of
//! [`super::run`], so a run here reports exactly what the in-memory run reports for the
//! same seed, unless the store changes a memory state on its way through (which is what
//! the comparison checks). FSRS only: the baseline schedulers have no stored state.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use ladder_engine::schedule::ScheduleError;
use ladder_engine::{Library, Stage};
use std::time::Instant;

use super::learner::{answer_time, Answered, Learner};
use super::world::World;
use super::{report, start, Config, Report, SchedulerKind};
use crate::clock::{Clock, VirtualClock};
use crate::platform::Platform;
use crate::store::{
    AnswerOutcome, AnswerRecord, LearnerId, NewLearner, NewPrompt, Preferences, PromptKind,
    StageChange, Store, StoreError,
};

/// Why a store-backed simulation stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("setting up the schedulers: {0}")]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("fitting the scheduler: {0}")]
    Fit(#[from] ladder_engine::eval::EvalError),
    #[error("only the fsrs scheduler keeps its state in the store, not {0}")]
    Unsupported(&'static str),
    /// The store refused or changed something the simulator wrote.
    #[error("the store diverged from the simulation: {0}")]
    Diverged(String),
}

/// Runs the cohort like [`super::run`], with every learner's state in `store`.
#[tracing::instrument(skip_all, fields(learners = config.learners, days = config.days))]
pub async fn run_stored(
    config: &Config,
    library: &Library,
    store: &dyn Store,
    mut progress: impl FnMut(u32, u32),
) -> Result<Report, SimError> {
    if config.scheduler != SchedulerKind::Fsrs {
        return Err(SimError::Unsupported(config.scheduler.as_str()));
    }
    let began = Instant::now();
    let world = World::new(
        library,
        config.scheduler,
        config.caps,
        config.retention,
        config.seed,
    )?;
    let ids = enrol(store, config.learners).await?;
    let mut learners: Vec<Learner> = (0..config.learners)
        .map(|i| Learner::new(&world, config.seed, u64::from(i)))
        .collect();
    let clock = VirtualClock::new(start());
    for day in 0..config.days {
        let today = clock.now();
        if !matches!(today.weekday(), Weekday::Sat | Weekday::Sun) {
            for (i, learner) in learners.iter_mut().enumerate() {
                let at = today + Duration::hours(9) + Duration::minutes((i % 120) as i64);
                let mut session = Session {
                    store,
                    world: &world,
                    library,
                    id: ids[i],
                };
                session.run(learner, at).await?;
            }
        }
        clock.advance(Duration::days(1));
        progress(day + 1, config.days);
    }
    Ok(report(config, &learners, clock.now(), began))
}

/// One tenant for the cohort and one learner row per synthetic learner.
async fn enrol(store: &dyn Store, learners: u32) -> Result<Vec<LearnerId>, StoreError> {
    let tenant = store
        .upsert_tenant(Platform::Local, "simulation", "Simulated cohort")
        .await?;
    let mut ids = Vec::with_capacity(learners as usize);
    for i in 0..learners {
        let learner = store
            .add_learner(NewLearner {
                tenant: tenant.id,
                platform_user: format!("sim-{i}"),
                display_name: format!("Learner {i}"),
                prefs: Preferences::default(),
                joined_at: start(),
            })
            .await?;
        ids.push(learner.id);
    }
    Ok(ids)
}

/// One learner's day against the store.
struct Session<'s, 'w> {
    store: &'s dyn Store,
    world: &'s World<'w>,
    library: &'s Library,
    id: LearnerId,
}

impl Session<'_, '_> {
    async fn run(&mut self, learner: &mut Learner, at: DateTime<Utc>) -> Result<(), SimError> {
        let stored = self.store.memories(self.id).await?;
        let unknown = learner.load_memories(self.world, stored);
        if unknown > 0 {
            return Err(SimError::Diverged(format!(
                "{unknown} stored memory states for items learner {} never answered",
                self.id
            )));
        }
        for (k, item) in learner.plan_day(self.world, at).into_iter().enumerate() {
            let now = answer_time(at, k);
            if let Some(answered) = learner.answer(self.world, item, now) {
                self.record(answered, now).await?;
            }
        }
        for (skill, before) in learner.close_day(self.world, at) {
            self.stage_change(skill, before, learner.stages[skill], at)
                .await?;
        }
        Ok(())
    }

    /// A practice prompt revealed `latency` before the answer, then the answer
    /// transaction with the memory state the engine computed.
    async fn record(&self, a: Answered, now: DateTime<Utc>) -> Result<(), SimError> {
        let item = self.world.items[a.item];
        let latency_ms = (a.latency_secs * 1000.0).round() as i64;
        let revealed = now - Duration::milliseconds(latency_ms);
        let prompt = self
            .store
            .create_prompt(NewPrompt {
                learner: self.id,
                item: item.id.clone(),
                variant: None,
                seed: 0,
                kind: PromptKind::Practice,
                slot: None,
                created_at: revealed,
                revealed_at: Some(revealed),
                expires_at: None,
                supersede_open: false,
            })
            .await?
            .prompt;
        let outcome = self
            .store
            .record_answer(AnswerRecord {
                prompt: prompt.id,
                learner: self.id,
                item: item.id.clone(),
                skill: item.skill.clone(),
                item_stage: item.stage,
                verdict: a.verdict,
                score: a.score,
                rating: Some(a.rating),
                latency_ms: Some(latency_ms),
                response: a.response,
                answered_at: now,
                memory: Some(a.memory),
                stage_change: None,
                escalations: Vec::new(),
                reply: serde_json::Value::Null,
                basis: None,
            })
            .await?;
        match outcome {
            AnswerOutcome::Recorded(_) => Ok(()),
            other => Err(SimError::Diverged(format!(
                "answer to prompt {} was not recorded: {other:?}",
                prompt.id
            ))),
        }
    }

    async fn stage_change(
        &self,
        skill: usize,
        from: Stage,
        to: Stage,
        at: DateTime<Utc>,
    ) -> Result<(), SimError> {
        let change = StageChange {
            learner: self.id,
            skill: self.library.skills[skill].id.clone(),
            from: Some(from),
            to,
            at,
            evidence: serde_json::json!({ "source": "simulation" }),
        };
        Ok(self.store.record_stage_change(&change).await?)
    }
}
