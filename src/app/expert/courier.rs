//! Bringing answers back to the people who asked: once an expert or master answers a
//! learner's question, the asker gets the answer as a direct message.
//!
//! On a chat platform the service's minute loop calls [`AnswerCourier::queue`], which
//! puts one outbox row per answer (keyed by the question, so a retry or a second instance
//! never sends it twice) and then marks the question as sent. A crash between the two
//! leaves the question unmarked; the next loop enqueues the same key again, which the
//! outbox ignores, and marks it. The local playground has no outbox worker: it shows the
//! same message the next time time passes ([`App::answers_for`]).
//!
//! The answer stays readable with `/ask` (no arguments) whatever happens to the message.
//! Depends on the store (progress, directory, outbox), the library and the clock.

use chrono::{DateTime, Utc};
use ladder_engine::Library;
use std::sync::Arc;

use crate::app::records::LearnerKey;
use crate::app::{App, AppResult};
use crate::clock::Clock;
use crate::delivery::plan::learner_slot_id;
use crate::platform::{Actor, Block, Destination, Reply};
use crate::store::outbox::{Message, MessageKind, NewMessage, SlotKey};
use crate::store::{Question, Store, StoreError, Tenant};

/// Queues answers for their askers, one tenant at a time.
pub struct AnswerCourier {
    store: Arc<dyn Store>,
    library: Arc<Library>,
    clock: Arc<dyn Clock>,
}

impl AnswerCourier {
    pub fn new(store: Arc<dyn Store>, library: Arc<Library>, clock: Arc<dyn Clock>) -> Self {
        AnswerCourier {
            store,
            library,
            clock,
        }
    }

    /// Enqueues a direct message for every answered question whose answer has not gone
    /// out yet. Returns the rows created.
    #[tracing::instrument(skip_all, fields(tenant = %tenant.external_id))]
    pub async fn queue(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        self.queue_answers(tenant).await
    }

    async fn queue_answers(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        let now = self.clock.now();
        let mut created = 0;
        for q in self.store.answers_to_send(tenant.id).await? {
            let Some(asker) = self.store.learner(q.learner).await? else {
                continue;
            };
            // Closed DMs: nothing to send; the answer waits in `/ask`.
            if !asker.prefs.dm_closed {
                let reply = answer_reply(&self.store, &self.library, &q).await?;
                let key = LearnerKey {
                    platform: tenant.platform,
                    tenant: tenant.external_id.clone(),
                    user: asker.platform_user.clone(),
                };
                let message = NewMessage {
                    key: SlotKey {
                        tenant: tenant.external_id.clone(),
                        schedule: format!("answer:{}", q.id.0),
                        learner: learner_slot_id(&key),
                        slot_date: q.answered_at.unwrap_or(now).date_naive(),
                        kind: MessageKind::Notice,
                    },
                    message: Message {
                        platform: tenant.platform,
                        destination: Destination::Direct {
                            user: asker.platform_user.clone(),
                        },
                        reply,
                        prompt_ref: None,
                    },
                    due_at: now,
                };
                created += self.store.enqueue(&[message], now).await?;
            }
            self.store.mark_answer_sent(q.id, now).await?;
        }
        Ok(created)
    }
}

#[async_trait::async_trait]
impl crate::delivery::notices::NoticeSource for AnswerCourier {
    fn name(&self) -> &'static str {
        "answers"
    }
    async fn queue(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        self.queue_answers(tenant).await
    }
}

/// The message that brings an answer: the skill, the question as asked, the answer and
/// who gave it. Question and answer were sanitised when they were kept.
pub async fn answer_reply(
    store: &Arc<dyn Store>,
    library: &Library,
    q: &Question,
) -> Result<Reply, StoreError> {
    let by = match q.answered_by {
        Some(id) => store.learner(id).await?.map(|l| l.display_name),
        None => None,
    };
    let by = by.map_or_else(
        || "an expert".to_owned(),
        |n| crate::platform::text::name(&n),
    );
    let skill = q
        .skill
        .as_ref()
        .and_then(|s| library.skill(s))
        .map_or("your skill", |s| s.title.as_str());
    Ok(Reply::private(vec![
        Block::Heading(format!("An answer to your question #{} ({skill})", q.id.0)),
        Block::Text(format!(
            "> {}\n\n{}\n\n— {by}",
            q.text,
            q.answer.as_deref().unwrap_or_default()
        )),
    ]))
}

impl App {
    /// Answers to the actor's questions not shown yet, marked as sent: the playground's
    /// way of delivering them (chat platforms use [`AnswerCourier`]). Empty without the
    /// expert tools or for someone who has not joined.
    pub async fn answers_for(&self, actor: &Actor) -> AppResult<Vec<Reply>> {
        let Some(staffing) = self.staffing.get() else {
            return Ok(Vec::new());
        };
        let Some((_, learner)) = super::ask::me(staffing, actor).await? else {
            return Ok(Vec::new());
        };
        let store = &staffing.store;
        let now: DateTime<Utc> = self.clock.now();
        let mut out = Vec::new();
        let questions = store
            .questions_of(learner.id)
            .await
            .map_err(super::ask::failed)?;
        for q in questions
            .iter()
            .filter(|q| q.answer.is_some() && q.answer_sent_at.is_none())
        {
            if store
                .mark_answer_sent(q.id, now)
                .await
                .map_err(super::ask::failed)?
            {
                let reply = answer_reply(store, &self.library, q)
                    .await
                    .map_err(super::ask::failed)?;
                out.push(reply);
            }
        }
        Ok(out)
    }
}
