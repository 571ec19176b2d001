//! Checking a `track.toml`: its id, its business objectives, its retention target and its
//! mastery defaults.

use ladder_engine::mastery::MasteryRules;
use ladder_engine::{Objective, ObjectiveId, Track, TrackId};
use std::collections::HashMap;

use super::{non_empty, parse_id, Registries};
use crate::fields::Ctx;
use crate::raw::RawTrack;

/// FSRS retention targets outside this range make the schedule useless (too sparse or a
/// review every day).
const RETENTION: std::ops::RangeInclusive<f64> = 0.7..=0.99;

pub(super) fn check(cx: &mut Ctx, raw: &RawTrack, ids: &mut Registries) -> Option<Track> {
    let id = raw.id.as_ref().and_then(|id| {
        let parsed = parse_id(cx, id, TrackId::parse)?;
        ids.tracks.claim(cx, "track", id).then_some(parsed)
    });
    let title = non_empty(cx, "title", &raw.title);
    let desired_retention = match &raw.desired_retention {
        Some(r) if !RETENTION.contains(&r.value) => {
            cx.error(
                r.loc,
                format!(
                    "`desired_retention` must be between 0.7 and 0.99, found {}",
                    r.value
                ),
            );
            None
        }
        Some(r) => Some(r.value),
        None => Some(0.9),
    };
    let objectives = objectives(cx, raw);
    Some(Track {
        id: id?,
        title: title?,
        description: raw
            .description
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or_default(),
        objectives: objectives?,
        desired_retention: desired_retention?,
        mastery: raw.mastery.apply(&MasteryRules::default()),
    })
}

fn objectives(cx: &mut Ctx, raw: &RawTrack) -> Option<Vec<Objective>> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    let mut ok = true;
    for o in &raw.objectives {
        let (Some(id), Some(title)) = (&o.id, non_empty(cx, "title", &o.title)) else {
            ok = false;
            continue;
        };
        let Some(parsed) = parse_id(cx, id, ObjectiveId::parse) else {
            ok = false;
            continue;
        };
        if let Some(first) = seen.insert(id.value.clone(), id.loc) {
            let path = cx.path;
            cx.error(
                id.loc,
                format!(
                    "duplicate objective id {:?}: first defined at {path}:{first}",
                    id.value
                ),
            );
            ok = false;
        }
        out.push(Objective { id: parsed, title });
    }
    (ok && !out.is_empty()).then_some(out)
}
