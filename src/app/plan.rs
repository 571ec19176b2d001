//! Creating prompts: the daily push (`plan_day`, called by delivery and by the
//! playground's `/skip`), the follow-up question after a daily answer, and practice on
//! demand.
//!
//! Pushes follow the tenant's policy (`prompt_cron` in `schedules.timezone`, the daily
//! caps, the prompts' time to live) with the learner's own days, time, timezone, pause and
//! cap over it; a new day's push replaces yesterday's unanswered one. Depends on the
//! records interface, the policy, the picker and prompt rendering.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use ladder_engine::{Item, SkillId, Stage};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::action::PromptRef;
use super::pick::{self, Request, Situation};
use super::records::{Learner, LearnerKey, Prompt, PromptState};
use super::{prompt, App, AppResult};
use crate::platform::{Actor, Block, Choice, Reply};

/// A prompt created for a learner, with the message to deliver.
#[derive(Debug, Clone)]
pub struct Planned {
    pub prompt: Prompt,
    pub reply: Reply,
}

impl App {
    /// The daily push for one learner at `now`: the first question of the day as a
    /// "show question" teaser, or nothing when it is not time (day, hour, pause), the day
    /// was already planned, or nothing is due.
    #[tracing::instrument(skip_all)]
    pub async fn plan_day(
        &self,
        key: &LearnerKey,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Planned>> {
        self.plan(key, now, false).await
    }

    /// Today's first daily question, shown at once because the learner is here (e.g. at
    /// `start`); `None` when no push is due now.
    pub async fn open_day(&self, actor: &Actor) -> AppResult<Option<Planned>> {
        self.plan(&LearnerKey::of(actor), self.clock.now(), true)
            .await
    }

    async fn plan(
        &self,
        key: &LearnerKey,
        now: DateTime<Utc>,
        reveal: bool,
    ) -> AppResult<Option<Planned>> {
        let Some(learner) = self.records.learner(key).await? else {
            return Ok(None);
        };
        if !self.push_due(&learner, now) {
            return Ok(None);
        }
        let prompts = self.records.prompts(key).await?;
        let tz = self.policy.timezone_of(&learner.prefs);
        let today = local_date(tz, now);
        let pushed_today = prompts
            .iter()
            .any(|p| p.pushed && local_date(tz, p.created_at) == today);
        if pushed_today {
            return Ok(None);
        }
        let Some(item) = self.pick(&learner, None, false, now).await? else {
            return Ok(None);
        };
        let revealed = reveal.then_some(now);
        let p = self.new_prompt(&learner, item, true, revealed, now).await?;
        let reply = if reveal {
            prompt::question(&self.library, item, &p)
        } else {
            prompt::teaser(&self.library, item, &p)
        };
        Ok(Some(Planned { prompt: p, reply }))
    }

    /// Puts one chosen item to a learner now: as a pushed teaser (`pushed`), or revealed,
    /// as practice. For tools that pick the item themselves (expert previews, tests);
    /// `None` when the learner or the item is unknown.
    pub async fn ask_item(
        &self,
        actor: &Actor,
        item: &ladder_engine::ItemId,
        pushed: bool,
    ) -> AppResult<Option<Planned>> {
        let (Some(learner), Some(item)) = (self.learner(actor).await?, self.library.item(item))
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        let revealed = (!pushed).then_some(now);
        let p = self
            .new_prompt(&learner, item, pushed, revealed, now)
            .await?;
        let reply = if pushed {
            prompt::teaser(&self.library, item, &p)
        } else {
            prompt::question(&self.library, item, &p)
        };
        Ok(Some(Planned { prompt: p, reply }))
    }

    /// What the playground shows after the clock moves: today's push, if due.
    pub async fn pushes(&self, actor: &Actor) -> Vec<Reply> {
        let mut out = match self.answers_for(actor).await {
            Ok(answers) => answers,
            Err(err) => {
                tracing::error!(error = %err, "collecting answers to questions failed");
                Vec::new()
            }
        };
        match self
            .plan_day(&LearnerKey::of(actor), self.clock.now())
            .await
        {
            Ok(planned) => out.extend(planned.into_iter().map(|p| p.reply)),
            Err(err) => tracing::error!(error = %err, "planning the day failed"),
        }
        out
    }

    async fn pick(
        &self,
        learner: &Learner,
        skill: Option<&SkillId>,
        beyond_new_cap: bool,
        now: DateTime<Utc>,
    ) -> AppResult<Option<&Item>> {
        let key = &learner.key;
        let memories: HashMap<_, _> = self.records.memories(key).await?.into_iter().collect();
        let stages = self.records.stages(key).await?;
        let prompts = self.records.prompts(key).await?;
        let tz = self.policy.timezone_of(&learner.prefs);
        let done_today = done_today(tz, &prompts, now);
        let busy: Vec<_> = prompts
            .iter()
            .filter(|p| p.state_at(now) == PromptState::Open)
            .map(|p| p.item.clone())
            .collect();
        let s = Situation {
            library: &self.library,
            schedulers: &self.schedulers,
            tracks: &learner.tracks,
            memories: &memories,
            stages: &stages,
            done_today,
            caps: self.policy.caps_of(&learner.prefs),
            busy: &busy,
            now,
        };
        let req = Request {
            skill,
            beyond_new_cap,
        };
        Ok(pick::next_item(&s, &req))
    }

    async fn new_prompt(
        &self,
        learner: &Learner,
        item: &Item,
        pushed: bool,
        revealed_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> AppResult<Prompt> {
        let seen = self
            .records
            .reviews(&learner.key)
            .await?
            .iter()
            .filter(|r| r.item == item.id)
            .count();
        let draft = Prompt {
            id: PromptRef::parse("new").expect("a valid placeholder"),
            learner: learner.key.clone(),
            item: item.id.clone(),
            variant: pick::variant_for(item, seen),
            seed: seed(&learner.key, item, now),
            pushed,
            created_at: now,
            revealed_at,
            state: PromptState::Open,
            expires_at: pushed.then(|| self.policy.expiry_from(now)).flatten(),
        };
        // A new daily question replaces yesterday's unanswered one: answering that later
        // is told it was replaced.
        Ok(self.records.add_prompt(draft, pushed).await?)
    }
}

/// After a daily answer, the next daily question comes straight away (the learner is
/// here), until the daily cap.
pub async fn after_answer(app: &App, actor: &Actor, answered: &Prompt) -> AppResult<Vec<Reply>> {
    let Some(learner) = app.learner(actor).await? else {
        return Ok(Vec::new());
    };
    let now = app.clock.now();
    if !answered.pushed {
        return Ok(Vec::new());
    }
    let tz = app.policy.timezone_of(&learner.prefs);
    let today = local_date(tz, now);
    let prompts = app.records.prompts(&learner.key).await?;
    let pushed_today = prompts
        .iter()
        .filter(|p| p.pushed && local_date(tz, p.created_at) == today)
        .count() as u32;
    if learner
        .prefs
        .daily_cap
        .is_some_and(|cap| pushed_today >= cap)
    {
        return Ok(vec![Reply::text(
            "That's all for today. See you tomorrow! (/practice if you want more now.)",
        )]);
    }
    match app.pick(&learner, None, false, now).await? {
        Some(item) => {
            let p = app.new_prompt(&learner, item, true, Some(now), now).await?;
            Ok(vec![prompt::question(&app.library, item, &p)])
        }
        None => Ok(vec![Reply::text("Nothing else is due today. Well done!")]),
    }
}

/// `practice`: one question now. Experienced learners and masters may pick any skill and
/// go past the new-item cap (push to pull, SPEC §2).
pub async fn practice_now(
    app: &App,
    actor: &Actor,
    skill: Option<&SkillId>,
) -> AppResult<Vec<Reply>> {
    let Some(learner) = app.learner(actor).await? else {
        return Ok(Vec::new());
    };
    let now = app.clock.now();
    let stages = app.records.stages(&learner.key).await?;
    let top = stages
        .iter()
        .map(|s| s.stage)
        .max()
        .unwrap_or(Stage::Novice);
    let in_control = top >= Stage::Experienced;
    if skill.is_some() && !in_control {
        let note = "Choosing a skill opens up once you are experienced in one; until then I pick what helps most. Here is your next question:";
        let mut replies = vec![Reply::text(note)];
        replies.extend(practice_item(app, &learner, None, false, now).await?);
        return Ok(replies);
    }
    practice_item(app, &learner, skill, in_control, now).await
}

async fn practice_item(
    app: &App,
    learner: &Learner,
    skill: Option<&SkillId>,
    beyond_cap: bool,
    now: DateTime<Utc>,
) -> AppResult<Vec<Reply>> {
    match app.pick(learner, skill, beyond_cap, now).await? {
        Some(item) => {
            let p = app.new_prompt(learner, item, false, Some(now), now).await?;
            Ok(vec![prompt::question(&app.library, item, &p)])
        }
        None => Ok(vec![Reply::text(format!(
            "Nothing is due and you have met today's {} new questions: rest is part of learning. Come back tomorrow, or /skip 1d in the demo.",
            app.policy.caps_of(&learner.prefs).0
        ))]),
    }
}

pub fn more_button() -> Reply {
    Reply::private(vec![Block::Choices {
        choices: vec![Choice {
            label: "Another question".into(),
            action: super::action::Action::Practice { skill: None }.encode(),
        }],
        multi: false,
        placeholder: String::new(),
    }])
}

/// (new items, reviews) asked today in the learner's timezone: a prompt is new when it is
/// the first ever for its item.
fn done_today(tz: Tz, prompts: &[Prompt], now: DateTime<Utc>) -> (u32, u32) {
    let today = local_date(tz, now);
    let mut counts = (0, 0);
    for p in prompts
        .iter()
        .filter(|p| local_date(tz, p.created_at) == today)
    {
        let seen_before = prompts
            .iter()
            .any(|q| q.item == p.item && q.created_at < p.created_at);
        if seen_before {
            counts.1 += 1;
        } else {
            counts.0 += 1;
        }
    }
    counts
}

fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

impl App {
    /// Today's slot (the tenant's cron with the learner's own choices over it, in the
    /// learner's timezone) has come, and the learner is not paused.
    fn push_due(&self, learner: &Learner, now: DateTime<Utc>) -> bool {
        let schedule = self.policy.schedule_of(&learner.prefs);
        let tz = self.policy.timezone_of(&learner.prefs);
        crate::delivery::slots::current_slot(&schedule, tz, now).is_some()
    }
}

fn seed(key: &LearnerKey, item: &Item, now: DateTime<Utc>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (key, item.id.as_str(), now.timestamp_micros()).hash(&mut h);
    h.finish()
}
