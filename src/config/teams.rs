//! The `[teams]` section: where the Bot Framework messaging endpoint listens and which
//! Microsoft endpoints the adapter talks to. The credentials (`TEAMS_APP_ID`,
//! `TEAMS_APP_PASSWORD`, `TEAMS_TENANT_ID`) come from the environment only; pure data,
//! read by `ladder serve` and `ladder teams package`.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

use super::Secret;

/// The Bot Framework OpenID metadata that names the keys signing inbound activities.
pub const BOT_FRAMEWORK_OPENID: &str =
    "https://login.botframework.com/v1/.well-known/openidconfiguration";

/// The Microsoft Teams app (a Bot Framework bot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Teams {
    /// The bot's Microsoft App ID (`TEAMS_APP_ID`).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Its client secret (`TEAMS_APP_PASSWORD`).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub app_password: Option<Secret>,
    /// The Microsoft Entra tenant of the single-tenant app registration (`TEAMS_TENANT_ID`).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// `host:port` of the messaging endpoint (`/api/messages`), behind an HTTPS proxy,
    /// e.g. `127.0.0.1:3978`. Unset: Teams is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// Where the signing keys of inbound tokens are published.
    pub openid_metadata_url: String,
    /// The token endpoint for the bot's own Connector tokens; `{tenant}` is replaced by
    /// `TEAMS_TENANT_ID`.
    pub token_url: String,
    /// The app's name in Teams and in the package manifest.
    pub app_name: String,
    /// The public HTTPS origin of the messaging endpoint, shown in the package's valid
    /// domains (e.g. `ladder.example.com`).
    pub domain: String,
}

impl Default for Teams {
    fn default() -> Self {
        Teams {
            app_id: None,
            app_password: None,
            tenant_id: None,
            listen: None,
            openid_metadata_url: BOT_FRAMEWORK_OPENID.into(),
            token_url: "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token".into(),
            app_name: "Ladder".into(),
            domain: String::new(),
        }
    }
}

impl Teams {
    /// The token endpoint with the tenant filled in.
    pub fn token_endpoint(&self) -> String {
        let tenant = self.tenant_id.as_deref().unwrap_or("botframework.com");
        self.token_url.replace("{tenant}", tenant)
    }
}
