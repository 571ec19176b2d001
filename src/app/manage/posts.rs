//! Scheduled posts for teams: each team's leaderboard in its channel on the team's cron
//! (or the tenant default), and each manager's weekly digest of every team they manage,
//! as a direct message on the digest cron in the manager's own timezone.
//!
//! Both go through the outbox like the daily prompt: a slot is reserved under its key
//! (`board:TEAM` for the channel, `digest:TEAM` for the manager, dated by the local day
//! the cron fired) before anything is composed, so the summary is computed once per post
//! whatever the number of instances, and a post is never sent twice. Only today's firing
//! counts: a service that was down on digest day does not send last week's digest later.
//! Managers who turned notifications off, or whose DMs are closed, get no digest; `/digest`
//! shows the same message on request.
//!
//! Depends on the app (its records, library and clock), the store (teams, roles, outbox)
//! and the delivery slots.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::board::{self, View};
use super::{team, Staffing, TeamInfo};
use crate::app::records::LearnerKey;
use crate::app::{App, AppResult};
use crate::delivery::plan::learner_slot_id;
use crate::delivery::slots::{current_slot, parse_tz, CronSchedule, LearnerSchedule};
use crate::platform::{text, Actor, Block, Destination, Reply};
use crate::report;
use crate::store::outbox::{Message, MessageKind, NewSlot, SlotKey};
use crate::store::{Learner, Role, RoleKind, RoleScope, Store, StoreError, Team, Tenant};

/// When posts go out, from configuration.
#[derive(Debug, Clone)]
pub struct PostSchedules {
    /// Each manager's digest, in the manager's timezone.
    pub digest: CronSchedule,
    /// A team's leaderboard post when the team has no cron of its own.
    pub board: CronSchedule,
    /// The timezone of team crons (and of learners who never chose one).
    pub timezone: Tz,
}

/// Queues leaderboard posts and digests for one tenant at a time.
pub struct TeamPosts {
    app: Arc<App>,
    store: Arc<dyn Store>,
    schedules: PostSchedules,
}

/// A post whose slot is due now, composed only if the reservation is ours.
struct Due {
    slot: NewSlot,
    team: TeamInfo,
    to: Destination,
    what: Post,
}

#[derive(Clone, Copy)]
enum Post {
    Board,
    Digest,
}

impl TeamPosts {
    pub fn new(app: Arc<App>, store: Arc<dyn Store>, schedules: PostSchedules) -> Self {
        TeamPosts {
            app,
            store,
            schedules,
        }
    }

    async fn queue_posts(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        let Some(staffing) = self.app.staffing.get() else {
            return Ok(0);
        };
        let now = self.app.clock.now();
        let infos = staffing
            .staff
            .teams(tenant.platform, &tenant.external_id)
            .await
            .map_err(|e| StoreError::Other(e.0))?;
        let teams = self.store.teams(tenant.id).await?;
        let mut due = self.boards(tenant, &teams, &infos, now);
        due.extend(self.digests(tenant, &infos, now).await?);
        if due.is_empty() {
            return Ok(0);
        }
        let slots: Vec<NewSlot> = due.iter().map(|d| d.slot.clone()).collect();
        let ours = self.store.reserve(&slots, now).await?;
        let mut filled = Vec::with_capacity(ours.len());
        for (id, key) in ours {
            let Some(d) = due.iter().find(|d| d.slot.key == key) else {
                continue;
            };
            let reply = match d.what {
                Post::Board => board::for_team(&self.app, &d.team, View::Week).await,
                Post::Digest => digest(&self.app, &d.team).await,
            };
            let message = match reply {
                Ok(reply) => Some(Message {
                    platform: tenant.platform,
                    destination: d.to.clone(),
                    reply,
                    prompt_ref: None,
                }),
                Err(err) => {
                    tracing::error!(%err, "composing a team post failed; skipped today");
                    None
                }
            };
            filled.push((id, message));
        }
        let n = filled.iter().filter(|(_, m)| m.is_some()).count();
        self.store.fill(&filled).await?;
        Ok(n as u64)
    }

    /// Leaderboard posts due now: teams with a channel whose cron fired today.
    fn boards(
        &self,
        tenant: &Tenant,
        teams: &[Team],
        infos: &[TeamInfo],
        now: DateTime<Utc>,
    ) -> Vec<Due> {
        let mut out = Vec::new();
        for team in teams {
            let Some(channel) = &team.channel_id else {
                continue;
            };
            let cron = match team.leaderboard_cron.as_deref().map(CronSchedule::parse) {
                None => self.schedules.board.clone(),
                Some(Ok(c)) => c,
                Some(Err(err)) => {
                    tracing::warn!(team = team.id.0, %err, "team leaderboard cron unusable");
                    continue;
                }
            };
            let schedule = LearnerSchedule::new(cron);
            let Some(slot) = current_slot(&schedule, self.schedules.timezone, now) else {
                continue;
            };
            let Some(info) = infos.iter().find(|i| i.id == team.id) else {
                continue;
            };
            out.push(Due {
                slot: NewSlot {
                    key: SlotKey {
                        tenant: tenant.external_id.clone(),
                        schedule: format!("board:{}", team.id.0),
                        learner: format!("channel:{channel}"),
                        slot_date: slot.local_date,
                        kind: MessageKind::Notice,
                    },
                    due_at: slot.at_utc,
                },
                team: info.clone(),
                to: Destination::Channel {
                    channel: channel.clone(),
                },
                what: Post::Board,
            });
        }
        out
    }

