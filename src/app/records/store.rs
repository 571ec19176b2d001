//! [`Records`] on the service's [`Store`] (SQLite or Postgres): the translation between
//! the use cases' view (learners keyed by platform, tenant and user) and the store's rows
//! (numeric ids, enrolments, prompt statuses, stage history).
//!
//! Idempotency is the store's: `record_answer` keeps the first answer to a prompt and
//! returns its stored reply for any replay.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ladder_engine::schedule::Memory;
use ladder_engine::{ItemId, SkillId};
use std::collections::HashMap;
use std::sync::Arc;

use super::{
    AnswerWrite, Escalation, Learner, LearnerKey, Membership, Prompt, Recorded, Records,
    RecordsError, Result, Review, StageRecord,
};
use crate::app::action::PromptRef;
use crate::platform::Platform;
use crate::store::{self, LearnerId, PromptKind, Store, StoreError, TenantId};

mod convert;
use convert::{escalation_from, escalation_key, prefs_from, prefs_into, prompt_from, prompt_id};

impl From<StoreError> for RecordsError {
    fn from(e: StoreError) -> Self {
        RecordsError(e.to_string())
    }
}

/// The use cases' records, kept in a [`Store`].
pub struct StoreRecords {
    store: Arc<dyn Store>,
}

impl StoreRecords {
    pub fn new(store: Arc<dyn Store>) -> Self {
        StoreRecords { store }
    }

    async fn tenant_id(&self, key: &LearnerKey) -> Result<Option<TenantId>> {
        let t = self.store.find_tenant(key.platform, &key.tenant).await?;
        Ok(t.map(|t| t.id))
    }

    async fn row(&self, key: &LearnerKey) -> Result<Option<store::Learner>> {
        let Some(tenant) = self.tenant_id(key).await? else {
            return Ok(None);
        };
        Ok(self
            .store
            .learner_by_platform_user(tenant, &key.user)
            .await?)
    }

    async fn id(&self, key: &LearnerKey) -> Result<Option<LearnerId>> {
        Ok(self.row(key).await?.map(|l| l.id))
    }

    async fn key_of(&self, id: LearnerId) -> Result<Option<LearnerKey>> {
        let Some(l) = self.store.learner(id).await? else {
            return Ok(None);
        };
        let Some(t) = self.store.tenant(l.tenant).await? else {
            return Ok(None);
        };
        Ok(Some(LearnerKey {
            platform: t.platform,
            tenant: t.external_id,
            user: l.platform_user,
        }))
    }

    async fn learner_of(&self, key: &LearnerKey, row: store::Learner) -> Result<Learner> {
        let tracks = self
            .store
            .enrolments(row.id)
            .await?
            .into_iter()
            .map(|e| e.track)
            .collect();
        Ok(Learner {
            key: key.clone(),
            display_name: row.display_name,
            tenant: key.tenant.clone(),
            tracks,
            prefs: prefs_from(&row.prefs),
            joined_at: row.joined_at,
        })
    }
}

