//! `impl Chat for SlackChat`: pushed messages (daily prompts, digests, leaderboards).
//!
//! A DM goes to the bot's conversation with the user, opened once with
//! `conversations.open` and then cached; a channel post goes to the channel. Slack has no
//! idempotency key on `chat.postMessage`, so a key already delivered by this process is
//! answered with the message it produced instead of being posted again (the outbox makes
//! each key go out once across processes). Slack's errors are mapped to [`SendError`] so
//! the delivery worker knows whether to retry; a 429's `Retry-After` reaches the shared
//! limiter through [`SendError::RateLimited`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::render::render;
use super::web::{SlackWeb, WebError};
use crate::platform::{Chat, Destination, Platform, Reply, SendError, Sent};

/// Keys remembered for idempotency (the oldest are forgotten first).
const REMEMBERED: usize = 50_000;

/// Sends through a [`SlackWeb`] client.
pub struct SlackChat {
    web: Arc<SlackWeb>,
    dm_channels: Mutex<HashMap<String, String>>,
    sent: Mutex<(HashMap<String, String>, VecDeque<String>)>,
}

impl SlackChat {
    pub fn new(web: Arc<SlackWeb>) -> Self {
        SlackChat {
            web,
            dm_channels: Mutex::new(HashMap::new()),
            sent: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    pub fn web(&self) -> &Arc<SlackWeb> {
        &self.web
    }

    /// The conversation a destination means (a DM is opened once, then cached).
    pub async fn channel_for(&self, to: &Destination) -> Result<String, SendError> {
        match to {
            Destination::Channel { channel } => Ok(channel.clone()),
            Destination::Direct { user } => {
                if let Some(c) = self.lock_dms().get(user) {
                    return Ok(c.clone());
                }
                let channel = self.web.open_dm(user).await.map_err(classify)?;
                self.lock_dms().insert(user.clone(), channel.clone());
                Ok(channel)
            }
        }
    }

    fn lock_dms(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.dm_channels.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn already_sent(&self, key: &str) -> Option<String> {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        sent.0.get(key).cloned()
    }

    fn remember(&self, key: &str, ts: &str) {
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if sent.0.insert(key.to_owned(), ts.to_owned()).is_none() {
            sent.1.push_back(key.to_owned());
        }
        while sent.1.len() > REMEMBERED {
            if let Some(old) = sent.1.pop_front() {
                sent.0.remove(&old);
            }
        }
    }
}

#[async_trait]
impl Chat for SlackChat {
    fn platform(&self) -> Platform {
        Platform::Slack
    }

    #[tracing::instrument(skip_all)]
    async fn send(
        &self,
        to: &Destination,
        reply: &Reply,
        idempotency_key: &str,
    ) -> Result<Sent, SendError> {
        if let Some(ts) = self.already_sent(idempotency_key) {
            return Ok(Sent { message_id: ts });
        }
        let channel = self.channel_for(to).await?;
        let mut first = None;
        for mut message in render(reply) {
            message.private = false; // no such thing outside interactions
            let ts = self
                .web
                .post_message(&channel, &message)
                .await
                .map_err(classify)?;
            first.get_or_insert(ts);
        }
        let ts = first.ok_or_else(|| SendError::Undeliverable("empty reply".into()))?;
        self.remember(idempotency_key, &ts);
        Ok(Sent {
            message_id: format!("{channel}/{ts}"),
        })
    }
}

/// Whether retrying can help, from Slack's answer.
pub fn classify(err: WebError) -> SendError {
    match err {
        WebError::RateLimited(wait) => SendError::RateLimited {
            retry_after_secs: wait.as_secs_f64(),
        },
        WebError::Api { ref error, .. } => match error.as_str() {
            "ratelimited" => SendError::RateLimited {
                retry_after_secs: 1.0,
            },
            // The app's Messages tab is off, or the person cannot get DMs from apps.
            "messages_tab_disabled" | "cannot_dm_bot" => SendError::DmsClosed(err.to_string()),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                SendError::Temporary(err.to_string())
            }
            // Unknown or archived channel, deactivated user, bad blocks, bad token: the same
            // request fails the same way on every retry.
            _ => SendError::Undeliverable(err.to_string()),
        },
        WebError::Status { status, .. } if status >= 500 => SendError::Temporary(err.to_string()),
        WebError::Status { .. } => SendError::Undeliverable(err.to_string()),
        WebError::Network(_) => SendError::Temporary(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn slack_errors_map_to_what_the_worker_should_do() {
        let api = |e: &str| WebError::Api {
            method: "chat.postMessage".into(),
            error: e.into(),
        };
        assert_eq!(
            classify(WebError::RateLimited(Duration::from_secs(7))),
            SendError::RateLimited {
                retry_after_secs: 7.0
            }
        );
        assert!(matches!(
            classify(api("channel_not_found")),
            SendError::Undeliverable(_)
        ));
        assert!(matches!(
            classify(api("messages_tab_disabled")),
            SendError::DmsClosed(_)
        ));
        assert!(matches!(
            classify(api("internal_error")),
            SendError::Temporary(_)
        ));
        let down = WebError::Status {
            method: "x".into(),
            status: 503,
        };
        assert!(matches!(classify(down), SendError::Temporary(_)));
    }
}
