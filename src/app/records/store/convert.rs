//! Conversions between the app's records and the store's rows. Pure.

use ladder_engine::escalation::ActionKind;
use ladder_engine::{ResourceId, SkillId};

use crate::app::action::PromptRef;
use crate::app::records::{
    Escalation, LearnerKey, Preferences, Prompt, PromptState, RecordsError, Result,
};
use crate::store::{self, PromptKind, PromptStatus};

pub(super) fn prefs_from(p: &store::Preferences) -> Preferences {
    let chosen = p.chosen;
    Preferences {
        timezone: chosen.timezone.then(|| p.timezone.clone()),
        time: chosen.time.then_some(p.time_of_day),
        days: chosen.days.then(|| p.days.clone()),
        daily_cap: chosen.cap.then_some(p.daily_review_cap),
        paused_until: p.paused_until,
        leaderboard: !p.leaderboard_opt_out,
        notices: p.notices,
        channel_mention: p.channel_mention,
        dm_closed: p.dm_closed,
    }
}

/// The app's preferences over the stored ones, keeping what the app does not manage. A
/// value not chosen keeps its stored placeholder and is flagged as not chosen.
pub(super) fn prefs_into(p: &Preferences, mut stored: store::Preferences) -> store::Preferences {
    stored.chosen = store::Chosen {
        timezone: p.timezone.is_some(),
        time: p.time.is_some(),
        days: p.days.is_some(),
        cap: p.daily_cap.is_some(),
    };
    if let Some(tz) = &p.timezone {
        stored.timezone = tz.clone();
    }
    if let Some(t) = p.time {
        stored.time_of_day = t;
    }
    if let Some(d) = &p.days {
        stored.days = d.clone();
    }
    if let Some(n) = p.daily_cap {
        stored.daily_review_cap = n;
    }
    stored.paused_until = p.paused_until;
    stored.leaderboard_opt_out = !p.leaderboard;
    stored.notices = p.notices;
    stored.channel_mention = p.channel_mention;
    stored
}

pub(super) fn prompt_from(p: store::Prompt, learner: LearnerKey) -> Result<Prompt> {
    let state = match p.status {
        // A newer push replaced it: that, not its age, is why it cannot be answered.
        s if s != PromptStatus::Answered && p.superseded_by.is_some() => PromptState::Replaced,
        s if s.is_open() => PromptState::Open,
        PromptStatus::Answered => PromptState::Answered,
        PromptStatus::Expired => PromptState::Expired,
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
        expires_at: p.expires_at,
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
