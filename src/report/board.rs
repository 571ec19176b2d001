//! Leaderboards as chat blocks: learners ranked by mastery gained and kept, or teams by
//! the mean of their members. Opted-out learners arrive already anonymised or hidden.

use std::fmt::Write;

use ladder_engine::score::{Entry, TeamScore};

use crate::platform::text::name;
use crate::platform::Block;

/// Rows shown before the list is cut (the caller's own row is always added).
pub const TOP: usize = 10;

/// How the score is explained under every board.
const HOW: &str = "Points for stage-ups, for memories that grew stronger on spaced \
reviews (capped per day, so cramming does not pay) and for items still remembered.";

/// A learners' board; `me` is the caller's entry id, shown even outside the top rows.
pub fn learners(title: &str, entries: &[Entry], me: Option<&str>) -> Vec<Block> {
    let mut body = String::new();
    if entries.is_empty() {
        body.push_str("Nobody is on this board yet.\n");
    }
    for e in entries.iter().take(TOP) {
        row(&mut body, e, me);
    }
    let mine = entries
        .iter()
        .skip(TOP)
        .find(|e| me.is_some() && e.id.as_deref() == me);
    if let Some(e) = mine {
        body.push_str("…\n");
        row(&mut body, e, me);
    }
    vec![
        Block::Heading(title.to_owned()),
        Block::Text(body),
        Block::Text(format!("_{HOW}_")),
    ]
}

fn row(out: &mut String, e: &Entry, me: Option<&str>) {
    let you = if me.is_some() && e.id.as_deref() == me {
        " (you)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}. {}{you}: {:.0} points, {:.0}% retained",
        e.rank,
        name(&e.name),
        e.score.total,
        e.retention * 100.0
    );
}

/// A teams' board, best mean first.
pub fn teams(title: &str, scores: &[(String, TeamScore)]) -> Vec<Block> {
    let mut ranked: Vec<&(String, TeamScore)> = scores.iter().collect();
    ranked.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean).then_with(|| a.0.cmp(&b.0)));
    let mut body = String::new();
    if ranked.is_empty() {
        body.push_str("No teams yet.\n");
    }
    for (i, (team, s)) in ranked.iter().enumerate() {
        let _ = writeln!(
            body,
            "{}. {}: {:.1} points per member ({} of {} started)",
            i + 1,
            name(team),
            s.mean,
            s.started,
            s.members
        );
    }
    vec![
        Block::Heading(title.to_owned()),
        Block::Text(body),
        Block::Text(format!(
            "_A team's score is the mean over all its members, counting those who have not \
             started. {HOW}_"
        )),
    ]
}
