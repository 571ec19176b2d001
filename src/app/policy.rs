//! The tenant's daily policy: the `[schedules]` settings that decide, for every learner who
//! did not choose otherwise, when the daily push comes (`prompt_cron` in `timezone`), how
//! many new items and reviews a day may bring (`daily_new_cap`, `daily_review_cap`) and how
//! long a pushed question stays answerable (`prompt_ttl_hours`).
//!
//! The cron expression is evaluated in the learner's own timezone when they set one, else
//! in the tenant's `timezone`; a learner's own time or days replace the expression's. The
//! learner's own daily cap lowers both caps, never raises them. Pure: depends on the
//! configuration types, the delivery slot arithmetic and the learner's preferences.

use chrono::{DateTime, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::records::Preferences;
use crate::config::Schedules;
use crate::delivery::slots::{self, CronSchedule, LearnerSchedule, Pause, Weekdays};

/// Why the `[schedules]` settings cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("schedules.{key}: {reason}")]
pub struct PolicyError {
    pub key: &'static str,
    pub reason: String,
}

/// What the tenant decided for learners who did not choose.
#[derive(Debug, Clone)]
pub struct DailyPolicy {
    pub cron: CronSchedule,
    pub timezone: Tz,
    pub new_cap: u32,
    pub review_cap: u32,
    /// `None`: pushed questions never expire (`prompt_ttl_hours = 0`).
    pub prompt_ttl: Option<Duration>,
}

impl Default for DailyPolicy {
    fn default() -> Self {
        DailyPolicy::from_settings(&Schedules::default()).expect("the default schedules are valid")
    }
}

impl DailyPolicy {
    pub fn from_settings(s: &Schedules) -> Result<Self, PolicyError> {
        let cron = CronSchedule::parse(&s.prompt_cron).map_err(|e| PolicyError {
            key: "prompt_cron",
            reason: e.to_string(),
        })?;
        let timezone = slots::parse_tz(&s.timezone).map_err(|e| PolicyError {
            key: "timezone",
            reason: e.to_string(),
        })?;
        Ok(DailyPolicy {
            cron,
            timezone,
            new_cap: s.daily_new_cap,
            review_cap: s.daily_review_cap,
            prompt_ttl: (s.prompt_ttl_hours > 0)
                .then(|| Duration::hours(i64::from(s.prompt_ttl_hours))),
        })
    }

    /// The learner's timezone, or the tenant's when they did not set one (or it is no
    /// longer known).
    pub fn timezone_of(&self, prefs: &Preferences) -> Tz {
        prefs
            .timezone
            .as_deref()
            .and_then(|name| slots::parse_tz(name).ok())
            .unwrap_or(self.timezone)
    }

    /// The learner's delivery schedule: the tenant's cron, with the learner's own time,
    /// days and pause over it.
    pub fn schedule_of(&self, prefs: &Preferences) -> LearnerSchedule {
        LearnerSchedule {
            cron: self.cron.clone(),
            time_of_day: prefs.time,
            days: prefs
                .days
                .as_ref()
                .map(|d| Weekdays::from_days(d.iter().copied())),
            pause: prefs.paused_until.map(|until| Pause {
                from: DateTime::<Utc>::MIN_UTC,
                until: Some(until),
            }),
        }
    }

    /// (new items, reviews) a day for this learner: the tenant's caps, lowered by the
    /// learner's own cap.
    pub fn caps_of(&self, prefs: &Preferences) -> (u32, u32) {
        let own = prefs.daily_cap.unwrap_or(u32::MAX);
        (self.new_cap.min(own), self.review_cap.min(own))
    }

    /// When a question pushed at `now` stops being answerable.
    pub fn expiry_from(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.prompt_ttl.map(|ttl| now + ttl)
    }

    /// The tenant's schedule in words, e.g. "09:00 (UTC) on Mon, Tue, Wed, Thu, Fri", as
    /// the week after `now` shows it.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        let schedule = LearnerSchedule::new(self.cron.clone());
        let week = slots::due_slots(&schedule, self.timezone, now, now + Duration::days(7));
        let mut days: Vec<Weekday> = Vec::new();
        let mut times: Vec<NaiveTime> = Vec::new();
        for slot in &week {
            days.push(chrono::Datelike::weekday(&slot.local_date));
            let t = slot.at_utc.with_timezone(&self.timezone).time();
            if !times.contains(&t) {
                times.push(t);
            }
        }
        days.sort_by_key(|d| d.num_days_from_monday());
        let time = match times.as_slice() {
            [one] => one.format("%H:%M").to_string(),
            _ => "the scheduled time".to_owned(),
        };
        let days: Vec<String> = days.iter().map(ToString::to_string).collect();
        format!("{time} ({}) on {}", self.timezone.name(), days.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy(cron: &str, tz: &str) -> DailyPolicy {
        DailyPolicy::from_settings(&Schedules {
            prompt_cron: cron.into(),
            timezone: tz.into(),
            ..Schedules::default()
        })
        .unwrap()
    }

    #[test]
    fn the_tenant_schedule_is_told_in_its_own_words() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap();
        assert_eq!(
            policy("0 30 7 * * Mon-Fri", "Europe/Paris").describe(now),
            "07:30 (Europe/Paris) on Mon, Tue, Wed, Thu, Fri"
        );
    }

    #[test]
    fn a_learner_cap_lowers_the_tenant_caps_and_never_raises_them() {
        let p = policy("0 0 9 * * *", "UTC");
        let mut prefs = Preferences::default();
        assert_eq!(p.caps_of(&prefs), (2, 3));
        prefs.daily_cap = Some(1);
        assert_eq!(p.caps_of(&prefs), (1, 1));
        prefs.daily_cap = Some(5);
        assert_eq!(p.caps_of(&prefs), (2, 3));
    }

    #[test]
    fn bad_settings_name_their_key() {
        let bad = Schedules {
            timezone: "Mars/Olympus".into(),
            ..Schedules::default()
        };
        let err = DailyPolicy::from_settings(&bad).unwrap_err();
        assert_eq!(err.key, "timezone");
    }
}
