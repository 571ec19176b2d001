//! When a learner's daily prompt is due: cron schedules evaluated in the learner's own
//! timezone, with a once-per-local-day policy that makes daylight-saving changes harmless.
//!
//! The `cron` crate, left to itself, skips a local time that does not exist (spring
//! forward) and fires a repeated one twice (fall back). Learners expect neither: they
//! expect one prompt per working day at "their" time. So the cron expression is only used
//! to decide *which local dates* fire and *at what wall-clock time*; turning that wall-clock
//! time into an instant is done here, day by day:
//! - a nonexistent local time moves to the next valid instant (the end of the gap);
//! - a repeated local time fires only at its first occurrence;
//! - whatever the expression says, a local date yields at most one slot.
//!
//! Everything here is pure: callers pass the instants in; no clock is read.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::str::FromStr;

/// How far ahead [`next_slot`] looks before concluding a schedule never fires again
/// (a cron expression can name a year, or days that never match a learner's days).
const HORIZON_DAYS: i64 = 800;

/// Why a schedule could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("invalid cron expression {expr:?}: {reason}")]
    Cron { expr: String, reason: String },
    #[error("unknown timezone {0:?}: use an IANA name such as Europe/London")]
    Timezone(String),
}

/// A cron expression as written in configuration.
///
/// Accepts the usual five fields (`30 9 * * Mon-Fri`) as well as the `cron` crate's own six
/// or seven (seconds first, optional year); five fields get `0` seconds prepended.
///
/// Cheap to clone (shared), since every learner's schedule starts from the tenant's.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    inner: std::sync::Arc<cron::Schedule>,
}

impl CronSchedule {
    pub fn parse(expr: &str) -> Result<Self, SlotError> {
        let fields = expr.split_whitespace().count();
        let full = if fields == 5 {
            format!("0 {}", expr.trim())
        } else {
            expr.trim().to_owned()
        };
        cron::Schedule::from_str(&full)
            .map(|inner| CronSchedule {
                inner: std::sync::Arc::new(inner),
            })
            .map_err(|e| SlotError::Cron {
                expr: expr.to_owned(),
                reason: e.to_string(),
            })
    }

    /// The expression in the crate's seven-field form.
    pub fn source(&self) -> &str {
        self.inner.source()
    }

    /// The first wall-clock time the expression fires on `date`, if it fires that day.
    fn first_time_on(&self, date: NaiveDate) -> Option<NaiveTime> {
        // Evaluating in UTC treats the expression as pure wall-clock arithmetic: no DST.
        let start = Utc.from_utc_datetime(&(date.and_time(NaiveTime::MIN) - Duration::seconds(1)));
        let first = self.inner.after(&start).next()?;
        (first.date_naive() == date).then(|| first.time())
    }

    /// The first time of day the expression ever fires (used when a learner picks their own
    /// days but keeps the default time).
    fn default_time(&self, from: NaiveDate) -> Option<NaiveTime> {
        let start = Utc.from_utc_datetime(&from.and_time(NaiveTime::MIN));
        self.inner.after(&start).next().map(|t| t.time())
    }
}

