//! Keeping the delivery history short: finished outbox rows (whom each message went to
//! and what it said) are deleted once they are older than `[delivery]
//! sent_retention_days`. The service runs [`prune_forever`] beside its planning loop;
//! every instance may run it, since deleting the same old rows twice is harmless.
//!
//! Depends on the store's [`Retention`] and the clock seam.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::store::privacy::Retention;
use crate::store::StoreError;

/// How often the service prunes: often enough that the history never outgrows its
/// retention by much, rarely enough that the scan costs nothing noticeable.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Deletes finished rows older than `keep_days` days; returns how many went.
#[tracing::instrument(skip_all, fields(keep_days))]
pub async fn prune_once(
    store: &dyn Retention,
    clock: &dyn Clock,
    keep_days: u32,
) -> Result<u64, StoreError> {
    let cutoff = clock.now() - chrono::Duration::days(i64::from(keep_days.max(1)));
    let pruned = store.prune_outbox(cutoff).await?;
    if pruned > 0 {
        tracing::info!(pruned, "pruned delivered messages past their retention");
    }
    Ok(pruned)
}

/// Prunes at start and then every [`PRUNE_EVERY`], until the task is aborted.
pub async fn prune_forever(store: Arc<dyn Retention>, clock: Arc<dyn Clock>, keep_days: u32) {
    let mut tick = tokio::time::interval(PRUNE_EVERY);
    loop {
        tick.tick().await;
        if let Err(err) = prune_once(store.as_ref(), clock.as_ref(), keep_days).await {
            tracing::warn!(%err, "pruning the delivery history failed; retrying later");
        }
    }
}
