//! The time seam. Nothing below the adapters calls `Utc::now()` directly: it asks a
//! [`Clock`], so the demo can fast-forward days and tests can pin an instant.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: the demo's `/skip 1d` and deterministic tests.
#[derive(Debug)]
pub struct VirtualClock {
    now: Mutex<DateTime<Utc>>,
}

impl VirtualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        VirtualClock {
            now: Mutex::new(start),
        }
    }
    /// Moves time forward (never backward: a negative step is ignored).
    pub fn advance(&self, by: Duration) {
        if by > Duration::zero() {
            let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
            *now += by;
        }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_moves_only_forward() {
        let start = Utc::now();
        let c = VirtualClock::new(start);
        c.advance(Duration::days(1));
        c.advance(Duration::hours(-5));
        assert_eq!(c.now(), start + Duration::days(1));
    }
}
