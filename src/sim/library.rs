//! A generated library for when no content directory is available: three skills of
//! single-choice items at every stage level, shaped like the sample tracks.

use ladder_engine::mastery::MasteryRules;
use ladder_engine::{
    AnswerKey, Item, ItemId, Library, Objective, ObjectiveId, Skill, SkillId, Stage, Track, TrackId,
};

/// Items per skill at each stage level, novice first.
const PER_STAGE: [usize; 4] = [8, 6, 4, 2];
/// Novice items that are core (must be answered right after a spaced gap).
const CORE: usize = 3;

pub fn generated() -> Library {
    let id = |s: &str| s.to_owned();
    let track = Track {
        id: TrackId::parse("generated").expect("valid id"),
        title: id("Generated track"),
        description: id("Synthetic items for the simulator"),
        objectives: vec![Objective {
            id: ObjectiveId::parse("practice").expect("valid id"),
            title: id("Practice"),
        }],
        desired_retention: 0.9,
        mastery: MasteryRules::default(),
    };
    let mut lib = Library {
        tracks: vec![track.clone()],
        ..Library::default()
    };
    for s in 0..3 {
        let skill = SkillId::parse(&format!("skill-{s}")).expect("valid id");
        lib.skills.push(Skill {
            id: skill.clone(),
            track: track.id.clone(),
            title: format!("Skill {s}"),
            description: String::new(),
            objective: track.objectives[0].id.clone(),
            prerequisites: vec![],
            mastery: MasteryRules::default(),
        });
        for (stage, &n) in Stage::ALL.iter().zip(PER_STAGE.iter()) {
            for i in 0..n {
                lib.items.push(item(&skill, *stage, i));
            }
        }
    }
    lib
}

fn item(skill: &SkillId, stage: Stage, i: usize) -> Item {
    Item {
        id: ItemId::parse(&format!("{skill}-{stage}-{i}")).expect("valid id"),
        skill: skill.clone(),
        stage,
        prompt: format!("Question {i} of {skill} at {stage} level"),
        key: AnswerKey::SingleChoice {
            options: (0..4).map(|o| format!("option {o}")).collect(),
            correct: i % 4,
        },
        explanation: String::new(),
        hints: vec![],
        variants: vec![],
        fluency_secs: 20,
        tags: vec![],
        core: stage == Stage::Novice && i < CORE,
    }
}
