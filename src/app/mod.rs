//! The use cases of Ladder: what happens when someone answers, practises, asks for their
//! progress, changes settings or manages their data, plus planning the daily push.
//!
//! [`App::handle`] is the one entry point every adapter calls: it takes a
//! platform-neutral [`Inbound`] and returns the [`Reply`]s to show. Each use case lives in
//! its own file; this one only dispatches, by the command catalogue ([`commands`]) that
//! every platform's command surface is derived from. Depends on the engine, the [`records::Records`]
//! interface, the clock and the platform types; never on a concrete platform or database.

pub mod action;
pub mod admin;
mod answer;
pub mod closed_dms;
pub mod commands;
pub mod expert;
mod feedback;
pub mod learning;
pub mod manage;
mod onboarding;
mod pick;
mod plan;
pub mod policy;
mod privacy;
mod progress;
pub mod prompt;
pub mod records;
pub mod replays;
mod resolve;
mod resources;
mod settings;
mod why;

use ladder_engine::Library;
use std::sync::Arc;

use crate::clock::Clock;
use crate::platform::{text, Actor, Inbound, InboundKind, Reply};
use action::{Action, ActionError};
use commands::{Cmd, ParsedCommand, UsageError};
use records::{Learner, LearnerKey, Records, RecordsError};

pub use plan::Planned;

/// Why a use case could not finish. Users see a friendly sentence, logs the detail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Records(#[from] RecordsError),
}

pub type AppResult<T> = Result<T, AppError>;

/// What the user reads when a use case failed: every store write either committed or
/// returned its error, so a failure means the request was not saved and may be repeated.
pub fn failure_reply() -> Reply {
    Reply::text(
        "Sorry, that was not saved: something went wrong on my side. Please try again in a \
         moment.",
    )
}

/// The use cases, wired to their dependencies.
pub struct App {
    records: Arc<dyn Records>,
    library: Arc<Library>,
    schedulers: learning::Schedulers,
    clock: Arc<dyn Clock>,
    /// The tenant's `[schedules]`: push time, caps, expiry.
    policy: policy::DailyPolicy,
    /// Managers' and experts' wiring, set once by [`App::set_staffing`].
    staffing: std::sync::OnceLock<manage::Staffing>,
    replays: replays::Replays,
}

impl App {
    pub fn new(records: Arc<dyn Records>, library: Arc<Library>, clock: Arc<dyn Clock>) -> Self {
        App {
            schedulers: learning::Schedulers::for_library(&library),
            records,
            library,
            clock,
            policy: policy::DailyPolicy::default(),
            staffing: std::sync::OnceLock::new(),
            replays: replays::Replays::default(),
        }
    }

