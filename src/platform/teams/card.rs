//! Every [`Reply`] as a Bot Framework message activity carrying one Adaptive Card (schema
//! 1.5), plus inline image attachments for pictures. Pure: tested against the published
//! 1.5 JSON schema.
//!
//! - headings and text are `TextBlock`s (the app's Markdown; user text inside it was
//!   already passed through [`crate::platform::text::sanitize`]), fields a `FactSet`;
//! - up to five choices are `Action.Submit` buttons whose `data` carries the app's action
//!   string; more, or a multi-select, an `Input.ChoiceSet` with one submit button;
//! - a typed answer is an `Input.Text` with a submit button carrying its action;
//! - a picture is an `image/png` attachment with a `data:` URL (Teams shows it inline);
//! - a file's text is shown in the card (bots cannot attach files to a chat without the
//!   file-consent flow), cut to fit Teams' message size;
//! - a mention is Teams' `<at>` text with a `mention` entity on the activity, the only
//!   way Teams pings anyone, so echoed text can never ping.
//!
//! Nothing here keeps state: a click is understood from its `data` alone, after a restart
//! or on another instance.

use base64::Engine;
use serde_json::{json, Value};

use crate::platform::text::truncate;
use crate::platform::{Block, Choice, Reply};

/// `Action.Submit` data key holding the app's action string of a button.
pub const DATA_ACTION: &str = "ladder_action";
/// Data key of the submit button under a choice set (the picks are in [`INPUT_CHOICE`]).
pub const DATA_PICK: &str = "ladder_pick";
/// Data key holding the action of a typed answer (the text is in [`INPUT_TEXT`]).
pub const DATA_TEXT: &str = "ladder_typed";
pub const INPUT_CHOICE: &str = "ladder_choice";
pub const INPUT_TEXT: &str = "ladder_text";

/// Adaptive Cards schema version Teams renders on desktop, web and mobile.
pub const VERSION: &str = "1.5";
pub const CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";
/// Buttons shown as such; more choices become a choice set.
const MAX_BUTTONS: usize = 5;
/// Characters of a file shown in a card (Teams refuses messages above about 28 KB).
const FILE_PREVIEW: usize = 12_000;

/// The message activities for one reply, in order (one card; a mention or picture rides
/// on the same activity).
pub fn render(reply: &Reply) -> Vec<Value> {
    let mut body: Vec<Value> = Vec::new();
    let mut actions: Vec<Value> = Vec::new();
    let mut images: Vec<Value> = Vec::new();
    let mut mentions: Vec<Value> = Vec::new();
    let mut mention_text: Vec<String> = Vec::new();
    for block in &reply.blocks {
        match block {
            Block::Heading(title) => body.push(json!({
                "type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium",
                "wrap": true,
            })),
            Block::Text(markdown) => body.push(json!({
                "type": "TextBlock", "text": markdown, "wrap": true,
            })),
            Block::Fields(fields) => body.push(json!({
                "type": "FactSet",
                "facts": fields.iter().map(|(k, v)| json!({"title": k, "value": v}))
                    .collect::<Vec<_>>(),
            })),
            Block::Choices {
                choices,
                multi,
                placeholder,
            } => choices_block(choices, *multi, placeholder, &mut body, &mut actions),
            Block::AskText {
                action,
                label,
                placeholder,
                long,
            } => {
                body.push(json!({
                    "type": "Input.Text", "id": INPUT_TEXT, "label": label,
                    "placeholder": placeholder, "isMultiline": long, "isRequired": true,
                    "errorMessage": "Type your answer first.", "maxLength": 2000,
                }));
                actions.push(json!({
                    "type": "Action.Submit", "title": "Send", "style": "positive",
                    "data": { DATA_TEXT: action },
                }));
            }
            Block::Image { png, filename, alt } => {
                let data = base64::engine::general_purpose::STANDARD.encode(png);
                images.push(json!({
                    "contentType": "image/png",
                    "contentUrl": format!("data:image/png;base64,{data}"),
                    "name": filename,
                }));
                body.push(json!({
                    "type": "TextBlock", "text": alt, "wrap": true, "isSubtle": true,
                }));
            }
            Block::File { bytes, filename } => {
                let text = String::from_utf8_lossy(bytes);
                let shown = truncate(&text, FILE_PREVIEW);
                let note = if shown.len() < text.len() {
                    format!(
                        "**{filename}** ({} bytes; the first part is below, the whole file \
                         comes from `ladder export` or an administrator)",
                        bytes.len()
                    )
                } else {
                    format!("**{filename}**")
                };
                body.push(json!({"type": "TextBlock", "text": note, "wrap": true}));
                body.push(json!({
                    "type": "TextBlock", "text": shown, "wrap": true, "fontType": "Monospace",
                }));
            }
            Block::Mention { user, name } => {
                let at = format!("<at>{}</at>", at_name(name));
                mentions.push(json!({
                    "type": "mention", "text": at, "mentioned": {"id": user, "name": name},
                }));
                mention_text.push(at);
            }
        }
    }
    let mut attachments = Vec::new();
    if !body.is_empty() || !actions.is_empty() {
        let mut card = json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": VERSION,
            "body": body,
        });
        if !actions.is_empty() {
            card["actions"] = Value::Array(actions);
        }
        attachments.push(json!({"contentType": CARD_CONTENT_TYPE, "content": card}));
    }
    attachments.extend(images);
    let mut activity = json!({ "type": "message", "attachments": attachments });
    if !mentions.is_empty() {
        activity["text"] = Value::String(mention_text.join(" "));
        activity["entities"] = Value::Array(mentions);
    }
    vec![activity]
}

