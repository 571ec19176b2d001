//! `settings`: time of day, timezone (a validated IANA name), days, daily cap, pause for N
//! days and resume. With no arguments it shows the current settings and how to change them.
//!
//! Depends on the records interface; parsing is pure and tested with tables.

use chrono::{Duration, NaiveTime, Weekday};
use chrono_tz::Tz;

use super::records::{LearnerKey, Preferences};
use super::{echo, App, AppResult};
use crate::platform::{Actor, Block, Reply};

/// The largest daily cap a learner can choose (SPEC §1: 1–5 questions a day).
const MAX_CAP: u32 = 5;
const MAX_PAUSE_DAYS: i64 = 90;

/// One requested change.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Time(NaiveTime),
    Timezone(String),
    Days(Vec<Weekday>),
    Cap(u32),
    Pause(i64),
    Resume,
    /// Be pinged on the channel notice that stands in for a DM while DMs are closed.
    Mention(bool),
}

pub async fn handle(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let key = LearnerKey::of(actor);
    let Some(mut learner) = app.records.learner(&key).await? else {
        return Ok(Vec::new());
    };
    if args.trim().is_empty() {
        return Ok(vec![show(&learner.prefs)]);
    }
    let change = match parse(args) {
        Ok(c) => c,
        Err(msg) => return Ok(vec![Reply::text(msg), show(&learner.prefs)]),
    };
    let now = app.clock.now();
    let p = &mut learner.prefs;
    let said = match change {
        Change::Time(t) => {
            p.time = t;
            format!("Daily questions now arrive at {}.", t.format("%H:%M"))
        }
        Change::Timezone(tz) => {
            p.timezone = tz.clone();
            format!("Your timezone is now {tz}.")
        }
        Change::Days(d) => {
            p.days = d;
            format!("You practise on {}.", days(&p.days))
        }
        Change::Cap(n) => {
            p.daily_cap = n;
            format!("Up to {n} question(s) a day.")
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
                "When your DMs are closed, the channel notice about your waiting question will                  mention you (nobody else is ever mentioned)."
                    .into()
            } else {
                "The channel notice about a waiting question will name you without a mention."
                    .into()
            }
        }
    };
    app.records.save_learner(&learner).await?;
    Ok(vec![Reply::text(said)])
}

fn show(p: &Preferences) -> Reply {
    let paused = p.paused_until.map_or("no".to_owned(), |u| {
        format!("until {}", u.format("%a %d %b"))
    });
    Reply::private(vec![
        Block::Heading("Your settings".into()),
        Block::Fields(vec![
            ("time".into(), p.time.format("%H:%M").to_string()),
            ("timezone".into(), p.timezone.clone()),
            ("days".into(), days(&p.days)),
            ("cap".into(), format!("{} a day", p.daily_cap)),
            ("paused".into(), paused),
            (
                "mention".into(),
                if p.channel_mention { "on" } else { "off" }.into(),
            ),
        ]),
        Block::Text(
            "Change one with e.g. /settings time 08:30, /settings timezone Europe/Paris, \
             /settings days mon,wed,fri, /settings cap 2, /settings pause 7, /settings resume, \
             /settings mention on (be pinged when your question waits in a channel because \
             your DMs are closed)."
                .into(),
        ),
    ])
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
    match what.to_lowercase().as_str() {
        "time" => NaiveTime::parse_from_str(value, "%H:%M")
            .map(Change::Time)
            .map_err(|_| format!("\"{}\" is not a time: use 24-hour HH:MM, e.g. 08:30.", echo(value))),
        "timezone" | "tz" => value
            .parse::<Tz>()
            .map(|tz| Change::Timezone(tz.name().to_owned()))
            .map_err(|_| format!("\"{}\" is not a timezone I know: use an IANA name such as Europe/London or America/New_York.", echo(value))),
        "days" => parse_days(value).map(Change::Days),
        "cap" => match value.parse::<u32>() {
            Ok(n) if (1..=MAX_CAP).contains(&n) => Ok(Change::Cap(n)),
            _ => Err(format!("The daily cap is a number from 1 to {MAX_CAP}.")),
        },
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
            Ok(Change::Time(NaiveTime::from_hms_opt(8, 30, 0).unwrap()))
        );
        assert_eq!(
            parse("timezone Europe/Paris"),
            Ok(Change::Timezone("Europe/Paris".into()))
        );
        assert_eq!(parse("cap 2"), Ok(Change::Cap(2)));
        assert_eq!(parse("pause 7 days"), Ok(Change::Pause(7)));
        assert_eq!(parse("resume"), Ok(Change::Resume));
        assert_eq!(
            parse("days mon-wed,fri"),
            Ok(Change::Days(vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Fri
            ]))
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
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(!parse("timezone <@1>").unwrap_err().contains("<@"));
    }
}
