//! The compact action strings the app puts on buttons, selects and text boxes, and their
//! strict parsing back.
//!
//! Adapters store these strings opaquely (Discord: a component's `custom_id`, at most 100
//! characters), so they must survive restarts and must never be trusted: anything that does
//! not parse exactly is refused with a message the user can act on. Depends on nothing but
//! the engine's id types.

use ladder_engine::{SkillId, TrackId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest prompt reference accepted: far below Discord's 100-character `custom_id`.
const MAX_PROMPT_REF: usize = 40;

/// The stable reference to a delivered prompt, as it appears inside an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PromptRef(String);

impl PromptRef {
    /// Accepts ASCII letters, digits, `-` and `_` only, so that `:` can separate fields.
    pub fn parse(s: &str) -> Result<Self, ActionError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_PROMPT_REF
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(PromptRef(s.to_owned()))
        } else {
            Err(ActionError::Malformed)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PromptRef {
    type Error = ActionError;
    fn try_from(s: String) -> Result<Self, ActionError> {
        PromptRef::parse(&s)
    }
}

impl From<PromptRef> for String {
    fn from(p: PromptRef) -> String {
        p.0
    }
}

impl fmt::Display for PromptRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a button, select option or text box means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Pick option `option` (index into the item's options as authored, not as shown).
    Answer { prompt: PromptRef, option: usize },
    /// Typed answer for a prompt (text box / modal).
    Typed { prompt: PromptRef },
    /// "Show question" on a pushed daily prompt: latency starts now.
    Reveal { prompt: PromptRef },
    /// Join a track (opt-in enrolment).
    Join { track: TrackId },
    /// Practise now, optionally one skill.
    Practice { skill: Option<SkillId> },
    /// Confirm "delete my data".
    ConfirmDelete,
    /// Cancel "delete my data".
    CancelDelete,
}

/// Why an action string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("this button does not belong to Ladder")]
    Foreign,
    #[error("this button is damaged or out of date")]
    Malformed,
}

impl Action {
    /// The string form: short, stable, colon-separated.
    pub fn encode(&self) -> String {
        match self {
            Action::Answer { prompt, option } => format!("a:{prompt}:{option}"),
            Action::Typed { prompt } => format!("t:{prompt}"),
            Action::Reveal { prompt } => format!("r:{prompt}"),
            Action::Join { track } => format!("j:{track}"),
            Action::Practice { skill: None } => "p".to_owned(),
            Action::Practice { skill: Some(s) } => format!("p:{s}"),
            Action::ConfirmDelete => "d:yes".to_owned(),
            Action::CancelDelete => "d:no".to_owned(),
        }
    }

    /// Parses exactly what [`Action::encode`] produces; anything else is an error.
    pub fn parse(s: &str) -> Result<Action, ActionError> {
        let mut parts = s.split(':');
        let tag = parts.next().unwrap_or_default();
        let fields: Vec<&str> = parts.collect();
        let action = match (tag, fields.as_slice()) {
            ("a", [p, o]) => Action::Answer {
                prompt: PromptRef::parse(p)?,
                option: parse_index(o)?,
            },
            ("t", [p]) => Action::Typed {
                prompt: PromptRef::parse(p)?,
            },
            ("r", [p]) => Action::Reveal {
                prompt: PromptRef::parse(p)?,
            },
            ("j", [t]) => Action::Join {
                track: TrackId::parse(t).map_err(|_| ActionError::Malformed)?,
            },
            ("p", []) => Action::Practice { skill: None },
            ("p", [sk]) => Action::Practice {
                skill: Some(SkillId::parse(sk).map_err(|_| ActionError::Malformed)?),
            },
            ("d", ["yes"]) => Action::ConfirmDelete,
            ("d", ["no"]) => Action::CancelDelete,
            ("a" | "t" | "r" | "j" | "p" | "d", _) => return Err(ActionError::Malformed),
            _ => return Err(ActionError::Foreign),
        };
        Ok(action)
    }
}

/// Digits only (no sign, no spaces), and small: an item has at most 25 options.
fn parse_index(s: &str) -> Result<usize, ActionError> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ActionError::Malformed);
    }
    s.parse().map_err(|_| ActionError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(s: &str) -> PromptRef {
        PromptRef::parse(s).unwrap()
    }

    #[test]
    fn every_action_survives_a_round_trip() {
        let all = [
            Action::Answer {
                prompt: pr("42"),
                option: 3,
            },
            Action::Typed { prompt: pr("p-1") },
            Action::Reveal { prompt: pr("7") },
            Action::Join {
                track: TrackId::parse("infosec").unwrap(),
            },
            Action::Practice { skill: None },
            Action::Practice {
                skill: Some(SkillId::parse("phishing").unwrap()),
            },
            Action::ConfirmDelete,
            Action::CancelDelete,
        ];
        for a in all {
            let s = a.encode();
            assert!(s.len() <= 100, "{s} is too long for a custom_id");
            assert_eq!(Action::parse(&s), Ok(a));
        }
    }

    #[test]
    fn other_bots_buttons_are_foreign() {
        for s in ["", "vote:1", "x:1:2", "ticket-open"] {
            assert_eq!(Action::parse(s), Err(ActionError::Foreign), "{s:?}");
        }
    }

    #[test]
    fn damaged_actions_are_refused_not_guessed() {
        for s in [
            "a:42",
            "a:42:-1",
            "a:42:1:2",
            "a:4 2:1",
            "a::1",
            "a:42:x",
            "a:42:999",
            "r:",
            "j:Bad Track",
            "d:maybe",
            "p:a:b",
        ] {
            assert_eq!(Action::parse(s), Err(ActionError::Malformed), "{s:?}");
        }
    }
}
