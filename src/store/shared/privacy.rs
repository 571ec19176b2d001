//! The privacy SQL both backends share, as inherent methods and the [`Retention`] trait:
//! the delete transaction that leaves nothing behind, the export's extra sections, and the
//! outbox retention prune.
//!
//! The outbox stores instants as integer milliseconds in SQLite and as `timestamptz` in
//! Postgres, so the macro takes the function that turns an instant into the bound value.
//!
//! [`Retention`]: crate::store::privacy::Retention

use chrono::{DateTime, Utc};

/// An outbox instant as SQLite stores it.
pub(crate) fn instant_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// An outbox instant as Postgres stores it.
pub(crate) fn instant_ts(t: DateTime<Utc>) -> DateTime<Utc> {
    t
}

macro_rules! impl_privacy {
    ($store:ty, instant = $instant:path) => {
        #[async_trait::async_trait]
        impl $crate::store::privacy::Retention for $store {
            #[tracing::instrument(skip_all)]
            async fn prune_outbox(
                &self,
                finished_before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "DELETE FROM delivery_outbox \
                     WHERE status IN ('sent', 'skipped', 'expired', 'undeliverable') \
                     AND COALESCE(sent_at, due_at) < $1",
                )
                .bind($instant(finished_before))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }
        }

        impl $store {
            /// Deletes the learner in one transaction: messages to them go (so none still
            /// waiting is ever sent), notices naming them are cancelled or emptied, others'
            /// contributions and leaderboard snapshots lose their name, id and words, and
            /// the learner row goes, cascading to everything recorded about them.
            async fn forget_tx(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<(), $crate::store::StoreError> {
                use $crate::store::privacy::{Subject, CANCELLED};
                let mut tx = self.begin_write().await?;
                let who: Option<(i64, String, String, String, String)> = sqlx::query_as(
                    "SELECT l.tenant_id, l.platform_user, l.display_name, t.platform, \
                     t.external_id FROM learners l JOIN tenants t ON t.id = l.tenant_id \
                     WHERE l.id = $1",
                )
                .bind(learner.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((tenant_id, user, name, platform, tenant)) = who else {
                    return Err($crate::store::StoreError::NotFound("learner".into()));
                };
                let subject = Subject::new(learner, &user, &name);
                sqlx::query("DELETE FROM delivery_outbox WHERE tenant = $1 AND learner = $2")
                    .bind(&tenant)
                    .bind(format!("{platform}:{tenant}:{user}"))
                    .execute(&mut *tx)
                    .await?;
                let mut naming = Vec::new();
                for pattern in subject.like_patterns() {
                    let rows: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT id, message FROM delivery_outbox WHERE tenant = $1 \
                         AND kind = 'notice' AND message LIKE $2 ESCAPE '\\'",
                    )
                    .bind(&tenant)
                    .bind(pattern)
                    .fetch_all(&mut *tx)
                    .await?;
                    naming.extend(rows.into_iter().filter_map(|(id, m)| {
                        let v: serde_json::Value = serde_json::from_str(&m).ok()?;
                        subject.mentioned_in_json(&v).then_some(id)
                    }));
                }
                for id in naming {
                    sqlx::query(
                        "UPDATE delivery_outbox SET message = NULL, claimed_by = NULL, \
                         last_error = $2, status = CASE WHEN status IN \
                         ('planning', 'pending', 'sending') THEN 'skipped' ELSE status END \
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(CANCELLED)
                    .execute(&mut *tx)
                    .await?;
                }
                // Others' rows that carry the learner's name, id or words.
                let mut kept: Vec<(&str, i64, String)> = Vec::new();
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT c.id, c.body_json FROM contributions c \
                     JOIN learners a ON a.id = c.author_id \
                     WHERE a.tenant_id = $1 AND c.author_id <> $2",
                )
                .bind(tenant_id)
                .bind(learner.0)
                .fetch_all(&mut *tx)
                .await?;
                let update = "UPDATE contributions SET body_json = $2 WHERE id = $1";
                kept.extend(rows.into_iter().map(|(id, j)| (update, id, j)));
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT s.id, s.rows_json FROM leaderboard_snapshots s \
                     JOIN teams t ON t.id = s.team_id WHERE t.tenant_id = $1",
                )
                .bind(tenant_id)
                .fetch_all(&mut *tx)
                .await?;
                let update = "UPDATE leaderboard_snapshots SET rows_json = $2 WHERE id = $1";
                kept.extend(rows.into_iter().map(|(id, j)| (update, id, j)));
                for (update, id, json) in kept {
                    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&json) else {
                        continue;
                    };
                    if subject.redact_json(&mut v) {
                        sqlx::query(update)
                            .bind(id)
                            .bind(v.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                sqlx::query("DELETE FROM learners WHERE id = $1")
                    .bind(learner.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            /// The export's sections beyond the learner's own tables: answers they gave
            /// to others' questions, votes, grades they gave, teams and the
            /// messages addressed to them.
            async fn held_elsewhere(
                &self,
                person: &$crate::store::Learner,
            ) -> Result<$crate::store::HeldElsewhere, $crate::store::StoreError> {
                use $crate::store::privacy::{HeldMessage, VoteCast};
                use $crate::store::{Directory, Progress as _};
                let id = person.id.0;
                let votes: Vec<(i64, bool)> = sqlx::query_as(
                    "SELECT contribution_id, up FROM contribution_votes WHERE voter_id = $1 \
                     ORDER BY contribution_id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let graded = sqlx::query_as::<_, $crate::store::shared::rows::PeerReviewRow>(
                    "SELECT review_id, reviewer_id, verdict, score, comment, at FROM peer_reviews \
                     WHERE reviewer_id = $1 ORDER BY at",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let tenant = self.tenant(person.tenant).await?;
                let mut messages = Vec::new();
                if let Some(t) = tenant {
                    let slot = format!("{}:{}:{}", t.platform.as_str(), t.external_id, person.platform_user);
                    let rows: Vec<(String, String, chrono::NaiveDate, String, Option<String>)> =
                        sqlx::query_as(
                            "SELECT kind, schedule, slot_date, status, message FROM delivery_outbox \
                             WHERE tenant = $1 AND learner = $2 ORDER BY id",
                        )
                        .bind(&t.external_id)
                        .bind(slot)
                        .fetch_all(&self.pool)
                        .await?;
                    messages = rows
                        .into_iter()
                        .map(|(kind, schedule, slot_date, status, message)| HeldMessage {
                            kind,
                            schedule,
                            slot_date,
                            status,
                            message: message.and_then(|m| serde_json::from_str(&m).ok()),
                        })
                        .collect();
                }
                Ok($crate::store::HeldElsewhere {
                    questions: self.questions_of(person.id).await?,
                    answers_given: self.questions_where("q.answered_by = $1 ORDER BY q.id", id).await?,
                    votes: votes
                        .into_iter()
                        .map(|(c, up)| VoteCast {
                            contribution: $crate::store::ContributionId(c),
                            up,
                        })
                        .collect(),
                    peer_reviews_given: $crate::store::shared::convert(graded, |r| r.into_domain())?,
                    teams: self.teams_of(person.id).await?,
                    messages,
                })
            }
        }
    };
}
pub(crate) use impl_privacy;
