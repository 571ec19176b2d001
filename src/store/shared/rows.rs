//! Private row structs shared by both backends (sqlx's `FromRow` derive is generic over the
//! row type) and their checked conversion into domain values.
//!
//! A row that does not convert (an unknown verdict, an invalid id) is reported as
//! `StoreError::Other`: it means the database was edited by hand or a migration is missing.

use chrono::{DateTime, NaiveTime, Utc};
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::{Memory, Rating};
use ladder_engine::{ItemId, SkillId, Stage};

use crate::store::prompts::{Prompt, PromptKind, PromptStatus};
use crate::store::types::*;
use crate::store::StoreError;

mod progress;
pub(crate) use progress::*;

fn bad(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {what} \"{value}\" is not valid"))
}

pub(crate) fn item(s: &str) -> Result<ItemId, StoreError> {
    ItemId::parse(s).map_err(|_| bad("item id", s))
}
pub(crate) fn skill(s: &str) -> Result<SkillId, StoreError> {
    SkillId::parse(s).map_err(|_| bad("skill id", s))
}
pub(crate) fn stage(s: &str) -> Result<Stage, StoreError> {
    Stage::parse(s).map_err(|_| bad("stage", s))
}
pub(crate) fn verdict(s: &str) -> Result<Verdict, StoreError> {
    Verdict::parse(s).map_err(|_| bad("verdict", s))
}
pub(crate) fn rating(n: Option<i64>) -> Result<Option<Rating>, StoreError> {
    n.map(|n| {
        u8::try_from(n)
            .ok()
            .and_then(Rating::from_u8)
            .ok_or_else(|| bad("rating", n))
    })
    .transpose()
}
pub(crate) fn json(s: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|_| bad("json", s))
}
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: i64,
    platform: String,
    external_id: String,
    name: String,
}

