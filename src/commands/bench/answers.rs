//! `ladder bench answers`: the latency and throughput of handling one answer, end to end
//! below the chat adapter: read the learner's memory of the item, grade, schedule (FSRS),
//! persist through the store's answer transaction, and compose the reply. Compared with a
//! bare single-row UPDATE + INSERT transaction on the same database.
//!
//! `--concurrency C` has C learners answer at once (C tasks on the store's pool), as a
//! cohort does in the morning; the baseline runs with as many writers. Answers and
//! baseline transactions alternate in blocks of [`BLOCK`] per writer, so both see the
//! same machine: on a shared machine the load changes within a run, and two phases one
//! after the other would compare different conditions.

use chrono::Utc;
use ladder_engine::grade::{grade, Answer};
use ladder_engine::schedule::{rating_for, Scheduler};
use ladder_engine::{AnswerKey, ItemId, SkillId, Stage};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::backend::{rss_mb, Backend, BenchDb};
use crate::platform::{Block, Platform, Reply};
use crate::store::progress::AnswerRecord;
use crate::store::{
    connect, connect_postgres_schema, LearnerId, NewLearner, NewPrompt, Preferences, PromptId,
    PromptKind, Store,
};

/// The figures printed by the benchmark.
#[derive(Debug, serde::Serialize)]
pub struct AnswersReport {
    pub backend: Backend,
    pub n: usize,
    pub concurrency: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub per_s: f64,
    pub baseline_p50_us: f64,
    pub baseline_p99_us: f64,
    pub baseline_per_s: f64,
    pub p50_vs_baseline: f64,
    pub p99_vs_baseline: f64,
    pub rss_mb: f64,
}

/// Answers (and baseline transactions) per writer between switches.
const BLOCK: usize = 50;

/// Latencies in microseconds: (p50, p99).
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    (at(0.5), at(0.99))
}

/// The store this benchmark writes answers to: the same kind of database as the bench's
/// own, opened through the store's public constructors (migrations included).
async fn open_store(db: &BenchDb) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match db.location() {
        (url, Some(schema)) => connect_postgres_schema(url, schema).await?,
        (url, None) => connect(url).await?,
    })
}

/// Learner `k` with `n` open practice prompts on one true/false item.
async fn setup(
    store: &dyn Store,
    k: usize,
    n: usize,
) -> anyhow::Result<(LearnerId, Vec<PromptId>)> {
    let now = Utc::now();
    let tenant = store
        .upsert_tenant(Platform::Local, "bench", "Benchmark")
        .await?;
    let learner = store
        .add_learner(NewLearner {
            tenant: tenant.id,
            platform_user: format!("bench-learner-{k}"),
            display_name: "Bench".into(),
            prefs: Preferences::default(),
            joined_at: now,
        })
        .await?;
    let mut prompts = Vec::with_capacity(n);
    for _ in 0..n {
        let created = store
            .create_prompt(NewPrompt {
                learner: learner.id,
                item: ItemId::parse("bench-item")?,
                variant: None,
                seed: 0,
                kind: PromptKind::Practice,
                slot: None,
                created_at: now,
                revealed_at: Some(now),
                expires_at: None,
                supersede_open: false,
            })
            .await?;
        prompts.push(created.prompt.id);
    }
    Ok((learner.id, prompts))
}

