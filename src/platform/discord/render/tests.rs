//! Limits and control choice of the renderer, checked on the JSON Discord would receive.

use super::*;
use serde_json::{json, Value};

fn choice(i: usize) -> Choice {
    Choice {
        label: format!("Option {i}"),
        action: format!("answer:p1:{i}"),
    }
}

fn choices(n: usize, multi: bool) -> Block {
    Block::Choices {
        choices: (0..n).map(choice).collect(),
        multi,
        placeholder: "Pick one".into(),
    }
}

fn message_json(r: Rendered) -> Value {
    serde_json::to_value(r.into_message(Some("n1".into()))).unwrap()
}

#[test]
fn up_to_five_choices_are_buttons_carrying_the_action() {
    let msgs = render(&Reply::private(vec![
        Block::Text("Q?".into()),
        choices(5, false),
    ]));
    assert_eq!(msgs.len(), 1);
    let v = message_json(msgs[0].clone());
    let row = &v["components"][0]["components"];
    assert_eq!(row.as_array().unwrap().len(), 5);
    assert_eq!(row[0]["type"], 2);
    assert_eq!(row[2]["custom_id"], "a:answer:p1:2");
    assert_eq!(row[2]["label"], "Option 2");
}

#[test]
fn six_choices_or_a_multi_choice_become_a_select() {
    for block in [choices(6, false), choices(3, true)] {
        let multi = matches!(block, Block::Choices { multi: true, .. });
        let v = message_json(render(&Reply::private(vec![block])).remove(0));
        let menu = &v["components"][0]["components"][0];
        assert_eq!(menu["type"], 3);
        assert_eq!(menu["options"][1]["value"], "answer:p1:1");
        assert_eq!(menu["placeholder"], "Pick one");
        assert_eq!(menu["max_values"], if multi { 3 } else { 1 });
    }
}

#[test]
fn thirty_options_split_into_two_selects_with_distinct_ids() {
    let v = message_json(render(&Reply::private(vec![choices(30, false)])).remove(0));
    let rows = v["components"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["components"][0]["options"]
            .as_array()
            .unwrap()
            .len(),
        25
    );
    assert_ne!(
        rows[0]["components"][0]["custom_id"],
        rows[1]["components"][0]["custom_id"]
    );
}

#[test]
fn more_than_five_rows_spill_into_a_second_message() {
    let blocks = (0..7).map(|_| choices(2, false)).collect();
    let msgs = render(&Reply::private(blocks));
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].rows.len(), 5);
    assert_eq!(msgs[1].rows.len(), 2);
}

#[test]
fn long_text_is_split_across_embeds_and_messages_without_losing_words() {
    let text = "mastery ".repeat(3_000); // 24,000 characters
    let msgs = render(&Reply::private(vec![Block::Text(text)]));
    assert!(msgs.len() >= 2, "6,000 embed characters per message");
    let mut words = 0;
    for m in msgs {
        let v = message_json(m);
        let mut total = 0;
        for e in v["embeds"].as_array().unwrap() {
            let d = e["description"].as_str().unwrap();
            assert!(d.chars().count() <= limits::EMBED_DESCRIPTION);
            total += d.chars().count();
            words += d.split_whitespace().count();
        }
        assert!(total <= limits::EMBED_TOTAL);
    }
    assert_eq!(words, 3_000);
}

#[test]
fn fields_over_the_limits_are_cut_and_spread_over_embeds() {
    let fields = (0..30)
        .map(|i| (format!("skill {i} {}", "n".repeat(300)), "é".repeat(2_000)))
        .collect();
    let msgs = render(&Reply::private(vec![Block::Fields(fields)]));
    let mut seen = 0;
    for m in msgs {
        for e in message_json(m)["embeds"].as_array().unwrap() {
            let fields = e["fields"].as_array().unwrap();
            assert!(fields.len() <= limits::EMBED_FIELDS);
            for f in fields {
                assert!(f["name"].as_str().unwrap().chars().count() <= limits::FIELD_NAME);
                let value = f["value"].as_str().unwrap();
                assert!(value.chars().count() <= limits::FIELD_VALUE);
                assert!(value.ends_with('…'));
            }
            seen += fields.len();
        }
    }
    assert_eq!(seen, 30);
}

#[test]
fn ask_text_is_a_button_that_remembers_the_action_and_size() {
    let block = Block::AskText {
        action: "text:p9".into(),
        label: "Type your answer".into(),
        placeholder: "…".into(),
        long: true,
    };
    let v = message_json(render(&Reply::private(vec![block])).remove(0));
    let button = &v["components"][0]["components"][0];
    assert_eq!(button["custom_id"], "t:l:text:p9");
    assert_eq!(button["label"], "Type your answer");
}

#[test]
fn every_message_disables_mentions_and_is_idempotent() {
    let v = message_json(render(&Reply::public(vec![Block::Text("@everyone".into())])).remove(0));
    assert_eq!(
        v["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": [], "replied_user": false})
    );
    assert_eq!(v["nonce"], "n1");
    assert_eq!(v["enforce_nonce"], true);
}

#[test]
fn images_are_attached_and_shown_in_the_embed() {
    let block = Block::Image {
        png: vec![137, 80, 78, 71],
        filename: "team summary.png".into(),
        alt: "heatmap".into(),
    };
    let msgs = render(&Reply::private(vec![Block::Heading("Team".into()), block]));
    assert_eq!(msgs[0].files.len(), 1);
    let v = message_json(msgs[0].clone());
    assert_eq!(
        v["embeds"][0]["image"]["url"],
        "attachment://team_summary.png"
    );
    assert_eq!(v["embeds"][0]["title"], "Team");
}

#[test]
fn private_replies_are_ephemeral_and_public_ones_are_not() {
    let private = render(&Reply::text("hi")).remove(0);
    let public = render(&Reply::public(vec![Block::Text("hi".into())])).remove(0);
    assert!(private.ephemeral);
    assert!(!public.ephemeral);
    let v = serde_json::to_value(private.into_followup()).unwrap();
    assert_eq!(v["flags"], 64);
}
