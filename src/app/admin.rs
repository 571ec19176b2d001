//! Setting a tenant up: teams, their channel and leaderboard cron, members, and the
//! manager, expert and admin grants the staff commands check.
//!
//! [`Setup`] holds the rules and speaks plain sentences; two thin shells drive it: the
//! `ladder staff` command line (the bootstrap: the first admin cannot grant themselves in
//! chat) and `/admin ...` in chat, for people who hold the admin platform role *and* a
//! recorded admin grant, always inside their own tenant. Depends on the store, the content
//! library (to check skill ids), the cron parser and the platform types.

use ladder_engine::{Library, SkillId};

use super::manage::Staffing;
use super::records::{LearnerKey, RecordsError};
use super::{echo, App, AppError, AppResult};
use crate::delivery::slots::CronSchedule;
use crate::platform::{Actor, Platform, Reply};
use crate::store::{Learner, NewTeam, Role, RoleKind, RoleScope, Store, StoreError, Team, Tenant};

/// Why a setup step was refused; each sentence tells the admin what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("nobody from tenant {0} has joined yet")]
    UnknownTenant(String),
    #[error("user {0} has not joined yet: they run /join first")]
    NotJoined(String),
    #[error("there is no team called \"{0}\"")]
    UnknownTeam(String),
    #[error("there is no skill \"{0}\" in the content")]
    UnknownSkill(String),
    #[error("\"{0}\" is not a cron schedule: use five fields, e.g. \"0 9 * * MON\"")]
    BadCron(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "team \"{0}\" already exists with another channel or cron; Ladder cannot change \
         them after the team is created yet, so nothing changed"
    )]
    Fixed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a grant covers, as the admin named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Over {
    Tenant,
    Team(String),
    Skill(String),
}

/// One tenant's setup, over the service's store.
pub struct Setup<'a> {
    store: &'a dyn Store,
    tenant: Tenant,
    library: Option<&'a Library>,
    /// How user text is quoted back: sanitised in chat, as typed on the command line.
    show: fn(&str) -> String,
}

