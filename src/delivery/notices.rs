//! One-off messages besides the daily prompt: escalation notifications, answers to
//! learners' questions, managers' weekly digests, leaderboard posts to team channels.
//!
//! Each [`NoticeSource`] looks at one tenant's records and enqueues what is due as
//! `notice` rows of the outbox. The row key (tenant, schedule, recipient, date, kind) makes
//! each message exist once however many instances or retries produce it, and the delivery
//! workers send them like any other row. The service's minute loop calls every source for
//! every tenant.

use async_trait::async_trait;

use crate::store::{StoreError, Tenant};

/// Something that turns a tenant's records into messages due now.
#[async_trait]
pub trait NoticeSource: Send + Sync {
    /// What it sends, for logs ("notifications", "answers", ...).
    fn name(&self) -> &'static str;
    /// Enqueues what is due for `tenant`; returns the rows created.
    async fn queue(&self, tenant: &Tenant) -> Result<u64, StoreError>;
}
