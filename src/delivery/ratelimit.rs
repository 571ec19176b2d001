//! Per-platform rate limiting for outgoing messages, shared by every delivery worker of a
//! process.
//!
//! Each platform gets a token bucket (kept as a GCRA "theoretical arrival time", so a send
//! *reserves* its turn under a short lock and then sleeps outside it: many workers queue
//! fairly without spinning). A bucket is either global for the platform (Discord: 50
//! requests a second for the whole bot) or per destination (Slack: about one message a
//! second per channel). When the platform answers "slow down" with a Retry-After, the
//! bucket is closed until then for every worker, not just the one that was told.
//!
//! Uses tokio's clock, so tests drive it with a paused clock instead of real waiting.
//! Limits across several processes are not coordinated here: each instance gets its own
//! share of the budget from configuration, and Retry-After handles the rest.

use crate::platform::{Destination, Platform};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::time::{Duration, Instant};

/// Buckets kept before idle ones are dropped (per-channel buckets would otherwise grow
/// with every channel ever written to).
const PRUNE_ABOVE: usize = 10_000;

/// Whether one budget covers the whole platform or each destination separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    PerDestination,
}

/// A sustained rate with a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateConfig {
    pub per_second: f64,
    /// Sends allowed back to back after a quiet period (at least 1).
    pub burst: u32,
    pub scope: Scope,
}

impl RateConfig {
    /// Discord's global limit for a bot: 50 requests per second.
    pub const DISCORD: RateConfig = RateConfig {
        per_second: 50.0,
        burst: 50,
        scope: Scope::Global,
    };
    /// Slack's `chat.postMessage`: one message per second per channel.
    pub const SLACK: RateConfig = RateConfig {
        per_second: 1.0,
        burst: 1,
        scope: Scope::PerDestination,
    };
    /// The Bot Connector: one budget for the whole app, below Teams' per-app limit, so a
    /// 429's Retry-After pauses every worker.
    pub const TEAMS: RateConfig = RateConfig {
        per_second: 30.0,
        burst: 30,
        scope: Scope::Global,
    };

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second.max(1e-6))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BucketKey {
    platform: Platform,
    destination: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// When the bucket would be full again if nothing else were sent (GCRA's TAT).
    tat: Instant,
    /// Closed until then by a Retry-After.
    closed_until: Option<Instant>,
}

#[derive(Debug)]
struct Inner {
    configs: HashMap<Platform, RateConfig>,
    buckets: Mutex<HashMap<BucketKey, Bucket>>,
}

/// The shared limiter. Cloning is cheap and clones share their buckets.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

