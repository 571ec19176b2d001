//! The slash commands Ladder registers: one per learner, manager and expert feature of the
//! chat surface, each with a description and option hints a user sees while typing.
//!
//! Pure builders; `register` in [`super::gateway`] sends them per guild (development) or
//! globally. Every command routes to the app as `Command { name, args }` (see
//! [`super::parse`]), so adding one here needs no other adapter change.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext};

fn string(name: &str, description: &str, required: bool) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, name, description)
        .required(required)
        .max_length(200)
}

fn id(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::Integer, name, description).min_int_value(1)
}

fn sub(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
}

fn command(name: &str, description: &str) -> CreateCommand {
    // Usable in the server and in the bot's DMs, where daily prompts arrive.
    CreateCommand::new(name)
        .description(description)
        .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm])
}

fn settings() -> CreateCommand {
    command("settings", "When and how often Ladder asks you questions")
        .add_option(sub("show", "Show your current settings"))
        .add_option(
            sub("time", "Time of day for your daily questions").add_sub_option(
                string("value", "Local time, e.g. 08:30, or default", true).max_length(7),
            ),
        )
        .add_option(sub("timezone", "Your timezone").add_sub_option(
            string("value", "IANA name, e.g. Europe/Paris", true).set_autocomplete(true),
        ))
        .add_option(
            sub("days", "Which days you practise").add_sub_option(string(
                "value",
                "e.g. mon-fri or mon,wed,fri",
                true,
            )),
        )
        .add_option(
            sub("cap", "Most questions per day").add_sub_option(
                CreateCommandOption::new(CommandOptionType::Integer, "value", "1 to 5")
                    .required(true)
                    .min_int_value(1)
                    .max_int_value(5),
            ),
        )
        .add_option(
            sub("pause", "Pause daily questions").add_sub_option(
                CreateCommandOption::new(CommandOptionType::Integer, "days", "How many days")
                    .required(false)
                    .min_int_value(1)
                    .max_int_value(90),
            ),
        )
        .add_option(sub("resume", "Resume daily questions"))
        .add_option(
            sub(
                "notices",
                "Turn notices to managers, experts or digests on or off",
            )
            .add_sub_option(
                string("kind", "Which notices", true)
                    .add_string_choice("all", "all")
                    .add_string_choice("about my team (managers)", "manager")
                    .add_string_choice("about my skills (experts)", "expert")
                    .add_string_choice("weekly digests", "digest"),
            )
            .add_sub_option(
                CreateCommandOption::new(CommandOptionType::Boolean, "on", "Receive them")
                    .required(true),
            ),
        )
        .add_option(
            sub(
                "mention",
                "Be mentioned when your question waits in a channel (DMs closed)",
            )
            .add_sub_option(
                CreateCommandOption::new(CommandOptionType::Boolean, "value", "on or off")
                    .required(true),
            ),
        )
}

fn privacy() -> CreateCommand {
    command("privacy", "Your data and what others see")
        .add_option(
            sub("leaderboard", "Appear on the cohort leaderboard or not").add_sub_option(
                CreateCommandOption::new(CommandOptionType::Boolean, "visible", "Show me")
                    .required(true),
            ),
        )
        .add_option(sub("export", "Download everything Ladder stores about you"))
        .add_option(sub("delete", "Delete everything Ladder stores about you"))
}

fn user(description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::User, "user", description).required(true)
}

fn member(name: &str, description: &str) -> CreateCommandOption {
    sub(name, description)
        .add_sub_option(string("team", "Team name", true))
        .add_sub_option(user("Who"))
}

fn grant(name: &str, description: &str) -> CreateCommandOption {
    sub(name, description)
        .add_sub_option(user("Who; they must have joined"))
        .add_sub_option(
            string("role", "Role", true)
                .add_string_choice("manager", "manager")
                .add_string_choice("expert", "expert")
                .add_string_choice("admin", "admin"),
        )
        .add_sub_option(string(
            "scope",
            "Managers: a team name; experts: a skill id; empty: everything",
            false,
        ))
}

