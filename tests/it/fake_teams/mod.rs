//! The outside world of the Teams adapter, on loopback:
//! - [`Idp`]: an identity provider standing in for both Microsoft endpoints the bot uses:
//!   the Bot Framework OpenID metadata and key set (signing inbound tokens with a test key,
//!   endorsed for `msteams`) and the token endpoint (client credentials → Connector token);
//! - [`Connector`]: a fake Bot Connector that records what the bot sends, checks its
//!   Bearer token (Prism cannot: the description declares no security), and can answer
//!   429 with a Retry-After;
//! - [`prism()`]: `prism proxy --errors` on Microsoft's Connector description in front of it,
//!   so every request and answer is checked against the published contract.

use std::collections::HashMap;
use std::net::SocketAddr;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::prism::Prism;

pub const APP_ID: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
pub const APP_PASSWORD: &str = "test-app-password-never-shown";
pub const TENANT: &str = "bec8e231-67ad-484e-87f4-3e5438390a77";
pub const TRUSTED_KID: &str = "test-key-1";
pub const ISSUER: &str = "https://api.botframework.com";

/// A throwaway RSA key of `test_keys.json`.
pub struct TestKey {
    pub encoding: EncodingKey,
    pub n: String,
    pub e: String,
}

fn key(which: &str) -> TestKey {
    let all: Value = serde_json::from_str(include_str!("test_keys.json")).unwrap();
    let k = &all[which];
    let der = base64::engine::general_purpose::STANDARD
        .decode(k["pkcs1_der"].as_str().unwrap())
        .unwrap();
    TestKey {
        encoding: EncodingKey::from_rsa_der(&der),
        n: k["n"].as_str().unwrap().to_owned(),
        e: k["e"].as_str().unwrap().to_owned(),
    }
}

/// The key the identity provider publishes, and one it does not.
pub fn trusted() -> TestKey {
    key("trusted")
}
pub fn stranger() -> TestKey {
    key("stranger")
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Claims of a valid inbound token for an activity from `service_url`.
pub fn claims(service_url: &str) -> Value {
    json!({
        "iss": ISSUER,
        "aud": APP_ID,
        "exp": now() + 3600,
        "nbf": now() - 60,
        "serviceurl": service_url,
    })
}

/// Signs `claims` with `key` under `kid` (RS256).
pub fn sign(claims: &Value, key: &TestKey, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

#[derive(Default)]
struct IdpState {
    addr: Mutex<Option<SocketAddr>>,
    /// The published keys, as JWKs with Microsoft's `endorsements`.
    keys: Mutex<Vec<Value>>,
    key_fetches: AtomicUsize,
    token_requests: AtomicUsize,
    issued: Mutex<Vec<String>>,
}

/// The loopback identity provider.
#[derive(Clone, Default)]
pub struct Idp {
    state: Arc<IdpState>,
}

impl Idp {
    /// Starts it with the trusted key published, endorsed for `msteams`.
    pub async fn start() -> Idp {
        let idp = Idp::default();
        let k = trusted();
        idp.publish(TRUSTED_KID, &k, &["msteams"]);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        *idp.state.addr.lock().unwrap() = Some(addr);
        let app = Router::new()
            .route("/v1/.well-known/openidconfiguration", get(metadata))
            .route("/v1/.well-known/keys", get(keys))
            .route("/oauth2/v2.0/token", post(token))
            .with_state(idp.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        idp
    }

    pub fn publish(&self, kid: &str, key: &TestKey, endorsements: &[&str]) {
        self.state.keys.lock().unwrap().push(json!({
            "kty": "RSA", "use": "sig", "kid": kid, "n": key.n, "e": key.e,
            "endorsements": endorsements,
        }));
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.state.addr.lock().unwrap().unwrap())
    }
    pub fn metadata_url(&self) -> String {
        format!("{}/v1/.well-known/openidconfiguration", self.base())
    }
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v2.0/token", self.base())
    }
    pub fn key_fetches(&self) -> usize {
        self.state.key_fetches.load(Ordering::SeqCst)
    }
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }
    /// Whether `token` is one this provider issued to the bot.
    pub fn issued(&self, token: &str) -> bool {
        self.state.issued.lock().unwrap().iter().any(|t| t == token)
    }
}

async fn metadata(State(idp): State<Idp>) -> Json<Value> {
    Json(json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://invalid.example/auth",
        "jwks_uri": format!("{}/v1/.well-known/keys", idp.base()),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
}

async fn keys(State(idp): State<Idp>) -> Json<Value> {
    idp.state.key_fetches.fetch_add(1, Ordering::SeqCst);
    let keys = idp.state.keys.lock().unwrap().clone();
    Json(json!({ "keys": keys }))
}

async fn token(State(idp): State<Idp>, Form(form): Form<HashMap<String, String>>) -> Response {
    idp.state.token_requests.fetch_add(1, Ordering::SeqCst);
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").map(String::as_str) == Some(APP_ID)
        && form.get("client_secret").map(String::as_str) == Some(APP_PASSWORD)
        && form.get("scope").map(String::as_str) == Some("https://api.botframework.com/.default");
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let n = idp.state.token_requests.load(Ordering::SeqCst);
    let token = format!("connector-token-{n}");
    idp.state.issued.lock().unwrap().push(token.clone());
    Json(json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token})).into_response()
}

