//! [`Directory`](crate::store::Directory) in SQL both backends accept.

macro_rules! impl_directory {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Directory for $store {
            #[tracing::instrument(skip_all)]
            async fn upsert_tenant(
                &self,
                platform: $crate::platform::Platform,
                external_id: &str,
                name: &str,
            ) -> Result<$crate::store::Tenant, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as::<_, $crate::store::shared::rows::TenantRow>(
                    "INSERT INTO tenants (platform, external_id, name) VALUES ($1, $2, $3) \
                     ON CONFLICT (platform, external_id) DO UPDATE SET name = excluded.name \
                     RETURNING id, platform, external_id, name",
                )
                .bind(platform.as_str())
                .bind(external_id)
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                row.into_domain()
            }

            #[tracing::instrument(skip_all, fields(tenant = id.0))]
            async fn tenant(
                &self,
                id: $crate::store::TenantId,
            ) -> Result<Option<$crate::store::Tenant>, $crate::store::StoreError> {
                sqlx::query_as::<_, $crate::store::shared::rows::TenantRow>(
                    "SELECT id, platform, external_id, name FROM tenants WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.into_domain())
                .transpose()
            }

            #[tracing::instrument(skip_all)]
            async fn find_tenant(
                &self,
                platform: $crate::platform::Platform,
                external_id: &str,
            ) -> Result<Option<$crate::store::Tenant>, $crate::store::StoreError> {
                sqlx::query_as::<_, $crate::store::shared::rows::TenantRow>(
                    "SELECT id, platform, external_id, name FROM tenants \
                     WHERE platform = $1 AND external_id = $2",
                )
                .bind(platform.as_str())
                .bind(external_id)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.into_domain())
                .transpose()
            }

            #[tracing::instrument(skip_all)]
            async fn tenants(
                &self,
            ) -> Result<Vec<$crate::store::Tenant>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::TenantRow>(
                    "SELECT id, platform, external_id, name FROM tenants ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(tenant = learner.tenant.0))]
            async fn add_learner(
                &self,
                learner: $crate::store::NewLearner,
            ) -> Result<$crate::store::Learner, $crate::store::StoreError> {
                use $crate::store::shared::rows::{time_text, LearnerRow};
                let p = &learner.prefs;
                let sql = format!(
                    "INSERT INTO learners (tenant_id, platform_user, display_name, timezone, \
                     time_of_day, days_mask, daily_new_cap, daily_review_cap, paused_until, \
                     leaderboard_opt_out, notifications_opt_out, dm_closed, channel_mention, \
                     joined_at, chose_timezone, chose_time, chose_days, chose_cap, \
                     mute_manager_notices, mute_expert_notices, mute_digests) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                     $16, $17, $18, $19, $20, $21) RETURNING {}",
                    $crate::store::shared::rows::LEARNER_COLUMNS
                );
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as::<_, LearnerRow>(&sql)
                    .bind(learner.tenant.0)
                    .bind(&learner.platform_user)
                    .bind(&learner.display_name)
                    .bind(&p.timezone)
                    .bind(time_text(p.time_of_day))
                    .bind($crate::store::types::days_to_bits(&p.days))
                    .bind(i64::from(p.daily_new_cap))
                    .bind(i64::from(p.daily_review_cap))
                    .bind(p.paused_until)
                    .bind(p.leaderboard_opt_out)
                    .bind(p.notices == $crate::store::NoticeOptOuts::ALL)
                    .bind(p.dm_closed)
                    .bind(p.channel_mention)
                    .bind(learner.joined_at)
                    .bind(p.chosen.timezone)
                    .bind(p.chosen.time)
                    .bind(p.chosen.days)
                    .bind(p.chosen.cap)
                    .bind(p.notices.manager)
                    .bind(p.notices.expert)
                    .bind(p.notices.digest)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                row.into_domain()
            }

            #[tracing::instrument(skip_all, fields(learner = id.0))]
            async fn learner(
                &self,
                id: $crate::store::LearnerId,
            ) -> Result<Option<$crate::store::Learner>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM learners WHERE id = $1",
                    $crate::store::shared::rows::LEARNER_COLUMNS
                );
                sqlx::query_as::<_, $crate::store::shared::rows::LearnerRow>(&sql)
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| r.into_domain())
                    .transpose()
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn learner_by_platform_user(
                &self,
                tenant: $crate::store::TenantId,
                platform_user: &str,
            ) -> Result<Option<$crate::store::Learner>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM learners WHERE tenant_id = $1 AND platform_user = $2",
                    $crate::store::shared::rows::LEARNER_COLUMNS
                );
                sqlx::query_as::<_, $crate::store::shared::rows::LearnerRow>(&sql)
                    .bind(tenant.0)
                    .bind(platform_user)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| r.into_domain())
                    .transpose()
            }

            #[tracing::instrument(skip_all)]
            async fn tenants_of_user(
                &self,
                platform: $crate::platform::Platform,
                platform_user: &str,
            ) -> Result<Vec<$crate::store::Tenant>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::TenantRow>(
                    "SELECT t.id, t.platform, t.external_id, t.name FROM tenants t \
                     JOIN learners l ON l.tenant_id = t.id \
                     WHERE t.platform = $1 AND l.platform_user = $2 ORDER BY t.id",
                )
                .bind(platform.as_str())
                .bind(platform_user)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn learners(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Learner>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM learners WHERE tenant_id = $1 ORDER BY id",
                    $crate::store::shared::rows::LEARNER_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::LearnerRow>(&sql)
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await?;
                Ok($crate::store::shared::convert_skipping(
                    "learners",
                    rows,
                    |r| r.id(),
                    |r| r.into_domain(),
                ))
            }

            #[tracing::instrument(skip_all, fields(learner = id.0))]
            async fn set_display_name(
                &self,
                id: $crate::store::LearnerId,
                name: &str,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("UPDATE learners SET display_name = $1 WHERE id = $2")
                    .bind(name)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                $crate::store::shared::directory::found(done.rows_affected(), "learner")
            }

            #[tracing::instrument(skip_all, fields(learner = id.0))]
            async fn set_preferences(
                &self,
                id: $crate::store::LearnerId,
                p: &$crate::store::Preferences,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE learners SET timezone = $1, time_of_day = $2, days_mask = $3, \
                     daily_new_cap = $4, daily_review_cap = $5, paused_until = $6, \
                     leaderboard_opt_out = $7, notifications_opt_out = $8, dm_closed = $9, \
                     channel_mention = $10, chose_timezone = $12, chose_time = $13, \
                     chose_days = $14, chose_cap = $15, mute_manager_notices = $16, \
                     mute_expert_notices = $17, mute_digests = $18 WHERE id = $11",
                )
                .bind(&p.timezone)
                .bind($crate::store::shared::rows::time_text(p.time_of_day))
                .bind($crate::store::types::days_to_bits(&p.days))
                .bind(i64::from(p.daily_new_cap))
                .bind(i64::from(p.daily_review_cap))
                .bind(p.paused_until)
                .bind(p.leaderboard_opt_out)
                .bind(p.notices == $crate::store::NoticeOptOuts::ALL)
                .bind(p.dm_closed)
                .bind(p.channel_mention)
                .bind(id.0)
                .bind(p.chosen.timezone)
                .bind(p.chosen.time)
                .bind(p.chosen.days)
                .bind(p.chosen.cap)
                .bind(p.notices.manager)
                .bind(p.notices.expert)
                .bind(p.notices.digest)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                $crate::store::shared::directory::found(done.rows_affected(), "learner")
            }

            #[tracing::instrument(skip_all, fields(tenant = team.tenant.0))]
            async fn add_team(
                &self,
                team: $crate::store::NewTeam,
            ) -> Result<$crate::store::Team, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as::<_, $crate::store::shared::rows::TeamRow>(
                    "INSERT INTO teams (tenant_id, name, channel_id, prompt_cron, leaderboard_cron) \
                     VALUES ($1, $2, $3, $4, $5) \
                     RETURNING id, tenant_id, name, channel_id, prompt_cron, leaderboard_cron",
                )
                .bind(team.tenant.0)
                .bind(&team.name)
                .bind(&team.channel_id)
                .bind(&team.prompt_cron)
                .bind(&team.leaderboard_cron)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(row.into_domain())
            }

            #[tracing::instrument(skip_all, fields(team = id.0))]
            async fn set_team_posting(
                &self,
                id: $crate::store::TeamId,
                channel_id: Option<&str>,
                leaderboard_cron: Option<&str>,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE teams SET channel_id = $2, leaderboard_cron = $3 WHERE id = $1",
                )
                .bind(id.0)
                .bind(channel_id)
                .bind(leaderboard_cron)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                $crate::store::shared::directory::found(done.rows_affected(), "team")
            }

            #[tracing::instrument(skip_all, fields(team = id.0))]
            async fn team(
                &self,
                id: $crate::store::TeamId,
            ) -> Result<Option<$crate::store::Team>, $crate::store::StoreError> {
                Ok(sqlx::query_as::<_, $crate::store::shared::rows::TeamRow>(
                    "SELECT id, tenant_id, name, channel_id, prompt_cron, leaderboard_cron \
                     FROM teams WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.into_domain()))
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn teams(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Team>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::TeamRow>(
                    "SELECT id, tenant_id, name, channel_id, prompt_cron, leaderboard_cron \
                     FROM teams WHERE tenant_id = $1 ORDER BY id",
                )
                .bind(tenant.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.into_domain()).collect())
            }

            #[tracing::instrument(skip_all, fields(team = team.0, learner = learner.0))]
            async fn add_member(
                &self,
                team: $crate::store::TeamId,
                learner: $crate::store::LearnerId,
            ) -> Result<(), $crate::store::StoreError> {
                // The join refuses a learner of another tenant: nothing is inserted.
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "INSERT INTO team_members (team_id, learner_id) \
                     SELECT t.id, l.id FROM teams t JOIN learners l ON l.tenant_id = t.tenant_id \
                     WHERE t.id = $1 AND l.id = $2 ON CONFLICT DO NOTHING",
                )
                .bind(team.0)
                .bind(learner.0)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if done.rows_affected() == 0 && !self.is_member(team, learner).await? {
                    return Err($crate::store::StoreError::Conflict(
                        "team and learner are not in the same tenant".into(),
                    ));
                }
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(team = team.0, learner = learner.0))]
            async fn remove_member(
                &self,
                team: $crate::store::TeamId,
                learner: $crate::store::LearnerId,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND learner_id = $2")
                    .bind(team.0)
                    .bind(learner.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(team = team.0))]
            async fn members(
                &self,
                team: $crate::store::TeamId,
            ) -> Result<Vec<$crate::store::Learner>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM learners JOIN team_members ON learner_id = id \
                     WHERE team_id = $1 ORDER BY id",
                    $crate::store::shared::rows::LEARNER_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::LearnerRow>(&sql)
                    .bind(team.0)
                    .fetch_all(&self.pool)
                    .await?;
                Ok($crate::store::shared::convert_skipping(
                    "learners",
                    rows,
                    |r| r.id(),
                    |r| r.into_domain(),
                ))
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn teams_of(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Team>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::TeamRow>(
                    "SELECT t.id, t.tenant_id, t.name, t.channel_id, t.prompt_cron, \
                     t.leaderboard_cron FROM teams t JOIN team_members m ON m.team_id = t.id \
                     WHERE m.learner_id = $1 ORDER BY t.id",
                )
                .bind(learner.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|r| r.into_domain()).collect())
            }

            #[tracing::instrument(skip_all, fields(learner = role.learner.0))]
            async fn grant_role(
                &self,
                role: &$crate::store::Role,
            ) -> Result<(), $crate::store::StoreError> {
                let (scope, scope_ref) = $crate::store::shared::rows::role_scope(&role.scope);
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO roles (learner_id, kind, scope, scope_ref) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(role.learner.0)
                .bind(role.kind.as_str())
                .bind(scope)
                .bind(scope_ref)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = role.learner.0))]
            async fn revoke_role(
                &self,
                role: &$crate::store::Role,
            ) -> Result<(), $crate::store::StoreError> {
                let (scope, scope_ref) = $crate::store::shared::rows::role_scope(&role.scope);
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "DELETE FROM roles WHERE learner_id = $1 AND kind = $2 AND scope = $3 \
                     AND scope_ref = $4",
                )
                .bind(role.learner.0)
                .bind(role.kind.as_str())
                .bind(scope)
                .bind(scope_ref)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn roles(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Role>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::RoleRow>(
                    "SELECT learner_id, kind, scope, scope_ref FROM roles WHERE learner_id = $1 \
                     ORDER BY kind, scope, scope_ref",
                )
                .bind(learner.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn tenant_roles(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Role>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::RoleRow>(
                    "SELECT r.learner_id, r.kind, r.scope, r.scope_ref FROM roles r \
                     JOIN learners l ON l.id = r.learner_id WHERE l.tenant_id = $1 \
                     ORDER BY r.learner_id, r.kind, r.scope, r.scope_ref",
                )
                .bind(tenant.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn enrol(
                &self,
                learner: $crate::store::LearnerId,
                track: &ladder_engine::TrackId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO enrolments (learner_id, track_id, enrolled_at) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(learner.0)
                .bind(track.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn unenrol(
                &self,
                learner: $crate::store::LearnerId,
                track: &ladder_engine::TrackId,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM enrolments WHERE learner_id = $1 AND track_id = $2")
                    .bind(learner.0)
                    .bind(track.as_str())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn enrolments(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Enrolment>, $crate::store::StoreError> {
                let rows: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT track_id, enrolled_at FROM enrolments WHERE learner_id = $1 \
                     ORDER BY enrolled_at, track_id",
                )
                .bind(learner.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |(track, at)| {
                    Ok($crate::store::Enrolment {
                        track: ladder_engine::TrackId::parse(&track).map_err(|_| {
                            $crate::store::StoreError::Other(format!("stored track {track:?}"))
                        })?,
                        enrolled_at: at,
                    })
                })
            }
        }

        impl $store {
            async fn is_member(
                &self,
                team: $crate::store::TeamId,
                learner: $crate::store::LearnerId,
            ) -> Result<bool, $crate::store::StoreError> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT team_id FROM team_members WHERE team_id = $1 AND learner_id = $2",
                )
                .bind(team.0)
                .bind(learner.0)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.is_some())
            }
        }
    };
}
pub(crate) use impl_directory;

use crate::store::StoreError;

/// `NotFound` when an update touched no row.
pub(crate) fn found(rows: u64, what: &str) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound(what.to_owned()))
    } else {
        Ok(())
    }
}
