//! `ladder simulate` end to end: the real binary, the sample content, a small cohort.

use std::process::Command;

fn simulate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ladder"))
        .arg("simulate")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the ladder binary runs")
}

fn simulate_json(scheduler: &str) -> serde_json::Value {
    let out = simulate(&[
        "--learners",
        "20",
        "--days",
        "90",
        "--seed",
        "11",
        "--scheduler",
        scheduler,
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number in {v}"))
}

#[test]
fn json_report_has_the_documented_keys_and_fsrs_retains_more_per_review_than_fixed() {
    let fsrs = simulate_json("fsrs");
    for key in [
        "scheduler",
        "learners",
        "days",
        "reviews_total",
        "reviews_per_learner_day",
        "retention_final",
        "items_introduced",
        "stage_counts",
        "wall_seconds",
    ] {
        assert!(fsrs.get(key).is_some(), "missing {key} in {fsrs}");
    }
    for stage in ["novice", "competent", "experienced", "master"] {
        assert!(
            fsrs["stage_counts"][stage].is_u64(),
            "stage_counts.{stage} in {fsrs}"
        );
    }
    assert_eq!(fsrs["scheduler"], "fsrs");
    assert_eq!(
        (fsrs["learners"].as_u64(), fsrs["days"].as_u64()),
        (Some(20), Some(90))
    );
    let retention = num(&fsrs, "retention_final");
    assert!(retention > 0.0 && retention < 1.0, "{fsrs}");

    let fixed = simulate_json("fixed");
    let per_review = |v: &serde_json::Value| {
        num(v, "retention_final") * num(v, "items_introduced") / num(v, "reviews_total")
    };
    assert!(
        per_review(&fsrs) > per_review(&fixed),
        "fsrs {} vs fixed {} items retained per review",
        per_review(&fsrs),
        per_review(&fixed)
    );
}

#[test]
fn without_json_it_prints_a_table_and_without_content_it_generates_a_library() {
    let out = simulate(&[
        "--learners",
        "3",
        "--days",
        "10",
        "--scheduler",
        "leitner",
        "--seed",
        "2",
        "--content",
        "no-such-dir",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("scheduler") && table.contains("leitner"),
        "{table}"
    );
    assert!(table.contains("retention at the end"), "{table}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("generated library"));
}

#[test]
fn an_out_of_range_retention_is_refused() {
    let out = simulate(&["--learners", "1", "--days", "1", "--retention", "0.5"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--retention"));
}
