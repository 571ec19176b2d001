//! Managers' and cohorts' use cases: the team summary (`team [TEAM]`), the at-risk list
//! (`team at-risk [TEAM]`), behind role and scope checks, and the leaderboard.
//!
//! Access needs two things: a platform role that configuration maps to manager or admin
//! (Discord role ids), and the same role recorded in our own database. A manager sees only
//! the teams their grants name (admins and tenant-wide managers see every team of their
//! tenant), and a tenant only ever sees its own teams. Teams and grants are read through
//! the narrow [`Staff`] interface; [`StoreStaff`] implements it on the service's store.
//! Depends on the report module, the app's records and the platform types.

mod access;
pub mod board;
pub mod notify;
pub mod playground;
pub mod posts;
mod store;
mod team;

use async_trait::async_trait;
use std::sync::Arc;

use super::commands::Cmd;
use super::records::{LearnerKey, RecordsError};
use super::{App, AppResult};
use crate::platform::{Actor, Platform, Reply};
use crate::store::{RoleKind, RoleScope, TeamId};

pub use access::{Denial, RolePolicy};
pub use store::StoreStaff;

/// One team as a manager sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamInfo {
    pub id: TeamId,
    pub name: String,
    pub members: Vec<LearnerKey>,
}

/// Roles and teams, named by intent.
#[async_trait]
pub trait Staff: Send + Sync {
    /// The roles recorded for this person in our database (none if they never joined).
    async fn grants(&self, who: &LearnerKey) -> Result<Vec<(RoleKind, RoleScope)>, RecordsError>;
    /// Every team of one tenant, with its members.
    async fn teams(&self, platform: Platform, tenant: &str) -> Result<Vec<TeamInfo>, RecordsError>;
}

/// What the manager and expert use cases need besides the records.
#[derive(Clone)]
pub struct Staffing {
    pub staff: Arc<dyn Staff>,
    pub desk: Arc<dyn crate::app::expert::ReviewDesk>,
    pub policy: RolePolicy,
    /// Learners' questions, contributions and votes (the experts' ask/propose tools).
    pub store: Arc<dyn crate::store::Store>,
}

impl Staffing {
    /// Everything kept in the service's store.
    pub fn on_store(store: Arc<dyn crate::store::Store>, policy: RolePolicy) -> Self {
        Staffing {
            staff: Arc::new(StoreStaff::new(store.clone())),
            desk: Arc::new(crate::app::expert::StoreDesk::new(store.clone())),
            policy,
            store,
        }
    }
}

impl App {
    /// Turns on the managers' and experts' commands; without it they explain that they
    /// are not set up. Set once, when the app is wired; later calls are ignored.
    pub fn set_staffing(&self, staffing: Staffing) {
        let _ = self.staffing.set(staffing);
    }

    /// The staff roles the actor holds both ways (platform role and recorded grant), for
    /// dashboards that show a manager's or an expert's tools only to them.
    pub async fn staff_roles(&self, actor: &Actor) -> AppResult<Vec<RoleKind>> {
        let Some(staffing) = self.staffing.get() else {
            return Ok(Vec::new());
        };
        let platform = staffing.policy.kinds(actor);
        let grants = staffing.staff.grants(&LearnerKey::of(actor)).await?;
        let mut held: Vec<RoleKind> = grants
            .into_iter()
            .map(|(kind, _)| kind)
            .filter(|k| platform.contains(k))
            .collect();
        held.dedup();
        Ok(held)
    }
}

/// Runs one manager command.
pub async fn handle(app: &App, actor: &Actor, cmd: Cmd, args: &str) -> AppResult<Vec<Reply>> {
    if cmd == Cmd::Leaderboard {
        return board::handle(app, actor, args).await;
    }
    let Some(staffing) = app.staffing.get() else {
        return Ok(vec![Reply::text(
            "Team summaries are not set up on this server yet. Ask your admin.",
        )]);
    };
    match cmd {
        Cmd::Team => team::handle(app, staffing, actor, args).await,
        Cmd::Digest => posts::handle(app, staffing, actor, args).await,
        other => Ok(vec![Reply::text(format!(
            "/{} is not a manager's command.",
            super::commands::spec(other).name
        ))]),
    }
}
