//! The command surface is defined once (`ladder::app::commands`) and every platform shows
//! exactly that: Discord registers each command with the described options (and Discord's
//! published schema accepts the registration), `/help` names every command, Teams' lists
//! hold only catalogue commands within Teams' limits, the committed Slack manifest is the
//! generated one and names every command, and the terminal reads each command's example
//! while refusing bad arguments with the usage line. Through `App::handle` on SQLite and
//! Postgres, a mistyped command gets a suggestion and a bad argument the usage line.

use crate::staff_world;

use ladder::app::commands::{self, ArgKind, ArgSpec, Reach, CATALOGUE};
use ladder::platform::discord::commands as discord;
use ladder::platform::local::input::{parse_line, Line};
use ladder::platform::slack::manifest as slack;
use ladder::platform::teams::package;
use ladder::store::{RoleKind, RoleScope};
use serde_json::Value;
use staff_world::{actor, monday, on_both_stores, World};

fn registered() -> Vec<Value> {
    discord::all()
        .into_iter()
        .map(|c| serde_json::to_value(c).expect("a registration is JSON"))
        .collect()
}

/// Discord's option type for an argument.
fn option_type(a: &ArgSpec) -> u64 {
    match a.kind {
        ArgKind::Text | ArgKind::Choice(_) => 3,
        ArgKind::Integer { .. } => 4,
        ArgKind::Boolean => 5,
        ArgKind::User => 6,
        ArgKind::Channel => 7,
    }
}

