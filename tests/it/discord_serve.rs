//! `ladder serve` refuses to start without a Discord token, and says where to get one.

use std::process::Command;

#[test]
fn serve_without_a_token_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DISCORD_TOKEN is not set"), "{stderr}");
    assert!(stderr.contains("README"), "{stderr}");
}

#[test]
fn bad_shard_numbers_are_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["serve", "--shards", "0"])
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "never-used-token-value")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--shards"), "{stderr}");
    assert!(
        !stderr.contains("never-used-token-value"),
        "the token must not be printed"
    );
}

#[test]
fn a_configured_content_directory_that_is_missing_stops_serve() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .arg("serve")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "never-used-token-value")
        .env("LADDER_CONTENT_DIR", "/nonexistent/tracks")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content directory /nonexistent/tracks does not exist"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("built-in"),
        "a team's content is never silently replaced by the samples: {stderr}"
    );
}