#[async_trait]
impl Records for StoreRecords {
    #[tracing::instrument(skip_all)]
    async fn learner(&self, key: &LearnerKey) -> Result<Option<Learner>> {
        match self.row(key).await? {
            Some(row) => Ok(Some(self.learner_of(key, row).await?)),
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn save_learner(&self, learner: &Learner) -> Result<()> {
        let key = &learner.key;
        let row = match self.row(key).await? {
            Some(row) => {
                let prefs = prefs_into(&learner.prefs, row.prefs.clone());
                self.store.set_preferences(row.id, &prefs).await?;
                self.store
                    .set_display_name(row.id, &learner.display_name)
                    .await?;
                row
            }
            None => {
                let tenant = self
                    .store
                    .upsert_tenant(key.platform, &key.tenant, &key.tenant)
                    .await?;
                let new = store::NewLearner {
                    tenant: tenant.id,
                    platform_user: key.user.clone(),
                    display_name: learner.display_name.clone(),
                    prefs: prefs_into(&learner.prefs, store::Preferences::default()),
                    joined_at: learner.joined_at,
                };
                self.store.add_learner(new).await?
            }
        };
        for t in &learner.tracks {
            self.store.enrol(row.id, t, learner.joined_at).await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn learners(&self, tenant: &str) -> Result<Vec<Learner>> {
        let mut out = Vec::new();
        for t in self.store.tenants().await? {
            if t.external_id != tenant {
                continue;
            }
            for row in self.store.learners(t.id).await? {
                let key = LearnerKey {
                    platform: t.platform,
                    tenant: t.external_id.clone(),
                    user: row.platform_user.clone(),
                };
                out.push(self.learner_of(&key, row).await?);
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn memberships(&self, platform: Platform, user: &str) -> Result<Vec<Membership>> {
        let tenants = self.store.tenants_of_user(platform, user).await?;
        Ok(tenants
            .into_iter()
            .map(|t| Membership {
                tenant: t.external_id,
                name: t.name,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn forget(&self, key: &LearnerKey) -> Result<()> {
        if let Some(id) = self.id(key).await? {
            self.store.forget_learner(id).await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn add_prompt(&self, prompt: Prompt, replace_open: bool) -> Result<Prompt> {
        let id = self
            .id(&prompt.learner)
            .await?
            .ok_or_else(|| RecordsError("prompt for an unknown learner".into()))?;
        let new = store::NewPrompt {
            learner: id,
            item: prompt.item.clone(),
            variant: prompt.variant.map(|v| v as u32),
            seed: prompt.seed,
            kind: if prompt.pushed {
                PromptKind::Daily
            } else {
                PromptKind::Practice
            },
            slot: None,
            created_at: prompt.created_at,
            revealed_at: prompt.revealed_at,
            expires_at: prompt.expires_at,
            supersede_open: replace_open,
        };
        let created = self.store.create_prompt(new).await?;
        prompt_from(created.prompt, prompt.learner)
    }

    #[tracing::instrument(skip_all)]
    async fn prompt(&self, id: &PromptRef) -> Result<Option<Prompt>> {
        let Some(pid) = prompt_id(id) else {
            return Ok(None);
        };
        let Some(p) = self.store.prompt(pid).await? else {
            return Ok(None);
        };
        match self.key_of(p.learner).await? {
            Some(key) => Ok(Some(prompt_from(p, key)?)),
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn open_prompts(&self, key: &LearnerKey) -> Result<Vec<Prompt>> {
        let Some(id) = self.id(key).await? else {
            return Ok(Vec::new());
        };
        let rows = self.store.open_prompts(id).await?;
        rows.into_iter()
            .map(|p| prompt_from(p, key.clone()))
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn prompts(&self, key: &LearnerKey) -> Result<Vec<Prompt>> {
        let Some(id) = self.id(key).await? else {
            return Ok(Vec::new());
        };
        let rows = self.store.prompts_of(id).await?;
        rows.into_iter()
            .map(|p| prompt_from(p, key.clone()))
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn reveal(&self, id: &PromptRef, at: DateTime<Utc>) -> Result<()> {
        if let Some(pid) = prompt_id(id) {
            self.store.reveal(pid, at).await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn record_answer(&self, w: AnswerWrite) -> Result<Recorded> {
        let (Some(pid), Some(learner)) = (
            prompt_id(&w.review.prompt),
            self.id(&w.review.learner).await?,
        ) else {
            return Ok(Recorded::Stale);
        };
        let r = &w.review;
        let record = store::AnswerRecord {
            prompt: pid,
            learner,
            item: r.item.clone(),
            skill: r.skill.clone(),
            item_stage: r.item_stage,
            verdict: r.verdict,
            score: r.score,
            rating: w.rating,
            latency_ms: Some((r.latency_secs * 1000.0).round() as i64),
            response: r.answer.clone(),
            answered_at: r.at,
            memory: w.memory.clone(),
            stage_change: w.stage.as_ref().map(|s| store::StageChange {
                learner,
                skill: s.skill.clone(),
                from: s.from,
                to: s.stage,
                at: s.since,
                evidence: serde_json::json!({ "sentence": s.evidence }),
            }),
            escalations: w
                .escalations
                .iter()
                .map(|e| store::Escalation {
                    learner,
                    kind: e.kind.as_str().to_owned(),
                    key: escalation_key(e),
                    at: e.at,
                })
                .collect(),
            reply: serde_json::to_value(&w.replies).map_err(|e| RecordsError(e.to_string()))?,
            basis: w.basis,
        };
        Ok(match self.store.record_answer(record).await? {
            store::AnswerOutcome::Recorded(_) => Recorded::Recorded,
            store::AnswerOutcome::Duplicate { original } => {
                Recorded::Duplicate(serde_json::from_value(original.reply).unwrap_or_default())
            }
            store::AnswerOutcome::Stale { .. } => Recorded::Stale,
            store::AnswerOutcome::Changed => Recorded::Changed,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn progress_rev(&self, key: &LearnerKey) -> Result<Option<i64>> {
        match self.id(key).await? {
            Some(id) => Ok(Some(self.store.progress_rev(id).await?)),
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn reviews(&self, key: &LearnerKey) -> Result<Vec<Review>> {
        let Some(id) = self.id(key).await? else {
            return Ok(Vec::new());
        };
        let mut rows = self.store.reviews(id).await?;
        rows.sort_by_key(|r| (r.answered_at, r.id));
        rows.into_iter()
            .map(|r| {
                Ok(Review {
                    learner: key.clone(),
                    prompt: PromptRef::parse(&r.prompt.to_string())
                        .map_err(|e| RecordsError(e.to_string()))?,
                    item: r.item,
                    skill: r.skill,
                    item_stage: r.item_stage,
                    at: r.answered_at,
                    verdict: r.verdict,
                    score: r.score,
                    latency_secs: r.latency_ms.unwrap_or(0) as f64 / 1000.0,
                    answer: r.response,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn memories(&self, key: &LearnerKey) -> Result<Vec<(ItemId, Memory)>> {
        match self.id(key).await? {
            Some(id) => Ok(self.store.memories(id).await?),
            None => Ok(Vec::new()),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn stages(&self, key: &LearnerKey) -> Result<Vec<StageRecord>> {
        let Some(id) = self.id(key).await? else {
            return Ok(Vec::new());
        };
        // The latest change per skill is the stage held, with the evidence that set it.
        let mut latest: HashMap<SkillId, StageRecord> = HashMap::new();
        let mut history = self.store.stage_history(id).await?;
        history.sort_by_key(|c| c.at);
        for c in history {
            let evidence = c.evidence["sentence"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            latest.insert(
                c.skill.clone(),
                StageRecord {
                    skill: c.skill,
                    from: c.from,
                    stage: c.to,
                    since: c.at,
                    evidence,
                },
            );
        }
        Ok(latest.into_values().collect())
    }

    #[tracing::instrument(skip_all)]
    async fn stored_data(&self, key: &LearnerKey) -> Result<Option<store::LearnerData>> {
        match self.id(key).await? {
            Some(id) => Ok(Some(self.store.learner_data(id).await?)),
            None => Ok(None),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn escalations(&self, key: &LearnerKey) -> Result<Vec<Escalation>> {
        let Some(id) = self.id(key).await? else {
            return Ok(Vec::new());
        };
        let mut rows = self.store.escalations(id).await?;
        rows.sort_by_key(|e| e.at);
        Ok(rows.into_iter().filter_map(escalation_from).collect())
    }

    async fn first_handling(
        &self,
        platform: crate::platform::Platform,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(self.store.first_sight(platform, event_id, at).await?)
    }

    async fn forget_handled_before(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(self.store.forget_events_before(before).await?)
    }
}
