//! Discord interactions → [`Inbound`] events (or the few answers the adapter gives itself:
//! opening a modal, timezone autocomplete).
//!
//! Pure: reads serenity's model types, performs no I/O. A slash command becomes
//! `Command { name, args }` where `args` is what a person would type after the command in
//! the terminal (`/settings time 08:30`), so the app parses one syntax for every platform.

use serenity::all::{
    ActionRowComponent, AutocompleteChoice, CommandDataOption, CommandDataOptionValue,
    CommandInteraction, ComponentInteraction, ComponentInteractionDataKind, CreateActionRow,
    CreateAutocompleteResponse, CreateInputText, CreateModal, InputTextStyle, Interaction, Member,
    ModalInteraction, User,
};

use super::ids::ComponentId;
use super::render::limits;
use crate::platform::text::truncate;
use crate::platform::{Actor, Inbound, InboundKind, Platform};

/// What the adapter makes of one interaction.
#[derive(Debug)]
pub enum Parsed {
    /// Something for the app; `private` says whether the deferred answer is ephemeral.
    Inbound { inbound: Inbound, private: bool },
    /// A click on an "answer in text" button: open the modal right away (it cannot follow a
    /// deferral, and needs no database).
    OpenModal(CreateModal),
    /// Suggestions while the user types an option.
    Autocomplete(CreateAutocompleteResponse),
    /// Nothing to do (pings, ids this adapter never rendered), with the reason for the log.
    Ignore(&'static str),
}

/// Parses an interaction. One in a direct message carries no guild id: its actor's tenant
/// is left empty for the app to settle (see `Actor::tenant`).
pub fn parse(interaction: &Interaction) -> Parsed {
    match interaction {
        Interaction::Command(cmd) => {
            let name = cmd.data.name.clone();
            // `settings show` (Discord cannot invoke a command that has subcommands
            // without one) is read by the app's catalogue as the bare `/settings`.
            let args = flatten(&cmd.data.options);
            // The catalogue says whose answer is meant for the whole channel.
            let private = !crate::app::commands::is_public(&name);
            Parsed::Inbound {
                inbound: Inbound {
                    actor: command_actor(cmd),
                    event_id: cmd.id.to_string(),
                    kind: InboundKind::Command { name, args },
                },
                private,
            }
        }
        Interaction::Autocomplete(cmd) => Parsed::Autocomplete(autocomplete(cmd)),
        Interaction::Component(c) => parse_component(c),
        Interaction::Modal(m) => parse_modal(m),
        Interaction::Ping(_) => Parsed::Ignore("ping"),
        _ => Parsed::Ignore("unknown interaction type"),
    }
}

/// Options as typed text: subcommand names, then values, space-separated; booleans read
/// `on`/`off`.
fn flatten(options: &[CommandDataOption]) -> String {
    let mut parts = Vec::new();
    for option in options {
        match &option.value {
            CommandDataOptionValue::SubCommand(inner)
            | CommandDataOptionValue::SubCommandGroup(inner) => {
                parts.push(option.name.clone());
                parts.push(flatten(inner));
            }
            CommandDataOptionValue::String(s) => parts.push(s.trim().to_owned()),
            CommandDataOptionValue::Integer(i) => parts.push(i.to_string()),
            CommandDataOptionValue::Number(n) => parts.push(n.to_string()),
            CommandDataOptionValue::Boolean(b) => parts.push(if *b { "on" } else { "off" }.into()),
            CommandDataOptionValue::User(u) => parts.push(u.to_string()),
            CommandDataOptionValue::Role(r) => parts.push(r.to_string()),
            CommandDataOptionValue::Channel(c) => parts.push(c.to_string()),
            CommandDataOptionValue::Autocomplete { value, .. } => parts.push(value.clone()),
            _ => {}
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

fn parse_component(c: &ComponentInteraction) -> Parsed {
    let Some(id) = ComponentId::decode(&c.data.custom_id) else {
        return Parsed::Ignore("component id not rendered by this adapter");
    };
    let actions = match (id, &c.data.kind) {
        (ComponentId::Action(action), _) => vec![action],
        (ComponentId::Select, ComponentInteractionDataKind::StringSelect { values }) => {
            values.clone()
        }
        (ComponentId::AskText { action, long }, _) => {
            return Parsed::OpenModal(modal(c, &action, long));
        }
        _ => return Parsed::Ignore("component kind does not match its id"),
    };
    let actor = actor(
        &c.user,
        c.member.as_ref(),
        c.guild_id.map(|g| g.to_string()),
    );
    Parsed::Inbound {
        inbound: Inbound {
            actor,
            event_id: c.id.to_string(),
            kind: InboundKind::Action { actions },
        },
        private: c.guild_id.is_some(),
    }
}

/// The modal for an "answer in text" button, titled with the button's own label (the
/// clicked message carries it, so nothing needs to be remembered between the two steps).
fn modal(c: &ComponentInteraction, action: &str, long: bool) -> CreateModal {
    let label = c
        .message
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|comp| match comp {
            ActionRowComponent::Button(b) if button_id(b) == Some(&c.data.custom_id) => {
                b.label.clone()
            }
            _ => None,
        })
        .unwrap_or_else(|| "Your answer".to_owned());
    let style = if long {
        InputTextStyle::Paragraph
    } else {
        InputTextStyle::Short
    };
    let input = CreateInputText::new(style, truncate(&label, limits::INPUT_LABEL), "text")
        .max_length(if long { 4000 } else { 400 });
    let id = ComponentId::Modal(action.to_owned())
        .encode()
        .unwrap_or_default();
    CreateModal::new(id, truncate(&label, limits::MODAL_TITLE))
        .components(vec![CreateActionRow::InputText(input)])
}

fn button_id(b: &serenity::all::Button) -> Option<&String> {
    match &b.data {
        serenity::all::ButtonKind::NonLink { custom_id, .. } => Some(custom_id),
        _ => None,
    }
}

fn parse_modal(m: &ModalInteraction) -> Parsed {
    let Some(ComponentId::Modal(action)) = ComponentId::decode(&m.data.custom_id) else {
        return Parsed::Ignore("modal id not rendered by this adapter");
    };
    let text = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|comp| match comp {
            ActionRowComponent::InputText(input) => input.value.clone(),
            _ => None,
        })
        .unwrap_or_default();
    let actor = actor(
        &m.user,
        m.member.as_ref(),
        m.guild_id.map(|g| g.to_string()),
    );
    Parsed::Inbound {
        inbound: Inbound {
            actor,
            event_id: m.id.to_string(),
            kind: InboundKind::Text {
                action: Some(action),
                text,
            },
        },
        private: m.guild_id.is_some(),
    }
}

fn command_actor(cmd: &CommandInteraction) -> Actor {
    actor(
        &cmd.user,
        cmd.member.as_deref(),
        cmd.guild_id.map(|g| g.to_string()),
    )
}

fn actor(user: &User, member: Option<&Member>, guild: Option<String>) -> Actor {
    let display_name = member
        .and_then(|m| m.nick.clone())
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone());
    Actor {
        platform: Platform::Discord,
        tenant: guild.unwrap_or_default(),
        user: user.id.to_string(),
        display_name,
        platform_roles: member
            .map(|m| m.roles.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default(),
    }
}

/// Timezone suggestions: IANA names containing what was typed, 25 at most.
fn autocomplete(cmd: &CommandInteraction) -> CreateAutocompleteResponse {
    let typed = cmd
        .data
        .autocomplete()
        .map(|o| o.value.to_lowercase())
        .unwrap_or_default();
    let choices = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.to_lowercase().contains(&typed))
        .take(25)
        .map(|name| AutocompleteChoice::new(name, name))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

#[cfg(test)]
mod tests;
