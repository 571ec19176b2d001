//! This process's name in shared state: shard leases, claimed outbox rows.
//!
//! Two processes must never share a name, or one would renew or release the other's
//! lease. `HOSTNAME-pid` is not enough: `HOSTNAME` is a shell variable that systemd and
//! many container runtimes do not set, and pids repeat across machines and restarts. The
//! name is the host's name (read from the kernel, for people reading the lease table)
//! followed by a random suffix drawn once per process.

use rand::Rng;
use std::sync::OnceLock;

/// The longest host part kept, so names stay readable in logs and tables.
const HOST_CHARS: usize = 32;

/// This process's instance id, e.g. `web-1-3f9a6c21d0b4e857`; the same for the whole run.
pub fn id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let suffix: u64 = rand::thread_rng().gen();
        format!("{}-{suffix:016x}", host())
    })
}

/// The host's name from the kernel, then `HOSTNAME`, else `ladder`; only letters, digits,
/// `.` and `-` are kept.
fn host() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .take(HOST_CHARS)
        .collect();
    if clean.is_empty() {
        "ladder".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_stable_in_a_process_and_carries_a_random_suffix() {
        assert_eq!(id(), id());
        let (host, suffix) = id().rsplit_once('-').expect("host-suffix");
        assert!(!host.is_empty());
        assert_eq!(suffix.len(), 16);
        assert!(suffix.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(id()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')));
    }
}
