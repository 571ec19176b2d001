//! The synthetic learners' "true" memory, deliberately not FSRS: a scheduler should not be
//! judged by a world built from its own model.
//!
//! Recall decays exponentially, `p = ceiling · 2^(−t/h)` with `t` the days since the item
//! was last seen and `h` its half-life. A successful retrieval multiplies `h` by
//! `1 + g·(1 − p/ceiling)^0.6`: the harder the retrieval (lower `p`), the more it strengthens
//! memory, and an immediate repeat (p ≈ 1) adds almost nothing, which is why cramming
//! does not last. A failed retrieval is followed by the explanation, a re-study that
//! restarts the item at a shortened half-life. `g` and the first half-life grow with the
//! learner's ability and shrink with the item's difficulty.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

/// Chance of a slip even on a well-known item.
const CEILING: f64 = 0.97;
/// Half-life after a first study of an average item by an average learner, in days.
const FIRST_HALF_LIFE_DAYS: f64 = 4.0;
/// Growth factor scale for a successful retrieval.
const GROWTH: f64 = 6.0;
/// A failed item keeps this share of its half-life (never below the first one).
const LAPSE_KEEP: f64 = 0.4;

/// What varies between learners.
#[derive(Debug, Clone, Copy)]
pub struct LearnerTraits {
    /// Around 1: scales half-lives and growth.
    pub ability: f64,
    /// Around 1: multiplies answer times.
    pub slowness: f64,
    /// Chance per session that a learner at experienced or above gets a contribution
    /// accepted.
    pub contribution_rate: f64,
}

impl LearnerTraits {
    pub fn draw(rng: &mut impl Rng) -> LearnerTraits {
        let ability = LogNormal::new(0.0, 0.25)
            .expect("valid lognormal")
            .sample(rng);
        let slowness = LogNormal::new(0.0, 0.3)
            .expect("valid lognormal")
            .sample(rng);
        LearnerTraits {
            ability,
            slowness,
            contribution_rate: rng.gen_range(0.02..0.15),
        }
    }
}

/// Draws an item's difficulty: around 1, harder for higher stage levels.
pub fn draw_difficulty(stage_index: usize, rng: &mut impl Rng) -> f64 {
    let base = LogNormal::new(0.0, 0.35)
        .expect("valid lognormal")
        .sample(rng);
    base * (1.0 + 0.15 * stage_index as f64)
}

/// One learner's true memory of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trace {
    pub half_life_days: f64,
    pub last_seen: DateTime<Utc>,
}

impl Trace {
    /// Probability of recall at `now`.
    pub fn recall(&self, now: DateTime<Utc>) -> f64 {
        let t = (now - self.last_seen).num_seconds().max(0) as f64 / 86_400.0;
        CEILING * (-t / self.half_life_days).exp2()
    }

    /// The trace after seeing the item for the first time (with its explanation).
    pub fn first(now: DateTime<Utc>, ability: f64, difficulty: f64, knew_it: bool) -> Trace {
        let h = FIRST_HALF_LIFE_DAYS * ability / difficulty;
        Trace {
            half_life_days: if knew_it { 2.0 * h } else { h },
            last_seen: now,
        }
    }

    /// The trace after a retrieval attempt at `now` that had probability `p`.
    pub fn after(
        self,
        recalled: bool,
        p: f64,
        now: DateTime<Utc>,
        ability: f64,
        difficulty: f64,
    ) -> Trace {
        let half_life_days = if recalled {
            let g = GROWTH * ability / difficulty;
            // Difficulty of the retrieval is measured from the slip ceiling, so that an
            // immediate repeat (p at the ceiling) strengthens nothing.
            let effort = (1.0 - p / CEILING).max(0.0);
            self.half_life_days * (1.0 + g * effort.powf(0.6))
        } else {
            let floor = FIRST_HALF_LIFE_DAYS * ability / difficulty;
            (self.half_life_days * LAPSE_KEEP).max(floor)
        };
        Trace {
            half_life_days,
            last_seen: now,
        }
    }
}

/// Chance that a learner already knows a new item before studying it.
pub fn prior_knowledge(ability: f64, difficulty: f64) -> f64 {
    (0.45 * ability / difficulty).clamp(0.05, 0.9)
}

/// Seconds from reveal to answer: about half the fluency threshold for a strong memory,
/// slower when recall was a struggle or failed.
pub fn draw_latency(
    fluency_secs: u32,
    slowness: f64,
    p: f64,
    recalled: bool,
    rng: &mut impl Rng,
) -> f64 {
    let noise = LogNormal::new(0.0, 0.35)
        .expect("valid lognormal")
        .sample(rng);
    let effort = if recalled { 1.0 + (1.0 - p) } else { 1.6 };
    f64::from(fluency_secs.max(1)) * 0.5 * slowness * effort * noise
}
