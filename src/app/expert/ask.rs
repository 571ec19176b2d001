//! `ask SKILL_OR_ITEM TEXT` (a learner raises a question), `answer` (the queue of open
//! questions an expert or master may answer) and `answer ID TEXT` (the answer).
//!
//! A question goes to the experts of its skill (platform role and a grant recorded in our
//! database) and to the masters of that skill (their current stage). An answer is stored
//! with the question and counted as an accepted contribution of the person who gave it,
//! in that skill: contributions are what the master stage asks for. Also holds the access
//! helpers the proposal commands share. Depends on the store through [`Staffing`].

use ladder_engine::{ItemId, SkillId, Stage};
use serde_json::json;

use crate::app::manage::Staffing;
use crate::app::records::{LearnerKey, RecordsError};
use crate::app::{App, AppResult};
use crate::platform::{text, Actor, Block, Reply};
use crate::store::{
    ContributionKind, ContributionStatus, Learner, NewContribution, NewQuestion, QuestionId,
    RoleKind, RoleScope, StoreError, TenantId,
};

/// Questions shown per `/answer`.
const SHOWN: usize = 5;
/// Longest question or answer kept, in characters.
const MAX_TEXT: usize = 1500;

/// The skills a person may act on as an expert.
pub(super) enum Reach {
    All,
    Skills(Vec<SkillId>),
}

impl Reach {
    pub(super) fn covers(&self, skill: &SkillId) -> bool {
        match self {
            Reach::All => true,
            Reach::Skills(s) => s.contains(skill),
        }
    }
}

pub(super) fn failed(e: StoreError) -> RecordsError {
    RecordsError(e.to_string())
}

/// The actor's tenant and learner row in the store, if they joined.
pub(super) async fn me(
    staffing: &Staffing,
    actor: &Actor,
) -> AppResult<Option<(TenantId, Learner)>> {
    let s = &staffing.store;
    let Some(t) = s
        .find_tenant(actor.platform, &actor.tenant)
        .await
        .map_err(failed)?
    else {
        return Ok(None);
    };
    let l = s
        .learner_by_platform_user(t.id, &actor.user)
        .await
        .map_err(failed)?;
    Ok(l.map(|l| (t.id, l)))
}

/// Where the actor is an expert or admin: a platform role and the same role recorded in
/// our database. `None` when either is missing.
pub(super) async fn expert_reach(staffing: &Staffing, actor: &Actor) -> AppResult<Option<Reach>> {
    let platform = staffing.policy.kinds(actor);
    let is_expert = |k: &RoleKind| matches!(k, RoleKind::Expert | RoleKind::Admin);
    if !platform.iter().any(is_expert) {
        return Ok(None);
    }
    let grants: Vec<_> = staffing
        .staff
        .grants(&LearnerKey::of(actor))
        .await?
        .into_iter()
        .filter(|(k, _)| is_expert(k) && platform.contains(k))
        .collect();
    if grants.is_empty() {
        return Ok(None);
    }
    if grants
        .iter()
        .any(|(k, s)| *k == RoleKind::Admin || *s == RoleScope::Tenant)
    {
        return Ok(Some(Reach::All));
    }
    let skills = grants
        .into_iter()
        .filter_map(|(_, s)| match s {
            RoleScope::Skill(id) => Some(id),
            _ => None,
        })
        .collect();
    Ok(Some(Reach::Skills(skills)))
}

/// The actor's current stage per skill, from the store.
pub(super) async fn stages(
    staffing: &Staffing,
    learner: &Learner,
) -> AppResult<Vec<(SkillId, Stage)>> {
    Ok(staffing
        .store
        .current_stages(learner.id)
        .await
        .map_err(failed)?)
}

/// The skill a question or proposal is about: a skill id, or an item's skill.
pub(super) fn skill_of(app: &App, word: &str) -> Option<SkillId> {
    if let Ok(id) = SkillId::parse(word) {
        if app.library.skill(&id).is_some() {
            return Some(id);
        }
    }
    let item = ItemId::parse(word).ok()?;
    app.library.item(&item).map(|i| i.skill.clone())
}

/// User text kept for others to read: sanitised and within length.
pub(super) fn kept(user_text: &str) -> String {
    text::sanitize(&text::truncate(user_text.trim(), MAX_TEXT))
}

/// `/ask SKILL_OR_ITEM TEXT`.
pub async fn ask(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let (target, question) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    if target.is_empty() {
        return mine(app, staffing, actor).await;
    }
    if question.trim().is_empty() {
        return Ok(vec![Reply::text(
            "Say what you want to ask after the skill: /ask SKILL_OR_ITEM your question.",
        )]);
    }
    let Some(skill) = skill_of(app, target) else {
        return Ok(vec![Reply::text(format!(
            "I know no skill or item called {}. /progress lists your skills.",
            crate::app::echo(target)
        ))]);
    };
    let Some((_, learner)) = me(staffing, actor).await? else {
        return Ok(vec![Reply::text("Join a track first with /join.")]);
    };
    let q = NewQuestion {
        learner: learner.id,
        skill: Some(skill.clone()),
        text: kept(question),
        at: app.clock.now(),
    };
    let id = staffing.store.ask_question(&q).await.map_err(failed)?;
    let title = app
        .library
        .skill(&skill)
        .map_or(skill.as_str(), |s| s.title.as_str());
    Ok(vec![Reply::text(format!(
        "Your question #{} about {title} went to its experts and masters.",
        id.0
    ))])
}

