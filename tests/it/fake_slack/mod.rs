//! A small fake of Slack's Web API for the adapter's tests. The methods Slack's published
//! description covers correctly (`chat.postMessage`, `chat.postEphemeral`, `chat.update`,
//! `conversations.open`) go through `prism proxy --errors` (`.ci/prism`), which checks the
//! request and this fake's answer against `slack_web_openapi_v2.api-prefixed.json`; the
//! ones it lacks or gets wrong (`views.*`, `files.*External`, `apps.connections.open`) are
//! answered here from Slack's published response samples, after this fake checks the
//! request fields they need and Block Kit's limits.
//!
//! The fake listens twice: a front door (the client's base URL), which sends validated
//! methods to Prism, and the upstream Prism forwards to. Every request that got through is
//! recorded, so tests assert on what reached "Slack".

pub mod harness;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Json;
use serde_json::{json, Value};

/// Methods whose request and answer Prism validates.
pub const VALIDATED: [&str; 4] = [
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "conversations.open",
];

/// One Web API call as it reached the fake.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub fields: HashMap<String, String>,
    pub bearer: String,
}

impl Call {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
    /// The `blocks` (or `view.blocks`) as JSON.
    pub fn blocks(&self) -> Value {
        if let Some(view) = self.fields.get("view") {
            return serde_json::from_str::<Value>(view).unwrap()["blocks"].clone();
        }
        serde_json::from_str(self.field("blocks")).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    next: u64,
    dms: HashMap<String, String>,
    /// file id → (declared length, bytes received).
    files: HashMap<String, (usize, Option<usize>)>,
    /// method → Retry-After seconds for its next call.
    limit_next: HashMap<String, u32>,
    prism: Option<String>,
    front: Option<SocketAddr>,
    /// App-level token → Socket Mode URL.
    ws_urls: HashMap<String, String>,
}

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct Fake {
    inner: Arc<Mutex<Inner>>,
    samples: PathBuf,
    http: reqwest::Client,
}

#[derive(Clone)]
struct Door {
    fake: Fake,
    front: bool,
}

impl Fake {
    pub fn new(samples: PathBuf) -> Self {
        Fake {
            inner: Arc::default(),
            samples,
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
        }
    }

    /// Starts both doors; (front, upstream).
    pub async fn start(&self) -> (SocketAddr, SocketAddr) {
        let mut addrs = Vec::new();
        for front in [true, false] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addrs.push(listener.local_addr().unwrap());
            let door = Door {
                fake: self.clone(),
                front,
            };
            let app = axum::Router::new()
                .route("/api/{method}", post(api))
                .route("/upload/{file}", post(upload))
                .with_state(door);
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        }
        self.lock().front = Some(addrs[0]);
        (addrs[0], addrs[1])
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    pub fn set_prism(&self, url: &str) {
        self.lock().prism = Some(url.to_owned());
    }

    /// Where `apps.connections.open` sends Socket Mode clients holding `app_token`.
    pub fn set_socket_url(&self, app_token: &str, url: &str) {
        self.lock()
            .ws_urls
            .insert(app_token.to_owned(), url.to_owned());
    }

    /// The next call of `method` gets 429 with this `Retry-After`.
    pub fn limit_next(&self, method: &str, retry_after: u32) {
        self.lock()
            .limit_next
            .insert(method.to_owned(), retry_after);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Calls of one method whose fields mention `marker` (tests use unique ids).
    pub fn calls_for(&self, method: &str, marker: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.fields.values().any(|v| v.contains(marker)))
            .collect()
    }

    /// The DM channel `conversations.open` gave for `user`, if it was opened.
    pub fn dm_of(&self, user: &str) -> Option<String> {
        self.lock().dms.get(user).cloned()
    }

    /// Files whose bytes were uploaded: (file id, bytes).
    pub fn uploaded(&self) -> Vec<(String, usize)> {
        let inner = self.lock();
        inner
            .files
            .iter()
            .filter_map(|(id, (_, got))| got.map(|n| (id.clone(), n)))
            .collect()
    }

