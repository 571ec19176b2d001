//! Checking one skill file: the `[skill]` table against its track, then its items and
//! resources, and whether every stage has items.

use ladder_engine::{Item, Resource, ResourceId, ResourceKind, Skill, SkillId, Stage, Track};

use super::{item, non_empty, parse_id, Registries};
use crate::diagnostic::Loc;
use crate::fields::{Ctx, Located};
use crate::raw::{RawResource, RawSkill, RawSkillFile};

/// What one skill file contributed; `skill` is `None` when it had errors.
pub(super) struct CheckedFile {
    pub skill: Option<Skill>,
    pub items: Vec<Item>,
    pub resources: Vec<Resource>,
    pub prerequisites: Vec<Prerequisite>,
}

/// A prerequisite as written, resolved once every skill is known.
pub(super) struct Prerequisite {
    pub path: String,
    pub skill: SkillId,
    pub target: Located<String>,
}

pub(super) fn check_file(
    cx: &mut Ctx,
    raw: &RawSkillFile,
    track: Option<&Track>,
    ids: &mut Registries,
) -> CheckedFile {
    let skill = raw
        .skill
        .as_ref()
        .and_then(|s| check_skill(cx, s, track, ids));
    let skill_id = skill.as_ref().map(|s| s.id.clone());
    let items = raw
        .items
        .iter()
        .filter_map(|i| item::check(cx, i, skill_id.as_ref(), ids))
        .collect();
    let resources = raw
        .resources
        .iter()
        .filter_map(|r| check_resource(cx, r, skill_id.as_ref(), ids))
        .collect();
    if let (Some(skill_raw), Some(id)) = (&raw.skill, &skill_id) {
        check_stage_coverage(cx, raw, id, skill_raw.loc);
    }
    let prerequisites = match (&raw.skill, &skill_id) {
        (Some(s), Some(id)) => s
            .prerequisites
            .iter()
            .map(|target| Prerequisite {
                path: cx.path.to_owned(),
                skill: id.clone(),
                target: target.clone(),
            })
            .collect(),
        _ => Vec::new(),
    };
    CheckedFile {
        skill,
        items,
        resources,
        prerequisites,
    }
}

fn check_skill(
    cx: &mut Ctx,
    raw: &RawSkill,
    track: Option<&Track>,
    ids: &mut Registries,
) -> Option<Skill> {
    let id = raw.id.as_ref().and_then(|id| {
        let parsed = parse_id(cx, id, SkillId::parse)?;
        ids.skills.claim(cx, "skill", id).then_some(parsed)
    });
    let title = non_empty(cx, "title", &raw.title);
    let objective = match (&raw.objective, track) {
        (Some(o), Some(track)) => {
            match track.objectives.iter().find(|t| t.id.as_str() == o.value) {
                Some(found) => Some(found.id.clone()),
                None => {
                    let known: Vec<&str> = track.objectives.iter().map(|t| t.id.as_str()).collect();
                    cx.error(
                        o.loc,
                        format!(
                            "unknown objective {:?}: track {:?} has {}",
                            o.value,
                            track.id.as_str(),
                            known.join(", ")
                        ),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let track = track?;
    Some(Skill {
        id: id?,
        track: track.id.clone(),
        title: title?,
        description: raw
            .description
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or_default(),
        objective: objective?,
        // Filled in once every skill is known (see `graph`).
        prerequisites: raw
            .prerequisites
            .iter()
            .filter_map(|p| SkillId::parse(&p.value).ok())
            .collect(),
        mastery: raw.mastery.apply(&track.mastery),
    })
}

/// Learners are promoted through every stage, so each needs evidence to collect.
fn check_stage_coverage(cx: &mut Ctx, raw: &RawSkillFile, id: &SkillId, at: Loc) {
    let missing: Vec<&str> = Stage::ALL
        .iter()
        .filter(|stage| {
            !raw.items
                .iter()
                .any(|i| i.stage.as_ref().is_some_and(|s| s.value == stage.as_str()))
        })
        .map(|s| s.as_str())
        .collect();
    if !missing.is_empty() {
        cx.error(
            at,
            format!(
                "skill {:?} has no items of stage {}: every stage needs at least one",
                id.as_str(),
                missing.join(", ")
            ),
        );
    }
}

pub(super) fn parse_stage(cx: &mut Ctx, stage: &Option<Located<String>>) -> Option<Stage> {
    parse_id(cx, stage.as_ref()?, Stage::parse)
}

fn check_resource(
    cx: &mut Ctx,
    raw: &RawResource,
    skill: Option<&SkillId>,
    ids: &mut Registries,
) -> Option<Resource> {
    let id = raw.id.as_ref().and_then(|id| {
        let parsed = parse_id(cx, id, ResourceId::parse)?;
        ids.resources.claim(cx, "resource", id).then_some(parsed)
    });
    let title = non_empty(cx, "title", &raw.title);
    let stage = parse_stage(cx, &raw.stage);
    let kind = raw
        .kind
        .as_ref()
        .and_then(|k| parse_id(cx, k, ResourceKind::parse));
    let url = raw.url.as_ref().map(|u| check_url(cx, u));
    let text = raw.text.as_ref().map(|t| t.value.clone());
    if raw.url.is_none() && text.as_deref().is_none_or(|t| t.trim().is_empty()) {
        cx.error(
            raw.loc,
            "resource has neither `url` nor `text`: give a link, inline text, or both",
        );
        return None;
    }
    Some(Resource {
        id: id?,
        skill: skill?.clone(),
        title: title?,
        url: match url {
            Some(checked) => Some(checked?),
            None => None,
        },
        text,
        stage: stage?,
        kind: kind?,
    })
}

/// Links are opened from chat, so only schemes a chat client can open are accepted.
fn check_url(cx: &mut Ctx, url: &Located<String>) -> Option<String> {
    let ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| url.value.starts_with(p));
    if !ok {
        cx.error(
            url.loc,
            format!(
                "`url` must start with https://, http:// or mailto:, found {:?}",
                url.value
            ),
        );
    }
    ok.then(|| url.value.clone())
}
