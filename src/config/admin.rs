//! The `[admin]` section: where the operator's endpoints (`/healthz`, `/readyz`,
//! `/metrics`) listen. Off unless an address is set; pure data, read by `ladder serve`.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The admin HTTP endpoints of `ladder serve`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Admin {
    /// `host:port` to serve `/healthz`, `/readyz` and `/metrics` on, e.g.
    /// `127.0.0.1:9464` (`LADDER_ADMIN__LISTEN`). Unset: no admin endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}
