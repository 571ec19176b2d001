use super::*;
use serde_json::json;

fn cmd(name: &str, args: &str) -> InboundKind {
    InboundKind::Command {
        name: name.into(),
        args: args.into(),
    }
}

#[test]
fn the_first_word_is_the_command_like_the_terminal() {
    assert_eq!(command_of("join python"), cmd("join", "python"));
    assert_eq!(command_of("  WHY   joins  "), cmd("why", "joins"));
    assert_eq!(command_of(""), cmd("help", ""));
    assert_eq!(command_of("/practice"), cmd("practice", ""));
}

#[test]
fn a_grid_workspace_is_its_own_tenant() {
    assert_eq!(tenant_of("T1", None), "T1");
    assert_eq!(tenant_of("T1", Some("")), "T1");
    assert_eq!(tenant_of("T1", Some("E9")), "E9:T1");
    assert_ne!(tenant_of("T1", Some("E9")), tenant_of("T1", Some("E8")));
}

#[test]
fn slash_command_text_is_unescaped_and_replies_privately_where_typed() {
    let p = json!({"team_id": "T1", "enterprise_id": "E1", "channel_id": "C1",
        "user_id": "U1", "user_name": "ana", "command": "/ladder",
        "text": "search a &lt;b&gt; &amp; c", "trigger_id": "1.2.x"});
    let Parsed::Inbound { inbound, reply_to } = slash_command(&p).unwrap() else {
        panic!("not an inbound");
    };
    assert_eq!(inbound.kind, cmd("search", "a <b> & c"));
    assert_eq!(inbound.actor.tenant, "E1:T1");
    assert_eq!(inbound.event_id, "cmd:1.2.x");
    assert_eq!(reply_to.channel.as_deref(), Some("C1"));
    assert!(reply_to.private);
}

#[test]
fn a_slash_command_without_a_user_is_refused_with_the_field_named() {
    let p = json!({"team_id": "T1", "trigger_id": "1"});
    assert_eq!(slash_command(&p), Err(ParseError::Missing("user_id")));
    let wrong_type = json!({"team_id": 5, "user_id": "U1", "trigger_id": "1"});
    assert!(matches!(
        slash_command(&wrong_type),
        Err(ParseError::Json(_))
    ));
}

fn click(action: serde_json::Value, channel: &str) -> serde_json::Value {
    json!({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1", "name": "ana"},
        "trigger_id": "9.9.z",
        "container": {"type": "message", "message_ts": "1700000000.000100",
            "channel_id": channel, "is_ephemeral": false},
        "channel": {"id": channel}, "actions": [action]})
}

#[test]
fn a_button_carries_the_app_action_and_updates_the_clicked_message() {
    let p = click(
        json!({"action_id": "b:r:p1", "value": "r:p1", "type": "button"}),
        "D0AAAAAAAA",
    );
    let Parsed::Inbound { inbound, reply_to } = interactive(&p).unwrap() else {
        panic!("not an inbound");
    };
    assert_eq!(
        inbound.kind,
        InboundKind::Action {
            actions: vec!["r:p1".into()]
        }
    );
    assert_eq!(reply_to.update_ts.as_deref(), Some("1700000000.000100"));
    assert!(!reply_to.private, "a DM is already private");
}