/// Buttons for a few single choices, a choice set with one submit for the rest.
fn choices_block(
    choices: &[Choice],
    multi: bool,
    placeholder: &str,
    body: &mut Vec<Value>,
    actions: &mut Vec<Value>,
) {
    if choices.is_empty() {
        return;
    }
    if !multi && choices.len() <= MAX_BUTTONS {
        actions.extend(choices.iter().map(|c| {
            json!({
                "type": "Action.Submit", "title": c.label, "data": { DATA_ACTION: c.action },
            })
        }));
        return;
    }
    body.push(json!({
        "type": "Input.ChoiceSet",
        "id": INPUT_CHOICE,
        "label": placeholder,
        "isMultiSelect": multi,
        "style": "expanded",
        "isRequired": true,
        "errorMessage": "Pick an answer first.",
        "choices": choices.iter().map(|c| json!({"title": c.label, "value": c.action}))
            .collect::<Vec<_>>(),
    }));
    actions.push(json!({
        "type": "Action.Submit", "title": "Submit", "style": "positive",
        "data": { DATA_PICK: true },
    }));
}

/// A display name fit for `<at>…</at>`: no angle brackets that could close the tag.
fn at_name(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '<' | '>')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(label: &str, action: &str) -> Choice {
        Choice {
            label: label.into(),
            action: action.into(),
        }
    }

    #[test]
    fn few_choices_are_buttons_many_a_choice_set() {
        let few = Reply::private(vec![Block::Choices {
            choices: vec![choice("Show question", "r:1")],
            multi: false,
            placeholder: "Pick".into(),
        }]);
        let card = &render(&few)[0]["attachments"][0]["content"];
        assert_eq!(card["actions"][0]["data"][DATA_ACTION], "r:1");
        assert_eq!(card["actions"][0]["title"], "Show question");

        let many = Reply::private(vec![Block::Choices {
            choices: (0..7)
                .map(|i| choice(&format!("o{i}"), &format!("a:1:{i}")))
                .collect(),
            multi: false,
            placeholder: "Pick one".into(),
        }]);
        let card = &render(&many)[0]["attachments"][0]["content"];
        assert_eq!(card["body"][0]["type"], "Input.ChoiceSet");
        assert_eq!(card["body"][0]["choices"][6]["value"], "a:1:6");
        assert_eq!(card["actions"][0]["data"][DATA_PICK], true);
    }

    #[test]
    fn a_mention_is_an_entity_and_the_name_cannot_close_the_tag() {
        let reply = Reply::public(vec![Block::Mention {
            user: "29:abc".into(),
            name: "Eve</at><at>All".into(),
        }]);
        let activity = &render(&reply)[0];
        assert_eq!(activity["text"], "<at>Eve/atatAll</at>");
        assert_eq!(activity["entities"][0]["mentioned"]["id"], "29:abc");
    }
}
