//! Who may see what: platform roles mapped through configuration, grants recorded in our
//! database, and the teams a grant covers. Every denial is a value with its own sentence,
//! so that tests can check each one and users learn what to ask their admin for.

use super::{Staffing, TeamInfo};
use crate::app::records::{LearnerKey, RecordsError};
use crate::platform::{Actor, Platform};
use crate::store::{RoleKind, RoleScope};

/// Platform role ids (Discord role ids as text; plain names in the playground) that
/// grant each of our roles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RolePolicy {
    pub manager: Vec<String>,
    pub expert: Vec<String>,
    pub admin: Vec<String>,
}

impl RolePolicy {
    /// The playground's roles, named by their own names.
    pub fn local() -> Self {
        RolePolicy {
            manager: vec!["manager".into()],
            expert: vec!["expert".into()],
            admin: vec!["admin".into()],
        }
    }

    /// Lists the member role of every platform without roles of its own
    /// ([`Platform::member_role`]) for every staff role: there the grant decides alone
    /// (in that workspace or tenant only).
    pub fn grant_decides_without_platform_roles(&mut self) {
        let members = [Platform::Slack, Platform::Teams].map(Platform::member_role);
        for ids in [&mut self.manager, &mut self.expert, &mut self.admin] {
            ids.extend(members.iter().flatten().map(|r| (*r).to_owned()));
        }
    }

    /// From the configured Discord role ids.
    pub fn from_ids(manager: &[u64], expert: &[u64], admin: &[u64]) -> Self {
        let text = |ids: &[u64]| ids.iter().map(u64::to_string).collect();
        RolePolicy {
            manager: text(manager),
            expert: text(expert),
            admin: text(admin),
        }
    }

    /// Our roles the actor's platform roles map to.
    pub fn kinds(&self, actor: &Actor) -> Vec<RoleKind> {
        let holds = |ids: &[String]| actor.platform_roles.iter().any(|r| ids.contains(r));
        [
            (RoleKind::Manager, &self.manager),
            (RoleKind::Expert, &self.expert),
            (RoleKind::Admin, &self.admin),
        ]
        .into_iter()
        .filter(|(_, ids)| holds(ids))
        .map(|(k, _)| k)
        .collect()
    }
}

/// Why a manager command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    #[error("/team is for managers. Ask your admin if you should have that role.")]
    NoPlatformRole,
    #[error("Your manager role is not recorded in Ladder yet. Ask your admin to grant it.")]
    NotGranted,
    #[error("You do not manage any team yet. Ask your admin to assign you one.")]
    NoTeams,
    /// Also the answer for another manager's team or another tenant's: whether such a
    /// team exists is not ours to say.
    #[error("There is no team called \"{0}\" among the teams you manage.")]
    NoSuchTeam(String),
}

/// The teams the actor may see as a manager, or why none.
pub async fn managed_teams(
    staffing: &Staffing,
    actor: &Actor,
) -> Result<Result<Vec<TeamInfo>, Denial>, RecordsError> {
    let platform = staffing.policy.kinds(actor);
    if !platform.iter().any(|k| is_manager(*k)) {
        return Ok(Err(Denial::NoPlatformRole));
    }
    let grants = staffing.staff.grants(&LearnerKey::of(actor)).await?;
    let grants: Vec<&RoleScope> = grants
        .iter()
        .filter(|(k, _)| is_manager(*k) && platform.contains(k))
        .map(|(_, s)| s)
        .collect();
    if grants.is_empty() {
        return Ok(Err(Denial::NotGranted));
    }
    let all = staffing.staff.teams(actor.platform, &actor.tenant).await?;
    let everything = grants.iter().any(|s| **s == RoleScope::Tenant);
    let visible: Vec<TeamInfo> = all
        .into_iter()
        .filter(|t| everything || grants.contains(&&RoleScope::Team(t.id)))
        .collect();
    if visible.is_empty() {
        return Ok(Err(Denial::NoTeams));
    }
    Ok(Ok(visible))
}

fn is_manager(k: RoleKind) -> bool {
    matches!(k, RoleKind::Manager | RoleKind::Admin)
}

/// The team named `name` (case-insensitive), or the only one when no name is given.
pub fn pick(teams: Vec<TeamInfo>, name: &str) -> Result<TeamInfo, Denial> {
    if name.is_empty() {
        if let [only] = teams.as_slice() {
            return Ok(only.clone());
        }
    }
    let wanted = if name.is_empty() {
        // Several teams and no name: the first, in creation order.
        teams.first().map(|t| t.name.clone()).unwrap_or_default()
    } else {
        name.to_owned()
    };
    teams
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(&wanted))
        .ok_or_else(|| Denial::NoSuchTeam(crate::app::echo(name)))
}
