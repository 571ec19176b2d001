//! Slot tests: the learner-visible promise is "one prompt per delivery day, at my local
//! time", including on the two days a year the clocks change.

use super::*;
use chrono::Weekday;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn daily(expr: &str) -> LearnerSchedule {
    LearnerSchedule::new(CronSchedule::parse(expr).unwrap())
}

fn tz(name: &str) -> Tz {
    parse_tz(name).unwrap()
}

#[test]
fn tokyo_and_denver_both_get_half_past_nine_local() {
    let s = daily("30 9 * * Mon-Fri");
    let after = utc("2025-01-05T12:00:00Z"); // a Sunday in both places
    let tokyo = next_slot(&s, tz("Asia/Tokyo"), after).unwrap();
    let denver = next_slot(&s, tz("America/Denver"), after).unwrap();
    assert_eq!(tokyo.at_utc, utc("2025-01-06T00:30:00Z")); // 09:30 JST (+9)
    assert_eq!(denver.at_utc, utc("2025-01-06T16:30:00Z")); // 09:30 MST (-7)
    assert_eq!(
        tokyo.local_date,
        NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
    );
    assert_eq!(denver.local_date, tokyo.local_date);
}

#[test]
fn five_and_seven_field_expressions_mean_the_same() {
    let five = daily("30 9 * * Mon-Fri");
    let seven = daily("0 30 9 * * Mon-Fri *");
    let zone = tz("Europe/Paris");
    let from = utc("2025-02-01T00:00:00Z");
    let to = utc("2025-03-01T00:00:00Z");
    assert_eq!(
        due_slots(&five, zone, from, to),
        due_slots(&seven, zone, from, to)
    );
    assert_eq!(due_slots(&five, zone, from, to).len(), 20); // February 2025: 20 weekdays
    assert!(CronSchedule::parse("every morning").is_err());
    assert!(parse_tz("Mars/Olympus").is_err());
}

/// One DST change: a daily schedule at a wall-clock time that does not exist (or exists
/// twice) on the change day.
struct Change {
    zone: &'static str,
    cron: &'static str,
    /// The local date of the change.
    day: (i32, u32, u32),
    /// Where that day's slot must land.
    expected: &'static str,
}

const CHANGES: &[Change] = &[
    // New York: 02:00 -> 03:00 on 9 March, 02:00 -> 01:00 on 2 November 2025.
    Change {
        zone: "America/New_York",
        cron: "30 2 * * *",
        day: (2025, 3, 9),
        expected: "2025-03-09T07:00:00Z",
    },
    Change {
        zone: "America/New_York",
        cron: "30 1 * * *",
        day: (2025, 11, 2),
        expected: "2025-11-02T05:30:00Z",
    },
    // London: 01:00 -> 02:00 on 30 March, 02:00 -> 01:00 on 26 October 2025.
    Change {
        zone: "Europe/London",
        cron: "30 1 * * *",
        day: (2025, 3, 30),
        expected: "2025-03-30T01:00:00Z",
    },
    Change {
        zone: "Europe/London",
        cron: "30 1 * * *",
        day: (2025, 10, 26),
        expected: "2025-10-26T00:30:00Z",
    },
    // Sydney (southern hemisphere): 03:00 -> 02:00 on 6 April, 02:00 -> 03:00 on 5 October.
    Change {
        zone: "Australia/Sydney",
        cron: "30 2 * * *",
        day: (2025, 4, 6),
        expected: "2025-04-05T15:30:00Z",
    },
    Change {
        zone: "Australia/Sydney",
        cron: "30 2 * * *",
        day: (2025, 10, 5),
        expected: "2025-10-04T16:00:00Z",
    },
    // Lord Howe: a 30-minute shift. 02:00 -> 01:30 on 6 April, 02:00 -> 02:30 on 5 October.
    Change {
        zone: "Australia/Lord_Howe",
        cron: "45 1 * * *",
        day: (2025, 4, 6),
        expected: "2025-04-05T14:45:00Z",
    },
    Change {
        zone: "Australia/Lord_Howe",
        cron: "15 2 * * *",
        day: (2025, 10, 5),
        expected: "2025-10-04T15:30:00Z",
    },
];

#[test]
fn a_dst_change_gives_exactly_one_slot_at_the_right_instant() {
    for c in CHANGES {
        let zone = tz(c.zone);
        let s = daily(c.cron);
        let day = NaiveDate::from_ymd_opt(c.day.0, c.day.1, c.day.2).unwrap();
        // A window of ten local days around the change.
        let from = zone
            .from_local_datetime(&(day - Duration::days(5)).and_time(NaiveTime::MIN))
            .unwrap()
            .with_timezone(&Utc);
        let slots = due_slots(&s, zone, from, from + Duration::days(10));
        let dates: Vec<NaiveDate> = slots.iter().map(|s| s.local_date).collect();
        let expected_dates: Vec<NaiveDate> = (0..10).map(|i| day - Duration::days(5 - i)).collect();
        assert_eq!(dates, expected_dates, "{}: one slot per local day", c.zone);
        let on_day = slots.iter().find(|s| s.local_date == day).unwrap();
        assert_eq!(on_day.at_utc, utc(c.expected), "{} on {day}", c.zone);
        // Every other day keeps its wall-clock time.
        let want = CronSchedule::parse(c.cron)
            .unwrap()
            .first_time_on(day)
            .unwrap();
        for s in slots.iter().filter(|s| s.local_date != day) {
            assert_eq!(
                s.at_utc.with_timezone(&zone).time(),
                want,
                "{} on {}",
                c.zone,
                s.local_date
            );
        }
    }
}

