//! The database under test, on either backend, opened once per simulated instance: each
//! call to [`Db::instance`] makes a new connection pool, as another process would.

use super::PgSchema;
use ladder::delivery::fake::FakeDb;
use ladder::store::outbox::pg::PgOutbox;
use ladder::store::outbox::sqlite::SqliteOutbox;
use ladder::store::outbox::Outbox;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A migrated database of one backend, private to one test.
pub enum Db {
    Postgres(PgSchema),
    Sqlite {
        url: String,
        pool: SqlitePool,
        _dir: tempfile::TempDir,
    },
}

impl Db {
    /// A SQLite file in WAL mode, as `serve` opens it.
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("ladder.db").display()
        );
        let pool = sqlite_pool(&url).await;
        sqlx::migrate!("migrations/sqlite")
            .run(&pool)
            .await
            .unwrap();
        Db::Sqlite {
            url,
            pool,
            _dir: dir,
        }
    }

    /// A fresh Postgres schema, or None outside CI when no server is configured.
    pub async fn postgres(tag: &str) -> Option<Db> {
        let url = super::postgres_url()?;
        Some(Db::Postgres(PgSchema::create(&url, tag).await))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Db::Postgres(_) => "postgres",
            Db::Sqlite { .. } => "sqlite",
        }
    }

    /// Where the fake platform keeps what it showed.
    pub fn fake_db(&self) -> FakeDb {
        match self {
            Db::Postgres(s) => FakeDb::Postgres(s.pool.clone()),
            Db::Sqlite { pool, .. } => FakeDb::Sqlite(pool.clone()),
        }
    }

    /// The outbox through a connection pool of its own, as one more instance sees it.
    pub async fn instance(&self) -> Arc<dyn Outbox> {
        match self {
            Db::Postgres(s) => {
                let opts = PgConnectOptions::from_str(&s.url)
                    .unwrap()
                    .options([("search_path", s.name.as_str())]);
                let pool = PgPoolOptions::new()
                    .max_connections(3)
                    .connect_with(opts)
                    .await
                    .unwrap();
                Arc::new(PgOutbox::new(pool))
            }
            Db::Sqlite { url, .. } => Arc::new(SqliteOutbox::new(sqlite_pool(url).await)),
        }
    }

    /// Outbox rows whose message the fake platform never showed: must be none.
    pub async fn lost(&self) -> i64 {
        match self {
            Db::Postgres(s) => super::lost_pg(&s.pool).await,
            Db::Sqlite { pool, .. } => super::lost_sqlite(pool).await,
        }
    }

    /// The URL and schema a `ladder delivery-worker` process connects with.
    pub fn worker_target(&self) -> (String, Option<String>) {
        match self {
            Db::Postgres(s) => (s.url.clone(), Some(s.name.clone())),
            Db::Sqlite { url, .. } => (url.clone(), None),
        }
    }

    /// Drops the Postgres schema (SQLite's directory goes with the value).
    pub async fn finish(self) {
        if let Db::Postgres(s) = self {
            s.drop().await;
        }
    }
}

async fn sqlite_pool(url: &str) -> SqlitePool {
    let opts = SqliteConnectOptions::from_str(url)
        .unwrap()
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await
        .unwrap()
}
