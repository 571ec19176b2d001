//! Opening a fresh, migrated store of each backend for one test.
//!
//! SQLite lives in a temporary directory; Postgres in a new schema of the server named by
//! `LADDER_TEST_POSTGRES_URL`, so tests run in parallel without seeing each other. When
//! `CI` is set a missing or unreachable Postgres fails the test instead of skipping it:
//! a green CI run must mean both backends were exercised.

use ladder::store::{self, Store};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// A SQLite store in a temporary directory that lives as long as the returned guard.
pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ladder.db").display()
    );
    let store = store::connect(&url).await.expect("the SQLite store opens");
    (store, dir)
}

/// A Postgres schema made for one test; [`PgSchema::drop`] removes it at the end.
pub struct PgSchema {
    url: String,
    name: String,
}

impl PgSchema {
    /// A database URL whose connections work in this schema (for a `ladder` process).
    pub fn url_in_schema(&self) -> String {
        let join = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{join}options=-c%20search_path%3D{}", self.url, self.name)
    }

    /// Drops the schema and everything in it. A failing test skips this and leaves the
    /// schema behind for inspection.
    pub async fn drop(self) {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&self.url)
            .await
            .expect("Postgres answers");
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
            .execute(&mut conn)
            .await
            .expect("the test schema drops");
    }
}

/// A Postgres store in a fresh schema, or None (with a message) outside CI when no
/// server is configured.
pub async fn postgres_store(test: &str) -> Option<(Arc<dyn Store>, PgSchema)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let in_ci = std::env::var_os("CI").is_some();
    let Ok(url) = std::env::var("LADDER_TEST_POSTGRES_URL") else {
        assert!(
            !in_ci,
            "CI is set but LADDER_TEST_POSTGRES_URL is not: the Postgres tests must run in CI"
        );
        eprintln!(
            "skipping the Postgres half of {test}: set LADDER_TEST_POSTGRES_URL, e.g. \
             postgres://postgres@127.0.0.1:5432/test (.ci/run does)"
        );
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let schema = format!(
        "t_{}_{}_{}_{}",
        test,
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    match store::connect_postgres_schema(&url, &schema).await {
        Ok(store) => Some((store, PgSchema { url, name: schema })),
        Err(e) if in_ci => panic!("CI is set but Postgres at LADDER_TEST_POSTGRES_URL failed: {e}"),
        Err(e) => {
            eprintln!("skipping the Postgres half of {test}: {e}");
            None
        }
    }
}
