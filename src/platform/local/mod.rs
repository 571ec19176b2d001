//! The terminal adapter: a line-based chat with the app, used by `ladder demo`.
//!
//! It only translates: a typed line becomes an [`Inbound`] (a `/command`, a picked option,
//! or typed text), the app's [`Reply`]s are drawn as text, and `/skip` fast-forwards the
//! virtual clock and shows whatever the app pushes at the new time. Works piped (plain
//! text, one reply after another) and interactively (colour when stdout is a terminal and
//! `NO_COLOR` is unset). Depends on the platform types, the clock and tokio's stdin only.

pub mod cohort;
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

/// Longer pauses are treated as the person stepping away, not thinking.
const MAX_THINKING: std::time::Duration = std::time::Duration::from_secs(600);

/// What the terminal talks to: the app, seen through the two calls an adapter needs.
#[async_trait]
pub trait Bot: Send + Sync {
    /// Answers one inbound event.
    async fn handle(&self, inbound: Inbound) -> Vec<Reply>;
    /// What would be pushed to this person now (daily prompts that became due).
    async fn pushes(&self, actor: &Actor) -> Vec<Reply>;
}

#[async_trait]
impl Bot for crate::app::App {
    async fn handle(&self, inbound: Inbound) -> Vec<Reply> {
        crate::app::App::handle(self, inbound).await
    }
    async fn pushes(&self, actor: &Actor) -> Vec<Reply> {
        crate::app::App::pushes(self, actor).await
    }
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
    echo: bool,
    /// Real time keeps flowing on the virtual clock between lines, so the seconds a person
    /// spends thinking count as answer latency.
    last_input: std::time::Instant,
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
            echo: !std::io::IsTerminal::is_terminal(&io::stdin()),
            last_input: std::time::Instant::now(),
        }
    }

    /// Whether typed lines are echoed into the output (on when stdin is not a terminal,
    /// where nothing else shows them).
    pub fn echo_input(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
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
            // The prompt is printed only while waiting for input, piped or not, so a
            // program driving the demo knows when a reply is complete.
            write!(out, "{}", self.style.accent("> "))?;
            out.flush()?;
            let Some(line) = lines.next_line().await? else {
                writeln!(out)?;
                break;
            };
            if self.echo {
                // Piped input is not echoed by a terminal: echo it so the transcript
                // reads as a conversation.
                writeln!(out, "{}", terminal_safe(&line))?;
            }
            if !self.line(&line, out).await? {
                break;
            }
        }
        writeln!(out, "Bye!")?;
        Ok(())
    }

    /// Handles one line; `false` means stop.
    async fn line(&mut self, line: &str, out: &mut impl Write) -> io::Result<bool> {
        let real = self.last_input.elapsed().min(MAX_THINKING);
        self.last_input = std::time::Instant::now();
        self.clock
            .advance(chrono::Duration::from_std(real).unwrap_or_default());
        match parse_line(line) {
            Line::Empty => {}
            Line::Quit => return Ok(false),
            Line::Skip(by) => {
                self.clock.advance(by);
                let now = self.clock.now();
                writeln!(
                    out,
                    "{}",
                    self.style
                        .dim(&format!("(time passes… it is now {})", when(now)))
                )?;
                let replies = self.bot.pushes(&self.actor).await;
                if replies.is_empty() {
                    writeln!(out, "(nothing new arrived)")?;
                }
                self.show(&replies, false, out)?;
            }
            Line::BadSkip(arg) => writeln!(
                out,
                "I can skip ahead by minutes, hours, days or weeks, up to four weeks at a time, \
                 e.g. /skip 6h or /skip 1d (not \"{}\").",
                terminal_safe(&crate::platform::text::truncate(&arg, 40))
            )?,
            Line::Command { name, args } => {
                self.send(InboundKind::Command { name, args }, out).await?
            }
            Line::Usage(said) => writeln!(out, "{}", terminal_safe(&said))?,
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

/// Text typed by the person, fit to print back: no control characters (so no escape
/// sequences) and no bidi or invisible format characters.
fn terminal_safe(typed: &str) -> String {
    typed
        .chars()
        .filter(|&c| !c.is_control() && !crate::platform::text::is_spoofing(c))
        .collect()
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%a %d %b, %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests;