impl TenantRow {
    pub(crate) fn into_domain(self) -> Result<Tenant, StoreError> {
        Ok(Tenant {
            id: TenantId(self.id),
            platform: parse_platform(&self.platform)
                .ok_or_else(|| bad("platform", &self.platform))?,
            external_id: self.external_id,
            name: self.name,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LearnerRow {
    id: i64,
    tenant_id: i64,
    platform_user: String,
    display_name: String,
    timezone: String,
    time_of_day: String,
    days_mask: i64,
    daily_new_cap: i64,
    daily_review_cap: i64,
    paused_until: Option<DateTime<Utc>>,
    leaderboard_opt_out: bool,
    dm_closed: bool,
    channel_mention: bool,
    joined_at: DateTime<Utc>,
    chose_timezone: bool,
    chose_time: bool,
    chose_days: bool,
    chose_cap: bool,
    mute_manager_notices: bool,
    mute_expert_notices: bool,
    mute_digests: bool,
}

/// The column list matching [`LearnerRow`] (unqualified: no joined table shares a name).
pub(crate) const LEARNER_COLUMNS: &str = "id, tenant_id, platform_user, display_name, \
    timezone, time_of_day, days_mask, daily_new_cap, daily_review_cap, paused_until, \
    leaderboard_opt_out, dm_closed, channel_mention, joined_at, chose_timezone, chose_time, \
    chose_days, chose_cap, mute_manager_notices, mute_expert_notices, mute_digests";

impl LearnerRow {
    /// The row's id, for naming a row that does not decode without naming the person.
    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    pub(crate) fn into_domain(self) -> Result<Learner, StoreError> {
        let time = NaiveTime::parse_from_str(&self.time_of_day, "%H:%M:%S")
            .map_err(|_| bad("time of day", &self.time_of_day))?;
        Ok(Learner {
            id: LearnerId(self.id),
            tenant: TenantId(self.tenant_id),
            platform_user: self.platform_user,
            display_name: self.display_name,
            prefs: Preferences {
                timezone: self.timezone,
                time_of_day: time,
                days: bits_to_days(self.days_mask),
                daily_new_cap: count(self.daily_new_cap),
                daily_review_cap: count(self.daily_review_cap),
                paused_until: self.paused_until,
                leaderboard_opt_out: self.leaderboard_opt_out,
                notices: NoticeOptOuts {
                    manager: self.mute_manager_notices,
                    expert: self.mute_expert_notices,
                    digest: self.mute_digests,
                },
                chosen: Chosen {
                    timezone: self.chose_timezone,
                    time: self.chose_time,
                    days: self.chose_days,
                    cap: self.chose_cap,
                },
                dm_closed: self.dm_closed,
                channel_mention: self.channel_mention,
            },
            joined_at: self.joined_at,
        })
    }
}

/// The stored text form of a time of day.
pub(crate) fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

#[derive(sqlx::FromRow)]
pub(crate) struct TeamRow {
    id: i64,
    tenant_id: i64,
    name: String,
    channel_id: Option<String>,
    prompt_cron: Option<String>,
    leaderboard_cron: Option<String>,
}

impl TeamRow {
    pub(crate) fn into_domain(self) -> Team {
        Team {
            id: TeamId(self.id),
            tenant: TenantId(self.tenant_id),
            name: self.name,
            channel_id: self.channel_id,
            prompt_cron: self.prompt_cron,
            leaderboard_cron: self.leaderboard_cron,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoleRow {
    learner_id: i64,
    kind: String,
    scope: String,
    scope_ref: String,
}

impl RoleRow {
    pub(crate) fn into_domain(self) -> Result<Role, StoreError> {
        let scope = match self.scope.as_str() {
            "tenant" => RoleScope::Tenant,
            "team" => RoleScope::Team(TeamId(
                self.scope_ref
                    .parse()
                    .map_err(|_| bad("team", &self.scope_ref))?,
            )),
            "skill" => RoleScope::Skill(skill(&self.scope_ref)?),
            other => return Err(bad("role scope", other)),
        };
        Ok(Role {
            learner: LearnerId(self.learner_id),
            kind: RoleKind::parse(&self.kind).ok_or_else(|| bad("role", &self.kind))?,
            scope,
        })
    }
}

/// The (scope, scope_ref) columns of a role.
pub(crate) fn role_scope(scope: &RoleScope) -> (&'static str, String) {
    match scope {
        RoleScope::Tenant => ("tenant", String::new()),
        RoleScope::Team(t) => ("team", t.0.to_string()),
        RoleScope::Skill(s) => ("skill", s.to_string()),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemoryRow {
    item_id: String,
    stability: f64,
    difficulty: f64,
    last_review: DateTime<Utc>,
    due: DateTime<Utc>,
    reps: i64,
    lapses: i64,
    suspended: bool,
}

impl MemoryRow {
    pub(crate) fn into_domain(self) -> Result<(ItemId, Memory), StoreError> {
        Ok((
            item(&self.item_id)?,
            Memory {
                stability: self.stability,
                difficulty: self.difficulty,
                last_review: self.last_review,
                due: self.due,
                reps: count(self.reps),
                lapses: count(self.lapses),
                suspended: self.suspended,
            },
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PromptRow {
    id: i64,
    pub(crate) learner_id: i64,
    item_id: String,
    variant: Option<i64>,
    seed: i64,
    kind: String,
    slot_key: Option<String>,
    created_at: DateTime<Utc>,
    revealed_at: Option<DateTime<Utc>>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) superseded_by: Option<i64>,
    pub(crate) status: String,
    attempt: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    platform_message_id: Option<String>,
}

pub(crate) const PROMPT_COLUMNS: &str = "id, learner_id, item_id, variant, seed, kind, slot_key, \
    created_at, revealed_at, expires_at, superseded_by, status, attempt, next_attempt_at, \
    last_error, platform_message_id";

impl PromptRow {
    pub(crate) fn into_domain(self) -> Result<Prompt, StoreError> {
        Ok(Prompt {
            id: PromptId(self.id),
            learner: LearnerId(self.learner_id),
            item: item(&self.item_id)?,
            variant: self.variant.map(count),
            // Stored as the same 64 bits: Postgres has no unsigned integers.
            seed: self.seed as u64,
            kind: PromptKind::parse(&self.kind).ok_or_else(|| bad("prompt kind", &self.kind))?,
            slot_key: self.slot_key,
            created_at: self.created_at,
            revealed_at: self.revealed_at,
            expires_at: self.expires_at,
            superseded_by: self.superseded_by.map(PromptId),
            status: PromptStatus::parse(&self.status)
                .ok_or_else(|| bad("prompt status", &self.status))?,
            attempt: count(self.attempt),
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            platform_message_id: self.platform_message_id,
        })
    }
}
