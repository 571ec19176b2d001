//! Response bodies shaped like Discord's (checked by Prism against the published spec).

use serde_json::{json, Map, Value};

use super::Fake;

/// The bot user, author of every message the fake creates.
pub const BOT_USER_ID: &str = "775799577604522054";
/// The channel of interaction responses (the one in Discord's documented example).
pub const INTERACTION_CHANNEL: &str = "645027906669510667";

fn user(id: &str, name: &str, bot: bool) -> Value {
    json!({
        "id": id, "username": name, "avatar": null, "discriminator": "0",
        "public_flags": 0, "flags": 0, "bot": bot, "global_name": name,
        "primary_guild": null
    })
}

/// A full message object built from what the request asked for.
pub fn message(
    fake: &Fake,
    channel: &str,
    body: &Value,
    files: &[(String, String, usize)],
) -> Value {
    let channel = if channel == "0" {
        INTERACTION_CHANNEL
    } else {
        channel
    };
    let mut next = 0;
    let components = body["components"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|c| with_ids(c, &mut next))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let embeds: Vec<Value> = body["embeds"]
        .as_array()
        .map(|e| e.iter().map(embed).collect())
        .unwrap_or_default();
    let attachments: Vec<Value> = files
        .iter()
        .map(|(_, name, size)| {
            let id = fake.snowflake();
            let url = format!("https://cdn.discordapp.com/attachments/{channel}/{id}/{name}");
            json!({"id": id, "filename": name, "size": size, "url": url, "proxy_url": url})
        })
        .collect();
    let mut msg = json!({
        "id": fake.snowflake(), "channel_id": channel, "type": 0,
        "content": body["content"].as_str().unwrap_or_default(),
        "author": user(BOT_USER_ID, "Ladder", true),
        "embeds": embeds, "components": components, "attachments": attachments,
        "mentions": [], "mention_roles": [], "mention_everyone": false,
        "pinned": false, "tts": false, "timestamp": "2026-11-23T08:30:00.000000+00:00",
        "edited_timestamp": null, "flags": body["flags"].as_u64().unwrap_or(0)
    });
    if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
        msg["nonce"] = nonce.clone();
    }
    msg
}

/// Discord numbers every component of a message; requests carry none.
fn with_ids(component: &Value, next: &mut u64) -> Value {
    let mut out = component.as_object().cloned().unwrap_or_else(Map::new);
    *next += 1;
    out.insert("id".into(), json!(*next));
    if let Some(children) = component["components"].as_array() {
        let children: Vec<Value> = children.iter().map(|c| with_ids(c, next)).collect();
        out.insert("components".into(), Value::Array(children));
    }
    Value::Object(out)
}

fn embed(request: &Value) -> Value {
    let mut out = request.as_object().cloned().unwrap_or_else(Map::new);
    out.insert("type".into(), json!("rich"));
    if let Some(url) = request["image"]["url"].as_str() {
        let proxied = url.replace(
            "attachment://",
            "https://media.discordapp.net/attachments/1/1/",
        );
        out.insert(
            "image".into(),
            json!({"url": url, "proxy_url": proxied, "width": 800, "height": 400}),
        );
    }
    Value::Object(out)
}

pub fn dm_channel(channel: &str, recipient: &str) -> Value {
    json!({
        "id": channel, "type": 1, "last_message_id": null, "flags": 0,
        "recipients": [user(recipient, "learner", false)]
    })
}

/// A server's text channel, as `GET /channels/{id}` returns it.
pub fn guild_channel(channel: &str, guild: &str) -> Value {
    json!({
        "id": channel, "type": 0, "guild_id": guild, "name": "general", "position": 0,
        "flags": 0, "permission_overwrites": [], "nsfw": false, "parent_id": null,
        "last_message_id": null, "rate_limit_per_user": 0, "topic": null
    })
}

/// The registered commands, as Discord echoes a bulk overwrite.
pub fn commands(fake: &Fake, app: &str, guild: Option<&str>, body: &Value) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    let out: Vec<Value> = list
        .into_iter()
        .map(|c| {
            // Discord omits unset option fields; serenity sends them as null.
            let mut cmd = without_nulls(&c)
                .as_object()
                .cloned()
                .unwrap_or_else(Map::new);
            cmd.insert("id".into(), json!(fake.snowflake()));
            cmd.insert("application_id".into(), json!(app));
            cmd.insert("version".into(), json!(fake.snowflake()));
            cmd.insert("default_member_permissions".into(), Value::Null);
            cmd.entry("type").or_insert(json!(1));
            if let Some(g) = guild {
                cmd.insert("guild_id".into(), json!(g));
            }
            Value::Object(cmd)
        })
        .collect();
    Value::Array(out)
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
