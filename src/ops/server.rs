//! The admin HTTP server: `/healthz` (the process answers), `/readyz` (it can do its
//! work, see [`Health`]) and `/metrics` (Prometheus text). Plain text everywhere, no
//! personal data, nothing that changes state.
//!
//! Like the rest of the service it takes its I/O as arguments: [`serve`] runs on a
//! listener the caller bound (tests bind 127.0.0.1:0) until `shutdown` turns true.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::health::Health;

/// What the endpoints read.
#[derive(Clone)]
pub struct AdminState {
    pub health: Arc<Health>,
    /// `None`: `/metrics` answers 404 (no recorder in this process).
    pub metrics: Option<PrometheusHandle>,
}

/// The admin routes, for [`serve`] and for embedding.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Serves the admin endpoints on `listener` until `shutdown` turns true.
#[tracing::instrument(skip_all, fields(addr = ?listener.local_addr().ok()))]
pub async fn serve(
    listener: TcpListener,
    state: AdminState,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    tracing::info!("admin endpoints listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}

const TEXT: [(header::HeaderName, &str); 1] = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];

async fn healthz() -> Response {
    (StatusCode::OK, TEXT, "ok\n").into_response()
}

async fn readyz(State(state): State<AdminState>) -> Response {
    let problems = state.health.problems().await;
    if problems.is_empty() {
        return (StatusCode::OK, TEXT, "ready\n").into_response();
    }
    let body: String = problems.iter().map(|p| format!("{p}\n")).collect();
    (StatusCode::SERVICE_UNAVAILABLE, TEXT, body).into_response()
}

async fn metrics(State(state): State<AdminState>) -> Response {
    let Some(handle) = &state.metrics else {
        return (StatusCode::NOT_FOUND, TEXT, "metrics are off\n").into_response();
    };
    // Without the exporter's own listener nothing else drains its histograms.
    handle.run_upkeep();
    let content_type = [(header::CONTENT_TYPE, "text/plain; version=0.0.4")];
    (StatusCode::OK, content_type, handle.render()).into_response()
}
