//! What happens to one payload once Slack has its acknowledgement (the connection sends the
//! ack before calling [`Handler::handle`], so Slack's 3-second window never waits on the
//! database): open a modal, publish App Home, or ask the app and show its replies.
//!
//! Replies are shown where the person acted: the clicked DM message is updated in place
//! (`chat.update`, its buttons go with it), private answers in a channel are ephemeral
//! (`chat.postEphemeral`), the rest is posted (`chat.postMessage`). Duplicate deliveries
//! are caught twice: in memory here, and durably by the app's replay guard across
//! instances (whose "already done" answer is then not shown: Slack retried, the person
//! already has their answer).
//!
//! Depends on the Web API client and the app through [`Responder`] and [`HomeSource`].

use std::sync::Arc;

use super::chat::SlackChat;
use super::home::{self, HomeSource};
use super::parse::{is_dm, Parsed, ReplyTo};
use super::render::{render, typed_modal, Message};
use super::web::WebError;
use crate::app::replays;
use crate::platform::discord::dedup::RecentIds;
use crate::platform::discord::Responder;
use crate::platform::{Actor, Destination, InboundKind, Reply};

/// What became of one payload (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with this many messages (an updated one included).
    Answered {
        messages: usize,
    },
    ModalOpened,
    HomePublished,
    /// Already handled, here or on another instance.
    Duplicate,
    Ignored(&'static str),
}

/// The payload handler. Holds no per-conversation state: a click on a message sent before
/// a restart is understood from its `action_id` and `value` alone.
pub struct Handler<R> {
    responder: R,
    chat: Arc<SlackChat>,
    home: Option<Arc<dyn HomeSource>>,
    seen: RecentIds,
}

impl<R: Responder> Handler<R> {
    pub fn new(responder: R, chat: Arc<SlackChat>) -> Self {
        Handler {
            responder,
            chat,
            home: None,
            seen: RecentIds::default(),
        }
    }

    /// Publishes App Home from `home` on `app_home_opened` and after each answer.
    pub fn with_home(mut self, home: Arc<dyn HomeSource>) -> Self {
        self.home = Some(home);
        self
    }

    #[tracing::instrument(skip_all)]
    pub async fn handle(&self, parsed: Parsed) -> Result<Outcome, WebError> {
        let web = self.chat.web();
        match parsed {
            Parsed::Ignore(why) => Ok(Outcome::Ignored(why)),
            Parsed::OpenModal {
                trigger_id,
                action,
                long,
                channel,
            } => match typed_modal(&action, long, &channel) {
                Some(view) => {
                    web.open_view(&trigger_id, &view).await?;
                    Ok(Outcome::ModalOpened)
                }
                None => Ok(Outcome::Ignored("action too long for a modal")),
            },
            Parsed::HomeOpened { actor } => {
                self.publish_home(&actor).await?;
                Ok(Outcome::HomePublished)
            }
            Parsed::Inbound { inbound, reply_to } => {
                if !self.seen.first_time(&inbound.event_id) {
                    return Ok(Outcome::Duplicate);
                }
                let actor = inbound.actor.clone();
                let answered = is_answer(&inbound.kind);
                let replies = self.responder.respond(inbound).await;
                if replies == [replays::already_done()] {
                    tracing::info!("a delivery handled elsewhere before; not shown again");
                    return Ok(Outcome::Duplicate);
                }
                let messages = self.show(&actor, &reply_to, &replies).await?;
                if answered {
                    if let Err(err) = self.publish_home(&actor).await {
                        tracing::warn!(%err, "App Home not refreshed after an answer");
                    }
                }
                Ok(Outcome::Answered { messages })
            }
        }
    }

    async fn publish_home(&self, actor: &Actor) -> Result<(), WebError> {
        let Some(source) = &self.home else {
            return Ok(());
        };
        let view = home::view(&source.dashboard(actor).await);
        self.chat.web().publish_home(&actor.user, &view).await
    }

    /// Shows the replies where the person acted; how many messages that made.
    async fn show(
        &self,
        actor: &Actor,
        reply_to: &ReplyTo,
        replies: &[Reply],
    ) -> Result<usize, WebError> {
        let web = self.chat.web();
        let mut messages: Vec<Message> = replies.iter().flat_map(render).collect();
        if messages.is_empty() {
            messages = render(&Reply::text("Done."));
        }
        let count = messages.len();
        let in_channel = reply_to.channel.as_deref().filter(|c| !is_dm(c));
        let mut update = match (&reply_to.channel, &reply_to.update_ts) {
            (Some(c), Some(ts)) if !reply_to.private => Some((c.clone(), ts.clone())),
            _ => None,
        };
        for message in messages {
            if let Some((channel, ts)) = update.take() {
                web.update(&channel, &ts, &message).await?;
                continue;
            }
            match in_channel {
                Some(channel) if message.private && message.uploads.is_empty() => {
                    web.post_ephemeral(channel, &actor.user, &message).await?;
                }
                Some(channel) if !message.private => {
                    web.post_message(channel, &message).await?;
                }
                _ => {
                    // A DM, App Home, or a private file: the person's DM with the bot.
                    let to = Destination::Direct {
                        user: actor.user.clone(),
                    };
                    let dm = match reply_to.channel.as_deref().filter(|c| is_dm(c)) {
                        Some(c) => c.to_owned(),
                        None => self
                            .chat
                            .channel_for(&to)
                            .await
                            .map_err(|e| WebError::Api {
                                method: "conversations.open".into(),
                                error: e.to_string(),
                            })?,
                    };
                    web.post_message(&dm, &message).await?;
                }
            }
        }
        Ok(count)
    }
}

/// An answer (a pick or a typed answer): App Home changes after it.
fn is_answer(kind: &InboundKind) -> bool {
    replays::replays_itself(kind)
}

/// Hands each acknowledged payload to the handler on its own task.
pub struct Spawner<R>(pub Arc<Handler<R>>);

impl<R: Responder + 'static> super::http::Dispatch for Spawner<R> {
    fn dispatch(&self, parsed: Parsed) {
        let handler = Arc::clone(&self.0);
        tokio::spawn(async move {
            match handler.handle(parsed).await {
                Ok(outcome) => tracing::debug!(?outcome, "Slack payload handled"),
                Err(err) => tracing::warn!(%err, "answering a Slack payload failed"),
            }
        });
    }
}
