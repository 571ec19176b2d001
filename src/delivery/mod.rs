//! Getting daily prompts to learners: cron slots evaluated in each learner's timezone
//! ([`slots`]), the per-platform rate limiter ([`ratelimit`]), and the outbox workers that
//! deliver each prompt exactly once.
//!
//! Depends on the engine, the store traits, the platform's `Chat` trait and the clock seam;
//! never on a concrete platform or database.

pub mod slots;
