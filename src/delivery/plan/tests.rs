//! Planning and reminders as a learner would notice them: one daily message however many
//! instances plan at once, none while paused or before their time, one reminder at most.

use super::*;
use crate::app::records::Preferences;
use crate::clock::VirtualClock;
use crate::delivery::reminders::Reminders;
use crate::platform::Reply;
use crate::store::outbox::sqlite::SqliteOutbox;
use chrono::{NaiveTime, TimeZone, Weekday};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A planner that counts how often it composed and lets the test answer prompts.
struct Counting {
    learners: Vec<Learner>,
    composed: AtomicUsize,
    answered: Mutex<Vec<String>>,
    /// Claims that composing has no side effects (one write per row).
    pure: bool,
}

#[async_trait]
impl DayPlanner for Counting {
    async fn roster(&self, _: &str) -> Result<Vec<Learner>, PlanError> {
        Ok(self.learners.clone())
    }
    async fn compose(&self, l: &Learner, _: DateTime<Utc>) -> Result<Option<Message>, PlanError> {
        self.composed.fetch_add(1, Ordering::SeqCst);
        if l.key.user.starts_with("idle") {
            return Ok(None);
        }
        let (platform, destination) = destination_of(&l.key).unwrap();
        Ok(Some(Message {
            platform,
            destination,
            reply: Reply::text("Your question is ready"),
            prompt_ref: Some(format!("p-{}", l.key.user)),
        }))
    }
    async fn still_open(&self, prompt: &str) -> Result<bool, PlanError> {
        Ok(!self.answered.lock().unwrap().iter().any(|a| a == prompt))
    }
    fn side_effect_free(&self) -> bool {
        self.pure
    }
}

fn learner(user: &str, tz: &str, time: (u32, u32)) -> Learner {
    Learner {
        key: LearnerKey {
            platform: Platform::Local,
            tenant: "t".into(),
            user: user.into(),
        },
        display_name: user.into(),
        tenant: "t".into(),
        tracks: vec![],
        prefs: Preferences {
            timezone: Some(tz.into()),
            time: Some(NaiveTime::from_hms_opt(time.0, time.1, 0).unwrap()),
            days: Some(vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]),
            ..Preferences::default()
        },
        joined_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
    }
}

async fn outbox() -> Arc<SqliteOutbox> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::migrate!("migrations/sqlite")
        .run(&pool)
        .await
        .unwrap();
    Arc::new(SqliteOutbox::new(pool))
}

fn schedule() -> TenantSchedule {
    TenantSchedule {
        tenant: "t".into(),
        name: "default".into(),
        policy: DailyPolicy::from_settings(&crate::config::Schedules {
            prompt_cron: "30 9 * * Mon-Fri".into(),
            ..crate::config::Schedules::default()
        })
        .unwrap(),
    }
}

#[tokio::test]
async fn two_instances_planning_together_compose_each_learner_once() {
    let outbox = outbox().await;
    // Monday 2 June 2025, 10:00 UTC: 11:00 in London (due), 03:00 in Denver (not yet).
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2025, 6, 2, 10, 0, 0).unwrap(),
    ));
    let mut paused = learner("paused", "Europe/London", (9, 0));
    paused.prefs.paused_until = Some(Utc.with_ymd_and_hms(2025, 6, 9, 0, 0, 0).unwrap());
    let planner = Arc::new(Counting {
        learners: vec![
            learner("ana", "Europe/London", (9, 30)),
            learner("ben", "Europe/London", (10, 45)),
            learner("cy", "America/Denver", (9, 30)),
            paused,
        ],
        composed: AtomicUsize::new(0),
        answered: Mutex::new(vec![]),
        pure: false,
    });
    let a = Materialiser::new(outbox.clone(), planner.clone(), clock.clone());
    let b = Materialiser::new(outbox.clone(), planner.clone(), clock.clone());
    let s = schedule();
    let (ra, rb) = tokio::join!(a.plan(&s), b.plan(&s));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(
        (ra.due, rb.due),
        (2, 2),
        "ana and ben are due, cy is asleep, one is paused"
    );
    assert_eq!(ra.reserved + rb.reserved, 2);
    assert_eq!(planner.composed.load(Ordering::SeqCst), 2);
    // Later the same day nothing new is planned; Denver's morning adds cy.
    clock.advance(chrono::Duration::hours(6));
    let later = a.plan(&schedule()).await.unwrap();
    assert_eq!((later.due, later.reserved), (3, 1));
    assert_eq!(outbox.status_counts().await.unwrap().pending, 3);
}

#[tokio::test]
async fn a_side_effect_free_planner_writes_each_learner_once_in_one_pass() {
    let outbox = outbox().await;
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2025, 6, 2, 10, 0, 0).unwrap(),
    ));
    let planner = Arc::new(Counting {
        learners: vec![
            learner("ana", "Europe/London", (9, 30)),
            learner("idle-bo", "Europe/London", (9, 30)),
            learner("cy", "America/Denver", (9, 30)),
        ],
        composed: AtomicUsize::new(0),
        answered: Mutex::new(vec![]),
        pure: true,
    });
    let a = Materialiser::new(outbox.clone(), planner.clone(), clock.clone());
    let b = Materialiser::new(outbox.clone(), planner.clone(), clock.clone());
    let s = schedule();
    let (ra, rb) = tokio::join!(a.plan(&s), b.plan(&s));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(
        ra.reserved + rb.reserved,
        2,
        "one row each for ana and idle-bo"
    );
    assert_eq!(ra.composed + rb.composed, 1, "idle-bo has nothing to ask");
    let counts = outbox.status_counts().await.unwrap();
    assert_eq!((counts.pending, counts.skipped, counts.planning), (1, 1, 0));
    clock.advance(chrono::Duration::hours(6));
    let later = a.plan(&schedule()).await.unwrap();
    assert_eq!((later.due, later.reserved, later.composed), (3, 1, 1));
    assert_eq!(outbox.status_counts().await.unwrap().pending, 2);
}

#[tokio::test]
async fn an_unanswered_prompt_gets_one_reminder_and_an_answered_one_none() {
    let outbox = outbox().await;
    let clock = Arc::new(VirtualClock::new(
        Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0).unwrap(),
    ));
    let planner = Arc::new(Counting {
        learners: vec![learner("ana", "UTC", (8, 0)), learner("ben", "UTC", (8, 0))],
        composed: AtomicUsize::new(0),
        answered: Mutex::new(vec![]),
        pure: false,
    });
    Materialiser::new(outbox.clone(), planner.clone(), clock.clone())
        .plan(&schedule())
        .await
        .unwrap();
    for c in outbox
        .claim("w", clock.now(), chrono::Duration::seconds(60), 10)
        .await
        .unwrap()
    {
        assert!(outbox
            .mark_sent(c.id, c.attempt, "m", clock.now())
            .await
            .unwrap());
    }
    planner.answered.lock().unwrap().push("p-ben".into());
    let reminders = Reminders::new(
        outbox.clone(),
        planner.clone(),
        clock.clone(),
        chrono::Duration::hours(4),
    );
    assert_eq!(reminders.queue(&schedule()).await.unwrap(), 0, "too early");
    clock.advance(chrono::Duration::hours(5));
    assert_eq!(
        reminders.queue(&schedule()).await.unwrap(),
        1,
        "only ana, who has not answered"
    );
    clock.advance(chrono::Duration::hours(1));
    assert_eq!(
        reminders.queue(&schedule()).await.unwrap(),
        0,
        "at most one a day"
    );
}
