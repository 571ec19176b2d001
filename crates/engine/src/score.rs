//! Leaderboard scoring that rewards mastery gained and kept in a period, not volume.
//!
//! A learner earns points for stage-ups (and loses them for demotions), for stability
//! growth on spaced reviews (log-scaled, and capped per day so cramming cannot win), and
//! for retention held (items still above the target retrievability at the end of the
//! period). Ties are broken by retention, then by who got there first, then by a stable
//! hash of the id — never by how many reviews someone did. Pure functions over plain
//! inputs: the caller gathers the events and the retention snapshot; nothing here reads a
//! clock or a store.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::model::Stage;

#[cfg(test)]
mod tests;

/// How many points each thing is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreRules {
    /// Points for reaching each stage, indexed novice..master (novice is never reached by
    /// a stage-up, so its entry is unused).
    pub stage_points: [f64; 4],
    /// Points per e-fold of stability growth on one review.
    pub points_per_stability_efold: f64,
    /// Most stability points one learner can earn in one (local) day.
    pub daily_stability_cap: f64,
    /// Points per item still at or above the target retrievability at the period's end.
    pub points_per_item_held: f64,
}

impl Default for ScoreRules {
    fn default() -> Self {
        ScoreRules {
            stage_points: [0.0, 10.0, 20.0, 40.0],
            points_per_stability_efold: 2.0,
            daily_stability_cap: 10.0,
            points_per_item_held: 1.0,
        }
    }
}

/// One review of an item the learner had seen before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewGain {
    pub at: DateTime<Utc>,
    /// The learner's local calendar day of the review (the daily cap is per local day).
    pub day: NaiveDate,
    /// Stability before the review, in days; `None` for an item's first review, which
    /// earns nothing (introducing items is volume, not mastery).
    pub stability_before_days: Option<f64>,
    pub stability_after_days: f64,
}

/// One stage change of one skill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StageEvent {
    pub at: DateTime<Utc>,
    pub from: Stage,
    pub to: Stage,
}

/// Items above target at the end of the period, out of all introduced items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct RetentionSnapshot {
    pub held: u32,
    pub introduced: u32,
}

impl RetentionSnapshot {
    /// Share of introduced items held, 0 when none were introduced.
    pub fn fraction(&self) -> f64 {
        if self.introduced == 0 {
            0.0
        } else {
            f64::from(self.held) / f64::from(self.introduced)
        }
    }
}

/// Everything the score needs about one learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerActivity {
    /// The store's stable id (opaque here; only hashed for tie-breaking).
    pub id: String,
    pub name: String,
    /// Opted out of the leaderboard.
    pub opted_out: bool,
    pub reviews: Vec<ReviewGain>,
    pub stage_events: Vec<StageEvent>,
    /// As of the period's end.
    pub retention: RetentionSnapshot,
}

/// The time span a board covers: `[from, until)`; `from: None` is all time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
}

impl Period {
    /// The seven days starting at `start`.
    pub fn week(start: DateTime<Utc>) -> Period {
        Period {
            from: Some(start),
            until: start + Duration::days(7),
        }
    }
    pub fn all_time(until: DateTime<Utc>) -> Period {
        Period { from: None, until }
    }
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        !matches!(self.from, Some(f) if at < f) && at < self.until
    }
}

/// A learner's points by source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub stages: f64,
    pub stability: f64,
    pub retention: f64,
    pub total: f64,
    /// When the learner last earned points in the period (the tie-break "who got there
    /// first"); `None` when nothing was earned.
    pub reached_at: Option<DateTime<Utc>>,
}

