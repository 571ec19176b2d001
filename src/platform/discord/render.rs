//! [`Reply`] → Discord messages: embeds for text, buttons or selects for choices, a modal
//! button for typed answers, attachments for pictures and files.
//!
//! Rendering is pure (serenity builders only, no HTTP) and enforces every Discord limit
//! itself, cutting text on grapheme boundaries, so that a long reply becomes several valid
//! messages instead of a rejected request. Mentions are disabled on every message.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton,
    CreateEmbed, CreateInteractionResponseFollowup, CreateMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, EditInteractionResponse, Nonce,
};

use super::ids::{select_id, ComponentId};
use crate::platform::text::{split, truncate};
use crate::platform::{Block, Choice, Reply, Visibility};

/// Discord's documented limits (the ones a reply can reach).
pub mod limits {
    pub const CONTENT: usize = 2_000;
    pub const EMBED_TITLE: usize = 256;
    pub const EMBED_DESCRIPTION: usize = 4_096;
    pub const EMBED_FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1_024;
    pub const EMBEDS_PER_MESSAGE: usize = 10;
    pub const EMBED_TOTAL: usize = 6_000;
    pub const ACTION_ROWS: usize = 5;
    pub const BUTTONS_PER_ROW: usize = 5;
    pub const SELECT_OPTIONS: usize = 25;
    pub const BUTTON_LABEL: usize = 80;
    pub const OPTION_LABEL: usize = 100;
    pub const PLACEHOLDER: usize = 150;
    pub const MODAL_TITLE: usize = 45;
    pub const INPUT_LABEL: usize = 45;
}

/// Ladder's accent colour on embeds.
const ACCENT: u32 = 0x3B82F6;

/// Mentions off: user text that slipped past sanitising still cannot ping anyone.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .everyone(false)
        .all_users(false)
        .all_roles(false)
        .replied_user(false)
}

/// One Discord message, ready to be turned into whichever builder the call site needs.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub embeds: Vec<CreateEmbed>,
    pub rows: Vec<CreateActionRow>,
    pub files: Vec<CreateAttachment>,
    pub ephemeral: bool,
    /// The one user this message may ping ([`Block::Mention`]).
    pub mention: Option<String>,
}

/// Mentions off except for one user, named in the content.
fn only(user: &Option<String>) -> CreateAllowedMentions {
    match user.as_deref().and_then(|u| u.parse::<u64>().ok()) {
        Some(id) => no_mentions().users([serenity::all::UserId::new(id.max(1))]),
        None => no_mentions(),
    }
}

fn mention_content(user: &Option<String>) -> Option<String> {
    let id = user.as_deref()?.parse::<u64>().ok()?;
    Some(format!("<@{id}>"))
}

impl Rendered {
    /// A message posted to a channel or DM; `nonce` makes the post idempotent.
    pub fn into_message(self, nonce: Option<String>) -> CreateMessage {
        let mut msg = CreateMessage::new()
            .embeds(self.embeds)
            .components(self.rows)
            .files(self.files)
            .allowed_mentions(only(&self.mention));
        if let Some(content) = mention_content(&self.mention) {
            msg = msg.content(content);
        }
        if let Some(nonce) = nonce {
            msg = msg.nonce(Nonce::String(nonce)).enforce_nonce(true);
        }
        msg
    }

    /// The edit that replaces a deferred interaction response ("is thinking…").
    pub fn into_edit(self) -> EditInteractionResponse {
        let mut edit = EditInteractionResponse::new()
            .embeds(self.embeds)
            .components(self.rows)
            .allowed_mentions(no_mentions());
        for file in self.files {
            edit = edit.new_attachment(file);
        }
        edit
    }

    /// A follow-up message to an interaction.
    pub fn into_followup(self) -> CreateInteractionResponseFollowup {
        CreateInteractionResponseFollowup::new()
            .embeds(self.embeds)
            .components(self.rows)
            .files(self.files)
            .ephemeral(self.ephemeral)
            .allowed_mentions(no_mentions())
    }
}

