//! The playground's staff: `ladder demo --role manager|expert` plays a person whose role is
//! recorded like any other, with one team holding the whole demo cohort.

use std::sync::Arc;

use crate::platform::Actor;
use crate::store::{NewTeam, Role, RoleKind, RoleScope, Store, StoreError};

/// Name of the team the playground creates.
pub const DEMO_TEAM: &str = "Demo team";

/// Puts every learner of `me`'s tenant into [`DEMO_TEAM`] and records `kind` for `me`
/// across the tenant. `me` must have joined already. Running it twice changes nothing.
#[tracing::instrument(skip_all)]
pub async fn seed(store: &Arc<dyn Store>, me: &Actor, kind: RoleKind) -> Result<(), StoreError> {
    let tenant = store
        .find_tenant(me.platform, &me.tenant)
        .await?
        .ok_or_else(|| StoreError::NotFound("tenant".into()))?;
    let existing = store.teams(tenant.id).await?;
    let team = match existing.into_iter().find(|t| t.name == DEMO_TEAM) {
        Some(t) => t,
        None => {
            let new = NewTeam {
                tenant: tenant.id,
                name: DEMO_TEAM.into(),
                channel_id: None,
                prompt_cron: None,
                leaderboard_cron: None,
            };
            store.add_team(new).await?
        }
    };
    for learner in store.learners(tenant.id).await? {
        store.add_member(team.id, learner.id).await?;
    }
    let me = store
        .learner_by_platform_user(tenant.id, &me.user)
        .await?
        .ok_or_else(|| StoreError::NotFound("learner".into()))?;
    let role = Role {
        learner: me.id,
        kind,
        scope: RoleScope::Tenant,
    };
    store.grant_role(&role).await
}
