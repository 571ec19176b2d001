//! A day planner for the delivery tests: a roster of learners on the fake platform, each
//! asked one question a day, that counts how often a question was composed for whom
//! (composing stands for creating the learner's prompt of the day).

use async_trait::async_trait;
use chrono::Weekday::*;
use chrono::{DateTime, Timelike, Utc};
use ladder::app::records::{Learner, LearnerKey, Preferences};
use ladder::delivery::plan::{destination_of, DayPlanner, PlanError, TenantSchedule};
use ladder::delivery::slots::CronSchedule;
use ladder::platform::{Platform, Reply};
use ladder::store::outbox::Message;
use std::collections::HashMap;
use std::sync::Mutex;

/// The tenant every planner test uses.
pub const TENANT: &str = "crash";

/// `n` learners on the fake (local) platform whose daily slot is `due` (to the minute),
/// every day of the week.
pub fn roster(n: usize, due: DateTime<Utc>) -> Vec<Learner> {
    let time = due
        .time()
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let days = vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun];
    (0..n)
        .map(|i| Learner {
            key: LearnerKey {
                platform: Platform::Local,
                tenant: TENANT.into(),
                user: format!("u{i}"),
            },
            display_name: format!("Learner {i}"),
            tenant: TENANT.into(),
            tracks: vec![],
            prefs: Preferences {
                time: Some(time),
                days: Some(days.clone()),
                ..Preferences::default()
            },
            joined_at: due - chrono::Duration::days(7),
        })
        .collect()
}

/// The tenant's daily schedule (the learners' own time and days replace its parts).
pub fn schedule() -> TenantSchedule {
    TenantSchedule {
        tenant: TENANT.into(),
        name: "default".into(),
        policy: ladder::app::policy::DailyPolicy {
            cron: CronSchedule::parse("0 9 * * 1-5").unwrap(),
            ..ladder::app::policy::DailyPolicy::default()
        },
    }
}

/// One planning instance. With `side_effect_free` it composes before reserving (one write
/// per row); without, it reserves first and composes only the slots it won.
pub struct MorningPlanner {
    pub learners: Vec<Learner>,
    pub side_effect_free: bool,
    /// Questions composed by this instance, by learner (only counted when composing has
    /// side effects, i.e. when it would create the learner's prompt).
    pub prompts: Mutex<HashMap<String, u32>>,
}

impl MorningPlanner {
    pub fn new(learners: Vec<Learner>, side_effect_free: bool) -> Self {
        MorningPlanner {
            learners,
            side_effect_free,
            prompts: Mutex::new(HashMap::new()),
        }
    }
}

#[async_trait]
impl DayPlanner for MorningPlanner {
    async fn roster(&self, _tenant: &str) -> Result<Vec<Learner>, PlanError> {
        Ok(self.learners.clone())
    }
    async fn compose(
        &self,
        learner: &Learner,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, PlanError> {
        if !self.side_effect_free {
            *self
                .prompts
                .lock()
                .unwrap()
                .entry(learner.key.user.clone())
                .or_default() += 1;
        }
        let (platform, destination) = destination_of(&learner.key).unwrap();
        Ok(Some(Message {
            platform,
            destination,
            reply: Reply::text(format!(
                "Question of {} for {}",
                now.date_naive(),
                learner.display_name
            )),
            prompt_ref: None,
        }))
    }
    async fn still_open(&self, _: &str) -> Result<bool, PlanError> {
        Ok(false)
    }
    fn side_effect_free(&self) -> bool {
        self.side_effect_free
    }
}
