//! Operating the service: what an operator running `ladder serve` under systemd or
//! Kubernetes needs to know it is alive and what it is doing.
//!
//! - [`metrics`]: counters, gauges and histograms through the `metrics` facade, rendered
//!   in Prometheus text format.
//! - [`health`]: the readiness checks (database, platform connections, planning loop).
//! - [`server`]: the admin HTTP endpoints `/healthz`, `/readyz`, `/metrics`.
//! - [`shutdown`]: SIGTERM and Ctrl-C as one future.
//!
//! Depends on the store's health probe, the platform enum and the clock; the service's
//! loops call in here, never the other way round.

pub mod health;
pub mod metrics;
pub mod server;
pub mod shutdown;

pub use health::{Connections, Health};
pub use server::{serve, AdminState};
