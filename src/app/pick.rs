//! Which question to ask next. The engine's daily pick orders the candidates (due reviews
//! most at risk first, then new items easiest first, within the caps); this file decides
//! which items are candidates for this learner: their tracks, an optional skill, nothing
//! already waiting in an open prompt, and new items only up to the learner's stage in the
//! skill once its prerequisites are started.
//!
//! Pure: the learner's state is passed in. Depends on the engine.

use chrono::{DateTime, Utc};
use ladder_engine::schedule::{pick_daily, Candidate, Caps, Memory};
use ladder_engine::{Item, ItemId, Library, SkillId, Stage, TrackId};
use std::collections::HashMap;

use super::learning::Schedulers;
use super::records::StageRecord;

/// What the picker knows about the learner.
pub struct Situation<'a, 'b> {
    pub library: &'a Library,
    pub schedulers: &'b Schedulers,
    pub tracks: &'b [TrackId],
    pub memories: &'b HashMap<ItemId, Memory>,
    pub stages: &'b [StageRecord],
    /// (new items, reviews) already asked today.
    pub done_today: (u32, u32),
    /// (new items, reviews) allowed a day: the tenant's `daily_new_cap` and
    /// `daily_review_cap`, lowered by the learner's own cap.
    pub caps: (u32, u32),
    /// Items that already have an open prompt (never ask the same thing twice at once).
    pub busy: &'b [ItemId],
    pub now: DateTime<Utc>,
}

impl Situation<'_, '_> {
    pub fn stage_of(&self, skill: &SkillId) -> Stage {
        self.stages
            .iter()
            .find(|s| &s.skill == skill)
            .map_or(Stage::Novice, |s| s.stage)
    }

    /// A prerequisite counts as started once any of its items has been answered.
    fn prerequisites_started(&self, skill: &SkillId) -> bool {
        self.library.skill(skill).is_none_or(|sk| {
            sk.prerequisites.iter().all(|p| {
                self.library
                    .items_of(p)
                    .any(|i| self.memories.contains_key(&i.id))
            })
        })
    }
}

/// What the learner asked for.
#[derive(Default)]
pub struct Request<'a> {
    pub skill: Option<&'a SkillId>,
    /// Experienced learners and masters may go past the new-item cap.
    pub beyond_new_cap: bool,
}

/// The next item to ask, if any.
pub fn next_item<'a>(s: &Situation<'a, '_>, req: &Request) -> Option<&'a Item> {
    let candidates: Vec<Candidate> = s
        .library
        .items
        .iter()
        .filter(|i| {
            s.library
                .skill(&i.skill)
                .is_some_and(|sk| s.tracks.contains(&sk.track))
                && req.skill.is_none_or(|k| &i.skill == k)
                && !s.busy.contains(&i.id)
        })
        .map(|item| Candidate {
            item,
            memory: s.memories.get(&item.id),
            unlocked: item.stage <= s.stage_of(&item.skill)
                && (req.skill.is_some() || s.prerequisites_started(&item.skill)),
        })
        .collect();
    let caps = Caps {
        new_per_day: if req.beyond_new_cap {
            u32::MAX
        } else {
            s.caps.0
        },
        reviews_per_day: s.caps.1,
    };
    let scheduler = s.schedulers.any();
    let picked = pick_daily(scheduler, &candidates, caps, s.done_today, s.now);
    picked.first().and_then(|id| s.library.item(id))
}

/// When a review item is asked again, show a variant now and then to test transfer.
pub fn variant_for(item: &Item, times_seen: usize) -> Option<usize> {
    if item.variants.is_empty() || times_seen.is_multiple_of(2) {
        None
    } else {
        Some((times_seen / 2) % item.variants.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ladder_engine::{AnswerKey, SkillId};

    fn item(variants: usize) -> Item {
        Item {
            id: ItemId::parse("x-1").unwrap(),
            skill: SkillId::parse("x").unwrap(),
            stage: Stage::Novice,
            prompt: "Q".into(),
            key: AnswerKey::TrueFalse { answer: true },
            explanation: String::new(),
            hints: vec![],
            variants: (0..variants)
                .map(|n| ladder_engine::Variant {
                    prompt: format!("V{n}"),
                    key: AnswerKey::TrueFalse { answer: true },
                })
                .collect(),
            fluency_secs: 10,
            tags: vec![],
            core: true,
        }
    }

    #[test]
    fn the_first_sight_is_the_original_and_variants_alternate_after() {
        let two = item(2);
        let shown: Vec<Option<usize>> = (0..6).map(|n| variant_for(&two, n)).collect();
        assert_eq!(shown, [None, Some(0), None, Some(1), None, Some(0)]);
        assert_eq!(variant_for(&item(0), 3), None);
    }
}
