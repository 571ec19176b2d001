//! Bot Framework activities: the parts of the JSON Ladder reads, and how an activity
//! becomes an [`Inbound`] for the app. Pure: no I/O, tested with Microsoft's samples.
//!
//! Typed messages (`join`, `/progress`, `settings pause 3`, with or without the bot's
//! `<at>` mention in a channel) become commands by name; card submissions carry the app's
//! action string in their `value` (see [`super::card`]); anything else typed is text for
//! the app to answer.

use serde::Deserialize;
use serde_json::Value;

use super::card::{DATA_ACTION, DATA_PICK, DATA_TEXT, INPUT_CHOICE, INPUT_TEXT};
use crate::platform::{Actor, Inbound, InboundKind, Platform};

/// Whether a typed word names a command: any of the catalogue's that chat platforms
/// understand (the terminal demo's own are ordinary words here).
fn is_command(name: &str) -> bool {
    crate::app::commands::is_chat_command(name)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Account {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "aadObjectId")]
    pub aad_object_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Conversation {
    #[serde(default)]
    pub id: String,
    #[serde(default, rename = "conversationType")]
    pub conversation_type: Option<String>,
    #[serde(default, rename = "tenantId")]
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdOnly {
    #[serde(default)]
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChannelData {
    #[serde(default)]
    pub tenant: Option<IdOnly>,
    #[serde(default)]
    pub team: Option<IdOnly>,
    #[serde(default)]
    pub channel: Option<IdOnly>,
}

/// One inbound activity, as much as Ladder needs of it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Activity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: String,
    #[serde(rename = "serviceUrl", default)]
    pub service_url: String,
    #[serde(rename = "channelId", default)]
    pub channel_id: String,
    #[serde(default)]
    pub from: Account,
    #[serde(default)]
    pub recipient: Account,
    #[serde(default)]
    pub conversation: Conversation,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(rename = "membersAdded", default)]
    pub members_added: Vec<Account>,
    #[serde(rename = "channelData", default)]
    pub channel_data: Option<ChannelData>,
    #[serde(rename = "replyToId", default)]
    pub reply_to_id: Option<String>,
    /// `installationUpdate`: `add`, `remove`, `add-upgrade`, `remove-upgrade`.
    #[serde(default)]
    pub action: Option<String>,
}

impl Activity {
    /// The Microsoft Entra tenant the activity comes from (Ladder's tenant).
    pub fn tenant(&self) -> Option<&str> {
        self.channel_data
            .as_ref()
            .and_then(|d| d.tenant.as_ref())
            .map(|t| t.id.as_str())
            .or(self.conversation.tenant_id.as_deref())
            .filter(|t| !t.is_empty())
    }

    /// A one-to-one chat between the bot and one person.
    pub fn is_personal(&self) -> bool {
        self.conversation.conversation_type.as_deref() == Some("personal")
    }

    /// Whether this is the bot being installed: a `conversationUpdate` adding a member
    /// whose id is the bot's own (`recipient.id`), or an `installationUpdate` `add`.
    pub fn installs_bot(&self) -> bool {
        match self.kind.as_str() {
            "conversationUpdate" => self
                .members_added
                .iter()
                .any(|m| !m.id.is_empty() && m.id == self.recipient.id),
            "installationUpdate" => self.action.as_deref().is_some_and(|a| a.starts_with("add")),
            _ => false,
        }
    }
}

/// What the adapter does with one activity.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Ask the app.
    Inbound(Inbound),
    /// The bot was installed: remember the conversation and greet (the app's `start`).
    Installed(Inbound),
    /// Nothing for the app (typing, reactions, members leaving, …).
    Ignore(&'static str),
}

/// Reads one activity.
pub fn parse(activity: &Activity) -> Parsed {
    let actor = Actor {
        platform: Platform::Teams,
        tenant: activity.tenant().unwrap_or_default().to_owned(),
        user: activity.from.id.clone(),
        display_name: activity.from.name.clone().unwrap_or_default(),
        platform_roles: Platform::Teams
            .member_role()
            .map(str::to_owned)
            .into_iter()
            .collect(),
    };
    let inbound = |kind| Inbound {
        actor: actor.clone(),
        event_id: activity.id.clone(),
        kind,
    };
    if activity.installs_bot() {
        return Parsed::Installed(inbound(InboundKind::Command {
            name: "start".into(),
            args: String::new(),
        }));
    }
    if activity.kind != "message" {
        return Parsed::Ignore("not a message");
    }
    if activity.from.id.is_empty() {
        return Parsed::Ignore("no sender");
    }
    if let Some(value) = activity.value.as_ref().filter(|v| v.is_object()) {
        return match submitted(value) {
            Some(kind) => Parsed::Inbound(inbound(kind)),
            None => Parsed::Ignore("a card submission that is not Ladder's"),
        };
    }
    let text = strip_mentions(activity.text.as_deref().unwrap_or_default());
    if text.is_empty() {
        return Parsed::Ignore("empty message");
    }
    Parsed::Inbound(inbound(typed(&text)))
}

