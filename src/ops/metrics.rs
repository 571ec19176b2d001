//! What the service counts, through the `metrics` facade: one small function per event,
//! called at the existing seams (delivery worker, `App::handle`, rate limiter, gateway),
//! so that no caller spells a metric name or a label itself.
//!
//! Without an installed recorder (tests, the demo, benchmarks) every call is a no-op.
//! [`install`] installs the Prometheus recorder once per process and returns its handle,
//! which the admin server renders at `/metrics`. Labels are bounded sets (platform, kind,
//! outcome): never a user, a tenant or any text.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::platform::{InboundKind, Platform, SendError};
use crate::store::outbox::MessageKind;

/// Daily prompts written into the outbox by the planner.
pub const PLANNED: &str = "ladder_prompts_planned_total";
/// Messages the platform accepted.
pub const SENT: &str = "ladder_prompts_sent_total";
/// Sends that failed (each attempt), whatever happens next.
pub const FAILED: &str = "ladder_prompts_failed_total";
/// Failed sends scheduled for another attempt.
pub const RETRIED: &str = "ladder_prompts_retried_total";
/// Messages given up (DMs closed, user gone, too many failures).
pub const UNDELIVERABLE: &str = "ladder_prompts_undeliverable_total";
/// Claims that finished after their lease ran out (another worker owns the row now).
pub const FENCED: &str = "ladder_prompts_fenced_total";
/// Claims given back unsent at shutdown.
pub const RELEASED: &str = "ladder_prompts_released_total";
/// "Slow down" answers (HTTP 429) from a platform.
pub const RATE_LIMITED: &str = "ladder_rate_limited_total";
/// Sends that had to wait for the rate limiter, and how long they waited.
pub const RATE_LIMIT_WAITS: &str = "ladder_rate_limit_waits_total";
pub const RATE_LIMIT_WAIT_SECONDS: &str = "ladder_rate_limit_wait_seconds";
/// Answers recorded, and the learner's latency (reveal to answer) the app graded.
pub const ANSWERS: &str = "ladder_answers_total";
pub const ANSWER_LATENCY_SECONDS: &str = "ladder_answer_latency_seconds";
/// Inbound events handled by the app, and the time the app took for each.
pub const HANDLED_SECONDS: &str = "ladder_handle_seconds";
/// Open outbox rows (pending or being sent), and how long the oldest due one has waited.
pub const OUTBOX_DEPTH: &str = "ladder_outbox_depth";
pub const OUTBOX_OLDEST_AGE_SECONDS: &str = "ladder_outbox_oldest_pending_age_seconds";
/// Gateway connections (shards) per platform: connected, and expected.
pub const CONNECTED: &str = "ladder_platform_connected_shards";
pub const SHARDS: &str = "ladder_platform_shards";
/// When the planning loop last finished a pass (Unix seconds).
pub const PLANNING_LAST_RUN: &str = "ladder_planning_last_run_timestamp_seconds";

/// Buckets for latencies a person produces (seconds to answer) and for the app's own
/// handling time; Prometheus histograms need them fixed up front.
const ANSWER_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 900.0];
const HANDLE_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const WAIT_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0];

/// Installs the Prometheus recorder (once per process) and returns its handle.
pub fn install() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            use metrics_exporter_prometheus::Matcher::Full;
            PrometheusBuilder::new()
                .set_buckets_for_metric(Full(ANSWER_LATENCY_SECONDS.into()), ANSWER_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Full(HANDLED_SECONDS.into()), HANDLE_BUCKETS)
                })
                .and_then(|b| {
                    b.set_buckets_for_metric(Full(RATE_LIMIT_WAIT_SECONDS.into()), WAIT_BUCKETS)
                })
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| e.to_string())
        })
        .clone()
}

/// Daily prompts the planner created.
pub fn planned(platform: Platform, n: u64) {
    metrics::counter!(PLANNED, "platform" => platform.as_str()).increment(n);
}

/// The platform showed the message.
pub fn sent(platform: Platform, kind: MessageKind) {
    metrics::counter!(SENT, "platform" => platform.as_str(), "kind" => kind.as_str()).increment(1);
}

/// A send failed; `given_up` when the row became undeliverable rather than retried.
pub fn failed(platform: Platform, kind: MessageKind, err: &SendError, given_up: bool) {
    let (p, k) = (platform.as_str(), kind.as_str());
    metrics::counter!(FAILED, "platform" => p, "kind" => k).increment(1);
    if matches!(err, SendError::RateLimited { .. }) {
        metrics::counter!(RATE_LIMITED, "platform" => p).increment(1);
    }
    let next = if given_up { UNDELIVERABLE } else { RETRIED };
    metrics::counter!(next, "platform" => p, "kind" => k).increment(1);
}

/// A claim finished after its lease: the outcome was not recorded by this worker.
pub fn fenced(platform: Platform) {
    metrics::counter!(FENCED, "platform" => platform.as_str()).increment(1);
}

/// A claim was given back unsent because the worker is stopping.
pub fn released(platform: Platform) {
    metrics::counter!(RELEASED, "platform" => platform.as_str()).increment(1);
}

/// A send waited `wait` for its turn under the platform's rate limit.
pub fn rate_limit_wait(platform: Platform, wait: Duration) {
    let p = platform.as_str();
    metrics::counter!(RATE_LIMIT_WAITS, "platform" => p).increment(1);
    metrics::histogram!(RATE_LIMIT_WAIT_SECONDS, "platform" => p).record(wait.as_secs_f64());
}

/// An answer was recorded; `latency_secs` is the learner's time from reveal to answer.
pub fn answered(platform: Platform, latency_secs: f64) {
    let p = platform.as_str();
    metrics::counter!(ANSWERS, "platform" => p).increment(1);
    metrics::histogram!(ANSWER_LATENCY_SECONDS, "platform" => p).record(latency_secs);
}

/// The app handled one inbound event (a command, an action or text) in `took`.
pub fn handled(platform: Platform, kind: &'static str, took: Duration) {
    let platform = platform.as_str();
    metrics::histogram!(HANDLED_SECONDS, "platform" => platform, "kind" => kind)
        .record(took.as_secs_f64());
}

/// The label of an inbound event's kind.
pub fn kind_of(kind: &InboundKind) -> &'static str {
    match kind {
        InboundKind::Command { .. } => "command",
        InboundKind::Action { .. } => "action",
        InboundKind::Text { .. } => "text",
    }
}

/// The outbox backlog as last measured.
pub fn outbox(depth: u64, oldest_age: Duration) {
    metrics::gauge!(OUTBOX_DEPTH).set(depth as f64);
    metrics::gauge!(OUTBOX_OLDEST_AGE_SECONDS).set(oldest_age.as_secs_f64());
}

/// Connected shards (gateway connections) of a platform, out of those it runs.
pub fn connections(platform: Platform, connected: usize, total: usize) {
    let p = platform.as_str();
    metrics::gauge!(CONNECTED, "platform" => p).set(connected as f64);
    metrics::gauge!(SHARDS, "platform" => p).set(total as f64);
}

/// The planning loop finished a pass at `unix_secs`.
pub fn planning_ran(unix_secs: i64) {
    metrics::gauge!(PLANNING_LAST_RUN).set(unix_secs as f64);
}
