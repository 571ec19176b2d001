//! Build steps the compiler cannot see for itself:
//!
//! - Rebuilds when a migration is added: `sqlx::migrate!` embeds the files it finds at
//!   compile time, and cargo would otherwise not notice a new file in `migrations/`.
//! - Embeds the sample content: every `content/<track>/*.toml` becomes an `include_str!`
//!   entry of `$OUT_DIR/sample_content.rs`, so that the installed binary can run the demo
//!   from any directory. Generating the list here (instead of a directory-embedding crate)
//!   adds no dependency and costs one directory walk; `include_str!` makes cargo track
//!   each file's edits, and `rerun-if-changed=content` catches added or removed files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=content");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let files = sample_files(&root.join("content"));
    let mut code = String::from("/// `(path under content/, text)` of every sample file.\n");
    code.push_str("pub const FILES: &[(&str, &str)] = &[\n");
    for (relative, absolute) in &files {
        writeln!(code, "    ({relative:?}, include_str!({absolute:?})),").expect("to a String");
    }
    code.push_str("];\n");
    std::fs::write(out.join("sample_content.rs"), code).expect("OUT_DIR is writable");
}

/// `(track/file.toml, absolute path)` for each TOML file one level under `content/`,
/// sorted so that the generated file (and the checker's messages) are stable.
fn sample_files(content: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for track in sorted(content).into_iter().filter(|p| p.is_dir()) {
        let name = track
            .file_name()
            .expect("an entry")
            .to_string_lossy()
            .into_owned();
        for file in sorted(&track) {
            if file.is_file() && file.extension().is_some_and(|e| e == "toml") {
                let file_name = file.file_name().expect("an entry").to_string_lossy();
                files.push((
                    format!("{name}/{file_name}"),
                    file.to_string_lossy().into_owned(),
                ));
            }
        }
    }
    files
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}
