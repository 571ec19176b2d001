//! The values the store traits speak: database ids as newtypes, the directory (tenants,
//! learners, teams, roles) and small enums stored as text.
//!
//! Plain data with serde, no I/O. Row structs of each backend stay private to the backend
//! and convert into these.

use chrono::{DateTime, NaiveTime, Utc, Weekday};
use ladder_engine::{SkillId, TrackId};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::platform::Platform;

macro_rules! db_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

db_id!(
    /// A workspace on one platform: a Discord guild, a Slack workspace, the local playground.
    TenantId
);
db_id!(
    /// A person inside one tenant.
    LearnerId
);
db_id!(
    /// A team or cohort inside one tenant.
    TeamId
);
db_id!(
    /// One question put to one learner.
    PromptId
);
db_id!(
    /// One row of the append-only review log.
    ReviewId
);
db_id!(
    /// An expert's or master's contribution (answer, review, proposal).
    ContributionId
);
db_id!(
    /// A question a learner raised for the experts.
    QuestionId
);

/// Parses a platform name as stored in the database.
pub fn parse_platform(s: &str) -> Option<Platform> {
    match s {
        "local" => Some(Platform::Local),
        "discord" => Some(Platform::Discord),
        "slack" => Some(Platform::Slack),
        "teams" => Some(Platform::Teams),
        _ => None,
    }
}

/// A tenant: one platform plus the platform's own id for the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub platform: Platform,
    pub external_id: String,
    pub name: String,
}

/// When and how much a learner wants to practise, and what they opted out of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// IANA timezone name, validated by the caller (chrono-tz).
    pub timezone: String,
    pub time_of_day: NaiveTime,
    pub days: Vec<Weekday>,
    pub daily_new_cap: u32,
    pub daily_review_cap: u32,
    pub paused_until: Option<DateTime<Utc>>,
    pub leaderboard_opt_out: bool,
    /// Which kinds of notices the person turned off (`/settings notices …`).
    pub notices: NoticeOptOuts,
    /// Which of the schedule values above the learner chose; the others follow the
    /// tenant's `[schedules]` and are stored only as placeholders.
    pub chosen: Chosen,
    /// The platform refused our last DM (the user closed DMs): stop pushing until they
    /// talk to the bot again.
    pub dm_closed: bool,
    /// Ping the learner (their own mention, nobody else's) on the channel notice that
    /// stands in for a DM while their DMs are closed.
    pub channel_mention: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            timezone: "UTC".into(),
            time_of_day: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            daily_new_cap: 2,
            daily_review_cap: 3,
            paused_until: None,
            leaderboard_opt_out: false,
            notices: NoticeOptOuts::default(),
            chosen: Chosen::default(),
            dm_closed: false,
            channel_mention: false,
        }
    }
}

/// Notices a person can turn off, one switch per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoticeOptOuts {
    /// "A learner of your team is struggling" notifications to managers.
    pub manager: bool,
    /// "A learner keeps missing questions in your skill" notifications to experts.
    pub expert: bool,
    /// Managers' weekly digests.
    pub digest: bool,
}

impl NoticeOptOuts {
    pub const ALL: NoticeOptOuts = NoticeOptOuts {
        manager: true,
        expert: true,
        digest: true,
    };
}

/// Which parts of their schedule a learner set themselves (false: the tenant's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Chosen {
    pub timezone: bool,
    pub time: bool,
    pub days: bool,
    /// The daily cap (`daily_review_cap` holds the learner's number).
    pub cap: bool,
}

/// Days of week as a bit set (Monday = bit 0) so that one integer column holds them.
pub(crate) fn days_to_bits(days: &[Weekday]) -> i64 {
    days.iter()
        .fold(0, |acc, d| acc | (1 << d.num_days_from_monday()))
}

pub(crate) fn bits_to_days(bits: i64) -> Vec<Weekday> {
    let all = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    all.into_iter()
        .filter(|d| bits & (1 << d.num_days_from_monday()) != 0)
        .collect()
}

/// A learner who joined (opted in) within one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learner {
    pub id: LearnerId,
    pub tenant: TenantId,
    /// The platform's user id (a Discord snowflake, a Slack user id, a local name).
    pub platform_user: String,
    pub display_name: String,
    pub prefs: Preferences,
    pub joined_at: DateTime<Utc>,
}

/// What a new learner brings; the store fills in the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLearner {
    pub tenant: TenantId,
    pub platform_user: String,
    pub display_name: String,
    pub prefs: Preferences,
    pub joined_at: DateTime<Utc>,
}

/// What someone may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleKind {
    Learner,
    Manager,
    Expert,
    Admin,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Learner => "learner",
            RoleKind::Manager => "manager",
            RoleKind::Expert => "expert",
            RoleKind::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "learner" => Some(RoleKind::Learner),
            "manager" => Some(RoleKind::Manager),
            "expert" => Some(RoleKind::Expert),
            "admin" => Some(RoleKind::Admin),
            _ => None,
        }
    }
}

/// Where a role applies: the whole tenant, one team, or one skill (an expert in phishing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleScope {
    Tenant,
    Team(TeamId),
    Skill(SkillId),
}

/// One role grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub learner: LearnerId,
    pub kind: RoleKind,
    pub scope: RoleScope,
}

/// A team or cohort: membership, the channel its leaderboard goes to and its schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub tenant: TenantId,
    pub name: String,
    pub channel_id: Option<String>,
    /// Cron expression (seconds first) for the daily push, in each learner's timezone.
    pub prompt_cron: Option<String>,
    /// Cron expression for posting the leaderboard to `channel_id`.
    pub leaderboard_cron: Option<String>,
}

/// What a new team brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    pub tenant: TenantId,
    pub name: String,
    pub channel_id: Option<String>,
    pub prompt_cron: Option<String>,
    pub leaderboard_cron: Option<String>,
}

/// One enrolment of a learner in a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub track: TrackId,
    pub enrolled_at: DateTime<Utc>,
}
