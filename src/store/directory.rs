//! Who is who: tenants, learners with their preferences, teams and membership, roles and
//! enrolments in tracks.
//!
//! Every listing is scoped to one tenant: a Discord guild never sees another guild's people.
//! Depends only on the store's value types.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ladder_engine::TrackId;

use super::types::{
    Enrolment, Learner, LearnerId, NewLearner, NewTeam, Preferences, Role, Team, TeamId, Tenant,
    TenantId,
};
use super::StoreError;
use crate::platform::Platform;

#[async_trait]
pub trait Directory: Send + Sync {
    /// Finds or creates the tenant for a platform workspace; the name is updated if it
    /// changed.
    async fn upsert_tenant(
        &self,
        platform: Platform,
        external_id: &str,
        name: &str,
    ) -> Result<Tenant, StoreError>;
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// Looks a tenant up without creating it.
    async fn find_tenant(
        &self,
        platform: Platform,
        external_id: &str,
    ) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant, in creation order.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    /// Adds a learner; `Conflict` if the platform user already joined this tenant.
    async fn add_learner(&self, learner: NewLearner) -> Result<Learner, StoreError>;
    async fn learner(&self, id: LearnerId) -> Result<Option<Learner>, StoreError>;
    async fn learner_by_platform_user(
        &self,
        tenant: TenantId,
        platform_user: &str,
    ) -> Result<Option<Learner>, StoreError>;
    /// The tenants of one platform in which this platform user joined, oldest first.
    async fn tenants_of_user(
        &self,
        platform: Platform,
        platform_user: &str,
    ) -> Result<Vec<Tenant>, StoreError>;
    /// The tenant's learners, in joining order.
    async fn learners(&self, tenant: TenantId) -> Result<Vec<Learner>, StoreError>;
    async fn set_display_name(&self, id: LearnerId, name: &str) -> Result<(), StoreError>;
    /// Replaces the learner's preferences; `NotFound` if the learner is gone.
    async fn set_preferences(&self, id: LearnerId, prefs: &Preferences) -> Result<(), StoreError>;

    async fn add_team(&self, team: NewTeam) -> Result<Team, StoreError>;
    async fn team(&self, id: TeamId) -> Result<Option<Team>, StoreError>;
    /// Changes where and when a team's leaderboard is posted.
    async fn set_team_posting(
        &self,
        id: TeamId,
        channel_id: Option<&str>,
        leaderboard_cron: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn teams(&self, tenant: TenantId) -> Result<Vec<Team>, StoreError>;
    /// Adds a member; adding twice is not an error. Refuses (`Conflict`) a learner and a
    /// team from different tenants.
    async fn add_member(&self, team: TeamId, learner: LearnerId) -> Result<(), StoreError>;
    async fn remove_member(&self, team: TeamId, learner: LearnerId) -> Result<(), StoreError>;
    async fn members(&self, team: TeamId) -> Result<Vec<Learner>, StoreError>;
    async fn teams_of(&self, learner: LearnerId) -> Result<Vec<Team>, StoreError>;

    /// Grants a role; granting twice is not an error.
    async fn grant_role(&self, role: &Role) -> Result<(), StoreError>;
    async fn revoke_role(&self, role: &Role) -> Result<(), StoreError>;
    async fn roles(&self, learner: LearnerId) -> Result<Vec<Role>, StoreError>;
    /// Every role recorded in the tenant, in one query (planners that run each minute).
    async fn tenant_roles(&self, tenant: TenantId) -> Result<Vec<Role>, StoreError>;

    /// Enrols the learner; enrolling twice keeps the first date.
    async fn enrol(
        &self,
        learner: LearnerId,
        track: &TrackId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn unenrol(&self, learner: LearnerId, track: &TrackId) -> Result<(), StoreError>;
    async fn enrolments(&self, learner: LearnerId) -> Result<Vec<Enrolment>, StoreError>;
}
