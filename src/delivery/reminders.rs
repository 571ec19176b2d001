//! The one gentle reminder: a daily prompt still unanswered some hours after it was
//! delivered gets a short nudge, at most one a day per learner, never while the learner
//! is paused or on a day they did not choose.
//!
//! Reminders are outbox rows of kind `reminder` keyed by the learner's local date, so the
//! "one a day" rule holds across instances and restarts without any extra bookkeeping.

use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::plan::{learner_slot_id, DayPlanner, PlanError, TenantSchedule};
use super::slots;
use crate::clock::Clock;
use crate::platform::Reply;
use crate::store::outbox::{Message, MessageKind, NewMessage, Outbox, SlotKey};

/// The reminder text: short, friendly, and with nothing to answer in it (the original
/// prompt's buttons still work).
pub fn reminder_reply() -> Reply {
    Reply::text(
        "A gentle reminder: today's question is still waiting for you above. \
         It takes less than a minute.",
    )
}

/// Queues reminders for a tenant's learners whose daily prompt was sent more than `after`
/// ago and is still open. Returns how many were queued.
pub struct Reminders {
    outbox: Arc<dyn Outbox>,
    planner: Arc<dyn DayPlanner>,
    clock: Arc<dyn Clock>,
    after: chrono::Duration,
}

impl Reminders {
    pub fn new(
        outbox: Arc<dyn Outbox>,
        planner: Arc<dyn DayPlanner>,
        clock: Arc<dyn Clock>,
        after: chrono::Duration,
    ) -> Self {
        Reminders {
            outbox,
            planner,
            clock,
            after,
        }
    }

    #[tracing::instrument(skip_all, fields(tenant = %schedule.tenant))]
    pub async fn queue(&self, schedule: &TenantSchedule) -> Result<u64, PlanError> {
        let now = self.clock.now();
        let mut reminders = Vec::new();
        for learner in self.planner.roster(&schedule.tenant).await? {
            let tz = schedule.timezone_of(&learner);
            let today = now.with_timezone(&tz).date_naive();
            // Not a practice day, or paused: no reminder.
            if slots::current_slot(&schedule.for_learner(&learner), tz, now).is_none() {
                continue;
            }
            let sent = self
                .outbox
                .sent_daily(&schedule.tenant, &learner_slot_id(&learner.key), today)
                .await?;
            let Some((_, message, sent_at)) = sent else {
                continue;
            };
            if !self.due(sent_at, now) {
                continue;
            }
            let open = match &message.prompt_ref {
                Some(p) => self.planner.still_open(p).await?,
                None => false,
            };
            if open {
                reminders.push(NewMessage {
                    key: SlotKey {
                        tenant: schedule.tenant.clone(),
                        schedule: schedule.name.clone(),
                        learner: learner_slot_id(&learner.key),
                        slot_date: today,
                        kind: MessageKind::Reminder,
                    },
                    message: Message {
                        reply: reminder_reply(),
                        ..message
                    },
                    due_at: now,
                });
            }
        }
        Ok(self.outbox.enqueue(&reminders, now).await?)
    }

    fn due(&self, sent_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - sent_at >= self.after
    }
}
