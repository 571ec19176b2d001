//! Telling people about a struggling learner: the answer path records `notify_expert` and
//! `notify_manager` escalations (the engine decides when, with its per-learner cool-downs);
//! [`Notifier::queue`] turns the recent ones into short direct messages in the outbox, to
//! the skill's experts or the learner's managers.
//!
//! Why a planner and not a send from the answer path: the outbox row key makes each
//! notification exist once whatever instance or retry creates it, and a crash between
//! the answer and the send loses nothing. The key is (recipient, skill, UTC date), so a
//! recipient hears about one skill at most once a day however many learners struggle
//! with it: that is the recipient's cool-down. Recipients who opted out of
//! notifications, or whose DMs are closed, get nothing. The message names only the
//! learner's display name and the skill.
//!
//! Depends on the store (directory, progress, outbox), the engine's library and the clock.

use chrono::{DateTime, Duration, Utc};
use ladder_engine::escalation::ActionKind;
use ladder_engine::{Library, SkillId};
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::clock::Clock;
use crate::platform::{text, Destination, Reply};
use crate::store::outbox::{Message, MessageKind, NewMessage, SlotKey};
use crate::store::{Learner, LearnerId, Role, RoleKind, RoleScope, Store, StoreError, Tenant};

/// How far back escalations are still worth telling someone about.
const LOOKBACK_HOURS: i64 = 24;

/// Who hears about a struggling learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// People with the expert role for the skill (or tenant-wide).
    Experts,
    /// Managers of a team the learner is in (or tenant-wide).
    Managers,
}

impl Audience {
    fn of(kind: &str) -> Option<Self> {
        match ActionKind::parse(kind)? {
            ActionKind::NotifyExpert => Some(Audience::Experts),
            ActionKind::NotifyManager => Some(Audience::Managers),
            _ => None,
        }
    }
}

/// Queues escalation notifications for one tenant at a time.
pub struct Notifier {
    store: Arc<dyn Store>,
    library: Arc<Library>,
    clock: Arc<dyn Clock>,
}

/// One escalation worth telling someone about.
struct Struggle {
    learner: Learner,
    skill: SkillId,
    audience: Audience,
    at: DateTime<Utc>,
}

impl Notifier {
    pub fn new(store: Arc<dyn Store>, library: Arc<Library>, clock: Arc<dyn Clock>) -> Self {
        Notifier {
            store,
            library,
            clock,
        }
    }

    /// Enqueues a direct message for every recent escalation and recipient not already
    /// told about that skill today. Returns the rows created.
    #[tracing::instrument(skip_all, fields(tenant = %tenant.external_id))]
    pub async fn queue(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        self.queue_notifications(tenant).await
    }

    async fn queue_notifications(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        let now = self.clock.now();
        let learners = self.store.learners(tenant.id).await?;
        let roles = self.store.tenant_roles(tenant.id).await?;
        let mut messages = Vec::new();
        for struggle in self.recent(&learners, now).await? {
            for to in self.recipients(&learners, &roles, &struggle).await? {
                messages.push(self.message(tenant, &struggle, to, now));
            }
        }
        self.store.enqueue(&messages, now).await
    }

    async fn recent(
        &self,
        learners: &[Learner],
        now: DateTime<Utc>,
    ) -> Result<Vec<Struggle>, StoreError> {
        let since = now - Duration::hours(LOOKBACK_HOURS);
        let mut out = Vec::new();
        for l in learners {
            for e in self.store.escalations(l.id).await? {
                let Some(audience) = Audience::of(&e.kind) else {
                    continue;
                };
                // Keys are `skill` or `skill/resource`.
                let skill = e.key.split('/').next().unwrap_or_default();
                let Ok(skill) = SkillId::parse(skill) else {
                    continue;
                };
                if e.at > since && e.at <= now {
                    out.push(Struggle {
                        learner: l.clone(),
                        skill,
                        audience,
                        at: e.at,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The people to tell, minus the learner themselves and anyone who opted out.
    async fn recipients<'a>(
        &self,
        learners: &'a [Learner],
        roles: &[Role],
        s: &Struggle,
    ) -> Result<Vec<&'a Learner>, StoreError> {
        let teams: BTreeSet<_> = match s.audience {
            Audience::Managers => self
                .store
                .teams_of(s.learner.id)
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect(),
            Audience::Experts => BTreeSet::new(),
        };
        let wanted = |r: &Role| match (s.audience, r.kind, &r.scope) {
            (Audience::Experts, RoleKind::Expert, RoleScope::Skill(k)) => *k == s.skill,
            (Audience::Experts, RoleKind::Expert, RoleScope::Tenant) => true,
            (Audience::Managers, RoleKind::Manager, RoleScope::Team(t)) => teams.contains(t),
            (Audience::Managers, RoleKind::Manager, RoleScope::Tenant) => true,
            _ => false,
        };
        let ids: BTreeSet<LearnerId> = roles
            .iter()
            .filter(|r| wanted(r))
            .map(|r| r.learner)
            .collect();
        Ok(learners
            .iter()
            .filter(|l| ids.contains(&l.id) && l.id != s.learner.id)
            .filter(|l| !l.prefs.dm_closed && !muted(&l.prefs.notices, s.audience))
            .collect())
    }

    fn message(
        &self,
        tenant: &Tenant,
        s: &Struggle,
        to: &Learner,
        now: DateTime<Utc>,
    ) -> NewMessage {
        let skill = self
            .library
            .skill(&s.skill)
            .map_or_else(|| s.skill.to_string(), |k| k.title.clone());
        let text = notification_text(s.audience, &text::name(&s.learner.display_name), &skill);
        NewMessage {
            key: SlotKey {
                tenant: tenant.external_id.clone(),
                schedule: format!("notify:{}", s.skill),
                learner: format!(
                    "{}:{}:{}",
                    tenant.platform.as_str(),
                    tenant.external_id,
                    to.platform_user
                ),
                slot_date: s.at.date_naive(),
                kind: MessageKind::Notice,
            },
            message: Message {
                platform: tenant.platform,
                destination: Destination::Direct {
                    user: to.platform_user.clone(),
                },
                reply: Reply::text(text),
                prompt_ref: None,
            },
            due_at: now,
        }
    }
}

#[async_trait::async_trait]
impl crate::delivery::notices::NoticeSource for Notifier {
    fn name(&self) -> &'static str {
        "notifications"
    }
    async fn queue(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        self.queue_notifications(tenant).await
    }
}

/// Whether the recipient turned this kind of notice off (`/settings notices …`).
fn muted(off: &crate::store::NoticeOptOuts, audience: Audience) -> bool {
    match audience {
        Audience::Managers => off.manager,
        Audience::Experts => off.expert,
    }
}

/// The notification: who, which skill, what would help. Nothing else about the learner.
pub fn notification_text(audience: Audience, learner: &str, skill: &str) -> String {
    match audience {
        Audience::Experts => format!(
            "{learner} keeps missing questions on \"{skill}\". As an expert in it, a short \
             word or a pointer from you could help. (Turn these off with /settings notices \
             expert off.)"
        ),
        Audience::Managers => format!(
            "{learner} has been struggling with \"{skill}\" for a while. It may be worth \
             offering some time or support. (Turn these off with /settings notices manager \
             off.)"
        ),
    }
}
