//! The messaging endpoint: `POST /api/messages`. The bearer token is validated before the
//! body is even parsed; a refused request gets 401 and never reaches the app. An accepted
//! activity is answered 200 at once (Teams waits a few seconds at most), and the work (the
//! app, the Connector calls) happens after, in its own task: the same defer-first rule as
//! Discord's interactions. Replays of an activity id are caught in memory here and durably
//! by the app (`app::replays`).

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

use super::activity::{parse, Activity, Parsed};
use super::auth::TokenValidator;
use super::card::render;
use super::connector::Connector;
use super::refs::{ConversationRef, RefKind, RefStore};
use crate::platform::discord::dedup::RecentIds;
use crate::platform::{Inbound, InboundKind, Reply, SendError, Visibility};

/// What answers inbound events: the app in production, a closure in tests.
#[async_trait]
pub trait Responder: Send + Sync {
    async fn respond(&self, inbound: Inbound) -> Vec<Reply>;
}

#[async_trait]
impl<F, Fut> Responder for F
where
    F: Fn(Inbound) -> Fut + Send + Sync,
    Fut: Future<Output = Vec<Reply>> + Send,
{
    async fn respond(&self, inbound: Inbound) -> Vec<Reply> {
        self(inbound).await
    }
}

/// Everything the endpoint needs.
pub struct Endpoint {
    pub validator: TokenValidator,
    pub connector: Arc<Connector>,
    pub refs: RefStore,
    pub responder: Arc<dyn Responder>,
    seen: RecentIds,
}

impl Endpoint {
    pub fn new(
        validator: TokenValidator,
        connector: Arc<Connector>,
        refs: RefStore,
        responder: Arc<dyn Responder>,
    ) -> Self {
        Endpoint {
            validator,
            connector,
            refs,
            responder,
            seen: RecentIds::default(),
        }
    }
}

/// The router with `/api/messages`.
pub fn router(endpoint: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/api/messages", post(messages))
        .with_state(endpoint)
}

/// Serves the endpoint until `stopped` turns true.
pub async fn serve(
    listener: tokio::net::TcpListener,
    endpoint: Arc<Endpoint>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, router(endpoint))
        .with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|s| *s).await;
        })
        .await
}

async fn messages(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let verified = match endpoint.validator.verify(authorization).await {
        Ok(v) => v,
        Err(why) => {
            tracing::debug!(%why, "refused an inbound request");
            return StatusCode::UNAUTHORIZED;
        }
    };
    let Ok(activity) = serde_json::from_slice::<Activity>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    if let Err(why) = verified.check_activity(&activity.service_url, &activity.channel_id) {
        tracing::debug!(%why, "refused an inbound activity");
        return StatusCode::UNAUTHORIZED;
    }
    if !activity.id.is_empty() && !endpoint.seen.first_time(&activity.id) {
        tracing::debug!("replayed activity acknowledged again");
        return StatusCode::OK;
    }
    let work = Arc::clone(&endpoint);
    tokio::spawn(async move {
        if let Err(err) = handle(&work, activity).await {
            tracing::warn!(%err, "answering a Teams activity failed");
        }
    });
    StatusCode::OK
}