/// A set of weekdays, e.g. a learner's "Mon, Tue, Thu".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const WORKDAYS: Weekdays = Weekdays(0b0001_1111);
    pub const ALL: Weekdays = Weekdays(0b0111_1111);

    pub fn from_days(days: impl IntoIterator<Item = chrono::Weekday>) -> Self {
        Weekdays(
            days.into_iter()
                .fold(0, |bits, d| bits | 1 << d.num_days_from_monday()),
        )
    }
    pub fn contains(self, day: chrono::Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A period during which a learner gets no prompts. `until: None` means "until I say so".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

impl Pause {
    fn covers(&self, at: DateTime<Utc>) -> bool {
        at >= self.from && self.until.is_none_or(|u| at < u)
    }
}

/// One learner's delivery schedule: the tenant's (or cohort's) cron expression plus the
/// learner's own choices from `settings`.
#[derive(Debug, Clone)]
pub struct LearnerSchedule {
    pub cron: CronSchedule,
    /// Replaces the expression's time of day.
    pub time_of_day: Option<NaiveTime>,
    /// Replaces the expression's days of the week.
    pub days: Option<Weekdays>,
    pub pause: Option<Pause>,
}

impl LearnerSchedule {
    /// The schedule exactly as configured, with no learner overrides.
    pub fn new(cron: CronSchedule) -> Self {
        LearnerSchedule {
            cron,
            time_of_day: None,
            days: None,
            pause: None,
        }
    }

    /// The wall-clock time a prompt is due on `date`, if that date is a delivery day.
    fn local_time_on(&self, date: NaiveDate) -> Option<NaiveTime> {
        let fires_today = match self.days {
            Some(days) => days.contains(date.weekday()),
            None => self.cron.first_time_on(date).is_some(),
        };
        if !fires_today {
            return None;
        }
        match (self.time_of_day, self.days) {
            (Some(t), _) => Some(t),
            (None, None) => self.cron.first_time_on(date),
            (None, Some(_)) => self.cron.default_time(date),
        }
    }

    /// The slot of one local date, paused or not.
    fn slot_on(&self, tz: Tz, date: NaiveDate) -> Option<Slot> {
        let time = self.local_time_on(date)?;
        let at_utc = resolve_local(tz, date.and_time(time))?;
        Some(Slot {
            local_date: date,
            at_utc,
        })
    }

    fn paused_at(&self, at: DateTime<Utc>) -> bool {
        self.pause.is_some_and(|p| p.covers(at))
    }
}

/// One delivery occasion: the learner's local date it belongs to (the unit of "once a
/// day") and the instant it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub local_date: NaiveDate,
    pub at_utc: DateTime<Utc>,
}

/// Parses an IANA timezone name.
pub fn parse_tz(name: &str) -> Result<Tz, SlotError> {
    name.parse::<Tz>()
        .map_err(|_| SlotError::Timezone(name.to_owned()))
}

/// Turns a wall-clock time into an instant: the first occurrence when the time repeats,
/// the end of the gap when it does not exist.
fn resolve_local(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    if let Some(at) = tz.from_local_datetime(&local).earliest() {
        return Some(at.with_timezone(&Utc));
    }
    // Inside a gap. Gaps are at most a few hours (most are one hour, Lord Howe's is 30
    // minutes); the first valid minute after the requested time is where the gap ends.
    (1..=24 * 60)
        .map(|m| local + Duration::minutes(m))
        .find_map(|t| tz.from_local_datetime(&t).earliest())
        .map(|at| at.with_timezone(&Utc))
}

/// The first slot strictly after `after`, skipping paused ones.
pub fn next_slot(schedule: &LearnerSchedule, tz: Tz, after: DateTime<Utc>) -> Option<Slot> {
    // Start a day early: a slot dated yesterday (local) can still be after `after` when
    // `after` is just past local midnight and the gap logic pushed it forward.
    let start = after.with_timezone(&tz).date_naive() - Duration::days(1);
    start
        .iter_days()
        .take(HORIZON_DAYS as usize)
        .filter_map(|d| schedule.slot_on(tz, d))
        .find(|s| s.at_utc > after && !schedule.paused_at(s.at_utc))
}

/// Every slot with `from < at_utc <= to`, in order, at most one per local date.
pub fn due_slots(
    schedule: &LearnerSchedule,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Slot> {
    let mut slots = Vec::new();
    let mut cursor = from;
    while let Some(slot) = next_slot(schedule, tz, cursor) {
        if slot.at_utc > to {
            break;
        }
        cursor = slot.at_utc;
        slots.push(slot);
    }
    slots
}

/// The slot to deliver *now*, if any: today's (in the learner's timezone) once it is due.
///
/// This is what the outbox materialises. Only the current local day counts, so a learner
/// returning from a pause, or a bot restarted after a long outage, gets today's prompt and
/// not a backlog of missed days.
pub fn current_slot(schedule: &LearnerSchedule, tz: Tz, now: DateTime<Utc>) -> Option<Slot> {
    let today = now.with_timezone(&tz).date_naive();
    let slot = schedule.slot_on(tz, today)?;
    (slot.at_utc <= now && !schedule.paused_at(slot.at_utc)).then_some(slot)
}

#[cfg(test)]
mod tests;
