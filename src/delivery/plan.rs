//! Materialising the morning: for every learner whose slot is due, reserve the slot in the
//! outbox and compose its message, so that workers can deliver it.
//!
//! Every instance may run this at the same time; there is no leader. The slot row is
//! reserved first (`INSERT … ON CONFLICT DO NOTHING` on the slot key) and only the
//! instance that created it composes the message, so a learner's day is planned once even
//! when several instances wake up together. What to ask comes from a [`DayPlanner`]: the
//! app's daily plan in production ([`AppPlanner`]), a cheap stand-in in benchmarks.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use super::slots::{self, LearnerSchedule};
use crate::app::policy::DailyPolicy;
use crate::app::records::{Learner, LearnerKey, PromptState, Records};
use crate::app::App;
use crate::clock::Clock;
use crate::platform::{Destination, Platform};
use crate::store::outbox::{
    ComposedSlot, Message, MessageKind, NewSlot, Outbox, OutboxId, SlotKey,
};
use crate::store::StoreError;

/// Why planning failed for now (it is retried on the next pass).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not plan: {0}")]
    Planner(String),
}

/// What to send a learner, decided by the app.
#[async_trait]
pub trait DayPlanner: Send + Sync {
    /// The learners of a tenant, with their delivery preferences.
    async fn roster(&self, tenant: &str) -> Result<Vec<Learner>, PlanError>;
    /// Today's first message for `learner` (None: nothing to ask today).
    async fn compose(
        &self,
        learner: &Learner,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, PlanError>;
    /// Whether the prompt behind a delivered message still waits for an answer.
    async fn still_open(&self, prompt_ref: &str) -> Result<bool, PlanError>;
    /// True when [`DayPlanner::compose`] has no side effects (it creates no records), so
    /// a message may be composed before its slot is won and thrown away if another
    /// instance wins it. Planning then writes each row once instead of twice.
    fn side_effect_free(&self) -> bool {
        false
    }
}

/// Where a learner's messages go: a DM on their platform.
pub fn destination_of(key: &LearnerKey) -> Option<(Platform, Destination)> {
    (!key.user.is_empty()).then(|| {
        let user = key.user.clone();
        (key.platform, Destination::Direct { user })
    })
}

/// The learner as the outbox's slot key spells them: `platform:tenant:user`.
pub fn learner_slot_id(key: &LearnerKey) -> String {
    format!("{}:{}:{}", key.platform.as_str(), key.tenant, key.user)
}

/// A tenant's default delivery schedule (`[schedules]`: `prompt_cron` in `timezone`);
/// learners' own time, days and timezone replace its parts.
#[derive(Debug, Clone)]
pub struct TenantSchedule {
    pub tenant: String,
    /// Part of the slot key, so two schedules of one tenant never collide.
    pub name: String,
    pub policy: DailyPolicy,
}

impl TenantSchedule {
    /// The learner's schedule: their time, days and pause over the tenant's expression.
    pub fn for_learner(&self, learner: &Learner) -> LearnerSchedule {
        self.policy.schedule_of(&learner.prefs)
    }

    /// The timezone the learner's schedule is evaluated in.
    pub fn timezone_of(&self, learner: &Learner) -> chrono_tz::Tz {
        self.policy.timezone_of(&learner.prefs)
    }
}

/// What one planning pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Planned {
    /// Learners whose slot is due now.
    pub due: usize,
    /// Slots this instance reserved (the rest were already taken).
    pub reserved: usize,
    /// Reserved slots that got a message.
    pub composed: usize,
}

/// Plans due slots into the outbox.
pub struct Materialiser {
    outbox: Arc<dyn Outbox>,
    planner: Arc<dyn DayPlanner>,
    clock: Arc<dyn Clock>,
}

impl Materialiser {
    pub fn new(
        outbox: Arc<dyn Outbox>,
        planner: Arc<dyn DayPlanner>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Materialiser {
            outbox,
            planner,
            clock,
        }
    }

    /// One pass over a tenant: reserve today's due slots, compose the ones reserved here.
    #[tracing::instrument(skip_all, fields(tenant = %schedule.tenant))]
    pub async fn plan(&self, schedule: &TenantSchedule) -> Result<Planned, PlanError> {
        let now = self.clock.now();
        let started = std::time::Instant::now();
        let learners = self.planner.roster(&schedule.tenant).await?;
        let (due, by_key) = due_now(schedule, &learners, now);
        let slots_ms = started.elapsed().as_millis() as u64;
        tracing::debug!(
            learners = learners.len(),
            due = due.len(),
            slots_ms,
            "due slots"
        );
        if self.planner.side_effect_free() {
            self.compose_then_reserve(due, &by_key, now).await
        } else {
            self.reserve_then_compose(due, &by_key, now).await
        }
    }

