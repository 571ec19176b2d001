//! Delivery workers: claim due outbox rows, send them within the platform's rate limit,
//! and record the outcome, so that each message reaches its learner exactly once.
//!
//! Exactly once rests on three things: a claim is leased and numbered (a worker that
//! stalls past its lease is fenced off, see [`Outbox::mark_sent`], and a send that waited
//! on the rate limiter for half its lease first renews it, so a row whose lease was lost
//! is never sent by the loser, see [`Outbox::renew_lease`]); the send carries the
//! row's idempotency key (a resend after a crash is folded into the first message by the
//! platform); and nothing here gives up on a row silently: every failure becomes a retry
//! with back-off or, after a limit, an `undeliverable` row an admin can list.
//!
//! A database outage is not a failure of the message: workers wait and retry, they never
//! exit or drop work because [`StoreError::Unavailable`] came back.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::fallback::ClosedDms;
use super::ratelimit::RateLimiter;
use crate::clock::Clock;
use crate::platform::{Chat, Destination, Platform, SendError};
use crate::store::outbox::{Claimed, Outbox, OutboxResult, Retry};
use crate::store::StoreError;

/// How a worker behaves; the defaults suit production.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Written into claimed rows, for admins and logs.
    pub worker_id: String,
    /// Rows claimed at once.
    pub batch: u32,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// How long a claim is exclusive; must comfortably exceed one send.
    pub lease: chrono::Duration,
    /// Pause between polls when there is nothing to do.
    pub idle_poll: Duration,
    pub backoff: Backoff,
    /// A message due longer ago than this is no longer worth sending.
    pub max_lateness: chrono::Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            worker_id: format!("{}-worker", crate::instance::id()),
            batch: 64,
            concurrency: 16,
            lease: chrono::Duration::seconds(60),
            idle_poll: Duration::from_secs(1),
            backoff: Backoff::default(),
            max_lateness: chrono::Duration::hours(18),
        }
    }
}

/// Retry policy for failed sends.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// First retry after a temporary failure; doubles each time up to `max`.
    pub base: chrono::Duration,
    pub max: chrono::Duration,
    /// Temporary (or rate-limited) failures before the row is given up.
    pub temporary_limit: i32,
    /// First retry after "undeliverable" (DMs closed may be reopened); doubles.
    pub undeliverable_base: chrono::Duration,
    /// Undeliverable answers before the row is given up.
    pub undeliverable_limit: i32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: chrono::Duration::seconds(15),
            max: chrono::Duration::minutes(30),
            temporary_limit: 10,
            undeliverable_base: chrono::Duration::hours(1),
            undeliverable_limit: 3,
        }
    }
}

impl Backoff {
    /// What to do after `err`, the row having failed `failures` times before.
    pub fn after(&self, err: &SendError, failures: i32, now: DateTime<Utc>) -> Retry {
        let doubled = |base: chrono::Duration| {
            let factor = 1i32 << failures.clamp(0, 16);
            (base * factor).min(self.max.max(base))
        };
        match err {
            // The platform named the wait; it does not mean the message is bad, so these
            // get twice the budget of other failures.
            SendError::RateLimited { retry_after_secs } if failures < 2 * self.temporary_limit => {
                let ms = (retry_after_secs.max(0.0) * 1000.0).ceil() as i64;
                Retry::At(now + chrono::Duration::milliseconds(ms.max(1)))
            }
            SendError::Temporary(_) if failures + 1 < self.temporary_limit => {
                Retry::At(now + doubled(self.base))
            }
            SendError::Undeliverable(_) | SendError::DmsClosed(_)
                if failures + 1 < self.undeliverable_limit =>
            {
                let factor = 1i32 << failures.clamp(0, 8);
                Retry::At(now + self.undeliverable_base * factor)
            }
            _ => Retry::GiveUp,
        }
    }
}

/// What one worker did in one round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
    /// Claims that finished after their lease (the row will be retried elsewhere).
    pub fenced: usize,
    /// Claims given back unsent because the worker is stopping.
    pub released: usize,
}

enum Outcome {
    Sent,
    Retried,
    GivenUp,
    Fenced,
    Released,
}

/// One delivery worker. Several may run in one process (they share the rate limiter) and
/// in as many processes as wanted (they share the outbox).
#[derive(Clone)]
pub struct Worker {
    outbox: Arc<dyn Outbox>,
    chats: HashMap<Platform, Arc<dyn Chat>>,
    limiter: RateLimiter,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
    /// What stands in for a refused DM; without it such rows retry, then give up.
    closed_dms: Option<Arc<dyn ClosedDms>>,
    /// Turns true once `run` is told to stop: sends not yet started give their rows back.
    stopping: watch::Sender<bool>,
}