/// Handles one answer the way the app does, below the adapter.
async fn answer(
    store: &dyn Store,
    scheduler: &Scheduler,
    learner: LearnerId,
    prompt: PromptId,
) -> anyhow::Result<Reply> {
    let item = ItemId::parse("bench-item")?;
    let now = Utc::now();
    let key = AnswerKey::TrueFalse { answer: true };
    let graded = grade(&key, &Answer::Bool(true));
    let rating = rating_for(graded.verdict, Some(4.0), 10);
    let prev = store.memory(learner, &item).await?;
    let memory = rating.map(|r| scheduler.review(prev.as_ref(), r, now).memory);
    let reply = Reply::private(vec![
        Block::Text(graded.feedback.clone()),
        Block::Text("Next review in a few days.".into()),
    ]);
    store
        .record_answer(AnswerRecord {
            prompt,
            learner,
            item,
            skill: SkillId::parse("bench")?,
            item_stage: Stage::Novice,
            verdict: graded.verdict,
            score: graded.score,
            rating,
            latency_ms: Some(4_000),
            response: "true".into(),
            answered_at: now,
            memory,
            stage_change: None,
            escalations: vec![],
            reply: serde_json::to_value(&reply)?,
            basis: None,
        })
        .await?;
    Ok(reply)
}

pub async fn run(
    backend: Backend,
    n: usize,
    concurrency: usize,
    url: Option<String>,
) -> anyhow::Result<AnswersReport> {
    anyhow::ensure!(n > 0, "--n must be positive");
    anyhow::ensure!(
        (1..=64).contains(&concurrency),
        "--concurrency must be between 1 and 64"
    );
    let db = Arc::new(BenchDb::open(backend, url).await?);
    let store = open_store(&db).await?;
    let per_writer = n.div_ceil(concurrency);
    let mut writers = Vec::with_capacity(concurrency);
    for k in 0..concurrency {
        writers.push(setup(store.as_ref(), k, per_writer).await?);
    }
    db.prepare_baseline(concurrency).await?;
    let scheduler = Arc::new(Scheduler::new(None, 0.9)?);

    let (mut samples, mut baseline) = (Vec::new(), Vec::new());
    let (mut answer_wall, mut baseline_wall) = (Duration::ZERO, Duration::ZERO);
    for block in 0..per_writer.div_ceil(BLOCK) {
        let range = block * BLOCK..((block + 1) * BLOCK).min(per_writer);
        let t = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (learner, prompts) in &writers {
            let (store, scheduler, learner) = (store.clone(), scheduler.clone(), *learner);
            let prompts = prompts[range.clone()].to_vec();
            tasks.spawn(async move {
                let mut out = Vec::with_capacity(prompts.len());
                for prompt in prompts {
                    let t = Instant::now();
                    answer(store.as_ref(), &scheduler, learner, prompt).await?;
                    out.push(t.elapsed());
                }
                anyhow::Ok(out)
            });
        }
        while let Some(done) = tasks.join_next().await {
            samples.extend(done??);
        }
        answer_wall += t.elapsed();

        let t = Instant::now();
        for row in 0..concurrency as i64 {
            let (db, range) = (db.clone(), range.clone());
            tasks.spawn(async move {
                let mut out = Vec::with_capacity(range.len());
                for i in range {
                    out.push(db.baseline_transaction(row, i as i32).await?);
                }
                anyhow::Ok(out)
            });
        }
        while let Some(done) = tasks.join_next().await {
            baseline.extend(done??);
        }
        baseline_wall += t.elapsed();
    }
    let done = samples.len();
    let per_s = done as f64 / answer_wall.as_secs_f64();
    let baseline_per_s = baseline.len() as f64 / baseline_wall.as_secs_f64();
    let (p50_us, p99_us) = percentiles(samples);
    let (baseline_p50_us, baseline_p99_us) = percentiles(baseline);
    let (rss, _) = rss_mb();
    drop(store);
    Arc::try_unwrap(db)
        .map_err(|_| anyhow::anyhow!("the benchmark database is still in use"))?
        .close()
        .await?;
    Ok(AnswersReport {
        backend,
        n: done,
        concurrency,
        p50_us,
        p99_us,
        per_s,
        baseline_p50_us,
        baseline_p99_us,
        baseline_per_s,
        p50_vs_baseline: p50_us / baseline_p50_us,
        p99_vs_baseline: p99_us / baseline_p99_us,
        rss_mb: rss,
    })
}
