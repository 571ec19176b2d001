//! Slack's inbound payloads → [`Inbound`] (or what else the handler must do: open a modal,
//! publish App Home, ignore).
//!
//! Payloads are decoded into small typed structs holding only the fields we read, each
//! optional, so any payload Slack documents decodes (checked against the published payload
//! shapes and Socket Mode frames in the tests) and a field of the wrong type is a clear
//! error rather than a silent default. Pure: no I/O.

use serde::Deserialize;
use std::collections::HashMap;

use super::ids::{self, ElementId};
use crate::platform::{Actor, Inbound, InboundKind, Platform};

/// The platform role every Slack user holds. Slack has no roles of its own to map, so the
/// role policy lists this id for managers, experts and admins, and the grant recorded by a
/// workspace admin (`/ladder admin grant`) or the operator (`ladder staff`) decides alone.
pub const MEMBER_ROLE: &str = match Platform::Slack.member_role() {
    Some(role) => role,
    None => unreachable!(),
};

/// Why a payload could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("not a Slack payload: {0}")]
    Json(String),
    #[error("the payload lacks {0}")]
    Missing(&'static str),
}

/// Where and how the answer to an inbound event is shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyTo {
    /// The conversation it came from (a channel, or a DM `D…`); None from App Home.
    pub channel: Option<String>,
    /// The message clicked, updated in place by the first reply (`chat.update`).
    pub update_ts: Option<String>,
    /// Private replies in a channel are ephemeral (`chat.postEphemeral`).
    pub private: bool,
}

/// What the handler does with one payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Ask the app, then show its replies.
    Inbound { inbound: Inbound, reply_to: ReplyTo },
    /// Open the typed-answer modal now (the `trigger_id` expires in 3 seconds).
    OpenModal {
        trigger_id: String,
        action: String,
        long: bool,
        channel: String,
    },
    /// The person opened the app's Home tab: publish their dashboard.
    HomeOpened { actor: Actor },
    /// Nothing to do (a checkbox ticked, a bot's own message, an unknown event).
    Ignore(&'static str),
}

/// The tenant of a workspace: its `team_id`, with the enterprise id in front on
/// Enterprise Grid (the same team id cannot then collide across organisations).
pub fn tenant_of(team: &str, enterprise: Option<&str>) -> String {
    match enterprise.filter(|e| !e.is_empty()) {
        Some(e) => format!("{e}:{team}"),
        None => team.to_owned(),
    }
}

/// Slack escapes `&`, `<` and `>` in text it hands us; the app wants what was typed.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `join python` → (`join`, `python`): the first word is the command (lower-cased), the
/// rest its arguments, exactly as the terminal reads `/join python`. Empty text is `help`.
pub fn command_of(text: &str) -> InboundKind {
    let text = text.trim();
    let text = text.strip_prefix('/').unwrap_or(text);
    let (name, args) = match text.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (text, ""),
    };
    let name = if name.is_empty() { "help" } else { name };
    InboundKind::Command {
        name: name.to_lowercase(),
        args: args.to_owned(),
    }
}

fn json<T: for<'de> Deserialize<'de>>(value: &serde_json::Value) -> Result<T, ParseError> {
    T::deserialize(value).map_err(|e| ParseError::Json(e.to_string()))
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

// ---- slash commands -------------------------------------------------------------------

/// A slash command (Socket Mode `payload`, or the HTTP form fields).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct SlashCommand {
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
    pub channel_id: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub command: Option<String>,
    pub text: Option<String>,
    pub trigger_id: Option<String>,
}

pub fn slash_command(payload: &serde_json::Value) -> Result<Parsed, ParseError> {
    let c: SlashCommand = json(payload)?;
    let user = nonempty(&c.user_id).ok_or(ParseError::Missing("user_id"))?;
    let team = nonempty(&c.team_id).ok_or(ParseError::Missing("team_id"))?;
    let trigger = nonempty(&c.trigger_id).ok_or(ParseError::Missing("trigger_id"))?;
    let actor = Actor {
        platform: Platform::Slack,
        tenant: tenant_of(team, nonempty(&c.enterprise_id)),
        user: user.to_owned(),
        display_name: c.user_name.clone().unwrap_or_default(),
        platform_roles: vec![MEMBER_ROLE.to_owned()],
    };
    let text = unescape(c.text.as_deref().unwrap_or_default());
    Ok(Parsed::Inbound {
        inbound: Inbound {
            actor,
            event_id: format!("cmd:{trigger}"),
            kind: command_of(&text),
        },
        reply_to: ReplyTo {
            channel: c.channel_id.clone().filter(|c| !c.is_empty()),
            update_ts: None,
            private: true,
        },
    })
}