/// `/answer` (the queue) and `/answer ID TEXT`.
pub async fn answer(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let Some((tenant, learner)) = me(staffing, actor).await? else {
        return Ok(vec![Reply::text("Join a track first with /join.")]);
    };
    let reach = match expert_reach(staffing, actor).await? {
        Some(r) => r,
        None => {
            let mastered: Vec<SkillId> = stages(staffing, &learner)
                .await?
                .into_iter()
                .filter(|(_, s)| *s == Stage::Master)
                .map(|(k, _)| k)
                .collect();
            if mastered.is_empty() {
                return Ok(vec![Reply::text(
                    "/answer is for experts and masters of a skill. Ask your admin if you should have that role.",
                )]);
            }
            Reach::Skills(mastered)
        }
    };
    let queue: Vec<_> = staffing
        .store
        .open_questions(tenant)
        .await
        .map_err(failed)?
        .into_iter()
        .filter(|q| q.learner != learner.id && q.skill.as_ref().is_some_and(|s| reach.covers(s)))
        .collect();
    let (first, reply) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    if first.is_empty() {
        return Ok(vec![list(app, &queue)]);
    }
    let (Ok(id), false) = (
        first.trim_start_matches('#').parse::<i64>(),
        reply.trim().is_empty(),
    ) else {
        return Ok(vec![Reply::text("Answer with /answer ID your answer.")]);
    };
    let Some(q) = queue.into_iter().find(|q| q.id == QuestionId(id)) else {
        return Ok(vec![Reply::text(format!(
            "There is no open question #{id} for you to answer."
        ))]);
    };
    let text = kept(reply);
    let now = app.clock.now();
    let s = &staffing.store;
    match s.answer_question(q.id, learner.id, &text, now).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Ok(vec![Reply::text(format!(
                "Someone answered #{id} a moment before you; your answer was not kept."
            ))])
        }
        Err(e) => return Err(failed(e).into()),
    }
    let skill = q
        .skill
        .clone()
        .expect("the queue holds questions with a skill");
    let c = NewContribution {
        author: learner.id,
        skill,
        kind: ContributionKind::Answer,
        body: json!({ "question": q.id.0, "to": q.learner.0, "question_text": q.text, "answer": text }),
        at: now,
    };
    let c = s.add_contribution(&c).await.map_err(failed)?;
    s.set_contribution_status(c.id, ContributionStatus::Accepted)
        .await
        .map_err(failed)?;
    Ok(vec![Reply::text(format!(
        "Thank you: your answer to #{id} is on its way to the learner, is kept, and counts \
         as a contribution in this skill."
    ))])
}

/// `/ask` alone: the learner's own questions, newest first, with their answers.
async fn mine(app: &App, staffing: &Staffing, actor: &Actor) -> AppResult<Vec<Reply>> {
    let usage = "Ask with /ask SKILL_OR_ITEM your question (for example /ask phishing How do I report a link?).";
    let Some((_, learner)) = me(staffing, actor).await? else {
        return Ok(vec![Reply::text(usage)]);
    };
    let questions = staffing
        .store
        .questions_of(learner.id)
        .await
        .map_err(failed)?;
    if questions.is_empty() {
        return Ok(vec![Reply::text(usage)]);
    }
    let mut blocks = vec![Block::Heading("Your questions".into())];
    for q in questions.iter().rev().take(SHOWN) {
        let title = q
            .skill
            .as_ref()
            .and_then(|s| app.library.skill(s))
            .map_or("a skill no longer in the content", |s| s.title.as_str());
        let answer = q.answer.as_deref().map_or_else(
            || "_Waiting for an answer._".to_owned(),
            |a| format!("**Answer:** {a}"),
        );
        blocks.push(Block::Text(format!(
            "**#{}** ({title}) {}\n{answer}",
            q.id.0, q.text
        )));
    }
    blocks.push(Block::Text(usage.to_owned()));
    Ok(vec![Reply::private(blocks)])
}

fn list(app: &App, queue: &[crate::store::Question]) -> Reply {
    if queue.is_empty() {
        return Reply::text("No open questions for you. Thank you!");
    }
    let mut blocks = vec![Block::Heading(format!(
        "{} open question(s) from learners",
        queue.len()
    ))];
    for q in queue.iter().take(SHOWN) {
        let skill = q.skill.as_ref();
        let title = skill
            .and_then(|s| app.library.skill(s))
            .map_or("(a skill no longer in the content)", |s| s.title.as_str());
        blocks.push(Block::Text(format!(
            "**#{}** ({title})\n{}\nAnswer with `/answer {} your answer`.",
            q.id.0, q.text, q.id.0
        )));
    }
    Reply::private(blocks)
}

impl App {
    /// How many of the learner's contributions in `skill` were accepted (answers and
    /// proposals): what the master stage asks for. None without the expert tools.
    pub async fn accepted_contributions(
        &self,
        who: &LearnerKey,
        skill: &SkillId,
    ) -> AppResult<u32> {
        let Some(staffing) = self.staffing.get() else {
            return Ok(0);
        };
        let s = &staffing.store;
        let Some(t) = s
            .find_tenant(who.platform, &who.tenant)
            .await
            .map_err(failed)?
        else {
            return Ok(0);
        };
        let Some(l) = s
            .learner_by_platform_user(t.id, &who.user)
            .await
            .map_err(failed)?
        else {
            return Ok(0);
        };
        let all = s.contributions_by(l.id).await.map_err(failed)?;
        let n = all
            .iter()
            .filter(|c| &c.skill == skill && c.status == ContributionStatus::Accepted)
            .count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