impl<'a> Setup<'a> {
    /// The tenant's setup; refused if nobody from it has joined. Skill ids are checked
    /// against `library` when there is one.
    pub async fn open(
        store: &'a dyn Store,
        platform: Platform,
        tenant: &str,
        library: Option<&'a Library>,
        show: fn(&str) -> String,
    ) -> Result<Setup<'a>, SetupError> {
        let Some(tenant) = store.find_tenant(platform, tenant).await? else {
            return Err(SetupError::UnknownTenant(show(tenant)));
        };
        Ok(Setup {
            store,
            tenant,
            library,
            show,
        })
    }

    /// Creates a team; re-running with the same settings changes nothing.
    #[tracing::instrument(skip_all, fields(tenant = self.tenant.id.0))]
    pub async fn add_team(
        &self,
        name: &str,
        channel: Option<&str>,
        cron: Option<&str>,
    ) -> Result<String, SetupError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.contains('\n') {
            return Err(SetupError::Invalid(
                "a team name is one line of 1 to 80 characters".into(),
            ));
        }
        let channel = channel.map(|c| self.channel(c)).transpose()?;
        let cron = cron.map(check_cron).transpose()?;
        if let Ok(team) = self.team(name).await {
            let same =
                |now: &Option<String>, asked: &Option<String>| asked.is_none() || now == asked;
            if same(&team.channel_id, &channel) && same(&team.leaderboard_cron, &cron) {
                return Ok(format!(
                    "nothing changed: team \"{}\" already exists",
                    self.q(&team.name)
                ));
            }
            return Err(SetupError::Fixed((self.show)(&team.name)));
        }
        let team = self
            .store
            .add_team(NewTeam {
                tenant: self.tenant.id,
                name: name.to_owned(),
                channel_id: channel,
                prompt_cron: None,
                leaderboard_cron: cron,
            })
            .await?;
        Ok(format!(
            "created team \"{}\"{}",
            self.q(&team.name),
            self.settings(&team)
        ))
    }

    /// Sets a team's leaderboard channel or cron (the other stays as it is).
    pub async fn set_team(
        &self,
        name: &str,
        channel: Option<&str>,
        cron: Option<&str>,
    ) -> Result<String, SetupError> {
        let team = self.team(name).await?;
        let channel = channel.map(|c| self.channel(c)).transpose()?;
        let cron = cron.map(check_cron).transpose()?;
        let channel = channel.or(team.channel_id.clone());
        let cron = cron.or(team.leaderboard_cron.clone());
        if channel == team.channel_id && cron == team.leaderboard_cron {
            return Ok(format!(
                "nothing changed: team \"{}\" already posts that way",
                self.q(&team.name)
            ));
        }
        self.store
            .set_team_posting(team.id, channel.as_deref(), cron.as_deref())
            .await?;
        let team = self.team(&team.name).await?;
        Ok(format!(
            "updated team \"{}\"{}",
            self.q(&team.name),
            self.settings(&team)
        ))
    }

    /// Adds (or removes) members; adding someone twice is harmless.
    #[tracing::instrument(skip_all, fields(tenant = self.tenant.id.0))]
    pub async fn members(
        &self,
        team: &str,
        users: &[String],
        add: bool,
    ) -> Result<Vec<String>, SetupError> {
        let team = self.team(team).await?;
        let mut people = Vec::new();
        for user in users {
            people.push(self.learner(user).await?);
        }
        let current = self.store.members(team.id).await?;
        let t = self.q(&team.name);
        let mut out = Vec::new();
        for p in people {
            let (u, member) = (
                self.q(&p.platform_user),
                current.iter().any(|m| m.id == p.id),
            );
            out.push(match (add, member) {
                (true, true) => format!("nothing changed: {u} already is in team \"{t}\""),
                (false, false) => format!("nothing changed: {u} is not in team \"{t}\""),
                (true, false) => {
                    self.store.add_member(team.id, p.id).await?;
                    format!("added {u} to team \"{t}\"")
                }
                (false, true) => {
                    self.store.remove_member(team.id, p.id).await?;
                    format!("removed {u} from team \"{t}\"")
                }
            });
        }
        Ok(out)
    }

    /// Records (or revokes) a role; re-running it is harmless.
    #[tracing::instrument(skip_all, fields(tenant = self.tenant.id.0))]
    pub async fn grant(
        &self,
        user: &str,
        kind: RoleKind,
        over: &Over,
        revoke: bool,
    ) -> Result<String, SetupError> {
        let learner = self.learner(user).await?;
        let scope = self.scope(kind, over).await?;
        let role = Role {
            learner: learner.id,
            kind,
            scope,
        };
        let held = self.store.roles(learner.id).await?.contains(&role);
        let what = format!("{} {}", kind.as_str(), self.describe(&role.scope).await?);
        let u = self.q(&learner.platform_user);
        Ok(match (revoke, held) {
            (false, true) => format!("nothing changed: {u} already is {what}"),
            (true, false) => format!("nothing changed: {u} is not {what}"),
            (false, false) => {
                self.store.grant_role(&role).await?;
                format!("granted: {u} is now {what}")
            }
            (true, true) => {
                self.store.revoke_role(&role).await?;
                format!("revoked: {u} is no longer {what}")
            }
        })
    }

    /// Every team with its channel, cron and members, then every grant.
    pub async fn list(&self) -> Result<Vec<String>, SetupError> {
        let mut out = vec![format!(
            "Teams of {} tenant {}:",
            self.tenant.platform.as_str(),
            self.q(&self.tenant.external_id)
        )];
        let teams = self.store.teams(self.tenant.id).await?;
        if teams.is_empty() {
            out.push("- (none)".into());
        }
        for team in &teams {
            let members: Vec<String> = self
                .store
                .members(team.id)
                .await?
                .iter()
                .map(|m| self.q(&m.platform_user))
                .collect();
            let members = if members.is_empty() {
                "none".into()
            } else {
                members.join(", ")
            };
            out.push(format!(
                "- {}{}; members: {members}",
                self.q(&team.name),
                self.settings(team)
            ));
        }
        out.push("Grants:".into());
        let before = out.len();
        for learner in self.store.learners(self.tenant.id).await? {
            for role in self.store.roles(learner.id).await? {
                let scope = self.describe(&role.scope).await?;
                out.push(format!(
                    "- {} is {} {scope}",
                    self.q(&learner.platform_user),
                    role.kind.as_str()
                ));
            }
        }
        if out.len() == before {
            out.push("- (none)".into());
        }
        Ok(out)
    }

    fn q(&self, text: &str) -> String {
        (self.show)(text)
    }

    fn settings(&self, team: &Team) -> String {
        let channel = team
            .channel_id
            .as_deref()
            .map_or("no channel".into(), |c| format!("channel {}", self.q(c)));
        let cron = team
            .leaderboard_cron
            .as_deref()
            .map_or("no leaderboard cron".into(), |c| {
                format!("leaderboard cron \"{}\"", self.q(c))
            });
        format!(" ({channel}, {cron})")
    }

    async fn team(&self, name: &str) -> Result<Team, SetupError> {
        let teams = self.store.teams(self.tenant.id).await?;
        teams
            .into_iter()
            .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| SetupError::UnknownTeam(self.q(name.trim())))
    }

    async fn learner(&self, user: &str) -> Result<Learner, SetupError> {
        let user = user_id(user);
        let found = self
            .store
            .learner_by_platform_user(self.tenant.id, user)
            .await?;
        found.ok_or_else(|| SetupError::NotJoined(self.q(user)))
    }

    fn channel(&self, raw: &str) -> Result<String, SetupError> {
        let c = raw.trim().trim_start_matches("<#").trim_end_matches('>');
        let digits = !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit());
        if c.is_empty()
            || c.contains(char::is_whitespace)
            || (self.tenant.platform == Platform::Discord && !digits)
        {
            return Err(SetupError::Invalid(format!(
                "\"{}\" is not a channel id",
                self.q(raw.trim())
            )));
        }
        Ok(c.to_owned())
    }

    async fn scope(&self, kind: RoleKind, over: &Over) -> Result<RoleScope, SetupError> {
        let refuse = |s: &str| Err(SetupError::Invalid(s.into()));
        match (kind, over) {
            (_, Over::Tenant) => Ok(RoleScope::Tenant),
            (RoleKind::Manager, Over::Team(name)) => Ok(RoleScope::Team(self.team(name).await?.id)),
            (RoleKind::Expert, Over::Skill(id)) => {
                let known = SkillId::parse(id.trim())
                    .ok()
                    .filter(|s| self.library.is_none_or(|l| l.skill(s).is_some()));
                known
                    .map(RoleScope::Skill)
                    .ok_or_else(|| SetupError::UnknownSkill(self.q(id.trim())))
            }
            (RoleKind::Manager, Over::Skill(_)) => {
                refuse("a manager grant names a team, not a skill")
            }
            (RoleKind::Expert, Over::Team(_)) => {
                refuse("an expert grant names a skill, not a team")
            }
            _ => refuse("an admin grant covers the whole tenant: name no team or skill"),
        }
    }

    async fn describe(&self, scope: &RoleScope) -> Result<String, SetupError> {
        Ok(match scope {
            RoleScope::Tenant => "across the tenant".into(),
            RoleScope::Skill(s) => format!("of skill {}", self.q(s.as_str())),
            RoleScope::Team(id) => match self.store.team(*id).await? {
                Some(t) => format!("of team \"{}\"", self.q(&t.name)),
                None => format!("of a deleted team ({id})"),
            },
        })
    }
}

