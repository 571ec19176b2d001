//! The layering order and the secret rules, as an operator would notice them.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const FILE: &str = r#"
content_dir = "tracks"

[delivery]
rate_per_sec = 2.5
workers = 4

[discord]
guild_ids = [111, 222]
"#;

#[test]
fn env_beats_file_beats_default() {
    let s = Settings::build(
        Some(("ladder.toml".into(), FILE)),
        env(&[
            ("LADDER_DELIVERY__RATE_PER_SEC", "7"),
            ("LADDER_DISCORD__GUILD_IDS", "333,444"),
            ("LADDER_DATABASE_URL", "postgres://ladder:pw@db/ladder"),
        ]),
    )
    .unwrap();
    assert_eq!(s.delivery.rate_per_sec, 7.0, "env wins over the file");
    assert_eq!(s.discord.guild_ids, vec![333, 444]);
    assert_eq!(s.delivery.workers, 4, "the file wins over the default");
    assert_eq!(s.content_dir, PathBuf::from("tracks"));
    assert_eq!(s.delivery.max_attempts, Delivery::default().max_attempts);
    assert_eq!(s.database_url.expose(), "postgres://ladder:pw@db/ladder");
}

#[test]
fn defaults_need_no_file_and_no_env() {
    let s = Settings::build(None, env(&[])).unwrap();
    assert_eq!(s, Settings::default());
    assert_eq!(s.database_url.expose(), "sqlite://ladder.db?mode=rwc");
}

#[test]
fn unrelated_ladder_variables_are_not_settings() {
    let s = Settings::build(
        None,
        env(&[
            ("LADDER_REVLOG", "/data/revlog.csv"),
            ("LADDER_LOG", "debug"),
            ("LADDER_TEST_POSTGRES_URL", "postgres://x"),
        ]),
    )
    .unwrap();
    assert_eq!(s, Settings::default());
}

#[test]
fn a_mistyped_key_is_reported_with_its_name() {
    let err = Settings::build(None, env(&[("LADDER_DELIVERY__RATE_PER_SECOND", "3")])).unwrap_err();
    assert!(err.to_string().contains("rate_per_second"), "{err}");
    let err = Settings::build(
        Some(("ladder.toml".into(), "[delivery]\nworkrs = 2\n")),
        env(&[]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("workrs"), "{err}");
}

#[test]
fn secrets_come_from_the_environment_only() {
    let file = "[discord]\ntoken = \"from-file\"\n";
    let err = Settings::build(Some(("ladder.toml".into(), file)), env(&[])).unwrap_err();
    assert!(err.to_string().contains("DISCORD_TOKEN"), "{err}");
    let from_env = Settings::build(None, env(&[("LADDER_DISCORD__TOKEN", "x")]));
    assert!(
        from_env.is_err(),
        "the token has one name only: DISCORD_TOKEN"
    );
    let with_password = "database_url = \"postgres://u:secretpw@db/x\"\n";
    let err = Settings::build(Some(("ladder.toml".into(), with_password)), env(&[])).unwrap_err();
    assert!(err.to_string().contains("LADDER_DATABASE_URL"), "{err}");
}

#[test]
fn printed_config_never_shows_a_secret() {
    let s = Settings::build(
        Some(("ladder.toml".into(), FILE)),
        env(&[
            ("DISCORD_TOKEN", "MTA5.discord-token-value"),
            ("SLACK_BOT_TOKEN", "xoxb-slack-token"),
            (
                "LADDER_DATABASE_URL",
                "postgres://ladder:db-password@db:5432/ladder",
            ),
        ]),
    )
    .unwrap();
    assert_eq!(
        s.discord.token.as_ref().unwrap().expose(),
        "MTA5.discord-token-value"
    );
    let printed = s.to_toml();
    for secret in [
        "MTA5.discord-token-value",
        "xoxb-slack-token",
        "db-password",
    ] {
        assert!(!printed.contains(secret), "{secret} leaked:\n{printed}");
        assert!(
            !format!("{s:?}").contains(secret),
            "{secret} leaked through Debug"
        );
    }
    assert!(printed.contains("token = \"[redacted]\""), "{printed}");
    assert!(printed.contains("postgres://ladder:[redacted]@db:5432/ladder"));
    let reparsed: toml::Table = printed.parse().expect("the output is valid TOML");
    assert_eq!(reparsed["delivery"]["workers"].as_integer(), Some(4));
}