    fn next(&self) -> u64 {
        let mut inner = self.lock();
        inner.next += 1;
        inner.next
    }

    fn ts(&self) -> String {
        format!("1767225600.{:06}", self.next())
    }

    fn sample(&self, method: &str) -> Value {
        let file = match method {
            "views.publish" => "views.open",
            m => m,
        };
        let text = std::fs::read_to_string(self.samples.join(format!("{file}.json")))
            .unwrap_or_else(|e| panic!("sample of {method}: {e}"));
        // As Slack's own SDK mock serves them.
        serde_json::from_str(&text.replacen("\"ok\": false,", "\"ok\": true,", 1)).unwrap()
    }
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

async fn api(
    State(door): State<Door>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fake = &door.fake;
    if door.front {
        if let Some(secs) = fake.lock().limit_next.remove(&method) {
            let body = json!({"ok": false, "error": "ratelimited"});
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", secs.to_string())],
                Json(body),
            )
                .into_response();
        }
        if VALIDATED.contains(&method.as_str()) {
            return forward(fake, &method, &headers, body).await;
        }
    }
    let fields: HashMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .map(|v| v.into_iter().collect())
            .unwrap_or_default();
    let call = Call {
        method: method.clone(),
        fields,
        bearer: bearer(&headers),
    };
    let answer = respond(fake, &call);
    if answer["ok"] == true {
        fake.lock().calls.push(call);
    }
    Json(answer).into_response()
}

/// Through Prism, which validates the request, forwards it to the upstream door, and
/// validates our answer.
async fn forward(fake: &Fake, method: &str, headers: &HeaderMap, body: Bytes) -> Response {
    let prism = fake.lock().prism.clone().expect("Prism is running");
    let mut req = fake.http.post(format!("{prism}/api/{method}")).body(body);
    for name in ["authorization", "content-type"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v.as_bytes());
        }
    }
    let resp = req.send().await.unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    let violations = resp
        .headers()
        .get("sl-violations")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let bytes = resp.bytes().await.unwrap();
    if let Some(v) = violations {
        eprintln!("Prism on {method}: {status} {v}");
    }
    (status, bytes).into_response()
}

async fn upload(State(door): State<Door>, Path(file): Path<String>, body: Bytes) -> Response {
    let mut inner = door.fake.lock();
    match inner.files.get_mut(&file) {
        Some(entry) => {
            entry.1 = Some(body.len());
            (StatusCode::OK, "OK - uploaded").into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such upload").into_response(),
    }
}

fn refuse(error: &str) -> Value {
    json!({"ok": false, "error": error})
}

/// Block Kit's limits, as Slack enforces them (`invalid_blocks` otherwise).
pub fn blocks_problem(blocks: &Value, max_blocks: usize) -> Option<String> {
    let Some(list) = blocks.as_array() else {
        return Some("blocks is not an array".into());
    };
    if list.len() > max_blocks {
        return Some(format!("{} blocks", list.len()));
    }
    let mut problems = Vec::new();
    check_value(blocks, &mut problems);
    problems.into_iter().next()
}

fn check_value(v: &Value, problems: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
            let text = |k: &str| {
                map.get(k)
                    .and_then(|t| t["text"].as_str())
                    .map(|t| t.chars().count())
            };
            match kind {
                "section" if text("text").unwrap_or(0) > 3_000 => {
                    problems.push("section text".into())
                }
                "header" if text("text").unwrap_or(0) > 150 => problems.push("header text".into()),
                "button" if text("text").unwrap_or(0) > 75 => problems.push("button text".into()),
                _ => {}
            }
            if let Some(fields) = map.get("fields").and_then(Value::as_array) {
                if fields.len() > 10 {
                    problems.push("more than 10 fields".into());
                }
            }
            if let Some(id) = map.get("action_id").and_then(Value::as_str) {
                if id.chars().count() > 255 || id.is_empty() {
                    problems.push(format!("action_id {id}"));
                }
            }
            if let Some(value) = map.get("value").and_then(Value::as_str) {
                if value.chars().count() > 2_000 {
                    problems.push("value over 2000".into());
                }
            }
            for v in map.values() {
                check_value(v, problems);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| check_value(i, problems)),
        _ => {}
    }
}

