//! Checking a whole content directory's files together and building the engine's
//! [`Library`]: ids valid and unique, references resolved, answer keys consistent with
//! their item type, every stage covered, no prerequisite cycles.
//!
//! Every problem is reported, not just the first; nothing half-valid is returned. Pure:
//! the files come in as text (see [`crate::load`] for reading them from disk).

mod graph;
mod item;
mod key;
mod skill;
mod track;

use ladder_engine::{Library, ParseError};
use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Site};
use crate::fields::{Ctx, Located};
use crate::raw::{parse_skill, parse_track};

/// One content file: its path as it should appear in messages, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// `track.toml` files define tracks; every other file is a skill file.
    pub fn is_track(&self) -> bool {
        Path::new(&self.path)
            .file_name()
            .is_some_and(|n| n == "track.toml")
    }

    /// The directory the file sits in, which ties a skill file to its track.
    fn dir(&self) -> String {
        Path::new(&self.path)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Checks all files together. Tracks are read first, so skill files may come in any order.
pub fn check(files: &[SourceFile]) -> Result<Library, Vec<Diagnostic>> {
    check_with_unreadable(files, &[])
}

/// Like [`check`], knowing which files could not be read (reported by the caller): skill
/// files next to an unreadable `track.toml` are still checked, without a second complaint
/// that their track is missing.
pub fn check_with_unreadable(
    files: &[SourceFile],
    unreadable: &[String],
) -> Result<Library, Vec<Diagnostic>> {
    let mut state = State::default();
    for path in unreadable {
        let file = SourceFile::new(path.as_str(), "");
        if file.is_track() {
            state.track_dirs.insert(file.dir(), None);
        }
    }
    for file in files.iter().filter(|f| f.is_track()) {
        state.track_file(file);
    }
    for file in files.iter().filter(|f| !f.is_track()) {
        state.skill_file(file);
    }
    let State {
        library,
        mut diags,
        prerequisites,
        ..
    } = state;
    diags.extend(graph::check_prerequisites(&library, &prerequisites));
    if diags.is_empty() {
        Ok(library)
    } else {
        diags.sort();
        diags.dedup();
        Err(diags)
    }
}

/// What the files checked so far have given.
#[derive(Default)]
struct State {
    library: Library,
    diags: Vec<Diagnostic>,
    ids: Registries,
    /// Directory of every `track.toml`, valid or not, and its track's index if valid.
    track_dirs: HashMap<String, Option<usize>>,
    prerequisites: Vec<skill::Prerequisite>,
}

impl State {
    fn track_file(&mut self, file: &SourceFile) {
        let parsed = parse_track(&file.path, &file.text);
        self.diags.extend(parsed.diagnostics);
        let mut cx = Ctx::new(&file.path);
        let track = parsed
            .value
            .and_then(|raw| track::check(&mut cx, &raw, &mut self.ids));
        let index = track.map(|t| {
            self.library.tracks.push(t);
            self.library.tracks.len() - 1
        });
        self.track_dirs.insert(file.dir(), index);
        self.diags.extend(cx.diags);
    }

    fn skill_file(&mut self, file: &SourceFile) {
        let parsed = parse_skill(&file.path, &file.text);
        self.diags.extend(parsed.diagnostics);
        let mut cx = Ctx::new(&file.path);
        // A track.toml that is present but broken has been reported already.
        let track = match self.track_dirs.get(&file.dir()) {
            Some(index) => index.map(|i| &self.library.tracks[i]),
            None => {
                let message = format!(
                    "skill file outside a track: no track.toml in {:?}",
                    file.dir()
                );
                cx.error(crate::Loc::START, message);
                None
            }
        };
        if let Some(raw) = parsed.value {
            let checked = skill::check_file(&mut cx, &raw, track, &mut self.ids);
            self.prerequisites.extend(checked.prerequisites);
            self.library.skills.extend(checked.skill);
            self.library.items.extend(checked.items);
            self.library.resources.extend(checked.resources);
        }
        self.diags.extend(cx.diags);
    }
}

/// Where each id was first defined, per kind, so that a duplicate can name the original.
#[derive(Default)]
pub(crate) struct Registries {
    tracks: Registry,
    skills: Registry,
    items: Registry,
    resources: Registry,
}

#[derive(Default)]
pub(crate) struct Registry(HashMap<String, Site>);

impl Registry {
    /// Records `id` at `site`, or reports it as a duplicate of an earlier definition.
    fn claim(&mut self, cx: &mut Ctx, kind: &str, id: &Located<String>) -> bool {
        let site = Site {
            path: cx.path.to_owned(),
            loc: id.loc,
        };
        match self.0.get(&id.value) {
            Some(first) => {
                cx.error(
                    id.loc,
                    format!(
                        "duplicate {kind} id {:?}: first defined at {first}",
                        id.value
                    ),
                );
                false
            }
            None => {
                self.0.insert(id.value.clone(), site);
                true
            }
        }
    }
}

/// Parses an id with the engine's rules, reporting an invalid one at its position.
pub(crate) fn parse_id<T>(
    cx: &mut Ctx,
    id: &Located<String>,
    parse: fn(&str) -> Result<T, ParseError>,
) -> Option<T> {
    match parse(&id.value) {
        Ok(v) => Some(v),
        Err(e) => {
            cx.error(id.loc, e.to_string());
            None
        }
    }
}

/// Reports an empty (or whitespace-only) text.
pub(crate) fn non_empty(cx: &mut Ctx, key: &str, text: &Option<Located<String>>) -> Option<String> {
    let text = text.as_ref()?;
    if text.value.trim().is_empty() {
        cx.error(text.loc, format!("`{key}` is empty"));
        None
    } else {
        Some(text.value.clone())
    }
}

#[cfg(test)]
mod tests;
