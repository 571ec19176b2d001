//! The platform-neutral chat surface: what the app says ([`Reply`]), what users do
//! ([`Inbound`]) and how a message reaches a person ([`Chat`]).
//!
//! Adapters (`local`, `discord`) only translate between these types and their platform:
//! they parse input into an [`Inbound`], call the app, and render the [`Reply`] natively.
//! No product logic lives in an adapter.

pub mod discord;
pub mod local;
pub mod slack;
pub mod teams;
pub mod text;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Which chat platform a tenant or a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Local,
    Discord,
    Slack,
    Teams,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Local => "local",
            Platform::Discord => "discord",
            Platform::Slack => "slack",
            Platform::Teams => "teams",
        }
    }

    /// The one platform role every user of this platform holds, where the platform has no
    /// roles Ladder could map (Slack, Teams): listed for every staff role in the role
    /// policy, it lets the grant recorded by an admin or the operator decide alone. None
    /// where roles come from the platform (Discord) or from the playground's own names.
    pub const fn member_role(self) -> Option<&'static str> {
        match self {
            Platform::Slack => Some("slack:member"),
            Platform::Teams => Some("teams:member"),
            Platform::Local | Platform::Discord => None,
        }
    }
}

/// Who sees a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the person who asked (Discord: ephemeral; local: always).
    Private,
    /// Everyone in the channel (leaderboards, onboarding messages).
    Public,
}

/// One button or select option. `action` is an opaque, stable string the app parses back
/// (it survives restarts: adapters put it in a component's `custom_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub action: String,
}

/// A piece of a reply. Text is Markdown written by the app; user-supplied text inside it
/// has already been passed through [`text::sanitize`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A short title line (Discord: embed title; terminal: bold).
    Heading(String),
    /// Markdown paragraph(s).
    Text(String),
    /// Labelled facts, e.g. stage per skill (Discord: embed fields).
    Fields(Vec<(String, String)>),
    /// Pick one (or several when `multi`) of the choices. Up to 5 become buttons, more a
    /// select menu; `placeholder` labels the select.
    Choices {
        choices: Vec<Choice>,
        multi: bool,
        placeholder: String,
    },
    /// Ask for typed text (Discord: a button opening a modal; terminal: just type).
    AskText {
        action: String,
        label: String,
        placeholder: String,
        long: bool,
    },
    /// A picture, e.g. the team summary heatmap.
    Image {
        png: Vec<u8>,
        filename: String,
        alt: String,
    },
    /// A file to download, e.g. "export my data".
    File { bytes: Vec<u8>, filename: String },
    /// Pings one person (a platform user id) in a channel message: the only mention the
    /// bot ever sends, used when they asked for it. `name` is shown where pings do not
    /// exist (the terminal).
    Mention { user: String, name: String },
}

/// Everything the app says in answer to one inbound event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub blocks: Vec<Block>,
    pub visibility: Visibility,
}

impl Reply {
    pub fn private(blocks: Vec<Block>) -> Self {
        Reply {
            blocks,
            visibility: Visibility::Private,
        }
    }
    pub fn public(blocks: Vec<Block>) -> Self {
        Reply {
            blocks,
            visibility: Visibility::Public,
        }
    }
    /// A one-paragraph private reply.
    pub fn text(markdown: impl Into<String>) -> Self {
        Reply::private(vec![Block::Text(markdown.into())])
    }
}

/// The person behind an inbound event, as the platform names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub platform: Platform,
    /// Guild / workspace id; "local" for the playground. Empty when the platform did not
    /// say, as in a direct message: `App::handle` then settles it from what is acted on
    /// (a question's learner) or from the one workspace the person joined in.
    pub tenant: String,
    /// The platform's user id.
    pub user: String,
    pub display_name: String,
    /// Platform role ids the user holds (mapped to our roles through config).
    pub platform_roles: Vec<String>,
}

/// What a user did, parsed from any platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbound {
    pub actor: Actor,
    /// The platform's id for this event (interaction id, message id); replays of the same
    /// event carry the same id and are answered without being applied twice.
    pub event_id: String,
    pub kind: InboundKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InboundKind {
    /// A command by name with its raw argument text, e.g. `("why", "joins")`.
    Command { name: String, args: String },
    /// A button click or select: the `action` string of the [`Choice`] (several for a
    /// multi-select).
    Action { actions: Vec<String> },
    /// Typed text submitted for an [`Block::AskText`] `action` (modal submit), or plain
    /// text typed in a DM / the terminal (`action` None: the app decides what it answers).
    Text {
        action: Option<String>,
        text: String,
    },
}

/// Where an outgoing message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    /// A direct message to a platform user id.
    Direct { user: String },
    /// A channel (leaderboards, digests, DM fallback threads).
    Channel { channel: String },
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    /// The platform said to slow down; retry after the given seconds.
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: f64 },
    /// The person cannot be reached this way (user gone, channel deleted): do not retry
    /// soon.
    #[error("undeliverable: {0}")]
    Undeliverable(String),
    /// The person does not accept direct messages from the bot (Discord 50007): the
    /// message can be offered in a channel instead.
    #[error("direct messages closed: {0}")]
    DmsClosed(String),
    /// A network or server error: retry with back-off.
    #[error("temporary failure: {0}")]
    Temporary(String),
}

/// A receipt for a delivered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub message_id: String,
}

/// How the service pushes a message to a person or a channel, outside any interaction.
///
/// `idempotency_key` is deterministic per logical message (e.g. the prompt id): sending the
/// same key twice must not show the person two messages (Discord: `nonce` +
/// `enforce_nonce`).
#[async_trait]
pub trait Chat: Send + Sync {
    fn platform(&self) -> Platform;
    async fn send(
        &self,
        to: &Destination,
        reply: &Reply,
        idempotency_key: &str,
    ) -> Result<Sent, SendError>;
}