    /// The app with the tenant's `[schedules]` instead of the defaults.
    pub fn with_policy(mut self, policy: policy::DailyPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> &policy::DailyPolicy {
        &self.policy
    }

    /// The app's clock (virtual in the playground and tests).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Answers one inbound event from any platform. An event handled before (a replay,
    /// here or on another instance) is not applied again (see [`replays`]).
    #[tracing::instrument(skip_all, fields(event = %inbound.event_id))]
    pub async fn handle(&self, inbound: Inbound) -> Vec<Reply> {
        let started = std::time::Instant::now();
        let (platform, kind) = (
            inbound.actor.platform,
            crate::ops::metrics::kind_of(&inbound.kind),
        );
        let now = self.clock.now();
        let result = match self.replays.arrival(&*self.records, &inbound, now).await {
            Ok(replays::Arrival::Replay) if !replays::replays_itself(&inbound.kind) => {
                tracing::info!("replayed event not applied again");
                Ok(vec![replays::already_done()])
            }
            Ok(_) => match resolve::resolve(self, inbound).await {
                Ok(resolve::Resolved::Handle(inbound)) => self.dispatch(&inbound).await,
                Ok(resolve::Resolved::Answer(replies)) => Ok(replies),
                Err(err) => Err(err),
            },
            Err(e) => Err(e.into()),
        };
        crate::ops::metrics::handled(platform, kind, started.elapsed());
        match result {
            Ok(replies) => replies,
            Err(err) => {
                tracing::error!(error = %err, "use case failed");
                vec![failure_reply()]
            }
        }
    }

    async fn dispatch(&self, inbound: &Inbound) -> AppResult<Vec<Reply>> {
        let actor = &inbound.actor;
        match &inbound.kind {
            InboundKind::Command { name, args } => self.command(actor, name, args.trim()).await,
            InboundKind::Action { actions } => self.actions(actor, actions).await,
            InboundKind::Text { action, text } => match action {
                Some(a) => match Action::parse(a) {
                    Ok(Action::Typed { prompt }) => answer::typed(self, actor, &prompt, text).await,
                    Ok(_) => Ok(vec![refused(ActionError::Malformed)]),
                    Err(e) => Ok(vec![refused(e)]),
                },
                None => answer::loose_text(self, actor, text).await,
            },
        }
    }

    async fn command(&self, actor: &Actor, name: &str, args: &str) -> AppResult<Vec<Reply>> {
        let open = commands::find(name).is_some_and(|c| c.open);
        let learner = self.learner(actor).await?;
        if !open && learner.is_none() {
            return onboarding::not_joined(self, actor).await;
        }
        let mut replies = match commands::parse(name, args) {
            Ok(parsed) => self.run_command(actor, &parsed).await?,
            Err(UsageError::Unknown { .. }) => vec![onboarding::unknown(self, actor, name).await?],
            Err(usage) => vec![Reply::text(usage.to_string())],
        };
        if learner.is_some_and(|l| l.prefs.dm_closed) {
            replies.extend(answer::waiting(self, actor).await?);
        }
        Ok(replies)
    }

    /// Runs one command of the catalogue; `parsed.args` is the text the use case reads.
    async fn run_command(&self, actor: &Actor, parsed: &ParsedCommand) -> AppResult<Vec<Reply>> {
        let args = parsed.args.as_str();
        match parsed.cmd() {
            Cmd::Start => onboarding::start(self, actor).await,
            Cmd::Help => Ok(vec![onboarding::help(self, actor).await?]),
            Cmd::Join => onboarding::join(self, actor, args).await,
            Cmd::Practice => answer::practice(self, actor, args).await,
            Cmd::Progress => progress::show(self, actor).await,
            Cmd::Why => why::show(self, actor, args).await,
            Cmd::Resources => resources::for_skill(self, actor, args).await,
            Cmd::Search => resources::search(self, actor, args).await,
            Cmd::Settings => settings::handle(self, actor, args).await,
            Cmd::Pause => settings::handle(self, actor, &format!("pause {args}")).await,
            Cmd::Resume => settings::handle(self, actor, "resume").await,
            Cmd::Privacy => privacy::handle(self, actor, args).await,
            Cmd::Admin => admin::handle(self, actor, args).await,
            // Managers' and experts' commands (team summary, review queue, ...) go to their
            // own use cases, which check the role.
            cmd @ (Cmd::Leaderboard | Cmd::Team | Cmd::Digest) => {
                manage::handle(self, actor, cmd, args).await
            }
            cmd @ (Cmd::Review
            | Cmd::Ask
            | Cmd::Answer
            | Cmd::Propose
            | Cmd::Proposals
            | Cmd::Accept
            | Cmd::Reject
            | Cmd::Vote) => expert::handle(self, actor, cmd, args).await,
            Cmd::Skip | Cmd::Quit => Ok(vec![Reply::text(format!(
                "/{} works in the terminal demo (`ladder demo`) only.",
                parsed.spec.name
            ))]),
        }
    }

    async fn actions(&self, actor: &Actor, raw: &[String]) -> AppResult<Vec<Reply>> {
        let mut parsed = Vec::new();
        for a in raw {
            match Action::parse(a) {
                Ok(a) => parsed.push(a),
                Err(e) => return Ok(vec![refused(e)]),
            }
        }
        match parsed.as_slice() {
            [] => Ok(vec![refused(ActionError::Malformed)]),
            [Action::Answer { .. }, ..] => answer::picked(self, actor, &parsed).await,
            [Action::Reveal { prompt }] => answer::reveal(self, actor, prompt).await,
            [Action::Join { track }] => onboarding::join(self, actor, track.as_str()).await,
            [Action::Practice { skill }] => {
                let args = skill.as_ref().map_or("", |s| s.as_str());
                answer::practice(self, actor, args).await
            }
            [Action::ConfirmDelete] => privacy::delete(self, actor).await,
            [Action::CancelDelete] => Ok(vec![Reply::text("Nothing was deleted.")]),
            _ => Ok(vec![refused(ActionError::Malformed)]),
        }
    }

    /// When the actor last did anything (a question asked or answered), if ever.
    pub async fn last_activity(
        &self,
        actor: &Actor,
    ) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
        let key = LearnerKey::of(actor);
        let prompts = self.records.prompts(&key).await?;
        let reviews = self.records.reviews(&key).await?;
        Ok(prompts
            .iter()
            .map(|p| p.created_at)
            .chain(reviews.iter().map(|r| r.at))
            .max())
    }

    /// The actor's own prompt (None for someone else's or an unknown one).
    pub async fn prompt_of(
        &self,
        actor: &Actor,
        id: &action::PromptRef,
    ) -> AppResult<Option<records::Prompt>> {
        let p = self.records.prompt(id).await?;
        Ok(p.filter(|p| p.learner == LearnerKey::of(actor)))
    }

    async fn learner(&self, actor: &Actor) -> AppResult<Option<Learner>> {
        Ok(self.records.learner(&LearnerKey::of(actor)).await?)
    }
}

/// The reply to an action string we cannot accept.
fn refused(e: ActionError) -> Reply {
    let hint = match e {
        ActionError::Foreign => "It may come from another bot; Ladder cannot act on it.",
        ActionError::Malformed => "Type /practice for a fresh question, or /help.",
    };
    Reply::text(format!("Sorry, {e}. {hint}"))
}

/// User text echoed back: sanitised and kept short.
pub(crate) fn echo(user_text: &str) -> String {
    text::sanitize(&text::truncate(user_text.trim(), 200))
}
