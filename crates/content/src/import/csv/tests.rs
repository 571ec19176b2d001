//! CSV import tests: a realistic sheet, and each kind of broken row reported at its cell.

use super::import;
use crate::import::ImportOptions;
use ladder_engine::{AnswerKey, SkillId, Stage, Tolerance};

fn opts() -> ImportOptions {
    ImportOptions::new(SkillId::parse("joins").unwrap(), Stage::Competent)
}

const SHEET: &str = "id,stage,type,prompt,options,answer,explanation,tolerance,unit,hints,tags
,novice,single_choice,Which join keeps unmatched rows of the left table?,INNER JOIN|LEFT JOIN|CROSS JOIN,LEFT JOIN,\"LEFT JOIN keeps every left row, with NULLs.\",,,Think of the name.,joins|basics
joins-multi,,multi_select,\"Which are set operators?\",UNION|JOIN|EXCEPT,UNION|EXCEPT,,,,,
,experienced,numeric,How many rows does a 3×4 CROSS JOIN return?,,12,,0,rows,,
,master,ordering,Put the clauses in execution order.,,FROM|WHERE|GROUP BY|SELECT,,,,,
,,true_false,\"A LEFT JOIN can return more rows than the left table has.\",,true,,,,,
,,short_text,Keyword to remove duplicates?,,DISTINCT|distinct on,,,,,
,,free_text,Explain when a FULL OUTER JOIN is needed.,,Names both sides|Mentions NULLs,,,,,
";

#[test]
fn a_sheet_imports_every_type() {
    let got = import("q.csv", SHEET, &opts());
    assert_eq!(got.problems, []);
    let ids: Vec<&str> = got.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "joins-001",
            "joins-multi",
            "joins-002",
            "joins-003",
            "joins-004",
            "joins-005",
            "joins-006"
        ]
    );
    let first = &got.items[0];
    assert_eq!(first.stage, Stage::Novice);
    assert_eq!(
        first.explanation,
        "LEFT JOIN keeps every left row, with NULLs."
    );
    assert_eq!(first.hints, ["Think of the name."]);
    assert_eq!(first.tags, ["joins", "basics"]);
    assert_eq!(
        got.items[1].stage,
        Stage::Competent,
        "blank stage takes --stage"
    );
    assert_eq!(
        got.items[1].key,
        AnswerKey::MultiSelect {
            options: vec!["UNION".into(), "JOIN".into(), "EXCEPT".into()],
            correct: vec![0, 2],
        }
    );
    assert_eq!(
        got.items[1].explanation,
        "The right answers are: UNION; EXCEPT"
    );
    assert_eq!(
        got.items[2].key,
        AnswerKey::Numeric {
            value: 12.0,
            tolerance: Tolerance::Absolute(0.0),
            unit: Some("rows".into())
        }
    );
    assert_eq!(
        got.items[3].key,
        AnswerKey::Ordering {
            sequence: vec![
                "FROM".into(),
                "WHERE".into(),
                "GROUP BY".into(),
                "SELECT".into()
            ]
        }
    );
    assert_eq!(got.items[4].key, AnswerKey::TrueFalse { answer: true });
    assert_eq!(
        got.items[5].key,
        AnswerKey::ShortText {
            accepted: vec!["DISTINCT".into(), "distinct on".into()],
            max_edits: 0
        }
    );
}

#[test]
fn broken_rows_are_reported_at_their_cell_and_skipped() {
    let header = "type,prompt,options,answer,tolerance\n";
    let cases = [
        ("single_choice,Q?,a|b,c,\n", "q.csv:2:22: answer \"c\" is not one of the options; row not imported"),
        ("single_choice,Q?,a,a,\n", "q.csv:2:18: `options` needs 2 to 25 entries, found 1; row not imported"),
        ("true_false,Q?,,yes,\n", "q.csv:2:16: a true_false answer is true or false, found \"yes\"; row not imported"),
        ("true_false,Q?,a|b,true,\n", "q.csv:2:15: `options` does not apply to a true_false item; row not imported"),
        ("numeric,Q?,,3,-1\n", "q.csv:2:15: `tolerance` must not be negative, found -1; row not imported"),
        ("numeric,Q?,,three,\n", "q.csv:2:13: a numeric answer is a number, found \"three\"; row not imported"),
        ("essay,Q?,,x,\n", "q.csv:2:1: unknown item type \"essay\": expected single_choice, multi_select, true_false, short_text, numeric, ordering or free_text; row not imported"),
        ("true_false,,,true,\n", "q.csv:2:1: `prompt` is empty; row not imported"),
        ("true_false,Q?,true\n", "q.csv:2:1: row has 3 fields but the header has 5 columns; row not imported"),
    ];
    for (row, want) in cases {
        let got = import("q.csv", &format!("{header}{row}"), &opts());
        let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems, [want], "{row}");
        assert!(got.items.is_empty());
    }
}

#[test]
fn header_problems_stop_the_import() {
    let got = import("q.csv", "type,prompt,answr\ntrue_false,Q?,true\n", &opts());
    let problems: Vec<String> = got.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "q.csv:1:13: unknown column \"answr\": expected id, stage, type, prompt, options, answer, explanation, tolerance, unit, hints, tags",
            "q.csv:1:1: missing column \"answer\": the header needs at least type, prompt and answer",
        ]
    );
    let got = import(
        "q.csv",
        "type,prompt,answer\ntrue_false,\"Q?,true\n",
        &opts(),
    );
    assert_eq!(
        got.problems[0].to_string(),
        "q.csv:2:12: quoted field is never closed (missing \"); file not imported"
    );
}
