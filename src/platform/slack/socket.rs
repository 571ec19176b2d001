//! Socket Mode: the default connection, needing no public endpoint.
//!
//! `apps.connections.open` (with the app-level token, `xapp-…`) gives a WebSocket URL;
//! Slack then sends `hello`, envelopes (`events_api`, `interactive`, `slash_commands`) and,
//! before it stops serving a connection, `disconnect`. Every envelope is acknowledged
//! (`{"envelope_id": …}`) as soon as it is read, before it is parsed or handled, so Slack's
//! 3-second window never waits on the app; handling happens on its own task. A
//! `disconnect`, a closed socket or an error opens a fresh connection (a new URL each time),
//! with back-off while Slack cannot be reached.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as Frame;

use super::http::Dispatch;
use super::parse::{self, ParseError, Parsed};
use super::web::{SlackWeb, WebError};
use crate::ops::Connections;
use crate::platform::Platform;

/// Why the Socket Mode loop gave up.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// The app token was refused: retrying cannot help.
    #[error("Slack refused the app-level token (SLACK_APP_TOKEN): {0}")]
    Auth(WebError),
}

/// How one connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Slack asked us to reconnect (`disconnect`), or closed the socket.
    Reconnect(String),
    Stopped,
}

/// What a frame means; pure, so the frames Slack publishes are tested directly.
// One frame is read at a time and handed on at once: the size of the enum costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Hello,
    Disconnect(String),
    /// An envelope: its id (to acknowledge) and the payload parsed.
    Envelope {
        id: String,
        parsed: Result<Parsed, ParseError>,
    },
    Other,
}

/// Reads one text frame.
pub fn read_frame(text: &str) -> Incoming {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Incoming::Other;
    };
    match v["type"].as_str() {
        Some("hello") => return Incoming::Hello,
        Some("disconnect") => {
            return Incoming::Disconnect(v["reason"].as_str().unwrap_or("unknown").to_owned())
        }
        _ => {}
    }
    let Some(id) = v["envelope_id"].as_str().filter(|s| !s.is_empty()) else {
        return Incoming::Other;
    };
    let payload = &v["payload"];
    let parsed = match v["type"].as_str() {
        Some("events_api") => parse::event(payload),
        Some("interactive") => parse::interactive(payload),
        Some("slash_commands") => parse::slash_command(payload),
        _ => Ok(Parsed::Ignore("envelope type not used")),
    };
    Incoming::Envelope {
        id: id.to_owned(),
        parsed,
    }
}

/// The acknowledgement of an envelope.
pub fn ack(envelope_id: &str) -> String {
    json!({ "envelope_id": envelope_id }).to_string()
}

/// Resolves once `stop` turns true (or its sender is gone). Yields `()`, not the watch's
/// read guard, so no guard can be held across an await and the future stays `Send`.
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Runs Socket Mode until `stop` turns true; reconnects for ever otherwise.
pub async fn run(
    web: Arc<SlackWeb>,
    app_token: String,
    dispatch: Arc<dyn Dispatch>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), SocketError> {
    let mut failures: u32 = 0;
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let url = match web.open_connection(&app_token).await {
            Ok(url) => url,
            Err(WebError::Api { error, method })
                if ["invalid_auth", "not_authed", "not_allowed_token_type"]
                    .contains(&error.as_str()) =>
            {
                return Err(SocketError::Auth(WebError::Api { method, error }));
            }
            Err(err) => {
                failures += 1;
                let wait = backoff(failures, &err);
                tracing::warn!(%err, ?wait, "apps.connections.open failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => continue,
                    () = stopped(&mut stop) => return Ok(()),
                }
            }
        };
        match connection(&url, &*dispatch, &mut stop).await {
            Ok(Ended::Stopped) => return Ok(()),
            Ok(Ended::Reconnect(reason)) => {
                failures = 0;
                tracing::info!(reason, "Socket Mode reconnecting");
            }
            Err(err) => {
                failures += 1;
                let wait = backoff(failures, &WebError::Network(err.clone()));
                tracing::warn!(err, ?wait, "Socket Mode connection failed; reconnecting");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    () = stopped(&mut stop) => return Ok(()),
                }
            }
        }
    }
}

fn backoff(failures: u32, err: &WebError) -> Duration {
    if let WebError::RateLimited(wait) = err {
        return *wait;
    }
    Duration::from_millis(500 * 2u64.pow(failures.min(6))).min(Duration::from_secs(30))
}

/// One WebSocket connection, until Slack ends it or `stop`.
async fn connection(
    url: &str,
    dispatch: &dyn Dispatch,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> Result<Ended, String> {
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let (mut tx, mut rx) = socket.split();
    loop {
        let frame = tokio::select! {
            f = rx.next() => f,
            () = stopped(stop) => {
                let _ = tx.send(Frame::Close(None)).await;
                return Ok(Ended::Stopped);
            }
        };
        let text = match frame {
            None => return Ok(Ended::Reconnect("socket closed".into())),
            Some(Err(e)) => return Err(format!("reading: {e}")),
            Some(Ok(Frame::Text(t))) => t,
            Some(Ok(Frame::Close(_))) => return Ok(Ended::Reconnect("closed by Slack".into())),
            Some(Ok(_)) => continue, // pings are answered by tungstenite
        };
        match read_frame(&text) {
            Incoming::Hello => {
                tracing::info!("Socket Mode connected");
                Connections::global().report(Platform::Slack, 1, 1);
            }
            Incoming::Disconnect(reason) => {
                Connections::global().report(Platform::Slack, 0, 1);
                return Ok(Ended::Reconnect(reason));
            }
            Incoming::Envelope { id, parsed } => {
                // Acknowledge first, whatever the payload: Slack waits 3 s only.
                tx.send(Frame::Text(ack(&id)))
                    .await
                    .map_err(|e| format!("acknowledging: {e}"))?;
                match parsed {
                    Ok(parsed) => dispatch.dispatch(parsed),
                    Err(err) => tracing::warn!(%err, "a Slack envelope we cannot read"),
                }
            }
            Incoming::Other => tracing::debug!("unknown Socket Mode frame ignored"),
        }
    }
}
