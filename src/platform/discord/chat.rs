//! `impl Chat for DiscordChat`: pushed messages (daily prompts, digests, leaderboards).
//!
//! A DM goes to the user's DM channel (opened once, then cached); each message carries a
//! `nonce` derived from the caller's idempotency key with `enforce_nonce`, so a retry after
//! a crash returns the message Discord already has instead of posting a second one.
//! Discord's errors are mapped to [`SendError`] so the delivery worker knows whether to
//! retry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serenity::all::{ChannelId, Http, HttpError, UserId};
use serenity::builder::Builder;
use sha2::{Digest, Sha256};

use super::render::render;
use crate::platform::{Chat, Destination, Platform, Reply, SendError, Sent};

/// Discord's JSON error code for "Cannot send messages to this user" (DMs closed).
const CANNOT_MESSAGE_USER: isize = 50007;

/// Sends through a serenity [`Http`] (built with mentions off, see [`super::gateway`]).
pub struct DiscordChat {
    http: Arc<Http>,
    dm_channels: Mutex<HashMap<UserId, ChannelId>>,
}

impl DiscordChat {
    pub fn new(http: Arc<Http>) -> Self {
        DiscordChat {
            http,
            dm_channels: Mutex::new(HashMap::new()),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn channel_for(&self, to: &Destination) -> Result<ChannelId, SendError> {
        let parse = |id: &str| {
            id.parse::<u64>()
                .ok()
                .filter(|&n| n != 0)
                .ok_or_else(|| SendError::Undeliverable(format!("not a Discord id: {id:?}")))
        };
        match to {
            Destination::Channel { channel } => Ok(ChannelId::new(parse(channel)?)),
            Destination::Direct { user } => {
                let user = UserId::new(parse(user)?);
                if let Some(id) = self.cached(user) {
                    return Ok(id);
                }
                let channel = user
                    .create_dm_channel(&*self.http)
                    .await
                    .map_err(classify)?;
                self.dm_channels
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(user, channel.id);
                Ok(channel.id)
            }
        }
    }

    fn cached(&self, user: UserId) -> Option<ChannelId> {
        let map = self.dm_channels.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&user).copied()
    }
}

#[async_trait]
impl Chat for DiscordChat {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    #[tracing::instrument(skip_all)]
    async fn send(
        &self,
        to: &Destination,
        reply: &Reply,
        idempotency_key: &str,
    ) -> Result<Sent, SendError> {
        let channel = self.channel_for(to).await?;
        let mut first = None;
        for (i, mut message) in render(reply).into_iter().enumerate() {
            message.ephemeral = false; // no such thing outside interactions
            let nonce = nonce(idempotency_key, i);
            let sent = message
                .into_message(Some(nonce))
                .execute(&*self.http, (channel, None))
                .await
                .map_err(classify)?;
            first.get_or_insert(sent.id);
        }
        let id = first.ok_or_else(|| SendError::Undeliverable("empty reply".into()))?;
        Ok(Sent {
            message_id: id.to_string(),
        })
    }
}

/// A deterministic nonce (Discord allows 25 characters) for message `index` of a key.
pub fn nonce(idempotency_key: &str, index: usize) -> String {
    let digest = Sha256::digest(format!("{idempotency_key}#{index}").as_bytes());
    hex::encode(digest)[..25].to_owned()
}

/// Whether retrying can help, from Discord's answer.
pub fn classify(err: serenity::Error) -> SendError {
    let serenity::Error::Http(http) = &err else {
        return SendError::Temporary(err.to_string());
    };
    match http {
        HttpError::UnsuccessfulRequest(resp) => {
            let status = resp.status_code.as_u16();
            let detail = format!("{status} {}: {}", resp.error.code, resp.error.message);
            match status {
                429 => SendError::RateLimited {
                    // serenity keeps `retry_after` from the body to itself; one second is
                    // Discord's usual per-route window.
                    retry_after_secs: 1.0,
                },
                500..=599 => SendError::Temporary(detail),
                403 if resp.error.code == CANNOT_MESSAGE_USER => SendError::DmsClosed(detail),
                // Other client errors (unknown user or channel, missing access, a body
                // Discord rejects) will fail the same way on every retry.
                _ => SendError::Undeliverable(detail),
            }
        }
        // Network errors, timeouts, undecodable answers.
        _ => SendError::Temporary(err.to_string()),
    }
}
