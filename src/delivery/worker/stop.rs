//! Stopping a worker without losing or delaying work: once shutdown is asked, a claimed
//! row whose send has not started is given back at once (pending, due now) instead of
//! waiting out its lease; sends already on the wire finish and are recorded as usual.

use std::sync::Arc;
use tokio::sync::watch;

use super::{Outcome, Worker};
use crate::store::outbox::{Claimed, Message};

impl Worker {
    /// Passes the caller's shutdown signal on to this worker's sends.
    pub(super) fn forward_shutdown(self: &Arc<Self>, shutdown: &watch::Receiver<bool>) {
        let me = Arc::clone(self);
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            // An error means the caller dropped its sender: treat it as a stop too.
            let _ = shutdown.wait_for(|stop| *stop).await;
            me.stopping.send_replace(true);
        });
    }

    /// Waits for the message's turn under the rate limit; false when the worker started
    /// stopping first (the send must not start).
    pub(super) async fn wait_turn(&self, msg: &Message) -> bool {
        let mut stopping = self.stopping.subscribe();
        if *stopping.borrow_and_update() {
            return false;
        }
        tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => false,
            () = self.limiter.acquire(msg.platform, &msg.destination) => true,
        }
    }

    /// Gives a claim back unsent, so another worker or instance takes it immediately.
    pub(super) async fn release(&self, claim: &Claimed) -> Outcome {
        let now = self.clock.now();
        match self.outbox.release(claim.id, claim.attempt, now).await {
            Ok(true) => {
                crate::ops::metrics::released(claim.message.platform);
                Outcome::Released
            }
            Ok(false) => Outcome::Fenced,
            Err(err) => {
                tracing::warn!(id = claim.id, %err, "could not give the claim back; its lease expires by itself");
                Outcome::Fenced
            }
        }
    }
}
