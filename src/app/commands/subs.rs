//! The catalogue's subcommand tables (`/settings`, `/privacy`, `/admin`) and the choices
//! and arguments several commands share. Pure data.

use super::build::{arg, boolean, choice, group, pick, sub, text};
use super::{ArgKind, ArgSpec, Complete, Pick, SubSpec};

pub(super) const SKILL: ArgSpec = text("skill", "SKILL", "Skill id").req();

pub(super) const NOTICES: &[Pick] = &[
    pick("all", "all"),
    Pick {
        value: "manager",
        label: "about my team (managers)",
        aliases: &["managers", "team"],
    },
    Pick {
        value: "expert",
        label: "about my skills (experts)",
        aliases: &["experts", "skill"],
    },
    Pick {
        value: "digest",
        label: "weekly digests",
        aliases: &["digests"],
    },
];

pub(super) const VIEWS: &[Pick] = &[
    pick("week", "this week"),
    pick("all", "all time"),
    pick("teams", "teams, this week"),
    pick("all teams", "teams, all time"),
];

pub(super) const GRADES: &[Pick] = &[
    pick("right", "right"),
    pick("partial", "partial"),
    pick("wrong", "wrong"),
];

pub(super) const VOTES: &[Pick] = &[pick("up", "up"), pick("down", "down")];

pub(super) const ROLES: &[Pick] = &[
    pick("manager", "manager"),
    pick("expert", "expert"),
    pick("admin", "admin"),
];

pub(super) const PAUSE_DAYS: ArgSpec = arg(
    "days",
    ArgKind::Integer {
        min: 1,
        max: Some(90),
    },
    "N",
    "How many days",
);

pub(super) const SETTINGS: &[SubSpec] = &[
    SubSpec {
        alone: true,
        ..sub("show", "Show your current settings", &[])
    },
    sub(
        "time",
        "Time of day for your daily questions",
        &[text("value", "HH:MM", "Local time, e.g. 08:30, or default")
            .req()
            .or_default()
            .max(7)],
    ),
    SubSpec {
        aliases: &["tz"],
        ..sub(
            "timezone",
            "Your timezone",
            &[text("value", "ZONE", "IANA name, e.g. Europe/Paris")
                .req()
                .or_default()
                .complete(Complete::Timezone)],
        )
    },
    sub(
        "days",
        "Which days you practise",
        &[text("value", "DAYS", "e.g. mon-fri or mon,wed,fri")
            .req()
            .or_default()],
    ),
    sub(
        "cap",
        "Most questions per day",
        &[arg(
            "value",
            ArgKind::Integer {
                min: 1,
                max: Some(5),
            },
            "N",
            "1 to 5",
        )
        .req()
        .or_default()],
    ),
    sub("pause", "Pause daily questions", &[PAUSE_DAYS]),
    sub("resume", "Resume daily questions", &[]),
    SubSpec {
        aliases: &["notifications"],
        ..sub(
            "notices",
            "Turn notices to managers, experts or digests on or off",
            &[
                choice("kind", NOTICES, "Which notices"),
                boolean("on", "Receive them").req(),
            ],
        )
    },
    sub(
        "mention",
        "Be mentioned when your question waits in a channel (DMs closed)",
        &[boolean("value", "on or off").req()],
    ),
];

pub(super) const PRIVACY: &[SubSpec] = &[
    sub(
        "leaderboard",
        "Appear on the cohort leaderboard or not",
        &[boolean("visible", "Show me").req()],
    ),
    sub("export", "Download everything Ladder stores about you", &[]),
    sub("delete", "Delete everything Ladder stores about you", &[]),
];

pub(super) const MEMBER: &[ArgSpec] = &[
    text("team", "TEAM", "Team name").req().spaced(),
    arg("user", ArgKind::User, "USER", "Who").req(),
];

pub(super) const GRANT: &[ArgSpec] = &[
    arg("user", ArgKind::User, "USER", "Who; they must have joined").req(),
    choice("role", ROLES, "Role").req(),
    text(
        "scope",
        "TEAM|SKILL",
        "Managers: a team name; experts: a skill id; empty: everything",
    ),
];

pub(super) const ADMIN: &[SubSpec] = &[
    sub("list", "Teams, their members and every grant", &[]),
    group(
        "team",
        "Teams",
        &[
            sub(
                "add",
                "Create a team",
                &[text("name", "NAME", "Team name").req()],
            ),
            sub(
                "channel",
                "Where the team's leaderboard is posted",
                &[
                    text("name", "NAME", "Team name").req().spaced(),
                    arg("channel", ArgKind::Channel, "CHANNEL_ID", "Channel").req(),
                ],
            ),
            // The handler finds the cron as the last five or six words that parse, so a
            // team name with spaces works although only its first word is typed here.
            sub(
                "cron",
                "When the team's leaderboard is posted",
                &[
                    text("name", "NAME", "Team name").req(),
                    text("cron", "CRON", "e.g. 0 9 * * MON").req(),
                ],
            ),
        ],
    ),
    group(
        "member",
        "Team members",
        &[
            sub("add", "Add someone who has joined to a team", MEMBER),
            sub("remove", "Remove someone from a team", MEMBER),
        ],
    ),
    sub("grant", "Record a manager, expert or admin role", GRANT),
    sub("revoke", "Remove a recorded role", GRANT),
];
