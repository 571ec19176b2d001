//! `ladder bench growth`: how the store behaves as the cohort grows (issue 6, item 3).
//! For each size, a fresh database is seeded with N learners holding `items` memory
//! states each (every one written by the store's answer transaction), then it times the
//! two operations a day repeats per learner: an answer (read the memory, create the
//! prompt, answer transaction) and a daily plan (read all memories, pick the day). Also
//! reported: bytes on disk per learner, the process's resident memory, and a bare
//! single-row round trip and write transaction on the same database, so figures from
//! different machines compare as ratios.

use anyhow::Context;
use chrono::{DateTime, Duration as Days, Utc};
use ladder_engine::schedule::{pick_daily, Candidate, Caps, Memory, Rating, Scheduler};
use ladder_engine::{grade::Verdict, Item, ItemId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::backend::{rss_mb, Backend, BenchDb};
use crate::platform::Platform;
use crate::store::progress::AnswerRecord;
use crate::store::{
    connect, connect_postgres_schema, LearnerId, NewLearner, NewPrompt, Preferences, PromptKind,
    Store,
};

/// Operations timed per size (answers, plans and each baseline).
const SAMPLES: usize = 2_000;
/// Concurrent writers while seeding.
const SEEDERS: usize = 8;

/// Figures for one cohort size.
#[derive(Debug, serde::Serialize)]
pub struct SizeFigures {
    pub learners: usize,
    pub seed_seconds: f64,
    pub answer_p50_us: f64,
    pub answer_mean_us: f64,
    pub plan_p50_us: f64,
    pub plan_mean_us: f64,
    /// A bare single-row SELECT by primary key.
    pub baseline_roundtrip_p50_us: f64,
    /// A bare UPDATE + INSERT transaction.
    pub baseline_write_p50_us: f64,
    pub answer_vs_write_baseline: f64,
    pub plan_vs_roundtrip_baseline: f64,
    pub bytes_on_disk: u64,
    pub bytes_per_learner: f64,
    pub rss_peak_mb: f64,
    pub rss_now_mb: f64,
}

/// Largest size over smallest.
#[derive(Debug, serde::Serialize)]
pub struct Growth {
    pub answer_p50: f64,
    pub plan_p50: f64,
    pub bytes_per_learner: f64,
    pub rss_peak: f64,
    /// Targets of issue 6: peak RSS at most 150 MB at the largest size, at most 1.2×.
    pub rss_target_met: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct GrowthReport {
    pub backend: Backend,
    pub items: usize,
    pub sizes: Vec<SizeFigures>,
    pub growth: Option<Growth>,
}

pub async fn run(
    backend: Backend,
    sizes: Vec<usize>,
    items: usize,
    url: Option<String>,
) -> anyhow::Result<GrowthReport> {
    let library = crate::sim::library::generated();
    anyhow::ensure!(
        (1..=library.items.len()).contains(&items),
        "--items must be within 1..={}",
        library.items.len()
    );
    anyhow::ensure!(
        !sizes.is_empty() && sizes.iter().all(|&n| n > 0),
        "--learners needs sizes above 0"
    );
    let items: Vec<Item> = library.items[..items].to_vec();
    let mut figures = Vec::with_capacity(sizes.len());
    for &n in &sizes {
        figures.push(one_size(backend, n, &items, url.clone()).await?);
    }
    Ok(GrowthReport {
        backend,
        items: items.len(),
        growth: growth(&figures),
        sizes: figures,
    })
}

fn growth(sizes: &[SizeFigures]) -> Option<Growth> {
    let (first, last) = (sizes.first()?, sizes.last()?);
    if sizes.len() < 2 {
        return None;
    }
    let rss_peak = last.rss_peak_mb / first.rss_peak_mb;
    Some(Growth {
        answer_p50: last.answer_p50_us / first.answer_p50_us,
        plan_p50: last.plan_p50_us / first.plan_p50_us,
        bytes_per_learner: last.bytes_per_learner / first.bytes_per_learner,
        rss_peak,
        rss_target_met: last.rss_peak_mb <= 150.0 && rss_peak <= 1.2,
    })
}

#[tracing::instrument(skip_all, fields(learners = n))]
async fn one_size(
    backend: Backend,
    n: usize,
    items: &[Item],
    url: Option<String>,
) -> anyhow::Result<SizeFigures> {
    let db = BenchDb::open(backend, url).await?;
    let store: Arc<dyn Store> = match db.location() {
        (url, Some(schema)) => connect_postgres_schema(url, schema).await?,
        (url, None) => connect(url).await?,
    };
    let empty = bytes_on_disk(&db).await?;
    let seeded_at = Instant::now();
    let learners = seed(&store, n, items).await?;
    let seed_seconds = seeded_at.elapsed().as_secs_f64();
    let scheduler = Scheduler::new(None, 0.9)?;
    let mut rng = StdRng::seed_from_u64(n as u64);
    let answers = time_answers(store.as_ref(), &scheduler, &learners, items, &mut rng).await?;
    let plans = time_plans(store.as_ref(), &scheduler, &learners, items, &mut rng).await?;
    let roundtrip = baseline_roundtrips(&db).await?;
    let (writes, _) = db.baseline_transactions(SAMPLES).await?;
    let bytes = bytes_on_disk(&db).await?;
    let (rss_peak_mb, rss_now_mb) = rss_mb();
    drop(store);
    db.close().await?;
    let (answer_p50_us, answer_mean_us) = stats(answers);
    let (plan_p50_us, plan_mean_us) = stats(plans);
    let (baseline_roundtrip_p50_us, _) = stats(roundtrip);
    let (baseline_write_p50_us, _) = stats(writes);
    Ok(SizeFigures {
        learners: n,
        seed_seconds,
        answer_p50_us,
        answer_mean_us,
        plan_p50_us,
        plan_mean_us,
        baseline_roundtrip_p50_us,
        baseline_write_p50_us,
        answer_vs_write_baseline: answer_p50_us / baseline_write_p50_us,
        plan_vs_roundtrip_baseline: plan_p50_us / baseline_roundtrip_p50_us,
        bytes_on_disk: bytes,
        bytes_per_learner: bytes.saturating_sub(empty) as f64 / n as f64,
        rss_peak_mb,
        rss_now_mb,
    })
}

/// (p50, mean) in microseconds.
fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let us = |d: &Duration| d.as_secs_f64() * 1e6;
    let p50 = samples.get(samples.len() / 2).map_or(0.0, us);
    let mean = samples.iter().map(us).sum::<f64>() / samples.len().max(1) as f64;
    (p50, mean)
}

/// When the seeded answers happened: a week before the timed ones.
fn seed_time() -> DateTime<Utc> {
    Utc::now() - Days::days(7)
}

/// N learners, each with one answered prompt and a memory state per item, written by
/// `SEEDERS` concurrent tasks through the store's public API.
async fn seed(store: &Arc<dyn Store>, n: usize, items: &[Item]) -> anyhow::Result<Vec<LearnerId>> {
    let tenant = store
        .upsert_tenant(Platform::Local, "bench-growth", "Growth benchmark")
        .await?;
    let items: Arc<Vec<Item>> = Arc::new(items.to_vec());
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..SEEDERS {
        let (store, items) = (store.clone(), items.clone());
        tasks.spawn(async move {
            let scheduler = Scheduler::new(None, 0.9)?;
            let mut ids = Vec::new();
            for i in (worker..n).step_by(SEEDERS) {
                let learner = store
                    .add_learner(NewLearner {
                        tenant: tenant.id,
                        platform_user: format!("growth-{i}"),
                        display_name: format!("Learner {i}"),
                        prefs: Preferences::default(),
                        joined_at: seed_time(),
                    })
                    .await?;
                for item in items.iter() {
                    let memory = scheduler.review(None, Rating::Good, seed_time()).memory;
                    answer(store.as_ref(), learner.id, item, memory, seed_time()).await?;
                }
                ids.push((i, learner.id));
            }
            anyhow::Ok(ids)
        });
    }
    let mut ids = vec![None; n];
    while let Some(done) = tasks.join_next().await {
        for (i, id) in done.context("seeding task panicked")?? {
            ids[i] = Some(id);
        }
    }
    ids.into_iter()
        .map(|id| id.context("a learner was not seeded"))
        .collect()
}

/// A revealed practice prompt and its answer transaction.
async fn answer(
    store: &dyn Store,
    learner: LearnerId,
    item: &Item,
    memory: Memory,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let prompt = store
        .create_prompt(NewPrompt {
            learner,
            item: item.id.clone(),
            variant: None,
            seed: 0,
            kind: PromptKind::Practice,
            slot: None,
            created_at: now,
            revealed_at: Some(now),
            expires_at: None,
            supersede_open: false,
        })
        .await?
        .prompt;
    store
        .record_answer(AnswerRecord {
            prompt: prompt.id,
            learner,
            item: item.id.clone(),
            skill: item.skill.clone(),
            item_stage: item.stage,
            verdict: Verdict::Correct,
            score: 1.0,
            rating: Some(Rating::Good),
            latency_ms: Some(4_000),
            response: "0".into(),
            answered_at: now,
            memory: Some(memory),
            stage_change: None,
            escalations: vec![],
            reply: serde_json::Value::Null,
        })
        .await?;
    Ok(())
}

/// Answers on random learners and items: read the memory, review, write.
async fn time_answers(
    store: &dyn Store,
    scheduler: &Scheduler,
    learners: &[LearnerId],
    items: &[Item],
    rng: &mut StdRng,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let learner = learners[rng.gen_range(0..learners.len())];
        let item = &items[rng.gen_range(0..items.len())];
        let now = Utc::now();
        let t = Instant::now();
        let prev = store.memory(learner, &item.id).await?;
        let memory = scheduler.review(prev.as_ref(), Rating::Good, now).memory;
        answer(store, learner, item, memory, now).await?;
        samples.push(t.elapsed());
    }
    Ok(samples)
}

