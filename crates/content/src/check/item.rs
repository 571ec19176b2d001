//! Checking one `[[item]]` and its variants into an engine [`Item`].

use ladder_engine::{Item, ItemId, SkillId, Variant};

use super::key::{self, ItemType};
use super::skill::parse_stage;
use super::{non_empty, parse_id, Registries};
use crate::fields::{Ctx, Located};
use crate::raw::RawItem;

/// Longer than an hour is not a fluency threshold any more.
const MAX_FLUENCY_SECS: i64 = 3600;

/// Checks every field (so all problems are reported) and builds the item if none failed.
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
    let ty = raw.kind.as_ref().and_then(|k| item_type(cx, k));
    let prompt = non_empty(cx, "prompt", &raw.prompt);
    let explanation = non_empty(cx, "explanation", &raw.explanation);
    let fluency = fluency(cx, &raw.fluency_secs);
    let (ty, name) = ty?;
    let answer = key::read(cx, ty, name, &raw.key_fields, raw.loc, "[[item]]");
    let variants = variants(cx, raw, ty, name);
    let answer = answer?;
    Some(Item {
        id: id?,
        skill: skill?.clone(),
        stage: stage?,
        prompt: prompt?,
        fluency_secs: fluency?.unwrap_or_else(|| answer.default_fluency_secs()),
        key: answer,
        explanation: explanation?,
        hints: raw.hints.iter().map(|h| h.value.clone()).collect(),
        variants: variants?,
        tags: raw.tags.iter().map(|t| t.value.clone()).collect(),
        core: raw.core.as_ref().is_some_and(|c| c.value),
    })
}

fn item_type<'a>(cx: &mut Ctx, kind: &'a Located<String>) -> Option<(ItemType, &'a str)> {
    let ty = ItemType::parse(&kind.value);
    if ty.is_none() {
        let message = format!(
            "unknown item type {:?}: expected {}",
            kind.value,
            ItemType::NAMES
        );
        cx.error(kind.loc, message);
    }
    ty.map(|t| (t, kind.value.as_str()))
}

/// `Some(None)` when unset (the type's default applies), `None` when invalid.
fn fluency(cx: &mut Ctx, secs: &Option<Located<i64>>) -> Option<Option<u32>> {
    match secs {
        None => Some(None),
        Some(f) if (1..=MAX_FLUENCY_SECS).contains(&f.value) => Some(Some(f.value as u32)),
        Some(f) => {
            let message = format!(
                "`fluency_secs` must be between 1 and {MAX_FLUENCY_SECS}, found {}",
                f.value
            );
            cx.error(f.loc, message);
            None
        }
    }
}

/// Variants take the item's type; every variant is checked before any failure counts.
fn variants(cx: &mut Ctx, raw: &RawItem, ty: ItemType, name: &str) -> Option<Vec<Variant>> {
    let checked: Vec<Option<Variant>> = raw
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
        .collect();
    checked.into_iter().collect()
}