impl RateLimiter {
    /// A limiter with the given budgets; platforms without one are not limited (the local
    /// terminal, the fake platform of tests).
    pub fn new(configs: impl IntoIterator<Item = (Platform, RateConfig)>) -> Self {
        RateLimiter {
            inner: Arc::new(Inner {
                configs: configs.into_iter().collect(),
                buckets: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Discord's and Slack's published limits.
    pub fn platform_defaults() -> Self {
        Self::new([
            (Platform::Discord, RateConfig::DISCORD),
            (Platform::Slack, RateConfig::SLACK),
            (Platform::Teams, RateConfig::TEAMS),
        ])
    }

    /// No limits at all (benchmarks of the pipeline itself).
    pub fn unlimited() -> Self {
        Self::new([])
    }

    /// Waits until a message to `to` may be sent on `platform`, and takes its turn.
    pub async fn acquire(&self, platform: Platform, to: &Destination) {
        if let Some(at) = self.reserve(platform, to, Instant::now()) {
            crate::ops::metrics::rate_limit_wait(platform, at - Instant::now());
            tokio::time::sleep_until(at).await;
        }
    }

    /// How many sends to `platform` could start within `window` from now, given the turns
    /// already taken; None when the platform is not limited as a whole (no budget, or one
    /// per destination, which depends on the rows). Workers claim no more than this, so a
    /// claimed row does not sit in the queue past its lease.
    pub fn sends_within(&self, platform: Platform, window: Duration) -> Option<u32> {
        let config = *self.inner.configs.get(&platform)?;
        if config.scope != Scope::Global {
            return None;
        }
        let now = Instant::now();
        let interval = config.interval();
        let tolerance = interval * config.burst.max(1).saturating_sub(1);
        let key = BucketKey {
            platform,
            destination: None,
        };
        let (tat, closed) = match self.lock().get(&key) {
            Some(b) => (b.tat.max(now), b.closed_until.filter(|c| *c > now)),
            None => (now, None),
        };
        let end = now + window;
        if closed.is_some_and(|c| c > end) {
            return Some(0);
        }
        // As in `reserve`: the k-th next turn starts at tat + k·interval − tolerance, where a
        // closed bucket reopens no earlier than its Retry-After.
        let tat = closed.map_or(tat, |c| tat.max(c));
        if end + tolerance < tat {
            return Some(0);
        }
        let more = (end + tolerance - tat).as_nanos() / interval.as_nanos().max(1);
        Some(u32::try_from(more).unwrap_or(u32::MAX).saturating_add(1))
    }

    /// Closes the bucket `to` falls in until `retry_after` from now: the platform said so.
    pub fn back_off(&self, platform: Platform, to: &Destination, retry_after: Duration) {
        let Some((key, _)) = self.key(platform, to) else {
            return;
        };
        let until = Instant::now() + retry_after;
        let mut buckets = self.lock();
        let bucket = buckets.entry(key).or_insert(Bucket {
            tat: until,
            closed_until: None,
        });
        bucket.closed_until = Some(bucket.closed_until.map_or(until, |c| c.max(until)));
    }

    fn key(&self, platform: Platform, to: &Destination) -> Option<(BucketKey, RateConfig)> {
        let config = *self.inner.configs.get(&platform)?;
        let destination = match (config.scope, to) {
            (Scope::Global, _) => None,
            (Scope::PerDestination, Destination::Direct { user }) => Some(format!("u:{user}")),
            (Scope::PerDestination, Destination::Channel { channel }) => {
                Some(format!("c:{channel}"))
            }
        };
        Some((
            BucketKey {
                platform,
                destination,
            },
            config,
        ))
    }

    /// Reserves the next turn and returns when it starts (None: not limited).
    fn reserve(&self, platform: Platform, to: &Destination, now: Instant) -> Option<Instant> {
        let (key, config) = self.key(platform, to)?;
        let interval = config.interval();
        let tolerance = interval * config.burst.max(1).saturating_sub(1);
        let mut buckets = self.lock();
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| b.tat > now || b.closed_until.is_some_and(|c| c > now));
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tat: now,
            closed_until: None,
        });
        let mut tat = bucket.tat.max(now);
        let mut start = now.max(tat.checked_sub(tolerance).unwrap_or(now));
        if let Some(closed) = bucket.closed_until.filter(|c| *c > now) {
            start = start.max(closed);
            tat = tat.max(closed);
        } else {
            bucket.closed_until = None;
        }
        bucket.tat = tat + interval;
        Some(start)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<BucketKey, Bucket>> {
        // A panic while holding this lock cannot leave a bucket half-updated in a way that
        // matters (worst case one send goes early), so a poisoned lock is still used.
        self.inner.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dm(user: &str) -> Destination {
        Destination::Direct {
            user: user.to_owned(),
        }
    }
    fn channel(c: &str) -> Destination {
        Destination::Channel {
            channel: c.to_owned(),
        }
    }

    /// Sends `n` messages from `workers` concurrent tasks and returns how long it took.
    async fn blast(
        limiter: &RateLimiter,
        platform: Platform,
        n: usize,
        workers: usize,
    ) -> Duration {
        let start = Instant::now();
        let tasks: Vec<_> = (0..workers)
            .map(|w| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    for i in (w..n).step_by(workers) {
                        limiter.acquire(platform, &dm(&format!("user{i}"))).await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn discord_allows_a_burst_then_fifty_a_second_across_all_workers() {
        let limiter = RateLimiter::platform_defaults();
        // 50 go at once, the other 150 at 50/s: three seconds, whatever the worker count.
        let took = blast(&limiter, Platform::Discord, 200, 4).await;
        assert!(took >= Duration::from_millis(2980), "{took:?}");
        assert!(took <= Duration::from_millis(3050), "{took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn slack_limits_each_channel_on_its_own() {
        let limiter = RateLimiter::platform_defaults();
        let start = Instant::now();
        let a = {
            let l = limiter.clone();
            tokio::spawn(async move {
                for _ in 0..3 {
                    l.acquire(Platform::Slack, &channel("A")).await;
                }
            })
        };
        let b = {
            let l = limiter.clone();
            tokio::spawn(async move {
                for _ in 0..3 {
                    l.acquire(Platform::Slack, &channel("B")).await;
                }
            })
        };
        a.await.unwrap();
        b.await.unwrap();
        // Three messages a channel: 0 s, 1 s, 2 s; the channels do not wait for each other.
        let took = start.elapsed();
        assert!(
            took >= Duration::from_secs(2) && took < Duration::from_millis(2100),
            "{took:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_back_every_worker_sharing_the_limiter() {
        let limiter = RateLimiter::platform_defaults();
        let other_worker = limiter.clone();
        limiter.acquire(Platform::Discord, &dm("a")).await;
        limiter.back_off(Platform::Discord, &dm("a"), Duration::from_millis(2500));
        let start = Instant::now();
        other_worker.acquire(Platform::Discord, &dm("b")).await;
        assert!(start.elapsed() >= Duration::from_millis(2500));
        // Once the platform reopens, the budget is back to normal.
        let again = Instant::now();
        other_worker.acquire(Platform::Discord, &dm("c")).await;
        assert!(again.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_counts_only_the_turns_that_start_within_the_window() {
        let one = RateConfig {
            per_second: 1.0,
            burst: 1,
            scope: Scope::Global,
        };
        let limiter = RateLimiter::new([(Platform::Local, one)]);
        let half = Duration::from_millis(500);
        assert_eq!(limiter.sends_within(Platform::Local, half), Some(1));
        limiter.acquire(Platform::Local, &dm("a")).await;
        // The next turn is a second away: nothing may be claimed for the next half second.
        assert_eq!(limiter.sends_within(Platform::Local, half), Some(0));
        assert_eq!(
            limiter.sends_within(Platform::Local, Duration::from_secs(3)),
            Some(3)
        );
        let discord = RateLimiter::platform_defaults();
        assert_eq!(discord.sends_within(Platform::Discord, half), Some(75));
        assert_eq!(discord.sends_within(Platform::Slack, half), None);
        assert_eq!(discord.sends_within(Platform::Local, half), None);
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_platforms_never_wait() {
        let limiter = RateLimiter::platform_defaults();
        let took = blast(&limiter, Platform::Local, 10_000, 2).await;
        assert_eq!(took, Duration::ZERO);
        let none = RateLimiter::unlimited();
        assert_eq!(
            blast(&none, Platform::Discord, 1_000, 2).await,
            Duration::ZERO
        );
    }
}
