//! The signals that ask the service to stop: SIGTERM (systemd, Kubernetes) and Ctrl-C.

/// Resolves when the process is asked to stop.
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C: shutting down"),
                }
                return;
            }
            Err(err) => tracing::warn!(%err, "cannot listen for SIGTERM; Ctrl-C only"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("Ctrl-C: shutting down");
}
