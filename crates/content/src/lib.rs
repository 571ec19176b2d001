//! Content files for Ladder: parsing, checking and importing.
//!
//! Module map:
//! - [`diagnostic`]: `Diagnostic` (`path:line:col: message`) and positions.
//! - [`node`]: a TOML document as a tree of positioned values.
//! - [`raw`]: `parse_track` / `parse_skill`, one file's text into raw positioned structs.
//! - [`check`]: `check(files)`, all files together into the engine's `Library`.
//! - [`import`]: GIFT and CSV question banks into items, and TOML output.
//! - [`load`]: `load_dir(dir)`, the only file-system access: read a directory, then check.
//! - [`mastery`]: `[mastery]` overrides and their key-by-key merge.
//!
//! Everything except the loader is pure: text in, values and diagnostics out.

pub mod check;
pub mod diagnostic;
mod fields;
pub mod import;
pub mod load;
pub mod mastery;
pub mod node;
pub mod raw;

pub use check::{check, SourceFile};
pub use diagnostic::{Diagnostic, Loc, Site};
pub use fields::Located;
pub use load::load_dir;
pub use raw::{parse_skill, parse_track, Parsed};