/// A user id as typed or as a Discord mention (`<@123>`, `<@!123>`).
fn user_id(raw: &str) -> &str {
    let u = raw.trim();
    u.strip_prefix("<@")
        .and_then(|u| u.strip_suffix('>'))
        .map_or(u, |u| u.trim_start_matches('!'))
}

fn check_cron(raw: &str) -> Result<String, SetupError> {
    let cron = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    match CronSchedule::parse(&cron) {
        Ok(_) if !cron.is_empty() => Ok(cron),
        _ => Err(SetupError::BadCron(echo(raw))),
    }
}

const USAGE: &str = "Usage: /admin list | team add NAME | team channel NAME CHANNEL_ID | \
    team cron NAME CRON | member add|remove TEAM USER_ID | grant USER_ID manager|expert|admin \
    [TEAM|SKILL] | revoke USER_ID manager|expert|admin [TEAM|SKILL]";

/// Chat `/admin ...`.
pub async fn handle(app: &App, actor: &Actor, args: &str) -> AppResult<Vec<Reply>> {
    let Some(staffing) = app.staffing.get() else {
        return Ok(vec![Reply::text(
            "Team setup is not available on this server yet.",
        )]);
    };
    if let Some(denial) = denial(staffing, actor).await? {
        return Ok(vec![Reply::text(denial)]);
    }
    let opened = Setup::open(
        staffing.store.as_ref(),
        actor.platform,
        &actor.tenant,
        Some(app.library()),
        echo,
    )
    .await;
    let said = match opened {
        Ok(setup) => run(&setup, args).await,
        Err(e) => Err(e),
    };
    match said {
        // The listing is a table of names; everything else reads as sentences.
        Ok(lines) if args.trim() == "list" => Ok(vec![Reply::text(lines.join("\n"))]),
        Ok(lines) => {
            let lines: Vec<String> = lines.iter().map(|l| sentence(l)).collect();
            Ok(vec![Reply::text(lines.join("\n"))])
        }
        Err(SetupError::Store(e)) => Err(AppError::Records(RecordsError(e.to_string()))),
        Err(e) => Ok(vec![Reply::text(sentence(&e.to_string()))]),
    }
}

