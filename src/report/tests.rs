//! The summary's figures on hand-made records over the sample content.

use chrono::{Duration, TimeZone, Utc};
use ladder_engine::schedule::Memory;
use ladder_engine::{Library, Stage};

use super::{summarise, MemberRecords, RiskReason};
use crate::app::learning::Schedulers;
use crate::app::records::StageRecord;

fn library() -> Library {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    ladder_content::load_dir(&dir).expect("the sample content loads")
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// A member holding `stage` in every skill serving the library's first objective.
fn member(lib: &Library, name: &str, stage: Stage) -> MemberRecords {
    let objective = &lib.tracks[0].objectives[0].id;
    let stages = lib
        .skills
        .iter()
        .filter(|s| &s.objective == objective)
        .map(|s| StageRecord {
            skill: s.id.clone(),
            from: None,
            stage,
            since: now() - Duration::days(3),
            evidence: String::new(),
        })
        .collect();
    MemberRecords {
        name: name.into(),
        stages,
        ..MemberRecords::default()
    }
}

#[test]
fn an_empty_team_has_no_figures_to_show() {
    let lib = library();
    let s = summarise("T", &lib, &Schedulers::for_library(&lib), &[], now());
    assert_eq!(s.skills.len(), lib.skills.len());
    assert!(s.retention.iter().all(Option::is_none));
    assert_eq!((s.answered, s.sent), (0, 0));
    assert!(s.at_risk.is_empty());
    let text = format!("{:?}", super::text::blocks(&s));
    assert!(text.contains("nothing learnt yet"), "{text}");
}

#[test]
fn readiness_is_the_share_at_competent_or_above() {
    let lib = library();
    let team = [
        member(&lib, "A", Stage::Competent),
        member(&lib, "B", Stage::Novice),
    ];
    let s = summarise("T", &lib, &Schedulers::for_library(&lib), &team, now());
    let first = &lib.tracks[0].objectives[0].id;
    let r = s
        .readiness
        .iter()
        .find(|r| &r.id == first)
        .expect("objective");
    assert!((r.share - 0.5).abs() < 1e-9, "{}", r.share);
    assert_eq!(s.grid[0][0], Some(Stage::Competent));
}

#[test]
fn overdue_and_fading_learners_are_at_risk() {
    let lib = library();
    let mut fading = member(&lib, "Fading", Stage::Competent);
    let skill = fading.stages[0].skill.clone();
    let item = lib.items_of(&skill).next().expect("an item").id.clone();
    fading.memories.push((
        item,
        Memory {
            stability: 1.0,
            difficulty: 5.0,
            last_review: now() - Duration::days(20),
            due: now() - Duration::days(19),
            reps: 3,
            lapses: 0,
            suspended: false,
        },
    ));
    let fine = member(&lib, "Fine", Stage::Competent);
    let s = summarise(
        "T",
        &lib,
        &Schedulers::for_library(&lib),
        &[fading, fine],
        now(),
    );
    assert_eq!(s.at_risk.len(), 1);
    let r = &s.at_risk[0];
    assert_eq!(r.name, "Fading");
    assert!(r.reasons.contains(&RiskReason::Overdue));
    assert!(r.reasons.contains(&RiskReason::PredictedDrop));
}

#[test]
fn a_well_held_item_a_few_days_late_is_not_a_risk() {
    let lib = library();
    let mut steady = member(&lib, "Steady", Stage::Competent);
    let skill = steady.stages[0].skill.clone();
    let item = lib.items_of(&skill).next().expect("an item").id.clone();
    steady.memories.push((
        item,
        Memory {
            stability: 120.0,
            difficulty: 4.0,
            last_review: now() - Duration::days(40),
            due: now() - Duration::days(3),
            reps: 6,
            lapses: 0,
            suspended: false,
        },
    ));
    let s = summarise("T", &lib, &Schedulers::for_library(&lib), &[steady], now());
    assert!(s.at_risk.is_empty(), "{:?}", s.at_risk);
}
