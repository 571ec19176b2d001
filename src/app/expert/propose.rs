//! `propose SKILL TEXT` (a new item or a better explanation), `proposals` (the open ones
//! an expert may decide), `accept ID` / `reject ID`, and `vote ID up|down` on proposals
//! and answers.
//!
//! Proposing is open to experts and to anyone at experienced or above in the skill;
//! deciding is for experts and admins whose reach covers the skill, never on their own
//! proposal. An accepted proposal comes back as a TOML snippet for the pending-content
//! directory, to be reviewed into `content/` like any content change. Contributions are
//! looked up among the caller's tenant only, so another tenant's never show. Depends on
//! the store through [`Staffing`] and the access helpers in `ask`.

use serde_json::json;

use super::ask::{expert_reach, failed, kept, me, skill_of, stages};
use crate::app::manage::Staffing;
use crate::app::{App, AppResult};
use crate::platform::{Actor, Block, Reply};
use crate::store::{
    Contribution, ContributionKind, ContributionStatus, Learner, NewContribution, TenantId,
};
use ladder_engine::Stage;

/// Proposals shown per `/proposals`.
const SHOWN: usize = 5;

/// `/propose SKILL TEXT`.
pub async fn propose(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let (target, body) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let (Some(skill), false) = (skill_of(app, target), body.trim().is_empty()) else {
        return Ok(vec![Reply::text(
            "Propose with /propose SKILL your new question or better explanation.",
        )]);
    };
    let Some((_, learner)) = me(staffing, actor).await? else {
        return Ok(vec![Reply::text("Join a track first with /join.")]);
    };
    let expert = expert_reach(staffing, actor)
        .await?
        .is_some_and(|r| r.covers(&skill));
    let stage = stages(staffing, &learner)
        .await?
        .into_iter()
        .find(|(s, _)| *s == skill)
        .map_or(Stage::Novice, |(_, s)| s);
    if !expert && stage < Stage::Experienced {
        return Ok(vec![Reply::text(
            "Proposals open up once you are experienced in a skill. Until then, /ask is the way to raise a point.",
        )]);
    }
    let c = NewContribution {
        author: learner.id,
        skill,
        kind: ContributionKind::Proposal,
        body: json!({ "text": kept(body) }),
        at: app.clock.now(),
    };
    let c = staffing.store.add_contribution(&c).await.map_err(failed)?;
    Ok(vec![Reply::text(format!(
        "Thank you: proposal #{} waits for an expert. Others can vote on it with /vote {} up.",
        c.id.0, c.id.0
    ))])
}

/// Every contribution of the tenant, with its author.
async fn of_tenant(
    staffing: &Staffing,
    tenant: TenantId,
) -> AppResult<Vec<(Learner, Contribution)>> {
    let s = &staffing.store;
    let mut out = Vec::new();
    for l in s.learners(tenant).await.map_err(failed)? {
        for c in s.contributions_by(l.id).await.map_err(failed)? {
            out.push((l.clone(), c));
        }
    }
    Ok(out)
}

