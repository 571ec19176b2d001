use super::*;
use crate::app::commands::{Cmd, Reach};

fn ok(name: &str, args: &str) -> ParsedCommand {
    parse(name, args).unwrap_or_else(|e| panic!("/{name} {args}: {e}"))
}

fn err(name: &str, args: &str) -> String {
    match parse(name, args) {
        Ok(p) => panic!("/{name} {args} was accepted: {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_example_parses_and_keeps_its_arguments() {
    for spec in CATALOGUE {
        let parsed = ok(spec.name, spec.example);
        assert_eq!(parsed.cmd(), spec.cmd);
        if spec.subs.is_empty() {
            assert_eq!(parsed.args, spec.example, "/{}", spec.name);
        }
    }
}

#[test]
fn commands_are_found_by_name_alias_and_case() {
    assert_eq!(ok("Why", "phishing").cmd(), Cmd::Why);
    assert_eq!(ok("/progress", "").cmd(), Cmd::Progress);
    assert_eq!(ok("exit", "").cmd(), Cmd::Quit);
    assert!(super::super::find("exit").is_some_and(|c| c.reach == Reach::Demo));
}

#[test]
fn arguments_are_typed() {
    let p = ok("vote", "#3 UP");
    assert_eq!(p.value("id"), Some(&Value::Integer(3)));
    assert_eq!(p.value("vote"), Some(&Value::Choice("up")));
    let p = ok("ask", "phishing  How do I\nreport it?");
    assert_eq!(p.value("skill"), Some(&Value::Text("phishing".into())));
    assert_eq!(
        p.value("question"),
        Some(&Value::Text("How do I\nreport it?".into()))
    );
    assert_eq!(p.args, "phishing  How do I\nreport it?");
    let p = ok("leaderboard", "all teams");
    assert_eq!(p.value("view"), Some(&Value::Choice("all teams")));
    let p = ok("settings", "cap default");
    assert_eq!(p.value("value"), Some(&Value::Default));
}

#[test]
fn subcommands_are_canonical_in_what_the_use_case_reads() {
    let p = ok("settings", "TZ Europe/Paris");
    assert_eq!(p.path, vec!["timezone"]);
    assert_eq!(p.args, "timezone Europe/Paris");
    let p = ok("settings", "show");
    assert_eq!(p.args, "");
    assert_eq!(ok("settings", "").args, "");
    assert_eq!(ok("privacy", "").args, "");
    let p = ok("admin", "member add Demo team <@42>");
    assert_eq!(p.path, vec!["member", "add"]);
    assert_eq!(p.value("team"), Some(&Value::Text("Demo team".into())));
    assert_eq!(p.value("user"), Some(&Value::Text("<@42>".into())));
    assert_eq!(p.args, "member add Demo team <@42>");
}

#[test]
fn optional_values_that_do_not_fit_are_left_to_the_use_case() {
    // Either order of the notices' words, as the use case accepts.
    let p = ok("settings", "notices off expert");
    assert_eq!(p.value("on"), Some(&Value::Boolean(false)));
    assert_eq!(p.args, "notices off expert");
    assert_eq!(ok("review", "abc right").args, "abc right");
    assert_eq!(ok("leaderboard", "whatever").args, "whatever");
    assert_eq!(ok("settings", "pause").args, "pause");
}

#[test]
fn bad_arguments_get_the_usage_line() {
    assert_eq!(err("why", ""), "Missing SKILL. Usage: /why SKILL");
    let said = err("settings", "cap 9");
    assert!(said.contains("\"9\" is not a number from 1 to 5"), "{said}");
    assert!(said.ends_with("Usage: /settings cap N|default"), "{said}");
    let said = err("vote", "3 sideways");
    assert!(said.contains("Usage: /vote ID up|down"), "{said}");
    let said = err("admin", "grant ada boss");
    assert!(said.contains("\"boss\" is not a role"), "{said}");
    let said = err("admin", "");
    assert!(
        said.starts_with("Usage: /admin list | team add NAME"),
        "{said}"
    );
    let said = err("admin", "team");
    assert!(
        said.starts_with("Usage: /admin team add NAME | team channel"),
        "{said}"
    );
    let said = err("settings", "timzone UTC");
    assert!(said.contains("Did you mean timezone?"), "{said}");
    assert!(err("accept", "abc").contains("Usage: /accept ID"));
}

#[test]
fn unknown_commands_get_a_suggestion_when_one_is_close() {
    assert_eq!(
        err("progres", ""),
        "Unknown command /progres. Did you mean /progress?"
    );
    assert_eq!(suggest("hepl"), Some("help"));
    assert_eq!(suggest("setting"), Some("settings"));
    assert_eq!(suggest("dance"), None);
    assert_eq!(suggest(""), None);
    let said = err("<@everyone>\u{202e}", "");
    assert!(!said.contains('\u{202e}'), "{said}");
    assert!(said.contains("Type /help"), "{said}");
}

#[test]
fn distance_counts_swaps_as_one_edit() {
    assert_eq!(distance("quti", "quit"), 1);
    assert_eq!(distance("", "abc"), 3);
    assert_eq!(distance("kitten", "sitting"), 3);
}
