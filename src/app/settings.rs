//! `settings`: time of day, timezone (a validated IANA name), days, daily cap, pause for N
//! days and resume, and which notices arrive (managers' and experts' notifications,
//! digests). With no arguments it shows the current settings and how to change them. A
//! schedule value never chosen (or set back with `default`) follows the tenant's
//! `[schedules]`, and says so.
//!
//! Depends on the records interface; parsing is pure and tested with tables.

use chrono::{Duration, NaiveTime, Weekday};
use chrono_tz::Tz;

use super::policy::DailyPolicy;
use super::records::{LearnerKey, NoticeOptOuts, Preferences};
use super::{echo, App, AppResult};
use crate::platform::{Actor, Block, Reply};

/// The largest daily cap a learner can choose (SPEC §1: 1–5 questions a day).
const MAX_CAP: u32 = 5;
const MAX_PAUSE_DAYS: i64 = 90;

/// One requested change.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// `None`: back to the tenant's default.
    Time(Option<NaiveTime>),
    Timezone(Option<String>),
    Days(Option<Vec<Weekday>>),
    Cap(Option<u32>),
    Pause(i64),
    Resume,
    /// Be pinged on the channel notice that stands in for a DM while DMs are closed.
    Mention(bool),
    /// Which kinds to switch (all when none is named), and on or off.
    Notices(Option<NoticeKind>, bool),
}

/// A kind of notice a person can turn off.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NoticeKind {
    Manager,
    Expert,
    Digest,
}

pub async fn handle(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let key = LearnerKey::of(actor);
    let Some(mut learner) = app.records.learner(&key).await? else {
        return Ok(Vec::new());
    };
    if args.trim().is_empty() {
        return Ok(vec![show(&learner.prefs, &app.policy, app.clock.now())]);
    }
    let change = match parse(args) {
        Ok(c) => c,
        Err(msg) => {
            return Ok(vec![
                Reply::text(msg),
                show(&learner.prefs, &app.policy, app.clock.now()),
            ])
        }
    };
    let said = apply(&mut learner.prefs, change, app.clock.now(), &app.policy);
    app.records.save_learner(&learner).await?;
    Ok(vec![Reply::text(said)])
}

/// Makes the change and says what it did.
fn apply(
    p: &mut Preferences,
    change: Change,
    now: chrono::DateTime<chrono::Utc>,
    policy: &DailyPolicy,
) -> String {
    const BACK: &str = "Back to your team's schedule:";
    match change {
        Change::Time(t) => {
            p.time = t;
            match t {
                Some(t) => format!("Daily questions now arrive at {}.", t.format("%H:%M")),
                None => format!("{BACK} {}.", policy.describe(now)),
            }
        }
        Change::Timezone(tz) => {
            let said = match &tz {
                Some(tz) => format!("Your timezone is now {tz}."),
                None => format!("Your timezone is now your team's, {}.", policy.timezone),
            };
            p.timezone = tz;
            said
        }
        Change::Days(d) => {
            p.days = d;
            match &p.days {
                Some(d) => format!("You practise on {}.", days(d)),
                None => format!("{BACK} {}.", policy.describe(now)),
            }
        }
        Change::Cap(n) => {
            p.daily_cap = n;
            let (new, reviews) = policy.caps_of(p);
            format!("Up to {new} new question(s) and {reviews} review(s) a day.")
        }
        Change::Pause(n) => {
            p.paused_until = Some(now + Duration::days(n));
            format!("Paused for {n} day(s). Type /settings resume to come back earlier.")
        }
        Change::Resume => {
            p.paused_until = None;
            "Welcome back: daily questions are on again.".into()
        }
        Change::Mention(on) => {
            p.channel_mention = on;
            if on {
                "When your DMs are closed, the channel notice about your waiting question will \
                 mention you (nobody else is ever mentioned)."
                    .into()
            } else {
                "The channel notice about a waiting question will name you without a mention."
                    .into()
            }
        }
        Change::Notices(kind, on) => {
            let n = &mut p.notices;
            let (flags, what): (Vec<&mut bool>, &str) = match kind {
                None => (
                    vec![&mut n.manager, &mut n.expert, &mut n.digest],
                    "Notices",
                ),
                Some(NoticeKind::Manager) => (vec![&mut n.manager], "Notices about your team"),
                Some(NoticeKind::Expert) => (vec![&mut n.expert], "Notices about your skills"),
                Some(NoticeKind::Digest) => (vec![&mut n.digest], "Weekly digests"),
            };
            for f in flags {
                *f = !on;
            }
            format!("{what} are {}.", if on { "on" } else { "off" })
        }
    }
}

