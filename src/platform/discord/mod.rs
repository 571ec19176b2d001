//! The Discord adapter: serenity interactions in, [`crate::platform::Reply`] rendered out.
//!
//! Parse and render only; every decision is the app's. Pieces:
//! - [`ids`]: the `custom_id` of each component (stateless: clicks survive restarts);
//! - [`parse`]: interactions → `Inbound`; [`render`]: `Reply` → messages within limits;
//! - [`commands`]: the slash commands; [`handler`]: the single interaction handler;
//! - [`chat`]: `impl Chat` for pushed DMs and channel posts (idempotent through nonces);
//! - [`dedup`]: replayed-event guard; [`gateway`]: the running bot (shards, watchdog);
//! - [`guard`]: checks made against Discord before the app acts (a channel's server);
//! - [`lease`]: which instance runs which shards, through leases in the database.
//!
//! May depend on serenity, the platform types and the app through [`handler::Responder`];
//! never on the store or the engine directly.

pub mod chat;
pub mod commands;
pub mod dedup;
pub mod gateway;
pub mod guard;
pub mod handler;
pub mod ids;
pub mod lease;
pub mod parse;
pub mod render;

pub use chat::DiscordChat;
pub use handler::{Adapter, DiscordError, Outcome, Responder};
