//! `ladder content check|import` through the real binary: exit codes, and problems printed
//! as `path:line:col: message` at the right place.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ladder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(args)
        .output()
        .expect("the ladder binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn repo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Track directories (those with a `track.toml`) under `dir`.
fn tracks(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.join("track.toml").is_file());
    out.sort();
    out
}

const TRACK: &str =
    "id = \"sec\"\ntitle = \"Security\"\n\n[[objective]]\nid = \"safe\"\ntitle = \"Stay safe\"\n";

const SKILL: &str = r#"[skill]
id = "phishing"
title = "Spot phishing"
objective = "safe"

[[item]]
id = "phishing-1"
stage = "novice"
type = "true_false"
prompt = "A misspelt sender domain is a warning sign."
answer = true
explanation = "Look-alike domains are a classic trick."
"#;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn check_reports_every_problem_of_a_broken_copy_with_positions() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    if tracks(&repo_content()).is_empty() {
        std::fs::create_dir_all(root.join("sec")).unwrap();
        std::fs::write(root.join("sec/track.toml"), TRACK).unwrap();
        std::fs::write(root.join("sec/phishing.toml"), SKILL).unwrap();
    } else {
        copy_dir(&repo_content(), &root);
    }
    let track = tracks(&root).remove(0);
    let mut skills: Vec<PathBuf> = std::fs::read_dir(&track)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.ends_with("track.toml"))
        .collect();
    skills.sort();
    let victim = &skills[0];
    let original = std::fs::read_to_string(victim).unwrap();
    let mut text = original.trim_end().to_owned();
    text.push_str("\n\n");
    let base = text.lines().count();
    text.push_str(
        "[[item]]\nid = \"broken-1\"\nstage = \"novice\"\ntype = \"single_choice\"\nprompt = \"Q?\"\n\
         options = [\"a\", \"b\"]\nanswer = \"c\"\nexplanation = \"E\"\nbogus = 1\n",
    );
    std::fs::write(victim, text).unwrap();

    let out = ladder(&["content", "check", root.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let path = victim.display();
    assert!(
        err.contains(&format!(
            "{path}:{}:10: answer \"c\" is not one of the options\n",
            base + 7
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{path}:{}:1: unknown key `bogus` in [[item]]\n",
            base + 9
        )),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "no summary when the content is broken"
    );
}

#[test]
fn the_repository_content_passes() {
    let content = repo_content();
    if tracks(&content).is_empty() {
        eprintln!(
            "skipped: {} has no tracks yet (sample content is added separately)",
            content.display()
        );
        return;
    }
    let out = ladder(&["content", "check", content.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("ok: ") && stdout.contains(" tracks, "),
        "{stdout}"
    );
}

const CSV: &str = "stage,type,prompt,options,answer\n\
competent,single_choice,Best first step after clicking a phishing link?,Ignore it|Report it|Delete it,Report it\n\
experienced,multi_select,Which make a reply-chain attack plausible?,Real thread|Typo domain|Your name,Real thread|Your name\n\
master,free_text,Coach a colleague who just clicked.,,Calm tone|Clear next steps\n";

const GIFT: &str = "// exported from Moodle\n\
::Report::Where do you report phishing? {=the report button =report button}\n\
\n\
::Pairs::Match the attack to its channel. {\n  =Phishing -> email\n  =Vishing -> phone\n}\n";

#[test]
fn imports_land_in_a_track_and_pass_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let track = tmp.path().join("sec");
    std::fs::create_dir_all(&track).unwrap();
    std::fs::write(track.join("track.toml"), TRACK).unwrap();
    let csv = tmp.path().join("bank.csv");
    std::fs::write(&csv, CSV).unwrap();
    let gift = tmp.path().join("bank.gift");
    std::fs::write(&gift, GIFT).unwrap();
    let out_dir = track.to_str().unwrap();

    let out = ladder(&[
        "content",
        "import",
        "--format",
        "csv",
        csv.to_str().unwrap(),
        "--skill",
        "phishing",
        "--out",
        out_dir,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(track.join("phishing.toml")).unwrap();
    assert!(written.contains("objective = \"safe\""), "{written}");

    // The matching question is reported at its answer block; the other one is appended.
    let out = ladder(&[
        "content",
        "import",
        "--format",
        "gift",
        gift.to_str().unwrap(),
        "--skill",
        "phishing",
        "--out",
        out_dir,
        "--stage",
        "novice",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}:4:43: matching questions are not supported yet; question not imported",
            gift.display()
        )),
        "{err}"
    );

    let out = ladder(&["content", "check", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 1 tracks, 1 skills, 4 items, 0 resources\n"
    );
}

#[test]
fn import_without_out_prints_a_skill_file() {
    let tmp = tempfile::tempdir().unwrap();
    let gift = tmp.path().join("q.gift");
    std::fs::write(&gift, "Is \"MFA\" worth it? {T}\n").unwrap();
    let out = ladder(&[
        "content",
        "import",
        "--format",
        "gift",
        gift.to_str().unwrap(),
        "--skill",
        "mfa",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("[skill]\nid = \"mfa\"\n"), "{stdout}");
    assert!(stdout.contains("[[item]]\nid = \"mfa-001\"\nstage = \"novice\"\ntype = \"true_false\"\nprompt = \"Is \\\"MFA\\\" worth it?\"\n"), "{stdout}");
}

/// A track directory `sec` holding only its `track.toml`, under a fresh temporary root.
fn new_track() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let track = tmp.path().join("sec");
    std::fs::create_dir_all(&track).unwrap();
    std::fs::write(track.join("track.toml"), TRACK).unwrap();
    (tmp, track)
}

#[test]
fn import_refuses_skill_ids_that_cannot_name_their_file() {
    let (tmp, track) = new_track();
    let csv = tmp.path().join("bank.csv");
    std::fs::write(&csv, CSV).unwrap();
    let import = |skill: &str| {
        ladder(&[
            "content",
            "import",
            "--format",
            "csv",
            csv.to_str().unwrap(),
            "--skill",
            skill,
            "--out",
            track.to_str().unwrap(),
        ])
    };

    // `track` would have been appended to the track's own file.
    let out = import("track");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`track` cannot be a skill id"), "{err}");
    assert_eq!(
        std::fs::read_to_string(track.join("track.toml")).unwrap(),
        TRACK,
        "track.toml is untouched"
    );

    let too_long = "s".repeat(65);
    let out = import(&too_long);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("at most 64 characters"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let files: Vec<_> = std::fs::read_dir(&track).unwrap().collect();
    assert_eq!(files.len(), 1, "nothing but track.toml was written");
}

#[test]
fn import_with_the_longest_skill_id_and_repeated_titles_gives_unique_ids() {
    let (tmp, track) = new_track();
    // A Moodle export where every question has the same long title.
    let bank: Vec<String> = (0..1_005)
        .map(|i| format!("::{}::Is step {i} needed? {{T}}", "Same title ".repeat(8)))
        .collect();
    let gift = tmp.path().join("bank.gift");
    std::fs::write(&gift, bank.join("\n\n")).unwrap();
    let skill = "s".repeat(64);
    let out = ladder(&[
        "content",
        "import",
        "--format",
        "gift",
        gift.to_str().unwrap(),
        "--skill",
        &skill,
        "--out",
        track.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("imported 1005 item(s), 0 problem(s)"), "{err}");
    // The other stages, so that the skill is complete.
    let csv = tmp.path().join("bank.csv");
    std::fs::write(&csv, CSV).unwrap();
    let out = ladder(&[
        "content",
        "import",
        "--format",
        "csv",
        csv.to_str().unwrap(),
        "--skill",
        &skill,
        "--out",
        track.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = ladder(&["content", "check", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 1 tracks, 1 skills, 1008 items, 0 resources\n"
    );
}

#[test]
fn an_unreadable_file_does_not_hide_the_problems_of_the_others() {
    let (tmp, sec) = new_track();
    std::fs::write(sec.join("phishing.toml"), SKILL).unwrap();
    // Saved as Latin-1 by some editor: "é" is one byte that is not UTF-8.
    let latin1 = sec.join("notes.toml");
    std::fs::write(&latin1, b"[skill]\nid = \"notes\"\ntitle = \"Caf\xe9\"\n").unwrap();
    // A second track whose track.toml is unreadable, next to a malformed skill file.
    let ops = tmp.path().join("ops");
    std::fs::create_dir_all(&ops).unwrap();
    std::fs::write(ops.join("track.toml"), b"id = \"ops\"\xff\n").unwrap();
    let malformed = ops.join("oncall.toml");
    std::fs::write(&malformed, "[skill]\nid = \"oncall\"\ntitle = \n").unwrap();

    let out = ladder(&["content", "check", tmp.path().to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{}:3:13: not UTF-8 text", latin1.display())),
        "the bad byte is located: {err}"
    );
    assert!(
        err.contains(&format!(
            "{}:1:11: not UTF-8 text",
            ops.join("track.toml").display()
        )),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{}:3:", malformed.display()))),
        "the malformed file next to the unreadable track is still checked: {err}"
    );
    assert!(
        !err.contains("outside a track"),
        "no knock-on complaint: {err}"
    );
    assert!(
        err.contains(&format!(
            "{}:1:1: skill \"phishing\" has no items of stage competent",
            sec.join("phishing.toml").display()
        )),
        "the readable skill of the first track is checked in full: {err}"
    );
    assert!(err.ends_with("4 problem(s) found\n"), "{err}");
    assert!(out.stdout.is_empty());
}

/// A teacher's Moodle bank with every kind of GIFT question: every question our items can
/// hold is imported (essays, missing words and partial-credit short answers included),
/// the rest is reported at its position, and the result passes the check.
#[test]
fn a_whole_moodle_gift_bank_imports_and_passes_the_check() {
    let (tmp, track) = new_track();
    // The skill already holds the later stages' items; the bank adds the novice ones.
    let later: String = ["competent", "experienced", "master"]
        .iter()
        .map(|stage| {
            format!(
                "\n[[item]]\nid = \"phishing-{stage}\"\nstage = \"{stage}\"\n\
                 type = \"true_false\"\nprompt = \"A {stage} question.\"\nanswer = true\n\
                 explanation = \"Because.\"\n"
            )
        })
        .collect();
    std::fs::write(
        track.join("phishing.toml"),
        SKILL.replace("\n[[item]]", &format!("{later}\n[[item]]")),
    )
    .unwrap();
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gift/moodle-bank.gift");
    let out = ladder(&[
        "content",
        "import",
        "--format",
        "gift",
        bank.to_str().unwrap(),
        "--skill",
        "phishing",
        "--out",
        track.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    // Problems were reported, so the exit code says the import was partial.
    assert_eq!(out.status.code(), Some(2), "{err}");
    let at = |pos: &str, message: &str| format!("{}:{pos}: {message}", bank.display());
    for want in [
        at(
            "33:3",
            "short answer \"security@example.com\" has partial credit (50%)",
        ),
        at("52:46", "matching questions are not supported yet"),
        at("69:1", "unsupported GIFT construct: description"),
    ] {
        assert!(err.contains(&want), "missing {want} in {err}");
    }
    assert!(err.contains("imported 13 item(s), 3 problem(s)"), "{err}");
    let written = std::fs::read_to_string(track.join("phishing.toml")).unwrap();
    for want in [
        "type = \"free_text\"",
        "\"Says to report within the hour\"",
        "If you clicked a phishing link, _____ to the security team within the hour.",
        "id = \"phishing-reuse-2\"",
    ] {
        assert!(written.contains(want), "missing {want} in {written}");
    }

    let out = ladder(&["content", "check", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 1 tracks, 1 skills, 17 items, 0 resources\n"
    );
}
