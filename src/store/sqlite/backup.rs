//! Copies and clean closes of a SQLite store: a consistent copy of a live database with
//! `VACUUM INTO`, and folding the WAL back into the database file when a short-lived
//! process (the demo) is done, so that the file is complete on its own.
//!
//! `VACUUM INTO` runs as a reader: in WAL mode it sees one committed snapshot and neither
//! waits for nor blocks the bot's writers, so a backup never holds up an answer.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use super::{SqliteStore, StoreError};

/// How long a backup waits on a lock (a checkpoint that truncates the WAL, say).
const BACKUP_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: choose a new file (a backup never overwrites one)")]
    TargetExists(String),
    #[error("the database {0} does not exist")]
    SourceMissing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes a consistent copy of the SQLite database at `url` to `target`, while other
/// processes may be reading and writing it. Never creates the source nor applies
/// migrations to it: the copy is the database as it is.
#[tracing::instrument(skip_all)]
pub async fn backup(url: &str, target: &Path) -> Result<(), BackupError> {
    let target_text = target.display().to_string();
    if target.exists() {
        return Err(BackupError::TargetExists(target_text));
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(StoreError::from)?
        .create_if_missing(false)
        .busy_timeout(BACKUP_BUSY_TIMEOUT);
    if !options.get_filename().is_file() {
        let source = options.get_filename().display().to_string();
        return Err(BackupError::SourceMissing(source));
    }
    let mut conn = options.connect().await.map_err(StoreError::from)?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(&target_text)
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    copied.map_err(StoreError::from)?;
    Ok(())
}

impl SqliteStore {
    /// Copies the WAL into the database file, empties it, and closes the pool: after this
    /// the database file alone holds everything (no `-wal` file needed to read it).
    #[tracing::instrument(skip_all)]
    pub async fn checkpoint_and_close(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        self.pool.close().await;
        Ok(())
    }
}
