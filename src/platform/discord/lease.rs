//! Discord shards split across bot instances through leases in the shared database.
//!
//! The shards (`total`) are cut into groups of `per_instance`; each instance claims one
//! free group, runs those shards (serenity's `start_shard_range`) and renews its lease. A
//! group whose lease expired (its instance crashed or hung) is taken by a standby instance.
//! Time comes from the caller's [`Clock`]; the table is `discord_shard_leases`
//! (migration `0004`). Depends on sqlx only.

use std::ops::Range;
use std::sync::Arc;

use sqlx::{PgPool, SqlitePool};

use crate::clock::Clock;

/// How the shards are cut into groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlan {
    pub total: u32,
    pub per_instance: u32,
}

impl ShardPlan {
    /// `None` when the numbers cannot describe a split (no shards, empty groups).
    pub fn new(total: u32, per_instance: u32) -> Option<ShardPlan> {
        (total > 0 && per_instance > 0).then_some(ShardPlan {
            total,
            per_instance: per_instance.min(total),
        })
    }

    pub fn groups(&self) -> u32 {
        self.total.div_ceil(self.per_instance)
    }

    /// The shard ids of `group`.
    pub fn range(&self, group: u32) -> Range<u32> {
        let start = group * self.per_instance;
        start..(start + self.per_instance).min(self.total)
    }
}

/// The database holding the leases (the one the store uses).
#[derive(Debug, Clone)]
pub enum LeaseDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Take or renew: only if the row is ours or its lease has run out.
const CLAIM: &str =
    "INSERT INTO discord_shard_leases (shard_group, shard_total, holder, expires_at_ms)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (shard_group) DO UPDATE
        SET shard_total = excluded.shard_total, holder = excluded.holder,
            expires_at_ms = excluded.expires_at_ms
      WHERE discord_shard_leases.holder = excluded.holder
         OR discord_shard_leases.expires_at_ms < $5
     RETURNING shard_group";

const RELEASE: &str = "DELETE FROM discord_shard_leases WHERE shard_group = $1 AND holder = $2";

/// One instance's view of the shard leases.
pub struct ShardLeases {
    db: LeaseDb,
    holder: String,
    ttl: chrono::Duration,
    clock: Arc<dyn Clock>,
}

impl ShardLeases {
    /// `holder` names this instance (unique per process); a lease lasts `ttl` unless renewed.
    pub fn new(
        db: LeaseDb,
        holder: impl Into<String>,
        ttl: chrono::Duration,
        clock: Arc<dyn Clock>,
    ) -> Self {
        ShardLeases {
            db,
            holder: holder.into(),
            ttl,
            clock,
        }
    }

    /// Claims the first group nobody holds (or whose holder stopped renewing).
    #[tracing::instrument(skip_all, fields(holder = %self.holder))]
    pub async fn claim(&self, plan: ShardPlan) -> Result<Option<u32>, sqlx::Error> {
        for group in 0..plan.groups() {
            if self.renew(plan, group).await? {
                return Ok(Some(group));
            }
        }
        Ok(None)
    }

    /// Extends this instance's lease on `group`; false when another instance has it now.
    #[tracing::instrument(skip_all, fields(holder = %self.holder, group))]
    pub async fn renew(&self, plan: ShardPlan, group: u32) -> Result<bool, sqlx::Error> {
        let now = self.clock.now().timestamp_millis();
        let until = now + self.ttl.num_milliseconds();
        let (group, total) = (group as i32, plan.total as i32);
        let row: Option<i32> = match &self.db {
            LeaseDb::Postgres(pool) => {
                sqlx::query_scalar(CLAIM)
                    .bind(group)
                    .bind(total)
                    .bind(&self.holder)
                    .bind(until)
                    .bind(now)
                    .fetch_optional(pool)
                    .await?
            }
            LeaseDb::Sqlite(pool) => {
                sqlx::query_scalar(&sqlite(CLAIM))
                    .bind(group)
                    .bind(total)
                    .bind(&self.holder)
                    .bind(until)
                    .bind(now)
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(row.is_some())
    }

    /// Claims a group, waiting (as a standby) until one is free.
    pub async fn claim_when_free(&self, plan: ShardPlan) -> Result<u32, sqlx::Error> {
        loop {
            if let Some(group) = self.claim(plan).await? {
                return Ok(group);
            }
            tracing::info!("every shard group is held: standing by");
            tokio::time::sleep(self.period()).await;
        }
    }

    /// Renews the lease on `group` until another instance holds it, then returns: the
    /// caller must stop its shards, or two instances would answer the same events.
    /// A database error is retried until the lease would have run out.
    pub async fn keep(&self, plan: ShardPlan, group: u32) {
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(self.period()).await;
            match self.renew(plan, group).await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => return,
                Err(err) => {
                    tracing::warn!(%err, "renewing the shard lease failed");
                    let ttl = self.ttl.to_std().unwrap_or_default();
                    if last_renewal.elapsed() >= ttl {
                        return;
                    }
                }
            }
        }
    }

    /// Renew three times per lease, so one slow round does not lose it.
    fn period(&self) -> std::time::Duration {
        (self.ttl / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(1))
    }

    /// Gives `group` up at shutdown so a standby need not wait for the lease to expire.
    #[tracing::instrument(skip_all, fields(holder = %self.holder, group))]
    pub async fn release(&self, group: u32) -> Result<(), sqlx::Error> {
        let group = group as i32;
        match &self.db {
            LeaseDb::Postgres(pool) => {
                sqlx::query(RELEASE)
                    .bind(group)
                    .bind(&self.holder)
                    .execute(pool)
                    .await?;
            }
            LeaseDb::Sqlite(pool) => {
                sqlx::query(&sqlite(RELEASE))
                    .bind(group)
                    .bind(&self.holder)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

/// SQLite numbers its parameters `?N`.
fn sqlite(sql: &str) -> String {
    sql.replace('$', "?")
}

#[cfg(test)]
mod tests;
