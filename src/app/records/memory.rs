//! [`Records`] kept in memory: the playground's and the tests' backend.
//!
//! One mutex over plain maps; answers are applied atomically under it, which gives the
//! same first-answer-wins behaviour the database backends get from unique keys.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ladder_engine::schedule::Memory;
use ladder_engine::ItemId;
use std::collections::{BTreeMap, HashMap};

use std::sync::Mutex;

use super::{
    AnswerWrite, Escalation, Learner, LearnerKey, Prompt, PromptState, Recorded, Records, Result,
    Review, StageRecord,
};
use crate::app::action::PromptRef;
use crate::platform::{Platform, Reply};

#[derive(Default)]
struct State {
    next_prompt: u64,
    learners: HashMap<LearnerKey, Learner>,
    prompts: BTreeMap<u64, Prompt>,
    answered: HashMap<PromptRef, Vec<Reply>>,
    reviews: Vec<Review>,
    memories: HashMap<(LearnerKey, ItemId), Memory>,
    stages: HashMap<(LearnerKey, String), StageRecord>,
    escalations: Vec<(LearnerKey, Escalation)>,
}

/// In-memory [`Records`].
#[derive(Default)]
pub struct MemoryRecords {
    state: Mutex<State>,
    /// Inbound events handled, with when they were first seen.
    handled: Mutex<HashMap<(Platform, String), DateTime<Utc>>>,
}

impl MemoryRecords {
    pub fn new() -> Self {
        Self::default()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn prompt_number(id: &PromptRef) -> Option<u64> {
    id.as_str().parse().ok()
}

#[async_trait]
impl Records for MemoryRecords {
    async fn learner(&self, key: &LearnerKey) -> Result<Option<Learner>> {
        Ok(self.lock().learners.get(key).cloned())
    }
    async fn save_learner(&self, learner: &Learner) -> Result<()> {
        self.lock()
            .learners
            .insert(learner.key.clone(), learner.clone());
        Ok(())
    }
    async fn learners(&self, tenant: &str) -> Result<Vec<Learner>> {
        let s = self.lock();
        let mut found: Vec<Learner> = s
            .learners
            .values()
            .filter(|l| l.tenant == tenant)
            .cloned()
            .collect();
        found.sort_by_key(|l| l.joined_at);
        Ok(found)
    }
    async fn forget(&self, key: &LearnerKey) -> Result<()> {
        let mut s = self.lock();
        s.learners.remove(key);
        let gone: Vec<PromptRef> = s
            .prompts
            .values()
            .filter(|p| &p.learner == key)
            .map(|p| p.id.clone())
            .collect();
        s.prompts.retain(|_, p| &p.learner != key);
        for id in gone {
            s.answered.remove(&id);
        }
        s.reviews.retain(|r| &r.learner != key);
        s.memories.retain(|(k, _), _| k != key);
        s.stages.retain(|(k, _), _| k != key);
        s.escalations.retain(|(k, _)| k != key);
        Ok(())
    }

    async fn add_prompt(&self, mut prompt: Prompt, replace_open: bool) -> Result<Prompt> {
        let mut s = self.lock();
        if replace_open {
            for p in s.prompts.values_mut() {
                if p.learner == prompt.learner && p.pushed && p.state == PromptState::Open {
                    p.state = PromptState::Replaced;
                }
            }
        }
        s.next_prompt += 1;
        let n = s.next_prompt;
        prompt.id =
            PromptRef::parse(&n.to_string()).map_err(|e| super::RecordsError(e.to_string()))?;
        s.prompts.insert(n, prompt.clone());
        Ok(prompt)
    }
    async fn prompt(&self, id: &PromptRef) -> Result<Option<Prompt>> {
        let s = self.lock();
        Ok(prompt_number(id).and_then(|n| s.prompts.get(&n).cloned()))
    }
    async fn open_prompts(&self, key: &LearnerKey) -> Result<Vec<Prompt>> {
        let s = self.lock();
        Ok(s.prompts
            .values()
            .filter(|p| &p.learner == key && p.state == PromptState::Open)
            .cloned()
            .collect())
    }
    async fn prompts(&self, key: &LearnerKey) -> Result<Vec<Prompt>> {
        let s = self.lock();
        Ok(s.prompts
            .values()
            .filter(|p| &p.learner == key)
            .cloned()
            .collect())
    }
    async fn reveal(&self, id: &PromptRef, at: DateTime<Utc>) -> Result<()> {
        let mut s = self.lock();
        if let Some(p) = prompt_number(id).and_then(|n| s.prompts.get_mut(&n)) {
            // The first reveal counts: a second tap must not reset the latency clock.
            p.revealed_at.get_or_insert(at);
        }
        Ok(())
    }

    async fn record_answer(&self, w: AnswerWrite) -> Result<Recorded> {
        let mut s = self.lock();
        if let Some(replies) = s.answered.get(&w.review.prompt) {
            return Ok(Recorded::Duplicate(replies.clone()));
        }
        let Some(n) = prompt_number(&w.review.prompt) else {
            return Ok(Recorded::Stale);
        };
        match s.prompts.get_mut(&n) {
            Some(p) if p.state == PromptState::Open => p.state = PromptState::Answered,
            _ => return Ok(Recorded::Stale),
        }
        let key = w.review.learner.clone();
        s.answered.insert(w.review.prompt.clone(), w.replies);
        if let Some(m) = w.memory {
            s.memories.insert((key.clone(), w.review.item.clone()), m);
        }
        if let Some(st) = w.stage {
            s.stages
                .insert((key.clone(), st.skill.as_str().to_owned()), st);
        }
        for e in w.escalations {
            s.escalations.push((key.clone(), e));
        }
        s.reviews.push(w.review);
        Ok(Recorded::Recorded)
    }
    async fn reviews(&self, key: &LearnerKey) -> Result<Vec<Review>> {
        let s = self.lock();
        Ok(s.reviews
            .iter()
            .filter(|r| &r.learner == key)
            .cloned()
            .collect())
    }
    async fn memories(&self, key: &LearnerKey) -> Result<Vec<(ItemId, Memory)>> {
        let s = self.lock();
        Ok(s.memories
            .iter()
            .filter(|((k, _), _)| k == key)
            .map(|((_, i), m)| (i.clone(), m.clone()))
            .collect())
    }
    async fn stages(&self, key: &LearnerKey) -> Result<Vec<StageRecord>> {
        let s = self.lock();
        Ok(s.stages
            .iter()
            .filter(|((k, _), _)| k == key)
            .map(|(_, st)| st.clone())
            .collect())
    }
    async fn escalations(&self, key: &LearnerKey) -> Result<Vec<Escalation>> {
        let s = self.lock();
        Ok(s.escalations
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, e)| e.clone())
            .collect())
    }
    async fn first_handling(
        &self,
        platform: Platform,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut handled = self.handled.lock().unwrap_or_else(|e| e.into_inner());
        match handled.entry((platform, event_id.to_owned())) {
            std::collections::hash_map::Entry::Occupied(_) => Ok(false),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(at);
                Ok(true)
            }
        }
    }
    async fn forget_handled_before(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut handled = self.handled.lock().unwrap_or_else(|e| e.into_inner());
        let was = handled.len();
        handled.retain(|_, seen| *seen >= before);
        Ok((was - handled.len()) as u64)
    }
}
