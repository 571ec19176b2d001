//! `leaderboard [week|all] [teams]`: the cohort's board on request, and
//! [`for_team`] for the post on each team's leaderboard cron. Scored with
//! `ladder_engine::score`; learners who opted out appear as "Anonymous learner".

use chrono::{DateTime, Duration, Utc};
use ladder_engine::score::{self, LearnerActivity, OptOutPolicy, Period, ScoreRules};

use super::TeamInfo;
use crate::app::records::{Learner, LearnerKey};
use crate::app::{App, AppResult};
use crate::platform::{text, Actor, Reply};
use crate::report::activity::{self, Records as Input};
use crate::report::board;

/// Which span a board covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The last seven days.
    Week,
    AllTime,
}

impl View {
    fn period(self, now: DateTime<Utc>) -> Period {
        match self {
            View::Week => Period::week(now - Duration::days(7)),
            View::AllTime => Period::all_time(now),
        }
    }
    fn label(self) -> &'static str {
        match self {
            View::Week => "this week",
            View::AllTime => "all time",
        }
    }
}

pub async fn handle(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let words: Vec<String> = args.split_whitespace().map(str::to_lowercase).collect();
    let view = if words.iter().any(|w| w == "all") {
        View::AllTime
    } else {
        View::Week
    };
    if words.iter().any(|w| w == "teams") {
        return teams(app, actor, view).await;
    }
    let cohort: Vec<LearnerKey> = app
        .records
        .learners(&actor.tenant)
        .await?
        .into_iter()
        .filter(|l| l.key.platform == actor.platform)
        .map(|l| l.key)
        .collect();
    let title = format!("Leaderboard, {}", view.label());
    let me = format!("{}:{}", actor.tenant, actor.user);
    let blocks = learners_board(app, &cohort, view, &title, Some(&me)).await?;
    Ok(vec![Reply::private(blocks)])
}

/// The board a team's channel gets on its cron: public, nobody singled out as "you".
pub async fn for_team(app: &App, team: &TeamInfo, view: View) -> AppResult<Reply> {
    let title = format!(
        "Leaderboard for {}, {}",
        text::name(&team.name),
        view.label()
    );
    let blocks = learners_board(app, &team.members, view, &title, None).await?;
    Ok(Reply::public(blocks))
}

async fn learners_board(
    app: &App,
    keys: &[LearnerKey],
    view: View,
    title: &str,
    me: Option<&str>,
) -> AppResult<Vec<crate::platform::Block>> {
    let now = app.clock.now();
    let activities = activities(app, keys, now).await?;
    let entries = score::leaderboard(
        &activities,
        &view.period(now),
        &ScoreRules::default(),
        OptOutPolicy::Anonymise,
    );
    Ok(board::learners(title, &entries, me))
}

async fn teams(app: &App, actor: &Actor, view: View) -> AppResult<Vec<Reply>> {
    let Some(staffing) = app.staffing.get() else {
        return Ok(vec![Reply::text(
            "Teams are not set up on this server yet.",
        )]);
    };
    let now = app.clock.now();
    let mut scores = Vec::new();
    for team in staffing.staff.teams(actor.platform, &actor.tenant).await? {
        let members = activities(app, &team.members, now).await?;
        let s = score::team_score(&members, &view.period(now), &ScoreRules::default());
        scores.push((team.name, s));
    }
    let title = format!("Teams, {}", view.label());
    Ok(vec![Reply::private(board::teams(&title, &scores))])
}

async fn activities(
    app: &App,
    keys: &[LearnerKey],
    now: DateTime<Utc>,
) -> AppResult<Vec<LearnerActivity>> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        // One learner whose stored records do not read must not take the board down for
        // everyone else: they are left out and the operator is told (without names).
        match activity_of(app, key, now).await {
            Ok(Some(a)) => out.push(a),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "left a learner off the board: records do not read")
            }
        }
    }
    Ok(out)
}

async fn activity_of(
    app: &App,
    key: &LearnerKey,
    now: DateTime<Utc>,
) -> AppResult<Option<LearnerActivity>> {
    let Some(learner): Option<Learner> = app.records.learner(key).await? else {
        return Ok(None);
    };
    let reviews = app.records.reviews(key).await?;
    let stages = app.records.stages(key).await?;
    let memories = app.records.memories(key).await?;
    let input = Input {
        learner: &learner,
        reviews: &reviews,
        stages: &stages,
        memories: &memories,
    };
    Ok(Some(activity::activity(
        &input,
        &app.library,
        &app.schedulers,
        now,
    )))
}
