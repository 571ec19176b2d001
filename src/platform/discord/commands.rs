//! The slash commands Ladder registers, derived from the command catalogue
//! ([`crate::app::commands`]): one per command registered everywhere, with its subcommands
//! and options, the descriptions and hints a user sees while typing.
//!
//! Pure builders; `register` in [`super::gateway`] sends them per guild (development) or
//! globally. Every command routes to the app as `Command { name, args }` (see
//! [`super::parse`]), so adding one to the catalogue needs no change here.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext};

use crate::app::commands::{self, ArgKind, ArgSpec, CommandSpec, Complete, SubSpec};

/// Longest text option unless the catalogue says otherwise: user text is echoed, and
/// Discord's own limit (6,000) is far more than any answer needs.
const TEXT_MAX: u16 = 200;

fn option(a: &ArgSpec) -> CreateCommandOption {
    let kind = match a.kind {
        ArgKind::Text | ArgKind::Choice(_) => CommandOptionType::String,
        ArgKind::Integer { .. } => CommandOptionType::Integer,
        ArgKind::Boolean => CommandOptionType::Boolean,
        ArgKind::User => CommandOptionType::User,
        ArgKind::Channel => CommandOptionType::Channel,
    };
    let o = CreateCommandOption::new(kind, a.name, a.hint).required(a.required);
    match a.kind {
        ArgKind::Text => {
            let o = o.max_length(a.max_len.unwrap_or(TEXT_MAX));
            match a.complete {
                Some(Complete::Timezone) => o.set_autocomplete(true),
                None => o,
            }
        }
        ArgKind::Choice(picks) => picks.iter().fold(o.max_length(TEXT_MAX), |o, p| {
            o.add_string_choice(p.label, p.value)
        }),
        ArgKind::Integer { min, max } => {
            let o = o.min_int_value(u64::try_from(min).unwrap_or(0));
            match max {
                Some(max) => o.max_int_value(u64::try_from(max).unwrap_or(0)),
                None => o,
            }
        }
        ArgKind::Boolean | ArgKind::User | ArgKind::Channel => o,
    }
}

/// Options in Discord's order: required ones first (Discord refuses an optional option
/// before a required one); typed text reads either order.
fn options(args: &[ArgSpec]) -> Vec<CreateCommandOption> {
    let mut sorted: Vec<&ArgSpec> = args.iter().collect();
    sorted.sort_by_key(|a| !a.required);
    sorted.into_iter().map(option).collect()
}

fn sub(s: &SubSpec) -> CreateCommandOption {
    if s.subs.is_empty() {
        let o = CreateCommandOption::new(CommandOptionType::SubCommand, s.name, s.description);
        options(s.args)
            .into_iter()
            .fold(o, CreateCommandOption::add_sub_option)
    } else {
        let o = CreateCommandOption::new(CommandOptionType::SubCommandGroup, s.name, s.description);
        s.subs
            .iter()
            .map(sub)
            .fold(o, CreateCommandOption::add_sub_option)
    }
}

/// One command's registration.
pub fn command(spec: &CommandSpec) -> CreateCommand {
    // Usable in the server and in the bot's DMs, where daily prompts arrive.
    let c = CreateCommand::new(spec.name)
        .description(spec.description)
        .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm]);
    let opts = if spec.subs.is_empty() {
        options(spec.args)
    } else {
        spec.subs.iter().map(sub).collect()
    };
    opts.into_iter().fold(c, CreateCommand::add_option)
}

/// Every command, in the order Discord lists them.
pub fn all() -> Vec<CreateCommand> {
    commands::registered().map(command).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_valid_for_discord() {
        let names: Vec<String> = all()
            .into_iter()
            .map(|c| {
                let v = serde_json::to_value(c).unwrap();
                let name = v["name"].as_str().unwrap().to_owned();
                let description = v["description"].as_str().unwrap();
                assert!((1..=100).contains(&description.chars().count()), "{name}");
                assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
                name
            })
            .collect();
        for expected in [
            "join", "practice", "progress", "why", "settings", "privacy", "help",
        ] {
            assert!(names.contains(&expected.to_owned()), "missing /{expected}");
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
    }
}
