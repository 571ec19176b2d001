//! The thin loader: reads `<dir>/<track>/track.toml` and `<dir>/<track>/*.toml` from disk
//! (sorted, so messages come in a stable order) and hands the texts to [`crate::check`].
//!
//! A file that cannot be read (permissions, not UTF-8) is reported at its path and the
//! others are still checked, so one bad file never hides the problems of the rest.
//!
//! The only module of the crate that touches the file system.

use ladder_engine::Library;
use std::path::{Path, PathBuf};

use crate::check::{check_with_unreadable, SourceFile};
use crate::diagnostic::{Diagnostic, Loc};

/// What could be read from a content directory, and what could not.
#[derive(Debug, Default)]
pub struct ReadFiles {
    pub files: Vec<SourceFile>,
    /// Paths (as in messages) of the files that could not be read.
    pub unreadable: Vec<String>,
    /// One message per unreadable file or directory.
    pub problems: Vec<Diagnostic>,
}

/// Loads and checks every content file under `dir`. Paths in diagnostics start with `dir`
/// as given, so a relative `dir` gives relative paths.
#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
pub fn load_dir(dir: &Path) -> Result<Library, Vec<Diagnostic>> {
    let read = read_dir(dir);
    tracing::debug!(
        files = read.files.len(),
        unreadable = read.unreadable.len(),
        "read content files"
    );
    let mut problems = read.problems;
    match check_with_unreadable(&read.files, &read.unreadable) {
        Ok(library) if problems.is_empty() => Ok(library),
        Ok(_) => Err(problems),
        Err(found) => {
            problems.extend(found);
            problems.sort();
            Err(problems)
        }
    }
}

/// Reads the content files under `dir` without checking them.
#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
pub fn read_dir(dir: &Path) -> ReadFiles {
    let mut read = ReadFiles::default();
    let tracks = match sorted_entries(dir) {
        Ok(entries) => entries,
        Err(e) => {
            read.problems.push(io_error(dir, &e));
            return read;
        }
    };
    for track_dir in tracks.into_iter().filter(|p| p.is_dir()) {
        let entries = match sorted_entries(&track_dir) {
            Ok(entries) => entries,
            Err(e) => {
                read.problems.push(io_error(&track_dir, &e));
                continue;
            }
        };
        // Not only regular files: a dangling link named `*.toml` is reported, not skipped.
        let toml = entries
            .into_iter()
            .filter(|p| !p.is_dir() && p.extension().is_some_and(|e| e == "toml"));
        for path in toml {
            let label = path.display().to_string();
            match read_text(&path) {
                Ok(text) => read.files.push(SourceFile::new(label, text)),
                Err(problem) => {
                    read.problems.push(problem);
                    read.unreadable.push(label);
                }
            }
        }
    }
    read
}

/// The file's text, or why it has none: an I/O error at 1:1, or the position of the first
/// byte that is not UTF-8.
fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Valid up to here by definition.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let loc = Loc {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        };
        Diagnostic::new(
            path.display().to_string(),
            loc,
            "not UTF-8 text: content files must be saved as UTF-8",
        )
    })
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

fn io_error(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        path.display().to_string(),
        Loc::START,
        format!("cannot read: {err}"),
    )
}
