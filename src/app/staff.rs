//! The dispatch point for managers' and experts' commands (team summary, at-risk list,
//! review queue for free-text answers, answering learners' questions, proposing items).
//!
//! Those use cases are built separately; until they land, the commands are recognised and
//! answered honestly instead of being treated as unknown. Roles come from the actor's
//! platform roles, mapped by configuration.

use super::{App, AppResult};
use crate::platform::{Actor, Reply};

/// Commands handled here rather than by the learner's use cases.
pub const COMMANDS: [&str; 3] = ["team", "digest", "review"];

pub async fn handle(_app: &App, actor: &Actor, name: &str, _args: &str) -> AppResult<Vec<Reply>> {
    let role = if ["team", "digest"].contains(&name) {
        "manager"
    } else {
        "expert"
    };
    let has_role = actor.platform_roles.iter().any(|r| r == role);
    let text = if has_role {
        format!("/{name} is not available in this build yet.")
    } else {
        format!("/{name} is for {role}s. Ask your admin if you should have that role.")
    };
    Ok(vec![Reply::text(text)])
}
