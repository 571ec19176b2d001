//! The content model: what a track, a skill, an item and a resource are once loaded and
//! checked, plus the small value types (identifiers, stages) that every other module uses.
//!
//! Values here are always valid: they are built by the content crate's checker (or by
//! tests through the same constructors), so the rest of the engine never re-validates.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::mastery::MasteryRules;

/// Error raised when a string is not a valid identifier, stage or kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("invalid id {0:?}: use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit, at most 64 characters")]
    Id(String),
    #[error("unknown stage {0:?}: expected novice, competent, experienced or master")]
    Stage(String),
    #[error("unknown resource kind {0:?}: expected course, tutorial, practice, coaching, job_aid, knowledge_base, person or community")]
    ResourceKind(String),
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Builds the id, refusing anything that is not a valid content identifier.
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                if valid_id(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(ParseError::Id(s.to_owned()))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, ParseError> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

id_type!(
    /// A track: a curriculum serving one or more business objectives.
    TrackId
);
id_type!(
    /// A skill inside a track; stages are held per learner per skill.
    SkillId
);
id_type!(
    /// A question. Stable across content edits: memory states hang off it.
    ItemId
);
id_type!(
    /// A resource (course, job aid, person to ask, ...).
    ResourceId
);
id_type!(
    /// A business objective that skills serve.
    ObjectiveId
);

/// The four rungs of the ladder, held per person per skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Novice,
    Competent,
    Experienced,
    Master,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Novice,
        Stage::Competent,
        Stage::Experienced,
        Stage::Master,
    ];

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s {
            "novice" => Ok(Stage::Novice),
            "competent" => Ok(Stage::Competent),
            "experienced" => Ok(Stage::Experienced),
            "master" => Ok(Stage::Master),
            other => Err(ParseError::Stage(other.to_owned())),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Novice => "novice",
            Stage::Competent => "competent",
            Stage::Experienced => "experienced",
            Stage::Master => "master",
        }
    }
    /// The next stage up, if any.
    pub fn up(self) -> Option<Stage> {
        match self {
            Stage::Novice => Some(Stage::Competent),
            Stage::Competent => Some(Stage::Experienced),
            Stage::Experienced => Some(Stage::Master),
            Stage::Master => None,
        }
    }
    /// The next stage down, if any.
    pub fn down(self) -> Option<Stage> {
        match self {
            Stage::Novice => None,
            Stage::Competent => Some(Stage::Novice),
            Stage::Experienced => Some(Stage::Competent),
            Stage::Master => Some(Stage::Experienced),
        }
    }
    /// 0 for novice up to 3 for master.
    pub fn index(self) -> usize {
        self as usize
    }
    /// What items of this stage level test (SPEC §2: evaluation changes with the stage).
    pub fn evidence(self) -> &'static str {
        match self {
            Stage::Novice => "recall",
            Stage::Competent => "application",
            Stage::Experienced => "scenario",
            Stage::Master => "creation",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A business objective a track serves, e.g. "Pass the ISO 27001 audit".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: ObjectiveId,
    pub title: String,
}

/// A track: a set of skills serving business objectives, with its own target retention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: TrackId,
    pub title: String,
    pub description: String,
    pub objectives: Vec<Objective>,
    /// FSRS desired retention for this track's items (0.7..=0.99, default 0.9).
    pub desired_retention: f64,
    /// Mastery rules every skill of the track starts from.
    pub mastery: MasteryRules,
}

/// A skill: the unit a stage is held for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    pub id: SkillId,
    pub track: TrackId,
    pub title: String,
    pub description: String,
    /// The business objective this skill serves (one of its track's objectives).
    pub objective: ObjectiveId,
    /// Skills whose novice items should be introduced before this skill's.
    pub prerequisites: Vec<SkillId>,
    /// The track's rules with this skill's overrides applied.
    pub mastery: MasteryRules,
}

/// How a numeric answer may deviate from the key.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tolerance {
    /// |given - key| <= value
    Absolute(f64),
    /// |given - key| <= value * |key|, value as a fraction (0.05 = 5%)
    Relative(f64),
}

/// The type of an item together with its answer key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerKey {
    /// Exactly one option is right.
    SingleChoice {
        options: Vec<String>,
        correct: usize,
    },
    /// Select all that apply; partial credit is defined in [`crate::grade`].
    MultiSelect {
        options: Vec<String>,
        correct: Vec<usize>,
    },
    TrueFalse {
        answer: bool,
    },
    /// Typed answer compared after normalisation, optionally within an edit distance.
    ShortText {
        accepted: Vec<String>,
        max_edits: u8,
    },
    Numeric {
        value: f64,
        tolerance: Tolerance,
        unit: Option<String>,
    },
    /// `sequence` is the correct order; it is shown shuffled.
    Ordering {
        sequence: Vec<String>,
    },
    /// Graded by people against the rubric; never auto-marked correct.
    FreeText {
        rubric: Vec<String>,
        model_answer: Option<String>,
    },
}

