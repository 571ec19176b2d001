//! Drawing a [`Reply`] as terminal text: plain when piped, with a little colour when
//! stdout is a terminal and `NO_COLOR` is unset.
//!
//! Rendering is pure (it returns a `String`); pictures and files are written by the caller
//! through [`Attachment`]s, so the layout can be tested without a terminal.

use crate::platform::{Block, Reply};

/// Whether to decorate output with ANSI colour codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
    pub fn accent(self, text: &str) -> String {
        self.paint("36", text)
    }
}

/// A picture or file from a reply, to be saved by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The interactive parts of a reply the user can answer by typing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Controls {
    /// The actions of the numbered choices, in the order shown.
    pub choices: Vec<String>,
    pub multi: bool,
    /// The action typed text answers (modal-like boxes).
    pub ask_text: Option<String>,
}

impl Controls {
    pub fn is_empty(&self) -> bool {
        self.choices.is_empty() && self.ask_text.is_none()
    }
}

/// Renders one reply. `saved` gives, for each attachment in order, the path it was saved to.
pub fn render(reply: &Reply, style: Style, saved: &[String]) -> String {
    let mut out = String::new();
    let mut attachment = 0;
    for block in &reply.blocks {
        match block {
            Block::Heading(h) => out.push_str(&format!("{}\n", style.bold(&format!("== {h} ==")))),
            Block::Text(t) => out.push_str(&format!("{}\n", demarkdown(t, style))),
            Block::Fields(fields) => {
                let width = fields.iter().map(|(k, _)| k.chars().count()).max();
                for (k, v) in fields {
                    let pad = width.unwrap_or(0) - k.chars().count();
                    let key = format!("{k}{}", " ".repeat(pad));
                    out.push_str(&format!(
                        "  {}  {}\n",
                        style.bold(&key),
                        demarkdown(v, style)
                    ));
                }
            }
            Block::Choices {
                choices,
                multi,
                placeholder,
            } => {
                for (i, c) in choices.iter().enumerate() {
                    let n = style.accent(&format!("{})", i + 1));
                    out.push_str(&format!("  {n} {}\n", demarkdown(&c.label, style)));
                }
                let how = if *multi {
                    "type the numbers of all that apply, e.g. 1 3"
                } else {
                    "type a number"
                };
                let hint = if placeholder.is_empty() {
                    how.to_owned()
                } else {
                    format!("{placeholder}: {how}")
                };
                out.push_str(&format!("  {}\n", style.dim(&format!("({hint})"))));
            }
            Block::AskText {
                label, placeholder, ..
            } => {
                let hint = if placeholder.is_empty() {
                    String::new()
                } else {
                    format!(", e.g. {placeholder}")
                };
                out.push_str(&format!("  {}\n", style.dim(&format!("({label}{hint})"))));
            }
            Block::Image { filename, alt, .. } => {
                let path = saved.get(attachment).map_or(filename.as_str(), |p| p);
                attachment += 1;
                out.push_str(&format!("  [picture: {alt}] saved to {path}\n"));
            }
            Block::File { filename, .. } => {
                let path = saved.get(attachment).map_or(filename.as_str(), |p| p);
                attachment += 1;
                out.push_str(&format!("  [file] saved to {path}\n"));
            }
            Block::Mention { name, .. } => out.push_str(&format!("@{name}\n")),
        }
    }
    out
}

/// The attachments of a reply, in the order [`render`] expects their saved paths.
pub fn attachments(reply: &Reply) -> Vec<Attachment> {
    reply
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Image { png, filename, .. } => Some(Attachment {
                filename: filename.clone(),
                bytes: png.clone(),
            }),
            Block::File { bytes, filename } => Some(Attachment {
                filename: filename.clone(),
                bytes: bytes.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The answerable controls of a reply (the last ones win when a reply has several).
pub fn controls(reply: &Reply) -> Controls {
    let mut c = Controls::default();
    for block in &reply.blocks {
        match block {
            Block::Choices { choices, multi, .. } => {
                c.choices = choices.iter().map(|ch| ch.action.clone()).collect();
                c.multi = *multi;
            }
            Block::AskText { action, .. } => c.ask_text = Some(action.clone()),
            _ => {}
        }
    }
    c
}

/// Terminal-friendly Markdown: `**bold**` becomes bold (or plain), escapes are dropped.
fn demarkdown(text: &str, style: Style) -> String {
    let mut out = String::new();
    let mut bold = false;
    let mut chars = text.chars().peekable();
    let mut run = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    run.push(next);
                }
            }
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str(&if bold { style.bold(&run) } else { run.clone() });
                run.clear();
                bold = !bold;
            }
            c => run.push(c),
        }
    }
    out.push_str(&if bold { style.bold(&run) } else { run });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Choice;

    fn question() -> Reply {
        Reply::private(vec![
            Block::Heading("Question".into()),
            Block::Text("Which is the **strongest** sign?".into()),
            Block::Choices {
                choices: vec![
                    Choice {
                        label: "A logo".into(),
                        action: "a:1:0".into(),
                    },
                    Choice {
                        label: "A misspelled domain".into(),
                        action: "a:1:1".into(),
                    },
                ],
                multi: false,
                placeholder: String::new(),
            },
        ])
    }

    #[test]
    fn piped_output_is_plain_numbered_text() {
        let text = render(&question(), Style::PLAIN, &[]);
        assert!(!text.contains('\x1b'));
        assert!(text.contains("== Question =="));
        assert!(text.contains("Which is the strongest sign?"));
        assert!(text.contains("  1) A logo\n  2) A misspelled domain\n"));
        assert_eq!(controls(&question()).choices, vec!["a:1:0", "a:1:1"]);
    }

    #[test]
    fn a_terminal_gets_colour_and_escaped_text_reads_naturally() {
        let text = render(&question(), Style { color: true }, &[]);
        assert!(text.contains("\x1b[1mstrongest\x1b[0m"));
        let escaped = Reply::text("you typed \\*\\*hi\\*\\* @\u{200B}everyone");
        let text = render(&escaped, Style::PLAIN, &[]);
        assert!(text.contains("you typed **hi**"));
    }

    #[test]
    fn files_are_announced_with_their_saved_path() {
        let reply = Reply::private(vec![Block::File {
            bytes: b"{}".to_vec(),
            filename: "export.json".into(),
        }]);
        assert_eq!(attachments(&reply).len(), 1);
        let text = render(&reply, Style::PLAIN, &["/tmp/x/export.json".into()]);
        assert!(text.contains("saved to /tmp/x/export.json"));
    }
}
