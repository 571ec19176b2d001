//! Table-driven tests of the checker: each broken file gives exactly the expected message
//! at the expected position, and a file with many problems reports all of them.

use super::{check, SourceFile};
use ladder_engine::mastery::Calculation;
use ladder_engine::{AnswerKey, Stage, Tolerance};

const TRACK_PATH: &str = "c/infosec/track.toml";
const SKILL_PATH: &str = "c/infosec/phishing.toml";

const TRACK: &str = r#"id = "infosec"
title = "Security awareness"

[[objective]]
id = "phishing-resilience"
title = "Fewer than 2% click a simulated phishing link"
"#;

/// A valid skill with one true/false item per stage; cases append to it.
fn base_skill() -> String {
    let mut s = String::from(
        "[skill]\nid = \"phishing\"\ntitle = \"Spot phishing\"\nobjective = \"phishing-resilience\"\n\n",
    );
    for stage in Stage::ALL {
        s.push_str(&format!(
            "[[item]]\nid = \"phishing-{stage}\"\nstage = \"{stage}\"\ntype = \"true_false\"\n\
             prompt = \"Is this {stage} claim true?\"\nanswer = true\nexplanation = \"Because.\"\n\n"
        ));
    }
    s
}

fn errors(files: &[(&str, &str)]) -> Vec<String> {
    let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
    match check(&files) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.iter().map(|d| d.to_string()).collect(),
    }
}

/// Checks the base skill with `snippet` appended; lines in `expected` count from the
/// snippet's first line.
fn assert_snippet(snippet: &str, expected: &[(u32, u32, &str)]) {
    let base = base_skill();
    let offset = base.lines().count() as u32;
    let text = format!("{base}{snippet}");
    let got = errors(&[(TRACK_PATH, TRACK), (SKILL_PATH, &text)]);
    let want: Vec<String> = expected
        .iter()
        .map(|(l, c, m)| format!("{SKILL_PATH}:{}:{c}: {m}", l + offset))
        .collect();
    assert_eq!(got, want, "snippet:\n{snippet}");
}

const TF: &str = "[[item]]\nid = \"x-1\"\nstage = \"novice\"\ntype = \"true_false\"\nprompt = \"Q?\"\nexplanation = \"E.\"\n";

#[test]
fn the_base_content_is_valid() {
    let lib = check(&[
        SourceFile::new(TRACK_PATH, TRACK),
        SourceFile::new(SKILL_PATH, base_skill()),
    ])
    .unwrap();
    assert_eq!(
        (lib.tracks.len(), lib.skills.len(), lib.items.len()),
        (1, 1, 4)
    );
    // Fluency falls back to the type's default when the item sets none.
    assert_eq!(lib.items[0].fluency_secs, 10);
    assert_eq!(lib.tracks[0].desired_retention, 0.9);
}

