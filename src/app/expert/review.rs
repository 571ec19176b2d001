//! `review` (the queue) and `review ID right|partial|wrong [comment]` (a grade).
//!
//! Who grades: experts of the skill (platform role and recorded grant), whose grade
//! settles an answer alone, and peers, learners at experienced or master in the skill,
//! of whom two must grade an answer before it settles (agreeing, their verdict; otherwise
//! partial). Nobody grades their own answer or the same answer twice.
//!
//! The learner stays anonymous to the reviewer: the rubric and the answer are what a grade
//! needs. A settled grade becomes a scheduler rating through the same mapping as
//! machine-graded answers, and the skill is re-evaluated with the graded answer counted.

use ladder_engine::grade::Verdict;
use ladder_engine::schedule::rating_for;
use ladder_engine::{AnswerKey, SkillId, Stage};
use std::collections::HashMap;

use super::{Graded, Mark, Pending, Settlement};
use crate::app::learning::evaluate_skill;
use crate::app::manage::Staffing;
use crate::app::records::{LearnerKey, StageRecord};
use crate::app::{echo, App, AppResult};
use crate::platform::{Actor, Block, Reply};
use crate::store::{RoleKind, RoleScope};

/// Answers shown per `/review`.
const SHOWN: usize = 3;

/// Which skills' answers the caller may grade, and in which capacity.
struct Scope {
    /// Every skill (tenant-wide expert or admin).
    expert_everywhere: bool,
    expert_in: Vec<SkillId>,
    /// Skills where the caller is experienced or master: a peer's grade.
    peer_in: Vec<SkillId>,
    /// A platform expert role without the grant in our database.
    role_not_recorded: bool,
}

impl Scope {
    fn expert(&self, skill: &SkillId) -> bool {
        self.expert_everywhere || self.expert_in.contains(skill)
    }
    fn covers(&self, skill: &SkillId) -> bool {
        self.expert(skill) || self.peer_in.contains(skill)
    }
}

pub async fn handle(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let me = LearnerKey::of(actor);
    let scope = scope(app, staffing, actor).await?;
    if !scope.expert_everywhere && scope.expert_in.is_empty() && scope.peer_in.is_empty() {
        let text = if scope.role_not_recorded {
            "Your expert role is not recorded in Ladder yet. Ask your admin to grant it."
        } else {
            "/review is for experts of a skill, and for learners at experienced or master in \
             it. Keep practising, or ask your admin if you should have the expert role."
        };
        return Ok(vec![Reply::text(text)]);
    }
    let queue: Vec<Pending> = staffing
        .desk
        .pending(actor.platform, &actor.tenant)
        .await?
        .into_iter()
        .filter(|p| scope.covers(&p.skill) && p.learner != me && !p.graded_by.contains(&me))
        .collect();
    let mut words = args.split_whitespace();
    let Some(first) = words.next() else {
        return Ok(vec![list(app, &queue)]);
    };
    let (Ok(id), Some(grade)) = (first.trim_start_matches('#').parse::<i64>(), words.next()) else {
        return Ok(vec![Reply::text(
            "Grade with /review ID right, /review ID partial or /review ID wrong (a comment may follow).",
        )]);
    };
    let Some(pending) = queue.into_iter().find(|p| p.id == id) else {
        return Ok(vec![Reply::text(format!(
            "There is no answer #{id} waiting for your review."
        ))]);
    };
    let Some((verdict, score)) = parse_grade(grade) else {
        return Ok(vec![Reply::text("The grade is right, partial or wrong.")]);
    };
    let mark = Mark {
        review: pending.id,
        reviewer: me,
        by_expert: scope.expert(&pending.skill),
        verdict,
        score,
        comment: echo(&words.collect::<Vec<_>>().join(" ")),
        at: app.clock.now(),
    };
    grade_one(app, staffing, pending, mark).await
}

async fn scope(app: &App, staffing: &Staffing, actor: &Actor) -> AppResult<Scope> {
    let mut scope = Scope {
        expert_everywhere: false,
        expert_in: Vec::new(),
        peer_in: Vec::new(),
        role_not_recorded: false,
    };
    let platform = staffing.policy.kinds(actor);
    let is_expert = |k: &RoleKind| matches!(k, RoleKind::Expert | RoleKind::Admin);
    if platform.iter().any(is_expert) {
        scope.role_not_recorded = true;
        for (kind, s) in staffing.staff.grants(&LearnerKey::of(actor)).await? {
            if !is_expert(&kind) || !platform.contains(&kind) {
                continue;
            }
            scope.role_not_recorded = false;
            match s {
                _ if kind == RoleKind::Admin => scope.expert_everywhere = true,
                RoleScope::Tenant => scope.expert_everywhere = true,
                RoleScope::Skill(id) => scope.expert_in.push(id),
                RoleScope::Team(_) => {}
            }
        }
    }
    let mut latest: HashMap<SkillId, (chrono::DateTime<chrono::Utc>, Stage)> = HashMap::new();
    for s in app.records.stages(&LearnerKey::of(actor)).await? {
        let e = latest.entry(s.skill).or_insert((s.since, s.stage));
        if s.since >= e.0 {
            *e = (s.since, s.stage);
        }
    }
    scope.peer_in = latest
        .into_iter()
        .filter(|(_, (_, stage))| *stage >= Stage::Experienced)
        .map(|(skill, _)| skill)
        .collect();
    Ok(scope)
}

