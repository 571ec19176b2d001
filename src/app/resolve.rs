//! Where an event belongs: the workspace (tenant) of a direct message.
//!
//! A slash command or click inside a server names its server; one in a direct message
//! names nobody's (Discord sends no guild id, and one person may take part in several
//! servers). Such an event arrives with an empty `actor.tenant`, and this module settles
//! it before any use case runs: a click on a question belongs to the server of that
//! question's learner, provided the clicker is that learner; anything else belongs to the
//! one server the person joined in, and when there are several the person is asked to use
//! the server they mean. Nothing downstream ever sees an unresolved actor.
//!
//! Depends on the records interface and the action strings only.

use super::action::{Action, PromptRef};
use super::commands::{find, Cmd};
use super::records::Membership;
use super::{echo, App, AppResult};
use crate::platform::{Actor, Inbound, InboundKind, Reply};

/// What to do with an event.
pub enum Resolved {
    /// Handle it, with the actor's tenant filled in.
    Handle(Inbound),
    /// Answer with this and do nothing else.
    Answer(Vec<Reply>),
}

/// Settles the tenant of an event that came without one (a direct message).
pub async fn resolve(app: &App, mut inbound: Inbound) -> AppResult<Resolved> {
    if !inbound.actor.tenant.is_empty() {
        return in_server(app, inbound).await;
    }
    let outcome = match &inbound.kind {
        InboundKind::Command { name, .. } => by_command(app, &inbound.actor, name).await?,
        InboundKind::Action { actions } => {
            let parsed: Vec<Action> = actions
                .iter()
                .filter_map(|a| Action::parse(a).ok())
                .collect();
            by_actions(app, &inbound.actor, &parsed).await?
        }
        InboundKind::Text { action, .. } => {
            let parsed: Vec<Action> = action
                .iter()
                .filter_map(|a| Action::parse(a).ok())
                .collect();
            by_actions(app, &inbound.actor, &parsed).await?
        }
    };
    Ok(match outcome {
        Outcome::Tenant(tenant) => {
            inbound.actor.tenant = tenant;
            Resolved::Handle(inbound)
        }
        Outcome::Say(replies) => Resolved::Answer(replies),
    })
}

/// In a server the tenant is known; a click on somebody else's question (a channel notice
/// for a learner whose DMs are closed is visible to all) is still refused.
async fn in_server(app: &App, inbound: Inbound) -> AppResult<Resolved> {
    let Some(actions) = actions_of(&inbound.kind) else {
        return Ok(Resolved::Handle(inbound));
    };
    let Some(id) = actions.iter().find_map(prompt_of) else {
        return Ok(Resolved::Handle(inbound));
    };
    match app.records.prompt(id).await? {
        Some(p) if p.learner != super::records::LearnerKey::of(&inbound.actor) => {
            Ok(Resolved::Answer(vec![someone_elses()]))
        }
        _ => Ok(Resolved::Handle(inbound)),
    }
}

fn someone_elses() -> Reply {
    Reply::text(
        "This question was sent to someone else, so I cannot take an answer to it from you.",
    )
}

enum Outcome {
    Tenant(String),
    Say(Vec<Reply>),
}

/// Commands typed in a direct message.
async fn by_command(app: &App, actor: &Actor, name: &str) -> AppResult<Outcome> {
    match find(name).map(|c| c.cmd) {
        Some(Cmd::Join | Cmd::Start) => Ok(Outcome::Say(vec![Reply::text(
            "You join Ladder in your team's server, not here: run /join in a channel of that \
             server. Your daily questions then arrive here, in your direct messages.",
        )])),
        // No server, so no roles to look up: the learner's help.
        Some(Cmd::Help) => Ok(Outcome::Say(vec![super::commands::help::reply(
            &[],
            actor.platform,
        )])),
        _ => only_membership(app, actor, &format!("/{}", echo(name))).await,
    }
}

/// Buttons, selects and text boxes clicked in a direct message.
async fn by_actions(app: &App, actor: &Actor, actions: &[Action]) -> AppResult<Outcome> {
    match actions.iter().find_map(prompt_of) {
        Some(prompt) => by_prompt(app, actor, prompt).await,
        None if actions.iter().any(|a| matches!(a, Action::Join { .. })) => {
            by_command(app, actor, "join").await
        }
        // Malformed or empty actions: any tenant the person has is good enough to be told
        // so by the use case; a stranger is told to join.
        None => only_membership(app, actor, "that").await,
    }
}

/// The app actions an event carries (unparsable ones left out); `None` for commands.
fn actions_of(kind: &InboundKind) -> Option<Vec<Action>> {
    let raw: Vec<&String> = match kind {
        InboundKind::Command { .. } => return None,
        InboundKind::Action { actions } => actions.iter().collect(),
        InboundKind::Text { action, .. } => action.iter().collect(),
    };
    Some(raw.iter().filter_map(|a| Action::parse(a).ok()).collect())
}

fn prompt_of(action: &Action) -> Option<&PromptRef> {
    match action {
        Action::Answer { prompt, .. } | Action::Typed { prompt } | Action::Reveal { prompt } => {
            Some(prompt)
        }
        _ => None,
    }
}

/// A click on a question belongs to the question's learner, and to nobody else.
async fn by_prompt(app: &App, actor: &Actor, id: &PromptRef) -> AppResult<Outcome> {
    match app.records.prompt(id).await? {
        Some(p) if p.learner.platform == actor.platform && p.learner.user == actor.user => {
            Ok(Outcome::Tenant(p.learner.tenant))
        }
        Some(_) => Ok(Outcome::Say(vec![someone_elses()])),
        None => Ok(Outcome::Say(vec![Reply::text(
            "This question expired or was replaced, so that answer was not counted. \
             Type /practice for a fresh question.",
        )])),
    }
}

/// The person's one server, or a reply saying why there is none or which to choose.
async fn only_membership(app: &App, actor: &Actor, what: &str) -> AppResult<Outcome> {
    let mut memberships = app.records.memberships(actor.platform, &actor.user).await?;
    match memberships.len() {
        0 => Ok(Outcome::Say(vec![Reply::text(
            "You have not joined Ladder in any server yet, so I keep no data about you. \
             Run /join in a channel of your team's server to start.",
        )])),
        1 => Ok(Outcome::Tenant(memberships.remove(0).tenant)),
        _ => Ok(Outcome::Say(vec![which_server(&memberships, what)])),
    }
}

fn which_server(memberships: &[Membership], what: &str) -> Reply {
    let names: Vec<String> = memberships
        .iter()
        .map(|m| {
            if m.name.trim().is_empty() || m.name == m.tenant {
                format!("- server {}", m.tenant)
            } else {
                format!("- **{}**", echo(&m.name))
            }
        })
        .collect();
    Reply::text(format!(
        "You take part in Ladder in {} servers:\n{}\nRun {what} in a channel of the server you \
         mean. Your daily questions keep arriving here for each of them, and answering them \
         here always counts in the right one.",
        memberships.len(),
        names.join("\n"),
    ))
}
