//! Round trip: what the importers produce, written as TOML, passes the checker unchanged.

use super::emit::{items_toml, skill_file, SkillHeader};
use super::{csv, gift, ImportOptions};
use crate::check::{check, SourceFile};
use ladder_engine::{SkillId, Stage};

const TRACK: &str =
    "id = \"sec\"\ntitle = \"Security\"\n\n[[objective]]\nid = \"safe\"\ntitle = \"Stay safe\"\n";

const GIFT: &str = r#"$CATEGORY: $course$/top/Phishing

::Odd "quotes" \\ and \{braces\}::Is "this" a \\ backslash\: C:\\temp? {T####It is.}

::Pick::[html]<p>Pick the <i>right</i> one</p>{=Right "one" ~Wrong \= one ~Other}

Type the magic word {=please =pretty please}

Pi to two places? {#3.14:0.005}
"#;

const CSV: &str = "stage,type,prompt,options,answer,explanation,tolerance,unit\n\
competent,multi_select,\"Pick \"\"both\"\"\",a|b|c,a|b,,,\n\
experienced,numeric,Latency budget?,,200,\"Line one\nline two\",10%,ms\n\
master,free_text,Teach it,,Clear|Correct,,,\n";

#[test]
fn imported_items_pass_the_checker() {
    let skill = SkillId::parse("phishing").unwrap();
    let gift = gift::import(
        "bank.gift",
        GIFT,
        &ImportOptions::new(skill.clone(), Stage::Novice),
    );
    assert_eq!(gift.problems, []);
    assert_eq!(gift.items.len(), 4);
    let mut opts = ImportOptions::new(skill.clone(), Stage::Novice);
    opts.taken_ids = gift.items.iter().map(|i| i.id.to_string()).collect();
    let csv = csv::import("more.csv", CSV, &opts);
    assert_eq!(csv.problems, []);

    let header = SkillHeader {
        id: skill.to_string(),
        title: "Phishing".into(),
        objective: "safe".into(),
    };
    // A new file from the GIFT import, then the CSV items appended to it.
    let text = skill_file(&header, &gift.items) + &items_toml(&csv.items);
    let lib = check(&[
        SourceFile::new("c/sec/track.toml", TRACK),
        SourceFile::new("c/sec/phishing.toml", &text),
    ])
    .unwrap_or_else(|d| {
        panic!(
            "{}\n{text}",
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let expected: Vec<_> = gift.items.iter().chain(&csv.items).cloned().collect();
    assert_eq!(lib.items, expected, "{text}");
}

#[test]
fn a_longest_skill_id_with_a_thousand_repeated_titles_still_gets_unique_ids() {
    let skill = SkillId::parse(&"s".repeat(64)).unwrap();
    let bank: Vec<String> = (0..1_005)
        .map(|i| format!("::{}::Question {i}? {{T}}", "t".repeat(60)))
        .collect();
    let imported = gift::import(
        "bank.gift",
        &bank.join("\n\n"),
        &ImportOptions::new(skill, Stage::Novice),
    );
    assert_eq!(imported.problems, []);
    let ids: std::collections::HashSet<&str> =
        imported.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), 1_005, "every item has its own id");
    assert!(ids.iter().all(|id| id.starts_with("sss") && id.len() <= 64));
    assert!(ids.contains(&*format!("{}-{}-1005", "s".repeat(18), "t".repeat(40))));
}

mod properties {
    use super::super::emit::string;
    use super::super::{csv, gift, ImportOptions};
    use ladder_engine::{SkillId, Stage};
    use proptest::prelude::*;

    fn opts() -> ImportOptions {
        ImportOptions::new(SkillId::parse("s").unwrap(), Stage::Novice)
    }

    use super::check_with_fillers;

    proptest! {
        #[test]
        fn any_string_survives_toml_output(s in any::<String>()) {
            let doc = format!("v = {}\n", string(&s));
            let parsed: toml::Table = toml::from_str(&doc).map_err(|e| TestCaseError::fail(format!("{doc}: {e}")))?;
            prop_assert_eq!(parsed["v"].as_str(), Some(s.as_str()));
        }

        /// Arbitrary text built from GIFT's structural characters never crashes the
        /// importer, and every problem points inside the file.
        #[test]
        fn gift_import_never_panics(src in "[=~#{}:%\\\\\\[\\]a-z0-9 .\\n-]{0,80}") {
            let got = gift::import("f.gift", &src, &opts());
            let lines = src.lines().count().max(1) as u32;
            for p in &got.problems {
                prop_assert!(p.line >= 1 && p.line <= lines + 1, "{p}");
            }
        }

        /// Whatever the importer accepts is valid content.
        #[test]
        fn imported_gift_items_always_pass_the_checker(
            src in "(::[a-z ]{0,6}::)?(\\[html\\])?[a-zA-Z ?]{0,10}\\{([=~#%:.0-9a-z TF-]|<b>|<br>|\\.\\.){0,30}\\}( [a-z]{0,3})?"
        ) {
            let got = gift::import("f.gift", &src, &opts());
            prop_assert!(got.items.len() <= 1);
            if !got.items.is_empty() {
                let errs = check_with_fillers(&got.items);
                prop_assert!(errs.is_empty(), "{src:?} gave {errs:?}");
            }
        }

        /// Whatever the CSV importer accepts is valid content.
        #[test]
        fn imported_csv_rows_always_pass_the_checker(
            ty in "(single_choice|multi_select|true_false|short_text|numeric|ordering|free_text)",
            prompt in "[a-z ?]{0,6}",
            options in "(a|b|\\||\\\\){0,6}",
            answer in "(a|b|1|-1|\\|| |){0,5}|true|false",
            tolerance in "(|5|-1|5%|x)",
        ) {
            let src = format!("type,prompt,options,answer,tolerance\n{ty},{prompt},{options},{answer},{tolerance}\n");
            let got = csv::import("f.csv", &src, &opts());
            if !got.items.is_empty() {
                let errs = check_with_fillers(&got.items);
                prop_assert!(errs.is_empty(), "{src:?} gave {errs:?}");
            }
        }

        #[test]
        fn csv_import_never_panics(src in "(type,prompt,answer|options|\\n|,|\"|[a-z_|0-9]){0,60}") {
            let _ = csv::import("f.csv", &src, &opts());
        }
    }
}

/// Checks items as the novice items of a skill that has one filler item per other stage.
fn check_with_fillers(items: &[ladder_engine::Item]) -> Vec<String> {
    let header = SkillHeader {
        id: "s".into(),
        title: "S".into(),
        objective: "safe".into(),
    };
    let mut text = skill_file(&header, items);
    for stage in ["novice", "competent", "experienced", "master"] {
        text.push_str(&format!(
            "[[item]]\nid = \"filler-{stage}\"\nstage = \"{stage}\"\ntype = \"true_false\"\n\
             prompt = \"P\"\nanswer = true\nexplanation = \"E\"\n\n"
        ));
    }
    let files = [
        SourceFile::new("c/sec/track.toml", TRACK),
        SourceFile::new("c/sec/s.toml", text),
    ];
    check(&files)
        .err()
        .unwrap_or_default()
        .iter()
        .map(|d| d.to_string())
        .collect()
}
