//! `ladder serve` with Slack credentials: refused with what is missing when they are
//! incomplete, and without any platform it names both platforms' variables. Tokens are
//! never printed.

use std::process::Command;

fn serve(env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ladder"));
    cmd.arg("serve").current_dir(dir.path());
    for var in [
        "DISCORD_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn without_any_platform_serve_names_every_variable() {
    let (ok, stderr) = serve(&[]);
    assert!(!ok);
    for var in [
        "DISCORD_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
    ] {
        assert!(stderr.contains(var), "{var} not named: {stderr}");
    }
    assert!(stderr.contains("README"), "{stderr}");
}

#[test]
fn a_half_configured_slack_says_what_is_missing_without_printing_tokens() {
    let (ok, stderr) = serve(&[("SLACK_APP_TOKEN", "xapp-1-secret-value")]);
    assert!(!ok);
    assert!(stderr.contains("SLACK_BOT_TOKEN is not"), "{stderr}");
    assert!(!stderr.contains("xapp-1-secret-value"), "{stderr}");

    let (ok, stderr) = serve(&[("SLACK_BOT_TOKEN", "xoxb-secret-value")]);
    assert!(!ok);
    assert!(stderr.contains("SLACK_APP_TOKEN"), "{stderr}");
    assert!(!stderr.contains("xoxb-secret-value"), "{stderr}");

    let (ok, stderr) = serve(&[
        ("SLACK_BOT_TOKEN", "xoxb-secret-value"),
        ("SLACK_SIGNING_SECRET", "signing-secret-value"),
    ]);
    assert!(!ok);
    assert!(stderr.contains("http_listen"), "{stderr}");
    assert!(!stderr.contains("signing-secret-value"), "{stderr}");
}
