//! The Slack half of `ladder serve`: which credentials mean which connection, the role
//! policy for a platform without roles, the App Home source, and running the connection.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context};
use async_trait::async_trait;

use crate::app::App;
use crate::config;
use crate::ops::{self, Connections};
use crate::platform::slack::handler::Spawner;
use crate::platform::slack::home::HomeSource;
use crate::platform::slack::signature::SigningSecret;
use crate::platform::slack::{http, socket, web, Handler, SlackChat, SlackWeb};
use crate::platform::{Actor, Inbound, InboundKind, Platform, Reply};
use crate::store::RoleKind;

/// How this instance talks to Slack.
pub enum Mode {
    /// Socket Mode with the app-level token (`xapp-…`).
    Socket { app_token: String },
    /// The signed HTTP endpoint on `[slack] http_listen`.
    Http {
        secret: SigningSecret,
        listen: SocketAddr,
    },
}

/// The bot token and the connection it is used with.
pub struct Credentials {
    bot_token: String,
    mode: Mode,
}

fn var(secret: &Option<config::Secret>) -> Option<String> {
    secret
        .as_ref()
        .map(|s| s.expose().trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Slack's credentials, None when none is set; a half-configured Slack is an error that
/// names what is missing.
pub fn credentials(s: &config::Slack) -> anyhow::Result<Option<Credentials>> {
    let (bot, app, secret) = (var(&s.bot_token), var(&s.app_token), var(&s.signing_secret));
    let Some(bot_token) = bot else {
        if app.is_some() || secret.is_some() {
            bail!(
                "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: \
                 set the bot token (xoxb-…) from the app's \"OAuth & Permissions\" page"
            );
        }
        return Ok(None);
    };
    let mode = match (app, secret, s.http_listen) {
        (_, Some(secret), Some(listen)) => Mode::Http {
            secret: SigningSecret::new(&secret),
            listen,
        },
        (Some(app_token), _, _) => Mode::Socket { app_token },
        (None, Some(_), None) => bail!(
            "SLACK_SIGNING_SECRET is set but [slack] http_listen is not: set the address \
             for Slack's HTTP requests, or SLACK_APP_TOKEN (xapp-…) for Socket Mode"
        ),
        (None, None, _) => bail!(
            "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor \
             SLACK_SIGNING_SECRET with [slack] http_listen (HTTP endpoint)"
        ),
    };
    Ok(Some(Credentials { bot_token, mode }))
}

/// The Web API client and sender for the bot token.
pub fn chat(c: &Credentials, api_base: Option<&str>) -> Arc<SlackChat> {
    let base = api_base.unwrap_or(web::DEFAULT_BASE);
    Arc::new(SlackChat::new(Arc::new(SlackWeb::new(
        base,
        c.bot_token.clone(),
    ))))
}

/// App Home from the app: progress, and the staff tools the person holds.
pub struct AppHome {
    app: Arc<App>,
}

impl AppHome {
    pub fn new(app: Arc<App>) -> Self {
        AppHome { app }
    }

    async fn command(&self, actor: &Actor, name: &str) -> Vec<Reply> {
        let inbound = Inbound {
            actor: actor.clone(),
            // No event id: a dashboard is a read, never a replay.
            event_id: String::new(),
            kind: InboundKind::Command {
                name: name.to_owned(),
                args: String::new(),
            },
        };
        self.app.handle(inbound).await
    }
}

#[async_trait]
impl HomeSource for AppHome {
    async fn dashboard(&self, actor: &Actor) -> Vec<Reply> {
        let mut replies = self.command(actor, "progress").await;
        let roles = self.app.staff_roles(actor).await.unwrap_or_else(|err| {
            tracing::warn!(%err, "staff roles unknown; App Home without staff tools");
            Vec::new()
        });
        let has = |k: RoleKind| roles.contains(&k) || roles.contains(&RoleKind::Admin);
        if has(RoleKind::Expert) {
            replies.extend(self.command(actor, "review").await);
        }
        if has(RoleKind::Manager) {
            replies.extend(self.command(actor, "team").await);
        }
        replies
    }
}

/// Runs Slack until it fails or the process is asked to stop; never returns without
/// credentials (the other platform runs alone).
pub async fn run(
    creds: Option<Credentials>,
    chat: Option<Arc<SlackChat>>,
    app: Arc<App>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let (Some(creds), Some(chat)) = (creds, chat) else {
        return std::future::pending().await;
    };
    let responder = {
        let app = Arc::clone(&app);
        move |inbound: Inbound| {
            let app = Arc::clone(&app);
            async move { app.handle(inbound).await }
        }
    };
    let handler = Handler::new(responder, chat.clone()).with_home(Arc::new(AppHome::new(app)));
    let dispatch = Arc::new(Spawner(Arc::new(handler)));
    match creds.mode {
        Mode::Socket { app_token } => {
            tracing::info!("Slack: Socket Mode");
            tokio::select! {
                r = socket::run(chat.web().clone(), app_token, dispatch, stopped) => {
                    r.context("Slack Socket Mode stopped")
                }
                () = ops::shutdown::requested() => Ok(()),
            }
        }
        Mode::Http { secret, listen } => {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("slack.http_listen: cannot listen on {listen}"))?;
            tracing::info!(%listen, "Slack: signed HTTP endpoint");
            Connections::global().report(Platform::Slack, 1, 1);
            let routes = http::router(secret, dispatch);
            axum::serve(listener, routes)
                .with_graceful_shutdown(ops::shutdown::requested())
                .await
                .context("the Slack HTTP endpoint stopped")
        }
    }
}
