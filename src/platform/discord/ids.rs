//! The `custom_id` of every component the adapter renders, and its parsing.
//!
//! A component's meaning lives entirely in its `custom_id`, so a click on a message sent
//! before a restart (or by another instance) is understood without any in-memory state.
//! The app's `Choice.action` strings are carried verbatim behind a one-letter tag. Pure: no
//! I/O, no serenity types.

/// Discord's limit for a component `custom_id`.
pub const CUSTOM_ID_MAX: usize = 100;

/// What a component id says, once parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    /// A button whose click is the app action `action`.
    Action(String),
    /// A select menu; its selected option values are the app actions.
    Select,
    /// A button that opens a text modal for the app's `AskText` action.
    AskText { action: String, long: bool },
    /// The submitted modal of an `AskText` action.
    Modal(String),
}

impl ComponentId {
    /// The `custom_id` string; `None` when the action does not fit Discord's 100 characters
    /// (the renderer then drops the control rather than send something that cannot round-trip).
    pub fn encode(&self) -> Option<String> {
        let id = match self {
            ComponentId::Action(action) => format!("a:{action}"),
            ComponentId::Select => "s:".to_owned(),
            ComponentId::AskText { action, long } => {
                format!("t:{}:{action}", if *long { 'l' } else { 's' })
            }
            ComponentId::Modal(action) => format!("m:{action}"),
        };
        (id.chars().count() <= CUSTOM_ID_MAX).then_some(id)
    }

    /// Parses a `custom_id`; `None` for ids this adapter never renders.
    pub fn decode(custom_id: &str) -> Option<ComponentId> {
        let (tag, rest) = custom_id.split_once(':')?;
        match tag {
            "a" if !rest.is_empty() => Some(ComponentId::Action(rest.to_owned())),
            // Selects carry a per-message index after the tag so that their ids are unique.
            "s" => Some(ComponentId::Select),
            "t" => {
                let (size, action) = rest.split_once(':')?;
                let long = match size {
                    "l" => true,
                    "s" => false,
                    _ => return None,
                };
                (!action.is_empty()).then(|| ComponentId::AskText {
                    action: action.to_owned(),
                    long,
                })
            }
            "m" if !rest.is_empty() => Some(ComponentId::Modal(rest.to_owned())),
            _ => None,
        }
    }
}

/// A select's id, unique within one message.
pub fn select_id(index: usize) -> String {
    format!("s:{index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_including_colons_in_actions() {
        let ids = [
            ComponentId::Action("answer:p42:B".into()),
            ComponentId::AskText {
                action: "text:p42".into(),
                long: true,
            },
            ComponentId::AskText {
                action: "short".into(),
                long: false,
            },
            ComponentId::Modal("text:p42".into()),
        ];
        for id in ids {
            let encoded = id.encode().expect("fits");
            assert_eq!(ComponentId::decode(&encoded), Some(id));
        }
        assert_eq!(
            ComponentId::decode(&select_id(3)),
            Some(ComponentId::Select)
        );
    }

    #[test]
    fn actions_too_long_for_discord_are_refused_not_cut() {
        assert!(ComponentId::Action("x".repeat(98)).encode().is_some());
        assert!(ComponentId::Action("x".repeat(99)).encode().is_none());
    }

    #[test]
    fn foreign_ids_are_not_mistaken_for_ours() {
        for id in ["", "x", "a:", "q:1", "t:z:act", "t:l:", "m:"] {
            assert_eq!(ComponentId::decode(id), None, "{id}");
        }
    }
}
