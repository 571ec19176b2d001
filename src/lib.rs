//! Ladder: mastery-based practice delivered in the chat tools a team already uses.
//!
//! The pure learning logic lives in the `ladder-engine` crate and content files are read by
//! `ladder-content`; this crate wires them to storage, schedules and chat platforms.
//!
//! Module map:
//! - [`config`]: one `Settings` struct: defaults, then `ladder.toml`, then `LADDER_*` env.
//! - [`content_source`]: the content directory, or the sample tracks built into the binary.
//! - [`clock`]: the time seam (`Clock`): the system clock in production, a virtual one in
//!   the demo and tests.
//! - [`store`]: the `Store` traits (named by intent) with a SQLite and a Postgres backend.
//! - [`instance`]: this process's unique name in leases and claimed rows.
//! - [`delivery`]: cron slots in each learner's timezone, the outbox, delivery workers and
//!   the per-platform rate limiter.
//! - [`app`]: use cases (answer a prompt, practise, progress, team summary, ...) that depend
//!   only on the engine, the store and the chat traits.
//! - [`platform`]: platform-neutral replies and inbound events, plus the adapters:
//!   `local` (terminal) and `discord`.
//! - [`report`]: team summaries for managers, as text and as a PNG.
//! - [`ops`]: what operators see: `/healthz`, `/readyz`, `/metrics`, graceful shutdown.
//! - [`sim`]: the cohort simulator behind `ladder simulate`.
//! - [`commands`]: one file per CLI subcommand; `main.rs` only parses and dispatches.

pub mod app;
pub mod clock;
pub mod commands;
pub mod config;
pub mod content_source;
pub mod delivery;
pub mod instance;
pub mod ops;
pub mod platform;
pub mod report;
pub mod sim;
pub mod store;
