//! The Slack Web API client: one method call = one form-encoded `POST {base}/{method}` with
//! `Authorization: Bearer <token>` (Slack's own recommendation; the published description
//! declares form fields only), the reply's `ok`/`error` read, 429s turned into
//! [`WebError::RateLimited`] with the `Retry-After` Slack gave.
//!
//! Each method also waits for its rate tier (per-minute limits published per method) in a
//! bucket shared by every task using this client, and a 429 closes that method's bucket
//! for all of them until `Retry-After` has passed; `chat.postMessage`'s per-channel limit is
//! the delivery limiter's job (per-destination buckets, see [`crate::delivery::ratelimit`]).
//!
//! The base URL is configurable (`[slack] api_base`), so tests point it at a loopback fake
//! behind Prism. Tokens are held here and never logged: `Debug` redacts them, and an upload
//! URL (another host) never gets the token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::render::{Message, Upload};

/// Slack's production Web API.
pub const DEFAULT_BASE: &str = "https://slack.com/api";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WebError {
    #[error("rate limited by Slack, retry after {0:?}")]
    RateLimited(Duration),
    /// Slack answered `ok: false` with this error code.
    #[error("Slack refused {method}: {error}")]
    Api { method: String, error: String },
    #[error("Slack answered {method} with HTTP {status}")]
    Status { method: String, status: u16 },
    #[error("network error calling Slack: {0}")]
    Network(String),
}

/// Per-minute limits of the methods we call (Slack's tiers: 1 ≈ 1+, 2 ≈ 20+, 3 ≈ 50+,
/// 4 ≈ 100+ a minute), with a burst of a tenth of a minute's allowance.
fn tier(method: &str) -> Option<f64> {
    Some(match method {
        "apps.connections.open" => 1.0,
        "conversations.open" | "chat.update" => 50.0,
        "chat.postEphemeral"
        | "views.open"
        | "views.publish"
        | "files.getUploadURLExternal"
        | "files.completeUploadExternal"
        | "auth.test" => 100.0,
        // chat.postMessage: per channel, in the delivery limiter.
        _ => return None,
    })
}

/// Per-method GCRA buckets shared by every caller of one client.
#[derive(Default)]
struct Tiers {
    next: Mutex<HashMap<String, Instant>>,
}

impl Tiers {
    async fn wait(&self, method: &str) {
        let Some(per_minute) = tier(method) else {
            return;
        };
        let interval = Duration::from_secs_f64(60.0 / per_minute);
        let burst = interval * ((per_minute / 10.0).ceil() as u32).max(1);
        let wake = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let tat = next.get(method).copied().unwrap_or(now).max(now);
            next.insert(method.to_owned(), tat + interval);
            tat.checked_sub(burst).filter(|w| *w > now)
        };
        if let Some(at) = wake {
            tokio::time::sleep_until(at).await;
        }
    }

    fn close(&self, method: &str, until: Instant) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let entry = next.entry(method.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
    }
}

/// A client for one bot token.
pub struct SlackWeb {
    http: reqwest::Client,
    base: String,
    token: String,
    tiers: Tiers,
}