    /// Two writes per row, so that only the instance that won a slot composes it: the
    /// app's planner creates prompt records, which a lost race would leave orphaned.
    async fn reserve_then_compose(
        &self,
        due: Vec<NewSlot>,
        by_key: &HashMap<String, &Learner>,
        now: DateTime<Utc>,
    ) -> Result<Planned, PlanError> {
        let started = std::time::Instant::now();
        let won = self.outbox.reserve(&due, now).await?;
        let reserved = started.elapsed();
        let mut filled: Vec<(OutboxId, Option<Message>)> = Vec::with_capacity(won.len());
        for (id, key) in &won {
            let Some(learner) = by_key.get(&key.learner) else {
                continue;
            };
            // A failure here leaves the row in `planning`; the sweep expires it, and the
            // learner gets tomorrow's slot. Planning it again here could ask twice.
            match self.planner.compose(learner, now).await {
                Ok(message) => filled.push((*id, message)),
                Err(e) => tracing::warn!(error = %e, "composing a daily message failed"),
            }
        }
        let composed_at = started.elapsed();
        let composed = filled.iter().filter(|(_, m)| m.is_some()).count();
        self.outbox.fill(&filled).await?;
        tracing::debug!(
            reserve_ms = reserved.as_millis() as u64,
            compose_ms = (composed_at - reserved).as_millis() as u64,
            fill_ms = (started.elapsed() - composed_at).as_millis() as u64,
            "planned"
        );
        Ok(Planned {
            due: due.len(),
            reserved: won.len(),
            composed,
        })
    }

    /// One write per row: compose every due slot, then create the rows that do not exist
    /// yet with their message. A learner whose message failed to compose gets no row, so
    /// the next pass tries again (nothing was recorded for them).
    async fn compose_then_reserve(
        &self,
        due: Vec<NewSlot>,
        by_key: &HashMap<String, &Learner>,
        now: DateTime<Utc>,
    ) -> Result<Planned, PlanError> {
        let started = std::time::Instant::now();
        let due_count = due.len();
        let mut rows = Vec::with_capacity(due_count);
        for slot in due {
            let Some(learner) = by_key.get(&slot.key.learner) else {
                continue;
            };
            match self.planner.compose(learner, now).await {
                Ok(message) => rows.push(ComposedSlot { slot, message }),
                Err(e) => tracing::warn!(error = %e, "composing a daily message failed"),
            }
        }
        let composed_at = started.elapsed();
        let created = self.outbox.reserve_composed(&rows, now).await?;
        tracing::debug!(
            compose_ms = composed_at.as_millis() as u64,
            insert_ms = (started.elapsed() - composed_at).as_millis() as u64,
            "planned"
        );
        Ok(Planned {
            due: due_count,
            reserved: created.rows,
            composed: created.pending,
        })
    }
}

/// The learners whose slot is due at `now`, as slots to reserve, and each by slot id.
fn due_now<'a>(
    schedule: &TenantSchedule,
    learners: &'a [Learner],
    now: DateTime<Utc>,
) -> (Vec<NewSlot>, HashMap<String, &'a Learner>) {
    let mut zones: HashMap<&str, Option<chrono_tz::Tz>> = HashMap::new();
    let mut due = Vec::new();
    let mut by_key = HashMap::new();
    for learner in learners {
        // A learner who set no timezone follows the tenant's.
        let tz = match learner.prefs.timezone.as_deref() {
            None => schedule.policy.timezone,
            Some(name) => match *zones
                .entry(name)
                .or_insert_with(|| slots::parse_tz(name).ok())
            {
                Some(tz) => tz,
                None => {
                    tracing::warn!("learner with an unknown timezone skipped");
                    continue;
                }
            },
        };
        let slot = slots::current_slot(&schedule.for_learner(learner), tz, now);
        // A slot older than the prompts' time to live (the service was down) would be
        // expired before it is read: skip the day.
        let fresh = |s: &slots::Slot| {
            schedule
                .policy
                .expiry_from(s.at_utc)
                .is_none_or(|e| e > now)
        };
        if let Some(slot) = slot.filter(fresh) {
            let id = learner_slot_id(&learner.key);
            due.push(NewSlot {
                key: SlotKey {
                    tenant: schedule.tenant.clone(),
                    schedule: schedule.name.clone(),
                    learner: id.clone(),
                    slot_date: slot.local_date,
                    kind: MessageKind::Daily,
                },
                due_at: slot.at_utc,
            });
            by_key.insert(id, learner);
        }
    }
    (due, by_key)
}

/// The production planner: the app's own daily plan and records.
pub struct AppPlanner {
    pub app: Arc<App>,
    pub records: Arc<dyn Records>,
}

#[async_trait]
impl DayPlanner for AppPlanner {
    async fn roster(&self, tenant: &str) -> Result<Vec<Learner>, PlanError> {
        self.records
            .learners(tenant)
            .await
            .map_err(|e| PlanError::Planner(e.to_string()))
    }

    async fn compose(
        &self,
        learner: &Learner,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, PlanError> {
        let Some((platform, destination)) = destination_of(&learner.key) else {
            return Ok(None);
        };
        let planned = self
            .app
            .plan_day(&learner.key, now)
            .await
            .map_err(|e| PlanError::Planner(e.to_string()))?;
        Ok(planned.map(|p| Message {
            platform,
            destination,
            reply: p.reply,
            prompt_ref: Some(p.prompt.id.to_string()),
        }))
    }

    async fn still_open(&self, prompt_ref: &str) -> Result<bool, PlanError> {
        let Ok(id) = crate::app::action::PromptRef::parse(prompt_ref) else {
            return Ok(false);
        };
        let prompt = self
            .records
            .prompt(&id)
            .await
            .map_err(|e| PlanError::Planner(e.to_string()))?;
        Ok(prompt.is_some_and(|p| p.state_at(self.app.now()) == PromptState::Open))
    }
}

#[cfg(test)]
mod tests;
