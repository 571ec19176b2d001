//! The pure learning logic of Ladder.
//!
//! Nothing in this crate performs I/O, reads a clock or spawns a task: callers pass the
//! current time in and get decisions back. That keeps every rule testable with tables and
//! properties, and lets the simulator, the benchmarks and the chat service share one path.
//!
//! Module map:
//! - [`model`]: identifiers, stages, the content model (tracks, skills, items, resources).
//! - [`grade`]: answer + item → verdict with feedback.
//! - [`schedule`]: FSRS memory states, the verdict → rating mapping, the daily pick, leeches.
//! - [`eval`]: replaying a review log to measure (and optimise) the scheduler.
//! - [`mastery`]: mastery rules, stage evaluation with evidence, demotion.
//! - [`escalation`]: what to send, and to whom, after an event, with cool-downs.
//! - [`score`]: leaderboard scoring that rewards mastery gained and kept.

pub mod escalation;
pub mod eval;
pub mod grade;
pub mod mastery;
pub mod model;
pub mod schedule;
pub mod score;

pub use model::*;