impl AnswerKey {
    /// The content-file name of this item type.
    pub fn type_name(&self) -> &'static str {
        match self {
            AnswerKey::SingleChoice { .. } => "single_choice",
            AnswerKey::MultiSelect { .. } => "multi_select",
            AnswerKey::TrueFalse { .. } => "true_false",
            AnswerKey::ShortText { .. } => "short_text",
            AnswerKey::Numeric { .. } => "numeric",
            AnswerKey::Ordering { .. } => "ordering",
            AnswerKey::FreeText { .. } => "free_text",
        }
    }
    /// Seconds a fluent learner needs, used when an item does not set its own threshold.
    pub fn default_fluency_secs(&self) -> u32 {
        match self {
            AnswerKey::TrueFalse { .. } => 10,
            AnswerKey::SingleChoice { .. } => 20,
            AnswerKey::MultiSelect { .. } => 30,
            AnswerKey::ShortText { .. } | AnswerKey::Numeric { .. } => 30,
            AnswerKey::Ordering { .. } => 45,
            AnswerKey::FreeText { .. } => 300,
        }
    }
}

/// The same concept on a new surface: used to test transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub prompt: String,
    pub key: AnswerKey,
}

/// A question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub skill: SkillId,
    /// The stage this item gives evidence for.
    pub stage: Stage,
    /// Markdown.
    pub prompt: String,
    pub key: AnswerKey,
    /// Shown after every answer, right or wrong.
    pub explanation: String,
    pub hints: Vec<String>,
    pub variants: Vec<Variant>,
    /// Answers slower than this are weaker evidence (rated Hard).
    pub fluency_secs: u32,
    pub tags: Vec<String>,
    /// Core items must each be answered right after a spaced gap to leave novice.
    pub core: bool,
}

/// Rosenberg's resource kinds, matched to stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Course,
    Tutorial,
    Practice,
    Coaching,
    JobAid,
    KnowledgeBase,
    Person,
    Community,
}

impl ResourceKind {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Ok(match s {
            "course" => ResourceKind::Course,
            "tutorial" => ResourceKind::Tutorial,
            "practice" => ResourceKind::Practice,
            "coaching" => ResourceKind::Coaching,
            "job_aid" => ResourceKind::JobAid,
            "knowledge_base" => ResourceKind::KnowledgeBase,
            "person" => ResourceKind::Person,
            "community" => ResourceKind::Community,
            other => return Err(ParseError::ResourceKind(other.to_owned())),
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Course => "course",
            ResourceKind::Tutorial => "tutorial",
            ResourceKind::Practice => "practice",
            ResourceKind::Coaching => "coaching",
            ResourceKind::JobAid => "job_aid",
            ResourceKind::KnowledgeBase => "knowledge_base",
            ResourceKind::Person => "person",
            ResourceKind::Community => "community",
        }
    }
}

/// Where a resource's content lives: a link, inline text, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub id: ResourceId,
    pub skill: SkillId,
    pub title: String,
    pub url: Option<String>,
    pub text: Option<String>,
    pub stage: Stage,
    pub kind: ResourceKind,
}

/// Everything loaded from a content directory, checked and cross-referenced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Library {
    pub tracks: Vec<Track>,
    pub skills: Vec<Skill>,
    pub items: Vec<Item>,
    pub resources: Vec<Resource>,
}

impl Library {
    pub fn track(&self, id: &TrackId) -> Option<&Track> {
        self.tracks.iter().find(|t| &t.id == id)
    }
    pub fn skill(&self, id: &SkillId) -> Option<&Skill> {
        self.skills.iter().find(|s| &s.id == id)
    }
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.items.iter().find(|i| &i.id == id)
    }
    pub fn items_of<'a>(&'a self, skill: &'a SkillId) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| &i.skill == skill)
    }
    pub fn resources_of<'a>(
        &'a self,
        skill: &'a SkillId,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| &r.skill == skill)
    }
    /// The track a skill belongs to.
    pub fn track_of(&self, skill: &SkillId) -> Option<&Track> {
        self.skill(skill).and_then(|s| self.track(&s.track))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_what_a_file_name_or_custom_id_could_not_carry() {
        assert!(ItemId::parse("phishing-001").is_ok());
        assert!(ItemId::parse("sql.joins_2").is_ok());
        for bad in ["", "Phish", "-x", "a b", "é", &"x".repeat(65)] {
            assert!(ItemId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn stages_move_one_step() {
        assert_eq!(Stage::Novice.up(), Some(Stage::Competent));
        assert_eq!(Stage::Master.up(), None);
        assert_eq!(Stage::Novice.down(), None);
        assert_eq!(Stage::parse("master"), Ok(Stage::Master));
        assert!(Stage::parse("expert").is_err());
    }
}