// ---- interactivity --------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Default)]
struct Team {
    id: Option<String>,
    enterprise_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Enterprise {
    id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct User {
    id: Option<String>,
    name: Option<String>,
    username: Option<String>,
    team_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Container {
    channel_id: Option<String>,
    message_ts: Option<String>,
    is_ephemeral: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Channel {
    id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct OptionValue {
    value: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct ElementAction {
    action_id: Option<String>,
    value: Option<String>,
    selected_option: Option<OptionValue>,
    selected_options: Option<Vec<OptionValue>>,
}

/// `state.values`: block id → action id → the element's current value.
#[derive(Debug, Clone, Deserialize, Default)]
struct State {
    #[serde(default)]
    values: HashMap<String, HashMap<String, ElementAction>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct View {
    id: Option<String>,
    callback_id: Option<String>,
    private_metadata: Option<String>,
    state: Option<State>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct Interaction {
    #[serde(rename = "type")]
    kind: Option<String>,
    team: Option<Team>,
    enterprise: Option<Enterprise>,
    user: Option<User>,
    trigger_id: Option<String>,
    container: Option<Container>,
    channel: Option<Channel>,
    #[serde(default)]
    actions: Vec<ElementAction>,
    state: Option<State>,
    view: Option<View>,
}

/// A `block_actions` or `view_submission` payload (Socket Mode `interactive` envelope, or
/// the HTTP form field `payload`).
pub fn interactive(payload: &serde_json::Value) -> Result<Parsed, ParseError> {
    let i: Interaction = json(payload)?;
    match i.kind.as_deref() {
        Some("block_actions") => block_actions(&i),
        Some("view_submission") => view_submission(&i),
        _ => Ok(Parsed::Ignore("interaction type not used")),
    }
}

fn actor_of(i: &Interaction) -> Result<Actor, ParseError> {
    let user = i.user.clone().unwrap_or_default();
    let id = nonempty(&user.id).ok_or(ParseError::Missing("user.id"))?;
    let team = i.team.clone().unwrap_or_default();
    let team_id = nonempty(&team.id)
        .or(nonempty(&user.team_id))
        .ok_or(ParseError::Missing("team.id"))?;
    let enterprise = i.enterprise.as_ref().and_then(|e| nonempty(&e.id));
    let enterprise = enterprise.or(nonempty(&team.enterprise_id));
    Ok(Actor {
        platform: Platform::Slack,
        tenant: tenant_of(team_id, enterprise),
        user: id.to_owned(),
        display_name: nonempty(&user.name)
            .or(nonempty(&user.username))
            .unwrap_or_default()
            .to_owned(),
        platform_roles: vec![MEMBER_ROLE.to_owned()],
    })
}

fn block_actions(i: &Interaction) -> Result<Parsed, ParseError> {
    let actor = actor_of(i)?;
    let trigger = nonempty(&i.trigger_id).ok_or(ParseError::Missing("trigger_id"))?;
    let container = i.container.clone().unwrap_or_default();
    let channel = nonempty(&container.channel_id)
        .or(i.channel.as_ref().and_then(|c| nonempty(&c.id)))
        .map(str::to_owned);
    let Some(clicked) = i.actions.first() else {
        return Err(ParseError::Missing("actions"));
    };
    let Some(id) = clicked.action_id.as_deref().and_then(ElementId::decode) else {
        return Ok(Parsed::Ignore("not one of Ladder's elements"));
    };
    let actions = match id {
        ElementId::Button(action) => vec![clicked.value.clone().unwrap_or(action)],
        ElementId::Select(_) => {
            let picked = clicked
                .selected_option
                .as_ref()
                .and_then(|o| o.value.clone());
            picked.into_iter().collect()
        }
        ElementId::Checkboxes(_) => return Ok(Parsed::Ignore("a box ticked, not submitted")),
        ElementId::Submit(n) => ticked(i.state.as_ref(), n),
        ElementId::Command(name) => {
            return Ok(Parsed::Inbound {
                inbound: Inbound {
                    actor,
                    event_id: format!("act:{trigger}"),
                    kind: InboundKind::Command {
                        name,
                        args: String::new(),
                    },
                },
                reply_to: ReplyTo {
                    private: channel.as_deref().is_some_and(|c| !is_dm(c)),
                    channel,
                    update_ts: None,
                },
            })
        }
        ElementId::AskText { action, long } => {
            let channel = channel.ok_or(ParseError::Missing("channel"))?;
            return Ok(Parsed::OpenModal {
                trigger_id: trigger.to_owned(),
                action,
                long,
                channel,
            });
        }
    };
    if actions.is_empty() {
        return Ok(Parsed::Ignore("nothing chosen"));
    }
    // A clicked message is replaced only in the learner's DM: in a channel the message is
    // everybody's, so the answer is ephemeral and the message stays as it is.
    let private = channel.as_deref().is_some_and(|c| !is_dm(c));
    let in_message = container.is_ephemeral != Some(true);
    Ok(Parsed::Inbound {
        inbound: Inbound {
            actor,
            event_id: format!("act:{trigger}"),
            kind: InboundKind::Action { actions },
        },
        reply_to: ReplyTo {
            private,
            update_ts: container
                .message_ts
                .clone()
                .filter(|_| in_message && !private),
            channel,
        },
    })
}

/// The options ticked in checkboxes group `n` at the time its submit button was pressed.
fn ticked(state: Option<&State>, n: usize) -> Vec<String> {
    let Some(id) = ElementId::Checkboxes(n).encode() else {
        return Vec::new();
    };
    let Some(state) = state else {
        return Vec::new();
    };
    state
        .values
        .values()
        .filter_map(|block| block.get(&id))
        .flat_map(|el| el.selected_options.clone().unwrap_or_default())
        .filter_map(|o| o.value)
        .collect()
}

fn view_submission(i: &Interaction) -> Result<Parsed, ParseError> {
    let actor = actor_of(i)?;
    let view = i.view.clone().unwrap_or_default();
    if view.callback_id.as_deref() != Some(ids::MODAL_CALLBACK) {
        return Ok(Parsed::Ignore("not Ladder's modal"));
    }
    let meta = view.private_metadata.as_deref().unwrap_or_default();
    let (action, channel) =
        ids::read_modal_metadata(meta).ok_or(ParseError::Missing("view.private_metadata"))?;
    let text = view
        .state
        .as_ref()
        .and_then(|s| s.values.get(ids::MODAL_INPUT))
        .and_then(|b| b.get(ids::MODAL_INPUT))
        .and_then(|el| el.value.clone())
        .unwrap_or_default();
    let id = nonempty(&view.id)
        .or(nonempty(&i.trigger_id))
        .ok_or(ParseError::Missing("view.id"))?;
    Ok(Parsed::Inbound {
        inbound: Inbound {
            actor,
            event_id: format!("view:{id}"),
            kind: InboundKind::Text {
                action: Some(action),
                text,
            },
        },
        reply_to: ReplyTo {
            private: !is_dm(&channel),
            channel: Some(channel).filter(|c| !c.is_empty()),
            update_ts: None,
        },
    })
}

/// A direct-message conversation id (`D…`).
pub fn is_dm(channel: &str) -> bool {
    channel.starts_with('D')
}

// ---- events ---------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Default)]
struct Event {
    #[serde(rename = "type")]
    kind: Option<String>,
    user: Option<String>,
    text: Option<String>,
    channel: Option<String>,
    channel_type: Option<String>,
    bot_id: Option<String>,
    subtype: Option<String>,
    tab: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
struct EventCallback {
    #[serde(rename = "type")]
    kind: Option<String>,
    team_id: Option<String>,
    enterprise_id: Option<String>,
    event_id: Option<String>,
    event: Option<Event>,
}

/// An Events API body (`event_callback`): `app_home_opened`, `message` in the bot's DM
/// (`message.im`) and `app_mention` are read; every other event is ignored.
pub fn event(payload: &serde_json::Value) -> Result<Parsed, ParseError> {
    let cb: EventCallback = json(payload)?;
    if cb.kind.as_deref() != Some("event_callback") {
        return Ok(Parsed::Ignore("not an event callback"));
    }
    let e = cb.event.clone().ok_or(ParseError::Missing("event"))?;
    if e.bot_id.is_some() || e.subtype.is_some() {
        return Ok(Parsed::Ignore("a bot's message or an edit"));
    }
    let team = nonempty(&cb.team_id).ok_or(ParseError::Missing("team_id"))?;
    let user = nonempty(&e.user).ok_or(ParseError::Missing("event.user"))?;
    let event_id = nonempty(&cb.event_id).ok_or(ParseError::Missing("event_id"))?;
    let actor = Actor {
        platform: Platform::Slack,
        tenant: tenant_of(team, nonempty(&cb.enterprise_id)),
        user: user.to_owned(),
        display_name: String::new(),
        platform_roles: vec![MEMBER_ROLE.to_owned()],
    };
    let text = unescape(e.text.as_deref().unwrap_or_default());
    let (kind, private) = match (e.kind.as_deref(), e.channel_type.as_deref()) {
        (Some("app_home_opened"), _) => {
            return Ok(match e.tab.as_deref() {
                Some("home") | None => Parsed::HomeOpened { actor },
                _ => Parsed::Ignore("the Messages tab"),
            })
        }
        (Some("message"), Some("im")) => (
            InboundKind::Text {
                action: None,
                text: text.trim().to_owned(),
            },
            false,
        ),
        (Some("app_mention"), _) => (command_of(&without_mentions(&text)), true),
        _ => return Ok(Parsed::Ignore("event not used")),
    };
    Ok(Parsed::Inbound {
        inbound: Inbound {
            actor,
            event_id: format!("ev:{event_id}"),
            kind,
        },
        reply_to: ReplyTo {
            channel: e.channel.clone().filter(|c| !c.is_empty()),
            update_ts: None,
            private,
        },
    })
}

/// `<@U123> join python` → `join python`.
fn without_mentions(text: &str) -> String {
    let mut rest = text.trim();
    while let Some(after) = rest.strip_prefix("<@") {
        match after.split_once('>') {
            Some((_, tail)) => rest = tail.trim_start(),
            None => break,
        }
    }
    rest.to_owned()
}

#[cfg(test)]
#[path = "parse/tests.rs"]
mod tests;
