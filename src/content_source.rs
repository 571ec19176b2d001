//! Where the tracks come from: a content directory on disk, or the sample tracks of the
//! repository's `content/`, compiled into the binary so that `ladder demo` works from any
//! directory (and after `cargo install`).
//!
//! Only the default directory falls back to the built-in tracks: a directory the user
//! named (`--content DIR`, `content_dir = …`) that does not exist is an error, so a typo
//! never silently swaps a team's content for the samples. Built-in files go through the
//! same checker as files on disk; their messages name them `<built-in>/track/file.toml`.

use ladder_content::{Diagnostic, SourceFile};
use ladder_engine::Library;
use std::fmt;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sample_content.rs"));
}

/// The directory used when none is given, relative to the working directory.
pub const DEFAULT_DIR: &str = "content";
/// How the built-in files are named in messages.
pub const BUILT_IN_PREFIX: &str = "<built-in>";

/// The content directory asked for, and whether the user chose it.
#[derive(Debug, Clone, Copy)]
pub enum ContentDir<'a> {
    /// Named by the user: it must exist.
    Given(&'a Path),
    /// Nobody chose it: when it holds no track, the built-in tracks are used.
    Default(&'a Path),
}

impl<'a> ContentDir<'a> {
    /// A configured directory: the default value counts as not chosen.
    pub fn from_setting(dir: &'a Path) -> Self {
        if dir == Path::new(DEFAULT_DIR) {
            ContentDir::Default(dir)
        } else {
            ContentDir::Given(dir)
        }
    }
}

/// Where a loaded library came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Dir(PathBuf),
    BuiltIn,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Dir(dir) => write!(f, "{}", dir.display()),
            Origin::BuiltIn => f.write_str("the built-in sample content"),
        }
    }
}

/// Why no library could be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("content directory {0} does not exist")]
    Missing(PathBuf),
    #[error("no tracks found in {0}: point it at a content directory (one folder per track)")]
    Empty(Origin),
    #[error("the content in {origin} did not load ({} problem(s))", problems.len())]
    Invalid {
        origin: Origin,
        problems: Vec<Diagnostic>,
    },
}

/// A checked library and where it came from.
#[derive(Debug)]
pub struct Loaded {
    pub library: Library,
    pub origin: Origin,
}

impl Loaded {
    /// One line for the person running the command when the built-in tracks are used.
    pub fn note(&self) -> Option<String> {
        (self.origin == Origin::BuiltIn).then(|| {
            format!(
                "note: no content directory found ({DEFAULT_DIR}/); using the built-in sample \
                 content ({} tracks). Use --content DIR for your own.",
                self.library.tracks.len()
            )
        })
    }
}

/// Loads and checks the content `dir` asks for.
#[tracing::instrument(skip_all)]
pub fn load(dir: ContentDir<'_>) -> Result<Loaded, LoadError> {
    let (dir, origin) = match dir {
        ContentDir::Given(dir) if !dir.is_dir() => return Err(LoadError::Missing(dir.into())),
        ContentDir::Given(dir) => (Some(dir), Origin::Dir(dir.into())),
        ContentDir::Default(dir) if has_track(dir) => (Some(dir), Origin::Dir(dir.into())),
        ContentDir::Default(_) => (None, Origin::BuiltIn),
    };
    let checked = match dir {
        Some(dir) => ladder_content::load_dir(dir),
        None => built_in(),
    };
    match checked {
        Ok(library) if library.tracks.is_empty() => Err(LoadError::Empty(origin)),
        Ok(library) => Ok(Loaded { library, origin }),
        Err(problems) => Err(LoadError::Invalid { origin, problems }),
    }
}

/// The built-in sample tracks, through the same checker as files on disk.
pub fn built_in() -> Result<Library, Vec<Diagnostic>> {
    ladder_content::check(&built_in_files())
}

/// The built-in files as the checker sees them.
pub fn built_in_files() -> Vec<SourceFile> {
    embedded::FILES
        .iter()
        .map(|(path, text)| SourceFile::new(format!("{BUILT_IN_PREFIX}/{path}"), *text))
        .collect()
}

/// Whether `dir` looks like a content directory: a folder with a `track.toml` in it.
fn has_track(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.path().join("track.toml").is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_tracks_are_the_repository_content() {
        let built_in = built_in().expect("the sample content checks");
        let on_disk =
            ladder_content::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_DIR))
                .expect("the repository content checks");
        assert!(!built_in.tracks.is_empty());
        assert_eq!(built_in.tracks.len(), on_disk.tracks.len());
        assert_eq!(built_in.items.len(), on_disk.items.len());
        assert_eq!(built_in.resources.len(), on_disk.resources.len());
    }

    #[test]
    fn only_the_default_directory_falls_back() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("content");
        let loaded = load(ContentDir::Default(&missing)).expect("falls back");
        assert_eq!(loaded.origin, Origin::BuiltIn);
        assert!(loaded.note().unwrap().contains("built-in sample content"));
        match load(ContentDir::Given(&missing)) {
            Err(LoadError::Missing(dir)) => assert_eq!(dir, missing),
            other => panic!("a named missing directory must fail: {other:?}"),
        }
        // A `content/` that is not a content directory (no track.toml) is not ours either.
        std::fs::create_dir_all(missing.join("posts")).unwrap();
        let loaded = load(ContentDir::Default(&missing)).unwrap();
        assert_eq!(loaded.origin, Origin::BuiltIn);
        assert!(matches!(
            load(ContentDir::Given(&missing)),
            Err(LoadError::Empty(_))
        ));
    }
}
