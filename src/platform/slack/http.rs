//! The HTTP alternative to Socket Mode, for deployments behind a load balancer: one
//! endpoint (`POST /slack/events`, also reachable as `/slack/interactive` and
//! `/slack/commands`) for the Events API, interactivity and slash commands.
//!
//! Every request's signature is verified on the raw body before anything parses it
//! ([`super::signature`]); a refused request gets 401 and never reaches the app. An accepted
//! one is acknowledged at once (200, empty body: Slack's 3 seconds never wait on the
//! database) and handled after, like a Socket Mode envelope.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::parse::{self, Parsed};
use super::signature::SigningSecret;

/// Takes a parsed payload after it has been acknowledged (handles it in the background).
pub trait Dispatch: Send + Sync + 'static {
    fn dispatch(&self, parsed: Parsed);
}

#[derive(Clone)]
struct Endpoint {
    secret: SigningSecret,
    dispatch: Arc<dyn Dispatch>,
}

/// The endpoint's routes; serve them with `axum::serve`.
pub fn router(secret: SigningSecret, dispatch: Arc<dyn Dispatch>) -> Router {
    let state = Endpoint { secret, dispatch };
    Router::new()
        .route("/slack/events", post(receive))
        .route("/slack/interactive", post(receive))
        .route("/slack/commands", post(receive))
        .with_state(state)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn receive(State(ep): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = ep.secret.verify(
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
        &body,
        now(),
    );
    if let Err(why) = verified {
        tracing::warn!(%why, "unsigned or badly signed Slack request refused");
        return (StatusCode::UNAUTHORIZED, "invalid signature").into_response();
    }
    let json_body = header("content-type").is_some_and(|c| c.starts_with("application/json"));
    let parsed = if json_body {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return (StatusCode::BAD_REQUEST, "not JSON").into_response();
        };
        if value["type"] == "url_verification" {
            let challenge = value["challenge"].as_str().unwrap_or_default().to_owned();
            return (StatusCode::OK, challenge).into_response();
        }
        parse::event(&value)
    } else {
        let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
            return (StatusCode::BAD_REQUEST, "not a form").into_response();
        };
        match fields.iter().find(|(k, _)| k == "payload") {
            Some((_, payload)) => match serde_json::from_str(payload) {
                Ok(value) => parse::interactive(&value),
                Err(_) => return (StatusCode::BAD_REQUEST, "payload is not JSON").into_response(),
            },
            None => {
                let map: serde_json::Map<String, serde_json::Value> = fields
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect();
                parse::slash_command(&serde_json::Value::Object(map))
            }
        }
    };
    match parsed {
        Ok(parsed) => {
            ep.dispatch.dispatch(parsed);
            StatusCode::OK.into_response()
        }
        Err(err) => {
            tracing::warn!(%err, "a signed Slack request we cannot read");
            (StatusCode::BAD_REQUEST, err.to_string()).into_response()
        }
    }
}
