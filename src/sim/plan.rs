//! The four schedulers the simulator compares, as "when is this item next due".
//!
//! `fsrs` is the engine's own scheduler (the shadow FSRS memory every card carries);
//! the others are the classic baselines: SM-2 (Wozniak, 1990), Leitner's five boxes at
//! 1/2/4/8/16 days, and a fixed plan (wrong → again in 7 days, right → in 21, retired
//! after two right in a row), the kind of plan an LMS refresher course follows.

use ladder_engine::schedule::Rating;
use serde::Serialize;

/// Which scheduler decides when items come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SchedulerKind {
    Fsrs,
    Sm2,
    Leitner,
    Fixed,
}

impl SchedulerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulerKind::Fsrs => "fsrs",
            SchedulerKind::Sm2 => "sm2",
            SchedulerKind::Leitner => "leitner",
            SchedulerKind::Fixed => "fixed",
        }
    }
}

/// Per-card state of a baseline scheduler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    /// Due dates come from the card's FSRS memory.
    Fsrs,
    Sm2 {
        ease: f64,
        reps: u32,
        interval_days: u32,
    },
    Leitner {
        box_no: u8,
    },
    Fixed {
        right_in_a_row: u8,
    },
}

/// Leitner intervals by box (box 1 first).
const LEITNER_DAYS: [u32; 5] = [1, 2, 4, 8, 16];

impl Plan {
    pub fn new(kind: SchedulerKind) -> Plan {
        match kind {
            SchedulerKind::Fsrs => Plan::Fsrs,
            SchedulerKind::Sm2 => Plan::Sm2 {
                ease: 2.5,
                reps: 0,
                interval_days: 0,
            },
            SchedulerKind::Leitner => Plan::Leitner { box_no: 1 },
            SchedulerKind::Fixed => Plan::Fixed { right_in_a_row: 0 },
        }
    }

    /// Updates the plan after an answer rated `rating` (the same grade FSRS gets) and
    /// returns the days until the item is due again, or `None` when it is retired.
    /// `Plan::Fsrs` returns `Some(0)`: its due date lives in the FSRS memory.
    pub fn answer(&mut self, rating: Rating) -> Option<u32> {
        let right = rating != Rating::Again;
        match self {
            Plan::Fsrs => Some(0),
            Plan::Sm2 {
                ease,
                reps,
                interval_days,
            } => Some(sm2(ease, reps, interval_days, rating)),
            Plan::Leitner { box_no } => {
                *box_no = if right { (*box_no + 1).min(5) } else { 1 };
                Some(LEITNER_DAYS[usize::from(*box_no) - 1])
            }
            Plan::Fixed { right_in_a_row } => {
                if !right {
                    *right_in_a_row = 0;
                    return Some(7);
                }
                *right_in_a_row += 1;
                (*right_in_a_row < 2).then_some(21)
            }
        }
    }
}

/// SM-2: quality 5 (Easy), 4 (Good), 3 (Hard) pass, Again (2) resets the repetitions.
fn sm2(ease: &mut f64, reps: &mut u32, interval_days: &mut u32, rating: Rating) -> u32 {
    let q: f64 = match rating {
        Rating::Again => 2.0,
        Rating::Hard => 3.0,
        Rating::Good => 4.0,
        Rating::Easy => 5.0,
    };
    if q >= 3.0 {
        *interval_days = match *reps {
            0 => 1,
            1 => 6,
            _ => ((f64::from(*interval_days) * *ease).round() as u32).max(1),
        };
        *reps += 1;
    } else {
        *reps = 0;
        *interval_days = 1;
    }
    *ease = (*ease + (0.1 - (5.0 - q) * (0.08 + (5.0 - q) * 0.02))).max(1.3);
    *interval_days
}
