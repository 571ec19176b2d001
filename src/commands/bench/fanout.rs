//! `ladder bench fanout`: plan one morning for N learners into the outbox, then deliver it
//! through the fake platform, first without and then with a rate limit.
//!
//! Planning runs the real path (slots in each learner's timezone, slot reservation, the
//! engine's daily pick, batched fills); only the roster is synthetic. Delivery runs the
//! real workers; the fake platform writes every message into the same database, so the
//! delivered rate includes that write.

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc, Weekday};
use ladder_engine::schedule::Scheduler;
use ladder_engine::schedule::{pick_daily, Candidate, Caps};
use ladder_engine::{AnswerKey, Item, ItemId, SkillId, Stage};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::backend::{rss_mb, Backend, BenchDb};
use crate::app::records::{Learner, LearnerKey, Preferences};
use crate::clock::{Clock, SystemClock};
use crate::delivery::fake::FakePlatform;
use crate::delivery::plan::{destination_of, DayPlanner, Materialiser, PlanError, TenantSchedule};
use crate::delivery::ratelimit::{RateConfig, RateLimiter, Scope};
use crate::delivery::worker::{Worker, WorkerConfig};
use crate::platform::{Platform, Reply};
use crate::store::outbox::{Message, Outbox};

const ZONES: [&str; 6] = [
    "Europe/London",
    "America/New_York",
    "America/Denver",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
];

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub learners: usize,
    /// Messages per second for the limited delivery run.
    pub limit_rate: f64,
    /// Reserve then fill (two writes per row) instead of one write per row.
    pub two_write: bool,
    /// Stop after planning (a million learners would take minutes to deliver).
    pub plan_only: bool,
}

/// The figures printed by the benchmark.
#[derive(Debug, serde::Serialize)]
pub struct FanoutReport {
    pub backend: Backend,
    pub learners: usize,
    /// `one_write` or `two_write` (see [`Options::two_write`]).
    pub planning: &'static str,
    pub planned_per_s: f64,
    /// The delivery figures are absent after `--plan-only`.
    pub delivered_per_s: Option<f64>,
    pub delivered_limited_per_s: Option<f64>,
    pub limit_rate: f64,
    pub limited_sample: usize,
    pub baseline_per_s: f64,
    pub planned_vs_baseline: f64,
    pub delivered_vs_baseline: Option<f64>,
    pub rss_mb: f64,
    pub rss_now_mb: f64,
}

/// A synthetic cohort: everyone new, spread over timezones, each due a few minutes before
/// their local "now", so the whole cohort's slot is due (and fresh) whenever the benchmark
/// runs.
struct Cohort {
    learners: Vec<Learner>,
    /// Composing here creates nothing, so one write per row is safe unless told otherwise.
    one_write: bool,
    items: Vec<Item>,
    scheduler: Scheduler,
}

fn item(i: usize) -> Item {
    Item {
        id: ItemId::parse(&format!("bench-{i}")).unwrap_or_else(|_| unreachable!()),
        skill: SkillId::parse("bench").unwrap_or_else(|_| unreachable!()),
        stage: Stage::Novice,
        prompt: format!("Benchmark question {i}"),
        key: AnswerKey::TrueFalse { answer: true },
        explanation: String::new(),
        hints: vec![],
        variants: vec![],
        fluency_secs: 10,
        tags: vec![],
        core: false,
    }
}

/// Five minutes before `now` on the zone's wall clock (midnight just after midnight).
fn just_before(zone: &str, now: DateTime<Utc>) -> NaiveTime {
    let local =
        chrono_tz::Tz::from_str(zone).map_or(now.time(), |tz| now.with_timezone(&tz).time());
    let earlier = local - chrono::Duration::minutes(5);
    if earlier > local {
        NaiveTime::MIN
    } else {
        earlier
    }
}

impl Cohort {
    fn new(n: usize, tenant: &str, now: DateTime<Utc>, one_write: bool) -> anyhow::Result<Self> {
        let all_days = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        let learners = (0..n)
            .map(|i| Learner {
                key: LearnerKey {
                    platform: Platform::Local,
                    tenant: tenant.to_owned(),
                    user: format!("u{i}"),
                },
                display_name: format!("Learner {i}"),
                tenant: tenant.to_owned(),
                tracks: vec![],
                prefs: Preferences {
                    timezone: Some(ZONES[i % ZONES.len()].to_owned()),
                    time: Some(just_before(ZONES[i % ZONES.len()], now)),
                    days: Some(all_days.to_vec()),
                    ..Preferences::default()
                },
                joined_at: now,
            })
            .collect();
        Ok(Cohort {
            learners,
            one_write,
            items: (0..20).map(item).collect(),
            scheduler: Scheduler::new(None, 0.9)?,
        })
    }
}

