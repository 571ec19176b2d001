//! The fixed part of a simulation: the items, their drawn difficulties, each skill's
//! scheduler and mastery rules, and the daily caps. Built once, shared by every learner.

use ladder_engine::mastery::MasteryRules;
use ladder_engine::schedule::{Caps, ScheduleError, Scheduler};
use ladder_engine::{Item, ItemId, Library, Stage};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashMap;

use super::answer::auto_graded;
use super::memory::draw_difficulty;
use super::plan::SchedulerKind;

pub struct World<'a> {
    /// Auto-graded items in content order; indices below refer to this list.
    pub items: Vec<&'a Item>,
    pub index_of: HashMap<&'a ItemId, usize>,
    pub difficulty: Vec<f64>,
    pub skill_of: Vec<usize>,
    /// Per skill, in library order.
    pub schedulers: Vec<Scheduler>,
    /// Per skill, the index of its track in the library (parameters are fitted per track).
    pub track_of: Vec<usize>,
    pub tracks: usize,
    pub rules: Vec<MasteryRules>,
    /// Skills whose novice items must all be introduced before this skill's.
    pub prerequisites: Vec<Vec<usize>>,
    pub novice_items: Vec<Vec<usize>>,
    pub skills: usize,
    pub kind: SchedulerKind,
    pub caps: Caps,
}

impl<'a> World<'a> {
    /// `retention` overrides every track's desired retention when set.
    pub fn new(
        lib: &'a Library,
        kind: SchedulerKind,
        caps: Caps,
        retention: Option<f64>,
        seed: u64,
    ) -> Result<World<'a>, ScheduleError> {
        let skill_index: HashMap<_, _> = lib
            .skills
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.id, i))
            .collect();
        let items: Vec<&Item> = lib
            .items
            .iter()
            .filter(|i| auto_graded(&i.key) && skill_index.contains_key(&i.skill))
            .collect();
        let mut rng = StdRng::seed_from_u64(seed);
        let difficulty = items
            .iter()
            .map(|i| draw_difficulty(i.stage.index(), &mut rng))
            .collect();
        let skill_of: Vec<usize> = items.iter().map(|i| skill_index[&i.skill]).collect();
        let schedulers = lib
            .skills
            .iter()
            .map(|s| {
                let r = retention
                    .or_else(|| lib.track(&s.track).map(|t| t.desired_retention))
                    .unwrap_or(0.9);
                Scheduler::new(None, r)
            })
            .collect::<Result<_, _>>()?;
        let track_of = lib
            .skills
            .iter()
            .map(|s| lib.tracks.iter().position(|t| t.id == s.track).unwrap_or(0))
            .collect();
        let mut novice_items = vec![Vec::new(); lib.skills.len()];
        for (i, item) in items.iter().enumerate() {
            if item.stage == Stage::Novice {
                novice_items[skill_of[i]].push(i);
            }
        }
        Ok(World {
            index_of: items
                .iter()
                .enumerate()
                .map(|(i, it)| (&it.id, i))
                .collect(),
            difficulty,
            skill_of,
            schedulers,
            track_of,
            tracks: lib.tracks.len().max(1),
            rules: lib.skills.iter().map(|s| s.mastery.clone()).collect(),
            prerequisites: lib
                .skills
                .iter()
                .map(|s| {
                    s.prerequisites
                        .iter()
                        .filter_map(|p| skill_index.get(p).copied())
                        .collect()
                })
                .collect(),
            novice_items,
            skills: lib.skills.len(),
            items,
            kind,
            caps,
        })
    }
}
