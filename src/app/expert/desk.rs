//! [`ReviewDesk`] on the service's store: pending free-text answers of the caller's
//! tenant, and grades written as a peer review plus the new memory and stage change.

use async_trait::async_trait;
use std::sync::Arc;

use super::{Grade, Pending, ReviewDesk};
use crate::app::records::{LearnerKey, RecordsError};
use crate::platform::Platform;
use crate::store::{LearnerId, PeerReview, ReviewId, StageChange, Store, StoreError};

/// The review desk kept in a [`Store`].
pub struct StoreDesk {
    store: Arc<dyn Store>,
}

impl StoreDesk {
    pub fn new(store: Arc<dyn Store>) -> Self {
        StoreDesk { store }
    }

    async fn id_of(&self, key: &LearnerKey) -> Result<LearnerId, StoreError> {
        let s = &self.store;
        let tenant = s.find_tenant(key.platform, &key.tenant).await?;
        let tenant = tenant.ok_or_else(|| StoreError::NotFound("tenant".into()))?;
        let learner = s.learner_by_platform_user(tenant.id, &key.user).await?;
        Ok(learner
            .ok_or_else(|| StoreError::NotFound("learner".into()))?
            .id)
    }
}

fn failed(e: StoreError) -> RecordsError {
    RecordsError(e.to_string())
}

#[async_trait]
impl ReviewDesk for StoreDesk {
    #[tracing::instrument(skip_all)]
    async fn pending(
        &self,
        platform: Platform,
        tenant: &str,
    ) -> Result<Vec<Pending>, RecordsError> {
        let s = &self.store;
        let Some(t) = s.find_tenant(platform, tenant).await.map_err(failed)? else {
            return Ok(vec![]);
        };
        let mut out = Vec::new();
        for r in s.pending_free_text(t.id).await.map_err(failed)? {
            let Some(l) = s.learner(r.learner).await.map_err(failed)? else {
                continue;
            };
            out.push(Pending {
                id: r.id.0,
                learner: LearnerKey {
                    platform,
                    tenant: tenant.to_owned(),
                    user: l.platform_user,
                },
                item: r.item,
                skill: r.skill,
                response: r.response,
                answered_at: r.answered_at,
                latency_secs: r.latency_ms.map(|ms| ms as f64 / 1000.0),
            });
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(review = g.review))]
    async fn grade(&self, g: &Grade) -> Result<(), RecordsError> {
        let s = &self.store;
        let reviewer = self.id_of(&g.reviewer).await.map_err(failed)?;
        let peer = PeerReview {
            review: ReviewId(g.review),
            reviewer,
            verdict: g.verdict,
            score: g.score,
            comment: g.comment.clone(),
            at: g.at,
        };
        // The peer review goes first: its unique key refuses a second grade by the same
        // person before anything else changes.
        s.add_peer_review(&peer).await.map_err(failed)?;
        let learner = self.id_of(&g.learner).await.map_err(failed)?;
        apply(s, learner, g).await.map_err(failed)
    }
}

/// Writes the memory and stage change of a graded answer for `learner`.
async fn apply(store: &Arc<dyn Store>, learner: LearnerId, g: &Grade) -> Result<(), StoreError> {
    store.put_memory(learner, &g.item, &g.memory).await?;
    if let Some(stage) = &g.stage {
        let change = StageChange {
            learner,
            skill: stage.skill.clone(),
            from: stage.from,
            to: stage.stage,
            at: stage.since,
            evidence: serde_json::json!({ "sentence": stage.evidence }),
        };
        store.record_stage_change(&change).await?;
    }
    Ok(())
}
