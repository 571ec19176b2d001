//! Turning members' records into a [`TeamSummary`]: stage grid, retention and its trend,
//! engagement, learners at risk, readiness per objective, lift and coaching priorities.
//!
//! Pure: the time is passed in and predicted recall comes from the app's schedulers.

use chrono::{DateTime, Duration, Utc};
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::Memory;
use ladder_engine::{ItemId, Library, Skill, SkillId, Stage};
use std::collections::{BTreeSet, HashMap};

use super::{AtRisk, MemberRecords, Readiness, RiskReason, SkillLine, TeamSummary};
use crate::app::learning::Schedulers;

/// Days of history the engagement figure and the retention trend look back over.
const WEEK: i64 = 7;
/// Lapses on one item that mark someone as lapsing, if the last one was recent.
const LAPSES: u32 = 2;
/// How many skills the "worth coaching" list names.
const COACH_TOP: usize = 3;

/// Builds the summary of `members` as of `now`.
pub fn summarise(
    team: &str,
    library: &Library,
    schedulers: &Schedulers,
    members: &[MemberRecords],
    now: DateTime<Utc>,
) -> TeamSummary {
    let skills = skills_in_play(library, members);
    let grid: Vec<Vec<Option<Stage>>> = members
        .iter()
        .map(|m| skills.iter().map(|s| stage_of(m, &s.id)).collect())
        .collect();
    let lines: Vec<SkillLine> = skills
        .iter()
        .enumerate()
        .map(|(i, s)| skill_line(s, members, grid.iter().map(|row| row[i])))
        .collect();
    let recall = |id: &ItemId, m: &Memory, at: DateTime<Utc>| {
        let item = library.item(id)?;
        Some(schedulers.for_item(library, item).retrievability(m, at))
    };
    let retention = (0..=WEEK)
        .rev()
        .map(|back| team_recall(members, now - Duration::days(back), &recall))
        .collect();
    let (answered, sent) = engagement(members, now);
    let at_risk = members
        .iter()
        .filter_map(|m| risk_of(m, library, &skills, now, &recall))
        .collect::<Vec<_>>();
    let coach = coaching(&lines, &at_risk);
    TeamSummary {
        team: team.to_owned(),
        at: now,
        members: members.iter().map(|m| m.name.clone()).collect(),
        readiness: readiness(library, members),
        skills: lines,
        grid,
        retention,
        answered,
        sent,
        at_risk,
        coach,
    }
}

/// Skills any member has practised, in library order; every skill when nobody has started.
fn skills_in_play<'a>(library: &'a Library, members: &[MemberRecords]) -> Vec<&'a Skill> {
    let touched: BTreeSet<&SkillId> = members
        .iter()
        .flat_map(|m| {
            let reviewed = m.reviews.iter().map(|r| &r.skill);
            reviewed.chain(m.stages.iter().map(|s| &s.skill))
        })
        .collect();
    let in_play: Vec<&Skill> = library
        .skills
        .iter()
        .filter(|s| touched.contains(&s.id))
        .collect();
    if in_play.is_empty() {
        library.skills.iter().collect()
    } else {
        in_play
    }
}

/// The latest recorded stage of a skill.
fn stage_of(m: &MemberRecords, skill: &SkillId) -> Option<Stage> {
    let latest = m
        .stages
        .iter()
        .filter(|s| &s.skill == skill)
        .max_by_key(|s| s.since)
        .map(|s| s.stage);
    let answered = m.reviews.iter().any(|r| &r.skill == skill);
    latest.or(answered.then_some(Stage::Novice))
}

fn skill_line(
    skill: &Skill,
    members: &[MemberRecords],
    column: impl Iterator<Item = Option<Stage>>,
) -> SkillLine {
    let mut stages = [0u32; 4];
    for stage in column {
        stages[stage.unwrap_or(Stage::Novice).index()] += 1;
    }
    let (mut first, mut last) = (Vec::new(), Vec::new());
    for m in members {
        let mut by_item: HashMap<&ItemId, Vec<&crate::app::records::Review>> = HashMap::new();
        for r in m.reviews.iter().filter(|r| r.skill == skill.id) {
            if matches!(
                r.verdict,
                Verdict::Correct | Verdict::Partial | Verdict::Wrong
            ) {
                by_item.entry(&r.item).or_default().push(r);
            }
        }
        for mut rs in by_item.into_values() {
            rs.sort_by_key(|r| r.at);
            first.push(rs[0].verdict == Verdict::Correct);
            last.push(rs[rs.len() - 1].verdict == Verdict::Correct);
        }
    }
    SkillLine {
        id: skill.id.clone(),
        title: skill.title.clone(),
        stages,
        first_accuracy: share(&first),
        current_accuracy: share(&last),
    }
}

fn share(flags: &[bool]) -> Option<f64> {
    let right = flags.iter().filter(|f| **f).count();
    (!flags.is_empty()).then(|| right as f64 / flags.len() as f64)
}

type Recall<'a> = dyn Fn(&ItemId, &Memory, DateTime<Utc>) -> Option<f64> + 'a;

