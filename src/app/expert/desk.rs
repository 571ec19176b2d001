//! [`ReviewDesk`] on the service's store: pending free-text answers of the caller's
//! tenant; grades kept as peer reviews; an answer settled on the review itself (the
//! store's conditional update makes one grader win a race) and then its new memory and
//! stage change.

use async_trait::async_trait;
use std::sync::Arc;

use super::{combine, Graded, Mark, Pending, ReviewDesk, Settlement, PEERS_NEEDED};
use crate::app::records::{LearnerKey, RecordsError};
use crate::platform::Platform;
use crate::store::{LearnerId, PeerReview, ReviewId, StageChange, Store, StoreError};
use ladder_engine::grade::Verdict;

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
            let mut graded_by = Vec::new();
            for p in s.peer_reviews(r.id).await.map_err(failed)? {
                if let Some(g) = s.learner(p.reviewer).await.map_err(failed)? {
                    graded_by.push(LearnerKey {
                        platform,
                        tenant: tenant.to_owned(),
                        user: g.platform_user,
                    });
                }
            }
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
                graded_by,
            });
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(review = m.review))]
    async fn mark(&self, m: &Mark) -> Result<Settlement, RecordsError> {
        let s = &self.store;
        let reviewer = self.id_of(&m.reviewer).await.map_err(failed)?;
        let review = ReviewId(m.review);
        let peer = PeerReview {
            review,
            reviewer,
            verdict: m.verdict,
            score: m.score,
            comment: m.comment.clone(),
            at: m.at,
        };
        // The peer review goes first: its unique key refuses a second grade by the same
        // person before anything else changes.
        s.add_peer_review(&peer).await.map_err(failed)?;
        let (verdict, score) = if m.by_expert {
            (m.verdict, m.score)
        } else {
            let peers: Vec<(Verdict, f64)> = s
                .peer_reviews(review)
                .await
                .map_err(failed)?
                .into_iter()
                .map(|p| (p.verdict, p.score))
                .collect();
            if peers.len() < PEERS_NEEDED {
                return Ok(Settlement::Waiting);
            }
            combine(peers[0], peers[1])
        };
        if s.settle_review(review, verdict, score)
            .await
            .map_err(failed)?
        {
            Ok(Settlement::Final { verdict, score })
        } else {
            Ok(Settlement::Already)
        }
    }

    #[tracing::instrument(skip_all)]
    async fn apply(&self, g: &Graded) -> Result<bool, RecordsError> {
        let learner = self.id_of(&g.learner).await.map_err(failed)?;
        let stage = g.stage.as_ref().map(|stage| StageChange {
            learner,
            skill: stage.skill.clone(),
            from: stage.from,
            to: stage.stage,
            at: stage.since,
            evidence: serde_json::json!({ "sentence": stage.evidence }),
        });
        self.store
            .apply_grade(learner, &g.item, &g.memory, stage.as_ref(), g.basis)
            .await
            .map_err(failed)
    }
}
