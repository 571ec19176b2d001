//! Escalation (SPEC §3.4): after an event, what to send and to whom, as pure decisions.
//!
//! [`decide`] maps a [`Trigger`] and a [`Context`] (the learner's stage, the skill's
//! resources, when each kind of action was last taken, opt-outs, thresholds) to a list of
//! [`Action`]s. Each action has an [`ActionKind`] whose [`ActionKind::as_str`] is the key
//! the store records with the time, so the next decision can honour the kind's cool-down.
//! Depends only on the content model; the caller supplies `now`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Resource, ResourceId, ResourceKind, Stage};

#[cfg(test)]
mod tests;

/// An event that may call for more than the next question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "trigger", rename_all = "snake_case")]
pub enum Trigger {
    WrongAnswer,
    /// The same item forgotten again; `lapses` counts all its lapses so far.
    RepeatedLapses {
        lapses: u32,
    },
    /// The item was suspended after too many lapses.
    Leech,
    StageChanged {
        from: Stage,
        to: Stage,
    },
    /// No stage change and no answers for `days`.
    Stalled {
        days: u32,
    },
}

/// What the service should do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "resource", rename_all = "snake_case")]
pub enum Action {
    /// The item's explanation, to the learner.
    SendExplanation,
    /// A resource of the skill that fits the learner's stage.
    SendResource(ResourceId),
    /// A short note suggesting a coach, a peer or a different approach.
    CoachingNudge,
    /// Ask the skill's experts to step in.
    NotifyExpert,
    /// Tell the learner's manager (after repeated lapses or a long stall).
    NotifyManager,
    /// Invite a new master to answer, review and propose questions.
    InviteToContribute,
}

/// The kind of an action: the unit of cool-downs and opt-outs, and the recorded key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Explanation,
    Resource,
    CoachingNudge,
    NotifyExpert,
    NotifyManager,
    InviteToContribute,
}

impl ActionKind {
    pub const ALL: [ActionKind; 6] = [
        ActionKind::Explanation,
        ActionKind::Resource,
        ActionKind::CoachingNudge,
        ActionKind::NotifyExpert,
        ActionKind::NotifyManager,
        ActionKind::InviteToContribute,
    ];

    /// The key the store records for this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Explanation => "explanation",
            ActionKind::Resource => "resource",
            ActionKind::CoachingNudge => "coaching_nudge",
            ActionKind::NotifyExpert => "notify_expert",
            ActionKind::NotifyManager => "notify_manager",
            ActionKind::InviteToContribute => "invite_to_contribute",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::SendExplanation => ActionKind::Explanation,
            Action::SendResource(_) => ActionKind::Resource,
            Action::CoachingNudge => ActionKind::CoachingNudge,
            Action::NotifyExpert => ActionKind::NotifyExpert,
            Action::NotifyManager => ActionKind::NotifyManager,
            Action::InviteToContribute => ActionKind::InviteToContribute,
        }
    }

    /// The key to record with the time the action was taken.
    pub fn key(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// When people other than the learner are involved, and how often each kind may repeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Lapses on one item before an expert is asked to help.
    pub expert_after_lapses: u32,
    /// Lapses on one item before the manager hears of it.
    pub manager_after_lapses: u32,
    /// Days without progress before the manager hears of it.
    pub manager_after_stalled_days: u32,
    /// Cool-down per kind, in hours; a kind not listed may repeat at once.
    pub cooldown_hours: BTreeMap<ActionKind, u32>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            expert_after_lapses: 3,
            manager_after_lapses: 5,
            manager_after_stalled_days: 14,
            cooldown_hours: BTreeMap::from([
                (ActionKind::Resource, 24),
                (ActionKind::CoachingNudge, 72),
                (ActionKind::NotifyExpert, 72),
                (ActionKind::NotifyManager, 7 * 24),
                (ActionKind::InviteToContribute, 30 * 24),
            ]),
        }
    }
}

impl Thresholds {
    pub fn cooldown(&self, kind: ActionKind) -> Duration {
        Duration::hours(i64::from(
            self.cooldown_hours.get(&kind).copied().unwrap_or(0),
        ))
    }
}

