//! The evidence behind a stage: what was counted, what is still missing, and the one
//! sentence that explains it to the learner.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::{
    reduce, Attempt, Calculation, Direction, ItemMemory, MasteryRules, PromotionRule, StageChange,
};
use crate::model::{ItemId, Stage};

/// The recent answers at one item level, reduced by a rule's calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelRecord {
    /// The item level counted (novice = recall items, ...).
    pub level: Stage,
    pub calculation: Calculation,
    /// Attempts in the window.
    pub considered: u32,
    pub correct: u32,
    /// The calculation's score, 0..=1.
    pub score: f64,
    /// Distinct calendar days (UTC) the counted answers were spread over.
    pub days: u32,
}

/// One condition of a promotion rule that is not met yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    /// Fewer attempts than the rule's `min_attempts`.
    Answers {
        more: u32,
        level: Stage,
    },
    /// The calculation's score is under `min_score`.
    Score {
        have: f64,
        need: f64,
    },
    /// `NTimes`: this many more answers scoring at least `at`.
    GoodAnswers {
        more: u32,
        at: f64,
    },
    /// Core items not yet answered right after a spaced gap.
    CoreSpacing {
        items: u32,
        gap_days: f64,
    },
    /// Median stability of the level's items, in days.
    Stability {
        have: f64,
        need: f64,
    },
    /// Median latency as a multiple of the fluency threshold (`None`: never measured).
    Fluency {
        median_ratio: Option<f64>,
    },
    Contributions {
        more: u32,
    },
}

/// How far the learner is from the next stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub target: Stage,
    pub record: LevelRecord,
    /// Empty when every condition holds (the next evaluation promotes).
    pub missing: Vec<Missing>,
}

/// Predicted retrievability of the items at or below the learner's stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionCheck {
    pub mean: f64,
    pub floor: f64,
    pub items: u32,
}

impl RetentionCheck {
    pub fn below_floor(&self) -> bool {
        self.mean < self.floor
    }
}

/// Why the learner holds their stage, recorded with every evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub stage: Stage,
    pub change: Option<StageChange>,
    /// The answers at the level below the stage (what earned it); `None` for novices.
    pub record: Option<LevelRecord>,
    /// Towards the next stage; `None` for masters.
    pub progress: Option<Progress>,
    /// Set when retention decided a demotion.
    pub retention: Option<RetentionCheck>,
}

