//! Replayed inbound events. A gateway resume, a retried webhook or a second instance may
//! hand the app an event it has already handled; applying it again would, for example,
//! replace the question a learner is looking at with a new one. So each event id is
//! recorded durably, per platform, before the event is applied, and a second arrival
//! applies nothing. Answers are the exception that proves the rule: they are idempotent
//! in the store itself (the first answer to a prompt wins, in the same transaction as its
//! effects) and a replay gets the first answer's replies back, so they go through.
//!
//! Records of handled events are kept for [`RETENTION`] and pruned now and then by
//! whichever instance is handling events. Depends on the records interface only.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

use super::action::Action;
use super::records::{Records, RecordsError};
use crate::platform::{Inbound, InboundKind, Platform, Reply};

/// How long a handled event is remembered: far longer than any platform replays (Discord
/// interactions live 15 minutes, Slack retries for about an hour).
pub const RETENTION: Duration = Duration::days(7);

/// How often an instance prunes events older than [`RETENTION`].
const PRUNE_EVERY: Duration = Duration::hours(1);

/// Whether an inbound event is new or a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    First,
    Replay,
}

/// The app's guard against replays.
#[derive(Debug, Default)]
pub struct Replays {
    /// When this instance last pruned (Unix seconds; 0: never).
    last_prune: AtomicI64,
}

impl Replays {
    /// Records the event as being handled, or tells that it already was.
    pub async fn arrival(
        &self,
        records: &dyn Records,
        inbound: &Inbound,
        now: DateTime<Utc>,
    ) -> Result<Arrival, RecordsError> {
        // The terminal and the simulator never replay, and the terminal's ids are only
        // unique within one run; an event without an id cannot be recognised.
        if inbound.actor.platform == Platform::Local || inbound.event_id.is_empty() {
            return Ok(Arrival::First);
        }
        let first = records
            .first_handling(inbound.actor.platform, &inbound.event_id, now)
            .await?;
        self.prune(records, now).await;
        Ok(if first {
            Arrival::First
        } else {
            Arrival::Replay
        })
    }

    async fn prune(&self, records: &dyn Records, now: DateTime<Utc>) {
        let last = self.last_prune.load(Ordering::Relaxed);
        let due = now.timestamp() - last >= PRUNE_EVERY.num_seconds();
        let ours = due
            && self
                .last_prune
                .compare_exchange(last, now.timestamp(), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        if !ours {
            return;
        }
        match records.forget_handled_before(now - RETENTION).await {
            Ok(n) if n > 0 => tracing::info!(forgotten = n, "pruned handled events"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not prune handled events"),
        }
    }
}

/// True for events that are safe to apply again because the store makes them idempotent
/// and replays their first reply: answers.
pub fn replays_itself(kind: &InboundKind) -> bool {
    let answer = |a: &str| {
        matches!(
            Action::parse(a),
            Ok(Action::Answer { .. } | Action::Typed { .. })
        )
    };
    match kind {
        InboundKind::Action { actions } => actions.first().is_some_and(|a| answer(a)),
        InboundKind::Text {
            action: Some(a), ..
        } => answer(a),
        _ => false,
    }
}

/// What a replayed event gets instead of being applied again.
pub fn already_done() -> Reply {
    Reply::text("That was already done: I got the same request twice and acted on it once.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::records::StoreRecords;
    use crate::platform::Actor;

    fn event(platform: Platform, id: &str, kind: InboundKind) -> Inbound {
        Inbound {
            actor: Actor {
                platform,
                tenant: "g".into(),
                user: "u".into(),
                display_name: "U".into(),
                platform_roles: vec![],
            },
            event_id: id.into(),
            kind,
        }
    }

    fn practice() -> InboundKind {
        InboundKind::Command {
            name: "practice".into(),
            args: String::new(),
        }
    }

    #[tokio::test]
    async fn a_second_arrival_is_a_replay_until_it_is_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
        let records = StoreRecords::new(crate::store::connect(&url).await.unwrap());
        let replays = Replays::default();
        let t0 = DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        let e = event(Platform::Discord, "1", practice());
        assert_eq!(
            replays.arrival(&records, &e, t0).await.unwrap(),
            Arrival::First
        );
        assert_eq!(
            replays.arrival(&records, &e, t0).await.unwrap(),
            Arrival::Replay
        );
        // The same id on another platform is another event.
        let slack = event(Platform::Slack, "1", practice());
        assert_eq!(
            replays.arrival(&records, &slack, t0).await.unwrap(),
            Arrival::First
        );
        // After the retention, the next prune forgets it.
        let later = t0 + RETENTION + Duration::hours(2);
        let other = event(Platform::Discord, "2", practice());
        replays.arrival(&records, &other, later).await.unwrap();
        assert_eq!(
            replays.arrival(&records, &e, later).await.unwrap(),
            Arrival::First
        );
    }

    #[test]
    fn only_answers_replay_themselves() {
        let click = |a: &str| InboundKind::Action {
            actions: vec![a.into()],
        };
        assert!(replays_itself(&click("a:12:1")));
        assert!(replays_itself(&InboundKind::Text {
            action: Some("t:12".into()),
            text: "x".into()
        }));
        assert!(!replays_itself(&click("p")));
        assert!(!replays_itself(&click("r:12")));
        assert!(!replays_itself(&practice()));
    }
}
