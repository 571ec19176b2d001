//! One synthetic learner: their traits, their cards (true memory, FSRS memory and the
//! compared scheduler's plan), their stage per skill, and the daily session that runs
//! answers through the real engine: grade → rating_for → Scheduler::review →
//! mastery::evaluate.

use chrono::{DateTime, Duration, Utc};
use ladder_engine::eval::RevlogEntry;
use ladder_engine::grade::{grade, Verdict};
use ladder_engine::mastery::{evaluate, Attempt, ItemMemory};
use ladder_engine::schedule::{pick_daily, rating_for, Candidate, Memory, Rating};
use ladder_engine::{ItemId, Stage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::answer::answer;
use super::memory::{draw_latency, prior_knowledge, LearnerTraits, Trace};
use super::plan::{Plan, SchedulerKind};
use super::world::World;

/// Minutes between two questions of one session.
const MINUTES_PER_QUESTION: i64 = 2;
/// Questions are picked this long after the session starts, so that an item due "in N
/// days" from any answer of a session is due again at the session N days later.
const PICK_DELAY_MINUTES: i64 = 60;

/// One accepted answer, with what the service would store for it.
pub struct Answered {
    pub item: usize,
    /// What the learner gave, as text.
    pub response: String,
    pub verdict: Verdict,
    pub score: f64,
    pub rating: Rating,
    pub latency_secs: f64,
    /// The item's FSRS memory after the answer.
    pub memory: Memory,
}

struct Card {
    item: usize,
    trace: Trace,
    memory: Memory,
    /// Every rating the item got, in order: the review log the scheduler is fitted on and
    /// from which memory is recomputed when parameters change.
    history: Vec<(DateTime<Utc>, Rating)>,
    plan: Plan,
    /// `None` once the plan retired the item (or FSRS suspended it as a leech).
    due: Option<DateTime<Utc>>,
}

pub struct Learner {
    rng: StdRng,
    traits: LearnerTraits,
    cards: Vec<Card>,
    /// Per world item: its card, once introduced.
    card_of: Vec<Option<usize>>,
    pub stages: Vec<Stage>,
    attempts: Vec<Vec<Attempt>>,
    contributions: Vec<u32>,
    pub reviews: u64,
}

impl Learner {
    /// Each learner has its own random stream, so results do not depend on the order in
    /// which learners are simulated.
    pub fn new(world: &World<'_>, seed: u64, index: u64) -> Learner {
        let mut rng = StdRng::seed_from_u64(seed ^ (index + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        Learner {
            traits: LearnerTraits::draw(&mut rng),
            rng,
            cards: Vec::new(),
            card_of: vec![None; world.items.len()],
            stages: vec![Stage::Novice; world.skills],
            attempts: vec![Vec::new(); world.skills],
            contributions: vec![0; world.skills],
            reviews: 0,
        }
    }

    /// One day's practice starting at `start`, then a mastery check of every skill.
    pub fn session(&mut self, world: &World<'_>, start: DateTime<Utc>) {
        for (k, item) in self.plan_day(world, start).into_iter().enumerate() {
            self.answer(world, item, answer_time(start, k));
        }
        self.close_day(world, start);
    }

    /// The items asked in the session starting at `start`, in asking order.
    pub fn plan_day(&self, world: &World<'_>, start: DateTime<Utc>) -> Vec<usize> {
        self.pick(world, start + Duration::minutes(PICK_DELAY_MINUTES))
    }

    /// After the session starting at `start`: contributions, then a mastery check of
    /// every skill. Returns the skills whose stage changed, with the stage before.
    pub fn close_day(&mut self, world: &World<'_>, start: DateTime<Utc>) -> Vec<(usize, Stage)> {
        let end = start + Duration::minutes(PICK_DELAY_MINUTES);
        let mut changed = Vec::new();
        for skill in 0..world.skills {
            if self.stages[skill] >= Stage::Experienced
                && self.rng.gen_bool(self.traits.contribution_rate)
            {
                self.contributions[skill] += 1;
            }
            let before = self.stages[skill];
            self.evaluate(world, skill, end);
            if self.stages[skill] != before {
                changed.push((skill, before));
            }
        }
        changed
    }

    /// Replaces the FSRS memory of every introduced card with the stored one, as the
    /// service reads memory states back before planning. Returns how many stored states
    /// had no card here (a divergence between the simulator and the store).
    pub fn load_memories(&mut self, world: &World<'_>, stored: Vec<(ItemId, Memory)>) -> usize {
        let mut unknown = 0;
        for (id, memory) in stored {
            let card = world.index_of.get(&id).and_then(|&i| self.card_of[i]);
            let Some(c) = card else {
                unknown += 1;
                continue;
            };
            let card = &mut self.cards[c];
            if world.kind == SchedulerKind::Fsrs {
                card.due = (!memory.suspended).then_some(memory.due);
            }
            card.memory = memory;
        }
        unknown
    }

    fn unlocked(&self, world: &World<'_>, item: usize) -> bool {
        let skill = world.skill_of[item];
        world.items[item].stage <= self.stages[skill]
            && world.prerequisites[skill].iter().all(|&p| {
                world.novice_items[p]
                    .iter()
                    .all(|&i| self.card_of[i].is_some())
            })
    }

    fn pick(&self, world: &World<'_>, at: DateTime<Utc>) -> Vec<usize> {
        if world.kind == SchedulerKind::Fsrs {
            return self.pick_fsrs(world, at);
        }
        let mut due: Vec<(DateTime<Utc>, usize)> = self
            .cards
            .iter()
            .filter_map(|c| c.due.filter(|&d| d <= at).map(|d| (d, c.item)))
            .collect();
        due.sort_unstable();
        let mut fresh: Vec<(usize, usize)> = (0..world.items.len())
            .filter(|&i| self.card_of[i].is_none() && self.unlocked(world, i))
            .map(|i| (world.items[i].stage.index(), i))
            .collect();
        fresh.sort_unstable();
        due.into_iter()
            .take(world.caps.reviews_per_day as usize)
            .map(|(_, i)| i)
            .chain(
                fresh
                    .into_iter()
                    .take(world.caps.new_per_day as usize)
                    .map(|(_, i)| i),
            )
            .collect()
    }

    /// The engine's own daily pick: most at risk first. Every skill's scheduler shares
    /// the FSRS defaults, so the first one ranks retrievability for all.
    fn pick_fsrs(&self, world: &World<'_>, at: DateTime<Utc>) -> Vec<usize> {
        let candidates: Vec<Candidate> = (0..world.items.len())
            .map(|i| Candidate {
                item: world.items[i],
                memory: self.card_of[i].map(|c| &self.cards[c].memory),
                unlocked: self.unlocked(world, i),
            })
            .collect();
        let Some(scheduler) = world.schedulers.first() else {
            return Vec::new();
        };
        pick_daily(scheduler, &candidates, world.caps, (0, 0), at)
            .iter()
            .filter_map(|id| world.index_of.get(id).copied())
            .collect()
    }

    /// Asks one item: the learner answers from true memory, the engine grades, rates and
    /// reschedules it, and the attempt is kept for the mastery rules.
    pub fn answer(
        &mut self,
        world: &World<'_>,
        item: usize,
        now: DateTime<Utc>,
    ) -> Option<Answered> {
        let it = world.items[item];
        let card = self.card_of[item];
        let p = match card {
            Some(c) => self.cards[c].trace.recall(now),
            None => prior_knowledge(self.traits.ability, world.difficulty[item]),
        };
        let recalled = self.rng.gen_bool(p.clamp(0.0, 1.0));
        let given = answer(&it.key, recalled, &mut self.rng);
        let graded = grade(&it.key, &given);
        let slowness = self.traits.slowness;
        let latency = draw_latency(it.fluency_secs, slowness, p, recalled, &mut self.rng);
        let rating = rating_for(graded.verdict, Some(latency), it.fluency_secs)?;
        let memory = self.reschedule(world, item, (recalled, p), rating, now);
        self.reviews += 1;
        self.attempts[world.skill_of[item]].push(Attempt {
            item: it.id.clone(),
            item_stage: it.stage,
            at: now,
            score: graded.score,
            correct: graded.verdict == Verdict::Correct,
            latency_secs: Some(latency),
            fluency_secs: it.fluency_secs,
            core: it.core,
        });
        Some(Answered {
            item,
            response: format!("{given:?}"),
            verdict: graded.verdict,
            score: graded.score,
            rating,
            latency_secs: latency,
            memory,
        })
    }

    /// Updates (or creates) the item's card: FSRS memory, true memory and due date.
    fn reschedule(
        &mut self,
        world: &World<'_>,
        item: usize,
        (recalled, p): (bool, f64),
        rating: Rating,
        now: DateTime<Utc>,
    ) -> Memory {
        let (ability, difficulty) = (self.traits.ability, world.difficulty[item]);
        let card = self.card_of[item];
        let prev = card.map(|c| &self.cards[c].memory);
        let days = prev.map_or(0, |m| calendar_days(m, now));
        let memory = world.schedulers[world.skill_of[item]]
            .review_after_days(prev, rating, days, now)
            .memory;
        if let Some(c) = card {
            self.cards[c].history.push((now, rating));
        }
        let cur = match card {
            Some(c) => {
                let cur = &mut self.cards[c];
                cur.trace = cur.trace.after(recalled, p, now, ability, difficulty);
                cur.memory = memory;
                cur
            }
            None => {
                self.card_of[item] = Some(self.cards.len());
                self.cards.push(Card {
                    item,
                    trace: Trace::first(now, ability, difficulty, recalled),
                    memory,
                    history: vec![(now, rating)],
                    plan: Plan::new(world.kind),
                    due: None,
                });
                self.cards.last_mut().expect("just pushed")
            }
        };
        let next = cur.plan.answer(rating);
        cur.due = if world.kind == SchedulerKind::Fsrs {
            (!cur.memory.suspended).then_some(cur.memory.due)
        } else {
            next.map(|days| day_start(now) + Duration::days(i64::from(days)))
        };
        cur.memory.clone()
    }

    fn evaluate(&mut self, world: &World<'_>, skill: usize, now: DateTime<Utc>) {
        if self.attempts[skill].is_empty() {
            return;
        }
        let scheduler = &world.schedulers[skill];
        let memories: Vec<ItemMemory> = self
            .cards
            .iter()
            .filter(|c| world.skill_of[c.item] == skill)
            .map(|c| ItemMemory {
                item: world.items[c.item].id.clone(),
                item_stage: world.items[c.item].stage,
                stability_days: c.memory.stability,
                retrievability: scheduler.retrievability(&c.memory, now),
            })
            .collect();
        let e = evaluate(
            &world.rules[skill],
            self.stages[skill],
            &self.attempts[skill],
            &memories,
            self.contributions[skill],
        );
        self.stages[skill] = e.stage;
    }

    /// This learner's reviews of the items of `track`, as review-log entries; card ids are
    /// unique across learners when `learner` is the learner's index.
    pub fn revlog(&self, world: &World<'_>, track: usize, learner: u64) -> Vec<RevlogEntry> {
        let per_learner = world.items.len() as u64;
        self.cards
            .iter()
            .filter(|c| world.track_of[world.skill_of[c.item]] == track)
            .flat_map(|c| {
                let card_id = (learner * per_learner + c.item as u64) as i64;
                c.history.iter().map(move |&(time, rating)| RevlogEntry {
                    card_id,
                    rating,
                    time,
                    duration_ms: 0,
                })
            })
            .collect()
    }

    /// Recomputes the FSRS memory of every card of `track` from its history with the
    /// world's current schedulers, as the service does after adopting new parameters.
    pub fn replay(&mut self, world: &World<'_>, track: usize) {
        for card in &mut self.cards {
            let skill = world.skill_of[card.item];
            if world.track_of[skill] != track {
                continue;
            }
            let scheduler = &world.schedulers[skill];
            let mut memory: Option<Memory> = None;
            for &(at, rating) in &card.history {
                let days = memory.as_ref().map_or(0, |m| calendar_days(m, at));
                memory = Some(
                    scheduler
                        .review_after_days(memory.as_ref(), rating, days, at)
                        .memory,
                );
            }
            if let Some(m) = memory {
                card.due = (!m.suspended).then_some(m.due);
                card.memory = m;
            }
        }
    }

    /// True recall probability of every introduced item at `now`.
    pub fn recall_at(&self, now: DateTime<Utc>) -> impl Iterator<Item = f64> + '_ {
        self.cards.iter().map(move |c| c.trace.recall(now))
    }

    pub fn items_introduced(&self) -> usize {
        self.cards.len()
    }
}

/// When the `k`-th question of the session starting at `start` is answered.
pub fn answer_time(start: DateTime<Utc>, k: usize) -> DateTime<Utc> {
    start + Duration::minutes(MINUTES_PER_QUESTION * k as i64)
}

/// Calendar days since the last review, as the service counts them for daily practice.
fn calendar_days(m: &Memory, now: DateTime<Utc>) -> u32 {
    let d = (now.date_naive() - m.last_review.date_naive()).num_days();
    u32::try_from(d.max(0)).unwrap_or(u32::MAX)
}

fn day_start(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}