fn parse_grade(word: &str) -> Option<(Verdict, f64)> {
    match word.to_ascii_lowercase().as_str() {
        "right" | "correct" => Some((Verdict::Correct, 1.0)),
        "partial" => Some((Verdict::Partial, 0.5)),
        "wrong" => Some((Verdict::Wrong, 0.0)),
        _ => None,
    }
}

fn list(app: &App, queue: &[Pending]) -> Reply {
    if queue.is_empty() {
        return Reply::text("Nothing waits for your review. Thank you!");
    }
    let mut blocks = vec![Block::Heading(format!(
        "{} free-text answer(s) waiting for a grade",
        queue.len()
    ))];
    for p in queue.iter().take(SHOWN) {
        let item = app.library.item(&p.item);
        let question = item.map_or("(an item no longer in the content)", |i| i.prompt.as_str());
        let rubric = match item.map(|i| &i.key) {
            Some(AnswerKey::FreeText { rubric, .. }) => rubric
                .iter()
                .map(|r| format!("- {r}"))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => "- (no rubric)".to_owned(),
        };
        blocks.push(Block::Text(format!(
            "**#{}** ({})\n**Question:** {question}\n**Rubric:**\n{rubric}\n**Answer:** {}\n\
             Grade with `/review {} right|partial|wrong [comment]`.",
            p.id,
            p.skill.as_str(),
            echo(&p.response),
            p.id
        )));
    }
    Reply::private(blocks)
}

async fn grade_one(
    app: &App,
    staffing: &Staffing,
    p: Pending,
    mark: Mark,
) -> AppResult<Vec<Reply>> {
    let (Some(item), Some(skill)) = (app.library.item(&p.item), app.library.skill(&p.skill)) else {
        return Ok(vec![Reply::text(
            "That item is no longer in the content, so it cannot be graded.",
        )]);
    };
    let (verdict, score) = match staffing.desk.mark(&mark).await? {
        Settlement::Final { verdict, score } => (verdict, score),
        Settlement::Waiting => {
            return Ok(vec![Reply::text(format!(
                "Thank you: your grade of #{} is kept. It counts once another peer (or an \
                 expert) has graded the answer too.",
                p.id
            ))])
        }
        Settlement::Already => {
            return Ok(vec![Reply::text(format!(
                "Thank you: #{} was settled a moment before your grade, which is kept with it.",
                p.id
            ))])
        }
    };
    // The effect is computed from the learner's progress as it stands; if an answer of
    // theirs is written meanwhile, the store refuses this one and it is computed again.
    let mut moved = None;
    let mut applied = false;
    for _ in 0..8 {
        let basis = app.records.progress_rev(&p.learner).await?;
        let now = mark.at;
        let mut memories: HashMap<_, _> = app
            .records
            .memories(&p.learner)
            .await?
            .into_iter()
            .collect();
        let rating = rating_for(verdict, p.latency_secs, item.fluency_secs)
            .unwrap_or(ladder_engine::schedule::Rating::Good);
        let scheduler = app.schedulers.for_item(&app.library, item);
        let memory = scheduler.review(memories.get(&p.item), rating, now).memory;
        memories.insert(p.item.clone(), memory.clone());
        // The settled grade is on the review now; older records may still say needs-review.
        let mut reviews = app.records.reviews(&p.learner).await?;
        for r in reviews.iter_mut() {
            if r.item == p.item && r.at == p.answered_at && r.verdict == Verdict::NeedsReview {
                r.verdict = verdict;
                r.score = score;
            }
        }
        let current = app
            .records
            .stages(&p.learner)
            .await?
            .into_iter()
            .filter(|s| s.skill == p.skill)
            .max_by_key(|s| s.since)
            .map_or(Stage::Novice, |s| s.stage);
        let refs: Vec<_> = reviews.iter().collect();
        let eval = evaluate_skill(
            &app.library,
            &app.schedulers,
            skill,
            current,
            &refs,
            &memories,
            now,
            app.accepted_contributions(&p.learner, &p.skill).await?,
        );
        let stage = eval.change.map(|_| StageRecord {
            skill: p.skill.clone(),
            from: Some(current),
            stage: eval.stage,
            since: now,
            evidence: eval.evidence.sentence(&skill.title),
        });
        moved = stage.as_ref().map(|s| s.stage);
        let graded = Graded {
            learner: p.learner.clone(),
            item: p.item.clone(),
            memory,
            stage,
            basis,
        };
        if staffing.desk.apply(&graded).await? {
            applied = true;
            break;
        }
    }
    if !applied {
        let why = "the learner's progress kept changing during the grade";
        return Err(crate::app::records::RecordsError(why.into()).into());
    }
    let mut said = format!(
        "Graded #{} as {}. The learner's next review of this item is scheduled from {}.",
        p.id,
        verdict.as_str(),
        if mark.by_expert {
            "your grade"
        } else {
            "your grade and the other peer's"
        }
    );
    if let Some(stage) = moved {
        said.push_str(&format!(
            " They are now {} in {}.",
            stage.as_str(),
            skill.title
        ));
    }
    Ok(vec![Reply::text(said)])
}