/// Daily plans of random learners: read every memory state, pick the day's items.
async fn time_plans(
    store: &dyn Store,
    scheduler: &Scheduler,
    learners: &[LearnerId],
    items: &[Item],
    rng: &mut StdRng,
) -> anyhow::Result<Vec<Duration>> {
    let caps = Caps {
        new_per_day: 2,
        reviews_per_day: 5,
    };
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut picked = 0usize;
    for _ in 0..SAMPLES {
        let learner = learners[rng.gen_range(0..learners.len())];
        let now = Utc::now() + Days::days(3);
        let t = Instant::now();
        let memories: HashMap<ItemId, Memory> =
            store.memories(learner).await?.into_iter().collect();
        let candidates: Vec<Candidate> = items
            .iter()
            .map(|item| Candidate {
                item,
                memory: memories.get(&item.id),
                unlocked: true,
            })
            .collect();
        picked += pick_daily(scheduler, &candidates, caps, (0, 0), now).len();
        samples.push(t.elapsed());
    }
    anyhow::ensure!(
        picked > 0,
        "no daily plan picked anything: the seeding is off"
    );
    Ok(samples)
}

/// A bare single-row SELECT by primary key, one round trip each.
async fn baseline_roundtrips(db: &BenchDb) -> anyhow::Result<Vec<Duration>> {
    let setup = [
        "CREATE TABLE bench_roundtrip (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)",
        "INSERT INTO bench_roundtrip (id, v) VALUES (1, 42)",
    ];
    let select = "SELECT v FROM bench_roundtrip WHERE id = 1";
    let mut samples = Vec::with_capacity(SAMPLES);
    match db {
        BenchDb::Postgres { pool, .. } => {
            for sql in setup {
                sqlx::query(sql).execute(pool).await?;
            }
            for _ in 0..SAMPLES {
                let t = Instant::now();
                sqlx::query_scalar::<_, i64>(select).fetch_one(pool).await?;
                samples.push(t.elapsed());
            }
        }
        BenchDb::Sqlite { pool, .. } => {
            for sql in setup {
                sqlx::query(sql).execute(pool).await?;
            }
            for _ in 0..SAMPLES {
                let t = Instant::now();
                sqlx::query_scalar::<_, i64>(select).fetch_one(pool).await?;
                samples.push(t.elapsed());
            }
        }
    }
    Ok(samples)
}

/// SQLite: the database file with its WAL and shared-memory files. Postgres: every table
/// of the run's schema with its indexes and TOAST.
async fn bytes_on_disk(db: &BenchDb) -> anyhow::Result<u64> {
    match db {
        BenchDb::Sqlite { url, .. } => {
            let path = url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default();
            Ok(["", "-wal", "-shm"]
                .iter()
                .filter_map(|suffix| std::fs::metadata(format!("{path}{suffix}")).ok())
                .map(|m| m.len())
                .sum())
        }
        BenchDb::Postgres { pool, schema, .. } => {
            let bytes: Option<i64> = sqlx::query_scalar(
                "SELECT SUM(pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass))::BIGINT \
                 FROM pg_tables WHERE schemaname = $1",
            )
            .bind(schema)
            .fetch_one(pool)
            .await?;
            Ok(bytes.unwrap_or(0).max(0) as u64)
        }
    }
}
