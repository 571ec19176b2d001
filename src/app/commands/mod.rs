//! The chat command surface, defined once: every command's name, description, arguments,
//! subcommands, the role it is meant for and whether its answer is public.
//!
//! [`catalog::CATALOGUE`] is the one list. Everything a platform shows or accepts is
//! derived from it: the app's dispatch (through [`parse()`]), Discord's slash-command
//! registration, the `/help` text ([`help`]), Teams' command lists, Slack's manifest and
//! usage hint, and the terminal's parser of typed `/commands`. Pure data and pure
//! functions: no I/O, no platform library; depends only on the platform-neutral reply types
//! (for the help text).

mod build;
pub mod catalog;
pub mod help;
mod parse;
mod subs;

pub use catalog::CATALOGUE;
pub use parse::{parse, suggest, ParsedCommand, UsageError, Value};

/// Who a command is meant for. The use case still checks the role itself (a platform role
/// and a recorded grant); this says where the command is listed and to whom it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Learner,
    Manager,
    Expert,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Manager => "manager",
            Role::Expert => "expert",
            Role::Admin => "admin",
        }
    }
}

/// Where a command is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Registered on every platform: a Discord slash command, in Teams' lists and Slack's
    /// usage hint, and in `/help`.
    Everywhere,
    /// Understood when typed anywhere and listed in `/help`, but not registered as a slash
    /// command of its own (a greeting, or a shortcut for a subcommand).
    Typed,
    /// The terminal demo only (moving its virtual clock, leaving it).
    Demo,
}

/// Every command, as a type: the app's dispatch matches on it, so a catalogue entry
/// without a use case does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Start,
    Help,
    Join,
    Practice,
    Progress,
    Why,
    Resources,
    Search,
    Settings,
    Pause,
    Resume,
    Privacy,
    Leaderboard,
    Ask,
    Propose,
    Vote,
    Review,
    Answer,
    Proposals,
    Accept,
    Reject,
    Team,
    Digest,
    Admin,
    Skip,
    Quit,
}

/// One command.
#[derive(Debug, PartialEq)]
pub struct CommandSpec {
    pub cmd: Cmd,
    /// What is typed after `/` (lower case ASCII, at most 32 characters).
    pub name: &'static str,
    /// Other names it answers to when typed.
    pub aliases: &'static [&'static str],
    /// One line (at most 100 characters: Discord's limit).
    pub description: &'static str,
    /// The `/help` row; empty means the description.
    pub help: &'static str,
    /// Arguments, in the order they are typed (commands without subcommands).
    pub args: &'static [ArgSpec],
    /// Subcommands (and groups of them), in the order they are listed.
    pub subs: &'static [SubSpec],
    /// With subcommands: whether it may be used with none (it then shows the current
    /// state, like `/settings`).
    pub bare: bool,
    pub role: Role,
    /// Its answer is shown to the whole channel (Discord's deferral is not ephemeral).
    pub public: bool,
    /// Usable before joining (it keeps no data about the person).
    pub open: bool,
    pub reach: Reach,
    /// A typical use, as typed after the name (`phishing` for `/why phishing`).
    pub example: &'static str,
}

/// A subcommand, or a group of them (`/admin team add`).
#[derive(Debug, PartialEq)]
pub struct SubSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub description: &'static str,
    pub args: &'static [ArgSpec],
    /// Non-empty for a group.
    pub subs: &'static [SubSpec],
    /// The same as the command alone (`/settings show`): Discord needs a subcommand to
    /// invoke a command that has some.
    pub alone: bool,
}

/// One argument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgKind,
    pub required: bool,
    /// What to type, shown while typing (Discord's option description).
    pub hint: &'static str,
    /// Its placeholder in a usage line (`SKILL`); choices and booleans show their values.
    pub token: &'static str,
    /// Text that may span several words even when another argument follows (team names).
    pub spaces: bool,
    /// `default` is accepted instead of a value (back to the team's schedule).
    pub default_word: bool,
    /// Longest text accepted by Discord's option (200 unless said).
    pub max_len: Option<u16>,
    /// Suggestions offered while typing.
    pub complete: Option<Complete>,
}

