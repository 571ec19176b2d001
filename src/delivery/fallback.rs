//! Closed direct messages: what delivery does when a platform refuses a DM (Discord 50007:
//! the person closed DMs from server members or blocked the bot).
//!
//! Delivery only knows rows; what stands in for the DM (a short notice in a channel with a
//! button that opens the question privately) and where the person's "DMs closed" mark is
//! kept belong to the app, behind [`ClosedDms`]. The notice is an outbox row of its own,
//! keyed by learner and day, so a person sees at most one such notice a day however many
//! DMs bounce and however many workers see them bounce.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::store::outbox::{Claimed, NewMessage, OutboxResult};

/// The app's side of a refused DM.
#[async_trait]
pub trait ClosedDms: Send + Sync {
    /// The platform refused this row's DM: mark the person's DMs as closed and return the
    /// channel notice that stands in for it, or `None` when there is nowhere to post one
    /// (the row then follows the ordinary undeliverable path).
    async fn redirect(
        &self,
        claim: &Claimed,
        now: DateTime<Utc>,
    ) -> OutboxResult<Option<NewMessage>>;

    /// A DM to this row's person went through: clear their "DMs closed" mark, if set.
    async fn reopened(&self, claim: &Claimed) -> OutboxResult<()>;
}