fn show(p: &Preferences, policy: &DailyPolicy, now: chrono::DateTime<chrono::Utc>) -> Reply {
    let paused = p.paused_until.map_or("no".to_owned(), |u| {
        format!("until {}", u.format("%a %d %b"))
    });
    let team = |what: String| format!("{what} (your team's)");
    let (new, reviews) = policy.caps_of(p);
    Reply::private(vec![
        Block::Heading("Your settings".into()),
        Block::Fields(vec![
            (
                "time".into(),
                p.time.map_or_else(
                    || team(policy.describe(now)),
                    |t| t.format("%H:%M").to_string(),
                ),
            ),
            (
                "timezone".into(),
                p.timezone
                    .clone()
                    .unwrap_or_else(|| team(policy.timezone.to_string())),
            ),
            (
                "days".into(),
                p.days
                    .as_ref()
                    .map_or_else(|| team("the schedule's".into()), |d| days(d)),
            ),
            (
                "cap".into(),
                format!("{new} new and {reviews} reviews a day"),
            ),
            ("paused".into(), paused),
            ("notices".into(), notices(&p.notices)),
            (
                "mention".into(),
                if p.channel_mention { "on" } else { "off" }.into(),
            ),
        ]),
        Block::Text(
            "Change one with e.g. /settings time 08:30, /settings timezone Europe/Paris, \
             /settings days mon,wed,fri, /settings cap 2, /settings pause 7, /settings resume; \
             `default` instead of a value goes back to your team's schedule. \
             /settings notices off (or notices manager|expert|digest off) stops notices; \
             /settings mention on has you pinged when your question waits in a channel \
             because your DMs are closed."
                .into(),
        ),
    ])
}

fn notices(n: &NoticeOptOuts) -> String {
    let state = |off: bool| if off { "off" } else { "on" };
    format!(
        "team notices {}, skill notices {}, digests {}",
        state(n.manager),
        state(n.expert),
        state(n.digest)
    )
}

