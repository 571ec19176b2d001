//! A bounded set of recently handled event ids.
//!
//! A gateway resume replays events the bot may already have answered; Discord refuses a
//! second answer to the same interaction, and the learner must not see a click applied
//! twice. This in-memory set catches replays within one process cheaply, before the
//! interaction is even acknowledged; the durable guard across restarts and instances is
//! the app's own record of handled events (`app::replays`, keyed by platform and
//! `Inbound::event_id`), which every adapter gets through `App::handle`.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

/// Remembers the last `capacity` ids; the oldest is forgotten first.
#[derive(Debug)]
pub struct RecentIds {
    capacity: usize,
    inner: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl RecentIds {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a dedup set must remember at least one id");
        RecentIds {
            capacity,
            inner: Mutex::new((HashSet::new(), VecDeque::new())),
        }
    }

    /// True the first time an id is offered, false for every repeat still remembered.
    pub fn first_time(&self, id: &str) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if !set.insert(id.to_owned()) {
            return false;
        }
        order.push_back(id.to_owned());
        if order.len() > self.capacity {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        true
    }
}

impl Default for RecentIds {
    /// Enough for hours of interactions on a busy guild, a few hundred kilobytes at most.
    fn default() -> Self {
        RecentIds::new(10_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_caught_until_they_age_out() {
        let seen = RecentIds::new(2);
        assert!(seen.first_time("1"));
        assert!(!seen.first_time("1"));
        assert!(seen.first_time("2"));
        assert!(seen.first_time("3")); // forgets "1"
        assert!(!seen.first_time("3"));
        assert!(seen.first_time("1"));
    }
}
