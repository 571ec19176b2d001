//! `privacy`: leaderboard opt-out, "export my data" as a JSON file, and "delete my data"
//! behind an explicit confirmation step.
//!
//! The export keeps its first sections (learner, stages, reviews, memories, escalations,
//! prompts) stable and adds what the store holds beyond them: the account row, roles,
//! teams, enrolments, questions asked, answers given to others, contributions, votes,
//! grades given and the messages addressed to the person. Deleting is the store's one
//! transaction (`store::privacy`): nothing about the person is left, and no message to
//! or about them is sent afterwards. Depends on the records interface.

use serde::Serialize;

use super::action::Action;
use ladder_engine::schedule::Memory;

use super::records::{Escalation, Learner, LearnerKey, Prompt, Review, StageRecord};
use super::{App, AppResult};
use crate::platform::{Actor, Block, Choice, Reply};
use crate::store;

pub async fn handle(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let key = LearnerKey::of(actor);
    let Some(mut learner) = app.records.learner(&key).await? else {
        return Ok(vec![Reply::text(
            "I hold no data about you: you have not joined Ladder.",
        )]);
    };
    let words: Vec<String> = args.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => Ok(vec![overview(&learner)]),
        ["leaderboard", on @ ("on" | "off")] => {
            learner.prefs.leaderboard = *on == "on";
            app.records.save_learner(&learner).await?;
            let said = if learner.prefs.leaderboard {
                "You are back on the cohort leaderboard."
            } else {
                "You are off the cohort leaderboard: your name will not be shown there."
            };
            Ok(vec![Reply::text(said)])
        }
        ["export"] => export(app, &learner).await,
        ["delete"] => Ok(vec![confirm_delete()]),
        _ => Ok(vec![
            Reply::text("I did not understand that."),
            overview(&learner),
        ]),
    }
}

fn overview(learner: &Learner) -> Reply {
    let board = if learner.prefs.leaderboard {
        "shown"
    } else {
        "hidden"
    };
    Reply::private(vec![
        Block::Heading("Your data".into()),
        Block::Text(format!(
            "Ladder keeps your answers, their timing, your stages and your settings, to schedule your practice. \
             Your name on the cohort leaderboard: **{board}**.\n\
             /privacy leaderboard off (or on), /privacy export (a JSON file of everything), \
             /privacy delete (asks you to confirm first)."
        )),
    ])
}

fn confirm_delete() -> Reply {
    Reply::private(vec![
        Block::Text(
            "This deletes everything Ladder holds about you (answers, stages, settings, questions, contributions, votes, roles, teams and messages waiting for you), removes your name from what others were sent or keep, and stops your questions. It cannot be undone. Are you sure?"
                .into(),
        ),
        Block::Choices {
            choices: vec![
                Choice {
                    label: "Yes, delete my data".into(),
                    action: Action::ConfirmDelete.encode(),
                },
                Choice {
                    label: "No, keep it".into(),
                    action: Action::CancelDelete.encode(),
                },
            ],
            multi: false,
            placeholder: String::new(),
        },
    ])
}

/// After the confirmation button.
pub async fn delete(app: &App, actor: &Actor) -> AppResult<Vec<Reply>> {
    app.records.forget(&LearnerKey::of(actor)).await?;
    Ok(vec![Reply::text(
        "Done: everything Ladder held about you is deleted. Type /start if you ever want to come back.",
    )])
}

#[derive(Serialize)]
struct Export<'a> {
    learner: &'a Learner,
    stages: Vec<StageRecord>,
    reviews: Vec<Review>,
    memories: Vec<(String, Memory)>,
    escalations: Vec<Escalation>,
    prompts: Vec<Prompt>,
    #[serde(flatten)]
    stored: Stored,
}

/// The sections added from the store (empty without one).
#[derive(Serialize, Default)]
struct Stored {
    /// The stored account: platform id, settings and opt-outs as kept.
    account: Option<store::Learner>,
    roles: Vec<store::Role>,
    enrolments: Vec<store::Enrolment>,
    contributions: Vec<store::Contribution>,
    #[serde(flatten)]
    elsewhere: store::HeldElsewhere,
}

impl From<store::LearnerData> for Stored {
    fn from(d: store::LearnerData) -> Self {
        Stored {
            account: Some(d.learner),
            roles: d.roles,
            enrolments: d.enrolments,
            contributions: d.contributions,
            elsewhere: d.elsewhere,
        }
    }
}

async fn export(app: &App, learner: &Learner) -> AppResult<Vec<Reply>> {
    let key = &learner.key;
    let data = Export {
        learner,
        stages: app.records.stages(key).await?,
        reviews: app.records.reviews(key).await?,
        memories: app
            .records
            .memories(key)
            .await?
            .into_iter()
            .map(|(i, m)| (i.to_string(), m))
            .collect(),
        prompts: app.records.prompts(key).await?,
        escalations: app.records.escalations(key).await?,
        stored: app
            .records
            .stored_data(key)
            .await?
            .map(Stored::from)
            .unwrap_or_default(),
    };
    let bytes = serde_json::to_vec_pretty(&data).unwrap_or_default();
    Ok(vec![Reply::private(vec![
        Block::Text(format!(
            "Here is everything Ladder holds about you: {} answers, {} skills with a stage, \
             {} questions asked, {} contributions, {} votes.",
            data.reviews.len(),
            data.stages.len(),
            data.stored.elsewhere.questions.len(),
            data.stored.contributions.len(),
            data.stored.elsewhere.votes.len(),
        )),
        Block::File {
            bytes,
            filename: "ladder-my-data.json".into(),
        },
    ])])
}
