//! Resolving skill prerequisites once every skill is known: unknown skills, and cycles
//! (a learner could never start any skill of a cycle).

use ladder_engine::{Library, SkillId};
use std::collections::HashMap;

use super::skill::Prerequisite;
use crate::diagnostic::Diagnostic;

pub(super) fn check_prerequisites(
    library: &Library,
    prerequisites: &[Prerequisite],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut edges: HashMap<&SkillId, Vec<(&SkillId, &Prerequisite)>> = HashMap::new();
    for p in prerequisites {
        let at = |message: String| Diagnostic::new(p.path.clone(), p.target.loc, message);
        match library
            .skills
            .iter()
            .find(|s| s.id.as_str() == p.target.value)
        {
            None => diags.push(at(format!(
                "unknown prerequisite skill {:?}",
                p.target.value
            ))),
            Some(target) if target.id == p.skill => diags.push(at(format!(
                "skill {:?} lists itself as a prerequisite",
                p.skill.as_str()
            ))),
            Some(target) => edges.entry(&p.skill).or_default().push((&target.id, p)),
        }
    }
    let mut state: HashMap<&SkillId, Visit> = HashMap::new();
    for skill in &library.skills {
        let mut path = Vec::new();
        visit(&skill.id, &edges, &mut state, &mut path, &mut diags);
    }
    diags
}

#[derive(Clone, Copy, PartialEq)]
enum Visit {
    InProgress,
    Done,
}

/// Depth-first search; an edge back into the current path closes a cycle, reported once at
/// the prerequisite entry that closes it.
fn visit<'a>(
    skill: &'a SkillId,
    edges: &HashMap<&'a SkillId, Vec<(&'a SkillId, &'a Prerequisite)>>,
    state: &mut HashMap<&'a SkillId, Visit>,
    path: &mut Vec<&'a SkillId>,
    diags: &mut Vec<Diagnostic>,
) {
    if state.contains_key(skill) {
        return;
    }
    state.insert(skill, Visit::InProgress);
    path.push(skill);
    for &(target, p) in edges.get(skill).into_iter().flatten() {
        match state.get(target) {
            Some(Visit::InProgress) => {
                let start = path.iter().position(|s| *s == target).unwrap_or(0);
                let cycle: Vec<&str> = path[start..]
                    .iter()
                    .chain(std::iter::once(&target))
                    .map(|s| s.as_str())
                    .collect();
                diags.push(Diagnostic::new(
                    p.path.clone(),
                    p.target.loc,
                    format!("prerequisite cycle: {}", cycle.join(" → ")),
                ));
            }
            Some(Visit::Done) => {}
            None => visit(target, edges, state, path, diags),
        }
    }
    path.pop();
    state.insert(skill, Visit::Done);
}
