//! The Microsoft Teams adapter, on the Bot Framework REST protocol directly.
//!
//! Parse and render only; every decision is the app's. Pieces:
//! - [`auth`]: the bearer token of every inbound request (keys from the OpenID metadata);
//! - [`activity`]: activities → `Inbound` (typed commands, card submissions, installs);
//! - [`card`]: `Reply` → Adaptive Cards 1.5 (actions carry the app's action strings);
//! - [`connector`]: the bot's token and the Connector calls (send, update, open a chat);
//! - [`refs`]: conversation references, for proactive messages;
//! - [`server`]: `/api/messages`, defer-first; [`chat`]: `impl Chat` for the outbox;
//! - [`package`]: the Teams app package (manifest and icons) for upload.
//!
//! May depend on axum, reqwest, jsonwebtoken, the platform types and the app through
//! [`server::Responder`]; never on the store or the engine.

pub mod activity;
pub mod auth;
pub mod card;
pub mod chat;
pub mod connector;
pub mod package;
pub mod refs;
pub mod server;

pub use chat::TeamsChat;
pub use server::{Endpoint, Responder};
