//! Short constructors for the catalogue's entries, so that each entry reads as what it
//! says (`text("skill", "SKILL", "Skill id").req()`) and stays a compile-time constant.

use super::{ArgKind, ArgSpec, Cmd, CommandSpec, Complete, Pick, Reach, Role, SubSpec};

pub(super) const fn arg(
    name: &'static str,
    kind: ArgKind,
    token: &'static str,
    hint: &'static str,
) -> ArgSpec {
    ArgSpec {
        name,
        kind,
        required: false,
        hint,
        token,
        spaces: false,
        default_word: false,
        max_len: None,
        complete: None,
    }
}

pub(super) const fn text(name: &'static str, token: &'static str, hint: &'static str) -> ArgSpec {
    arg(name, ArgKind::Text, token, hint)
}

/// A record number (`#` in front is accepted when typed).
pub(super) const fn id(name: &'static str, hint: &'static str) -> ArgSpec {
    arg(name, ArgKind::Integer { min: 1, max: None }, "ID", hint)
}

pub(super) const fn boolean(name: &'static str, hint: &'static str) -> ArgSpec {
    arg(name, ArgKind::Boolean, "on|off", hint)
}

pub(super) const fn choice(
    name: &'static str,
    picks: &'static [Pick],
    hint: &'static str,
) -> ArgSpec {
    arg(name, ArgKind::Choice(picks), "", hint)
}

impl ArgSpec {
    pub(super) const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    pub(super) const fn spaced(mut self) -> Self {
        self.spaces = true;
        self
    }
    pub(super) const fn or_default(mut self) -> Self {
        self.default_word = true;
        self
    }
    pub(super) const fn max(mut self, len: u16) -> Self {
        self.max_len = Some(len);
        self
    }
    pub(super) const fn complete(mut self, c: Complete) -> Self {
        self.complete = Some(c);
        self
    }
}

pub(super) const fn pick(value: &'static str, label: &'static str) -> Pick {
    Pick {
        value,
        label,
        aliases: &[],
    }
}

pub(super) const fn sub(
    name: &'static str,
    description: &'static str,
    args: &'static [ArgSpec],
) -> SubSpec {
    SubSpec {
        name,
        aliases: &[],
        description,
        args,
        subs: &[],
        alone: false,
    }
}

pub(super) const fn group(
    name: &'static str,
    description: &'static str,
    subs: &'static [SubSpec],
) -> SubSpec {
    SubSpec {
        name,
        aliases: &[],
        description,
        args: &[],
        subs,
        alone: false,
    }
}

/// A command with the common defaults (a learner's, registered everywhere, private).
pub(super) const fn command(
    cmd: Cmd,
    name: &'static str,
    description: &'static str,
) -> CommandSpec {
    CommandSpec {
        cmd,
        name,
        aliases: &[],
        description,
        help: "",
        args: &[],
        subs: &[],
        bare: false,
        role: Role::Learner,
        public: false,
        open: false,
        reach: Reach::Everywhere,
        example: "",
    }
}
