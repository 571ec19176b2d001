//! App Home: the learner's dashboard, published with `views.publish` when they open the
//! Home tab and after each answer.
//!
//! What the dashboard holds is the app's to say ([`HomeSource`]: progress with stage per
//! skill, due reviews, streak and retention; a manager's teams or an expert's queue when
//! they hold the role); this module only lays it out as a Home view, within Slack's 100
//! blocks, with buttons for practice, settings, privacy and help.

use async_trait::async_trait;
use serde_json::{json, Value};

use super::ids::ElementId;
use super::render::{limits, render};
use crate::app::action::Action;
use crate::platform::{Actor, Reply};

/// Where the dashboard's content comes from (the app in production).
#[async_trait]
pub trait HomeSource: Send + Sync {
    async fn dashboard(&self, actor: &Actor) -> Vec<Reply>;
}

/// Buttons at the top of every Home: (label, element).
fn controls() -> Vec<(&'static str, ElementId)> {
    vec![
        (
            "Practice now",
            ElementId::Button(Action::Practice { skill: None }.encode()),
        ),
        ("Settings", ElementId::Command("settings".into())),
        ("Privacy", ElementId::Command("privacy".into())),
        ("Help", ElementId::Command("help".into())),
    ]
}

/// The Home view for the dashboard's replies.
pub fn view(replies: &[Reply]) -> Value {
    let buttons: Vec<Value> = controls()
        .into_iter()
        .filter_map(|(label, id)| {
            let value = match &id {
                ElementId::Button(a) => a.clone(),
                ElementId::Command(c) => c.clone(),
                _ => String::new(),
            };
            Some(json!({"type": "button", "action_id": id.encode()?,
                "text": {"type": "plain_text", "text": label}, "value": value}))
        })
        .collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": "Your practice"}}),
        json!({"type": "actions", "elements": buttons}),
    ];
    let body = replies
        .iter()
        .flat_map(render)
        .flat_map(|m| m.blocks)
        .filter(|b| b["type"] != "actions" || !has_modal_button(b));
    for block in body {
        if blocks.len() + 1 >= limits::BLOCKS_PER_VIEW {
            blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn",
                "text": "More in `/ladder progress`."}]}));
            break;
        }
        if !blocks.is_empty() && block["type"] == "header" {
            blocks.push(json!({"type": "divider"}));
        }
        blocks.push(block);
    }
    json!({"type": "home", "blocks": blocks})
}

/// Typed-answer buttons belong to a conversation (their modal answers into it), not Home.
fn has_modal_button(block: &Value) -> bool {
    block["elements"].as_array().is_some_and(|els| {
        els.iter().any(|e| {
            e["action_id"]
                .as_str()
                .and_then(ElementId::decode)
                .is_some_and(|id| matches!(id, ElementId::AskText { .. }))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Block;

    #[test]
    fn home_has_the_controls_and_the_dashboard_within_100_blocks() {
        let progress = Reply::private(vec![
            Block::Heading("Progress".into()),
            Block::Fields(vec![("rust.ownership".into(), "practising".into())]),
        ]);
        let many = Reply::private((0..300).map(|i| Block::Text(format!("{i}"))).collect());
        let v = view(&[progress, many]);
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(v["type"], "home");
        assert!(blocks.len() <= 100);
        let ids: Vec<&str> = blocks[1]["elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["action_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["b:p", "m:settings", "m:privacy", "m:help"]);
        let text = v.to_string();
        assert!(text.contains("practising"));
        assert!(text.contains("More in"));
    }
}
