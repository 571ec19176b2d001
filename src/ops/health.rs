//! Is the service able to do its work? The answer behind `/readyz`: the database answers,
//! every platform this instance serves is connected, and the planning loop has run
//! recently. Each failing check gives one short line for the operator.
//!
//! The platform adapters report their connections into [`Connections`] (the gateway's
//! watchdog already looks at every shard); the planning loop calls
//! [`Health::planning_ran`] after each pass. Nothing here knows a concrete platform.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::metrics;
use crate::clock::Clock;
use crate::platform::Platform;
use crate::store::health::DbProbe;

/// How long `/readyz` waits for the database before calling it down.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

/// Connected and total gateway connections (shards) per platform.
#[derive(Debug, Default)]
pub struct Connections {
    by_platform: Mutex<BTreeMap<&'static str, (usize, usize)>>,
}

impl Connections {
    pub fn new() -> Self {
        Self::default()
    }

    /// The process's registry, where the platform adapters report.
    pub fn global() -> Arc<Connections> {
        static GLOBAL: OnceLock<Arc<Connections>> = OnceLock::new();
        Arc::clone(GLOBAL.get_or_init(|| Arc::new(Connections::new())))
    }

    /// `connected` of `total` connections of `platform` are up (also a metric).
    pub fn report(&self, platform: Platform, connected: usize, total: usize) {
        metrics::connections(platform, connected, total);
        if let Ok(mut map) = self.by_platform.lock() {
            map.insert(platform.as_str(), (connected, total));
        }
    }

    fn get(&self, platform: Platform) -> Option<(usize, usize)> {
        let map = self.by_platform.lock().ok()?;
        map.get(platform.as_str()).copied()
    }
}

/// What `/readyz` checks, shared by the admin server and the loops that report into it.
pub struct Health {
    db: DbProbe,
    platforms: Vec<Platform>,
    connections: Arc<Connections>,
    planning_period: chrono::Duration,
    planning_last: Mutex<Option<DateTime<Utc>>>,
    clock: Arc<dyn Clock>,
}

impl Health {
    /// Checks `db`, the connections of `platforms` in `connections`, and a planning loop
    /// that runs every `planning_period` (late when it missed two).
    pub fn new(
        db: DbProbe,
        platforms: Vec<Platform>,
        connections: Arc<Connections>,
        planning_period: Duration,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Health {
            db,
            platforms,
            connections,
            planning_period: chrono::Duration::from_std(planning_period)
                .unwrap_or(chrono::Duration::MAX),
            planning_last: Mutex::new(None),
            clock,
        }
    }

    pub fn db(&self) -> &DbProbe {
        &self.db
    }

    /// The planning loop finished a pass now.
    pub fn planning_ran(&self) {
        let now = self.clock.now();
        metrics::planning_ran(now.timestamp());
        if let Ok(mut last) = self.planning_last.lock() {
            *last = Some(now);
        }
    }

    /// Why the service is not ready: one line per failing check; empty when ready.
    pub async fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match tokio::time::timeout(DB_TIMEOUT, self.db.ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => out.push(format!("database: {e}")),
            Err(_) => out.push(format!(
                "database: no answer within {} s",
                DB_TIMEOUT.as_secs()
            )),
        }
        for &platform in &self.platforms {
            let name = platform.as_str();
            match self.connections.get(platform) {
                None => out.push(format!("{name}: not connected yet")),
                Some((_, 0)) => out.push(format!("{name}: no connection running")),
                Some((up, total)) if up < total => {
                    out.push(format!("{name}: {up} of {total} connections up"))
                }
                Some(_) => {}
            }
        }
        if let Some(late) = self.planning_problem() {
            out.push(late);
        }
        out
    }

    fn planning_problem(&self) -> Option<String> {
        let last = *self.planning_last.lock().ok()?;
        let period = self.planning_period;
        let Some(last) = last else {
            return Some("planning: has not run yet".into());
        };
        let since = self.clock.now() - last;
        (since > period + period).then(|| {
            format!(
                "planning: last ran {} s ago (every {} s)",
                since.num_seconds(),
                period.num_seconds()
            )
        })
    }
}
