//! Privacy and retention: what "delete my data" must find besides the rows that cascade
//! from the learner, and how long delivered messages are kept.
//!
//! Deleting a learner removes their own rows by foreign key, but their name, platform id
//! and words also travel into rows that belong to others: notices to experts and managers
//! naming them, an expert's answer contribution quoting their question, leaderboard
//! snapshots. [`Subject`] recognises those mentions and redacts JSON values structurally
//! (only inside strings, never in keys or punctuation), so the rows stay readable.
//! The SQL lives in `store::shared::privacy`. Depends on serde_json and the platform's text
//! sanitiser (names are stored sanitised in composed messages).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::types::{ContributionId, LearnerId};
use super::StoreError;

/// What replaces a deleted person's name in rows kept for others.
pub const REDACTED: &str = "(deleted)";

/// Why a waiting message was cancelled, kept in the outbox row for admins.
pub const CANCELLED: &str = "cancelled: a person it names deleted their data";

/// How long finished outbox rows are kept.
#[async_trait]
pub trait Retention: Send + Sync {
    /// Deletes finished outbox rows (sent, skipped, expired, undeliverable) that finished,
    /// or were due, before `finished_before`. Returns the rows deleted.
    async fn prune_outbox(&self, finished_before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// One vote the learner cast on a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteCast {
    pub contribution: ContributionId,
    pub up: bool,
}

/// One outbox row addressed to the learner (a daily prompt, a reminder, a notice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldMessage {
    pub kind: String,
    pub schedule: String,
    pub slot_date: NaiveDate,
    pub status: String,
    /// The composed message, as stored (None while planning or when skipped).
    pub message: Option<Value>,
}

/// A person being forgotten, as they may appear in other people's rows.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: LearnerId,
    /// Their display name (as typed and as sanitised for display) and platform user id.
    needles: Vec<String>,
}

/// Keys by which a JSON row points at a learner.
const ID_KEYS: [&str; 3] = ["to", "learner", "learner_id"];
/// Keys that carry what the pointed-at learner wrote (an answer quoting their question).
const THEIR_WORDS: [&str; 2] = ["question", "question_text"];

impl Subject {
    pub fn new(id: LearnerId, platform_user: &str, display_name: &str) -> Self {
        let mut needles = vec![display_name.to_owned(), platform_user.to_owned()];
        needles.push(crate::platform::text::sanitize(display_name));
        needles.retain(|n| !n.trim().is_empty());
        needles.sort();
        needles.dedup();
        Subject { id, needles }
    }