impl Worker {
    pub fn new(
        outbox: Arc<dyn Outbox>,
        chats: Vec<Arc<dyn Chat>>,
        limiter: RateLimiter,
        clock: Arc<dyn Clock>,
        config: WorkerConfig,
    ) -> Arc<Self> {
        let chats = chats.into_iter().map(|c| (c.platform(), c)).collect();
        Arc::new(Worker {
            outbox,
            chats,
            limiter,
            clock,
            config,
            closed_dms: None,
            stopping: watch::Sender::new(false),
        })
    }

    /// A worker that offers a refused DM in a channel through `closed_dms`.
    pub fn with_closed_dms(self: Arc<Self>, closed_dms: Arc<dyn ClosedDms>) -> Arc<Self> {
        let mut worker = Arc::unwrap_or_clone(self);
        worker.closed_dms = Some(closed_dms);
        Arc::new(worker)
    }

    /// Delivers until `shutdown` turns true. Database outages are waited out.
    #[tracing::instrument(skip_all, fields(worker = %self.config.worker_id))]
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut outage = Duration::from_millis(100);
        let mut last_sweep: Option<DateTime<Utc>> = None;
        self.forward_shutdown(&shutdown);
        while !*shutdown.borrow() {
            let now = self.clock.now();
            let sweep_due = last_sweep.is_none_or(|t| now - t > chrono::Duration::minutes(1));
            if sweep_due && self.sweep(now).await.is_ok() {
                last_sweep = Some(now);
            }
            let pause = match self.round().await {
                Ok(r) if r.claimed > 0 => {
                    outage = Duration::from_millis(100);
                    continue;
                }
                Ok(_) => self.config.idle_poll,
                Err(e) if matches!(e, StoreError::Unavailable(_)) => {
                    tracing::warn!(error = %e, wait_ms = outage.as_millis() as u64, "outbox unavailable, waiting");
                    let wait = outage;
                    outage = (outage * 2).min(Duration::from_secs(5));
                    wait
                }
                Err(e) => {
                    tracing::error!(error = %e, "outbox error, retrying later");
                    self.config.idle_poll * 5
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Expires work that is too late to be useful or whose planner vanished.
    async fn sweep(&self, now: DateTime<Utc>) -> OutboxResult<u64> {
        let n = self
            .outbox
            .expire(
                now,
                now - self.config.max_lateness,
                now - chrono::Duration::minutes(10),
            )
            .await?;
        if n > 0 {
            tracing::info!(expired = n, "expired outbox rows");
        }
        Ok(n)
    }

    /// Claims one batch and delivers it.
    pub async fn round(self: &Arc<Self>) -> OutboxResult<Round> {
        let now = self.clock.now();
        let cfg = &self.config;
        let batch = self.claimable();
        if batch == 0 {
            return Ok(Round::default());
        }
        let claims = self
            .outbox
            .claim(&cfg.worker_id, now, cfg.lease, batch)
            .await?;
        let mut round = Round {
            claimed: claims.len(),
            ..Round::default()
        };
        let gate = Arc::new(Semaphore::new(cfg.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for claim in claims {
            let me = Arc::clone(self);
            let gate = Arc::clone(&gate);
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                me.deliver(claim, now).await
            });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Outcome::Sent) => round.sent += 1,
                Ok(Outcome::Retried) => round.retried += 1,
                Ok(Outcome::GivenUp) => round.given_up += 1,
                Ok(Outcome::Fenced) => round.fenced += 1,
                Ok(Outcome::Released) => round.released += 1,
                // A panicking send leaves its row leased; it is retried after the lease.
                Err(e) => tracing::error!(error = %e, "delivery task failed"),
            }
        }
        Ok(round)
    }

    /// Rows to claim now: the batch, cut to what the rate limits let start within the
    /// first half of a lease (so a claimed row rarely waits long enough to need renewing).
    fn claimable(&self) -> u32 {
        let half = (self.config.lease / 2).to_std().unwrap_or_default();
        self.chats
            .keys()
            .filter_map(|p| self.limiter.sends_within(*p, half))
            .fold(self.config.batch, u32::min)
    }

    /// Whether this claim may still send: once half the lease has gone (waiting on the
    /// rate limiter), the lease is renewed first, and a lost one stops the send.
    async fn still_mine(&self, claim: &Claimed, claimed_at: DateTime<Utc>) -> bool {
        let now = self.clock.now();
        if now - claimed_at < self.config.lease / 2 {
            return true;
        }
        match (self.outbox)
            .renew_lease(claim.id, claim.attempt, now + self.config.lease, now)
            .await
        {
            Ok(kept) => kept,
            Err(e) => {
                tracing::warn!(id = claim.id, error = %e, "could not renew a lease; not sending");
                false
            }
        }
    }

    async fn deliver(&self, claim: Claimed, claimed_at: DateTime<Utc>) -> Outcome {
        let msg = &claim.message;
        let result = match self.chats.get(&msg.platform) {
            Some(chat) => {
                if !self.wait_turn(msg).await {
                    return self.release(&claim).await;
                }
                if !self.still_mine(&claim, claimed_at).await {
                    tracing::info!(id = claim.id, "lease lost while waiting; not sending");
                    return Outcome::Fenced;
                }
                chat.send(&msg.destination, &msg.reply, &claim.idempotency_key())
                    .await
            }
            None => Err(SendError::Temporary(format!(
                "{} is not connected on this instance",
                msg.platform.as_str()
            ))),
        };
        let now = self.clock.now();
        let lease_end = now + self.config.lease;
        match result {
            Ok(sent) => {
                let done = self
                    .persist(lease_end, || {
                        self.outbox.mark_sent(
                            claim.id,
                            claim.attempt,
                            &sent.message_id,
                            self.clock.now(),
                        )
                    })
                    .await;
                if done {
                    crate::ops::metrics::sent(msg.platform, claim.key.kind);
                    self.dm_went_through(&claim).await;
                    Outcome::Sent
                } else {
                    Outcome::Fenced
                }
            }
            Err(err) => self.failed(&claim, err, now, lease_end).await,
        }
    }

    /// Clears a "DMs closed" mark after a DM succeeds.
    async fn dm_went_through(&self, claim: &Claimed) {
        let direct = matches!(claim.message.destination, Destination::Direct { .. });
        if let (true, Some(hook)) = (direct, &self.closed_dms) {
            if let Err(err) = hook.reopened(claim).await {
                tracing::warn!(id = claim.id, %err, "could not clear a closed-DMs mark");
            }
        }
    }

    /// Offers a refused DM in a channel; true when the notice is queued and the DM row
    /// can be closed.
    async fn offered_in_channel(&self, claim: &Claimed, now: DateTime<Utc>) -> bool {
        let Some(hook) = &self.closed_dms else {
            return false;
        };
        let notice = match hook.redirect(claim, now).await {
            Ok(Some(notice)) => notice,
            Ok(None) => return false,
            Err(err) => {
                tracing::warn!(id = claim.id, %err, "could not offer a refused DM in a channel");
                return false;
            }
        };
        // The notice's key is per learner and day: a retry after a crash queues nothing new.
        match self.outbox.enqueue(&[notice], now).await {
            Ok(_) => true,
            Err(err) => {
                tracing::warn!(id = claim.id, %err, "could not queue the channel notice");
                false
            }
        }
    }

    async fn failed(
        &self,
        claim: &Claimed,
        err: SendError,
        now: DateTime<Utc>,
        lease_end: DateTime<Utc>,
    ) -> Outcome {
        if matches!(err, SendError::DmsClosed(_)) && self.offered_in_channel(claim, now).await {
            let error = format!("{err}; offered in a channel instead");
            let done = self
                .persist(lease_end, || {
                    let now = self.clock.now();
                    self.outbox
                        .mark_failed(claim.id, claim.attempt, &error, Retry::GiveUp, now)
                })
                .await;
            return if done {
                Outcome::GivenUp
            } else {
                Outcome::Fenced
            };
        }
        if let SendError::RateLimited { retry_after_secs } = &err {
            let wait = Duration::from_secs_f64(retry_after_secs.clamp(0.0, 3600.0));
            let msg = &claim.message;
            self.limiter.back_off(msg.platform, &msg.destination, wait);
        }
        let retry = self.config.backoff.after(&err, claim.failures, now);
        // Keep the reason for admins, but never the message content.
        tracing::info!(id = claim.id, error = %err, give_up = matches!(retry, Retry::GiveUp), "send failed");
        let give_up = matches!(retry, Retry::GiveUp);
        crate::ops::metrics::failed(claim.message.platform, claim.key.kind, &err, give_up);
        let error = err.to_string();
        let done = self
            .persist(lease_end, || {
                self.outbox.mark_failed(
                    claim.id,
                    claim.attempt,
                    &error,
                    retry.clone(),
                    self.clock.now(),
                )
            })
            .await;
        match (done, give_up) {
            (false, _) => Outcome::Fenced,
            (true, true) => Outcome::GivenUp,
            (true, false) => Outcome::Retried,
        }
    }

    /// Runs a completion until it succeeds, retrying through database outages while the
    /// lease lasts. Past the lease the row belongs to whoever claims it next, so giving up
    /// then loses nothing: the message is resent under the same idempotency key.
    async fn persist<'a, F, Fut>(&'a self, lease_end: DateTime<Utc>, op: F) -> bool
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = OutboxResult<bool>> + 'a,
    {
        let mut wait = Duration::from_millis(50);
        loop {
            match op().await {
                Ok(done) => return done,
                Err(e @ StoreError::Unavailable(_)) if self.clock.now() < lease_end => {
                    tracing::debug!(error = %e, "completion waiting for the database");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not record the outcome; the row will be retried");
                    return false;
                }
            }
        }
    }
}

mod stop;
#[cfg(test)]
mod tests;
