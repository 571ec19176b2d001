//! `impl Chat for TeamsChat`: daily questions, notices and channel posts pushed through
//! the Connector to the conversation references kept in [`super::refs`].
//!
//! The Bot Framework has no idempotency key on a send: a crash between the Connector's
//! answer and the outbox recording it can show a message twice, as with any platform
//! without nonces. Every other failure is classified by [`super::connector`].

use std::sync::Arc;

use async_trait::async_trait;

use super::card::render;
use super::connector::Connector;
use super::refs::{RefKind, RefStore};
use crate::platform::{Chat, Destination, Platform, Reply, SendError, Sent};

/// Sends proactively to people and channels the bot has met.
pub struct TeamsChat {
    connector: Arc<Connector>,
    refs: RefStore,
}

impl TeamsChat {
    pub fn new(connector: Arc<Connector>, refs: RefStore) -> Self {
        TeamsChat { connector, refs }
    }
}

#[async_trait]
impl Chat for TeamsChat {
    fn platform(&self) -> Platform {
        Platform::Teams
    }

    #[tracing::instrument(skip_all)]
    async fn send(
        &self,
        to: &Destination,
        reply: &Reply,
        _idempotency_key: &str,
    ) -> Result<Sent, SendError> {
        let (kind, id) = match to {
            Destination::Direct { user } => (RefKind::User, user),
            Destination::Channel { channel } => (RefKind::Conversation, channel),
        };
        let found = self
            .refs
            .find(kind, id)
            .await
            .map_err(|e| SendError::Temporary(format!("reading the conversation: {e}")))?;
        let Some(r) = found else {
            return Err(SendError::Undeliverable(match kind {
                RefKind::User => "this person has not installed the Teams app yet".into(),
                RefKind::Conversation => {
                    "the Teams app has not been added to this channel's team yet".into()
                }
            }));
        };
        let mut first = None;
        for activity in render(reply) {
            let id = self
                .connector
                .send(&r.service_url, &r.conversation_id, &activity)
                .await?;
            first.get_or_insert(id);
        }
        let message_id = first.ok_or_else(|| SendError::Undeliverable("empty reply".into()))?;
        Ok(Sent { message_id })
    }
}
