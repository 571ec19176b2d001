//! `ladder bench growth`: how the store behaves as the cohort grows (issue 6, item 3).
//! For each size, a fresh database is seeded with N learners holding `items` memory
//! states each, then it times the
//! two operations a day repeats per learner: an answer (read the memory, create the
//! prompt, answer transaction) and a daily plan (read all memories, pick the day). Also
//! reported: bytes on disk per learner, the process's resident memory, and a bare
//! single-row round trip and write transaction on the same database, so figures from
//! different machines compare as ratios.
//!
//! Seeding: one template learner answers every item through the store's answer
//! transaction; the others are copies of its rows (learner, prompts, reviews, memories)
//! made by `INSERT … SELECT` in chunks of [`CHUNK`] learners, so 100,000 learners take a
//! minute instead of an hour of answer transactions. The database is then analysed (as
//! autovacuum would) and, for SQLite, checkpointed before its size is read.

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
/// Learners copied per seeding transaction.
const CHUNK: usize = 5_000;

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
    let learners = seed(&store, &db, n, items).await?;
    let seed_seconds = seeded_at.elapsed().as_secs_f64();
    let scheduler = Scheduler::new(None, 0.9)?;
    let mut rng = StdRng::seed_from_u64(n as u64);
    let answers = time_answers(store.as_ref(), &scheduler, &learners, items, &mut rng).await?;
    let plans = time_plans(store.as_ref(), &scheduler, &learners, items, &mut rng).await?;
    let roundtrip = baseline_roundtrips(&db).await?;
    let (writes, _) = db.baseline_transactions(SAMPLES).await?;
    // Pages still in the WAL belong in the file before it is measured.
    if let BenchDb::Sqlite { .. } = db {
        db.execute_all(&["PRAGMA wal_checkpoint(TRUNCATE)"]).await?;
    }
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

/// N learners with a memory state, a prompt and a review per item: a template learner
/// written through the store's API, copied in bulk.
async fn seed(
    store: &Arc<dyn Store>,
    db: &BenchDb,
    n: usize,
    items: &[Item],
) -> anyhow::Result<Vec<LearnerId>> {
    let tenant = store
        .upsert_tenant(Platform::Local, "bench-growth", "Growth benchmark")
        .await?;
    let scheduler = Scheduler::new(None, 0.9)?;
    let template = store
        .add_learner(NewLearner {
            tenant: tenant.id,
            platform_user: "growth-0".into(),
            display_name: "Learner 0".into(),
            prefs: Preferences::default(),
            joined_at: seed_time(),
        })
        .await?;
    for item in items {
        let memory = scheduler.review(None, Rating::Good, seed_time()).memory;
        answer(store.as_ref(), template.id, item, memory, seed_time()).await?;
    }
    let mut next = 1;
    while next < n {
        let end = (next + CHUNK).min(n);
        copy_learners(db, template.id.0, next as i64, end as i64).await?;
        next = end;
    }
    let ids: Vec<i64> = match db {
        BenchDb::Postgres { pool, .. } => {
            sqlx::query_scalar("SELECT id FROM learners WHERE tenant_id = $1 ORDER BY id")
                .bind(tenant.id.0)
                .fetch_all(pool)
                .await?
        }
        BenchDb::Sqlite { pool, .. } => {
            sqlx::query_scalar("SELECT id FROM learners WHERE tenant_id = $1 ORDER BY id")
                .bind(tenant.id.0)
                .fetch_all(pool)
                .await?
        }
    };
    anyhow::ensure!(ids.len() == n, "seeded {} learners of {n}", ids.len());
    db.execute_all(&["ANALYZE"]).await?;
    Ok(ids.into_iter().map(LearnerId).collect())
}

/// Copies the template learner's rows for learners number `from..to`, in one
/// transaction: the learner rows, then their prompts, reviews and memories.
async fn copy_learners(db: &BenchDb, template: i64, from: i64, to: i64) -> anyhow::Result<()> {
    let learners =
        "WITH RECURSIVE seq(i) AS (SELECT $2 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $3) \
         INSERT INTO learners (tenant_id, platform_user, display_name, timezone, time_of_day, \
         days_mask, daily_new_cap, daily_review_cap, paused_until, leaderboard_opt_out, \
         notifications_opt_out, dm_closed, joined_at) \
         SELECT t.tenant_id, 'growth-' || seq.i, 'Learner ' || seq.i, t.timezone, t.time_of_day, \
         t.days_mask, t.daily_new_cap, t.daily_review_cap, t.paused_until, t.leaderboard_opt_out, \
         t.notifications_opt_out, t.dm_closed, t.joined_at FROM learners t, seq WHERE t.id = $1";
    let prompts =
        "INSERT INTO prompts (learner_id, item_id, variant, kind, created_at, revealed_at, \
         expires_at, status, attempt, seed) \
         SELECT l.id, p.item_id, p.variant, p.kind, p.created_at, p.revealed_at, p.expires_at, \
         p.status, p.attempt, p.seed FROM learners l, prompts p \
         WHERE l.id > $2 AND l.tenant_id = (SELECT tenant_id FROM learners WHERE id = $1) \
         AND p.learner_id = $1";
    let reviews =
        "INSERT INTO reviews (prompt_id, learner_id, item_id, skill_id, item_stage, verdict, \
         score, rating, latency_ms, response, reply_json, answered_at) \
         SELECT np.id, np.learner_id, r.item_id, r.skill_id, r.item_stage, r.verdict, r.score, \
         r.rating, r.latency_ms, r.response, r.reply_json, r.answered_at \
         FROM prompts np JOIN reviews r ON r.item_id = np.item_id AND r.learner_id = $1 \
         WHERE np.learner_id > $2";
    let memories =
        "INSERT INTO memories (learner_id, item_id, stability, difficulty, last_review, due, \
         reps, lapses, suspended) \
         SELECT l.id, m.item_id, m.stability, m.difficulty, m.last_review, m.due, m.reps, \
         m.lapses, m.suspended FROM learners l, memories m \
         WHERE l.id > $2 AND l.tenant_id = (SELECT tenant_id FROM learners WHERE id = $1) \
         AND m.learner_id = $1";
    macro_rules! copy {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await?;
            let last: i64 = sqlx::query_scalar("SELECT MAX(id) FROM learners")
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(learners)
                .bind(template)
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?;
            for sql in [prompts, reviews, memories] {
                sqlx::query(sql)
                    .bind(template)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }};
    }
    match db {
        BenchDb::Postgres { pool, .. } => copy!(pool),
        BenchDb::Sqlite { pool, .. } => copy!(pool),
    }
    Ok(())
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
            basis: None,
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
