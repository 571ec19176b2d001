//! Parsing Discord's documented interaction payloads into `Inbound` events.

use super::*;
use serde_json::{json, Value};

/// Discord's documented slash-command example (developers/interactions/
/// application-commands), plus the fields serenity 0.12.5 requires and the docs' example
/// omits: `application_id`, `version`, `entitlements`, `attachment_size_limit`,
/// `member.flags`.
fn command(name: &str, options: Value) -> Interaction {
    serde_json::from_value(json!({
        "type": 2, "token": "A_UNIQUE_TOKEN", "id": "786008729715212338",
        "application_id": "775799577604522054", "version": 1, "entitlements": [],
        "attachment_size_limit": 10485760,
        "guild_id": "290926798626357999", "channel_id": "645027906669510667",
        "app_permissions": "442368", "guild_locale": "en-US", "locale": "en-US",
        "member": {
            "user": {"id": "53908232506183680", "username": "Mason",
                     "avatar": null, "discriminator": "1337", "public_flags": 131141},
            "roles": ["539082325061836999"], "premium_since": null,
            "permissions": "2147483647", "pending": false, "nick": null, "mute": false,
            "joined_at": "2017-03-13T19:19:14.040000+00:00", "deaf": false, "flags": 0
        },
        "data": {"options": options, "type": 1, "name": name, "id": "771825006014889984"}
    }))
    .expect("serenity accepts the documented payload")
}

fn inbound(parsed: Parsed) -> (Inbound, bool) {
    match parsed {
        Parsed::Inbound { inbound, private } => (inbound, private),
        other => panic!("expected an inbound event, got {other:?}"),
    }
}

#[test]
fn slash_command_options_read_like_typed_text() {
    let (event, private) = inbound(parse(&command(
        "why",
        json!([{"type": 3, "name": "skill", "value": " joins "}]),
    )));
    assert!(private);
    assert_eq!(event.event_id, "786008729715212338");
    assert_eq!(event.actor.user, "53908232506183680");
    assert_eq!(event.actor.tenant, "290926798626357999");
    assert_eq!(event.actor.display_name, "Mason");
    assert_eq!(event.actor.platform_roles, vec!["539082325061836999"]);
    assert_eq!(
        event.kind,
        InboundKind::Command {
            name: "why".into(),
            args: "joins".into()
        }
    );
}

#[test]
fn subcommands_integers_and_booleans_flatten_in_order() {
    let cases = [
        (
            "settings",
            json!([{"type": 1, "name": "cap", "options": [{"type": 4, "name": "value", "value": 3}]}]),
            "cap 3",
        ),
        (
            "privacy",
            json!([{"type": 1, "name": "leaderboard",
                    "options": [{"type": 5, "name": "visible", "value": false}]}]),
            "leaderboard off",
        ),
        ("progress", json!([]), ""),
    ];
    for (name, options, args) in cases {
        let (event, _) = inbound(parse(&command(name, options)));
        assert_eq!(
            event.kind,
            InboundKind::Command {
                name: name.into(),
                args: args.into()
            }
        );
    }
}

#[test]
fn the_leaderboard_is_answered_in_public() {
    let (_, private) = inbound(parse(&command("leaderboard", json!([]))));
    assert!(!private);
}