/// What an argument holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArgKind {
    Text,
    Integer {
        min: i64,
        max: Option<i64>,
    },
    Choice(&'static [Pick]),
    Boolean,
    /// A person (a Discord user option; typed as an id or a mention).
    User,
    /// A channel (a Discord channel option; typed as an id).
    Channel,
}

/// One value of a choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    pub value: &'static str,
    pub label: &'static str,
    /// Other words accepted for it when typed.
    pub aliases: &'static [&'static str],
}

/// Suggestions a platform offers while an argument is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complete {
    /// IANA timezone names.
    Timezone,
}

impl ArgSpec {
    /// The argument's placeholder in a usage line, bracketed when optional.
    pub fn usage(&self) -> String {
        let mut token = match self.kind {
            ArgKind::Choice(picks) => picks.iter().map(|p| p.value).collect::<Vec<_>>().join("|"),
            ArgKind::Boolean => "on|off".to_owned(),
            _ => self.token.to_owned(),
        };
        if self.default_word {
            token.push_str("|default");
        }
        if self.required {
            token
        } else {
            format!("[{token}]")
        }
    }
}

fn args_usage(args: &[ArgSpec]) -> String {
    args.iter()
        .map(|a| format!(" {}", a.usage()))
        .collect::<String>()
}

impl SubSpec {
    /// Every way to use it, relative to its parent: `add NAME`, `channel NAME CHANNEL`.
    pub fn forms(&self) -> Vec<String> {
        if self.subs.is_empty() {
            return vec![format!("{}{}", self.name, args_usage(self.args))];
        }
        self.subs
            .iter()
            .flat_map(SubSpec::forms)
            .map(|f| format!("{} {f}", self.name))
            .collect()
    }

    pub fn find(&self, word: &str) -> Option<&'static SubSpec> {
        find_sub(self.subs, word)
    }
}

fn find_sub(subs: &'static [SubSpec], word: &str) -> Option<&'static SubSpec> {
    let word = word.to_lowercase();
    subs.iter()
        .find(|s| s.name == word || s.aliases.contains(&word.as_str()))
}

impl CommandSpec {
    /// The usage line: `/why SKILL`, `/admin list | team add NAME | …`.
    pub fn usage(&self) -> String {
        if self.subs.is_empty() {
            return format!("/{}{}", self.name, args_usage(self.args));
        }
        let forms: Vec<String> = self.subs.iter().flat_map(SubSpec::forms).collect();
        format!("/{} {}", self.name, forms.join(" | "))
    }

    /// The short form shown in `/help`: arguments spelled out, subcommands not.
    pub fn synopsis(&self) -> String {
        if self.subs.is_empty() {
            self.usage()
        } else {
            format!("/{}", self.name)
        }
    }

    /// The subcommand (or group) named `word`, by name or alias.
    pub fn find_sub(&self, word: &str) -> Option<&'static SubSpec> {
        find_sub(self.subs, word)
    }

    /// The `/help` row text.
    pub fn help_text(&self) -> &'static str {
        if self.help.is_empty() {
            self.description
        } else {
            self.help
        }
    }
}

/// The command named `name` (case-insensitive, a leading `/` allowed), by name or alias.
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    let name = name.trim().trim_start_matches('/').to_lowercase();
    CATALOGUE
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name.as_str()))
}

/// The entry of one command.
pub fn spec(cmd: Cmd) -> &'static CommandSpec {
    CATALOGUE
        .iter()
        .find(|c| c.cmd == cmd)
        .expect("every command has a catalogue entry (a unit test checks)")
}

/// Whether the answer to `name` is shown to the whole channel.
pub fn is_public(name: &str) -> bool {
    find(name).is_some_and(|c| c.public)
}

/// Commands registered on every platform, in catalogue order.
pub fn registered() -> impl Iterator<Item = &'static CommandSpec> {
    CATALOGUE.iter().filter(|c| c.reach == Reach::Everywhere)
}

/// Whether a typed word names a command that chat platforms understand (the terminal's
/// own `/skip` and `/quit` excluded: elsewhere they are ordinary words).
pub fn is_chat_command(name: &str) -> bool {
    find(name).is_some_and(|c| c.reach != Reach::Demo)
}
