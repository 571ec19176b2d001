//! Getting daily prompts to learners: cron slots evaluated in each learner's timezone
//! ([`slots`]), planning due slots into the outbox ([`plan`]), reminders ([`reminders`]),
//! the workers that deliver each outbox row exactly once ([`worker`]) within the
//! per-platform rate limits ([`ratelimit`]), one-off notices ([`notices`]), what stands in
//! for a refused DM ([`fallback`]), pruning the delivery history after its retention
//! ([`retention`]), and a database-backed fake platform for crash tests and benchmarks
//! ([`fake`]).
//!
//! Depends on the engine, the app's planning use case, the store's outbox, the platform's
//! `Chat` trait and the clock seam; never on a concrete platform adapter.

pub mod fake;
pub mod fallback;
pub mod notices;
pub mod plan;
pub mod ratelimit;
pub mod reminders;
pub mod retention;
pub mod slots;
pub mod worker;