impl Evidence {
    /// One plain sentence for the learner, e.g. "competent in Joins: 9 of your last 10
    /// recall answers right, spaced over 6 days. To reach experienced: 3 more application
    /// answers; median stability 12 of 21 days."
    pub fn sentence(&self, skill_title: &str) -> String {
        let mut out = format!("{} in {}: ", self.stage, skill_title);
        match (&self.retention, self.change) {
            (Some(r), Some(c)) if c.direction == Direction::Down => out.push_str(&format!(
                "down from {} because your predicted recall of the {} question{} you had learned fell to {:.0}%, under {:.0}%",
                c.from,
                r.items,
                plural(r.items),
                r.mean * 100.0,
                r.floor * 100.0
            )),
            _ => match self.record.as_ref().or(self.progress.as_ref().map(|p| &p.record)) {
                Some(rec) => out.push_str(&record_phrase(rec)),
                None => out.push_str("no answers yet"),
            },
        }
        out.push('.');
        match &self.progress {
            Some(p) if !p.missing.is_empty() => {
                let parts: Vec<String> = p.missing.iter().map(missing_phrase).collect();
                out.push_str(&format!(" To reach {}: {}.", p.target, parts.join("; ")));
            }
            Some(p) => out.push_str(&format!(" Ready for {} at the next check.", p.target)),
            None => {}
        }
        out
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn record_phrase(rec: &LevelRecord) -> String {
    if rec.considered == 0 {
        return format!("no {} answers yet", rec.level.evidence());
    }
    let mut s = format!(
        "{} of your last {} {} answers right",
        rec.correct,
        rec.considered,
        rec.level.evidence()
    );
    if rec.days > 1 {
        s.push_str(&format!(", spaced over {} days", rec.days));
    }
    s
}

fn missing_phrase(m: &Missing) -> String {
    match m {
        Missing::Answers { more, level } => {
            format!("{more} more {} answer{}", level.evidence(), plural(*more))
        }
        Missing::Score { have, need } => {
            format!("score {:.0}% of {:.0}% needed", have * 100.0, need * 100.0)
        }
        Missing::GoodAnswers { more, at } => format!(
            "{more} more answer{} scoring at least {:.0}%",
            plural(*more),
            at * 100.0
        ),
        Missing::CoreSpacing { items, gap_days } => format!(
            "{items} core question{} to answer right again after a gap of at least {} day{}",
            plural(*items),
            fmt_days(*gap_days),
            if (*gap_days - 1.0).abs() < 1e-9 {
                ""
            } else {
                "s"
            }
        ),
        Missing::Stability { have, need } => format!(
            "median stability {} of {} days",
            fmt_days(*have),
            fmt_days(*need)
        ),
        Missing::Fluency { median_ratio: None } => "answer times not measured yet".to_owned(),
        Missing::Fluency {
            median_ratio: Some(r),
        } => format!("quicker answers (median {r:.1}× the fluency time)"),
        Missing::Contributions { more } => {
            format!("{more} more accepted contribution{}", plural(*more))
        }
    }
}

fn fmt_days(d: f64) -> String {
    if (d - d.round()).abs() < 0.05 {
        format!("{}", d.round() as i64)
    } else {
        format!("{d:.1}")
    }
}

/// The last `window` attempts at items of `level`, oldest first.
fn window(attempts: &[Attempt], level: Stage, window: u32) -> Vec<&Attempt> {
    let mut picked: Vec<&Attempt> = attempts
        .iter()
        .rev()
        .filter(|a| a.item_stage == level)
        .take(window.max(1) as usize)
        .collect();
    picked.reverse();
    picked
}

fn level_record(rule: &PromotionRule, level: Stage, picked: &[&Attempt]) -> LevelRecord {
    let scores: Vec<f64> = picked.iter().map(|a| a.score).collect();
    let days: BTreeSet<_> = picked.iter().map(|a| a.at.date_naive()).collect();
    LevelRecord {
        level,
        calculation: rule.calculation,
        considered: picked.len() as u32,
        correct: picked.iter().filter(|a| a.correct).count() as u32,
        score: reduce(rule.calculation, &scores, rule.min_score),
        days: days.len() as u32,
    }
}

/// The record at `level` under the rule that leads out of it.
pub(super) fn record(rules: &MasteryRules, level: Stage, attempts: &[Attempt]) -> LevelRecord {
    let rule = rules.promotion_from(level).cloned().unwrap_or_default();
    level_record(&rule, level, &window(attempts, level, rule.window))
}

/// Checks every condition of `rule` for a learner at `current`.
pub(super) fn progress(
    rule: &PromotionRule,
    current: Stage,
    attempts: &[Attempt],
    memories: &[ItemMemory],
    contributions: u32,
) -> Progress {
    let picked = window(attempts, current, rule.window);
    let record = level_record(rule, current, &picked);
    let mut missing = record_missing(rule, &record);
    if rule.core_gap_days > 0.0 {
        let items = unspaced_core_items(attempts, current, rule.core_gap_days);
        if items > 0 {
            missing.push(Missing::CoreSpacing {
                items,
                gap_days: rule.core_gap_days,
            });
        }
    }
    missing.extend(stability_missing(rule, current, memories));
    missing.extend(fluency_missing(rule, &picked));
    if contributions < rule.min_contributions {
        missing.push(Missing::Contributions {
            more: rule.min_contributions - contributions,
        });
    }
    Progress {
        target: current.up().unwrap_or(Stage::Master),
        record,
        missing,
    }
}

/// Too few answers, or a score under the rule's bar.
fn record_missing(rule: &PromotionRule, record: &LevelRecord) -> Vec<Missing> {
    let mut missing = Vec::new();
    if record.considered < rule.min_attempts {
        missing.push(Missing::Answers {
            more: rule.min_attempts - record.considered,
            level: record.level,
        });
    }
    if !rule.calculation.passes(record.score, rule.min_score) {
        missing.push(match rule.calculation {
            Calculation::NTimes { n } => Missing::GoodAnswers {
                more: n - ((record.score * f64::from(n)).round() as u32).min(n),
                at: rule.min_score,
            },
            _ => Missing::Score {
                have: record.score,
                need: rule.min_score,
            },
        });
    }
    missing
}

fn stability_missing(
    rule: &PromotionRule,
    level: Stage,
    memories: &[ItemMemory],
) -> Option<Missing> {
    if rule.min_median_stability_days <= 0.0 {
        return None;
    }
    let at_level = memories.iter().filter(|m| m.item_stage == level);
    let have = median(at_level.map(|m| m.stability_days)).unwrap_or(0.0);
    (have < rule.min_median_stability_days).then_some(Missing::Stability {
        have,
        need: rule.min_median_stability_days,
    })
}

/// Latency relative to each item's own threshold, so quick true/false items and slow
/// ordering items are judged alike.
fn fluency_missing(rule: &PromotionRule, picked: &[&Attempt]) -> Option<Missing> {
    if !rule.require_fluency {
        return None;
    }
    let ratios = picked
        .iter()
        .filter_map(|a| a.latency_secs.map(|l| l / f64::from(a.fluency_secs.max(1))));
    let ratio = median(ratios);
    (!matches!(ratio, Some(r) if r < 1.0)).then_some(Missing::Fluency {
        median_ratio: ratio,
    })
}

/// Core items of `level` with no right answer given at least `gap_days` after the
/// previous attempt at the same item. A first attempt has no gap: seeing an item once
/// and answering it right straight away proves nothing about keeping it.
fn unspaced_core_items(attempts: &[Attempt], level: Stage, gap_days: f64) -> u32 {
    let mut state: BTreeMap<&ItemId, (Option<chrono::DateTime<chrono::Utc>>, bool)> =
        BTreeMap::new();
    for a in attempts.iter().filter(|a| a.core && a.item_stage == level) {
        let entry = state.entry(&a.item).or_insert((None, false));
        if let Some(prev) = entry.0 {
            let gap = (a.at - prev).num_seconds() as f64 / 86_400.0;
            if a.correct && gap + 1e-9 >= gap_days {
                entry.1 = true;
            }
        }
        entry.0 = Some(a.at);
    }
    state.values().filter(|(_, spaced)| !spaced).count() as u32
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    // For an odd count both indices are the middle; for an even one, the two middles.
    let (lo, hi) = (v[(v.len() - 1) / 2], v[v.len() / 2]);
    Some((lo + hi) / 2.0)
}

/// Mean retrievability of the items at or below `current`; `None` for novices (nothing
/// to fall from) or when no item has a memory state yet.
pub(super) fn retention(
    current: Stage,
    memories: &[ItemMemory],
    floor: f64,
) -> Option<RetentionCheck> {
    if current == Stage::Novice {
        return None;
    }
    let held: Vec<f64> = memories
        .iter()
        .filter(|m| m.item_stage <= current)
        .map(|m| m.retrievability)
        .collect();
    if held.is_empty() {
        return None;
    }
    Some(RetentionCheck {
        mean: held.iter().sum::<f64>() / held.len() as f64,
        floor,
        items: held.len() as u32,
    })
}
