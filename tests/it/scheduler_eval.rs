//! `ladder scheduler eval` end to end: the real binary on a real review log.
//!
//! The log is py-fsrs's test file `tests/review_logs_josh_1711744352250_to_1728234780857.csv`
//! (https://github.com/open-spaced-repetition/py-fsrs), passed in through `LADDER_REVLOG`;
//! without it these tests say where to get it and return.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn revlog() -> Option<PathBuf> {
    match std::env::var_os("LADDER_REVLOG") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!(
                "LADDER_REVLOG is not set: skipping. Download \
                 tests/review_logs_josh_1711744352250_to_1728234780857.csv from \
                 https://github.com/open-spaced-repetition/py-fsrs and point LADDER_REVLOG at it."
            );
            None
        }
    }
}

fn ladder(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(args)
        .output()
        .expect("the ladder binary runs")
}

fn eval_json(extra: &[&str]) -> Option<Value> {
    let path = revlog()?;
    let path = path.to_str().expect("a UTF-8 path");
    let mut args = vec![
        "scheduler",
        "eval",
        "--revlog",
        path,
        "--json",
        "--day-offset-hours",
        "-4",
    ];
    args.extend_from_slice(extra);
    let out = ladder(&args);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("one JSON object on stdout"))
}

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing or not a number in {v}"))
}

#[test]
fn default_parameters_beat_the_constant_baseline() {
    let Some(v) = eval_json(&[]) else { return };
    assert!(number(&v, "reviews") > 1000.0, "{v}");
    let (loss, baseline) = (number(&v, "log_loss"), number(&v, "baseline_log_loss"));
    assert!(
        loss < baseline,
        "log loss {loss} should beat the constant average {baseline}"
    );
    let rmse = number(&v, "rmse_bins");
    assert!((0.0..0.15).contains(&rmse), "{v}");
    let auc = number(&v, "auc");
    assert!(auc > 0.6 && auc <= 1.0, "{v}");
    assert!(v.get("parameters").is_none(), "{v}");
}

#[test]
fn optimised_parameters_are_reported_with_held_out_figures() {
    let Some(v) = eval_json(&["--optimize"]) else {
        return;
    };
    let params = v["parameters"]
        .as_array()
        .expect("parameters when optimised");
    assert_eq!(params.len(), 21);
    assert!(
        number(&v, "log_loss") < number(&v, "baseline_log_loss"),
        "{v}"
    );
    for key in ["reviews", "rmse_bins", "auc"] {
        number(&v, key);
    }
}

#[test]
fn plain_output_is_a_readable_table() {
    let Some(path) = revlog() else { return };
    let out = ladder(&["scheduler", "eval", "--revlog", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for label in ["reviews scored", "log loss", "RMSE(bins)", "AUC"] {
        assert!(text.contains(label), "{label} missing from:\n{text}");
    }
}

#[test]
fn a_broken_log_fails_with_the_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "card_id,review_rating,review_time,review_duration\n1,3,2024-01-01T00:00:00Z,5\n1,9,2024-01-02T00:00:00Z,5\n",
    )
    .unwrap();
    let out = ladder(&["scheduler", "eval", "--revlog", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("review_rating"),
        "{err}"
    );
}
