//! Parsing py-fsrs review-log CSV text.

use chrono::{DateTime, Utc};

use super::EvalError;
use crate::schedule::Rating;

/// One review from a log.
#[derive(Debug, Clone, PartialEq)]
pub struct RevlogEntry {
    pub card_id: i64,
    pub rating: Rating,
    pub time: DateTime<Utc>,
    /// How long the answer took, when the log says (0 when it does not).
    pub duration_ms: u64,
}

struct Columns {
    card: usize,
    rating: usize,
    time: usize,
    duration: Option<usize>,
}

impl Columns {
    fn from_header(header: &str) -> Option<Columns> {
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let find = |name: &str| names.iter().position(|n| *n == name);
        Some(Columns {
            card: find("card_id")?,
            rating: find("review_rating")?,
            time: find("review_time")?,
            duration: find("review_duration"),
        })
    }
}

/// Parses `card_id,review_rating,review_time,review_duration` CSV (columns in any order,
/// `review_duration` optional). Times are RFC 3339 or Unix milliseconds. Errors carry the
/// 1-based line number.
pub fn parse_revlog(src: &str) -> Result<Vec<RevlogEntry>, EvalError> {
    let mut lines = src
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or(EvalError::Header)?;
    let cols =
        Columns::from_header(header.trim_start_matches('\u{feff}')).ok_or(EvalError::Header)?;
    lines
        .map(|(i, line)| {
            parse_line(&cols, line).map_err(|message| EvalError::Parse {
                line: i + 1,
                message,
            })
        })
        .collect()
}

fn parse_line(cols: &Columns, line: &str) -> Result<RevlogEntry, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let field = |i: usize, name: &str| {
        fields.get(i).copied().ok_or_else(|| {
            format!(
                "missing {name} (expected {} fields)",
                fields.len().max(i + 1)
            )
        })
    };
    let card_id = field(cols.card, "card_id")?
        .parse::<i64>()
        .map_err(|_| format!("card_id {:?} is not an integer", fields[cols.card]))?;
    let raw_rating = field(cols.rating, "review_rating")?;
    let rating = raw_rating
        .parse::<u8>()
        .ok()
        .and_then(Rating::from_u8)
        .ok_or_else(|| format!("review_rating {raw_rating:?} is not 1, 2, 3 or 4"))?;
    let raw_time = field(cols.time, "review_time")?;
    let time = parse_time(raw_time).ok_or_else(|| {
        format!("review_time {raw_time:?} is neither RFC 3339 nor Unix milliseconds")
    })?;
    let duration_ms = match cols.duration.and_then(|i| fields.get(i)) {
        None | Some(&"") => 0,
        Some(d) => d
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("review_duration {d:?} is not a number of milliseconds"))?
            as u64,
    };
    Ok(RevlogEntry {
        card_id,
        rating,
        time,
        duration_ms,
    })
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    s.parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_millis)
}
