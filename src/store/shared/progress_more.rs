//! The larger [`Progress`](crate::store::Progress) operations, as inherent methods the trait
//! implementation calls: the answer transaction (the privacy delete is in `privacy`).
//!
//! The answer transaction's order of checks matters: an answered prompt returns the original
//! result before any staleness check, so that a double click after the next day's prompt
//! replaced this one still shows the learner the same reply.

use chrono::{DateTime, Utc};

use crate::store::progress::{AnswerRecord, StaleReason};
use crate::store::shared::rows::PromptRow;

/// What the locked prompt row says about an incoming answer.
pub(crate) enum Gate {
    Stale(StaleReason),
    Answered,
    Open,
}

/// Decides from the locked prompt row whether the answer may be written.
pub(crate) fn gate(row: Option<&PromptRow>, answer: &AnswerRecord, now: DateTime<Utc>) -> Gate {
    let Some(row) = row else {
        return Gate::Stale(StaleReason::UnknownPrompt);
    };
    if row.learner_id != answer.learner.0 {
        return Gate::Stale(StaleReason::NotYours);
    }
    if row.status == "answered" {
        return Gate::Answered;
    }
    if row.superseded_by.is_some() {
        return Gate::Stale(StaleReason::Superseded);
    }
    if row.status == "expired" || row.expires_at.is_some_and(|e| e <= now) {
        return Gate::Stale(StaleReason::Expired);
    }
    Gate::Open
}

