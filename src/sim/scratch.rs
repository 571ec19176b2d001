//! A throwaway store for one store-backed simulation: a SQLite file in a temporary
//! directory, or a fresh schema on a Postgres server that is dropped afterwards, so a run
//! never touches anyone's data and parallel runs never meet.

use std::sync::Arc;

use crate::store::{connect, connect_postgres_schema, Store, StoreError};

/// Which database a store-backed run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
}

/// An opened scratch store; call [`Scratch::close`] to drop a Postgres schema.
pub struct Scratch {
    pub store: Arc<dyn Store>,
    /// Postgres server and schema to drop on close.
    drop_schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

/// The Postgres server: `url`, else `LADDER_DATABASE_URL`, else `LADDER_TEST_POSTGRES_URL`.
pub fn postgres_url(url: Option<String>) -> Option<String> {
    url.or_else(|| std::env::var("LADDER_DATABASE_URL").ok())
        .or_else(|| std::env::var("LADDER_TEST_POSTGRES_URL").ok())
        .filter(|u| !u.is_empty())
}

/// A schema name no other run uses at the same time.
fn fresh_schema() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("ladder_sim_{}_{nanos}", std::process::id())
}

impl Scratch {
    /// Opens a migrated store. For SQLite, `url` names a file to use as is (kept
    /// afterwards); without it a temporary file is used. For Postgres, `url` names the
    /// server and the run gets a fresh schema on it.
    #[tracing::instrument(skip_all)]
    pub async fn open(db: Database, url: Option<String>) -> Result<Scratch, StoreError> {
        match db {
            Database::Sqlite => {
                let (url, dir) = match url {
                    Some(u) => (u, None),
                    None => {
                        let dir = tempfile::tempdir()
                            .map_err(|e| StoreError::Other(format!("temporary directory: {e}")))?;
                        let url =
                            format!("sqlite://{}?mode=rwc", dir.path().join("sim.db").display());
                        (url, Some(dir))
                    }
                };
                Ok(Scratch {
                    store: connect(&url).await?,
                    drop_schema: None,
                    _dir: dir,
                })
            }
            Database::Postgres => {
                let url = postgres_url(url).ok_or_else(|| {
                    StoreError::Unavailable(
                        "no Postgres server: pass --db or set LADDER_DATABASE_URL".into(),
                    )
                })?;
                let schema = fresh_schema();
                let store = connect_postgres_schema(&url, &schema).await?;
                Ok(Scratch {
                    store,
                    drop_schema: Some((url, schema)),
                    _dir: None,
                })
            }
        }
    }

    /// Drops the Postgres schema (a temporary SQLite file goes with its directory).
    #[tracing::instrument(skip_all)]
    pub async fn close(self) -> Result<(), StoreError> {
        let Scratch {
            store,
            drop_schema,
            _dir,
        } = self;
        drop(store);
        if let Some((url, schema)) = drop_schema {
            let admin = sqlx::PgPool::connect(&url).await?;
            sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .execute(&admin)
                .await?;
            admin.close().await;
        }
        Ok(())
    }
}
