//! Opt-in enrolment and the help text (derived from the command catalogue). Nobody gets a question before they choose to join
//! a track, by command or button (Discord's policy: DMs only to users who opted in).
//!
//! Depends on the records interface and the content library.

use ladder_engine::{Library, TrackId};

use super::action::Action;
use super::commands::{self, Role};
use super::records::{Learner, LearnerKey, Preferences};
use super::{echo, plan, App, AppResult};
use crate::platform::{text, Actor, Block, Choice, Reply};
use crate::store::RoleKind;

impl App {
    /// Enrols the actor in `tracks` (creating the learner on first join) and returns the
    /// learner. Used by `join` and by the playground's setup.
    pub async fn enrol(&self, actor: &Actor, tracks: &[TrackId]) -> AppResult<Learner> {
        let key = LearnerKey::of(actor);
        let mut learner = match self.records.learner(&key).await? {
            Some(l) => l,
            None => Learner {
                key,
                display_name: actor.display_name.clone(),
                tenant: actor.tenant.clone(),
                tracks: Vec::new(),
                prefs: Preferences::default(),
                joined_at: self.clock.now(),
            },
        };
        for t in tracks {
            if !learner.tracks.contains(t) {
                learner.tracks.push(t.clone());
            }
        }
        self.records.save_learner(&learner).await?;
        Ok(learner)
    }
}

/// `start`: what Ladder is, then the first question (or the tracks to join).
pub async fn start(app: &App, actor: &Actor) -> AppResult<Vec<Reply>> {
    let mut replies = vec![welcome(&app.library, actor)];
    match app.learner(actor).await? {
        Some(l) if !l.tracks.is_empty() => {
            replies.push(help(app, actor).await?);
            match app.open_day(actor).await? {
                Some(today) => {
                    replies.push(Reply::text("Here is today's first question."));
                    replies.push(today.reply);
                }
                None => {
                    replies.push(Reply::text("Let's start with a question."));
                    replies.extend(plan::practice_now(app, actor, None).await?);
                }
            }
        }
        _ => replies.push(join_offer(&app.library)),
    }
    Ok(replies)
}

fn welcome(library: &Library, actor: &Actor) -> Reply {
    let tracks: Vec<String> = library
        .tracks
        .iter()
        .map(|t| format!("- **{}**: {}", t.title, t.description.trim()))
        .collect();
    Reply::private(vec![
        Block::Heading(format!("Welcome to Ladder, {}", text::name(&actor.display_name))),
        Block::Text(
            "Ladder asks you a few short questions each working day, spaced out so that what you learn sticks. \
             Each skill has a four-rung ladder: **novice → competent → experienced → master**. \
             You move up when the evidence says so (right answers, remembered over days, given fluently), \
             and down if a skill fades. As you rise, the questions move from recall to applying and judging, \
             and you get more control over what you practise."
                .into(),
        ),
        Block::Text(format!("Tracks here:\n{}", tracks.join("\n"))),
    ])
}

fn join_offer(library: &Library) -> Reply {
    let choices = library
        .tracks
        .iter()
        .map(|t| Choice {
            label: format!("Join {}", t.title),
            action: Action::Join {
                track: t.id.clone(),
            }
            .encode(),
        })
        .collect();
    Reply::private(vec![
        Block::Text("Nothing is sent to you until you join. Pick a track:".into()),
        Block::Choices {
            choices,
            multi: false,
            placeholder: "Join a track".into(),
        },
    ])
}

/// `join TRACK` (or the join button).
pub async fn join(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let wanted = args.trim();
    let track = app
        .library
        .tracks
        .iter()
        .find(|t| t.id.as_str() == wanted || t.title.eq_ignore_ascii_case(wanted));
    let Some(track) = track else {
        let mut replies = Vec::new();
        if !wanted.is_empty() {
            replies.push(Reply::text(format!(
                "There is no track called \"{}\".",
                echo(wanted)
            )));
        }
        replies.push(join_offer(&app.library));
        return Ok(replies);
    };
    let learner = app.enrol(actor, std::slice::from_ref(&track.id)).await?;
    let when = match (
        &learner.prefs.time,
        &learner.prefs.days,
        &learner.prefs.timezone,
    ) {
        (None, None, None) => app.policy.describe(app.clock.now()),
        _ => "the time you chose".to_owned(),
    };
    let mut replies = vec![Reply::text(format!(
        "You joined **{}**. Your daily questions arrive at {when}: change that with /settings.",
        track.title
    ))];
    replies.extend(plan::practice_now(app, actor, None).await?);
    Ok(replies)
}

/// The reply to anything but `start`/`join`/`help` from someone who has not joined.
pub async fn not_joined(app: &App, _actor: &Actor) -> AppResult<Vec<Reply>> {
    Ok(vec![
        Reply::text("You have not joined Ladder yet, so I keep no data about you."),
        join_offer(&app.library),
    ])
}

/// The command list for this person: the staff roles they hold (platform role and
/// recorded grant) decide which staff sections are shown in full.
pub async fn help(app: &App, actor: &Actor) -> AppResult<Reply> {
    let roles: Vec<Role> = app
        .staff_roles(actor)
        .await?
        .into_iter()
        .filter_map(|k| match k {
            RoleKind::Learner => None,
            RoleKind::Manager => Some(Role::Manager),
            RoleKind::Expert => Some(Role::Expert),
            RoleKind::Admin => Some(Role::Admin),
        })
        .collect();
    Ok(commands::help::reply(&roles, actor.platform))
}

/// An unknown command: say so, kindly, suggest the likely one, and list the real ones.
pub async fn unknown(app: &App, actor: &Actor, name: &str) -> AppResult<Reply> {
    let mut reply = help(app, actor).await?;
    let hint = commands::suggest(name)
        .map(|s| format!(" Did you mean /{s}?"))
        .unwrap_or_default();
    reply.blocks.insert(
        0,
        Block::Text(format!(
            "I don't know the command \"{}\".{hint} Here is what I understand:",
            echo(name)
        )),
    );
    Ok(reply)
}