/// Renders one reply as one or more messages, in order.
pub fn render(reply: &Reply) -> Vec<Rendered> {
    let mut out = Out::new(reply.visibility == Visibility::Private);
    for block in &reply.blocks {
        match block {
            Block::Heading(title) => out.heading(title),
            Block::Text(text) => out.text(text),
            Block::Fields(fields) => fields.iter().for_each(|(n, v)| out.field(n, v)),
            Block::Choices {
                choices,
                multi,
                placeholder,
            } => out.choices(choices, *multi, placeholder),
            Block::AskText {
                action,
                label,
                long,
                ..
            } => out.ask_text(action, label, *long),
            Block::Image { png, filename, alt } => out.image(png, filename, alt),
            Block::File { bytes, filename } => out.file(bytes, filename),
            Block::Mention { user, .. } => out.current.mention = Some(user.clone()),
        }
    }
    out.finish()
}

/// The embed being filled.
#[derive(Default)]
struct Draft {
    title: Option<String>,
    description: String,
    fields: Vec<(String, String)>,
    image: Option<String>,
}

impl Draft {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_empty()
            && self.fields.is_empty()
            && self.image.is_none()
    }

    /// Characters counted against the 6,000-per-message embed budget.
    fn chars(&self) -> usize {
        let count = |s: &str| s.chars().count();
        self.title.as_deref().map_or(0, count)
            + count(&self.description)
            + self
                .fields
                .iter()
                .map(|(n, v)| count(n) + count(v))
                .sum::<usize>()
    }

    fn build(self) -> CreateEmbed {
        let mut embed = CreateEmbed::new().colour(ACCENT);
        if let Some(title) = self.title {
            embed = embed.title(title);
        }
        if !self.description.is_empty() {
            embed = embed.description(self.description);
        }
        for (name, value) in self.fields {
            embed = embed.field(name, value, false);
        }
        if let Some(image) = self.image {
            embed = embed.attachment(image);
        }
        embed
    }
}

/// Accumulates messages while keeping each one within Discord's limits.
struct Out {
    ephemeral: bool,
    done: Vec<Rendered>,
    current: Rendered,
    embed_chars: usize,
    draft: Draft,
}

impl Out {
    fn new(ephemeral: bool) -> Self {
        Out {
            ephemeral,
            done: Vec::new(),
            current: Rendered {
                ephemeral,
                ..Rendered::default()
            },
            embed_chars: 0,
            draft: Draft::default(),
        }
    }

    fn heading(&mut self, title: &str) {
        self.flush_embed();
        self.draft.title = Some(one_line(title, limits::EMBED_TITLE));
    }

    fn text(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let joined = if self.draft.description.is_empty() {
            text.to_owned()
        } else {
            format!("{}\n\n{text}", self.draft.description)
        };
        if joined.chars().count() <= limits::EMBED_DESCRIPTION {
            self.draft.description = joined;
            return;
        }
        if !self.draft.description.is_empty() {
            self.flush_embed();
        }
        let mut parts = split(text, limits::EMBED_DESCRIPTION)
            .into_iter()
            .peekable();
        while let Some(part) = parts.next() {
            self.draft.description = part;
            if parts.peek().is_some() {
                self.flush_embed();
            }
        }
    }

    fn field(&mut self, name: &str, value: &str) {
        if self.draft.fields.len() == limits::EMBED_FIELDS {
            self.flush_embed();
        }
        // Discord rejects empty names and values; a zero-width space renders as nothing.
        let or_blank = |s: String| {
            if s.trim().is_empty() {
                "\u{200B}".to_owned()
            } else {
                s
            }
        };
        self.draft.fields.push((
            or_blank(one_line(name, limits::FIELD_NAME)),
            or_blank(truncate(value, limits::FIELD_VALUE)),
        ));
    }

