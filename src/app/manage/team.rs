//! `team [TEAM]` and `team at-risk [TEAM]`: gather the members' records, summarise them,
//! and reply with the text and the picture (private to the manager).

use super::access::{managed_teams, pick};
use super::{Staffing, TeamInfo};
use crate::app::{App, AppResult};
use crate::platform::{Actor, Block, Reply};
use crate::report::{self, MemberRecords, TeamSummary};

pub async fn handle(
    app: &App,
    staffing: &Staffing,
    actor: &Actor,
    args: &str,
) -> AppResult<Vec<Reply>> {
    let (at_risk_only, name) = match args.split_once(char::is_whitespace) {
        Some((first, rest)) if first.eq_ignore_ascii_case("at-risk") => (true, rest.trim()),
        _ if args.eq_ignore_ascii_case("at-risk") => (true, ""),
        _ => (false, args),
    };
    let team = match managed_teams(staffing, actor).await? {
        Ok(teams) => pick(teams, name),
        Err(denial) => Err(denial),
    };
    let team = match team {
        Ok(t) => t,
        Err(denial) => return Ok(vec![Reply::text(denial.to_string())]),
    };
    let summary = summary_of(app, &team).await?;
    if at_risk_only {
        return Ok(vec![Reply::private(report::text::blocks_at_risk(&summary))]);
    }
    let mut blocks = report::text::blocks(&summary);
    blocks.extend(picture(&summary));
    Ok(vec![Reply::private(blocks)])
}

/// The summary's picture as a block; `None` (logged) if drawing failed, since the text
/// already carries every figure.
pub fn picture(summary: &TeamSummary) -> Option<Block> {
    match report::picture::png(summary) {
        Ok(png) => Some(Block::Image {
            png,
            filename: "team-summary.png".into(),
            alt: format!(
                "Heatmap of {} learners by {} skills, coloured by stage, and the team's \
                 estimated retention over the last 7 days",
                summary.members.len(),
                summary.skills.len()
            ),
        }),
        Err(e) => {
            tracing::error!(error = %e, "team summary picture failed");
            None
        }
    }
}

/// The summary of one team as of the app's clock.
pub async fn summary_of(app: &App, team: &TeamInfo) -> AppResult<TeamSummary> {
    let mut members = Vec::with_capacity(team.members.len());
    for key in &team.members {
        let Some(learner) = app.records.learner(key).await? else {
            continue;
        };
        members.push(MemberRecords {
            name: learner.display_name,
            stages: app.records.stages(key).await?,
            reviews: app.records.reviews(key).await?,
            memories: app.records.memories(key).await?,
            prompts: app.records.prompts(key).await?,
        });
    }
    let now = app.clock.now();
    Ok(report::summarise(
        &team.name,
        &app.library,
        &app.schedulers,
        &members,
        now,
    ))
}
