//! [`Staff`] on the service's [`Store`]: grants from the `roles` table, teams and members
//! from the directory, always looked up inside the caller's own tenant.

use async_trait::async_trait;
use std::sync::Arc;

use super::{Staff, TeamInfo};
use crate::app::records::{LearnerKey, RecordsError};
use crate::platform::Platform;
use crate::store::{RoleKind, RoleScope, Store};

/// Roles and teams kept in a [`Store`].
pub struct StoreStaff {
    store: Arc<dyn Store>,
}

impl StoreStaff {
    pub fn new(store: Arc<dyn Store>) -> Self {
        StoreStaff { store }
    }
}

fn failed(e: crate::store::StoreError) -> RecordsError {
    RecordsError(e.to_string())
}

#[async_trait]
impl Staff for StoreStaff {
    #[tracing::instrument(skip_all)]
    async fn grants(&self, who: &LearnerKey) -> Result<Vec<(RoleKind, RoleScope)>, RecordsError> {
        let s = &self.store;
        let Some(tenant) = s
            .find_tenant(who.platform, &who.tenant)
            .await
            .map_err(failed)?
        else {
            return Ok(vec![]);
        };
        let learner = s.learner_by_platform_user(tenant.id, &who.user).await;
        let Some(learner) = learner.map_err(failed)? else {
            return Ok(vec![]);
        };
        let roles = s.roles(learner.id).await.map_err(failed)?;
        Ok(roles.into_iter().map(|r| (r.kind, r.scope)).collect())
    }

    #[tracing::instrument(skip_all)]
    async fn teams(&self, platform: Platform, tenant: &str) -> Result<Vec<TeamInfo>, RecordsError> {
        let s = &self.store;
        let Some(t) = s.find_tenant(platform, tenant).await.map_err(failed)? else {
            return Ok(vec![]);
        };
        let mut out = Vec::new();
        for team in s.teams(t.id).await.map_err(failed)? {
            let members = s.members(team.id).await.map_err(failed)?;
            out.push(TeamInfo {
                id: team.id,
                name: team.name,
                members: members
                    .into_iter()
                    .filter(|m| m.tenant == t.id)
                    .map(|m| LearnerKey {
                        platform,
                        tenant: tenant.to_owned(),
                        user: m.platform_user,
                    })
                    .collect(),
            });
        }
        Ok(out)
    }
}
