//! `/help`, derived from the catalogue: the learner's commands for everyone, each staff
//! role's commands in full for those who hold the role (and by name only for the others,
//! so nobody has to guess they exist), and the demo's own commands in the terminal.
//! Pure.

use super::{CommandSpec, Reach, Role, CATALOGUE};
use crate::platform::{Block, Platform, Reply};

/// The help reply for someone holding `roles` (staff roles; every person is a learner) on
/// `platform`.
pub fn reply(roles: &[Role], platform: Platform) -> Reply {
    // Admins see every staff command: they grant the other roles.
    let holds = |role: Role| roles.contains(&role) || roles.contains(&Role::Admin);
    let mut rows = vec![(
        "(answer)".to_owned(),
        "type the option's number or letter, or the answer itself".to_owned(),
    )];
    rows.extend(rows_of(|c| {
        c.role == Role::Learner && c.reach != Reach::Demo
    }));
    if platform == Platform::Local {
        rows.extend(rows_of(|c| c.reach == Reach::Demo));
    }
    let staff = [
        (Role::Expert, "For experts"),
        (Role::Manager, "For managers"),
        (Role::Admin, "For admins"),
    ];
    for (role, _) in staff.iter().filter(|(r, _)| !holds(*r)) {
        let names: Vec<String> = CATALOGUE
            .iter()
            .filter(|c| c.role == *role)
            .map(|c| format!("/{}", c.name))
            .collect();
        rows.push((
            names.join(", "),
            format!("for {}s (the role is granted by an admin)", role.as_str()),
        ));
    }
    let mut blocks = vec![
        Block::Heading("What you can do".into()),
        Block::Fields(rows),
    ];
    for (role, heading) in staff.iter().filter(|(r, _)| holds(*r)) {
        blocks.push(Block::Heading((*heading).into()));
        blocks.push(Block::Fields(rows_of(|c| c.role == *role)));
    }
    Reply::private(blocks)
}

fn rows_of(keep: impl Fn(&CommandSpec) -> bool) -> Vec<(String, String)> {
    CATALOGUE
        .iter()
        .filter(|c| keep(c))
        .map(|c| (c.synopsis(), c.help_text().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(reply: &Reply) -> String {
        format!("{:?}", reply.blocks)
    }

    #[test]
    fn every_command_is_named_for_everyone_and_explained_to_its_role() {
        let learner = text(&reply(&[], Platform::Local));
        for c in CATALOGUE {
            assert!(learner.contains(&format!("/{}", c.name)), "/{}", c.name);
        }
        assert!(!learner.contains("For managers"));
        assert!(learner.contains("for admins"));
        let manager = text(&reply(&[Role::Manager], Platform::Discord));
        assert!(manager.contains("For managers"));
        assert!(manager.contains("the weekly digest of your teams"));
        assert!(!manager.contains("For experts"));
        assert!(
            !manager.contains("/skip"),
            "the demo's commands stay in the demo"
        );
        let admin = text(&reply(&[Role::Admin], Platform::Slack));
        for heading in ["For experts", "For managers", "For admins"] {
            assert!(admin.contains(heading), "{heading}");
        }
    }
}