/// Why the actor may not use `/admin`, if they may not: the platform role and the recorded
/// grant are both needed, and grants are looked up in the actor's own tenant only.
async fn denial(staffing: &Staffing, actor: &Actor) -> Result<Option<&'static str>, AppError> {
    if !staffing.policy.kinds(actor).contains(&RoleKind::Admin) {
        return Ok(Some(
            "/admin is for admins. Ask your server's admins if you should have that role.",
        ));
    }
    let grants = staffing.staff.grants(&LearnerKey::of(actor)).await?;
    if !grants.iter().any(|(k, _)| *k == RoleKind::Admin) {
        return Ok(Some(
            "Your admin role is not recorded in Ladder yet. Another admin can grant it \
             (/admin grant), or the operator with `ladder staff grant --role admin`.",
        ));
    }
    Ok(None)
}

async fn run(setup: &Setup<'_>, args: &str) -> Result<Vec<String>, SetupError> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let rest = |n: usize| words.get(n..).unwrap_or_default().join(" ");
    let one = |line: Result<String, SetupError>| line.map(|l| vec![l]);
    match words.as_slice() {
        ["list"] => setup.list().await,
        ["team", "add", _, ..] => one(setup.add_team(&rest(2), None, None).await),
        ["team", "channel", .., channel] if words.len() > 3 => one(setup
            .set_team(&words[2..words.len() - 1].join(" "), Some(channel), None)
            .await),
        ["team", "cron", name, ..] if words.len() > 3 => {
            let (team, cron) = team_and_cron(&words[2..]).unwrap_or((name.to_string(), rest(3)));
            one(setup.set_team(&team, None, Some(&cron)).await)
        }
        ["member", action @ ("add" | "remove"), .., user] if words.len() > 3 => {
            let team = words[2..words.len() - 1].join(" ");
            setup
                .members(&team, &[user.to_string()], *action == "add")
                .await
        }
        [verb @ ("grant" | "revoke"), user, role, ..] => {
            let Some(kind) =
                RoleKind::parse(&role.to_ascii_lowercase()).filter(|k| *k != RoleKind::Learner)
            else {
                return Err(SetupError::Invalid(format!(
                    "\"{}\" is not a role: use manager, expert or admin",
                    echo(role)
                )));
            };
            let named = rest(3);
            let over = match (named.is_empty(), kind) {
                (true, _) => Over::Tenant,
                (false, RoleKind::Expert) => Over::Skill(named),
                (false, _) => Over::Team(named),
            };
            one(setup.grant(user, kind, &over, *verb == "revoke").await)
        }
        _ => Err(SetupError::Invalid(USAGE.into())),
    }
}

/// Splits `NAME... CRON` where the cron is the last five or six fields that parse.
fn team_and_cron(words: &[&str]) -> Option<(String, String)> {
    [6, 5].into_iter().find_map(|n| {
        let split = words.len().checked_sub(n).filter(|s| *s > 0)?;
        let cron = words[split..].join(" ");
        CronSchedule::parse(&cron).ok()?;
        Some((words[..split].join(" "), cron))
    })
}

/// A setup line as a chat sentence: capitalised, ending with a full stop.
fn sentence(line: &str) -> String {
    let line = line.trim();
    let mut chars = line.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    let end = if line.ends_with('.') { "" } else { "." };
    format!("{first}{}{end}", chars.as_str())
}