fn respond(fake: &Fake, call: &Call) -> Value {
    let f = |k: &str| call.field(k).to_owned();
    if call.method != "apps.connections.open" && !call.bearer.starts_with("xoxb-") {
        return refuse("not_authed");
    }
    if call.fields.contains_key("blocks") {
        if let Some(p) = blocks_problem(&call.blocks(), 50) {
            return refuse(&format!("invalid_blocks: {p}"));
        }
    }
    match call.method.as_str() {
        "chat.postMessage" => {
            let ts = fake.ts();
            json!({"ok": true, "channel": f("channel"), "ts": ts,
                "message": {"type": "message", "text": f("text"), "ts": ts, "user": "U0LADDERBOT"}})
        }
        "chat.postEphemeral" => json!({"ok": true, "message_ts": fake.ts()}),
        "chat.update" => json!({"ok": true, "channel": f("channel"), "ts": f("ts"),
            "text": f("text"), "message": {"text": f("text")}}),
        "conversations.open" => {
            let user = f("users");
            let mut inner = fake.lock();
            let n = inner.dms.len() + 1;
            let id = inner
                .dms
                .entry(user)
                .or_insert_with(|| format!("D0{n:09}"))
                .clone();
            json!({"ok": true, "channel": {"id": id}})
        }
        "views.open" | "views.publish" => {
            let key = if call.method == "views.open" {
                "trigger_id"
            } else {
                "user_id"
            };
            let Ok(view) = serde_json::from_str::<Value>(call.field("view")) else {
                return refuse("invalid_arguments: view");
            };
            let want = if call.method == "views.open" {
                "modal"
            } else {
                "home"
            };
            if call.field(key).is_empty() || view["type"] != want {
                return refuse("invalid_arguments");
            }
            if view["type"] == "modal"
                && view["title"]["text"]
                    .as_str()
                    .map_or(99, |t| t.chars().count())
                    > 24
            {
                return refuse("invalid_arguments: title");
            }
            if let Some(p) = blocks_problem(&view["blocks"], 100) {
                return refuse(&format!("invalid_blocks: {p}"));
            }
            fake.sample(&call.method)
        }
        "files.getUploadURLExternal" => {
            let length: usize = call.field("length").parse().unwrap_or(0);
            if call.field("filename").is_empty() || length == 0 {
                return refuse("invalid_arguments");
            }
            let id = format!("F0{:09}", fake.next());
            let front = fake.lock().front.unwrap();
            fake.lock().files.insert(id.clone(), (length, None));
            let mut reply = fake.sample(&call.method);
            reply["upload_url"] = json!(format!("http://{front}/upload/{id}"));
            reply["file_id"] = json!(id);
            reply
        }
        "files.completeUploadExternal" => {
            let Ok(files) = serde_json::from_str::<Value>(call.field("files")) else {
                return refuse("invalid_arguments: files");
            };
            let inner = fake.lock();
            let complete = files.as_array().is_some_and(|fs| {
                !fs.is_empty()
                    && fs.iter().all(|f| {
                        let id = f["id"].as_str().unwrap_or_default();
                        matches!(inner.files.get(id), Some((len, Some(got))) if len == got)
                    })
            });
            drop(inner);
            if !complete || call.field("channel_id").is_empty() {
                return refuse("invalid_arguments: upload not complete");
            }
            fake.sample(&call.method)
        }
        "apps.connections.open" => {
            let Some(url) = fake.lock().ws_urls.get(&call.bearer).cloned() else {
                return refuse("not_allowed_token_type");
            };
            let mut reply = fake.sample(&call.method);
            reply["url"] = json!(url);
            reply
        }
        _ => refuse("unknown_method"),
    }
}