impl std::fmt::Debug for SlackWeb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackWeb")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl SlackWeb {
    /// `base` is e.g. `https://slack.com/api` (no trailing slash needed).
    pub fn new(base: &str, token: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        SlackWeb {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: token.into(),
            tiers: Tiers::default(),
        }
    }

    /// Calls `method` with form fields; the reply's JSON when `ok`.
    #[tracing::instrument(skip(self, form))]
    pub async fn call(&self, method: &str, form: &[(&str, String)]) -> Result<Value, WebError> {
        self.call_with(method, form, &self.token).await
    }

    async fn call_with(
        &self,
        method: &str,
        form: &[(&str, String)],
        token: &str,
    ) -> Result<Value, WebError> {
        self.tiers.wait(method).await;
        let response = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(token)
            .form(form)
            .send()
            .await
            .map_err(|e| WebError::Network(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        if status == 429 {
            let secs = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or(1.0)
                .min(3_600.0);
            let wait = Duration::from_secs_f64(secs);
            self.tiers.close(method, Instant::now() + wait);
            tracing::warn!(method, retry_after = secs, "Slack rate limit");
            return Err(WebError::RateLimited(wait));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| WebError::Network(e.without_url().to_string()))?;
        if !(200..300).contains(&status) {
            return Err(WebError::Status {
                method: method.to_owned(),
                status,
            });
        }
        let json: Value = serde_json::from_slice(&body).map_err(|_| WebError::Status {
            method: method.to_owned(),
            status,
        })?;
        if json["ok"].as_bool() == Some(true) {
            Ok(json)
        } else {
            Err(WebError::Api {
                method: method.to_owned(),
                error: json["error"].as_str().unwrap_or("unknown_error").to_owned(),
            })
        }
    }

    /// The bot's DM conversation with a user (`conversations.open`).
    pub async fn open_dm(&self, user: &str) -> Result<String, WebError> {
        let reply = self
            .call("conversations.open", &[("users", user.to_owned())])
            .await?;
        reply["channel"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| missing("conversations.open", "channel.id"))
    }

    /// Posts a message; its `ts`. Files are uploaded after it, into the same conversation.
    pub async fn post_message(&self, channel: &str, message: &Message) -> Result<String, WebError> {
        let mut form = message_form(message);
        form.push(("channel", channel.to_owned()));
        form.push(("unfurl_links", "false".to_owned()));
        form.push(("unfurl_media", "false".to_owned()));
        let reply = self.call("chat.postMessage", &form).await?;
        let ts = reply["ts"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| missing("chat.postMessage", "ts"))?;
        let posted_in = reply["channel"].as_str().unwrap_or(channel).to_owned();
        for upload in &message.uploads {
            self.upload(&posted_in, upload).await?;
        }
        Ok(ts)
    }

    /// A message only `user` sees, in a channel.
    pub async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        message: &Message,
    ) -> Result<(), WebError> {
        let mut form = message_form(message);
        form.push(("channel", channel.to_owned()));
        form.push(("user", user.to_owned()));
        self.call("chat.postEphemeral", &form).await?;
        Ok(())
    }

    /// Replaces a message in place (its old buttons go with it).
    pub async fn update(&self, channel: &str, ts: &str, message: &Message) -> Result<(), WebError> {
        let mut form = message_form(message);
        form.push(("channel", channel.to_owned()));
        form.push(("ts", ts.to_owned()));
        self.call("chat.update", &form).await?;
        for upload in &message.uploads {
            self.upload(channel, upload).await?;
        }
        Ok(())
    }

    /// Opens a modal for the interaction that gave `trigger_id` (valid 3 seconds).
    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<(), WebError> {
        let form = [
            ("trigger_id", trigger_id.to_owned()),
            ("view", view.to_string()),
        ];
        self.call("views.open", &form).await?;
        Ok(())
    }

    /// Publishes a user's App Home.
    pub async fn publish_home(&self, user: &str, view: &Value) -> Result<(), WebError> {
        let form = [("user_id", user.to_owned()), ("view", view.to_string())];
        self.call("views.publish", &form).await?;
        Ok(())
    }

    /// Shares a file in a conversation through the external-upload flow:
    /// `files.getUploadURLExternal`, the bytes to the URL it gives, then
    /// `files.completeUploadExternal` (the old `files.upload` is retired).
    pub async fn upload(&self, channel: &str, upload: &Upload) -> Result<(), WebError> {
        let form = [
            ("filename", upload.filename.clone()),
            ("length", upload.bytes.len().to_string()),
        ];
        let reply = self.call("files.getUploadURLExternal", &form).await?;
        let url = reply["upload_url"]
            .as_str()
            .ok_or_else(|| missing("files.getUploadURLExternal", "upload_url"))?;
        let file_id = reply["file_id"]
            .as_str()
            .ok_or_else(|| missing("files.getUploadURLExternal", "file_id"))?;
        // A pre-signed URL: no token goes there.
        let sent = self
            .http
            .post(url)
            .header("content-type", "application/octet-stream")
            .body(upload.bytes.clone())
            .send()
            .await
            .map_err(|e| WebError::Network(e.without_url().to_string()))?;
        if !sent.status().is_success() {
            return Err(WebError::Status {
                method: "file upload".into(),
                status: sent.status().as_u16(),
            });
        }
        let files = serde_json::json!([{"id": file_id, "title": upload.title}]);
        let form = [
            ("files", files.to_string()),
            ("channel_id", channel.to_owned()),
        ];
        self.call("files.completeUploadExternal", &form).await?;
        Ok(())
    }

    /// The Socket Mode URL, asked for with the app-level token (`xapp-…`).
    pub async fn open_connection(&self, app_token: &str) -> Result<String, WebError> {
        let reply = self
            .call_with("apps.connections.open", &[], app_token)
            .await?;
        reply["url"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| missing("apps.connections.open", "url"))
    }
}

fn missing(method: &str, field: &str) -> WebError {
    WebError::Api {
        method: method.to_owned(),
        error: format!("reply without {field}"),
    }
}

/// The form fields of a message: fallback text and blocks (as JSON).
fn message_form(message: &Message) -> Vec<(&'static str, String)> {
    vec![
        ("text", message.text.clone()),
        ("blocks", Value::Array(message.blocks.clone()).to_string()),
    ]
}
