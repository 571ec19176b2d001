//! [`Progress`](crate::store::Progress) in SQL both backends accept. The answer
//! transaction and the privacy delete live in `progress_more`.

macro_rules! impl_progress {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Progress for $store {
            #[tracing::instrument(skip_all, fields(prompt = answer.prompt.0, learner = answer.learner.0))]
            async fn record_answer(
                &self,
                answer: $crate::store::AnswerRecord,
            ) -> Result<$crate::store::AnswerOutcome, $crate::store::StoreError> {
                self.record_answer_tx(answer).await
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn memory(
                &self,
                learner: $crate::store::LearnerId,
                item: &ladder_engine::ItemId,
            ) -> Result<Option<ladder_engine::schedule::Memory>, $crate::store::StoreError> {
                let row = sqlx::query_as::<_, $crate::store::shared::rows::MemoryRow>(
                    "SELECT item_id, stability, difficulty, last_review, due, reps, lapses, \
                     suspended FROM memories WHERE learner_id = $1 AND item_id = $2",
                )
                .bind(learner.0)
                .bind(item.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|r| r.into_domain()).transpose()?.map(|(_, m)| m))
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn memories(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<(ladder_engine::ItemId, ladder_engine::schedule::Memory)>, $crate::store::StoreError>
            {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::MemoryRow>(
                    "SELECT item_id, stability, difficulty, last_review, due, reps, lapses, \
                     suspended FROM memories WHERE learner_id = $1 ORDER BY item_id",
                )
                .bind(learner.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn put_memory(
                &self,
                learner: $crate::store::LearnerId,
                item: &ladder_engine::ItemId,
                memory: &ladder_engine::schedule::Memory,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                Self::bump_rev(&mut *tx, learner, None).await?;
                Self::upsert_memory(&mut *tx, learner, item, memory).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn progress_rev(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<i64, $crate::store::StoreError> {
                self.progress_rev_sql(learner).await
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn apply_grade(
                &self,
                learner: $crate::store::LearnerId,
                item: &ladder_engine::ItemId,
                memory: &ladder_engine::schedule::Memory,
                stage: Option<&$crate::store::StageChange>,
                basis: Option<i64>,
            ) -> Result<bool, $crate::store::StoreError> {
                self.apply_grade_tx(learner, item, memory, stage, basis).await
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn reviews(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::ReviewEntry>, $crate::store::StoreError> {
                let sql = format!(
                    "{} WHERE r.learner_id = $1 ORDER BY r.answered_at, r.id",
                    $crate::store::shared::rows::REVIEW_SELECT
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::ReviewRow>(&sql)
                    .bind(learner.0)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all)]
            async fn review_log(
                &self,
                since: Option<chrono::DateTime<chrono::Utc>>,
                until: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<$crate::store::ReviewEntry>, $crate::store::StoreError> {
                let sql = format!(
                    "{} WHERE ($1 IS NULL OR r.answered_at >= $1) \
                     AND ($2 IS NULL OR r.answered_at < $2) ORDER BY r.answered_at, r.id",
                    $crate::store::shared::rows::REVIEW_SELECT
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::ReviewRow>(&sql)
                    .bind(since)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(learner = change.learner.0))]
            async fn record_stage_change(
                &self,
                change: &$crate::store::StageChange,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                Self::bump_rev(&mut *tx, change.learner, None).await?;
                Self::insert_stage(&mut *tx, change).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn stage_history(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::StageChange>, $crate::store::StoreError> {
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::StageRow>(
                    "SELECT learner_id, skill_id, from_stage, to_stage, at, evidence_json \
                     FROM stage_history WHERE learner_id = $1 ORDER BY at, id",
                )
                .bind(learner.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn current_stages(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<(ladder_engine::SkillId, ladder_engine::Stage)>, $crate::store::StoreError> {
                let history = self.stage_history(learner).await?;
                let mut latest = std::collections::BTreeMap::new();
                for change in history {
                    latest.insert(change.skill, change.to);
                }
                Ok(latest.into_iter().collect())
            }

            #[tracing::instrument(skip_all, fields(learner = e.learner.0))]
            async fn record_escalation(
                &self,
                e: &$crate::store::Escalation,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                Self::insert_escalation(&mut *tx, e).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn escalations(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Escalation>, $crate::store::StoreError> {
                let rows: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT kind, key, at FROM escalations WHERE learner_id = $1 ORDER BY at, id",
                )
                .bind(learner.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(kind, key, at)| $crate::store::Escalation { learner, kind, key, at })
                    .collect())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn last_escalation(
                &self,
                learner: $crate::store::LearnerId,
                kind: &str,
                key: &str,
            ) -> Result<Option<chrono::DateTime<chrono::Utc>>, $crate::store::StoreError> {
                let row: Option<(chrono::DateTime<chrono::Utc>,)> = sqlx::query_as(
                    "SELECT at FROM escalations WHERE learner_id = $1 AND kind = $2 AND key = $3 \
                     ORDER BY at DESC LIMIT 1",
                )
                .bind(learner.0)
                .bind(kind)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(at,)| at))
            }

            #[tracing::instrument(skip_all, fields(author = c.author.0))]
            async fn add_contribution(
                &self,
                c: &$crate::store::NewContribution,
            ) -> Result<$crate::store::Contribution, $crate::store::StoreError> {
                self.add_contribution_sql(c).await
            }

            #[tracing::instrument(skip_all, fields(contribution = id.0))]
            async fn set_contribution_status(
                &self,
                id: $crate::store::ContributionId,
                status: $crate::store::ContributionStatus,
            ) -> Result<(), $crate::store::StoreError> {
                self.set_contribution_status_sql(id, status).await
            }

            #[tracing::instrument(skip_all, fields(contribution = id.0, voter = voter.0))]
            async fn vote(
                &self,
                id: $crate::store::ContributionId,
                voter: $crate::store::LearnerId,
                up: bool,
            ) -> Result<i64, $crate::store::StoreError> {
                self.vote_sql(id, voter, up).await
            }

            #[tracing::instrument(skip_all, fields(author = author.0))]
            async fn contributions_by(
                &self,
                author: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Contribution>, $crate::store::StoreError> {
                self.contributions_by_sql(author).await
            }

            #[tracing::instrument(skip_all, fields(learner = q.learner.0))]
            async fn ask_question(
                &self,
                q: &$crate::store::NewQuestion,
            ) -> Result<$crate::store::QuestionId, $crate::store::StoreError> {
                self.ask_question_sql(q).await
            }

            #[tracing::instrument(skip_all, fields(question = id.0, expert = expert.0))]
            async fn answer_question(
                &self,
                id: $crate::store::QuestionId,
                expert: $crate::store::LearnerId,
                text: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::store::StoreError> {
                self.answer_question_sql(id, expert, text, at).await
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn open_questions(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                self.open_questions_sql(tenant).await
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn questions_of(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                self.questions_of_sql(learner).await
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn answers_to_send(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::Question>, $crate::store::StoreError> {
                self.answers_to_send_sql(tenant).await
            }

            #[tracing::instrument(skip_all, fields(question = id.0))]
            async fn mark_answer_sent(
                &self,
                id: $crate::store::QuestionId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                self.mark_answer_sent_sql(id, at).await
            }

            #[tracing::instrument(skip_all, fields(review = review.0))]
            async fn settle_review(
                &self,
                review: $crate::store::ReviewId,
                verdict: ladder_engine::grade::Verdict,
                score: f64,
            ) -> Result<bool, $crate::store::StoreError> {
                self.settle_review_sql(review, verdict, score).await
            }

            #[tracing::instrument(skip_all, fields(tenant = tenant.0))]
            async fn pending_free_text(
                &self,
                tenant: $crate::store::TenantId,
            ) -> Result<Vec<$crate::store::ReviewEntry>, $crate::store::StoreError> {
                self.pending_free_text_sql(tenant).await
            }

            #[tracing::instrument(skip_all, fields(review = p.review.0, reviewer = p.reviewer.0))]
            async fn add_peer_review(
                &self,
                p: &$crate::store::PeerReview,
            ) -> Result<(), $crate::store::StoreError> {
                self.add_peer_review_sql(p).await
            }

            #[tracing::instrument(skip_all, fields(review = review.0))]
            async fn peer_reviews(
                &self,
                review: $crate::store::ReviewId,
            ) -> Result<Vec<$crate::store::PeerReview>, $crate::store::StoreError> {
                self.peer_reviews_sql(review).await
            }

            #[tracing::instrument(skip_all, fields(team = s.team.0))]
            async fn save_leaderboard(
                &self,
                s: &$crate::store::LeaderboardSnapshot,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO leaderboard_snapshots (team_id, at, rows_json) VALUES ($1, $2, $3)",
                )
                .bind(s.team.0)
                .bind(s.at)
                .bind(s.rows.to_string())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(team = team.0))]
            async fn latest_leaderboard(
                &self,
                team: $crate::store::TeamId,
            ) -> Result<Option<$crate::store::LeaderboardSnapshot>, $crate::store::StoreError> {
                let row: Option<(chrono::DateTime<chrono::Utc>, String)> = sqlx::query_as(
                    "SELECT at, rows_json FROM leaderboard_snapshots WHERE team_id = $1 \
                     ORDER BY at DESC, id DESC LIMIT 1",
                )
                .bind(team.0)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(at, rows)| {
                    Ok($crate::store::LeaderboardSnapshot {
                        team,
                        at,
                        rows: $crate::store::shared::rows::json(&rows)?,
                    })
                })
                .transpose()
            }

            #[tracing::instrument(skip_all)]
            async fn first_sight(
                &self,
                platform: $crate::platform::Platform,
                event_id: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "INSERT INTO processed_events (platform, event_id, seen_at) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(platform.as_str())
                .bind(event_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            #[tracing::instrument(skip_all)]
            async fn forget_events_before(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("DELETE FROM processed_events WHERE seen_at < $1")
                    .bind(before)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn learner_data(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<$crate::store::LearnerData, $crate::store::StoreError> {
                use $crate::store::{Directory, Prompts};
                let person = self
                    .learner(learner)
                    .await?
                    .ok_or_else(|| $crate::store::StoreError::NotFound("learner".into()))?;
                Ok($crate::store::LearnerData {
                    learner: person.clone(),
                    roles: self.roles(learner).await?,
                    enrolments: self.enrolments(learner).await?,
                    prompts: self.prompts_of(learner).await?,
                    reviews: self.reviews(learner).await?,
                    memories: self.memories(learner).await?,
                    stages: self.stage_history(learner).await?,
                    contributions: self.contributions_by(learner).await?,
                    elsewhere: self.held_elsewhere(&person).await?,
                })
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn forget_learner(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<(), $crate::store::StoreError> {
                self.forget_tx(learner).await
            }
        }

        impl $store {
            async fn contribution(
                &self,
                id: i64,
            ) -> Result<$crate::store::Contribution, $crate::store::StoreError> {
                let sql = format!(
                    "{} WHERE c.id = $1",
                    $crate::store::shared::rows::CONTRIBUTION_SELECT
                );
                sqlx::query_as::<_, $crate::store::shared::rows::ContributionRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::store::StoreError::NotFound("contribution".into()))?
                    .into_domain()
            }
        }
    };
}
pub(crate) use impl_progress;
