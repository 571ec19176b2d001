//! The Slack adapter's parsing against Slack's published payloads: the payload shapes of
//! java-slack-sdk (every field with its JSON type), the Socket Mode frames both SDKs' test
//! servers send, and a modal submission. A field of a type we do not expect, or a frame we
//! misread, fails here.
//!
//! Needs `LADDER_SLACK_DATA` (set by `.ci/run`); outside CI, without it, the tests say so
//! and return.

use crate::fake_slack;

use std::path::Path;

use fake_slack::harness::data_dir;
use ladder::platform::slack::parse::{self, ParseError, Parsed};
use ladder::platform::slack::socket::{read_frame, Incoming};
use ladder::platform::InboundKind;
use serde_json::Value;

fn load(dir: &Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A shape decodes: at worst a field we need is empty (the shapes mask values as ""),
/// never a type error.
fn decodes(result: Result<Parsed, ParseError>, what: &str) {
    if let Err(ParseError::Json(e)) = result {
        panic!("{what} does not decode: {e}");
    }
}

#[test]
fn every_published_payload_shape_decodes() {
    let Some(dir) = data_dir() else { return };
    let shapes = dir.join("payload-shapes");
    decodes(
        parse::interactive(&load(&shapes, "BlockActionPayload.json")),
        "block_actions",
    );
    decodes(
        parse::interactive(&load(&shapes, "ViewSubmissionPayload.json")),
        "view_submission",
    );
    decodes(
        parse::slash_command(&load(&shapes, "SlashCommandPayload.json")),
        "slash command",
    );
    decodes(
        parse::event(&load(&shapes, "MessagePayload.json")),
        "message event",
    );
    decodes(
        parse::event(&load(&shapes, "AppMentionPayload.json")),
        "app_mention event",
    );
}

#[test]
fn a_field_of_the_wrong_type_is_a_clear_error_not_a_default() {
    let Some(dir) = data_dir() else { return };
    let mut shape = load(&dir.join("payload-shapes"), "SlashCommandPayload.json");
    shape["user_id"] = Value::from(12);
    let err = parse::slash_command(&shape).unwrap_err();
    assert!(matches!(err, ParseError::Json(_)), "{err}");
}

#[test]
fn the_published_socket_mode_frames_are_read() {
    let Some(dir) = data_dir() else { return };
    let sm = dir.join("socket-mode");
    let text = |f: &str| std::fs::read_to_string(sm.join(f)).unwrap();
    assert_eq!(read_frame(&text("hello.json")), Incoming::Hello);
    assert_eq!(
        read_frame(&text("disconnect.json")),
        Incoming::Disconnect("too_many_websockets".into())
    );

    // A slash command with empty text: help, in workspace T111, answered privately.
    let Incoming::Envelope { id, parsed } = read_frame(&text("slash_commands.json")) else {
        panic!("not an envelope")
    };
    assert_eq!(id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
    let Ok(Parsed::Inbound { inbound, reply_to }) = parsed else {
        panic!("{parsed:?}")
    };
    assert_eq!(inbound.actor.tenant, "T111");
    assert_eq!(inbound.actor.user, "U111");
    assert_eq!(
        inbound.kind,
        InboundKind::Command {
            name: "help".into(),
            args: String::new()
        }
    );
    assert_eq!(reply_to.channel.as_deref(), Some("C111"));

    // An app mention: the text after the mention is the command.
    let Incoming::Envelope { parsed, .. } = read_frame(&text("events_api_app_mention.json")) else {
        panic!("not an envelope")
    };
    match parsed.unwrap() {
        Parsed::Inbound { inbound, .. } => {
            assert!(matches!(inbound.kind, InboundKind::Command { .. }));
            assert!(inbound.event_id.starts_with("ev:Ev"));
        }
        other => panic!("{other:?}"),
    }

    // A channel message (not the bot's DM) is not for us; a foreign button is ignored.
    let Incoming::Envelope { parsed, .. } = read_frame(&text("events_api_message.json")) else {
        panic!("not an envelope")
    };
    assert!(matches!(parsed, Ok(Parsed::Ignore(_))));
    let Incoming::Envelope { id, parsed } = read_frame(&text("interactive_block_actions.json"))
    else {
        panic!("not an envelope")
    };
    assert_eq!(id, "xxx-11-222-yyy-zzz");
    assert!(matches!(parsed, Ok(Parsed::Ignore(_))));
}

#[test]
fn a_published_button_click_carrying_our_action_reaches_the_app() {
    let Some(dir) = data_dir() else { return };
    let mut frame = load(&dir.join("socket-mode"), "interactive_block_actions.json");
    frame["payload"]["actions"][0]["action_id"] = "b:r:p1".into();
    frame["payload"]["actions"][0]["value"] = "r:p1".into();
    let Incoming::Envelope { parsed, .. } = read_frame(&frame.to_string()) else {
        panic!("not an envelope")
    };
    let Ok(Parsed::Inbound { inbound, reply_to }) = parsed else {
        panic!("{parsed:?}")
    };
    assert_eq!(
        inbound.kind,
        InboundKind::Action {
            actions: vec!["r:p1".into()]
        }
    );
    // In channel C111: a private answer there is ephemeral, the message is not replaced.
    assert!(reply_to.private);
    assert_eq!(reply_to.update_ts, None);
}

#[test]
fn a_published_modal_submission_is_read_only_when_it_is_ours() {
    let Some(dir) = data_dir() else { return };
    let mut payload = load(&dir.join("interactivity"), "view_submission.json");
    assert!(matches!(
        parse::interactive(&payload),
        Ok(Parsed::Ignore(_))
    ));
    payload["view"]["callback_id"] = "ladder:typed".into();
    payload["view"]["private_metadata"] = "D0123456789\nt:p5".into();
    payload["view"]["state"]["values"]["answer"] =
        serde_json::json!({"answer": {"type": "plain_text_input", "value": "ownership"}});
    let Ok(Parsed::Inbound { inbound, .. }) = parse::interactive(&payload) else {
        panic!("not read")
    };
    assert_eq!(inbound.actor.tenant, "T12345678");
    assert_eq!(
        inbound.kind,
        InboundKind::Text {
            action: Some("t:p5".into()),
            text: "ownership".into()
        }
    );
}
