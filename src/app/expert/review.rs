//! `review` (the queue) and `review ID right|partial|wrong [comment]` (a grade).
//!
//! The learner stays anonymous to the reviewer: the rubric and the answer are what a grade
//! needs. A grade becomes a scheduler rating through the same mapping as machine-graded
//! answers, and the skill is re-evaluated with the graded answer counted.

use ladder_engine::grade::Verdict;
use ladder_engine::schedule::rating_for;
use ladder_engine::{AnswerKey, SkillId, Stage};
use std::collections::HashMap;

use super::{Grade, Pending};
use crate::app::learning::evaluate_skill;
use crate::app::manage::Staffing;
use crate::app::records::{LearnerKey, StageRecord};
use crate::app::{echo, App, AppResult};
use crate::platform::{Actor, Block, Reply};
use crate::store::{RoleKind, RoleScope};

/// Answers shown per `/review`.
const SHOWN: usize = 3;

/// Which skills' answers the expert may grade.
enum Scope {
    All,
    Skills(Vec<SkillId>),
}

impl Scope {
    fn covers(&self, skill: &SkillId) -> bool {
        match self {
            Scope::All => true,
            Scope::Skills(s) => s.contains(skill),
        }
    }
}

pub async fn handle(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let scope = match scope(staffing, actor).await? {
        Ok(s) => s,
        Err(denial) => return Ok(vec![Reply::text(denial)]),
    };
    let me = LearnerKey::of(actor);
    let queue: Vec<Pending> = staffing
        .desk
        .pending(actor.platform, &actor.tenant)
        .await?
        .into_iter()
        .filter(|p| scope.covers(&p.skill) && p.learner != me)
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
    let comment = echo(&words.collect::<Vec<_>>().join(" "));
    grade_one(app, staffing, me, pending, verdict, score, comment).await
}

async fn scope(staffing: &Staffing, actor: &Actor) -> AppResult<Result<Scope, &'static str>> {
    let platform = staffing.policy.kinds(actor);
    let is_expert = |k: &RoleKind| matches!(k, RoleKind::Expert | RoleKind::Admin);
    if !platform.iter().any(is_expert) {
        return Ok(Err(
            "/review is for experts. Ask your admin if you should have that role.",
        ));
    }
    let grants = staffing.staff.grants(&LearnerKey::of(actor)).await?;
    let grants: Vec<_> = grants
        .into_iter()
        .filter(|(k, _)| is_expert(k) && platform.contains(k))
        .collect();
    if grants.is_empty() {
        return Ok(Err(
            "Your expert role is not recorded in Ladder yet. Ask your admin to grant it.",
        ));
    }
    let all = grants
        .iter()
        .any(|(k, s)| *k == RoleKind::Admin || *s == RoleScope::Tenant);
    if all {
        return Ok(Ok(Scope::All));
    }
    let skills = grants
        .into_iter()
        .filter_map(|(_, s)| match s {
            RoleScope::Skill(id) => Some(id),
            _ => None,
        })
        .collect();
    Ok(Ok(Scope::Skills(skills)))
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
    reviewer: LearnerKey,
    p: Pending,
    verdict: Verdict,
    score: f64,
    comment: String,
) -> AppResult<Vec<Reply>> {
    let (Some(item), Some(skill)) = (app.library.item(&p.item), app.library.skill(&p.skill)) else {
        return Ok(vec![Reply::text(
            "That item is no longer in the content, so it cannot be graded.",
        )]);
    };
    let now = app.clock.now();
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
    // The graded answer counts as the verdict the reviewer gave.
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
    let moved = stage.as_ref().map(|s| s.stage);
    let grade = Grade {
        review: p.id,
        reviewer,
        learner: p.learner,
        item: p.item,
        verdict,
        score,
        comment,
        at: now,
        memory,
        stage,
    };
    staffing.desk.grade(&grade).await?;
    let mut said = format!(
        "Graded #{} as {}. The learner's next review of this item is scheduled from your grade.",
        grade.review,
        verdict.as_str()
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