/// Every command, in the order Discord lists them.
pub fn all() -> Vec<CreateCommand> {
    vec![
        command("join", "Opt in: receive daily practice questions as DMs"),
        command("practice", "Practise now").add_option(string(
            "skill",
            "A skill id; leave empty for the most useful",
            false,
        )),
        command("progress", "Your stage per skill, next reviews and streak"),
        command("why", "Why you are at your stage in a skill")
            .add_option(string("skill", "Skill id", true)),
        command("resources", "What to read or do next for a skill")
            .add_option(string("skill", "Skill id", true)),
        command("search", "Search the resources").add_option(string("text", "Words", true)),
        settings(),
        privacy(),
        command("help", "What Ladder can do"),
        command(
            "team",
            "Team summary: stage per skill, retention, who is at risk",
        )
        .add_option(string("team", "Team name, or `at-risk`", false)),
        command("digest", "Managers: the weekly digest of your teams, now").add_option(string(
            "team",
            "Team name; leave empty for all yours",
            false,
        )),
        command(
            "ask",
            "Ask a skill's experts a question; alone, your questions",
        )
        .add_option(string("skill", "Skill or item id", false))
        .add_option(string("question", "Your question", false).max_length(1000)),
        command("answer", "Experts and masters: learners' open questions")
            .add_option(id("id", "Question number to answer"))
            .add_option(string("text", "Your answer", false).max_length(1500)),
        command("review", "Free-text answers waiting for your grade")
            .add_option(id("id", "Answer number to grade"))
            .add_option(
                string("grade", "Your grade", false)
                    .add_string_choice("right", "right")
                    .add_string_choice("partial", "partial")
                    .add_string_choice("wrong", "wrong"),
            )
            .add_option(string("comment", "A word for the learner", false)),
        command("propose", "Propose a new question or a better explanation")
            .add_option(string("skill", "Skill or item id", true))
            .add_option(string("text", "Your proposal", true).max_length(1500)),
        command("proposals", "Experts: proposals waiting for a decision"),
        command("accept", "Experts: accept a proposal into pending content")
            .add_option(id("id", "Proposal number").required(true)),
        command("reject", "Experts: reject a proposal")
            .add_option(id("id", "Proposal number").required(true)),
        command("vote", "Vote on a proposal or an expert's answer")
            .add_option(id("id", "Proposal or answer number").required(true))
            .add_option(
                string("vote", "Up or down", true)
                    .add_string_choice("up", "up")
                    .add_string_choice("down", "down"),
            ),
        command("admin", "Admins: teams, members and staff roles")
            .add_option(sub("list", "Teams, their members and every grant"))
            .add_option(
                CreateCommandOption::new(CommandOptionType::SubCommandGroup, "team", "Teams")
                    .add_sub_option(sub("add", "Create a team").add_sub_option(string(
                        "name",
                        "Team name",
                        true,
                    )))
                    .add_sub_option(
                        sub("channel", "Where the team's leaderboard is posted")
                            .add_sub_option(string("name", "Team name", true))
                            .add_sub_option(
                                CreateCommandOption::new(
                                    CommandOptionType::Channel,
                                    "channel",
                                    "Channel",
                                )
                                .required(true),
                            ),
                    )
                    .add_sub_option(
                        sub("cron", "When the team's leaderboard is posted")
                            .add_sub_option(string("name", "Team name", true))
                            .add_sub_option(string("cron", "e.g. 0 9 * * MON", true)),
                    ),
            )
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::SubCommandGroup,
                    "member",
                    "Team members",
                )
                .add_sub_option(member("add", "Add someone who has joined to a team"))
                .add_sub_option(member("remove", "Remove someone from a team")),
            )
            .add_option(grant("grant", "Record a manager, expert or admin role"))
            .add_option(grant("revoke", "Remove a recorded role")),
        command(
            "leaderboard",
            "The cohort leaderboard: mastery gained and kept",
        )
        .add_option(
            string("view", "Which board", false)
                .add_string_choice("this week", "week")
                .add_string_choice("all time", "all")
                .add_string_choice("teams, this week", "teams")
                .add_string_choice("teams, all time", "all teams"),
        ),
    ]
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
