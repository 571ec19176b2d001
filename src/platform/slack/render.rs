//! [`Reply`] → Slack Block Kit: sections for text, buttons / `static_select` / checkboxes
//! for choices, a button opening a modal for typed answers, file uploads for pictures and
//! downloads.
//!
//! Rendering is pure (JSON values, no HTTP) and enforces Slack's limits itself, cutting on
//! grapheme boundaries, so a long reply becomes several valid messages instead of a
//! rejected request. Every string is escaped (`&`, `<`, `>`), so nothing a user typed can
//! become a mention (`<!channel>`, `<@U…>`, `<!subteam^…>`) or a link; the one mention the
//! bot sends is [`Block::Mention`], a validated user id.

use serde_json::{json, Value};

use super::ids::{self, ElementId};
use crate::platform::text::{split, truncate};
use crate::platform::{Block, Choice, Reply, Visibility};

/// Slack's documented Block Kit limits (the ones a reply can reach).
pub mod limits {
    pub const BLOCKS_PER_MESSAGE: usize = 50;
    pub const BLOCKS_PER_VIEW: usize = 100;
    pub const SECTION_TEXT: usize = 3_000;
    pub const HEADER_TEXT: usize = 150;
    pub const FIELDS_PER_SECTION: usize = 10;
    pub const FIELD_TEXT: usize = 2_000;
    pub const BUTTON_TEXT: usize = 75;
    pub const OPTION_TEXT: usize = 75;
    pub const OPTION_VALUE: usize = 150;
    pub const SELECT_OPTIONS: usize = 100;
    pub const CHECKBOX_OPTIONS: usize = 10;
    pub const ACTIONS_ELEMENTS: usize = 25;
    pub const PLACEHOLDER: usize = 150;
    pub const MODAL_TITLE: usize = 24;
    pub const FALLBACK_TEXT: usize = 3_000;
    pub const PRIVATE_METADATA: usize = 3_000;
    pub const INPUT_MAX: usize = 3_000;
}

/// A file to upload beside a message (the external-upload flow).
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub title: String,
}

/// One Slack message: its blocks, the notification / accessibility text, and files.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Value>,
    pub uploads: Vec<Upload>,
    /// Only the person who asked sees it (ephemeral in a channel).
    pub private: bool,
}

/// Escapes the three characters Slack gives meaning to in every text field.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The app's Markdown (written for Discord and the terminal) as Slack `mrkdwn`, escaped:
/// `**bold**` → `*bold*`, `[label](https://…)` → `<https://…|label>`, the backslash
/// escapes of sanitised user text dropped (mrkdwn has none), everything else escaped.
pub fn mrkdwn(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut rest = markdown;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**") {
            out.push('*');
            rest = after;
        } else if let Some((link, used)) = link_at(rest) {
            out.push_str(&link);
            rest = &rest[used..];
        } else {
            let mut chars = rest.chars();
            let c = chars.next().unwrap_or_default();
            match c {
                '\\' => {
                    // `\*` from sanitising: keep the character, lose the backslash.
                    let next = chars.next();
                    match next {
                        Some(n) if "*_~`|>#[]\\".contains(n) => {
                            out.push_str(&escape(&n.to_string()));
                            rest = &rest[1 + n.len_utf8()..];
                            continue;
                        }
                        _ => out.push('\\'),
                    }
                }
                c => out.push_str(&escape(&c.to_string())),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `[label](https://…)` at the start of `s`: the Slack link and the bytes it used.
fn link_at(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find("](")?;
    let label = &inner[..close];
    let after = &inner[close + 2..];
    let end = after.find(')')?;
    let url = &after[..end];
    let safe_url = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || "<>|".contains(c));
    if !safe_url || label.contains('\n') || label.is_empty() {
        return None;
    }
    let label = escape(&label.replace('|', "/"));
    let url = url.replace('&', "&amp;");
    Some((format!("<{url}|{label}>"), 1 + close + 2 + end + 1))
}

/// Plain text for `plain_text` objects (buttons, options, headers): one line, escaped,
/// cut to `max` characters before escaping grows it.
fn plain(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = truncate(&strip_escapes(&line), max);
    // Slack counts the characters it shows; escaping adds a few, so cut again if needed.
    let mut out = escape(&cut);
    let mut budget = max;
    while out.chars().count() > max && budget > 1 {
        budget -= 1;
        out = escape(&truncate(&cut, budget));
    }
    out
}

fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| "*_~`|>#[]\\".contains(*n)) {
            continue;
        }
        out.push(c);
    }
    out
}

