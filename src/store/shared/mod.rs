//! The SQL both backends share. Where SQLite and Postgres agree (`$n` parameters,
//! `ON CONFLICT`, `RETURNING`), one text serves both; each trait implementation is written
//! once as a macro and instantiated by `sqlite/` and `postgres/`, which differ only in how
//! a write transaction starts and how a row is locked.
//!
//! Each backend struct must have a `pool` field and an inherent
//! `async fn begin_write(&self) -> Result<sqlx::Transaction<'_, DB>, StoreError>`.

pub(crate) mod directory;
pub(crate) mod expert;
pub(crate) mod privacy;
pub(crate) mod progress;
pub(crate) mod progress_more;
pub(crate) mod prompts;
pub(crate) mod rows;

use super::StoreError;

/// Converts every row, failing on the first that does not convert.
pub(crate) fn convert<R, T>(
    rows: Vec<R>,
    f: impl Fn(R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(f).collect()
}

/// Converts the rows that convert and skips the others with a warning naming the table
/// and the row id. For lists of people: one row edited by hand (a time of day of "99:99")
/// must not take a whole tenant's leaderboard, day plan or playground down with it. The
/// warning carries the conversion error, which names a column and its stored value, never
/// a name or a platform id.
pub(crate) fn convert_skipping<R, T>(
    table: &'static str,
    rows: Vec<R>,
    id: impl Fn(&R) -> i64,
    f: impl Fn(R) -> Result<T, StoreError>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let row_id = id(&row);
        match f(row) {
            Ok(v) => out.push(v),
            Err(e) => {
                tracing::warn!(table, row = row_id, error = %e, "skipped a row that does not decode")
            }
        }
    }
    out
}

/// Instantiates every shared trait implementation for a backend store type.
macro_rules! impl_all {
    ($store:ty, db = $db:ty, lock = $lock:literal) => {
        $crate::store::shared::directory::impl_directory!($store);
        $crate::store::shared::prompts::impl_prompts!($store);
        $crate::store::shared::progress::impl_progress!($store, db = $db);
        $crate::store::shared::expert::impl_expert!($store);
        $crate::store::shared::progress_more::impl_progress_more!($store, db = $db, lock = $lock);
    };
}
pub(crate) use impl_all;
