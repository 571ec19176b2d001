//! The `action_id` of every interactive element the adapter renders, and its parsing.
//!
//! An element's meaning lives entirely in its `action_id` and `value` (the app's action
//! string, verbatim), so a click on a message sent before a restart, or handled by another
//! instance, is understood without any in-memory state. Pure: no I/O.

/// Slack's limit for an `action_id`, a `block_id` and a `callback_id`.
pub const ID_MAX: usize = 255;
/// Slack's limit for an element's or option's `value`.
pub const VALUE_MAX: usize = 2_000;

/// What an `action_id` says, once parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementId {
    /// A button whose click is the app action (also in its `value`).
    Button(String),
    /// A `static_select` (number `n` in its message); the chosen option's value is the action.
    Select(usize),
    /// A `checkboxes` group; ticking a box does nothing until its submit button.
    Checkboxes(usize),
    /// The submit button of checkboxes group `n`: the ticked options are the actions.
    Submit(usize),
    /// A button that opens a modal for the app's `AskText` action.
    AskText { action: String, long: bool },
    /// An App Home button that runs one of the app's commands (settings, privacy, help).
    Command(String),
}

impl ElementId {
    /// The `action_id`; `None` when it would not fit Slack's 255 characters (the renderer
    /// then drops the element rather than send something that cannot round-trip).
    pub fn encode(&self) -> Option<String> {
        let id = match self {
            ElementId::Button(action) => format!("b:{action}"),
            ElementId::Select(n) => format!("s:{n}"),
            ElementId::Checkboxes(n) => format!("c:{n}"),
            ElementId::Submit(n) => format!("k:{n}"),
            ElementId::AskText { action, long } => {
                format!("t:{}:{action}", if *long { 'l' } else { 's' })
            }
            ElementId::Command(name) => format!("m:{name}"),
        };
        (id.chars().count() <= ID_MAX).then_some(id)
    }

    /// Parses an `action_id`; `None` for ids this adapter never renders.
    pub fn decode(action_id: &str) -> Option<ElementId> {
        let (tag, rest) = action_id.split_once(':')?;
        let index = || rest.parse::<usize>().ok();
        match tag {
            "b" if !rest.is_empty() => Some(ElementId::Button(rest.to_owned())),
            "s" => index().map(ElementId::Select),
            "c" => index().map(ElementId::Checkboxes),
            "k" => index().map(ElementId::Submit),
            "t" => {
                let (size, action) = rest.split_once(':')?;
                let long = match size {
                    "l" => true,
                    "s" => false,
                    _ => return None,
                };
                (!action.is_empty()).then(|| ElementId::AskText {
                    action: action.to_owned(),
                    long,
                })
            }
            "m" if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase()) => {
                Some(ElementId::Command(rest.to_owned()))
            }
            _ => None,
        }
    }
}

/// The `callback_id` of the typed-answer modal.
pub const MODAL_CALLBACK: &str = "ladder:typed";
/// The `block_id` and `action_id` of the modal's text input.
pub const MODAL_INPUT: &str = "answer";

/// What a typed-answer modal remembers between opening and submitting (its
/// `private_metadata`): the app action and the conversation to answer in.
pub fn modal_metadata(action: &str, channel: &str) -> String {
    format!("{channel}\n{action}")
}

/// Reads [`modal_metadata`] back: (action, channel).
pub fn read_modal_metadata(meta: &str) -> Option<(String, String)> {
    let (channel, action) = meta.split_once('\n')?;
    (!action.is_empty()).then(|| (action.to_owned(), channel.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_including_colons_in_actions() {
        let ids = [
            ElementId::Button("a:p42:1".into()),
            ElementId::Select(3),
            ElementId::Checkboxes(0),
            ElementId::Submit(0),
            ElementId::AskText {
                action: "t:p42".into(),
                long: true,
            },
            ElementId::Command("settings".into()),
        ];
        for id in ids {
            let encoded = id.encode().unwrap();
            assert_eq!(ElementId::decode(&encoded), Some(id));
        }
    }

    #[test]
    fn ids_over_255_characters_are_not_rendered_and_foreign_ids_are_not_read() {
        assert_eq!(ElementId::Button("x".repeat(254)).encode(), None);
        assert!(ElementId::Button("x".repeat(253)).encode().is_some());
        for foreign in [
            "a",
            "",
            "b:",
            "s:x",
            "t:q:a",
            "t:l:",
            "zz:1",
            "m:",
            "m:Drop table",
        ] {
            assert_eq!(ElementId::decode(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn modal_metadata_keeps_action_and_channel() {
        let meta = modal_metadata("t:p1", "D0123ABCDE");
        assert_eq!(
            read_modal_metadata(&meta),
            Some(("t:p1".to_owned(), "D0123ABCDE".to_owned()))
        );
        assert_eq!(read_modal_metadata("no newline"), None);
    }
}
