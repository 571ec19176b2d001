//! Conversation references: for each Teams user, the one-to-one chat the bot may write to
//! (service URL, conversation id, tenant), and for each channel conversation its service
//! URL. Kept when the app is installed or a person writes, read when a daily question or a
//! channel post is sent proactively. Plain SQL on the `teams_conversations` table
//! (migration 0010), on SQLite or Postgres.

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

/// Where the bot can post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRef {
    pub service_url: String,
    pub conversation_id: String,
    pub tenant_id: String,
}

/// Which kind of reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A person's one-to-one chat with the bot, by Teams user id.
    User,
    /// A conversation (a channel, a group chat), by its id.
    Conversation,
}

fn key(kind: RefKind, id: &str) -> String {
    match kind {
        RefKind::User => format!("user:{id}"),
        RefKind::Conversation => format!("conversation:{id}"),
    }
}

/// The database holding the references.
#[derive(Debug, Clone)]
pub enum RefStore {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl RefStore {
    /// Stores or replaces a reference (a user's chat may move to another service URL).
    pub async fn remember(
        &self,
        kind: RefKind,
        id: &str,
        r: &ConversationRef,
    ) -> Result<(), sqlx::Error> {
        let now = chrono::Utc::now().timestamp();
        let sql = "INSERT INTO teams_conversations \
             (ref_key, service_url, conversation_id, tenant_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (ref_key) DO UPDATE SET service_url = excluded.service_url, \
             conversation_id = excluded.conversation_id, tenant_id = excluded.tenant_id, \
             updated_at = excluded.updated_at";
        let k = key(kind, id);
        match self {
            RefStore::Sqlite(pool) => {
                sqlx::query(sql)
                    .bind(&k)
                    .bind(&r.service_url)
                    .bind(&r.conversation_id)
                    .bind(&r.tenant_id)
                    .bind(now)
                    .execute(pool)
                    .await?;
            }
            RefStore::Postgres(pool) => {
                sqlx::query(sql)
                    .bind(&k)
                    .bind(&r.service_url)
                    .bind(&r.conversation_id)
                    .bind(&r.tenant_id)
                    .bind(now)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// The reference kept for `id`, if any.
    pub async fn find(
        &self,
        kind: RefKind,
        id: &str,
    ) -> Result<Option<ConversationRef>, sqlx::Error> {
        let sql = "SELECT service_url, conversation_id, tenant_id FROM teams_conversations \
                   WHERE ref_key = $1";
        let k = key(kind, id);
        let row: Option<(String, String, String)> = match self {
            RefStore::Sqlite(pool) => sqlx::query_as(sql).bind(&k).fetch_optional(pool).await?,
            RefStore::Postgres(pool) => sqlx::query_as(sql).bind(&k).fetch_optional(pool).await?,
        };
        Ok(row.map(
            |(service_url, conversation_id, tenant_id)| ConversationRef {
                service_url,
                conversation_id,
                tenant_id,
            },
        ))
    }

    /// Any service URL the tenant's activities came from (to open a chat with a person
    /// who has not talked to the bot alone yet).
    pub async fn service_url_of_tenant(&self, tenant: &str) -> Result<Option<String>, sqlx::Error> {
        let sql = "SELECT service_url FROM teams_conversations WHERE tenant_id = $1 \
                   ORDER BY updated_at DESC LIMIT 1";
        let row: Option<(String,)> = match self {
            RefStore::Sqlite(pool) => {
                sqlx::query_as(sql)
                    .bind(tenant)
                    .fetch_optional(pool)
                    .await?
            }
            RefStore::Postgres(pool) => {
                sqlx::query_as(sql)
                    .bind(tenant)
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(row.map(|(s,)| s))
    }

    /// Forgets a person's chat (the app was removed for them).
    pub async fn forget(&self, kind: RefKind, id: &str) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM teams_conversations WHERE ref_key = $1";
        let k = key(kind, id);
        match self {
            RefStore::Sqlite(pool) => {
                sqlx::query(sql).bind(&k).execute(pool).await?;
            }
            RefStore::Postgres(pool) => {
                sqlx::query(sql).bind(&k).execute(pool).await?;
            }
        }
        Ok(())
    }
}
