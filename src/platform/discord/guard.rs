//! Checks the adapter makes against Discord itself before the app acts on a command:
//! facts only Discord knows, such as which server a channel belongs to.
//!
//! A channel option names a channel by id. Discord's client offers only the server's own
//! channels, but the id is just a number in the payload, and the app cannot tell one
//! server's channels from another's. So every channel option is looked up (one
//! `GET /channels/{id}`, only on the rare commands that take a channel) and refused unless
//! it belongs to the server the command came from and the bot can see it (a channel the
//! bot cannot read is one it could not post a leaderboard to either).

use serenity::all::{
    Channel, ChannelId, CommandDataOption, CommandDataOptionValue, Http, Interaction,
};

use crate::platform::Reply;

/// A refusal to show instead of running the command, when one of its channel options
/// names a channel outside the command's server (or one the bot cannot see).
#[tracing::instrument(skip_all)]
pub async fn channel_refusal(http: &Http, interaction: &Interaction) -> Option<Reply> {
    let Interaction::Command(cmd) = interaction else {
        return None;
    };
    let channels = channel_options(&cmd.data.options);
    if channels.is_empty() {
        return None;
    }
    let Some(guild) = cmd.guild_id else {
        return Some(Reply::text(
            "A team's channel is set from inside its server: run this command there.",
        ));
    };
    for id in channels {
        match http.get_channel(id).await {
            Ok(Channel::Guild(c)) if c.guild_id == guild => {}
            Ok(_) => {
                return Some(Reply::text(
                    "That channel is not in this server. Pick one of this server's channels.",
                ))
            }
            Err(e) => {
                tracing::info!(error = %e, "a channel option could not be looked up");
                return Some(Reply::text(
                    "I cannot see that channel. Pick one of this server's channels that \
                     Ladder can read and post in.",
                ));
            }
        }
    }
    None
}

/// Every channel option, at any depth of subcommands.
fn channel_options(options: &[CommandDataOption]) -> Vec<ChannelId> {
    let mut out = Vec::new();
    for option in options {
        match &option.value {
            CommandDataOptionValue::SubCommand(inner)
            | CommandDataOptionValue::SubCommandGroup(inner) => out.extend(channel_options(inner)),
            CommandDataOptionValue::Channel(c) => out.push(*c),
            _ => {}
        }
    }
    out
}
