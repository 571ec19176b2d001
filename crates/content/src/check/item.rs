//! Checking one `[[item]]` and its variants into an engine [`Item`].

use ladder_engine::{Item, ItemId, SkillId, Variant};

use super::key::{self, ItemType};
use super::skill::parse_stage;
use super::{non_empty, parse_id, Registries};
use crate::fields::Ctx;
use crate::raw::RawItem;

/// Longer than an hour is not a fluency threshold any more.
const MAX_FLUENCY_SECS: i64 = 3600;

pub(super) fn check(
    cx: &mut Ctx,
    raw: &RawItem,
    skill: Option<&SkillId>,
    ids: &mut Registries,
) -> Option<Item> {
    let id = raw.id.as_ref().and_then(|id| {
        let parsed = parse_id(cx, id, ItemId::parse)?;
        ids.items.claim(cx, "item", id).then_some(parsed)
    });
    let stage = parse_stage(cx, &raw.stage);
    let ty = raw.kind.as_ref().and_then(|k| {
        let ty = ItemType::parse(&k.value);
        if ty.is_none() {
            cx.error(
                k.loc,
                format!(
                    "unknown item type {:?}: expected {}",
                    k.value,
                    ItemType::NAMES
                ),
            );
        }
        ty.map(|t| (t, k.value.as_str()))
    });
    let prompt = non_empty(cx, "prompt", &raw.prompt);
    let explanation = non_empty(cx, "explanation", &raw.explanation);
    let fluency = match &raw.fluency_secs {
        None => Some(None),
        Some(f) if (1..=MAX_FLUENCY_SECS).contains(&f.value) => Some(Some(f.value as u32)),
        Some(f) => {
            cx.error(
                f.loc,
                format!(
                    "`fluency_secs` must be between 1 and {MAX_FLUENCY_SECS}, found {}",
                    f.value
                ),
            );
            None
        }
    };
    let (ty, name) = ty?;
    let answer = key::read(cx, ty, name, &raw.key_fields, raw.loc, "[[item]]");
    let variants: Option<Vec<Variant>> = raw
        .variants
        .iter()
        .map(|v| {
            let prompt = non_empty(cx, "prompt", &v.prompt);
            let key = key::read(cx, ty, name, &v.key_fields, v.loc, "[[item.variant]]");
            Some(Variant {
                prompt: prompt?,
                key: key?,
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let answer = answer?;
    Some(Item {
        id: id?,
        skill: skill?.clone(),
        stage: stage?,
        prompt: prompt?,
        key: answer.clone(),
        explanation: explanation?,
        hints: raw.hints.iter().map(|h| h.value.clone()).collect(),
        variants: variants?,
        fluency_secs: fluency?.unwrap_or_else(|| answer.default_fluency_secs()),
        tags: raw.tags.iter().map(|t| t.value.clone()).collect(),
        core: raw.core.as_ref().is_some_and(|c| c.value),
    })
}
