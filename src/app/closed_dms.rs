//! When a learner's DMs are closed: their question is offered in a channel instead.
//!
//! Delivery calls [`ChannelFallback`] when the platform refuses a DM that carries a
//! question. It marks the learner's DMs as closed and composes one short notice for the
//! channel of the learner's team (else the configured fallback channel of that server):
//! "your question is waiting: tap to open it", with a button that opens the question
//! privately (an ephemeral reply) for that learner alone. The learner is mentioned only
//! when they asked for it (`/settings mention on`); nobody else ever is. The mark is
//! cleared as soon as a DM goes through again, and while it is set every command of theirs
//! also shows the waiting question.
//!
//! Depends on the store's directory and outbox types, the action strings and the platform's
//! reply types.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use super::action::{Action, PromptRef};
use super::echo;
use crate::delivery::fallback::ClosedDms;
use crate::platform::{Block, Choice, Destination, Platform, Reply};
use crate::store::outbox::{Claimed, Message, MessageKind, NewMessage, OutboxResult, SlotKey};
use crate::store::types::parse_platform;
use crate::store::{Learner, Store};

/// The schedule name of channel notices, part of their once-a-day key.
pub const SCHEDULE: &str = "dm-fallback";

/// Offers refused DMs in the team's channel, or in `fallback_channel`.
pub struct ChannelFallback {
    store: Arc<dyn Store>,
    /// Server → channel: where to post in that server when the learner's teams have no
    /// channel. A channel belongs to one server, so it never serves another's learners.
    fallback_channels: HashMap<String, String>,
}

impl ChannelFallback {
    pub fn new(store: Arc<dyn Store>, fallback_channels: HashMap<String, String>) -> Self {
        ChannelFallback {
            store,
            fallback_channels,
        }
    }

    /// The stored learner a row is for (`platform:tenant:user`).
    async fn learner(&self, claim: &Claimed) -> OutboxResult<Option<(Platform, Learner)>> {
        let mut parts = claim.key.learner.splitn(3, ':');
        let (Some(platform), Some(tenant), Some(user)) = (
            parts.next().and_then(parse_platform),
            parts.next(),
            parts.next(),
        ) else {
            return Ok(None);
        };
        let Some(t) = self.store.find_tenant(platform, tenant).await? else {
            return Ok(None);
        };
        let learner = self.store.learner_by_platform_user(t.id, user).await?;
        Ok(learner.map(|l| (platform, l)))
    }

    /// The learner's team channel, else the server's fallback channel.
    async fn channel(&self, learner: &Learner, tenant: &str) -> OutboxResult<Option<String>> {
        let teams = self.store.teams_of(learner.id).await?;
        if let Some(channel) = teams.into_iter().find_map(|t| t.channel_id) {
            return Ok(Some(channel));
        }
        Ok(self.fallback_channels.get(tenant).cloned())
    }
}

#[async_trait]
impl ClosedDms for ChannelFallback {
    #[tracing::instrument(skip_all, fields(id = claim.id))]
    async fn redirect(
        &self,
        claim: &Claimed,
        now: DateTime<Utc>,
    ) -> OutboxResult<Option<NewMessage>> {
        let prompt = claim.message.prompt_ref.as_deref();
        let Some(prompt) = prompt.and_then(|p| PromptRef::parse(p).ok()) else {
            return Ok(None);
        };
        let Some((platform, mut learner)) = self.learner(claim).await? else {
            return Ok(None);
        };
        if !learner.prefs.dm_closed {
            learner.prefs.dm_closed = true;
            self.store
                .set_preferences(learner.id, &learner.prefs)
                .await?;
        }
        let Some(channel) = self.channel(&learner, &claim.key.tenant).await? else {
            tracing::info!("DMs closed and no channel to offer the question in");
            return Ok(None);
        };
        Ok(Some(NewMessage {
            key: SlotKey {
                tenant: claim.key.tenant.clone(),
                schedule: SCHEDULE.to_owned(),
                learner: claim.key.learner.clone(),
                slot_date: claim.key.slot_date,
                kind: MessageKind::Notice,
            },
            message: Message {
                platform,
                destination: Destination::Channel { channel },
                reply: notice(&learner, &prompt),
                prompt_ref: Some(prompt.to_string()),
            },
            due_at: now,
        }))
    }

    #[tracing::instrument(skip_all, fields(id = claim.id))]
    async fn reopened(&self, claim: &Claimed) -> OutboxResult<()> {
        if let Some((_, mut learner)) = self.learner(claim).await? {
            if learner.prefs.dm_closed {
                learner.prefs.dm_closed = false;
                self.store
                    .set_preferences(learner.id, &learner.prefs)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The channel notice: who it is for, and one button that opens the question privately.
pub fn notice(learner: &Learner, prompt: &PromptRef) -> Reply {
    let name = echo(&learner.display_name);
    let mut blocks = Vec::new();
    if learner.prefs.channel_mention {
        blocks.push(Block::Mention {
            user: learner.platform_user.clone(),
            name: name.clone(),
        });
    }
    blocks.push(Block::Text(format!(
        "**{name}**, your question is waiting: tap to open it. \
         (Ladder could not reach you by direct message; allow DMs from this server's \
         members to get your questions privately again.)"
    )));
    blocks.push(Block::Choices {
        choices: vec![Choice {
            label: "Open my question".into(),
            action: Action::Reveal {
                prompt: prompt.clone(),
            }
            .encode(),
        }],
        multi: false,
        placeholder: String::new(),
    });
    Reply::public(blocks)
}
