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

/// Two questions from the demo cohort for the playground expert's `/answer` queue, about
/// the first two skills of the library, unless the tenant already has open questions.
/// The askers are simulated colleagues; their answers go nowhere else.
#[tracing::instrument(skip_all)]
pub async fn seed_questions(
    store: &Arc<dyn Store>,
    me: &Actor,
    library: &ladder_engine::Library,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let tenant = store
        .find_tenant(me.platform, &me.tenant)
        .await?
        .ok_or_else(|| StoreError::NotFound("tenant".into()))?;
    if !store.open_questions(tenant.id).await?.is_empty() {
        return Ok(());
    }
    let askers: Vec<_> = store
        .learners(tenant.id)
        .await?
        .into_iter()
        .filter(|l| l.platform_user != me.user)
        .collect();
    let asks = [
        "Could you give a real example of this from our kind of work?",
        "What is the mistake people make most often here, and how do I avoid it?",
    ];
    for ((asker, skill), text) in askers.iter().zip(&library.skills).zip(asks) {
        let question = crate::store::NewQuestion {
            learner: asker.id,
            skill: Some(skill.id.clone()),
            text: text.to_owned(),
            at,
        };
        store.ask_question(&question).await?;
    }
    Ok(())
}
