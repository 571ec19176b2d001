//! The Bot Connector REST client: the bot's own access token (client credentials at the
//! Microsoft identity platform, cached until shortly before it expires), and the three
//! calls Ladder makes: send an activity to a conversation, update one, and open a
//! one-to-one conversation with a user.
//!
//! Answers are mapped to [`SendError`] so the delivery worker knows whether to retry:
//! 429 carries its `Retry-After`, 5xx and network errors are temporary, and 403/404 (the
//! app was removed, the conversation is gone) are not worth retrying. The app password is
//! sent to the token endpoint only and never logged.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::config::Secret;
use crate::platform::SendError;

/// The scope of a token for the Bot Connector.
pub const SCOPE: &str = "https://api.botframework.com/.default";
/// A token is renewed this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

/// Credentials of the app registration.
#[derive(Clone)]
pub struct Credentials {
    pub app_id: String,
    pub password: Secret,
    /// The token endpoint (`https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`).
    pub token_url: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct Created {
    #[serde(default)]
    id: String,
}

/// Sends to the Connector with the bot's token.
pub struct Connector {
    creds: Credentials,
    http: reqwest::Client,
    token: Mutex<Option<(String, Instant)>>,
}

impl Connector {
    pub fn new(creds: Credentials) -> Self {
        Connector {
            creds,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            token: Mutex::new(None),
        }
    }

    pub fn app_id(&self) -> &str {
        &self.creds.app_id
    }

    /// A valid token, from the cache or freshly requested.
    async fn token(&self) -> Result<String, SendError> {
        let mut cached = self.token.lock().await;
        if let Some((token, renew_at)) = cached.as_ref() {
            if Instant::now() < *renew_at {
                return Ok(token.clone());
            }
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.creds.app_id.as_str()),
            ("client_secret", self.creds.password.expose()),
            ("scope", SCOPE),
        ];
        let resp = self
            .http
            .post(&self.creds.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| SendError::Temporary(format!("token endpoint: {}", e.without_url())))?;
        let status = resp.status();
        if !status.is_success() {
            // The body may echo request details; only the status is kept.
            return Err(match status.as_u16() {
                429 | 500..=599 => {
                    SendError::Temporary(format!("token endpoint answered {status}"))
                }
                _ => SendError::Undeliverable(format!(
                    "token endpoint refused the app credentials ({status}); check \
                     TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID"
                )),
            });
        }
        let answer: TokenAnswer = json_of(resp)
            .await
            .map_err(|e| SendError::Temporary(format!("token endpoint: {e}")))?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        let renew_at = Instant::now() + lifetime.saturating_sub(RENEW_BEFORE);
        *cached = Some((answer.access_token.clone(), renew_at));
        Ok(answer.access_token)
    }

    /// `POST {serviceUrl}v3/conversations/{id}/activities`; the new activity's id.
    pub async fn send(
        &self,
        service_url: &str,
        conversation: &str,
        activity: &Value,
    ) -> Result<String, SendError> {
        let url = format!(
            "{}v3/conversations/{}/activities",
            base(service_url),
            encode(conversation)
        );
        let body = self.call(reqwest::Method::POST, &url, activity).await?;
        Ok(serde_json::from_slice::<Created>(&body)
            .map(|c| c.id)
            .unwrap_or_default())
    }

    /// `PUT {serviceUrl}v3/conversations/{id}/activities/{activityId}`: replaces a message
    /// (an answered question's card, so its buttons cannot be pressed again).
    pub async fn update(
        &self,
        service_url: &str,
        conversation: &str,
        activity_id: &str,
        activity: &Value,
    ) -> Result<(), SendError> {
        let url = format!(
            "{}v3/conversations/{}/activities/{}",
            base(service_url),
            encode(conversation),
            encode(activity_id)
        );
        let mut activity = activity.clone();
        activity["id"] = Value::String(activity_id.to_owned());
        self.call(reqwest::Method::PUT, &url, &activity).await?;
        Ok(())
    }

    /// `POST {serviceUrl}v3/conversations`: the one-to-one chat with `user` in `tenant`
    /// (for a person the bot has not talked to alone yet); its conversation id.
    pub async fn open_personal(
        &self,
        service_url: &str,
        tenant: &str,
        user: &str,
    ) -> Result<String, SendError> {
        let url = format!("{}v3/conversations", base(service_url));
        let params = json!({
            "isGroup": false,
            "bot": { "id": format!("28:{}", self.creds.app_id) },
            "members": [{ "id": user }],
            "tenantId": tenant,
            "channelData": { "tenant": { "id": tenant } },
        });
        let body = self.call(reqwest::Method::POST, &url, &params).await?;
        let created: Created = serde_json::from_slice(&body)
            .map_err(|e| SendError::Temporary(format!("unreadable conversation: {e}")))?;
        if created.id.is_empty() {
            return Err(SendError::Undeliverable(
                "no conversation id returned".into(),
            ));
        }
        Ok(created.id)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: &Value,
    ) -> Result<Vec<u8>, SendError> {
        let token = self.token().await?;
        let resp = self
            .http
            .request(method, url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| SendError::Temporary(e.without_url().to_string()))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok());
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SendError::Temporary(e.without_url().to_string()))?;
        let detail = || {
            let text = String::from_utf8_lossy(&bytes);
            format!("{status}: {}", crate::platform::text::truncate(&text, 300))
        };
        match status {
            200..=299 => Ok(bytes.to_vec()),
            429 => Err(SendError::RateLimited {
                retry_after_secs: retry_after.unwrap_or(1.0).max(0.0),
            }),
            401 => {
                // A token revoked early: forget it, the retry asks for a new one.
                *self.token.lock().await = None;
                Err(SendError::Temporary(detail()))
            }
            408 | 500..=599 => Err(SendError::Temporary(detail())),
            _ => Err(SendError::Undeliverable(detail())),
        }
    }
}

/// The service URL with exactly one trailing slash (Teams' carry a path, e.g.
/// `https://smba.trafficmanager.net/amer/`; `v3/…` is appended to it).
fn base(service_url: &str) -> String {
    format!("{}/", service_url.trim_end_matches('/'))
}

/// Percent-encodes an id for a path segment (conversation ids hold `:`, `@`, `;`).
fn encode(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads a JSON body without reqwest's `json` feature.
async fn json_of<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T, String> {
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| e.without_url().to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_path_segments_and_service_urls_keep_their_path() {
        assert_eq!(
            encode("19:abc@thread.skype;messageid=1"),
            "19:abc@thread.skype%3Bmessageid%3D1"
        );
        assert_eq!(encode("a/b c"), "a%2Fb%20c");
        assert_eq!(
            base("https://smba.trafficmanager.net/amer/"),
            "https://smba.trafficmanager.net/amer/"
        );
        assert_eq!(base("http://127.0.0.1:4010"), "http://127.0.0.1:4010/");
    }
}
