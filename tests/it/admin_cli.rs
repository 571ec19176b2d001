//! `ladder staff ...` through the real binary on a SQLite file: the bootstrap of teams,
//! members and grants, its idempotence, and each refusal with exit code 1.

use chrono::{TimeZone, Utc};
use ladder::platform::Platform;
use ladder::store::{self, NewLearner, Preferences, RoleKind, RoleScope, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

const GUILD: &str = "111";
const OTHER_GUILD: &str = "222";

struct Db {
    dir: tempfile::TempDir,
    url: String,
}

impl Db {
    /// A SQLite file where users 42 and 43 joined guild 111, and 99 joined guild 222.
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
        block_on(async {
            let s = store::connect(&url).await.unwrap();
            for (guild, user) in [(GUILD, "42"), (GUILD, "43"), (OTHER_GUILD, "99")] {
                let t = s
                    .upsert_tenant(Platform::Discord, guild, guild)
                    .await
                    .unwrap();
                s.add_learner(NewLearner {
                    tenant: t.id,
                    platform_user: user.into(),
                    display_name: format!("user {user}"),
                    prefs: Preferences::default(),
                    joined_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
                })
                .await
                .unwrap();
            }
        });
        Db { dir, url }
    }

    /// Runs `ladder staff ARGS --tenant GUILD --db URL` from an empty directory, so that
    /// no `ladder.toml` or `content/` of the checkout is picked up.
    fn staff(&self, args: &[&str], guild: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ladder"))
            .arg("staff")
            .args(args)
            .args(["--tenant", guild, "--db", &self.url])
            .current_dir(self.dir.path())
            .env_remove("LADDER_DATABASE_URL")
            .output()
            .expect("the ladder binary runs")
    }

    fn store(&self) -> Arc<dyn Store> {
        block_on(store::connect(&self.url)).unwrap()
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Runtime::new().unwrap().block_on(f)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "failed: {}", stderr(&out));
    stdout(&out)
}

fn refused(out: Output) -> String {
    assert_eq!(out.status.code(), Some(1), "stdout: {}", stdout(&out));
    stderr(&out)
}

fn content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

#[test]
fn an_operator_sets_up_a_team_with_members_and_a_manager() {
    let db = Db::new();
    let add = [
        "team",
        "add",
        "--name",
        "Blue",
        "--channel",
        "555",
        "--leaderboard-cron",
        "0 9 * * MON",
    ];
    let said = ok(db.staff(&add, GUILD));
    assert!(said.contains("created team \"Blue\""), "{said}");
    assert!(said.contains("channel 555"), "{said}");
    let again = ok(db.staff(&add, GUILD));
    assert!(again.contains("nothing changed"), "{again}");

    let members = ["team", "members", "--team", "blue", "--add", "42", "43"];
    let said = ok(db.staff(&members, GUILD));
    assert!(said.contains("added 42 to team \"Blue\""), "{said}");
    assert!(said.contains("added 43 to team \"Blue\""), "{said}");
    let again = ok(db.staff(&members, GUILD));
    assert_eq!(again.matches("nothing changed").count(), 2, "{again}");

    let grant = [
        "grant", "--user", "42", "--role", "manager", "--team", "Blue",
    ];
    let said = ok(db.staff(&grant, GUILD));
    assert!(
        said.contains("42 is now manager of team \"Blue\""),
        "{said}"
    );
    assert!(ok(db.staff(&grant, GUILD)).contains("nothing changed"));
    let admin = ["grant", "--user", "43", "--role", "admin"];
    ok(db.staff(&admin, GUILD));

    let list = ok(db.staff(&["list"], GUILD));
    assert!(
        list.contains("Blue (channel 555, leaderboard cron \"0 9 * * MON\"); members: 42, 43"),
        "{list}"
    );
    assert!(list.contains("42 is manager of team \"Blue\""), "{list}");
    assert!(list.contains("43 is admin across the tenant"), "{list}");

    // What the service reads: the team, its channel and cron, members and grants.
    let s = db.store();
    let (team, roles) = block_on(async {
        let t = s
            .find_tenant(Platform::Discord, GUILD)
            .await
            .unwrap()
            .unwrap();
        let team = s.teams(t.id).await.unwrap().remove(0);
        let who = s
            .learner_by_platform_user(t.id, "42")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.members(team.id).await.unwrap().len(), 2);
        (team.clone(), s.roles(who.id).await.unwrap())
    });
    assert_eq!(team.channel_id.as_deref(), Some("555"));
    assert_eq!(team.leaderboard_cron.as_deref(), Some("0 9 * * MON"));
    assert_eq!(roles.len(), 1);
    assert_eq!(
        (roles[0].kind, &roles[0].scope),
        (RoleKind::Manager, &RoleScope::Team(team.id))
    );

    let revoke = [
        "grant", "--user", "42", "--role", "manager", "--team", "Blue", "--revoke",
    ];
    assert!(ok(db.staff(&revoke, GUILD)).contains("42 is no longer manager"));
    let remove = ["team", "members", "--team", "Blue", "--remove", "43"];
    assert!(ok(db.staff(&remove, GUILD)).contains("removed 43"));
    let list = ok(db.staff(&["list"], GUILD));
    assert!(list.contains("members: 42\n"), "{list}");
    assert!(!list.contains("42 is manager"), "{list}");
}