#[test]
fn santiago_changes_at_midnight_and_still_fires_once_a_day() {
    // Chile moves its clocks at local midnight, so the whole first hour of a day can be
    // missing: 2025-09-07 00:00 -> 01:00, and 2025-04-06 00:00 -> 2025-04-05 23:00.
    let zone = tz("America/Santiago");
    let s = daily("30 0 * * *");
    let spring = next_slot(&s, zone, utc("2025-09-06T12:00:00Z")).unwrap();
    assert_eq!(
        spring.local_date,
        NaiveDate::from_ymd_opt(2025, 9, 7).unwrap()
    );
    assert_eq!(spring.at_utc, utc("2025-09-07T04:00:00Z")); // 01:00 -03, end of the gap
    let late = daily("30 23 * * *");
    let fall = due_slots(
        &late,
        zone,
        utc("2025-04-04T12:00:00Z"),
        utc("2025-04-07T12:00:00Z"),
    );
    let dates: Vec<u32> = fall.iter().map(|s| s.local_date.day()).collect();
    assert_eq!(dates, vec![4, 5, 6]);
    assert_eq!(fall[1].at_utc, utc("2025-04-06T02:30:00Z")); // the first 23:30 (-03)
}

#[test]
fn several_times_a_day_in_cron_still_means_one_prompt_a_day() {
    let s = daily("0 9,12,15 * * *");
    let zone = tz("Europe/Berlin");
    let slots = due_slots(
        &s,
        zone,
        utc("2025-06-01T00:00:00Z"),
        utc("2025-06-04T00:00:00Z"),
    );
    assert_eq!(slots.len(), 3);
    assert!(
        slots
            .iter()
            .all(|s| s.at_utc.with_timezone(&zone).time()
                == NaiveTime::from_hms_opt(9, 0, 0).unwrap())
    );
}

#[test]
fn learner_overrides_replace_the_time_and_the_days() {
    let mut s = daily("30 9 * * Mon-Fri");
    s.time_of_day = NaiveTime::from_hms_opt(7, 15, 0);
    s.days = Some(Weekdays::from_days([Weekday::Sat, Weekday::Sun]));
    let zone = tz("Europe/Madrid");
    let slots = due_slots(
        &s,
        zone,
        utc("2025-06-02T00:00:00Z"),
        utc("2025-06-16T00:00:00Z"),
    );
    let days: Vec<Weekday> = slots.iter().map(|s| s.local_date.weekday()).collect();
    assert_eq!(
        days,
        vec![Weekday::Sat, Weekday::Sun, Weekday::Sat, Weekday::Sun]
    );
    assert_eq!(slots[0].at_utc, utc("2025-06-07T05:15:00Z")); // 07:15 CEST

    // Own days, default time: the expression's 09:30.
    s.time_of_day = None;
    let first = next_slot(&s, zone, utc("2025-06-02T00:00:00Z")).unwrap();
    assert_eq!(first.at_utc, utc("2025-06-07T07:30:00Z"));
}

#[test]
fn paused_learners_get_nothing_and_are_not_flooded_on_return() {
    let mut s = daily("30 9 * * *");
    let zone = tz("UTC");
    s.pause = Some(Pause {
        from: utc("2025-06-02T00:00:00Z"),
        until: Some(utc("2025-06-09T12:00:00Z")),
    });
    let slots = due_slots(
        &s,
        zone,
        utc("2025-06-01T00:00:00Z"),
        utc("2025-06-12T00:00:00Z"),
    );
    let days: Vec<u32> = slots.iter().map(|s| s.local_date.day()).collect();
    assert_eq!(days, vec![1, 10, 11]);

    // Back on the 10th at noon: today's prompt only, not the week missed.
    let back = utc("2025-06-10T12:00:00Z");
    let now = current_slot(&s, zone, back).unwrap();
    assert_eq!(now.local_date.day(), 10);
    // Before today's time there is nothing to send yet, and yesterday is not back-filled.
    assert_eq!(current_slot(&s, zone, utc("2025-06-11T08:00:00Z")), None);
    // An open-ended pause stops everything.
    s.pause = Some(Pause {
        from: back,
        until: None,
    });
    assert_eq!(next_slot(&s, zone, back), None);
}