/// Mean predicted recall at `at` of the items learnt by then. Only the latest memory state
/// is kept, so an item reviewed after `at` is left out of that day rather than guessed.
fn team_recall(members: &[MemberRecords], at: DateTime<Utc>, recall: &Recall<'_>) -> Option<f64> {
    let rs: Vec<f64> = members
        .iter()
        .flat_map(|m| m.memories.iter())
        .filter(|(_, mem)| mem.last_review <= at && !mem.suspended)
        .filter_map(|(id, mem)| recall(id, mem, at))
        .collect();
    (!rs.is_empty()).then(|| rs.iter().sum::<f64>() / rs.len() as f64)
}

fn engagement(members: &[MemberRecords], now: DateTime<Utc>) -> (u32, u32) {
    let since = now - Duration::days(WEEK);
    let pushed = members
        .iter()
        .flat_map(|m| m.prompts.iter())
        .filter(|p| p.pushed && p.created_at >= since && p.created_at <= now);
    let (mut answered, mut sent) = (0, 0);
    for p in pushed {
        sent += 1;
        if p.state == crate::app::records::PromptState::Answered {
            answered += 1;
        }
    }
    (answered, sent)
}

fn risk_of(
    m: &MemberRecords,
    library: &Library,
    skills: &[&Skill],
    now: DateTime<Utc>,
    recall: &Recall<'_>,
) -> Option<AtRisk> {
    let mut reasons = BTreeSet::new();
    let mut flagged = BTreeSet::new();
    let skill_of = |id: &ItemId| library.item(id).map(|i| &i.skill);
    let floor_of = |id: &ItemId| {
        let skill = library.skill(skill_of(id)?)?;
        Some(skill.mastery.demotion_floor)
    };
    for (id, mem) in m.memories.iter().filter(|(_, mem)| !mem.suspended) {
        // A review a day or two late is the daily cap at work, not a risk: an overdue item
        // counts once its estimated recall has fallen below the skill's demotion floor.
        let fading = match (recall(id, mem, now), floor_of(id)) {
            (Some(r), Some(floor)) => r < floor,
            _ => true,
        };
        if mem.due < now - Duration::days(1) && fading {
            reasons.insert(RiskReason::Overdue);
            flagged.extend(skill_of(id));
        }
        if mem.lapses >= LAPSES && mem.last_review >= now - Duration::days(2 * WEEK) {
            reasons.insert(RiskReason::Lapsing);
            flagged.extend(skill_of(id));
        }
    }
    let week_on = now + Duration::days(WEEK);
    for skill in skills {
        let held = stage_of(m, &skill.id).is_some_and(|s| s > Stage::Novice);
        let rs: Vec<f64> = m
            .memories
            .iter()
            .filter(|(id, _)| skill_of(id) == Some(&skill.id))
            .filter_map(|(id, mem)| recall(id, mem, week_on))
            .collect();
        let mean = rs.iter().sum::<f64>() / rs.len().max(1) as f64;
        if held && !rs.is_empty() && mean < skill.mastery.demotion_floor {
            reasons.insert(RiskReason::PredictedDrop);
            flagged.insert(&skill.id);
        }
    }
    if reasons.is_empty() {
        return None;
    }
    let titles = skills
        .iter()
        .filter(|s| flagged.contains(&s.id))
        .map(|s| s.title.clone())
        .collect();
    Some(AtRisk {
        name: m.name.clone(),
        reasons: reasons.into_iter().collect(),
        skills: titles,
    })
}

/// Every objective of every track, over all the skills that serve it: a skill nobody has
/// started is not met, and a track nobody has started shows at 0% rather than not at all.
/// An objective no skill serves has nothing to measure and is left out.
fn readiness(library: &Library, members: &[MemberRecords]) -> Vec<Readiness> {
    let mut out = Vec::new();
    for track in &library.tracks {
        for objective in &track.objectives {
            let serving: Vec<&SkillId> = library
                .skills
                .iter()
                .filter(|s| s.track == track.id && s.objective == objective.id)
                .map(|s| &s.id)
                .collect();
            if serving.is_empty() {
                continue;
            }
            let ready = members
                .iter()
                .filter(|m| {
                    serving
                        .iter()
                        .all(|id| stage_of(m, id) >= Some(Stage::Competent))
                })
                .count();
            out.push(Readiness {
                id: objective.id.clone(),
                title: objective.title.clone(),
                share: ready as f64 / members.len().max(1) as f64,
            });
        }
    }
    out
}

/// Skills where a coach helps most: learners at risk in them first, then the most
/// novices, then the lowest current accuracy.
fn coaching(lines: &[SkillLine], at_risk: &[AtRisk]) -> Vec<String> {
    let mut ranked: Vec<(usize, u32, i64, &str)> = lines
        .iter()
        .map(|l| {
            let risky = at_risk
                .iter()
                .filter(|r| r.skills.contains(&l.title))
                .count();
            let accuracy = (l.current_accuracy.unwrap_or(0.0) * 1000.0).round() as i64;
            (risky, l.stages[0], -accuracy, l.title.as_str())
        })
        .filter(|(risky, novices, ..)| *risky > 0 || *novices > 0)
        .collect();
    ranked.sort_by(|a, b| b.cmp(a));
    ranked
        .into_iter()
        .take(COACH_TOP)
        .map(|(.., title)| title.to_owned())
        .collect()
}