    fn choices(&mut self, choices: &[Choice], multi: bool, placeholder: &str) {
        let usable: Vec<&Choice> = choices
            .iter()
            .filter(|c| {
                let fits = c.action.chars().count() <= limits::OPTION_LABEL
                    && ComponentId::Action(c.action.clone()).encode().is_some();
                if !fits {
                    tracing::warn!(len = c.action.len(), "choice action too long for Discord");
                }
                fits
            })
            .collect();
        if !multi && usable.len() <= limits::BUTTONS_PER_ROW {
            let buttons = usable
                .iter()
                .filter_map(|c| {
                    let id = ComponentId::Action(c.action.clone()).encode()?;
                    Some(
                        CreateButton::new(id)
                            .label(one_line(&c.label, limits::BUTTON_LABEL))
                            .style(ButtonStyle::Primary),
                    )
                })
                .collect::<Vec<_>>();
            if !buttons.is_empty() {
                self.push_row(CreateActionRow::Buttons(buttons));
            }
            return;
        }
        for chunk in usable.chunks(limits::SELECT_OPTIONS) {
            let options = chunk
                .iter()
                .map(|c| {
                    CreateSelectMenuOption::new(one_line(&c.label, limits::OPTION_LABEL), &c.action)
                })
                .collect::<Vec<_>>();
            let max = if multi { options.len() } else { 1 };
            let index = self.current.rows.len();
            let mut menu =
                CreateSelectMenu::new(select_id(index), CreateSelectMenuKind::String { options })
                    .min_values(1)
                    .max_values(max as u8);
            if !placeholder.trim().is_empty() {
                menu = menu.placeholder(one_line(placeholder, limits::PLACEHOLDER));
            }
            self.push_row(CreateActionRow::SelectMenu(menu));
        }
    }

    fn ask_text(&mut self, action: &str, label: &str, long: bool) {
        let id = ComponentId::AskText {
            action: action.to_owned(),
            long,
        };
        match id.encode() {
            Some(id) => {
                let button = CreateButton::new(id)
                    .label(one_line(label, limits::BUTTON_LABEL))
                    .style(ButtonStyle::Secondary);
                self.push_row(CreateActionRow::Buttons(vec![button]));
            }
            None => tracing::warn!(len = action.len(), "text action too long for Discord"),
        }
    }

    fn image(&mut self, png: &[u8], filename: &str, alt: &str) {
        let filename = safe_filename(filename, "png");
        if self.draft.image.is_some() {
            self.flush_embed();
        }
        self.draft.image = Some(filename.clone());
        let file = CreateAttachment::bytes(png.to_vec(), filename).description(truncate(alt, 1024));
        self.push_file(file);
    }

    fn file(&mut self, bytes: &[u8], filename: &str) {
        let filename = safe_filename(filename, "bin");
        self.push_file(CreateAttachment::bytes(bytes.to_vec(), filename));
    }

    fn push_row(&mut self, row: CreateActionRow) {
        if self.current.rows.len() == limits::ACTION_ROWS {
            self.flush_message();
        }
        self.current.rows.push(row);
    }

    fn push_file(&mut self, file: CreateAttachment) {
        // Ten attachments per message.
        if self.current.files.len() == 10 {
            self.flush_message();
        }
        self.current.files.push(file);
    }

    fn flush_embed(&mut self) {
        if self.draft.is_empty() {
            return;
        }
        let draft = std::mem::take(&mut self.draft);
        let chars = draft.chars();
        if self.current.embeds.len() == limits::EMBEDS_PER_MESSAGE
            || self.embed_chars + chars > limits::EMBED_TOTAL
        {
            self.flush_message();
        }
        self.embed_chars += chars;
        self.current.embeds.push(draft.build());
    }

    fn flush_message(&mut self) {
        // Embeds waiting in the draft belong before the controls that follow them.
        let fresh = Rendered {
            ephemeral: self.ephemeral,
            ..Rendered::default()
        };
        let full = std::mem::replace(&mut self.current, fresh);
        self.embed_chars = 0;
        if !(full.embeds.is_empty() && full.rows.is_empty() && full.files.is_empty()) {
            self.done.push(full);
        }
    }

    fn finish(mut self) -> Vec<Rendered> {
        self.flush_embed();
        self.flush_message();
        self.done
    }
}

/// Titles, labels and names are single lines.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&flat, max)
}

/// Attachment names end up in URLs (`attachment://name`): keep them plain ASCII.
fn safe_filename(name: &str, default_ext: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if clean.trim_matches(['.', '_']).is_empty() {
        format!("file.{default_ext}")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests;