    /// Digests due now: one per manager and managed team, on the manager's local day.
    async fn digests(
        &self,
        tenant: &Tenant,
        infos: &[TeamInfo],
        now: DateTime<Utc>,
    ) -> Result<Vec<Due>, StoreError> {
        let mut out = Vec::new();
        let schedule = LearnerSchedule::new(self.schedules.digest.clone());
        let roles = self.store.tenant_roles(tenant.id).await?;
        let managers: BTreeSet<_> = roles
            .iter()
            .filter(|r| matches!(r.kind, RoleKind::Manager | RoleKind::Admin))
            .map(|r| r.learner)
            .collect();
        if managers.is_empty() {
            return Ok(out);
        }
        for manager in self.store.learners(tenant.id).await? {
            if !managers.contains(&manager.id) {
                continue;
            }
            if manager.prefs.dm_closed || manager.prefs.notices.digest {
                continue;
            }
            // A manager who set no timezone gets the digest in the tenant's.
            let own = manager.prefs.chosen.timezone;
            let tz = own
                .then(|| parse_tz(&manager.prefs.timezone).ok())
                .flatten()
                .unwrap_or(self.schedules.timezone);
            let Some(slot) = current_slot(&schedule, tz, now) else {
                continue;
            };
            let managed = managed_by(&roles, &manager, infos);
            let key = LearnerKey {
                platform: tenant.platform,
                tenant: tenant.external_id.clone(),
                user: manager.platform_user.clone(),
            };
            for team in managed {
                out.push(Due {
                    slot: NewSlot {
                        key: SlotKey {
                            tenant: tenant.external_id.clone(),
                            schedule: format!("digest:{}", team.id.0),
                            learner: learner_slot_id(&key),
                            slot_date: slot.local_date,
                            kind: MessageKind::Notice,
                        },
                        due_at: slot.at_utc,
                    },
                    team,
                    to: Destination::Direct {
                        user: manager.platform_user.clone(),
                    },
                    what: Post::Digest,
                });
            }
        }
        Ok(out)
    }
}

#[async_trait::async_trait]
impl crate::delivery::notices::NoticeSource for TeamPosts {
    fn name(&self) -> &'static str {
        "team posts"
    }
    #[tracing::instrument(skip_all, fields(tenant = %tenant.external_id))]
    async fn queue(&self, tenant: &Tenant) -> Result<u64, StoreError> {
        self.queue_posts(tenant).await
    }
}

/// The teams a person manages according to our database (a platform role is checked
/// when they use a command; a digest goes to whoever holds the recorded grant).
fn managed_by(roles: &[Role], person: &Learner, infos: &[TeamInfo]) -> Vec<TeamInfo> {
    let mut everything = false;
    let mut ids = BTreeSet::new();
    for role in roles.iter().filter(|r| r.learner == person.id) {
        if !matches!(role.kind, RoleKind::Manager | RoleKind::Admin) {
            continue;
        }
        match &role.scope {
            RoleScope::Tenant => everything = true,
            RoleScope::Team(t) => {
                ids.insert(*t);
            }
            RoleScope::Skill(_) => {}
        }
    }
    infos
        .iter()
        .filter(|t| everything || ids.contains(&t.id))
        .cloned()
        .collect()
}

/// A manager's digest of one team: the summary's text and picture, headed as a digest.
pub async fn digest(app: &App, team: &TeamInfo) -> AppResult<Reply> {
    let summary = team::summary_of(app, team).await?;
    let mut blocks = vec![Block::Heading(format!(
        "Weekly digest: {}",
        text::name(&team.name)
    ))];
    blocks.extend(report::text::blocks(&summary));
    if let Some(image) = team::picture(&summary) {
        blocks.push(image);
    }
    Ok(Reply::private(blocks))
}

/// `/digest [TEAM]`: the digest on request, for the teams the caller manages.
pub async fn handle(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let teams = match super::access::managed_teams(staffing, actor).await? {
        Ok(teams) => teams,
        Err(denial) => return Ok(vec![Reply::text(denial.to_string())]),
    };
    let name = args.trim();
    let chosen: Vec<TeamInfo> = if name.is_empty() {
        teams
    } else {
        match super::access::pick(teams, name) {
            Ok(t) => vec![t],
            Err(denial) => return Ok(vec![Reply::text(denial.to_string())]),
        }
    };
    let mut out = Vec::with_capacity(chosen.len());
    for team in &chosen {
        out.push(digest(app, team).await?);
    }
    Ok(out)
}