#[test]
fn a_select_gives_the_chosen_option_and_checkboxes_wait_for_submit() {
    let p = click(
        json!({"action_id": "s:0", "type": "static_select",
            "selected_option": {"value": "a:p1:3", "text": {"type": "plain_text", "text": "x"}}}),
        "C0AAAAAAAA",
    );
    let Parsed::Inbound { inbound, reply_to } = interactive(&p).unwrap() else {
        panic!("not an inbound");
    };
    assert_eq!(
        inbound.kind,
        InboundKind::Action {
            actions: vec!["a:p1:3".into()]
        }
    );
    assert!(
        reply_to.private,
        "a private answer in a channel is ephemeral"
    );

    let tick = click(json!({"action_id": "c:0", "type": "checkboxes"}), "D1");
    assert!(matches!(interactive(&tick), Ok(Parsed::Ignore(_))));

    let mut submit = click(
        json!({"action_id": "k:0", "type": "button", "value": ""}),
        "D1",
    );
    submit["state"] = json!({"values": {"blk": {"c:0": {"type": "checkboxes",
        "selected_options": [{"value": "a:p1:0"}, {"value": "a:p1:2"}]}}}});
    let Parsed::Inbound { inbound, .. } = interactive(&submit).unwrap() else {
        panic!("not an inbound");
    };
    assert_eq!(
        inbound.kind,
        InboundKind::Action {
            actions: vec!["a:p1:0".into(), "a:p1:2".into()]
        }
    );
}

#[test]
fn the_typed_answer_button_opens_a_modal_whose_submission_is_the_text() {
    let p = click(
        json!({"action_id": "t:l:t:p7", "value": "t:p7", "type": "button"}),
        "D0AAAAAAAA",
    );
    assert_eq!(
        interactive(&p).unwrap(),
        Parsed::OpenModal {
            trigger_id: "9.9.z".into(),
            action: "t:p7".into(),
            long: true,
            channel: "D0AAAAAAAA".into()
        }
    );
    let submitted = json!({"type": "view_submission", "team": {"id": "T1"},
        "user": {"id": "U1"}, "trigger_id": "5.5",
        "view": {"id": "V1", "callback_id": ids::MODAL_CALLBACK,
            "private_metadata": ids::modal_metadata("t:p7", "D0AAAAAAAA"),
            "state": {"values": {"answer": {"answer": {"type": "plain_text_input",
                "value": "a borrow"}}}}}});
    let Parsed::Inbound { inbound, reply_to } = interactive(&submitted).unwrap() else {
        panic!("not an inbound");
    };
    assert_eq!(
        inbound.kind,
        InboundKind::Text {
            action: Some("t:p7".into()),
            text: "a borrow".into()
        }
    );
    assert_eq!(reply_to.channel.as_deref(), Some("D0AAAAAAAA"));
}

#[test]
fn foreign_elements_and_modals_are_ignored() {
    let p = click(json!({"action_id": "a", "value": "underlying"}), "C1");
    assert!(matches!(interactive(&p), Ok(Parsed::Ignore(_))));
    let v = json!({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"},
        "view": {"id": "V1", "callback_id": "someone-else"}});
    assert!(matches!(interactive(&v), Ok(Parsed::Ignore(_))));
}

fn callback(event: serde_json::Value) -> serde_json::Value {
    json!({"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event})
}

#[test]
fn dm_text_mentions_and_home_opens_are_read() {
    let dm = callback(
        json!({"type": "message", "channel_type": "im", "user": "U1",
        "channel": "D1", "text": "  2  "}),
    );
    let Parsed::Inbound { inbound, .. } = event(&dm).unwrap() else {
        panic!()
    };
    assert_eq!(
        inbound.kind,
        InboundKind::Text {
            action: None,
            text: "2".into()
        }
    );
    assert_eq!(inbound.event_id, "ev:Ev1");

    let mention = callback(json!({"type": "app_mention", "user": "U1", "channel": "C1",
        "text": "<@U0BOT> progress"}));
    let Parsed::Inbound { inbound, reply_to } = event(&mention).unwrap() else {
        panic!()
    };
    assert_eq!(inbound.kind, cmd("progress", ""));
    assert!(reply_to.private);

    let home = callback(json!({"type": "app_home_opened", "user": "U1", "tab": "home"}));
    assert!(matches!(event(&home), Ok(Parsed::HomeOpened { .. })));
    let own = callback(
        json!({"type": "message", "channel_type": "im", "user": "U1",
        "bot_id": "B1", "text": "echo"}),
    );
    assert!(matches!(event(&own), Ok(Parsed::Ignore(_))));
}
