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
