//! [`Prompts`](crate::store::Prompts) in SQL both backends accept.

macro_rules! impl_prompts {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Prompts for $store {
            #[tracing::instrument(skip_all, fields(learner = p.learner.0))]
            async fn create_prompt(
                &self,
                p: $crate::store::NewPrompt,
            ) -> Result<$crate::store::PromptCreated, $crate::store::StoreError> {
                use $crate::store::shared::rows::{PromptRow, PROMPT_COLUMNS};
                let slot = p.slot.as_ref().map(|s| s.encode());
                let mut tx = self.begin_write().await?;
                let insert = format!(
                    "INSERT INTO prompts (learner_id, item_id, variant, kind, slot_key, created_at, \
                     revealed_at, expires_at, seed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (slot_key) DO NOTHING RETURNING {PROMPT_COLUMNS}"
                );
                let created = sqlx::query_as::<_, PromptRow>(&insert)
                    .bind(p.learner.0)
                    .bind(p.item.as_str())
                    .bind(p.variant.map(i64::from))
                    .bind(p.kind.as_str())
                    .bind(&slot)
                    .bind(p.created_at)
                    .bind(p.revealed_at)
                    .bind(p.expires_at)
                    .bind(p.seed as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = created else {
                    // The slot was planned before: hand back that prompt, write nothing.
                    let select = format!("SELECT {PROMPT_COLUMNS} FROM prompts WHERE slot_key = $1");
                    let existing = sqlx::query_as::<_, PromptRow>(&select)
                        .bind(&slot)
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    return Ok($crate::store::PromptCreated {
                        prompt: existing.into_domain()?,
                        fresh: false,
                    });
                };
                let prompt = row.into_domain()?;
                if p.supersede_open {
                    sqlx::query(
                        "UPDATE prompts SET superseded_by = $1, status = 'expired' \
                         WHERE learner_id = $2 AND kind = $3 AND id <> $1 \
                         AND status IN ('pending', 'sending', 'sent') AND superseded_by IS NULL",
                    )
                    .bind(prompt.id.0)
                    .bind(p.learner.0)
                    .bind(p.kind.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok($crate::store::PromptCreated {
                    prompt,
                    fresh: true,
                })
            }

            #[tracing::instrument(skip_all, fields(prompt = id.0))]
            async fn prompt(
                &self,
                id: $crate::store::PromptId,
            ) -> Result<Option<$crate::store::Prompt>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM prompts WHERE id = $1",
                    $crate::store::shared::rows::PROMPT_COLUMNS
                );
                sqlx::query_as::<_, $crate::store::shared::rows::PromptRow>(&sql)
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| r.into_domain())
                    .transpose()
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn open_prompts(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Prompt>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM prompts WHERE learner_id = $1 \
                     AND status IN ('pending', 'sending', 'sent') ORDER BY id",
                    $crate::store::shared::rows::PROMPT_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::PromptRow>(&sql)
                    .bind(learner.0)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(learner = learner.0))]
            async fn prompts_of(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<Vec<$crate::store::Prompt>, $crate::store::StoreError> {
                let sql = format!(
                    "SELECT {} FROM prompts WHERE learner_id = $1 ORDER BY id",
                    $crate::store::shared::rows::PROMPT_COLUMNS
                );
                let rows = sqlx::query_as::<_, $crate::store::shared::rows::PromptRow>(&sql)
                    .bind(learner.0)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::store::shared::convert(rows, |r| r.into_domain())
            }

            #[tracing::instrument(skip_all, fields(prompt = id.0))]
            async fn reveal(
                &self,
                id: $crate::store::PromptId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<$crate::store::Prompt, $crate::store::StoreError> {
                // COALESCE keeps the first reveal: tapping "show" twice must not shorten the
                // measured latency.
                let sql = format!(
                    "UPDATE prompts SET revealed_at = COALESCE(revealed_at, $1) WHERE id = $2 \
                     RETURNING {}",
                    $crate::store::shared::rows::PROMPT_COLUMNS
                );
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as::<_, $crate::store::shared::rows::PromptRow>(&sql)
                    .bind(at)
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                row.ok_or_else(|| $crate::store::StoreError::NotFound("prompt".into()))?
                    .into_domain()
            }

            #[tracing::instrument(skip_all)]
            async fn expire_prompts(
                &self,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE prompts SET status = 'expired' WHERE expires_at < $1 \
                     AND status IN ('pending', 'sending', 'sent')",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use impl_prompts;
