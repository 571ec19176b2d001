//! Interaction payloads in Discord's documented shape.
//!
//! They start from Discord's own example (developers/interactions/application-commands,
//! `shared/data/discord/interactions/interaction_1_type2.json`) and add the fields
//! serenity 0.12.5 requires that the documentation's example omits: `application_id`,
//! `version`, `entitlements`, `attachment_size_limit` and `member.flags` (and, for a
//! component interaction, the `message` the component belongs to).

use serde_json::{json, Value};
use serenity::all::Interaction;

use super::harness::APPLICATION_ID;

pub const GUILD: &str = "290926798626357999";

/// Who is interacting, and where.
#[derive(Clone)]
pub struct Who {
    pub user: String,
    /// `None`: in the bot's DMs.
    pub guild: Option<String>,
}

impl Who {
    pub fn in_guild(user: &str) -> Who {
        Who {
            user: user.into(),
            guild: Some(GUILD.into()),
        }
    }
    pub fn in_dm(user: &str) -> Who {
        Who {
            user: user.into(),
            guild: None,
        }
    }
}

fn base(kind: u8, id: &str, who: &Who, data: Value) -> Value {
    let user = json!({"id": who.user, "username": "Mason", "avatar": null,
                      "discriminator": "1337", "public_flags": 131141, "global_name": "Mason"});
    let mut v = json!({
        "type": kind, "token": format!("token-{id}"), "id": id,
        "application_id": APPLICATION_ID.to_string(), "version": 1, "entitlements": [],
        "attachment_size_limit": 10485760, "channel_id": "645027906669510667",
        "app_permissions": "442368", "locale": "en-US", "data": data
    });
    match &who.guild {
        Some(guild) => {
            v["guild_id"] = json!(guild);
            v["guild_locale"] = json!("en-US");
            v["member"] = json!({
                "user": user, "roles": ["539082325061836999"], "premium_since": null,
                "permissions": "2147483647", "pending": false, "nick": null, "mute": false,
                "joined_at": "2017-03-13T19:19:14.040000+00:00", "deaf": false, "flags": 0
            });
        }
        None => v["user"] = user,
    }
    v
}

fn parse(v: Value) -> Interaction {
    serde_json::from_value(v).expect("serenity accepts the payload")
}

/// A slash command (`type` 2) with options as Discord sends them.
pub fn command(id: &str, who: &Who, name: &str, options: Value) -> Interaction {
    let data = json!({"id": "771825006014889984", "name": name, "type": 1, "options": options});
    parse(base(2, id, who, data))
}

/// Autocomplete (`type` 4) while typing the focused option of `/settings timezone`.
pub fn timezone_autocomplete(id: &str, who: &Who, typed: &str) -> Interaction {
    let options = json!([{"type": 1, "name": "timezone", "options": [
        {"type": 3, "name": "value", "value": typed, "focused": true}]}]);
    let data =
        json!({"id": "771825006014889984", "name": "settings", "type": 1, "options": options});
    parse(base(4, id, who, data))
}

/// A component interaction (`type` 3) on `message` (as the fake returned it).
pub fn click(id: &str, who: &Who, message: &Value, custom_id: &str) -> Interaction {
    let data = json!({"custom_id": custom_id, "component_type": 2});
    let mut v = base(3, id, who, data);
    v["message"] = message.clone();
    parse(v)
}

pub fn select(
    id: &str,
    who: &Who,
    message: &Value,
    custom_id: &str,
    values: &[&str],
) -> Interaction {
    let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
    let mut v = base(3, id, who, data);
    v["message"] = message.clone();
    parse(v)
}

/// A modal submit (`type` 5) with one text input named `text`.
pub fn modal_submit(id: &str, who: &Who, custom_id: &str, text: &str) -> Interaction {
    let data = json!({"custom_id": custom_id, "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "text", "value": text}]}]});
    parse(base(5, id, who, data))
}
