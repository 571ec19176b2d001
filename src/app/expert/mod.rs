//! Experts' use cases: the `review` queue of free-text answers that the machine cannot
//! grade. An expert's grade feeds the scheduler (a new memory state for the item) and
//! the mastery rules (the skill is re-evaluated with the graded answer counted).
//!
//! Access mirrors the managers': a platform role mapped to expert or admin, and the same
//! role recorded in our database; an expert scoped to a skill sees only that skill's
//! answers, a tenant-wide expert or an admin every answer of their tenant, never another
//! tenant's. Storage goes through the narrow [`ReviewDesk`] interface. Depends on the
//! engine, the app's records and the manager module's role policy.

mod ask;
mod courier;
mod desk;
pub use courier::{answer_reply, AnswerCourier};
mod propose;
pub use desk::StoreDesk;
mod review;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::Memory;
use ladder_engine::{ItemId, SkillId};

use super::commands::Cmd;
use super::records::{LearnerKey, RecordsError, StageRecord};
use super::{App, AppResult};
use crate::platform::{Actor, Platform, Reply};

/// A free-text answer waiting for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The store's review id, quoted in `/review ID right`.
    pub id: i64,
    pub learner: LearnerKey,
    pub item: ItemId,
    pub skill: SkillId,
    pub response: String,
    pub answered_at: DateTime<Utc>,
    pub latency_secs: Option<f64>,
    /// Who graded it already (peers waiting for a second grade).
    pub graded_by: Vec<LearnerKey>,
}

/// A person's grade of one answer, before it settles.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub review: i64,
    pub reviewer: LearnerKey,
    /// An expert's grade settles the answer alone; a peer's needs a second peer.
    pub by_expert: bool,
    pub verdict: Verdict,
    pub score: f64,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// Where an answer stands after a grade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Settlement {
    /// The answer has its final grade (this call settled it): feed it to the scheduler.
    Final { verdict: Verdict, score: f64 },
    /// A peer's grade is kept; the answer waits for another peer (or an expert).
    Waiting,
    /// Someone else settled it a moment earlier; the grade is kept, nothing else changes.
    Already,
}

/// Peers needed to settle an answer without an expert.
pub const PEERS_NEEDED: usize = 2;

/// The final grade from two peers: their verdict when they agree, otherwise partial;
/// the score is their mean either way.
pub fn combine(a: (Verdict, f64), b: (Verdict, f64)) -> (Verdict, f64) {
    let score = (a.1 + b.1) / 2.0;
    let verdict = if a.0 == b.0 { a.0 } else { Verdict::Partial };
    (verdict, score)
}

/// What a settled grade changes for the learner.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub learner: LearnerKey,
    pub item: ItemId,
    /// The item's new memory state.
    pub memory: Memory,
    /// A stage change the grade caused, if any.
    pub stage: Option<StageRecord>,
    /// The learner's progress revision read before the memory and stage were computed.
    pub basis: Option<i64>,
}

/// Free-text answers and their grades, named by intent.
#[async_trait]
pub trait ReviewDesk: Send + Sync {
    /// Answers of one tenant waiting for a grade, oldest first.
    async fn pending(&self, platform: Platform, tenant: &str)
        -> Result<Vec<Pending>, RecordsError>;
    /// Keeps a person's grade and settles the answer when it has enough: an expert's
    /// grade, or [`PEERS_NEEDED`] peers' ([`combine`]d). A person grades an answer once.
    async fn mark(&self, mark: &Mark) -> Result<Settlement, RecordsError>;
    /// Writes the new memory and any stage change of a settled answer, in one step;
    /// false (nothing written) when the learner's progress moved past `graded.basis`.
    async fn apply(&self, graded: &Graded) -> Result<bool, RecordsError>;
}

/// Runs one expert command (the catalogue lists them with their roles).
pub async fn handle(app: &App, actor: &Actor, cmd: Cmd, args: &str) -> AppResult<Vec<Reply>> {
    let Some(staffing) = app.staffing.get() else {
        return Ok(vec![Reply::text(
            "Expert tools are not set up on this server yet. Ask your admin.",
        )]);
    };
    match cmd {
        Cmd::Review => review::handle(app, staffing, actor, args).await,
        Cmd::Ask => ask::ask(app, staffing, actor, args).await,
        Cmd::Answer => ask::answer(app, staffing, actor, args).await,
        Cmd::Propose => propose::propose(app, staffing, actor, args).await,
        Cmd::Proposals => propose::proposals(app, staffing, actor).await,
        Cmd::Accept => propose::decide(app, staffing, actor, args, true).await,
        Cmd::Reject => propose::decide(app, staffing, actor, args, false).await,
        Cmd::Vote => propose::vote(staffing, actor, args).await,
        other => Ok(vec![Reply::text(format!(
            "/{} is not an expert's command.",
            super::commands::spec(other).name
        ))]),
    }
}