/// A learner's score over `period`.
pub fn score(learner: &LearnerActivity, period: &Period, rules: &ScoreRules) -> Breakdown {
    let mut reached_at: Option<DateTime<Utc>> = None;
    let mut note = |at: DateTime<Utc>| reached_at = Some(reached_at.map_or(at, |r| r.max(at)));

    let mut stages = 0.0;
    for e in learner
        .stage_events
        .iter()
        .filter(|e| period.contains(e.at))
    {
        if e.to > e.from {
            stages += rules.stage_points[e.to.index()];
            note(e.at);
        } else if e.to < e.from {
            stages -= rules.stage_points[e.from.index()];
        }
    }

    let mut per_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for r in learner.reviews.iter().filter(|r| period.contains(r.at)) {
        let gain = stability_points(r, rules);
        if gain > 0.0 {
            let day = per_day.entry(r.day).or_insert(0.0);
            // Only a review that still earns something under the cap moves "reached at".
            if *day < rules.daily_stability_cap {
                note(r.at);
            }
            *day += gain;
        }
    }
    let stability: f64 = per_day
        .values()
        .map(|p| p.min(rules.daily_stability_cap))
        // fold from +0.0: an empty float `sum` is -0.0, which would print as "-0".
        .fold(0.0, |a, b| a + b);

    let retention = f64::from(learner.retention.held) * rules.points_per_item_held;
    Breakdown {
        stages,
        stability,
        retention,
        total: stages + stability + retention,
        reached_at,
    }
}

fn stability_points(r: &ReviewGain, rules: &ScoreRules) -> f64 {
    match r.stability_before_days {
        Some(before) if before.is_finite() && r.stability_after_days.is_finite() => {
            let growth =
                (1.0 + r.stability_after_days.max(0.0)).ln() - (1.0 + before.max(0.0)).ln();
            growth.max(0.0) * rules.points_per_stability_efold
        }
        _ => 0.0,
    }
}

/// What to do with learners who opted out of the leaderboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptOutPolicy {
    Hide,
    /// Keep the row (others see where they stand) without the name or id.
    Anonymise,
}

/// One row of a leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based; unique (ties are broken, never shared).
    pub rank: u32,
    /// `None` for an anonymised learner.
    pub id: Option<String>,
    /// "Anonymous learner" for an anonymised learner.
    pub name: String,
    pub score: Breakdown,
    pub retention: f64,
}

/// The ranked board over `period`.
pub fn leaderboard(
    learners: &[LearnerActivity],
    period: &Period,
    rules: &ScoreRules,
    policy: OptOutPolicy,
) -> Vec<Entry> {
    let mut rows: Vec<(&LearnerActivity, Breakdown)> = learners
        .iter()
        .filter(|l| !(l.opted_out && policy == OptOutPolicy::Hide))
        .map(|l| (l, score(l, period, rules)))
        .collect();
    rows.sort_by(|a, b| compare(a.0, &a.1, b.0, &b.1));
    rows.into_iter()
        .enumerate()
        .map(|(i, (l, s))| Entry {
            rank: i as u32 + 1,
            id: (!l.opted_out).then(|| l.id.clone()),
            name: if l.opted_out {
                "Anonymous learner".to_owned()
            } else {
                l.name.clone()
            },
            score: s,
            retention: l.retention.fraction(),
        })
        .collect()
}

/// Higher total first; then higher retention; then earlier achievement; then the hash.
fn compare(a: &LearnerActivity, sa: &Breakdown, b: &LearnerActivity, sb: &Breakdown) -> Ordering {
    // Round so that float noise in sums never decides a rank.
    let round = |x: f64| (x * 1e6).round() as i64;
    round(sb.total)
        .cmp(&round(sa.total))
        .then_with(|| round(b.retention.fraction()).cmp(&round(a.retention.fraction())))
        .then_with(|| match (sa.reached_at, sb.reached_at) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| id_hash(&a.id).cmp(&id_hash(&b.id)))
        .then_with(|| a.id.cmp(&b.id))
}

/// FNV-1a: stable across runs and platforms, unlike the standard library's hasher, and
/// unrelated to sign-up order or name, so no one systematically wins ties.
pub fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A team's score: the mean over all members, counting those who have not started as 0,
/// so a team cannot rise by leaving its stragglers out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TeamScore {
    pub members: u32,
    pub started: u32,
    pub mean: f64,
}

pub fn team_score(members: &[LearnerActivity], period: &Period, rules: &ScoreRules) -> TeamScore {
    let totals: Vec<f64> = members
        .iter()
        .map(|m| score(m, period, rules).total)
        .collect();
    let started = members
        .iter()
        .filter(|m| m.retention.introduced > 0 || !m.reviews.is_empty())
        .count() as u32;
    TeamScore {
        members: members.len() as u32,
        started,
        mean: if totals.is_empty() {
            0.0
        } else {
            totals.iter().sum::<f64>() / totals.len() as f64
        },
    }
}