/// The work after the 200: remember where the person is, ask the app, send its replies.
async fn handle(endpoint: &Endpoint, activity: Activity) -> Result<(), SendError> {
    remember(endpoint, &activity).await;
    let inbound = match parse(&activity) {
        Parsed::Inbound(i) | Parsed::Installed(i) => i,
        Parsed::Ignore(why) => {
            tracing::debug!(why, kind = %activity.kind, "activity ignored");
            return Ok(());
        }
    };
    let from_card = matches!(
        inbound.kind,
        InboundKind::Action { .. }
            | InboundKind::Text {
                action: Some(_),
                ..
            }
    );
    let replies = endpoint.responder.respond(inbound).await;
    let here = ConversationRef {
        service_url: activity.service_url.clone(),
        conversation_id: activity.conversation.id.clone(),
        tenant_id: activity.tenant().unwrap_or_default().to_owned(),
    };
    let personal = activity.is_personal();
    // The card that was clicked is replaced by the first answer in its conversation, so
    // an answered question cannot be answered again from the same card.
    let mut replace = activity.reply_to_id.clone().filter(|_| from_card);
    for reply in &replies {
        let private_elsewhere = !personal && reply.visibility == Visibility::Private;
        let target = if private_elsewhere {
            // Teams has no ephemeral messages: a private answer goes to the person's own
            // chat with the bot, never into the channel.
            personal_chat(endpoint, &activity).await?
        } else {
            here.clone()
        };
        for message in render(reply) {
            let update = replace.take().filter(|_| !private_elsewhere);
            let (update, message) = (update.as_deref(), &message);
            let (url, conversation) = (&target.service_url, &target.conversation_id);
            let connector = &endpoint.connector;
            patiently(|| async move {
                match update {
                    Some(id) => connector.update(url, conversation, id, message).await,
                    None => connector.send(url, conversation, message).await.map(drop),
                }
            })
            .await?;
        }
    }
    Ok(())
}

/// Longest Retry-After waited for while answering someone who is waiting for the answer.
const MAX_WAIT: f64 = 30.0;

/// Runs one Connector call, and once more after the Retry-After of a 429 (the person is
/// waiting for this answer; the outbox's own retries cover pushed messages).
async fn patiently<F, Fut>(call: F) -> Result<(), SendError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), SendError>>,
{
    match call().await {
        Err(SendError::RateLimited { retry_after_secs }) if retry_after_secs <= MAX_WAIT => {
            tokio::time::sleep(std::time::Duration::from_secs_f64(retry_after_secs)).await;
            call().await
        }
        other => other,
    }
}

/// Keeps the conversation reference of a personal chat (by user) or a channel (by id).
async fn remember(endpoint: &Endpoint, activity: &Activity) {
    let Some(tenant) = activity.tenant() else {
        return;
    };
    if activity.service_url.is_empty() || activity.conversation.id.is_empty() {
        return;
    }
    let r = ConversationRef {
        service_url: activity.service_url.clone(),
        conversation_id: activity.conversation.id.clone(),
        tenant_id: tenant.to_owned(),
    };
    let result = if activity.is_personal() {
        if activity.kind == "installationUpdate"
            && activity
                .action
                .as_deref()
                .is_some_and(|a| a.starts_with("remove"))
        {
            endpoint.refs.forget(RefKind::User, &activity.from.id).await
        } else {
            endpoint
                .refs
                .remember(RefKind::User, &activity.from.id, &r)
                .await
        }
    } else {
        // A channel post goes to the channel itself (a new thread), not into the thread
        // the activity came from.
        let channel = activity
            .channel_data
            .as_ref()
            .and_then(|d| d.channel.as_ref())
            .map(|c| c.id.clone())
            .unwrap_or_else(|| activity.conversation.id.clone());
        let r = ConversationRef {
            conversation_id: channel.clone(),
            ..r
        };
        endpoint
            .refs
            .remember(RefKind::Conversation, &channel, &r)
            .await
    };
    if let Err(err) = result {
        tracing::warn!(%err, "keeping a Teams conversation reference failed");
    }
}

/// The person's one-to-one chat with the bot, opened through the Connector when unknown.
async fn personal_chat(
    endpoint: &Endpoint,
    activity: &Activity,
) -> Result<ConversationRef, SendError> {
    let user = &activity.from.id;
    let db = |e: sqlx::Error| SendError::Temporary(format!("conversation references: {e}"));
    if let Some(r) = endpoint.refs.find(RefKind::User, user).await.map_err(db)? {
        return Ok(r);
    }
    let tenant = activity.tenant().unwrap_or_default().to_owned();
    let conversation_id = endpoint
        .connector
        .open_personal(&activity.service_url, &tenant, user)
        .await?;
    let r = ConversationRef {
        service_url: activity.service_url.clone(),
        conversation_id,
        tenant_id: tenant,
    };
    endpoint
        .refs
        .remember(RefKind::User, user, &r)
        .await
        .map_err(db)?;
    Ok(r)
}
