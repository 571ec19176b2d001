//! `ladder teams package --out FILE` writes a zip an administrator can upload to Teams:
//! a valid JSON manifest whose bot id is `TEAMS_APP_ID`, installable for a person and in
//! teams, with the command list, and the two icons at the sizes Teams requires.

use std::io::Read;
use std::process::Command;

const APP_ID: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

fn package(env: &[(&str, &str)]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ladder"));
    cmd.args(["teams", "package", "--out", "ladder-teams.zip"])
        .current_dir(dir.path())
        .env_remove("TEAMS_APP_ID")
        .env_remove("LADDER_TEAMS__DOMAIN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    (cmd.output().unwrap(), dir)
}

#[test]
fn the_package_holds_a_manifest_for_this_bot_and_both_icons() {
    let (out, dir) = package(&[
        ("TEAMS_APP_ID", APP_ID),
        ("TEAMS_APP_PASSWORD", "secret-not-in-the-package"),
        ("LADDER_TEAMS__DOMAIN", "ladder.example.com"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.path().join("ladder-teams.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a zip");
    let mut names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(names, ["color.png", "manifest.json", "outline.png"]);

    let mut text = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).expect("the manifest is JSON");
    for field in [
        "$schema",
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
        "bots",
    ] {
        assert!(!m[field].is_null(), "the manifest lacks {field}");
    }
    assert_eq!(m["id"], APP_ID);
    assert_eq!(m["bots"][0]["botId"], APP_ID);
    assert_eq!(
        m["bots"][0]["scopes"],
        serde_json::json!(["personal", "team"])
    );
    assert!(m["name"]["short"].as_str().unwrap().len() <= 30);
    assert!(m["description"]["short"].as_str().unwrap().len() <= 80);
    assert!(m["description"]["full"].as_str().unwrap().len() <= 4000);
    assert_eq!(m["validDomains"][0], "ladder.example.com");
    for list in m["bots"][0]["commandLists"].as_array().unwrap() {
        let commands = list["commands"].as_array().unwrap();
        assert!(!commands.is_empty() && commands.len() <= 10);
        assert!(commands.iter().any(|c| c["title"] == "join"));
    }
    for url in ["websiteUrl", "privacyUrl", "termsOfUseUrl"] {
        assert!(m["developer"][url]
            .as_str()
            .unwrap()
            .starts_with("https://"));
    }
    assert!(!text.contains("secret-not-in-the-package"));

    for (name, size) in [
        (m["icons"]["color"].as_str().unwrap(), 192),
        (m["icons"]["outline"].as_str().unwrap(), 32),
    ] {
        let mut png = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut png).unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{name} is not a PNG: {e}"));
        assert_eq!((img.width(), img.height()), (size, size), "{name}");
    }
}

#[test]
fn without_an_app_id_or_domain_it_says_what_to_set() {
    let (out, dir) = package(&[("LADDER_TEAMS__DOMAIN", "ladder.example.com")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("TEAMS_APP_ID"));
    assert!(!dir.path().join("ladder-teams.zip").exists());

    let (out, _dir) = package(&[("TEAMS_APP_ID", APP_ID)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[teams] domain"));
}
