//! The expert side of [`Progress`](crate::store::Progress) as inherent methods the trait
//! implementation delegates to: contributions and votes, learners' questions, and peer
//! grading of free-text answers.

macro_rules! impl_expert {
    ($store:ty) => {
        impl $store {
            async fn add_contribution_sql(
                &self,
                c: &$crate::store::NewContribution,
            ) -> Result<$crate::store::Contribution, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO contributions (author_id, skill_id, kind, body_json, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(c.author.0)
                .bind(c.skill.as_str())
                .bind(c.kind.as_str())
                .bind(c.body.to_string())
                .bind(c.at)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                self.contribution(id).await
            }

            async fn set_contribution_status_sql(
                &self,
                id: $crate::store::ContributionId,
                status: $crate::store::ContributionStatus,
            ) -> Result<(), $crate::store::StoreError> {
                // Only an open contribution is decided: of two deciders, the second gets
                // Conflict instead of overwriting the first's decision.
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE contributions SET status = $1 WHERE id = $2 AND status = 'open'",
                )
                .bind(status.as_str())
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if done.rows_affected() == 1 {
                    return Ok(());
                }
                match self.contribution(id.0).await {
                    Ok(c) => Err($crate::store::StoreError::Conflict(format!(
                        "contribution {} is already {}",
                        id.0,
                        c.status.as_str()
                    ))),
                    Err(e) => Err(e),
                }
            }

            async fn vote_sql(
                &self,
                id: $crate::store::ContributionId,
                voter: $crate::store::LearnerId,
                up: bool,
            ) -> Result<i64, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO contribution_votes (contribution_id, voter_id, up) \
                     VALUES ($1, $2, $3) ON CONFLICT (contribution_id, voter_id) \
                     DO UPDATE SET up = excluded.up",
                )
                .bind(id.0)
                .bind(voter.0)
                .bind(up)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(self.contribution(id.0).await?.votes)
            }

            async fn contributions_by_sql(
                &self,
                author: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Contribution>, $crate::store::StoreError> {
                let sql = format!(
                    "{} WHERE c.author_id = $1 ORDER BY c.id",
                    $crate::store::shared::rows::CONTRIBUTION_SELECT
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::ContributionRow>(&sql)
                    .bind(author.0)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            async fn ask_question_sql(
                &self,
                q: &$crate::store::NewQuestion,
            ) -> Result<$crate::store::QuestionId, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO questions (learner_id, skill_id, text, asked_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(q.learner.0)
                .bind(q.skill.as_ref().map(|s| s.as_str()))
                .bind(&q.text)
                .bind(q.at)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::store::QuestionId(id))
            }

            /// Only an open question takes an answer: a second expert answering at the same
            /// moment gets `Conflict` instead of overwriting the first answer.
            async fn answer_question_sql(
                &self,
                id: $crate::store::QuestionId,
                expert: $crate::store::LearnerId,
                text: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE questions SET answer = $1, answered_by = $2, answered_at = $3 \
                     WHERE id = $4 AND answer IS NULL",
                )
                .bind(text)
                .bind(expert.0)
                .bind(at)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                if done.rows_affected() == 0 {
                    let (n,): (i64,) =
                        sqlx::query_as("SELECT COUNT(*) FROM questions WHERE id = $1")
                            .bind(id.0)
                            .fetch_one(&self.pool)
                            .await?;
                    $crate::store::shared::directory::found(n as u64, "question")?;
                    return Err($crate::store::StoreError::Conflict(format!(
                        "question {} is already answered",
                        id.0
                    )));
                }
                Ok(())
            }

            async fn questions_where(
                &self,
                filter: &str,
                bind: i64,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT q.id, q.learner_id, q.skill_id, q.text, q.asked_at, q.answer, \
                     q.answered_by, q.answered_at, q.answer_sent_at FROM questions q \
                     JOIN learners l ON l.id = q.learner_id WHERE {filter}"
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::QuestionRow>(&sql)
                    .bind(bind)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            async fn questions_of_sql(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                self.questions_where("q.learner_id = $1 ORDER BY q.asked_at, q.id", learner.0)
                    .await
            }

            async fn answers_to_send_sql(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                self.questions_where(
                    "l.tenant_id = $1 AND q.answer IS NOT NULL AND q.answer_sent_at IS NULL \
                     ORDER BY q.answered_at, q.id",
                    tenant.0,
                )
                .await
            }

            async fn mark_answer_sent_sql(
                &self,
                id: $crate::store::QuestionId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE questions SET answer_sent_at = $1 \
                     WHERE id = $2 AND answer IS NOT NULL AND answer_sent_at IS NULL",
                )
                .bind(at)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn settle_review_sql(
                &self,
                review: $crate::store::ReviewId,
                verdict: ladder_engine::grade::Verdict,
                score: f64,
            ) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE reviews SET verdict = $1, score = $2 \
                     WHERE id = $3 AND verdict = 'needs_review'",
                )
                .bind(verdict.as_str())
                .bind(score)
                .bind(review.0)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn open_questions_sql(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                self.questions_where(
                    "l.tenant_id = $1 AND q.answer IS NULL ORDER BY q.asked_at, q.id",
                    tenant.0,
                )
                .await
            }

            async fn pending_free_text_sql(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::ReviewEntry>, $crate::store::StoreError> {
                let sql = format!(
                    "{} WHERE l.tenant_id = $1 AND r.verdict = 'needs_review' \
                     ORDER BY r.answered_at, r.id",
                    $crate::store::shared::rows::REVIEW_SELECT
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::ReviewRow>(&sql)
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            async fn add_peer_review_sql(
                &self,
                p: &$crate::store::PeerReview,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO peer_reviews (review_id, reviewer_id, verdict, score, comment, at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(p.review.0)
                .bind(p.reviewer.0)
                .bind(p.verdict.as_str())
                .bind(p.score)
                .bind(&p.comment)
                .bind(p.at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn peer_reviews_sql(
                &self,
                review: $crate::store::ReviewId,
            ) -> Result<Vec<$crate::store::PeerReview>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::PeerReviewRow>(
                    "SELECT review_id, reviewer_id, verdict, score, comment, at FROM peer_reviews \
                     WHERE review_id = $1 ORDER BY at",
                )
                .bind(review.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }
        }
    };
}
pub(crate) use impl_expert;
