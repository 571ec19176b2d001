//! The catalogue: every chat command Ladder understands, in the order they are listed
//! (learners' first, then experts', managers', admins', and the terminal demo's own).
//!
//! Adding a command here (and its `Cmd` variant, which the app's dispatch must then
//! handle) is the whole change: Discord's registration, `/help`, Teams' lists, Slack's
//! usage hint and the terminal's parser follow. Pure data.

use super::build::{choice, command, id, text};
use super::subs::{ADMIN, GRADES, PAUSE_DAYS, PRIVACY, SETTINGS, SKILL, VIEWS, VOTES};
use super::{Cmd, CommandSpec, Reach, Role};

/// Every command, in the order they are listed.
pub static CATALOGUE: &[CommandSpec] = &[
    CommandSpec {
        open: true,
        reach: Reach::Typed,
        help: "what Ladder is, and your first question",
        ..command(Cmd::Start, "start", "Welcome, and your first question")
    },
    CommandSpec {
        open: true,
        args: &[text(
            "track",
            "TRACK",
            "A track id or title; leave empty to choose",
        )],
        help: "opt in to a track: nothing is sent to you before",
        example: "infosec",
        ..command(
            Cmd::Join,
            "join",
            "Opt in: receive daily practice questions as DMs",
        )
    },
    CommandSpec {
        args: &[text(
            "skill",
            "SKILL",
            "A skill id; leave empty for the most useful",
        )],
        help: "a question now (choosing a skill opens up as you rise)",
        example: "phishing",
        ..command(Cmd::Practice, "practice", "Practise now")
    },
    CommandSpec {
        help: "your stage per skill, reviews due, streak, retention",
        ..command(
            Cmd::Progress,
            "progress",
            "Your stage per skill, next reviews and streak",
        )
    },
    CommandSpec {
        args: &[SKILL],
        help: "why you are at your stage, and what the next one needs",
        example: "phishing",
        ..command(Cmd::Why, "why", "Why you are at your stage in a skill")
    },
    CommandSpec {
        args: &[SKILL],
        help: "reading and help that fit your stage",
        example: "phishing",
        ..command(
            Cmd::Resources,
            "resources",
            "What to read or do next for a skill",
        )
    },
    CommandSpec {
        args: &[text("text", "TEXT", "Words").req()],
        help: "search all resources",
        example: "password manager",
        ..command(Cmd::Search, "search", "Search the resources")
    },
    CommandSpec {
        subs: SETTINGS,
        bare: true,
        help: "time, timezone, days, daily cap, pause N days, resume; notices off (or \
               notices manager|expert|digest off); mention on|off",
        example: "time 08:30",
        ..command(
            Cmd::Settings,
            "settings",
            "When and how often Ladder asks you questions",
        )
    },
    CommandSpec {
        reach: Reach::Typed,
        args: &[PAUSE_DAYS],
        help: "the same as /settings pause N",
        example: "7",
        ..command(Cmd::Pause, "pause", "Pause daily questions for N days")
    },
    CommandSpec {
        reach: Reach::Typed,
        help: "the same as /settings resume",
        ..command(Cmd::Resume, "resume", "Resume daily questions")
    },
    CommandSpec {
        subs: PRIVACY,
        bare: true,
        open: true,
        help: "leaderboard opt-out, export or delete your data",
        example: "export",
        ..command(Cmd::Privacy, "privacy", "Your data and what others see")
    },
    CommandSpec {
        args: &[choice("view", VIEWS, "Which board")],
        public: true,
        help: "mastery gained and kept this week (or all time; teams' boards)",
        example: "all",
        ..command(
            Cmd::Leaderboard,
            "leaderboard",
            "The cohort leaderboard: mastery gained and kept",
        )
    },
    CommandSpec {
        open: true,
        help: "this list",
        ..command(Cmd::Help, "help", "What Ladder can do")
    },
    CommandSpec {
        args: &[
            text("skill", "SKILL", "Skill or item id"),
            text("question", "QUESTION", "Your question").max(1000),
        ],
        help: "a question for the skill's experts and masters; /ask alone lists yours",
        example: "phishing How do I report a link?",
        ..command(
            Cmd::Ask,
            "ask",
            "Ask a skill's experts a question; alone, your questions",
        )
    },
    CommandSpec {
        args: &[
            text("skill", "SKILL", "Skill or item id").req(),
            text("text", "TEXT", "Your proposal").req().max(1500),
        ],
        help: "experienced and up: a new question or a better explanation",
        example: "phishing Check the sender's domain before clicking.",
        ..command(
            Cmd::Propose,
            "propose",
            "Propose a new question or a better explanation",
        )
    },
    CommandSpec {
        args: &[
            id("id", "Proposal or answer number").req(),
            choice("vote", VOTES, "Up or down").req(),
        ],
        help: "on a proposal or an expert's answer",
        example: "1 up",
        ..command(
            Cmd::Vote,
            "vote",
            "Vote on a proposal or an expert's answer",
        )
    },
    CommandSpec {
        args: &[
            id("id", "Answer number to grade"),
            choice("grade", GRADES, "Your grade"),
            text("comment", "COMMENT", "A word for the learner"),
        ],
        help: "experts, and peers at experienced or master: grade free-text answers",
        example: "1 right Well put.",
        ..command(
            Cmd::Review,
            "review",
            "Free-text answers waiting for your grade",
        )
    },
    CommandSpec {
        args: &[
            id("id", "Question number to answer"),
            text("text", "TEXT", "Your answer").max(1500),
        ],
        help: "experts and masters: learners' open questions; with an ID, your answer",
        example: "1 Report it with the button in your mail client.",
        ..command(
            Cmd::Answer,
            "answer",
            "Experts and masters: learners' open questions",
        )
    },
    CommandSpec {
        role: Role::Expert,
        help: "proposals waiting for your decision",
        ..command(
            Cmd::Proposals,
            "proposals",
            "Experts: proposals waiting for a decision",
        )
    },
    CommandSpec {
        role: Role::Expert,
        args: &[id("id", "Proposal number").req()],
        help: "accept a proposal into pending content",
        example: "1",
        ..command(
            Cmd::Accept,
            "accept",
            "Experts: accept a proposal into pending content",
        )
    },
    CommandSpec {
        role: Role::Expert,
        args: &[id("id", "Proposal number").req()],
        help: "reject a proposal",
        example: "1",
        ..command(Cmd::Reject, "reject", "Experts: reject a proposal")
    },
    CommandSpec {
        role: Role::Manager,
        args: &[text("team", "TEAM", "Team name, or `at-risk`")],
        help: "a team's summary with a picture; /team at-risk for who needs help",
        example: "at-risk",
        ..command(
            Cmd::Team,
            "team",
            "Team summary: stage per skill, retention, who is at risk",
        )
    },
    CommandSpec {
        role: Role::Manager,
        args: &[text("team", "TEAM", "Team name; leave empty for all yours")],
        help: "the weekly digest of your teams, now",
        ..command(
            Cmd::Digest,
            "digest",
            "Managers: the weekly digest of your teams, now",
        )
    },
    CommandSpec {
        role: Role::Admin,
        subs: ADMIN,
        help: "teams, channels, leaderboard cron, members and staff roles",
        example: "list",
        ..command(
            Cmd::Admin,
            "admin",
            "Admins: teams, members and staff roles",
        )
    },
    CommandSpec {
        reach: Reach::Demo,
        open: true,
        args: &[text("span", "SPAN", "How far: 6h, 1d or 1w (4w at most)")],
        help: "demo only: move time forward (6h, 1d, 1w) and get what is due",
        example: "1d",
        ..command(Cmd::Skip, "skip", "Move the demo's clock forward")
    },
    CommandSpec {
        reach: Reach::Demo,
        open: true,
        aliases: &["exit", "q"],
        help: "leave the demo",
        ..command(Cmd::Quit, "quit", "Leave the demo")
    },
];