#[async_trait]
impl DayPlanner for Cohort {
    async fn roster(&self, _tenant: &str) -> Result<Vec<Learner>, PlanError> {
        Ok(self.learners.clone())
    }
    async fn compose(
        &self,
        learner: &Learner,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, PlanError> {
        let candidates: Vec<Candidate> = self
            .items
            .iter()
            .map(|item| Candidate {
                item,
                memory: None,
                unlocked: true,
            })
            .collect();
        let caps = Caps {
            new_per_day: 3,
            reviews_per_day: 5,
        };
        let picked = pick_daily(&self.scheduler, &candidates, caps, (0, 0), now);
        let (Some(first), Some((platform, destination))) =
            (picked.first(), destination_of(&learner.key))
        else {
            return Ok(None);
        };
        Ok(Some(Message {
            platform,
            destination,
            reply: Reply::text(format!("Your question for today is ready: {first}")),
            prompt_ref: None,
        }))
    }
    async fn still_open(&self, _: &str) -> Result<bool, PlanError> {
        Ok(false)
    }
    fn side_effect_free(&self) -> bool {
        self.one_write
    }
}

/// Runs workers until the outbox has nothing open; returns messages per second.
/// `sent_total`: rows sent once this run is done; `this_run`: how many this run sends.
async fn deliver(
    db: &BenchDb,
    outbox: Arc<dyn Outbox>,
    limiter: RateLimiter,
    sent_total: u64,
    this_run: u64,
) -> anyhow::Result<f64> {
    let fake: Arc<dyn crate::platform::Chat> = Arc::new(FakePlatform::open(db.fake_db(), 0).await?);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let start = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let config = WorkerConfig {
                worker_id: format!("bench-{i}"),
                batch: 256,
                concurrency: 32,
                idle_poll: Duration::from_millis(20),
                ..WorkerConfig::default()
            };
            let w = Worker::new(
                outbox.clone(),
                vec![fake.clone()],
                limiter.clone(),
                Arc::new(SystemClock),
                config,
            );
            tokio::spawn(w.run(stopped.clone()))
        })
        .collect();
    loop {
        let counts = outbox.status_counts().await?;
        if counts.open() == 0 {
            anyhow::ensure!(
                counts.sent >= sent_total,
                "only {} of {sent_total} delivered",
                counts.sent
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let per_s = this_run as f64 / start.elapsed().as_secs_f64();
    let _ = stop.send(true);
    for t in tasks {
        t.await?;
    }
    Ok(per_s)
}

pub async fn run(
    backend: Backend,
    options: Options,
    url: Option<String>,
) -> anyhow::Result<FanoutReport> {
    let Options {
        learners,
        limit_rate,
        two_write,
        plan_only,
    } = options;
    let db = BenchDb::open(backend, url).await?;
    let outbox = db.outbox();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let schedule = TenantSchedule {
        tenant: "bench".into(),
        name: "default".into(),
        policy: crate::app::policy::DailyPolicy::from_settings(&crate::config::Schedules {
            prompt_cron: "0 0 * * *".into(),
            ..crate::config::Schedules::default()
        })?,
    };

    let cohort = Arc::new(Cohort::new(learners, "bench", clock.now(), !two_write)?);
    let start = Instant::now();
    let planned = Materialiser::new(outbox.clone(), cohort, clock.clone())
        .plan(&schedule)
        .await?;
    let planned_per_s = planned.composed as f64 / start.elapsed().as_secs_f64();
    anyhow::ensure!(
        planned.composed == learners,
        "planned {} of {learners}",
        planned.composed
    );

    let sample = learners.min((limit_rate * 10.0).ceil() as usize).max(1);
    let (delivered_per_s, delivered_limited_per_s) = if plan_only {
        (None, None)
    } else {
        let (all, limited) = deliver_both(&db, &outbox, &schedule, options, sample).await?;
        (Some(all), Some(limited))
    };

    let baseline_per_s = db.baseline_inserts(learners.clamp(500, 5_000)).await?;
    let (rss, rss_now) = rss_mb();
    db.close().await?;
    Ok(FanoutReport {
        backend,
        learners,
        planning: if two_write { "two_write" } else { "one_write" },
        planned_per_s,
        delivered_per_s,
        delivered_limited_per_s,
        limit_rate,
        limited_sample: sample,
        baseline_per_s,
        planned_vs_baseline: planned_per_s / baseline_per_s,
        delivered_vs_baseline: delivered_per_s.map(|d| d / baseline_per_s),
        rss_mb: rss,
        rss_now_mb: rss_now,
    })
}

/// Delivers the planned morning without a limit, then a fresh sample of `sample` messages
/// with a global limit; returns both rates.
async fn deliver_both(
    db: &BenchDb,
    outbox: &Arc<dyn Outbox>,
    schedule: &TenantSchedule,
    options: Options,
    sample: usize,
) -> anyhow::Result<(f64, f64)> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let n = options.learners as u64;
    let delivered_per_s = deliver(db, outbox.clone(), RateLimiter::unlimited(), n, n).await?;

    // The limited run delivers a sample of about ten seconds' worth at the limit.
    let second = Arc::new(Cohort::new(
        sample,
        "bench-limited",
        clock.now(),
        !options.two_write,
    )?);
    let limited_schedule = TenantSchedule {
        tenant: "bench-limited".into(),
        ..schedule.clone()
    };
    Materialiser::new(outbox.clone(), second, clock.clone())
        .plan(&limited_schedule)
        .await?;
    let limit = RateConfig {
        per_second: options.limit_rate,
        burst: 1,
        scope: Scope::Global,
    };
    let limiter = RateLimiter::new([(Platform::Local, limit)]);
    let delivered_limited_per_s = deliver(
        db,
        outbox.clone(),
        limiter,
        n + sample as u64,
        sample as u64,
    )
    .await?;

    Ok((delivered_per_s, delivered_limited_per_s))
}
