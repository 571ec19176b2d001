//! The team summary as chat blocks: a heading, the figures as markdown, and the footer
//! that says what a summary is for. Names are sanitised by the caller's platform rules.

use std::fmt::Write;

use super::{AtRisk, TeamSummary, FOOTER};
use crate::platform::text::name;
use crate::platform::Block;

/// The whole summary.
pub fn blocks(s: &TeamSummary) -> Vec<Block> {
    let mut body = String::new();
    overview(s, &mut body);
    stages(s, &mut body);
    readiness(s, &mut body);
    lift(s, &mut body);
    at_risk_section(&s.at_risk, &mut body);
    if !s.coach.is_empty() {
        let _ = writeln!(body, "\n**Most worth coaching:** {}", s.coach.join(", "));
    }
    vec![
        Block::Heading(format!("Team {}: summary", name(&s.team))),
        Block::Text(body),
        Block::Text(format!("_{FOOTER}_")),
    ]
}

/// Only the learners at risk.
pub fn blocks_at_risk(s: &TeamSummary) -> Vec<Block> {
    let mut body = String::new();
    if s.at_risk.is_empty() {
        body.push_str(
            "Nobody is at risk right now: no overdue reviews, lapses or predicted drops.",
        );
    } else {
        at_risk_section(&s.at_risk, &mut body);
    }
    vec![
        Block::Heading(format!("Team {}: learners at risk", name(&s.team))),
        Block::Text(body),
        Block::Text(format!("_{FOOTER}_")),
    ]
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn overview(s: &TeamSummary, out: &mut String) {
    let _ = writeln!(out, "**Learners:** {}", s.members.len());
    match s.retention.last().copied().flatten() {
        Some(r) => {
            let trend = match s.retention_trend() {
                Some(t) => format!(" ({:+.0} points over 7 days)", t * 100.0),
                None => String::new(),
            };
            let _ = writeln!(out, "**Estimated retention:** {}{trend}", percent(r));
        }
        None => out.push_str("**Estimated retention:** nothing learnt yet\n"),
    }
    let engaged = if s.sent == 0 {
        "no daily prompts sent in the last 7 days".to_owned()
    } else {
        format!(
            "{} of {} daily prompts answered in the last 7 days ({})",
            s.answered,
            s.sent,
            percent(f64::from(s.answered) / f64::from(s.sent))
        )
    };
    let _ = writeln!(out, "**Engagement:** {engaged}");
}

fn stages(s: &TeamSummary, out: &mut String) {
    out.push_str("\n**Stages per skill** (novice / competent / experienced / master)\n");
    for l in &s.skills {
        let [n, c, e, m] = l.stages;
        let _ = writeln!(out, "- {}: {n} / {c} / {e} / {m}", l.title);
    }
}

fn readiness(s: &TeamSummary, out: &mut String) {
    if s.readiness.is_empty() {
        return;
    }
    out.push_str("\n**Readiness per objective** (competent or above on all its skills)\n");
    for r in &s.readiness {
        let _ = writeln!(out, "- {}: {}", r.title, percent(r.share));
    }
}

fn lift(s: &TeamSummary, out: &mut String) {
    let lines: Vec<_> = s
        .skills
        .iter()
        .filter_map(|l| Some((l, l.first_accuracy?, l.current_accuracy?)))
        .collect();
    if lines.is_empty() {
        return;
    }
    out.push_str("\n**Lift** (first attempts right → latest attempts right)\n");
    for (l, first, now) in lines {
        let _ = writeln!(out, "- {}: {} → {}", l.title, percent(first), percent(now));
    }
}

fn at_risk_section(at_risk: &[AtRisk], out: &mut String) {
    if at_risk.is_empty() {
        out.push_str("\n**At risk:** nobody\n");
        return;
    }
    out.push_str("\n**At risk**\n");
    for r in at_risk {
        let why: Vec<&str> = r.reasons.iter().map(|x| x.label()).collect();
        let skills = if r.skills.is_empty() {
            String::new()
        } else {
            format!(" in {}", r.skills.join(", "))
        };
        let _ = writeln!(out, "- {}: {}{skills}", name(&r.name), why.join(", "));
    }
}