fn body_text(c: &Contribution) -> &str {
    c.body
        .get("text")
        .or_else(|| c.body.get("answer"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

/// `/proposals`: open proposals in the expert's reach.
pub async fn proposals(app: &App, staffing: &Staffing, actor: &Actor) -> AppResult<Vec<Reply>> {
    let (Some((tenant, _)), Some(reach)) = (
        me(staffing, actor).await?,
        expert_reach(staffing, actor).await?,
    ) else {
        return Ok(vec![Reply::text(
            "/proposals is for experts. Ask your admin if you should have that role.",
        )]);
    };
    let open: Vec<_> = of_tenant(staffing, tenant)
        .await?
        .into_iter()
        .filter(|(_, c)| c.kind == ContributionKind::Proposal)
        .filter(|(_, c)| c.status == ContributionStatus::Open && reach.covers(&c.skill))
        .collect();
    if open.is_empty() {
        return Ok(vec![Reply::text("No proposals wait for a decision.")]);
    }
    let mut blocks = vec![Block::Heading(format!("{} open proposal(s)", open.len()))];
    for (author, c) in open.iter().take(SHOWN) {
        let title = app
            .library
            .skill(&c.skill)
            .map_or(c.skill.as_str(), |s| s.title.as_str());
        blocks.push(Block::Text(format!(
            "**#{}** ({title}, by {}, {} vote(s))\n{}\n`/accept {}` or `/reject {}`.",
            c.id.0,
            crate::platform::text::name(&author.display_name),
            c.votes,
            body_text(c),
            c.id.0,
            c.id.0
        )));
    }
    Ok(vec![Reply::private(blocks)])
}

/// `/accept ID` and `/reject ID`.
pub async fn decide(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
    accept: bool,
) -> AppResult<Vec<Reply>> {
    let verb = if accept { "accept" } else { "reject" };
    let (Some((tenant, me)), Some(reach)) = (
        me(staffing, actor).await?,
        expert_reach(staffing, actor).await?,
    ) else {
        return Ok(vec![Reply::text(format!(
            "/{verb} is for experts. Ask your admin if you should have that role."
        ))]);
    };
    let Ok(id) = args.trim().trim_start_matches('#').parse::<i64>() else {
        return Ok(vec![Reply::text(format!("Decide with /{verb} ID."))]);
    };
    let found = of_tenant(staffing, tenant)
        .await?
        .into_iter()
        .find(|(_, c)| {
            c.id.0 == id && c.kind == ContributionKind::Proposal && reach.covers(&c.skill)
        });
    let Some((author, c)) = found else {
        return Ok(vec![Reply::text(format!(
            "There is no proposal #{id} for you to decide."
        ))]);
    };
    if author.id == me.id {
        return Ok(vec![Reply::text(
            "Another expert has to decide on your own proposal.",
        )]);
    }
    if c.status != ContributionStatus::Open {
        return Ok(vec![Reply::text(format!(
            "Proposal #{id} was already {}.",
            c.status.as_str()
        ))]);
    }
    let status = if accept {
        ContributionStatus::Accepted
    } else {
        ContributionStatus::Rejected
    };
    // Conditional in the store: of two experts deciding at once, one is told it was done.
    match staffing.store.set_contribution_status(c.id, status).await {
        Ok(()) => {}
        Err(crate::store::StoreError::Conflict(_)) => {
            return Ok(vec![Reply::text(format!(
                "Proposal #{id} was decided by someone else a moment ago."
            ))])
        }
        Err(e) => return Err(failed(e).into()),
    }
    if !accept {
        return Ok(vec![Reply::text(format!("Proposal #{id} is rejected."))]);
    }
    let snippet = toml_snippet(app, &author, &c);
    Ok(vec![Reply::private(vec![
        Block::Text(format!(
            "Proposal #{id} is accepted and counts towards its author's mastery. \
             Here it is for the pending-content directory:"
        )),
        Block::File {
            bytes: snippet.into_bytes(),
            filename: format!("pending/{}-{id}.toml", c.skill.as_str()),
        },
    ])])
}

/// An accepted proposal as a TOML draft an author finishes before it joins `content/`.
fn toml_snippet(app: &App, author: &Learner, c: &Contribution) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let date = app.clock.now().format("%Y-%m-%d");
    format!(
        "# Accepted proposal #{id} for skill {skill}, {date}.\n\
         # Turn it into an item or explanation, then move it into content/.\n\
         [[proposal]]\nid = {id}\nskill = {skill_q}\nauthor = {author}\nvotes = {votes}\ntext = {text}\n",
        id = c.id.0,
        skill = c.skill.as_str(),
        skill_q = quoted(c.skill.as_str()),
        author = quoted(&author.display_name),
        votes = c.votes,
        text = quoted(body_text(c)),
    )
}

/// `/vote ID up|down`: one vote per person, never on one's own contribution.
pub async fn vote(staffing: &Staffing, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let mut words = args.split_whitespace();
    let id = words
        .next()
        .and_then(|w| w.trim_start_matches('#').parse::<i64>().ok());
    let up = match words.next().map(str::to_ascii_lowercase).as_deref() {
        Some("up") => Some(true),
        Some("down") => Some(false),
        _ => None,
    };
    let (Some(id), Some(up)) = (id, up) else {
        return Ok(vec![Reply::text("Vote with /vote ID up or /vote ID down.")]);
    };
    let Some((tenant, me)) = me(staffing, actor).await? else {
        return Ok(vec![Reply::text("Join a track first with /join.")]);
    };
    let found = of_tenant(staffing, tenant)
        .await?
        .into_iter()
        .find(|(_, c)| c.id.0 == id && c.kind != ContributionKind::Review);
    let Some((author, c)) = found else {
        return Ok(vec![Reply::text(format!(
            "There is no proposal or answer #{id}."
        ))]);
    };
    if author.id == me.id {
        return Ok(vec![Reply::text(
            "You cannot vote on your own contribution.",
        )]);
    }
    let total = staffing.store.vote(c.id, me.id, up).await.map_err(failed)?;
    // The store keeps one vote per person and replaces it on a second call: an unchanged
    // total means the same vote was cast twice.
    if total == c.votes {
        return Ok(vec![Reply::text(format!(
            "You already voted on #{id}; one vote per person."
        ))]);
    }
    Ok(vec![Reply::text(format!(
        "Thanks for voting: #{id} now has {total} vote(s)."
    ))])
}