fn plain_text(text: &str, max: usize) -> Value {
    json!({"type": "plain_text", "text": plain(text, max), "emoji": true})
}

/// Markdown cut into section-sized pieces of mrkdwn (never over 3,000 characters, never
/// inside a grapheme, an escape or a link).
pub fn sections(markdown: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Vec<String> = split(markdown, max);
    pending.reverse();
    while let Some(raw) = pending.pop() {
        let converted = mrkdwn(&raw);
        if converted.chars().count() <= max {
            if !converted.trim().is_empty() {
                out.push(converted);
            }
            continue;
        }
        let half = (raw.chars().count() / 2).max(1);
        let mut parts = split(&raw, half);
        if parts.len() < 2 {
            // One grapheme that escapes past the limit: keep what fits.
            out.push(truncate(&converted, max));
            continue;
        }
        parts.reverse();
        pending.extend(parts);
    }
    out
}

/// Renders a reply as one or more messages, each within Slack's limits.
pub fn render(reply: &Reply) -> Vec<Message> {
    let mut r = Renderer::new(reply.visibility == Visibility::Private);
    for block in &reply.blocks {
        match block {
            Block::Heading(title) => r.push(json!({
                "type": "header", "text": plain_text(title, limits::HEADER_TEXT)
            })),
            Block::Text(text) => {
                for piece in sections(text, limits::SECTION_TEXT) {
                    r.fallback(&piece);
                    r.push(json!({"type": "section",
                        "text": {"type": "mrkdwn", "text": piece}}));
                }
            }
            Block::Fields(fields) => r.fields(fields),
            Block::Choices {
                choices,
                multi,
                placeholder,
            } => r.choices(choices, *multi, placeholder),
            Block::AskText {
                action,
                label,
                long,
                ..
            } => {
                let id = ElementId::AskText {
                    action: action.clone(),
                    long: *long,
                };
                if let Some(action_id) = id.encode() {
                    r.push(json!({"type": "actions", "elements": [{
                        "type": "button", "action_id": action_id,
                        "text": plain_text(label, limits::BUTTON_TEXT),
                        "value": action, "style": "primary"}]}));
                }
            }
            Block::Image { png, filename, alt } => r.upload(Upload {
                bytes: png.clone(),
                filename: safe_filename(filename, "png"),
                title: plain(alt, 200),
            }),
            Block::File { bytes, filename } => r.upload(Upload {
                bytes: bytes.clone(),
                filename: safe_filename(filename, "bin"),
                title: plain(filename, 200),
            }),
            Block::Mention { user, .. } => {
                if is_user_id(user) {
                    r.fallback(&format!("<@{user}>"));
                    r.push(json!({"type": "section",
                        "text": {"type": "mrkdwn", "text": format!("<@{user}>")}}));
                }
            }
        }
    }
    r.finish()
}