macro_rules! impl_progress_more {
    ($store:ty, db = $db:ty, lock = $lock:literal) => {
        impl $store {
            async fn record_answer_tx(
                &self,
                a: $crate::store::AnswerRecord,
            ) -> Result<$crate::store::AnswerOutcome, $crate::store::StoreError> {
                use $crate::store::shared::progress_more::{gate, Gate};
                use $crate::store::shared::rows::{PromptRow, StoredAnswerRow, PROMPT_COLUMNS};
                use $crate::store::AnswerOutcome;
                let mut tx = self.begin_write().await?;
                let lock = format!("SELECT {PROMPT_COLUMNS} FROM prompts WHERE id = $1 {}", $lock);
                let row = sqlx::query_as::<_, PromptRow>(&lock)
                    .bind(a.prompt.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                let stored = "SELECT id, prompt_id, verdict, score, rating, response, answered_at, \
                              reply_json FROM reviews WHERE prompt_id = $1";
                match gate(row.as_ref(), &a, a.answered_at) {
                    Gate::Stale(reason) => return Ok(AnswerOutcome::Stale { reason }),
                    Gate::Answered => {
                        let original = sqlx::query_as::<_, StoredAnswerRow>(stored)
                            .bind(a.prompt.0)
                            .fetch_one(&mut *tx)
                            .await?
                            .into_domain()?;
                        return Ok(AnswerOutcome::Duplicate { original });
                    }
                    Gate::Open => {}
                }
                // The learner's row is the lock of everything the answer was computed from.
                if !Self::bump_rev(&mut *tx, a.learner, a.basis).await? {
                    return Ok(AnswerOutcome::Changed); // dropped: rolled back
                }
                // RETURNING gives back the stored answer without another round trip.
                let recorded = sqlx::query_as::<_, StoredAnswerRow>(
                    "INSERT INTO reviews (prompt_id, learner_id, item_id, skill_id, item_stage, \
                     verdict, score, rating, latency_ms, response, reply_json, answered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     RETURNING id, prompt_id, verdict, score, rating, response, answered_at, \
                     reply_json",
                )
                .bind(a.prompt.0)
                .bind(a.learner.0)
                .bind(a.item.as_str())
                .bind(a.skill.as_str())
                .bind(a.item_stage.as_str())
                .bind(a.verdict.as_str())
                .bind(a.score)
                .bind(a.rating.map(|r| i64::from(r.as_u8())))
                .bind(a.latency_ms)
                .bind(&a.response)
                .bind(a.reply.to_string())
                .bind(a.answered_at)
                .fetch_one(&mut *tx)
                .await?
                .into_domain()?;
                if let Some(m) = &a.memory {
                    Self::upsert_memory(&mut *tx, a.learner, &a.item, m).await?;
                }
                if let Some(change) = &a.stage_change {
                    Self::insert_stage(&mut *tx, change).await?;
                }
                for e in &a.escalations {
                    Self::insert_escalation(&mut *tx, e).await?;
                }
                sqlx::query("UPDATE prompts SET status = 'answered' WHERE id = $1")
                    .bind(a.prompt.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(AnswerOutcome::Recorded(recorded))
            }

            async fn progress_rev_sql(
                &self,
                learner: $crate::store::LearnerId,
            ) -> Result<i64, $crate::store::StoreError> {
                let rev: Option<(i64,)> =
                    sqlx::query_as("SELECT progress_rev FROM learners WHERE id = $1")
                        .bind(learner.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(rev.map_or(0, |(r,)| r))
            }

            async fn apply_grade_tx(
                &self,
                learner: $crate::store::LearnerId,
                item: &ladder_engine::ItemId,
                memory: &ladder_engine::schedule::Memory,
                stage: Option<&$crate::store::StageChange>,
                basis: Option<i64>,
            ) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                if !Self::bump_rev(&mut *tx, learner, basis).await? {
                    return Ok(false);
                }
                Self::upsert_memory(&mut *tx, learner, item, memory).await?;
                if let Some(change) = stage {
                    Self::insert_stage(&mut *tx, change).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            /// Moves the learner's progress revision on, if it is still `basis`; on
            /// Postgres the update locks the learner's row until the transaction ends, so
            /// a second writer waits and then finds the revision moved.
            async fn bump_rev<'e, E>(
                ex: E,
                learner: $crate::store::LearnerId,
                basis: Option<i64>,
            ) -> Result<bool, $crate::store::StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let done = sqlx::query(
                    "UPDATE learners SET progress_rev = progress_rev + 1 \
                     WHERE id = $1 AND ($2 IS NULL OR progress_rev = $2)",
                )
                .bind(learner.0)
                .bind(basis)
                .execute(ex)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn upsert_memory<'e, E>(
                ex: E,
                learner: $crate::store::LearnerId,
                item: &ladder_engine::ItemId,
                m: &ladder_engine::schedule::Memory,
            ) -> Result<(), $crate::store::StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query(
                    "INSERT INTO memories (learner_id, item_id, stability, difficulty, \
                     last_review, due, reps, lapses, suspended) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (learner_id, item_id) DO UPDATE SET \
                     stability = excluded.stability, difficulty = excluded.difficulty, \
                     last_review = excluded.last_review, due = excluded.due, \
                     reps = excluded.reps, lapses = excluded.lapses, \
                     suspended = excluded.suspended",
                )
                .bind(learner.0)
                .bind(item.as_str())
                .bind(m.stability)
                .bind(m.difficulty)
                .bind(m.last_review)
                .bind(m.due)
                .bind(i64::from(m.reps))
                .bind(i64::from(m.lapses))
                .bind(m.suspended)
                .execute(ex)
                .await?;
                Ok(())
            }

            async fn insert_stage<'e, E>(
                ex: E,
                c: &$crate::store::StageChange,
            ) -> Result<(), $crate::store::StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query(
                    "INSERT INTO stage_history (learner_id, skill_id, from_stage, to_stage, at, \
                     evidence_json) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(c.learner.0)
                .bind(c.skill.as_str())
                .bind(c.from.map(|s| s.as_str()))
                .bind(c.to.as_str())
                .bind(c.at)
                .bind(c.evidence.to_string())
                .execute(ex)
                .await?;
                Ok(())
            }

            async fn insert_escalation<'e, E>(
                ex: E,
                e: &$crate::store::Escalation,
            ) -> Result<(), $crate::store::StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                sqlx::query(
                    "INSERT INTO escalations (learner_id, kind, key, at) VALUES ($1, $2, $3, $4)",
                )
                .bind(e.learner.0)
                .bind(&e.kind)
                .bind(&e.key)
                .bind(e.at)
                .execute(ex)
                .await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_progress_more;
