//! Conversions between the app's records and the store's rows. Pure.

use ladder_engine::escalation::ActionKind;
use ladder_engine::{ResourceId, SkillId};

use crate::app::action::PromptRef;
use crate::app::records::{
    Escalation, LearnerKey, Preferences, Prompt, PromptState, RecordsError, Result,
};
use crate::store::{self, PromptKind, PromptStatus};

pub(super) fn prefs_from(p: &store::Preferences) -> Preferences {
    Preferences {
        timezone: p.timezone.clone(),
        time: p.time_of_day,
        days: p.days.clone(),
        daily_cap: p.daily_review_cap,
        paused_until: p.paused_until,
        leaderboard: !p.leaderboard_opt_out,
        channel_mention: p.channel_mention,
        dm_closed: p.dm_closed,
    }
}

/// The app's preferences over the stored ones, keeping what the app does not manage.
pub(super) fn prefs_into(p: &Preferences, mut stored: store::Preferences) -> store::Preferences {
    stored.timezone = p.timezone.clone();
    stored.time_of_day = p.time;
    stored.days = p.days.clone();
    stored.daily_review_cap = p.daily_cap;
    stored.paused_until = p.paused_until;
    stored.leaderboard_opt_out = !p.leaderboard;
    stored.channel_mention = p.channel_mention;
    stored
}

pub(super) fn prompt_from(p: store::Prompt, learner: LearnerKey) -> Result<Prompt> {
    let state = match p.status {
        s if s.is_open() => PromptState::Open,
        PromptStatus::Answered => PromptState::Answered,
        _ => PromptState::Replaced,
    };
    Ok(Prompt {
        id: PromptRef::parse(&p.id.to_string()).map_err(|e| RecordsError(e.to_string()))?,
        learner,
        item: p.item,
        variant: p.variant.map(|v| v as usize),
        seed: p.seed,
        pushed: p.kind == PromptKind::Daily,
        created_at: p.created_at,
        revealed_at: p.revealed_at,
        state,
    })
}

pub(super) fn prompt_id(id: &PromptRef) -> Option<store::PromptId> {
    id.as_str().parse().ok().map(store::PromptId)
}

/// Escalation keys are `skill` or `skill/resource` (ids never contain `/`).
pub(super) fn escalation_key(e: &Escalation) -> String {
    match &e.resource {
        Some(r) => format!("{}/{r}", e.skill),
        None => e.skill.to_string(),
    }
}

pub(super) fn escalation_from(e: store::Escalation) -> Option<Escalation> {
    let (skill, resource) = match e.key.split_once('/') {
        Some((s, r)) => (s, Some(ResourceId::parse(r).ok()?)),
        None => (e.key.as_str(), None),
    };
    Some(Escalation {
        skill: SkillId::parse(skill).ok()?,
        kind: ActionKind::parse(&e.kind)?,
        resource,
        at: e.at,
    })
}
