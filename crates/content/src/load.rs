//! The thin loader: reads `<dir>/<track>/track.toml` and `<dir>/<track>/*.toml` from disk
//! (sorted, so messages come in a stable order) and hands the texts to [`crate::check`].
//!
//! The only module of the crate that touches the file system.

use ladder_engine::Library;
use std::path::{Path, PathBuf};

use crate::check::{check, SourceFile};
use crate::diagnostic::{Diagnostic, Loc};

/// Loads and checks every content file under `dir`. Paths in diagnostics start with `dir`
/// as given, so a relative `dir` gives relative paths.
#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
pub fn load_dir(dir: &Path) -> Result<Library, Vec<Diagnostic>> {
    let files = read_dir(dir)?;
    tracing::debug!(files = files.len(), "read content files");
    check(&files)
}

/// Reads the content files under `dir` without checking them.
#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let tracks = match sorted_entries(dir) {
        Ok(entries) => entries,
        Err(e) => return Err(vec![io_error(dir, &e)]),
    };
    for track_dir in tracks.into_iter().filter(|p| p.is_dir()) {
        let entries = match sorted_entries(&track_dir) {
            Ok(entries) => entries,
            Err(e) => {
                diags.push(io_error(&track_dir, &e));
                continue;
            }
        };
        let toml = entries
            .into_iter()
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"));
        for path in toml {
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push(SourceFile::new(path.display().to_string(), text)),
                Err(e) => diags.push(io_error(&path, &e)),
            }
        }
    }
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
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