/// A Slack user id as mentions accept it (`U…` or `W…`, capitals and digits).
pub fn is_user_id(id: &str) -> bool {
    id.len() >= 3
        && id.len() <= 20
        && (id.starts_with('U') || id.starts_with('W'))
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

struct Renderer {
    private: bool,
    done: Vec<Message>,
    current: Message,
    selects: usize,
}

impl Renderer {
    fn new(private: bool) -> Self {
        Renderer {
            private,
            done: Vec::new(),
            current: Message {
                private,
                ..Message::default()
            },
            selects: 0,
        }
    }

    fn push(&mut self, block: Value) {
        if self.current.blocks.len() >= limits::BLOCKS_PER_MESSAGE {
            self.flush();
        }
        self.current.blocks.push(block);
    }

    /// The notification text: the first text of the message.
    fn fallback(&mut self, mrkdwn: &str) {
        if self.current.text.is_empty() {
            self.current.text = truncate(mrkdwn, limits::FALLBACK_TEXT);
        }
    }

    fn upload(&mut self, upload: Upload) {
        self.current.uploads.push(upload);
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        for group in fields.chunks(limits::FIELDS_PER_SECTION) {
            let items: Vec<Value> = group
                .iter()
                .map(|(name, value)| {
                    let name = plain(name, 200);
                    let budget = limits::FIELD_TEXT - name.chars().count() - 4;
                    let value = sections(value, budget)
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    json!({"type": "mrkdwn", "text": format!("*{name}*\n{value}")})
                })
                .collect();
            self.push(json!({"type": "section", "fields": items}));
        }
    }

    fn choices(&mut self, choices: &[Choice], multi: bool, placeholder: &str) {
        let fits = |c: &&Choice| c.action.chars().count() <= limits::OPTION_VALUE;
        let option = |c: &Choice| json!({"text": plain_text(&c.label, limits::OPTION_TEXT), "value": c.action});
        let n = self.selects;
        self.selects += 1;
        if multi {
            let usable: Vec<&Choice> = choices.iter().filter(fits).collect();
            let Some(action_id) = ElementId::Checkboxes(n).encode() else {
                return;
            };
            for (i, group) in usable.chunks(limits::CHECKBOX_OPTIONS).enumerate() {
                let options: Vec<Value> = group.iter().map(|c| option(c)).collect();
                self.push(json!({"type": "actions", "block_id": format!("c{n}.{i}"),
                    "elements": [{"type": "checkboxes", "action_id": action_id,
                        "options": options}]}));
            }
            let submit = ElementId::Submit(n).encode().unwrap_or_default();
            self.push(json!({"type": "actions", "elements": [{"type": "button",
                "action_id": submit, "value": "submit", "style": "primary",
                "text": plain_text("Submit", limits::BUTTON_TEXT)}]}));
        } else if choices.len() <= 5 {
            let buttons: Vec<Value> = choices
                .iter()
                .filter_map(|c| {
                    let action_id = ElementId::Button(c.action.clone()).encode()?;
                    (c.action.chars().count() <= ids::VALUE_MAX).then(|| {
                        json!({"type": "button", "action_id": action_id,
                            "text": plain_text(&c.label, limits::BUTTON_TEXT),
                            "value": c.action})
                    })
                })
                .collect();
            if !buttons.is_empty() {
                self.push(json!({"type": "actions", "elements": buttons}));
            }
        } else {
            let Some(action_id) = ElementId::Select(n).encode() else {
                return;
            };
            let usable: Vec<&Choice> = choices.iter().filter(fits).collect();
            for (i, group) in usable.chunks(limits::SELECT_OPTIONS).enumerate() {
                let options: Vec<Value> = group.iter().map(|c| option(c)).collect();
                let label = if placeholder.is_empty() {
                    "Choose…"
                } else {
                    placeholder
                };
                self.push(json!({"type": "actions", "block_id": format!("s{n}.{i}"),
                    "elements": [{"type": "static_select", "action_id": action_id,
                        "placeholder": plain_text(label, limits::PLACEHOLDER),
                        "options": options}]}));
            }
        }
    }

    fn flush(&mut self) {
        let next = Message {
            private: self.private,
            ..Message::default()
        };
        let full = std::mem::replace(&mut self.current, next);
        if !full.blocks.is_empty() || !full.uploads.is_empty() {
            self.done.push(full);
        }
    }

    fn finish(mut self) -> Vec<Message> {
        self.flush();
        for m in &mut self.done {
            if m.text.is_empty() {
                m.text = "Ladder".to_owned();
            }
        }
        self.done
    }
}

/// The modal a typed answer is written in. Its `private_metadata` carries the action and
/// the conversation, so the submission is understood on any instance.
pub fn typed_modal(action: &str, long: bool, channel: &str) -> Option<Value> {
    let meta = ids::modal_metadata(action, channel);
    if meta.chars().count() > limits::PRIVATE_METADATA {
        return None;
    }
    Some(json!({
        "type": "modal",
        "callback_id": ids::MODAL_CALLBACK,
        "private_metadata": meta,
        "title": plain_text("Your answer", limits::MODAL_TITLE),
        "submit": plain_text("Send", limits::MODAL_TITLE),
        "close": plain_text("Cancel", limits::MODAL_TITLE),
        "blocks": [{
            "type": "input",
            "block_id": ids::MODAL_INPUT,
            "label": plain_text("Answer", limits::MODAL_TITLE),
            "element": {"type": "plain_text_input", "action_id": ids::MODAL_INPUT,
                "multiline": long, "max_length": limits::INPUT_MAX}
        }]
    }))
}

/// A file name Slack shows as-is: no path, no control characters, an extension.
fn safe_filename(name: &str, default_ext: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .take(100)
        .collect();
    let clean = clean.trim_matches('.').to_owned();
    if clean.is_empty() {
        format!("ladder.{default_ext}")
    } else if !clean.contains('.') {
        format!("{clean}.{default_ext}")
    } else {
        clean
    }
}

#[cfg(test)]
#[path = "render/tests.rs"]
mod tests;