#[test]
fn each_mistake_is_refused_with_a_clear_reason() {
    let db = Db::new();
    ok(db.staff(&["team", "add", "--name", "Blue"], GUILD));
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (vec!["list"], "333", "nobody from tenant 333 has joined yet"),
        (
            vec!["grant", "--user", "77", "--role", "admin"],
            GUILD,
            "user 77 has not joined yet: they run /join first",
        ),
        // 99 joined, but another guild: not a person of this tenant.
        (
            vec!["team", "members", "--team", "Blue", "--add", "99"],
            GUILD,
            "user 99 has not joined yet",
        ),
        (
            vec![
                "grant", "--user", "42", "--role", "manager", "--team", "Red",
            ],
            GUILD,
            "there is no team called \"Red\"",
        ),
        (
            vec!["team", "members", "--team", "Blue", "--add", "42"],
            OTHER_GUILD,
            "there is no team called \"Blue\"",
        ),
        (
            vec![
                "team",
                "add",
                "--name",
                "Red",
                "--leaderboard-cron",
                "every monday",
            ],
            GUILD,
            "\"every monday\" is not a cron schedule",
        ),
        (
            vec!["team", "add", "--name", "Red", "--channel", "general"],
            GUILD,
            "\"general\" is not a channel id",
        ),
        (
            vec![
                "grant", "--user", "42", "--role", "expert", "--skill", "juggling",
            ],
            GUILD,
            "there is no skill \"juggling\"",
        ),
        (
            vec![
                "grant", "--user", "42", "--role", "manager", "--skill", "phishing",
            ],
            GUILD,
            "a manager grant names a team",
        ),
    ];
    let content = content();
    for (args, guild, expected) in cases {
        let mut args = args;
        args.extend(["--content", content.to_str().unwrap()]);
        let err = refused(db.staff(&args, guild));
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // Nothing was written by the refusals.
    let list = ok(db.staff(&["list"], GUILD));
    assert!(!list.contains("Red"), "{list}");
    assert!(list.contains("Grants:\n- (none)"), "{list}");
}

#[test]
fn skills_are_checked_against_content_when_there_is_some() {
    let db = Db::new();
    let content = content();
    let known = [
        "grant", "--user", "42", "--role", "expert", "--skill", "phishing",
    ];
    let mut with_content = known.to_vec();
    with_content.extend(["--content", content.to_str().unwrap()]);
    assert!(ok(db.staff(&with_content, GUILD)).contains("42 is now expert of skill phishing"));
    // No content at hand (an empty working directory): the id is taken as given.
    let unknown = [
        "grant", "--user", "43", "--role", "expert", "--skill", "juggling",
    ];
    assert!(ok(db.staff(&unknown, GUILD)).contains("43 is now expert of skill juggling"));
}

#[test]
fn an_existing_team_keeps_its_settings_and_says_so() {
    let db = Db::new();
    ok(db.staff(
        &["team", "add", "--name", "Blue", "--channel", "555"],
        GUILD,
    ));
    let err = refused(db.staff(
        &["team", "add", "--name", "Blue", "--channel", "556"],
        GUILD,
    ));
    assert!(err.contains("nothing changed"), "{err}");
    assert!(ok(db.staff(&["list"], GUILD)).contains("channel 555"));
}