    /// `LIKE` patterns (escape `\`) that every row mentioning the subject matches, in JSON
    /// text as stored. Rows they match are only candidates: [`Subject::mentioned_in`]
    /// decides.
    pub fn like_patterns(&self) -> Vec<String> {
        self.needles
            .iter()
            .map(|n| {
                let json = serde_json::to_string(n).unwrap_or_default();
                let inner = json.trim_matches('"');
                let mut p = String::from("%");
                for c in inner.chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        p.push('\\');
                    }
                    p.push(c);
                }
                p.push('%');
                p
            })
            .collect()
    }

    /// Whether `text` names the subject as a whole word ("Al" is not in "Always").
    pub fn mentioned_in(&self, text: &str) -> bool {
        self.needles.iter().any(|n| !word_spans(text, n).is_empty())
    }

    /// Replaces every whole-word mention in `text` with [`REDACTED`].
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for n in &self.needles {
            let spans = word_spans(&out, n);
            for (start, end) in spans.into_iter().rev() {
                out.replace_range(start..end, REDACTED);
            }
        }
        out
    }

    fn is_id(&self, v: Option<&Value>) -> bool {
        v.and_then(Value::as_i64) == Some(self.id.0)
    }

    /// Whether a JSON value (a stored message, body or snapshot) mentions the subject by
    /// name, platform id or learner id.
    pub fn mentioned_in_json(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => self.mentioned_in(s),
            Value::Array(items) => items.iter().any(|i| self.mentioned_in_json(i)),
            Value::Object(map) => {
                ID_KEYS.iter().any(|k| self.is_id(map.get(*k)))
                    || map.values().any(|i| self.mentioned_in_json(i))
            }
            _ => false,
        }
    }

    /// Removes the subject from a JSON value kept for others: list entries about them go,
    /// an object pointing at them loses the pointer and their words, and their name or
    /// platform id inside any string becomes [`REDACTED`]. Returns whether anything changed.
    pub fn redact_json(&self, v: &mut Value) -> bool {
        match v {
            Value::String(s) => {
                let scrubbed = self.scrub(s);
                let changed = scrubbed != *s;
                *s = scrubbed;
                changed
            }
            Value::Array(items) => {
                let before = items.len();
                items.retain(|i| !(i.is_object() && self.points_at(i)));
                let mut changed = items.len() != before;
                for i in items.iter_mut() {
                    changed |= self.redact_json(i);
                }
                changed
            }
            Value::Object(map) => {
                let mut changed = false;
                if ID_KEYS.iter().any(|k| self.is_id(map.get(*k))) {
                    for k in ID_KEYS.iter().chain(THEIR_WORDS.iter()) {
                        changed |= map.remove(*k).is_some();
                    }
                }
                for i in map.values_mut() {
                    changed |= self.redact_json(i);
                }
                changed
            }
            _ => false,
        }
    }

    /// A list entry that is about the subject (a leaderboard row of theirs).
    fn points_at(&self, v: &Value) -> bool {
        ["learner", "learner_id"]
            .iter()
            .any(|k| self.is_id(v.get(*k)))
    }
}

/// Byte spans of `needle` in `text` not glued to a letter or digit on either side.
fn word_spans(text: &str, needle: &str) -> Vec<(usize, usize)> {
    if needle.is_empty() {
        return Vec::new();
    }
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let starts_word = needle.chars().next().is_some_and(char::is_alphanumeric);
    let ends_word = needle.chars().last().is_some_and(char::is_alphanumeric);
    text.match_indices(needle)
        .map(|(start, m)| (start, start + m.len()))
        .filter(|&(start, end)| {
            let before = text[..start].chars().last();
            let after = text[end..].chars().next();
            let glued_before = starts_word && glued(before);
            !(glued_before || (ends_word && glued(after)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pat() -> Subject {
        Subject::new(LearnerId(7), "u-123", "Pat")
    }

    #[test]
    fn a_name_counts_only_as_a_whole_word() {
        let s = pat();
        assert!(s.mentioned_in("**Pat** keeps missing questions"));
        assert!(s.mentioned_in("sent to u-123."));
        assert!(!s.mentioned_in("a Pattern of errors"));
        assert!(!s.mentioned_in("Spat"));
    }

    #[test]
    fn redaction_touches_strings_and_pointers_only() {
        let s = pat();
        let mut body = json!({
            "question": 3, "to": 7, "question_text": "why?", "answer": "Pat, see the guide",
        });
        assert!(s.mentioned_in_json(&body));
        assert!(s.redact_json(&mut body));
        assert_eq!(body, json!({ "answer": "(deleted), see the guide" }));
        assert!(!s.mentioned_in_json(&body));

        let mut board = json!([{ "learner": 7, "name": "Pat" }, { "learner": 8, "name": "Kim" }]);
        assert!(s.redact_json(&mut board));
        assert_eq!(board, json!([{ "learner": 8, "name": "Kim" }]));

        let mut other = json!({ "to": 8, "text": "Pattern" });
        assert!(!s.redact_json(&mut other), "nothing about Pat: unchanged");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        let s = Subject::new(LearnerId(1), "a_b", "100%");
        let p = s.like_patterns();
        assert!(p.contains(&"%a\\_b%".to_owned()), "{p:?}");
        assert!(p.contains(&"%100\\%%".to_owned()), "{p:?}");
    }
}