/// What a decision needs to know about one learner and one skill.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub stage: Stage,
    /// The skill's resources, in content order.
    pub resources: &'a [Resource],
    /// Resources already sent to this learner, most recent last: sent again only when
    /// nothing else fits.
    pub sent_resources: &'a [ResourceId],
    /// When each kind was last taken for this learner and skill.
    pub last: &'a BTreeMap<ActionKind, DateTime<Utc>>,
    /// Kinds the learner (or the organisation's policy) switched off.
    pub opted_out: &'a BTreeSet<ActionKind>,
    pub thresholds: &'a Thresholds,
}

/// The actions for `trigger`, minus those cooling down or opted out, in sending order.
pub fn decide(trigger: Trigger, ctx: &Context<'_>, now: DateTime<Utc>) -> Vec<Action> {
    let mut actions = Vec::new();
    for kind in wanted(trigger, ctx) {
        if ctx.opted_out.contains(&kind) || cooling_down(kind, ctx, now) {
            continue;
        }
        let action = match kind {
            ActionKind::Explanation => Some(Action::SendExplanation),
            ActionKind::Resource => pick_resource(ctx).map(Action::SendResource),
            ActionKind::CoachingNudge => Some(Action::CoachingNudge),
            ActionKind::NotifyExpert => Some(Action::NotifyExpert),
            ActionKind::NotifyManager => Some(Action::NotifyManager),
            ActionKind::InviteToContribute => Some(Action::InviteToContribute),
        };
        actions.extend(action);
    }
    actions
}

fn cooling_down(kind: ActionKind, ctx: &Context<'_>, now: DateTime<Utc>) -> bool {
    match ctx.last.get(&kind) {
        Some(&at) => now < at + ctx.thresholds.cooldown(kind),
        None => false,
    }
}

/// The kinds a trigger calls for before cool-downs and opt-outs. Pushes thin out as the
/// learner rises (SPEC §2): coaching nudges are for novices and competent learners.
fn wanted(trigger: Trigger, ctx: &Context<'_>) -> Vec<ActionKind> {
    use ActionKind::*;
    let th = ctx.thresholds;
    let early = ctx.stage <= Stage::Competent;
    match trigger {
        Trigger::WrongAnswer => vec![Explanation, Resource],
        Trigger::RepeatedLapses { lapses } => {
            let mut k = vec![Explanation, Resource];
            if early {
                k.push(CoachingNudge);
            }
            if lapses >= th.expert_after_lapses {
                k.push(NotifyExpert);
            }
            if lapses >= th.manager_after_lapses {
                k.push(NotifyManager);
            }
            k
        }
        Trigger::Leech => vec![Resource, CoachingNudge, NotifyExpert],
        Trigger::StageChanged { from, to } if to < from => vec![Resource, CoachingNudge],
        Trigger::StageChanged {
            to: Stage::Master, ..
        } => {
            vec![Resource, InviteToContribute]
        }
        Trigger::StageChanged { .. } => vec![Resource],
        Trigger::Stalled { days } => {
            let mut k = vec![CoachingNudge];
            if days >= th.manager_after_stalled_days {
                k.push(NotifyManager);
            }
            k
        }
    }
}

/// Rosenberg's table: the kinds of resource that serve each stage.
pub fn fits(kind: ResourceKind, stage: Stage) -> bool {
    use ResourceKind::*;
    match stage {
        Stage::Novice => matches!(kind, Course | Tutorial),
        Stage::Competent => matches!(kind, Practice | Coaching),
        Stage::Experienced => matches!(kind, JobAid | KnowledgeBase | Person),
        Stage::Master => matches!(kind, Community | Person),
    }
}

/// The best resource for the learner's stage: one authored for the stage, else one whose
/// kind fits it, else one for the stage below; unsent ones before ones already sent.
pub fn pick_resource(ctx: &Context<'_>) -> Option<ResourceId> {
    let rank = |r: &Resource| -> Option<u8> {
        if r.stage == ctx.stage {
            Some(0)
        } else if fits(r.kind, ctx.stage) {
            Some(1)
        } else if Some(r.stage) == ctx.stage.down() {
            Some(2)
        } else {
            None
        }
    };
    let sent_at = |r: &Resource| ctx.sent_resources.iter().rposition(|s| s == &r.id);
    ctx.resources
        .iter()
        .enumerate()
        .filter_map(|(i, r)| rank(r).map(|k| (sent_at(r), k, i, r)))
        // Never-sent first (None < Some), then the one sent longest ago.
        .min_by_key(|&(sent, k, i, _)| (sent.map_or(0, |p| p + 1), k, i))
        .map(|(_, _, _, r)| r.id.clone())
}