fn days(d: &[Weekday]) -> String {
    d.iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse(args: &str) -> Result<Change, String> {
    let (what, value) = args
        .trim()
        .split_once(char::is_whitespace)
        .unwrap_or((args.trim(), ""));
    let value = value.trim();
    let default = value.eq_ignore_ascii_case("default");
    match what.to_lowercase().as_str() {
        "time" if default => Ok(Change::Time(None)),
        "timezone" | "tz" if default => Ok(Change::Timezone(None)),
        "days" if default => Ok(Change::Days(None)),
        "cap" if default => Ok(Change::Cap(None)),
        "time" => NaiveTime::parse_from_str(value, "%H:%M")
            .map(|t| Change::Time(Some(t)))
            .map_err(|_| format!("\"{}\" is not a time: use 24-hour HH:MM, e.g. 08:30.", echo(value))),
        "timezone" | "tz" => value
            .parse::<Tz>()
            .map(|tz| Change::Timezone(Some(tz.name().to_owned())))
            .map_err(|_| format!("\"{}\" is not a timezone I know: use an IANA name such as Europe/London or America/New_York.", echo(value))),
        "days" => parse_days(value).map(|d| Change::Days(Some(d))),
        "cap" => match value.parse::<u32>() {
            Ok(n) if (1..=MAX_CAP).contains(&n) => Ok(Change::Cap(Some(n))),
            _ => Err(format!("The daily cap is a number from 1 to {MAX_CAP}.")),
        },
        "notices" | "notifications" => parse_notices(value),
        "pause" => {
            let n = value.split_whitespace().next().unwrap_or("");
            match n.parse::<i64>() {
                Ok(n) if (1..=MAX_PAUSE_DAYS).contains(&n) => Ok(Change::Pause(n)),
                _ => Err(format!("Pause for how many days? 1 to {MAX_PAUSE_DAYS}, e.g. /settings pause 7.")),
            }
        }
        "resume" => Ok(Change::Resume),
        "mention" => match value.to_lowercase().as_str() {
            "on" | "yes" | "true" => Ok(Change::Mention(true)),
            "off" | "no" | "false" => Ok(Change::Mention(false)),
            _ => Err("Use /settings mention on or /settings mention off.".into()),
        },
        other => Err(format!("I can't change \"{}\".", echo(other))),
    }
}

/// `on|off` for every kind, or `manager|expert|digest on|off` for one (in either order,
/// as Discord's options may come); `all` names every kind.
fn parse_notices(value: &str) -> Result<Change, String> {
    let words: Vec<String> = value.split_whitespace().map(str::to_lowercase).collect();
    let on = |w: &str| match w {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    };
    let kind = |w: &str| match w {
        "all" => Some(None),
        "manager" | "managers" | "team" => Some(Some(NoticeKind::Manager)),
        "expert" | "experts" | "skill" => Some(Some(NoticeKind::Expert)),
        "digest" | "digests" => Some(Some(NoticeKind::Digest)),
        _ => None,
    };
    let parsed = match words.as_slice() {
        [w] => on(w).map(|on| Change::Notices(None, on)),
        [a, b] => kind(a)
            .zip(on(b))
            .or_else(|| kind(b).zip(on(a)))
            .map(|(k, on)| Change::Notices(k, on)),
        _ => None,
    };
    parsed.ok_or_else(|| {
        "Use /settings notices off (or on), or /settings notices manager|expert|digest off."
            .to_owned()
    })
}

/// `mon-fri`, `mon,wed,fri`, `weekdays`, `every day`.
fn parse_days(value: &str) -> Result<Vec<Weekday>, String> {
    const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    let bad = || {
        format!(
            "\"{}\" is not a list of days: try mon-fri or mon,wed,fri.",
            echo(value)
        )
    };
    let v = value.to_lowercase();
    match v.as_str() {
        "weekdays" => return Ok(ALL[..5].to_vec()),
        "every day" | "daily" | "all" => return Ok(ALL.to_vec()),
        _ => {}
    }
    let mut out = Vec::new();
    for part in v.split([',', ' ']).filter(|p| !p.is_empty()) {
        let range: Vec<Weekday> = match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?);
                let (i, j) = (
                    a.num_days_from_monday() as usize,
                    b.num_days_from_monday() as usize,
                );
                if i > j {
                    return Err(bad());
                }
                ALL[i..=j].to_vec()
            }
            None => vec![day(part).ok_or_else(bad)?],
        };
        for d in range {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    if out.is_empty() {
        return Err(bad());
    }
    out.sort_by_key(|d| d.num_days_from_monday());
    Ok(out)
}

fn day(s: &str) -> Option<Weekday> {
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_from_what_people_type() {
        assert_eq!(
            parse("time 08:30"),
            Ok(Change::Time(Some(
                NaiveTime::from_hms_opt(8, 30, 0).unwrap()
            )))
        );
        assert_eq!(
            parse("timezone Europe/Paris"),
            Ok(Change::Timezone(Some("Europe/Paris".into())))
        );
        assert_eq!(parse("cap 2"), Ok(Change::Cap(Some(2))));
        assert_eq!(parse("time default"), Ok(Change::Time(None)));
        assert_eq!(parse("days default"), Ok(Change::Days(None)));
        assert_eq!(parse("notices off"), Ok(Change::Notices(None, false)));
        assert_eq!(
            parse("notices digest off"),
            Ok(Change::Notices(Some(NoticeKind::Digest), false))
        );
        assert_eq!(
            parse("notices Manager ON"),
            Ok(Change::Notices(Some(NoticeKind::Manager), true))
        );
        // Discord's options: the kind, then the boolean as on/off.
        assert_eq!(parse("notices all off"), Ok(Change::Notices(None, false)));
        assert_eq!(
            parse("notices off expert"),
            Ok(Change::Notices(Some(NoticeKind::Expert), false))
        );
        assert_eq!(parse("pause 7 days"), Ok(Change::Pause(7)));
        assert_eq!(parse("resume"), Ok(Change::Resume));
        assert_eq!(
            parse("days mon-wed,fri"),
            Ok(Change::Days(Some(vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Fri
            ])))
        );
    }

    #[test]
    fn nonsense_is_refused_with_a_hint() {
        for bad in [
            "timezone Mars/Olympus",
            "time 25:00",
            "cap 0",
            "cap 9",
            "pause forever",
            "days fri-mon",
            "colour blue",
            "notices maybe",
            "notices boss off",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(!parse("timezone <@1>").unwrap_err().contains("<@"));
    }
}
