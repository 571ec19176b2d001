//! The terminal adapter: a line-based chat with the app, used by `ladder demo`.
//!
//! It only translates: a typed line becomes an [`Inbound`] (a `/command`, a picked option,
//! or typed text), the app's [`Reply`]s are drawn as text, and `/skip` fast-forwards the
//! virtual clock and shows whatever the app pushes at the new time. Works piped (plain
//! text, one reply after another) and interactively (colour when stdout is a terminal and
//! `NO_COLOR` is unset). Depends on the platform types, the clock and tokio's stdin only.

pub mod input;
pub mod render;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::clock::{Clock, VirtualClock};
use crate::platform::{Actor, Inbound, InboundKind, Reply};
use input::{parse_line, pick_options, Line};
use render::{Controls, Style};

/// What the terminal talks to: the app, seen through the two calls an adapter needs.
#[async_trait]
pub trait Bot: Send + Sync {
    /// Answers one inbound event.
    async fn handle(&self, inbound: Inbound) -> Vec<Reply>;
    /// What would be pushed to this person now (daily prompts that became due).
    async fn pushes(&self, actor: &Actor) -> Vec<Reply>;
}

/// Picks the terminal style: colour only for a terminal, and never when `NO_COLOR` is set.
pub fn detect_style() -> Style {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: io::stdout().is_terminal() && !no_color,
    }
}

/// One person chatting with the app in a terminal.
pub struct Session<B> {
    bot: B,
    clock: Arc<VirtualClock>,
    actor: Actor,
    style: Style,
    controls: Controls,
    files: PathBuf,
    events: u64,
}

impl<B: Bot> Session<B> {
    /// `files` is where pictures and exports are saved (a temporary directory in the demo).
    pub fn new(
        bot: B,
        clock: Arc<VirtualClock>,
        actor: Actor,
        style: Style,
        files: PathBuf,
    ) -> Self {
        Session {
            bot,
            clock,
            actor,
            style,
            controls: Controls::default(),
            files,
            events: 0,
        }
    }

    /// Sends a command as if typed (the demo opens with `start`), printing the replies.
    pub async fn command(
        &mut self,
        name: &str,
        args: &str,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let kind = InboundKind::Command {
            name: name.to_owned(),
            args: args.to_owned(),
        };
        self.send(kind, out).await
    }

    /// Reads lines until `/quit` or end of input.
    pub async fn run(
        &mut self,
        input: impl AsyncBufRead + Unpin,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let mut lines = input.lines();
        loop {
            if self.style.color {
                write!(out, "{}", self.style.accent("> "))?;
                out.flush()?;
            }
            let Some(line) = lines.next_line().await? else {
                break;
            };
            if !self.style.color {
                // Piped: echo the input so the transcript reads as a conversation.
                writeln!(out, "> {line}")?;
            }
            if !self.line(&line, out).await? {
                break;
            }
        }
        writeln!(out, "Bye! Your progress is kept in the demo database.")?;
        Ok(())
    }

    /// Handles one line; `false` means stop.
    async fn line(&mut self, line: &str, out: &mut impl Write) -> io::Result<bool> {
        match parse_line(line) {
            Line::Empty => {}
            Line::Quit => return Ok(false),
            Line::Skip(by) => {
                self.clock.advance(by);
                let now = self.clock.now();
                writeln!(out, "{}", self.style.dim(&format!("(time passes… it is now {})", when(now))))?;
                let replies = self.bot.pushes(&self.actor).await;
                if replies.is_empty() {
                    writeln!(out, "(nothing new arrived)")?;
                }
                self.show(&replies, false, out)?;
            }
            Line::BadSkip(arg) => writeln!(
                out,
                "I can skip ahead by minutes, hours, days or weeks, e.g. /skip 6h or /skip 1d (not {arg:?})."
            )?,
            Line::Command { name, args } => {
                self.send(InboundKind::Command { name, args }, out).await?
            }
            Line::Text(text) => {
                let kind = self.answer(text);
                self.send(kind, out).await?
            }
        }
        Ok(true)
    }

    /// Plain text answers the open question: by option number/letter, or as typed text.
    fn answer(&self, text: String) -> InboundKind {
        let c = &self.controls;
        if !c.choices.is_empty() {
            if let Some(picked) = pick_options(&text, c.choices.len()) {
                if c.multi || picked.len() == 1 {
                    let actions = picked.iter().map(|&i| c.choices[i].clone()).collect();
                    return InboundKind::Action { actions };
                }
            }
        }
        InboundKind::Text {
            action: c.ask_text.clone(),
            text,
        }
    }

    async fn send(&mut self, kind: InboundKind, out: &mut impl Write) -> io::Result<()> {
        self.events += 1;
        let answering = !matches!(kind, InboundKind::Command { .. });
        let inbound = Inbound {
            actor: self.actor.clone(),
            event_id: format!("local-{}-{}", self.clock.now().timestamp(), self.events),
            kind,
        };
        let replies = self.bot.handle(inbound).await;
        self.show(&replies, answering, out)
    }

    /// Prints replies; the last reply with controls becomes what plain text answers. After
    /// an answer the old controls are spent, so they are dropped even if nothing replaces
    /// them.
    fn show(&mut self, replies: &[Reply], answering: bool, out: &mut impl Write) -> io::Result<()> {
        if answering {
            self.controls = Controls::default();
        }
        for reply in replies {
            let saved = self.save(reply)?;
            writeln!(
                out,
                "{}",
                render::render(reply, self.style, &saved).trim_end()
            )?;
            writeln!(out)?;
            let c = render::controls(reply);
            if !c.is_empty() {
                self.controls = c;
            }
        }
        Ok(())
    }

    fn save(&self, reply: &Reply) -> io::Result<Vec<String>> {
        let mut paths = Vec::new();
        for a in render::attachments(reply) {
            std::fs::create_dir_all(&self.files)?;
            // The file name comes from the app, but never let it leave the directory.
            let name: String = a
                .filename
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let path = self.files.join(format!("{}-{name}", self.events));
            std::fs::write(&path, &a.bytes)?;
            paths.push(path.display().to_string());
        }
        Ok(paths)
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%a %d %b, %H:%M UTC").to_string()
}
