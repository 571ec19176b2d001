//! xAPI 1.0.3 statements for the review log: one `answered` statement per answer, as serde
//! structs (the existing xAPI crate is GPL, so the few types needed are written here).
//!
//! The actor is an account (home page: the platform's site, name: Ladder's learner id, a
//! pseudonym rather than the platform user id), the object the item as an activity, the
//! result its success, scaled score, response and latency as an ISO 8601 duration.

use ladder_engine::grade::Verdict;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::platform::Platform;
use crate::store::ReviewEntry;

pub const ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
const INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
const SKILL_EXTENSION: &str = "https://ladder.invalid/xapi/skill";

#[derive(Debug, Serialize)]
pub struct Statement {
    pub id: String,
    pub actor: Actor,
    pub verb: Verb,
    pub object: Activity,
    pub result: XapiResult,
    pub context: Context,
    pub timestamp: String,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub object_type: &'static str,
    pub account: Account,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub home_page: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Verb {
    pub id: &'static str,
    pub display: LanguageMap,
}

#[derive(Debug, Serialize)]
pub struct LanguageMap {
    #[serde(rename = "en-US")]
    pub en_us: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub object_type: &'static str,
    pub id: String,
    pub definition: Definition,
}

#[derive(Debug, Serialize)]
pub struct Definition {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Serialize)]
pub struct XapiResult {
    /// Absent while a free-text answer waits for a person to grade it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    pub response: String,
}

#[derive(Debug, Serialize)]
pub struct Score {
    pub scaled: f64,
}

#[derive(Debug, Serialize)]
pub struct Context {
    pub platform: String,
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// The home page that names the platform an account lives on.
fn home_page(platform: Platform) -> &'static str {
    match platform {
        Platform::Discord => "https://discord.com",
        Platform::Slack => "https://slack.com",
        Platform::Teams => "https://teams.microsoft.com",
        Platform::Local => "https://ladder.invalid/local",
    }
}

/// `PT12.5S` for 12 500 ms: seconds only, no trailing zeros.
pub fn iso_duration(ms: i64) -> String {
    let ms = ms.max(0);
    let (secs, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("PT{secs}S")
    } else {
        let frac = format!("{frac:03}");
        format!("PT{secs}.{}S", frac.trim_end_matches('0'))
    }
}

/// A stable statement id (UUID, version 8) so that exporting twice into a learning record
/// store does not duplicate statements.
fn statement_id(review: &ReviewEntry) -> String {
    let digest = Sha256::digest(format!("ladder-review:{}:{}", review.tenant, review.id));
    let mut b: [u8; 16] = digest[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The statement for one answer; `item_base` is prefixed to the item id.
pub fn statement(review: &ReviewEntry, item_base: &str) -> Statement {
    let graded = review.verdict != Verdict::NeedsReview;
    let mut extensions = serde_json::Map::new();
    extensions.insert(SKILL_EXTENSION.into(), review.skill.as_str().into());
    Statement {
        id: statement_id(review),
        actor: Actor {
            object_type: "Agent",
            account: Account {
                home_page: home_page(review.platform).into(),
                name: review.learner.to_string(),
            },
        },
        verb: Verb {
            id: ANSWERED,
            display: LanguageMap {
                en_us: "answered".into(),
            },
        },
        object: Activity {
            object_type: "Activity",
            id: format!("{item_base}{}", review.item),
            definition: Definition { kind: INTERACTION },
        },
        result: XapiResult {
            success: graded.then_some(review.verdict == Verdict::Correct),
            score: graded.then_some(Score {
                scaled: review.score.clamp(0.0, 1.0),
            }),
            duration: review.latency_ms.map(iso_duration),
            response: review.response.clone(),
        },
        context: Context {
            platform: review.platform.as_str().into(),
            extensions,
        },
        timestamp: review
            .answered_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        version: "1.0.3",
    }
}