fn check_options(args: &[ArgSpec], options: &[Value], at: &str) {
    assert_eq!(args.len(), options.len(), "{at}: {options:?}");
    // Discord wants required options first.
    let required: Vec<bool> = options.iter().map(|o| o["required"] == true).collect();
    assert!(required.windows(2).all(|w| w[0] || !w[1]), "{at}: order");
    for a in args {
        let o = options
            .iter()
            .find(|o| o["name"] == a.name)
            .unwrap_or_else(|| panic!("{at}: no option {}", a.name));
        assert_eq!(o["type"], option_type(a), "{at} {}", a.name);
        assert_eq!(o["description"], a.hint, "{at} {}", a.name);
        assert_eq!(o["required"] == true, a.required, "{at} {}", a.name);
        match a.kind {
            ArgKind::Text => {
                assert_eq!(o["max_length"], a.max_len.unwrap_or(200), "{at} {}", a.name);
                let tz = a.complete == Some(commands::Complete::Timezone);
                assert_eq!(o["autocomplete"] == true, tz, "{at} {}", a.name);
            }
            ArgKind::Integer { min, max } => {
                assert_eq!(o["min_value"], min, "{at} {}", a.name);
                assert!(min >= 1, "ids and counts start at 1");
                if let Some(max) = max {
                    assert_eq!(o["max_value"], max, "{at} {}", a.name);
                }
            }
            ArgKind::Choice(picks) => {
                let values: Vec<&str> = o["choices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["value"].as_str().unwrap())
                    .collect();
                let expected: Vec<&str> = picks.iter().map(|p| p.value).collect();
                assert_eq!(values, expected, "{at} {}", a.name);
            }
            _ => {}
        }
    }
}

fn check_subs(subs: &[commands::SubSpec], options: &[Value], at: &str) {
    assert_eq!(subs.len(), options.len(), "{at}");
    for (s, o) in subs.iter().zip(options) {
        let at = format!("{at} {}", s.name);
        assert_eq!(o["name"], s.name, "{at}");
        assert_eq!(o["description"], s.description, "{at}");
        let inner = o["options"].as_array().cloned().unwrap_or_default();
        if s.subs.is_empty() {
            assert_eq!(o["type"], 1, "{at}: a subcommand");
            check_options(s.args, &inner, &at);
        } else {
            assert_eq!(o["type"], 2, "{at}: a group");
            check_subs(s.subs, &inner, &at);
        }
    }
}

#[test]
fn every_catalogue_command_is_registered_on_discord_as_described() {
    let registered = registered();
    let everywhere: Vec<_> = CATALOGUE
        .iter()
        .filter(|c| c.reach == Reach::Everywhere)
        .collect();
    assert_eq!(registered.len(), everywhere.len());
    for (spec, json) in everywhere.iter().zip(&registered) {
        assert_eq!(json["name"], spec.name);
        assert_eq!(json["description"], spec.description);
        assert_eq!(
            json["contexts"],
            serde_json::json!([0, 1]),
            "guild and bot DM"
        );
        let options = json["options"].as_array().cloned().unwrap_or_default();
        if spec.subs.is_empty() {
            check_options(spec.args, &options, spec.name);
        } else {
            check_subs(spec.subs, &options, spec.name);
        }
    }
    for spec in CATALOGUE.iter().filter(|c| c.reach != Reach::Everywhere) {
        assert!(
            registered.iter().all(|j| j["name"] != spec.name),
            "/{} is typed only",
            spec.name
        );
    }
}

#[test]
fn the_registration_validates_against_discords_published_schema() {
    let Ok(path) = std::env::var("LADDER_DISCORD_SPEC") else {
        eprintln!("skipping: set LADDER_DISCORD_SPEC to Discord's OpenAPI description");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("the spec reads");
    let spec: Value = serde_json::from_str(&text).expect("the spec is JSON");
    let url = "https://discord.com/openapi.json";
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(url, spec).unwrap();
    let index = compiler
        .compile(
            &format!("{url}#/components/schemas/ApplicationCommandCreateRequest"),
            &mut schemas,
        )
        .expect("the schema compiles");
    for json in registered() {
        if let Err(e) = schemas.validate(&json, index) {
            panic!(
                "/{} is refused by the schema: {e:#}\n{json:#}",
                json["name"]
            );
        }
    }
}

#[test]
fn teams_lists_only_catalogue_commands_within_its_limits() {
    let id = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    let manifest = package::manifest(&package::PackageInfo {
        app_id: id.into(),
        name: "Ladder".into(),
        domain: "ladder.example.com".into(),
        version: "1.0.0".into(),
    })
    .unwrap();
    let lists = manifest["bots"][0]["commandLists"].as_array().unwrap();
    assert!(!lists.is_empty() && lists.len() <= 2);
    for list in lists {
        let cmds = list["commands"].as_array().unwrap();
        assert!(!cmds.is_empty() && cmds.len() <= package::LIST_MAX);
        for c in cmds {
            let title = c["title"].as_str().unwrap();
            let description = c["description"].as_str().unwrap();
            assert!(title.chars().count() <= package::TITLE_MAX, "{title}");
            assert!(description.chars().count() <= package::DESCRIPTION_MAX);
            let spec = commands::find(title).unwrap_or_else(|| panic!("{title} is listed"));
            assert_eq!(spec.reach, Reach::Everywhere, "{title}");
            assert_eq!(description, spec.description);
        }
    }
}

#[test]
fn the_committed_slack_manifest_is_the_generated_one() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["manifest", "slack"])
        .output()
        .expect("ladder runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("slack/manifest.yml");
    let committed = std::fs::read_to_string(&path).expect("slack/manifest.yml exists");
    assert_eq!(
        committed, generated,
        "slack/manifest.yml is stale: run `ladder manifest slack > slack/manifest.yml`"
    );
    let hint = committed
        .lines()
        .find_map(|l| l.trim().strip_prefix("usage_hint: "))
        .expect("a usage hint")
        .trim_matches('"');
    assert!(hint.chars().count() <= slack::USAGE_HINT_MAX);
    for spec in CATALOGUE.iter().filter(|c| c.reach != Reach::Demo) {
        let named = hint
            .split(" | ")
            .any(|form| form.split(' ').next() == Some(spec.name));
        assert!(named, "/{} is not in the usage hint {hint}", spec.name);
    }
    assert!(committed.contains("command: /ladder"));
    assert!(committed.contains("socket_mode_enabled: true"));
}

#[test]
fn the_terminal_reads_every_example_and_refuses_bad_arguments() {
    for spec in CATALOGUE {
        let line = format!("/{} {}", spec.name, spec.example);
        match parse_line(&line) {
            Line::Usage(said) => panic!("{line}: {said}"),
            Line::BadSkip(s) => panic!("{line}: bad skip {s}"),
            _ => {}
        }
    }
    for (line, usage) in [
        ("/why", "Usage: /why SKILL"),
        ("/resources", "Usage: /resources SKILL"),
        ("/search", "Usage: /search TEXT"),
        ("/settings cap 7", "Usage: /settings cap N|default"),
        ("/settings mention maybe", "Usage: /settings mention on|off"),
        ("/vote 3", "Usage: /vote ID up|down"),
        ("/accept first", "Usage: /accept ID"),
        ("/privacy leaderboard", "Usage: /privacy leaderboard on|off"),
        (
            "/admin member add Blue",
            "Usage: /admin member add TEAM USER",
        ),
    ] {
        match parse_line(line) {
            Line::Usage(said) => assert!(said.ends_with(usage), "{line}: {said}"),
            other => panic!("{line} was accepted: {other:?}"),
        }
    }
    assert_eq!(
        parse_line("/sttings"),
        Line::Usage("Unknown command /sttings. Did you mean /settings?".into())
    );
    assert_eq!(
        parse_line("/leaderbord all"),
        Line::Usage("Unknown command /leaderbord. Did you mean /leaderboard?".into())
    );
}

#[tokio::test]
async fn help_suggestions_and_usage_through_the_app() {
    on_both_stores("command_surface", |store| async move {
        let w = World::new(store, monday(9, 0));
        w.enrol(&[("acme", "ada"), ("acme", "boss")]).await;
        w.grant("acme", "boss", RoleKind::Admin, RoleScope::Tenant)
            .await;
        let ada = actor("acme", "ada", &[]);
        let help = w.cmd(&ada, "help", "").await;
        for spec in CATALOGUE.iter().filter(|c| c.reach != Reach::Demo) {
            assert!(
                help.contains(&format!("/{}", spec.name)),
                "/{}: {help}",
                spec.name
            );
        }
        assert!(!help.contains("For admins"), "{help}");
        let boss = actor("acme", "boss", &["admin"]);
        let help = w.cmd(&boss, "help", "").await;
        assert!(help.contains("For admins"), "{help}");
        assert!(help.contains("teams, channels, leaderboard cron"), "{help}");

        let said = w.cmd(&ada, "progres", "").await;
        assert!(said.contains("Did you mean /progress?"), "{said}");
        let said = w.cmd(&ada, "why", "").await;
        assert!(said.contains("Usage: /why SKILL"), "{said}");
        // Every example reaches its use case: no usage line, no failure.
        for spec in CATALOGUE {
            let said = w.cmd(&boss, spec.name, spec.example).await;
            assert!(
                !said.contains("Usage: /"),
                "/{} {}: {said}",
                spec.name,
                spec.example
            );
            assert!(!said.contains("went wrong"), "/{}: {said}", spec.name);
            assert!(!said.contains("know the command"), "/{}: {said}", spec.name);
        }
    })
    .await;
}