/// One request the bot made to the Connector.
#[derive(Debug, Clone)]
pub struct Sent {
    pub method: &'static str,
    pub conversation: String,
    pub activity_id: Option<String>,
    pub body: Value,
    /// When the fake received it.
    pub at: Instant,
}

#[derive(Default)]
struct ConnectorState {
    sent: Mutex<Vec<Sent>>,
    /// Answer this many next requests to this conversation with 429.
    throttle: Mutex<(String, usize)>,
    /// The conversation and time of every 429 given.
    throttled: Mutex<Vec<(String, Instant)>>,
    unauthorized: AtomicUsize,
    next_id: AtomicUsize,
}

/// The fake Bot Connector.
#[derive(Clone)]
pub struct Connector {
    state: Arc<ConnectorState>,
    idp: Idp,
    pub addr: SocketAddr,
}

impl Connector {
    pub async fn start(idp: Idp) -> Connector {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let c = Connector {
            state: Arc::default(),
            idp,
            addr,
        };
        let app = Router::new()
            .route("/v3/conversations", post(create))
            .route("/v3/conversations/{conversation}/activities", post(send))
            .route(
                "/v3/conversations/{conversation}/activities/{activity}",
                put(update),
            )
            .with_state(c.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        c
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.state.sent.lock().unwrap().clone()
    }
    /// Answers the next `n` requests to `conversation` with 429 and `Retry-After: 2`.
    pub fn throttle_next(&self, conversation: &str, n: usize) {
        *self.state.throttle.lock().unwrap() = (conversation.to_owned(), n);
    }
    /// The conversation and time of every 429 given.
    pub fn throttled(&self) -> Vec<(String, Instant)> {
        self.state.throttled.lock().unwrap().clone()
    }
    /// Requests that came without a token the identity provider issued.
    pub fn unauthorized(&self) -> usize {
        self.state.unauthorized.load(Ordering::SeqCst)
    }

    fn gate(&self, headers: &HeaderMap, conversation: &str) -> Option<Response> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !token.is_some_and(|t| self.idp.issued(t)) {
            self.state.unauthorized.fetch_add(1, Ordering::SeqCst);
            return Some(error(StatusCode::UNAUTHORIZED, "Unauthorized"));
        }
        let mut throttle = self.state.throttle.lock().unwrap();
        if throttle.0 == conversation && throttle.1 > 0 {
            throttle.1 -= 1;
            self.state
                .throttled
                .lock()
                .unwrap()
                .push((conversation.to_owned(), Instant::now()));
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Throttled");
            r.headers_mut().insert("retry-after", "2".parse().unwrap());
            return Some(r);
        }
        None
    }

    fn record(
        &self,
        method: &'static str,
        conversation: String,
        activity_id: Option<String>,
        body: Value,
    ) {
        self.state.sent.lock().unwrap().push(Sent {
            method,
            conversation,
            activity_id,
            body,
            at: Instant::now(),
        });
    }
    fn next_id(&self) -> String {
        format!(
            "1700000000{:03}",
            self.state.next_id.fetch_add(1, Ordering::SeqCst)
        )
    }
}

fn error(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": code}})),
    )
        .into_response()
}

async fn create(
    State(c): State<Connector>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = c.gate(&headers, "") {
        return r;
    }
    let user = body["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    c.record("CREATE", String::new(), None, body);
    Json(json!({"id": format!("a:personal-{user}")})).into_response()
}

async fn send(
    State(c): State<Connector>,
    Path(conversation): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = c.gate(&headers, &conversation) {
        return r;
    }
    let id = c.next_id();
    c.record("POST", conversation, Some(id.clone()), body);
    Json(json!({"id": id})).into_response()
}

async fn update(
    State(c): State<Connector>,
    Path((conversation, activity)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = c.gate(&headers, &conversation) {
        return r;
    }
    c.record("PUT", conversation, Some(activity.clone()), body);
    Json(json!({"id": activity})).into_response()
}

pub fn spec() -> Option<String> {
    match std::env::var("LADDER_TEAMS_CONNECTOR_SPEC") {
        Ok(path) => Some(path),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but LADDER_TEAMS_CONNECTOR_SPEC is not (.ci/run sets it)"
            );
            eprintln!(
                "skipping: set LADDER_TEAMS_CONNECTOR_SPEC to the Bot Connector description \
                 (shared/data/teams/botframework-channel.json, from microsoft/botframework-sdk \
                 specs/botframework-protocol/botframework-channel.json)"
            );
            None
        }
    }
}

/// `prism proxy --errors` on the Connector description in front of `upstream`.
pub fn prism(upstream: SocketAddr, spec: &str) -> Prism {
    crate::prism::proxy(&format!("http://{upstream}"), std::path::Path::new(spec))
}
