//! A small fake of Discord's REST API for the adapter's tests, meant to sit behind
//! `prism proxy --errors` (`.ci/prism`), which checks every request the bot sends and every
//! answer given here against Discord's published OpenAPI description.
//!
//! It answers only the endpoints the bot uses, with bodies shaped like Discord's (snowflake
//! ids as strings, full message objects), honours `enforce_nonce` like Discord does, and
//! records every request so tests can assert on what reached "Discord".

pub mod harness;
mod multipart;
pub mod payloads;
pub mod responses;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// A user id whose DMs are closed: messages to their DM channel get Discord's 50007.
pub const CLOSED_DMS_USER: &str = "111111111111111111";

/// A text channel of [`payloads::GUILD`], the server every guild payload comes from.
pub const GUILD_CHANNEL: &str = "645027906669510667";
/// A text channel of another server the bot is in.
pub const OTHER_GUILD_CHANNEL: &str = "645027906669510700";
/// That other server.
pub const OTHER_GUILD: &str = "290926798626358000";

/// A fresh snowflake for an interaction, unique across every test sharing the fake (the
/// fixed ids some tests use are below 960000000000000000).
pub fn fresh_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    (970_000_000_000_000_000u64 + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        .to_string()
}

/// One request as the fake received it (after Prism let it through).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path without the `/api/v10` prefix, e.g. `/channels/1/messages`.
    pub path: String,
    /// The JSON body (for multipart requests: the `payload_json` part).
    pub body: Value,
    /// Attached files as (form field name, file name, size in bytes).
    pub files: Vec<(String, String, usize)>,
}

#[derive(Default)]
struct Inner {
    records: Vec<Recorded>,
    next_id: u64,
    /// (channel, nonce) → message, for `enforce_nonce`.
    by_nonce: HashMap<(String, String), Value>,
    /// DM channel id → recipient user id.
    dm_channels: HashMap<String, String>,
    /// Users who closed their DMs (besides [`CLOSED_DMS_USER`]).
    closed_dms: std::collections::HashSet<String>,
}

/// Shared state of the fake; cheap to clone.
#[derive(Clone, Default)]
pub struct Fake {
    inner: Arc<Mutex<Inner>>,
}

impl Fake {
    /// Starts the fake on a free 127.0.0.1 port in the current tokio runtime.
    pub async fn start(self) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(handle).with_state(self);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    /// Every request recorded so far, in arrival order.
    pub fn records(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().records.clone()
    }

    /// Requests whose path contains `marker` (tests use unique ids to find their own).
    pub fn matching(&self, marker: &str) -> Vec<Recorded> {
        self.records()
            .into_iter()
            .filter(|r| r.path.contains(marker))
            .collect()
    }

    /// The user closes (`open` false) or reopens their DMs with the bot.
    pub fn set_dms_open(&self, user: &str, open: bool) {
        let mut inner = self.inner.lock().unwrap();
        match open {
            true => inner.closed_dms.remove(user),
            false => inner.closed_dms.insert(user.to_owned()),
        };
    }

    fn snowflake(&self) -> String {
        let mut inner = self.inner.lock().unwrap();
        inner.next_id += 1;
        // Realistic 2024-era snowflakes, unique per fake.
        (1_250_000_000_000_000_000u64 + inner.next_id).to_string()
    }
}

async fn handle(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_owned();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (json_body, files) = if content_type.starts_with("multipart/form-data") {
        multipart::parse(content_type, &body)
    } else {
        (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        )
    };
    let record = Recorded {
        method: method.to_string(),
        path: path.clone(),
        body: json_body.clone(),
        files: files.clone(),
    };
    if let Ok(dump) = std::env::var("LADDER_FAKE_DUMP") {
        // Debugging aid: every request as one JSON line, to replay against Prism by hand.
        use std::io::Write;
        let line = json!({"method": record.method, "path": record.path, "body": record.body});
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dump)
            .unwrap();
        writeln!(file, "{line}").unwrap();
    }
    fake.inner.lock().unwrap().records.push(record);
    route(&fake, &method, &path, &json_body, &files)
}

fn route(
    fake: &Fake,
    method: &Method,
    path: &str,
    body: &Value,
    files: &[(String, String, usize)],
) -> Response {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) => {
            let msg = responses::message(fake, "0", body, files);
            Json(msg).into_response()
        }
        ("POST", ["webhooks", _, _]) => {
            Json(responses::message(fake, "0", body, files)).into_response()
        }
        ("POST", ["users", "@me", "channels"]) => {
            let user = body["recipient_id"].as_str().unwrap_or_default().to_owned();
            let channel = fake.snowflake();
            let mut inner = fake.inner.lock().unwrap();
            inner.dm_channels.insert(channel.clone(), user.clone());
            Json(responses::dm_channel(&channel, &user)).into_response()
        }
        ("POST", ["channels", channel, "messages"]) => create_message(fake, channel, body, files),
        ("GET", ["channels", channel]) => {
            let guild = match *channel {
                GUILD_CHANNEL => payloads::GUILD,
                OTHER_GUILD_CHANNEL => OTHER_GUILD,
                _ => {
                    let body = json!({"message": "Unknown Channel", "code": 10003});
                    return (StatusCode::NOT_FOUND, Json(body)).into_response();
                }
            };
            Json(responses::guild_channel(channel, guild)).into_response()
        }
        ("PUT", ["applications", app, "commands"]) => {
            Json(responses::commands(fake, app, None, body)).into_response()
        }
        ("PUT", ["applications", app, "guilds", guild, "commands"]) => {
            Json(responses::commands(fake, app, Some(guild), body)).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "404: Not Found", "code": 0})),
        )
            .into_response(),
    }
}

fn create_message(
    fake: &Fake,
    channel: &str,
    body: &Value,
    files: &[(String, String, usize)],
) -> Response {
    let closed = {
        let inner = fake.inner.lock().unwrap();
        let recipient = inner.dm_channels.get(channel);
        recipient.is_some_and(|r| r == CLOSED_DMS_USER || inner.closed_dms.contains(r))
    };
    if closed {
        let error = json!({"message": "Cannot send messages to this user", "code": 50007});
        return (StatusCode::FORBIDDEN, Json(error)).into_response();
    }
    let nonce = match &body["nonce"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let enforce = body["enforce_nonce"].as_bool().unwrap_or(false);
    let key = nonce.clone().map(|n| (channel.to_owned(), n));
    if let (true, Some(key)) = (enforce, &key) {
        if let Some(existing) = fake.inner.lock().unwrap().by_nonce.get(key) {
            return Json(existing.clone()).into_response();
        }
    }
    let msg = responses::message(fake, channel, body, files);
    if let (true, Some(key)) = (enforce, key) {
        fake.inner.lock().unwrap().by_nonce.insert(key, msg.clone());
    }
    Json(msg).into_response()
}