/// A card's `Action.Submit` data merged with its inputs (see [`super::card`]).
fn submitted(value: &Value) -> Option<InboundKind> {
    let s = |key: &str| value.get(key).and_then(Value::as_str);
    if let Some(action) = s(DATA_TEXT) {
        let text = s(INPUT_TEXT).unwrap_or_default().trim().to_owned();
        return Some(InboundKind::Text {
            action: Some(action.to_owned()),
            text,
        });
    }
    if value.get(DATA_PICK).is_some() {
        let picked: Vec<String> = s(INPUT_CHOICE)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        return Some(InboundKind::Action { actions: picked });
    }
    s(DATA_ACTION).map(|a| InboundKind::Action {
        actions: vec![a.to_owned()],
    })
}

/// `join`, `/join`, `Join security`: a command when the first word names one; anything
/// else is text for the app (an answer, a question).
pub fn typed(text: &str) -> InboundKind {
    let text = text.trim();
    let bare = text.strip_prefix('/').unwrap_or(text);
    let (name, args) = match bare.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (bare, ""),
    };
    let name = name.to_lowercase();
    if is_command(&name) || (text.starts_with('/') && !name.is_empty()) {
        InboundKind::Command {
            name,
            args: args.to_owned(),
        }
    } else {
        InboundKind::Text {
            action: None,
            text: text.to_owned(),
        }
    }
}

/// Removes `<at>…</at>` mentions (a channel message names the bot that way), collapses
/// what is left, and decodes the few HTML entities Teams puts in plain text.
pub fn strip_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<at>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</at>") {
            Some(end) => rest = &rest[start + end + "</at>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, args: &str) -> InboundKind {
        InboundKind::Command {
            name: name.into(),
            args: args.into(),
        }
    }

    #[test]
    fn typed_messages_become_commands_or_text() {
        assert_eq!(typed("join"), command("join", ""));
        assert_eq!(typed("/progress"), command("progress", ""));
        assert_eq!(typed("settings pause 3"), command("settings", "pause 3"));
        assert_eq!(typed("Join  security "), command("join", "security"));
        assert_eq!(
            typed("b"),
            InboundKind::Text {
                action: None,
                text: "b".into()
            }
        );
        assert_eq!(
            typed("what is phishing?"),
            InboundKind::Text {
                action: None,
                text: "what is phishing?".into()
            }
        );
    }

    #[test]
    fn the_bots_mention_is_not_part_of_the_command() {
        assert_eq!(strip_mentions("<at>Ladder</at> progress"), "progress");
        assert_eq!(
            strip_mentions("hi &amp; <at>Ladder</at>&nbsp;bye"),
            "hi & bye"
        );
        assert_eq!(strip_mentions("<at>unclosed"), "");
    }

    #[test]
    fn card_submissions_carry_the_apps_actions() {
        let click = serde_json::json!({ DATA_ACTION: "r:42" });
        assert_eq!(
            submitted(&click),
            Some(InboundKind::Action {
                actions: vec!["r:42".into()]
            })
        );
        let picks = serde_json::json!({ DATA_PICK: true, INPUT_CHOICE: "a:1:0,a:1:2" });
        assert_eq!(
            submitted(&picks),
            Some(InboundKind::Action {
                actions: vec!["a:1:0".into(), "a:1:2".into()]
            })
        );
        let typed = serde_json::json!({ DATA_TEXT: "t:7", INPUT_TEXT: " mfa " });
        assert_eq!(
            submitted(&typed),
            Some(InboundKind::Text {
                action: Some("t:7".into()),
                text: "mfa".into()
            })
        );
        assert_eq!(submitted(&serde_json::json!({"property": "x"})), None);
    }
}