/// A snippet and the problems it must produce (line relative to the snippet, column, message).
type Case = (String, Vec<(u32, u32, &'static str)>);

#[test]
fn item_problems_are_reported_at_their_position() {
    let cases: Vec<Case> = vec![
        (
            format!("{TF}answer = true\nexplantion = \"typo\"\n"),
            vec![(8, 1, "unknown key `explantion` in [[item]] (did you mean `explanation`?)")],
        ),
        (
            TF.replace("x-1", "phishing-novice") + "answer = true\n",
            vec![(2, 6, "duplicate item id \"phishing-novice\": first defined at c/infosec/phishing.toml:7:6")],
        ),
        (
            TF.replace("x-1", "Bad Id") + "answer = true\n",
            vec![(2, 6, "invalid id \"Bad Id\": use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit, at most 64 characters")],
        ),
        (
            TF.replace("\"Q?\"", "\"  \"") + "answer = true\n",
            vec![(5, 10, "`prompt` is empty")],
        ),
        (
            TF.replace("\"novice\"", "\"expert\"") + "answer = true\n",
            vec![(3, 9, "unknown stage \"expert\": expected novice, competent, experienced or master")],
        ),
        (
            TF.replace("true_false", "essay") + "answer = true\n",
            vec![(4, 8, "unknown item type \"essay\": expected single_choice, multi_select, true_false, short_text, numeric, ordering or free_text")],
        ),
        (
            format!("{TF}answer = \"yes\"\n"),
            vec![(7, 10, "`answer` must be a boolean, found a string")],
        ),
        (
            format!("{TF}answer = true\noptions = [\"a\", \"b\"]\n"),
            vec![(8, 1, "`options` does not apply to a true_false item")],
        ),
        (
            TF.to_owned(),
            vec![(1, 1, "missing key `answer` in [[item]]")],
        ),
        (
            TF.replace("true_false", "single_choice") + "options = [\"a\", \"b\"]\nanswer = \"c\"\n",
            vec![(8, 10, "answer \"c\" is not one of the options")],
        ),
        (
            TF.replace("true_false", "single_choice") + "options = [\"only\"]\nanswer = \"only\"\n",
            vec![(7, 11, "`options` needs 2 to 25 entries, found 1")],
        ),
        (
            TF.replace("true_false", "multi_select") + "options = [\"a\", \"b\", \"a\"]\nanswers = [\"a\"]\n",
            vec![(7, 22, "duplicate entry \"a\" in `options`")],
        ),
        (
            TF.replace("true_false", "numeric") + "answer = 3\ntolerance = -1\n",
            vec![(8, 13, "`tolerance` must not be negative, found -1")],
        ),
        (
            TF.replace("true_false", "numeric") + "answer = 3\ntolerance = 1\ntolerance_pct = 5\n",
            vec![(9, 17, "set `tolerance` or `tolerance_pct`, not both")],
        ),
        (
            TF.replace("true_false", "ordering") + "sequence = [\"one\"]\n",
            vec![(7, 12, "`sequence` needs 2 to 10 entries, found 1")],
        ),
        (
            format!("{TF}answer = true\nfluency_secs = 0\n"),
            vec![(8, 16, "`fluency_secs` must be between 1 and 3600, found 0")],
        ),
        (
            format!("{TF}answer = true\n\n  [[item.variant]]\n  prompt = \"V?\"\n  answer = 1\n"),
            vec![(11, 12, "`answer` must be a boolean, found an integer")],
        ),
    ];
    for (snippet, expected) in cases {
        assert_snippet(&snippet, &expected);
    }
}

#[test]
fn resource_problems_are_reported_at_their_position() {
    let r = "[[resource]]\nid = \"r-1\"\ntitle = \"Guide\"\nstage = \"novice\"\n";
    assert_snippet(&format!("{r}kind = \"video\"\nurl = \"https://example.com\"\n"), &[(5, 8, "unknown resource kind \"video\": expected course, tutorial, practice, coaching, job_aid, knowledge_base, person or community")]);
    assert_snippet(
        &format!("{r}kind = \"course\"\n"),
        &[(
            1,
            1,
            "resource has neither `url` nor `text`: give a link, inline text, or both",
        )],
    );
    assert_snippet(
        &format!("{r}kind = \"course\"\nurl = \"javascript:alert(1)\"\n"),
        &[(
            6,
            7,
            "`url` must start with https://, http:// or mailto:, found \"javascript:alert(1)\"",
        )],
    );
    let twice = format!(
        "{r}kind = \"course\"\ntext = \"Read me.\"\n\n{r}kind = \"course\"\ntext = \"Again.\"\n"
    );
    assert_snippet(
        &twice,
        &[(
            9,
            6,
            "duplicate resource id \"r-1\": first defined at c/infosec/phishing.toml:39:6",
        )],
    );
}

#[test]
fn skill_and_track_problems_are_reported_at_their_position() {
    let skill = base_skill().replace("\"phishing-resilience\"", "\"uptime\"");
    assert_eq!(
        errors(&[(TRACK_PATH, TRACK), (SKILL_PATH, &skill)]),
        ["c/infosec/phishing.toml:4:13: unknown objective \"uptime\": track \"infosec\" has phishing-resilience"]
    );
    let skill = base_skill()
        .replace(
            "[[item]]\nid = \"phishing-master\"",
            "[[item]]\nid = \"phishing-m\"",
        )
        .replace("stage = \"master\"", "stage = \"competent\"");
    assert_eq!(
        errors(&[(TRACK_PATH, TRACK), (SKILL_PATH, &skill)]),
        ["c/infosec/phishing.toml:1:1: skill \"phishing\" has no items of stage master: every stage needs at least one"]
    );
    assert_eq!(
        errors(&[("c/other/phishing.toml", &base_skill())]),
        ["c/other/phishing.toml:1:1: skill file outside a track: no track.toml in \"c/other\""]
    );
    let track = TRACK.replace(
        "title = \"Security awareness\"",
        "title = \"Security awareness\"\ndesired_retention = 0.5",
    );
    assert_eq!(
        errors(&[(TRACK_PATH, &track)]),
        ["c/infosec/track.toml:3:21: `desired_retention` must be between 0.7 and 0.99, found 0.5"]
    );
    let track = format!("{TRACK}\n[mastery.to_competent]\nwindw = 5\n");
    assert_eq!(
        errors(&[(TRACK_PATH, &track)]),
        ["c/infosec/track.toml:9:1: unknown key `windw` in [mastery.to_competent] (did you mean `window`?)"]
    );
    assert_eq!(
        errors(&[(TRACK_PATH, TRACK), ("c/copy/track.toml", TRACK)]),
        ["c/copy/track.toml:1:6: duplicate track id \"infosec\": first defined at c/infosec/track.toml:1:6"]
    );
    // Skill files beside a broken track.toml are not also called "outside a track".
    assert_eq!(
        errors(&[
            (TRACK_PATH, "id = \"infosec\"\ntitle = [\n"),
            (SKILL_PATH, &base_skill())
        ]),
        ["c/infosec/track.toml:3:1: TOML syntax error: invalid array; expected `]`"]
    );
}

fn skill_file(id: &str, prerequisites: &str) -> String {
    base_skill()
        .replace(
            "id = \"phishing\"",
            &format!("id = \"{id}\"\nprerequisites = {prerequisites}"),
        )
        .replace("id = \"phishing-", &format!("id = \"{id}-"))
}

#[test]
fn prerequisites_must_exist_and_not_form_a_cycle() {
    let a = skill_file("alpha", "[\"beta\"]");
    let b = skill_file("beta", "[\"gamma\", \"alpha\"]");
    let got = errors(&[
        (TRACK_PATH, TRACK),
        ("c/infosec/alpha.toml", &a),
        ("c/infosec/beta.toml", &b),
    ]);
    assert_eq!(
        got,
        [
            "c/infosec/beta.toml:3:18: unknown prerequisite skill \"gamma\"",
            "c/infosec/beta.toml:3:27: prerequisite cycle: alpha → beta → alpha",
        ]
    );
    let ok = skill_file("beta", "[\"alpha\"]");
    let a = skill_file("alpha", "[]");
    let lib = check(&[
        SourceFile::new(TRACK_PATH, TRACK),
        SourceFile::new("c/infosec/alpha.toml", a),
        SourceFile::new("c/infosec/beta.toml", ok),
    ])
    .unwrap();
    assert_eq!(lib.skills[1].prerequisites[0].as_str(), "alpha");
}

#[test]
fn a_file_with_many_problems_reports_all_of_them() {
    let skill =
        "[skill]\nid = \"Phishing\"\ntitle = \"\"\nobjective = \"nope\"\ncolour = \"red\"\n\n\
        [[item]]\nid = \"i1\"\nstage = \"novice\"\ntype = \"single_choice\"\nprompt = \"\"\n\
        options = [\"a\"]\nanswer = \"b\"\nexplanation = \"E\"\n\n\
        [[resource]]\nid = \"r1\"\ntitle = \"T\"\nstage = \"guru\"\nkind = \"course\"\n";
    let got = errors(&[(TRACK_PATH, TRACK), (SKILL_PATH, skill)]);
    let want = [
        "c/infosec/phishing.toml:2:6: invalid id \"Phishing\": use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit, at most 64 characters",
        "c/infosec/phishing.toml:3:9: `title` is empty",
        "c/infosec/phishing.toml:4:13: unknown objective \"nope\": track \"infosec\" has phishing-resilience",
        "c/infosec/phishing.toml:5:1: unknown key `colour` in [skill]",
        "c/infosec/phishing.toml:11:10: `prompt` is empty",
        "c/infosec/phishing.toml:12:11: `options` needs 2 to 25 entries, found 1",
        "c/infosec/phishing.toml:13:10: answer \"b\" is not one of the options",
        "c/infosec/phishing.toml:16:1: resource has neither `url` nor `text`: give a link, inline text, or both",
        "c/infosec/phishing.toml:19:9: unknown stage \"guru\": expected novice, competent, experienced or master",
    ];
    assert_eq!(got, want);
}

#[test]
fn mastery_rules_merge_track_defaults_and_skill_overrides_key_by_key() {
    let track = format!("{TRACK}\n[mastery]\ndemotion_floor = 0.6\n[mastery.to_competent]\nwindow = 20\ncalculation = \"most_recent\"\n");
    let skill = base_skill().replace(
        "objective = \"phishing-resilience\"\n",
        "objective = \"phishing-resilience\"\n[skill.mastery.to_competent]\nmin_score = 0.95\n[skill.mastery.to_master]\ncalculation = { method = \"n_times\", n = 3 }\n",
    );
    let lib = check(&[
        SourceFile::new(TRACK_PATH, track),
        SourceFile::new(SKILL_PATH, skill),
    ])
    .unwrap();
    let rules = &lib.skills[0].mastery;
    assert_eq!(rules.to_competent.window, 20, "from the track");
    assert_eq!(rules.to_competent.min_score, 0.95, "from the skill");
    assert_eq!(rules.to_competent.calculation, Calculation::MostRecent);
    assert_eq!(
        rules.to_competent.core_gap_days, 1.0,
        "built-in default kept"
    );
    assert_eq!(rules.to_master.calculation, Calculation::NTimes { n: 3 });
    assert_eq!(rules.to_master.min_contributions, 2);
    assert_eq!(rules.demotion_floor, 0.6);
    assert_eq!(lib.tracks[0].mastery.to_competent.min_score, 0.8);
}

#[test]
fn answer_keys_are_built_from_their_type() {
    let snippet = "[[item]]\nid = \"n-1\"\nstage = \"competent\"\ntype = \"numeric\"\nprompt = \"How many?\"\n\
        answer = 1200\ntolerance_pct = 5\nunit = \"ms\"\nexplanation = \"E\"\nfluency_secs = 40\n\n\
        [[item]]\nid = \"m-1\"\nstage = \"novice\"\ntype = \"multi_select\"\nprompt = \"Which?\"\n\
        options = [\"a\", \"b\", \"c\"]\nanswers = [\"c\", \"a\"]\nexplanation = \"E\"\n";
    let text = format!("{}{snippet}", base_skill());
    let lib = check(&[
        SourceFile::new(TRACK_PATH, TRACK),
        SourceFile::new(SKILL_PATH, text),
    ])
    .unwrap();
    let numeric = lib.items.iter().find(|i| i.id.as_str() == "n-1").unwrap();
    assert_eq!(
        numeric.key,
        AnswerKey::Numeric {
            value: 1200.0,
            tolerance: Tolerance::Relative(0.05),
            unit: Some("ms".into())
        }
    );
    assert_eq!(numeric.fluency_secs, 40);
    let multi = lib.items.iter().find(|i| i.id.as_str() == "m-1").unwrap();
    assert_eq!(
        multi.key,
        AnswerKey::MultiSelect {
            options: vec!["a".into(), "b".into(), "c".into()],
            correct: vec![2, 0]
        }
    );
    assert_eq!(multi.fluency_secs, 30);
}

#[test]
fn ids_and_tables_across_files_are_checked() {
    let other = base_skill().replace("id = \"phishing-", "id = \"other-");
    assert_eq!(
        errors(&[(TRACK_PATH, TRACK), (SKILL_PATH, &base_skill()), ("c/infosec/x.toml", &other)]),
        ["c/infosec/x.toml:2:6: duplicate skill id \"phishing\": first defined at c/infosec/phishing.toml:2:6"]
    );
    let own = skill_file("alpha", "[\"alpha\"]");
    assert_eq!(
        errors(&[(TRACK_PATH, TRACK), ("c/infosec/alpha.toml", &own)]),
        ["c/infosec/alpha.toml:3:18: skill \"alpha\" lists itself as a prerequisite"]
    );
    let track =
        format!("{TRACK}\n[[objective]]\nid = \"phishing-resilience\"\ntitle = \"Again\"\n");
    assert_eq!(
        errors(&[(TRACK_PATH, &track)]),
        ["c/infosec/track.toml:9:6: duplicate objective id \"phishing-resilience\": first defined at c/infosec/track.toml:5:6"]
    );
    assert_eq!(
        errors(&[(TRACK_PATH, "id = \"infosec\"\ntitle = \"T\"\n")]),
        ["c/infosec/track.toml:1:1: missing [[objective]]: a track serves at least one business objective"]
    );
    assert_eq!(
        errors(&[(TRACK_PATH, TRACK), (SKILL_PATH, "item = 3\n")]),
        [
            "c/infosec/phishing.toml:1:1: missing table [skill] (id, title, objective, ...)",
            "c/infosec/phishing.toml:1:8: `item` must be an array of tables ([[item]]), found an integer",
        ]
    );
}
