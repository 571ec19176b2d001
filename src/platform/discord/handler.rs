//! The one interaction handler: every slash command, click, select and modal submit goes
//! through [`Adapter::handle`], which deduplicates, answers Discord within its 3-second
//! window (a deferral, before any database work), asks the app, and then fills the deferred
//! response and follow-ups with the rendered replies.
//!
//! Depends on serenity's HTTP client and the app through the [`Responder`] seam only, so
//! tests can drive it with any `Http` (pointed at a fake Discord) and any responder.

use std::future::Future;

use async_trait::async_trait;
use serenity::all::{
    CreateInteractionResponse, CreateInteractionResponseMessage, Http, Interaction,
};
use serenity::builder::Builder;

use super::dedup::RecentIds;
use super::parse::{parse, Parsed};
use super::render::{render, Rendered};
use crate::platform::{Inbound, Reply};

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

/// What became of one interaction (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Deferred, then answered with this many messages (the edited original included).
    Answered {
        messages: usize,
    },
    ModalOpened,
    Autocompleted,
    /// Already handled by this process (a replay after a gateway resume).
    Duplicate,
    Ignored(&'static str),
}

/// A Discord request that failed; the interaction may be left unanswered.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("discord request failed: {0}")]
    Http(#[from] serenity::Error),
}

/// The interaction handler. Holds no per-conversation state: a click on a message sent
/// before a restart is understood from its `custom_id` alone.
pub struct Adapter<R> {
    responder: R,
    seen: RecentIds,
}

impl<R: Responder> Adapter<R> {
    pub fn new(responder: R) -> Self {
        Adapter {
            responder,
            seen: RecentIds::default(),
        }
    }

    pub fn responder(&self) -> &R {
        &self.responder
    }

    #[tracing::instrument(skip_all, fields(interaction = %interaction.id()))]
    pub async fn handle(
        &self,
        http: &Http,
        interaction: &Interaction,
    ) -> Result<Outcome, DiscordError> {
        if !self.seen.first_time(&interaction.id().to_string()) {
            tracing::debug!("replayed interaction ignored");
            return Ok(Outcome::Duplicate);
        }
        let id = interaction.id();
        let token = interaction.token();
        match parse(interaction) {
            Parsed::OpenModal(modal) => {
                CreateInteractionResponse::Modal(modal)
                    .execute(http, (id, token))
                    .await?;
                Ok(Outcome::ModalOpened)
            }
            Parsed::Autocomplete(choices) => {
                CreateInteractionResponse::Autocomplete(choices)
                    .execute(http, (id, token))
                    .await?;
                Ok(Outcome::Autocompleted)
            }
            Parsed::Ignore(why) => {
                tracing::debug!(why, "interaction ignored");
                Ok(Outcome::Ignored(why))
            }
            Parsed::Inbound { inbound, private } => {
                // Defer first: the app may wait on the database, Discord waits 3 s only.
                let defer = CreateInteractionResponseMessage::new().ephemeral(private);
                CreateInteractionResponse::Defer(defer)
                    .execute(http, (id, token))
                    .await?;
                let replies = match super::guard::channel_refusal(http, interaction).await {
                    Some(refusal) => vec![refusal],
                    None => self.responder.respond(inbound).await,
                };
                let in_dm = interaction.guild_id().is_none();
                let messages = answer(http, token, &replies, private, in_dm).await?;
                Ok(Outcome::Answered { messages })
            }
        }
    }
}

/// Fills the deferred response with the first message of matching visibility (it inherits
/// the deferral's), and posts everything else as follow-ups, in order.
async fn answer(
    http: &Http,
    token: &str,
    replies: &[Reply],
    private: bool,
    in_dm: bool,
) -> Result<usize, DiscordError> {
    let mut messages: Vec<Rendered> = replies.iter().flat_map(render).collect();
    if in_dm {
        // A DM is already private: "only you can see this" would only add noise.
        messages.iter_mut().for_each(|m| m.ephemeral = false);
    }
    let original = match messages.iter().position(|m| m.ephemeral == private) {
        Some(i) => messages.remove(i),
        None => {
            let note = if messages.is_empty() {
                "Done."
            } else {
                "See below."
            };
            let mut r = render(&Reply::text(note)).remove(0);
            r.ephemeral = private;
            r
        }
    };
    original.into_edit().execute(http, token).await?;
    let count = messages.len() + 1;
    for message in messages {
        message.into_followup().execute(http, (None, token)).await?;
    }
    Ok(count)
}
