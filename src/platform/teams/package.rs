//! The Teams app package an administrator uploads: a zip of `manifest.json` (whose bot id
//! is the app registration's id, installable for a person and in teams) and its two icons,
//! drawn here (192×192 colour, 32×32 white outline on transparent) so no binary asset has
//! to be kept in the repository.

use std::io::{Cursor, Write};

use image::{ImageBuffer, Rgba, RgbaImage};
use serde_json::{json, Value};

use crate::app::commands::{self, Role};
use crate::platform::text::truncate;

/// Manifest schema version written.
pub const MANIFEST_VERSION: &str = "1.17";
pub const COLOR_ICON: &str = "color.png";
pub const OUTLINE_ICON: &str = "outline.png";
/// Ladder's accent colour (the colour icon's background).
const ACCENT: [u8; 3] = [0x2B, 0x6C, 0xB0];

/// Teams' limits on a bot's command lists (app manifest schema 1.17): ten commands a
/// list, a title of 32 characters, a description of 128.
pub const LIST_MAX: usize = 10;
pub const TITLE_MAX: usize = 32;
pub const DESCRIPTION_MAX: usize = 128;

/// The commands Teams suggests in the compose box, derived from the catalogue: the first
/// ten learners' commands registered everywhere, as (title, description).
pub fn command_list() -> Vec<(String, String)> {
    commands::registered()
        .filter(|c| c.role == Role::Learner)
        .take(LIST_MAX)
        .map(|c| {
            (
                truncate(c.name, TITLE_MAX),
                truncate(c.description, DESCRIPTION_MAX),
            )
        })
        .collect()
}

/// What the package is built from.
#[derive(Debug, Clone)]
pub struct PackageInfo {
    /// The Microsoft App ID (also the Teams app id).
    pub app_id: String,
    pub name: String,
    /// The public host name in front of `ladder serve` (valid domain, developer pages).
    pub domain: String,
    /// The package version (`major.minor.patch`).
    pub version: String,
}

/// Why a package could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{0}")]
    Invalid(String),
    #[error("writing the package: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the package: {0}")]
    Io(#[from] std::io::Error),
    #[error("drawing the icons: {0}")]
    Image(#[from] image::ImageError),
}

/// The manifest for `info`.
pub fn manifest(info: &PackageInfo) -> Result<Value, PackageError> {
    let guid = info.app_id.trim();
    if !is_guid(guid) {
        return Err(PackageError::Invalid(format!(
            "TEAMS_APP_ID must be the app registration's Application (client) ID, a GUID; \
             got {guid:?}"
        )));
    }
    let domain = info
        .domain
        .trim()
        .trim_start_matches("https://")
        .trim_end_matches('/');
    if domain.is_empty() || domain.contains('/') || domain.contains(char::is_whitespace) {
        return Err(PackageError::Invalid(
            "set [teams] domain (LADDER_TEAMS__DOMAIN) to the public host name in front of \
             `ladder serve`, e.g. ladder.example.com"
                .into(),
        ));
    }
    let name: String = info.name.chars().take(30).collect();
    let commands: Vec<Value> = command_list()
        .iter()
        .map(|(title, description)| json!({"title": title, "description": description}))
        .collect();
    Ok(json!({
        "$schema": format!(
            "https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
        ),
        "manifestVersion": MANIFEST_VERSION,
        "version": info.version,
        "id": guid,
        "developer": {
            "name": name,
            "websiteUrl": format!("https://{domain}/"),
            "privacyUrl": format!("https://{domain}/privacy"),
            "termsOfUseUrl": format!("https://{domain}/terms"),
        },
        "name": { "short": name, "full": format!("{name}: mastery-based practice") },
        "description": {
            "short": "A few questions a day until you master what matters.",
            "full": "Ladder sends each learner a few questions a day, spaced so that what \
                     they learn stays learned, tracks mastery per skill, and gives managers \
                     and experts their team's picture and review queue.",
        },
        "icons": { "color": COLOR_ICON, "outline": OUTLINE_ICON },
        "accentColor": format!("#{:02X}{:02X}{:02X}", ACCENT[0], ACCENT[1], ACCENT[2]),
        "bots": [{
            "botId": guid,
            "scopes": ["personal", "team"],
            "supportsFiles": false,
            "isNotificationOnly": false,
            "commandLists": [
                { "scopes": ["personal"], "commands": commands },
                { "scopes": ["team"], "commands": commands },
            ],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
    }))
}

/// The zip: `manifest.json`, `color.png`, `outline.png` at its root.
pub fn build(info: &PackageInfo) -> Result<Vec<u8>, PackageError> {
    let manifest = serde_json::to_vec_pretty(&manifest(info)?)
        .map_err(|e| PackageError::Invalid(e.to_string()))?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // Stored: the PNGs are compressed already and the manifest is small.
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [
        ("manifest.json", manifest),
        (COLOR_ICON, png(&color_icon())?),
        (OUTLINE_ICON, png(&outline_icon())?),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5
        && parts
            .iter()
            .zip(lens)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Whether pixel (x, y) of a `size`-pixel square is on the ladder: two rails and rungs.
fn on_ladder(x: u32, y: u32, size: u32) -> bool {
    let unit = size as f32 / 32.0;
    let (x, y) = (x as f32 / unit, y as f32 / unit);
    let inside = (4.0..28.0).contains(&y);
    let rail = (9.0..12.0).contains(&x) || (20.0..23.0).contains(&x);
    let between = (9.0..23.0).contains(&x);
    let rung = [7.0, 13.0, 19.0, 25.0]
        .iter()
        .any(|r| (*r..*r + 2.0).contains(&y));
    inside && (rail || (between && rung))
}

/// 192×192: a white ladder on the accent colour.
pub fn color_icon() -> RgbaImage {
    ImageBuffer::from_fn(192, 192, |x, y| {
        if on_ladder(x, y, 192) {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([ACCENT[0], ACCENT[1], ACCENT[2], 255])
        }
    })
}

/// 32×32: the ladder in white on transparent, as Teams requires of outline icons.
pub fn outline_icon() -> RgbaImage {
    ImageBuffer::from_fn(32, 32, |x, y| {
        if on_ladder(x, y, 32) {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}

fn png(img: &RgbaImage) -> Result<Vec<u8>, PackageError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageOutputFormat::Png)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(app_id: &str, domain: &str) -> PackageInfo {
        PackageInfo {
            app_id: app_id.into(),
            name: "Ladder".into(),
            domain: domain.into(),
            version: "1.0.0".into(),
        }
    }

    #[test]
    fn the_bot_id_is_the_app_id_and_bad_settings_are_named() {
        let id = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
        let m = manifest(&info(id, "https://ladder.example.com/")).unwrap();
        assert_eq!(m["bots"][0]["botId"], id);
        assert_eq!(m["validDomains"][0], "ladder.example.com");
        let err = manifest(&info("not-a-guid", "x.example")).unwrap_err();
        assert!(err.to_string().contains("TEAMS_APP_ID"), "{err}");
        let err = manifest(&info(id, "")).unwrap_err();
        assert!(err.to_string().contains("[teams] domain"), "{err}");
    }

    #[test]
    fn the_outline_icon_is_white_on_transparent() {
        let icon = outline_icon();
        assert!(icon
            .pixels()
            .all(|p| p.0 == [255, 255, 255, 255] || p.0[3] == 0));
        assert!(icon.pixels().any(|p| p.0[3] == 255));
    }
}
