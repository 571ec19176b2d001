//! Parsing one content file into raw structs: every value with its position, nothing
//! cross-checked yet. [`parse_track`] reads a `track.toml`, [`parse_skill`] a skill file.
//!
//! These functions are pure (text in, structs and diagnostics out). Shape problems
//! (syntax, unknown keys, wrong value types, missing keys) are reported here; meaning
//! (ids, references, answer keys against the item type) is checked in [`crate::check`].

use crate::diagnostic::{Diagnostic, Loc};
use crate::fields::{Ctx, Located, Table};
use crate::mastery::{self, MasteryOverrides};
use crate::node::{self, Key, Node};

/// The result of parsing one file: what could be read, and the problems found.
/// `value` is `None` only when the file is not valid TOML at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
}

type Text = Option<Located<String>>;

#[derive(Debug, Clone, PartialEq)]
pub struct RawTrack {
    pub path: String,
    pub id: Text,
    pub title: Text,
    pub description: Text,
    pub desired_retention: Option<Located<f64>>,
    pub objectives: Vec<RawObjective>,
    pub mastery: MasteryOverrides,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawObjective {
    pub loc: Loc,
    pub id: Text,
    pub title: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawSkillFile {
    pub path: String,
    /// `None` when the `[skill]` table is missing (reported).
    pub skill: Option<RawSkill>,
    pub items: Vec<RawItem>,
    pub resources: Vec<RawResource>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawSkill {
    pub loc: Loc,
    pub id: Text,
    pub title: Text,
    pub description: Text,
    pub objective: Text,
    pub prerequisites: Vec<Located<String>>,
    pub mastery: MasteryOverrides,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawItem {
    pub loc: Loc,
    pub id: Text,
    pub stage: Text,
    pub kind: Text,
    pub core: Option<Located<bool>>,
    pub prompt: Text,
    pub explanation: Text,
    pub hints: Vec<Located<String>>,
    pub tags: Vec<Located<String>>,
    pub fluency_secs: Option<Located<i64>>,
    /// The answer-key keys (`options`, `answer`, ...), read against `type` by the checker.
    pub key_fields: Vec<(Key, Node)>,
    pub variants: Vec<RawVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawVariant {
    pub loc: Loc,
    pub prompt: Text,
    pub key_fields: Vec<(Key, Node)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawResource {
    pub loc: Loc,
    pub id: Text,
    pub title: Text,
    pub stage: Text,
    pub kind: Text,
    pub url: Text,
    pub text: Text,
}

/// Keys that carry an item's answer key; which of them apply depends on `type`.
pub const ANSWER_KEY_FIELDS: [&str; 10] = [
    "options",
    "answer",
    "answers",
    "max_edits",
    "tolerance",
    "tolerance_pct",
    "unit",
    "sequence",
    "rubric",
    "model_answer",
];

const TRACK_KEYS: [&str; 6] = [
    "id",
    "title",
    "description",
    "desired_retention",
    "objective",
    "mastery",
];
const SKILL_FILE_KEYS: [&str; 3] = ["skill", "item", "resource"];
const SKILL_KEYS: [&str; 6] = [
    "id",
    "title",
    "description",
    "objective",
    "prerequisites",
    "mastery",
];
const ITEM_KEYS: [&str; 10] = [
    "id",
    "stage",
    "type",
    "core",
    "prompt",
    "explanation",
    "hints",
    "tags",
    "fluency_secs",
    "variant",
];
const RESOURCE_KEYS: [&str; 6] = ["id", "title", "stage", "kind", "url", "text"];

/// Parses the text of a `track.toml`.
pub fn parse_track(path: &str, src: &str) -> Parsed<RawTrack> {
    let mut cx = Ctx::new(path);
    let value = root(&mut cx, src).map(|mut t| {
        let track = RawTrack {
            path: path.to_owned(),
            id: t.required_string(&mut cx, "id"),
            title: t.required_string(&mut cx, "title"),
            description: t.string(&mut cx, "description"),
            desired_retention: t.number(&mut cx, "desired_retention"),
            objectives: read_objectives(&mut cx, &mut t),
            mastery: t
                .table(&mut cx, "mastery", "[mastery]")
                .map(|m| mastery::read(&mut cx, m))
                .unwrap_or_default(),
        };
        t.finish(&mut cx, &TRACK_KEYS);
        track
    });
    Parsed {
        value,
        diagnostics: cx.diags,
    }
}

fn read_objectives(cx: &mut Ctx, t: &mut Table) -> Vec<RawObjective> {
    let objectives: Vec<RawObjective> = t
        .tables(cx, "objective", "[[objective]]")
        .into_iter()
        .map(|mut o| {
            let objective = RawObjective {
                loc: o.loc,
                id: o.required_string(cx, "id"),
                title: o.required_string(cx, "title"),
            };
            o.finish(cx, &["id", "title"]);
            objective
        })
        .collect();
    if objectives.is_empty() {
        cx.error(
            Loc::START,
            "missing [[objective]]: a track serves at least one business objective",
        );
    }
    objectives
}

/// Parses the text of a skill file (`<skill>.toml`).
pub fn parse_skill(path: &str, src: &str) -> Parsed<RawSkillFile> {
    let mut cx = Ctx::new(path);
    let value = root(&mut cx, src).map(|mut t| {
        let skill = match t.table(&mut cx, "skill", "[skill]") {
            Some(s) => Some(read_skill(&mut cx, s)),
            None => {
                cx.error(
                    Loc::START,
                    "missing table [skill] (id, title, objective, ...)",
                );
                None
            }
        };
        let file = RawSkillFile {
            path: path.to_owned(),
            skill,
            items: t
                .tables(&mut cx, "item", "[[item]]")
                .into_iter()
                .map(|i| read_item(&mut cx, i))
                .collect(),
            resources: t
                .tables(&mut cx, "resource", "[[resource]]")
                .into_iter()
                .map(|r| read_resource(&mut cx, r))
                .collect(),
        };
        t.finish(&mut cx, &SKILL_FILE_KEYS);
        file
    });
    Parsed {
        value,
        diagnostics: cx.diags,
    }
}

fn root(cx: &mut Ctx, src: &str) -> Option<Table> {
    match node::parse_document(cx.path, src) {
        Ok(entries) => Some(Table::new("the file", Loc::START, entries)),
        Err(d) => {
            cx.diags.push(d);
            None
        }
    }
}

fn read_skill(cx: &mut Ctx, mut t: Table) -> RawSkill {
    let skill = RawSkill {
        loc: t.loc,
        id: t.required_string(cx, "id"),
        title: t.required_string(cx, "title"),
        description: t.string(cx, "description"),
        objective: t.required_string(cx, "objective"),
        prerequisites: t
            .strings(cx, "prerequisites")
            .map(|l| l.value)
            .unwrap_or_default(),
        mastery: t
            .table(cx, "mastery", "[skill.mastery]")
            .map(|m| mastery::read(cx, m))
            .unwrap_or_default(),
    };
    t.finish(cx, &SKILL_KEYS);
    skill
}

fn read_item(cx: &mut Ctx, mut t: Table) -> RawItem {
    let item = RawItem {
        loc: t.loc,
        id: t.required_string(cx, "id"),
        stage: t.required_string(cx, "stage"),
        kind: t.required_string(cx, "type"),
        core: t.bool(cx, "core"),
        prompt: t.required_string(cx, "prompt"),
        explanation: t.required_string(cx, "explanation"),
        hints: t.strings(cx, "hints").map(|l| l.value).unwrap_or_default(),
        tags: t.strings(cx, "tags").map(|l| l.value).unwrap_or_default(),
        fluency_secs: t.integer(cx, "fluency_secs"),
        key_fields: t.take_all(&ANSWER_KEY_FIELDS),
        variants: t
            .tables(cx, "variant", "[[item.variant]]")
            .into_iter()
            .map(|mut v| {
                let variant = RawVariant {
                    loc: v.loc,
                    prompt: v.required_string(cx, "prompt"),
                    key_fields: v.take_all(&ANSWER_KEY_FIELDS),
                };
                let known: Vec<&str> = ANSWER_KEY_FIELDS
                    .iter()
                    .copied()
                    .chain(["prompt"])
                    .collect();
                v.finish(cx, &known);
                variant
            })
            .collect(),
    };
    let known: Vec<&str> = ITEM_KEYS
        .iter()
        .chain(ANSWER_KEY_FIELDS.iter())
        .copied()
        .collect();
    t.finish(cx, &known);
    item
}

fn read_resource(cx: &mut Ctx, mut t: Table) -> RawResource {
    let resource = RawResource {
        loc: t.loc,
        id: t.required_string(cx, "id"),
        title: t.required_string(cx, "title"),
        stage: t.required_string(cx, "stage"),
        kind: t.required_string(cx, "kind"),
        url: t.string(cx, "url"),
        text: t.string(cx, "text"),
    };
    t.finish(cx, &RESOURCE_KEYS);
    resource
}
