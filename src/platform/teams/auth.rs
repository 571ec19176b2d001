//! Validation of the bearer token on every inbound Bot Framework request, before anything
//! else looks at the request.
//!
//! The rules are Microsoft's ("Authenticate requests from the Bot Connector service"): an
//! RS256/384/512 signature by a key from the Bot Framework OpenID metadata's key set
//! (fetched, cached, fetched again when a token names an unknown `kid`), issuer
//! `https://api.botframework.com`, audience = our app id, within its validity period with
//! five minutes of clock skew, the token's `serviceurl` claim equal to the activity's
//! `serviceUrl`, and the signing key endorsed for the activity's channel when the key lists
//! endorsements. Every failure is one [`Rejected`] (the endpoint answers 401).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

/// The issuer of tokens the Bot Connector service sends.
pub const ISSUER: &str = "https://api.botframework.com";
/// Clock skew allowed on `exp` and `nbf`.
pub const SKEW_SECS: u64 = 300;
/// Keys are kept this long before the metadata is read again (they rotate rarely).
const KEYS_FOR: Duration = Duration::from_secs(24 * 3600);
/// An unknown `kid` refetches the keys at most this often (a flood of forged tokens must
/// not become a flood of requests to Microsoft).
const DEFAULT_MIN_REFETCH: Duration = Duration::from_secs(60);

/// Why a request was refused. Shown in debug logs only; the caller just sees 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("no bearer token")]
    NoToken,
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("algorithm not accepted: {0}")]
    Algorithm(String),
    #[error("signing key not in the key set")]
    UnknownKey,
    #[error("the key set could not be fetched: {0}")]
    KeysUnavailable(String),
    #[error("token refused: {0}")]
    Claims(String),
    #[error("serviceUrl claim does not match the activity")]
    ServiceUrl,
    #[error("the signing key is not endorsed for channel {0:?}")]
    Endorsement(String),
}

#[derive(Clone)]
struct Key {
    decoding: DecodingKey,
    endorsements: Vec<String>,
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Key>,
    fetched: Option<Instant>,
}

#[derive(Deserialize)]
struct Metadata {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    endorsements: Vec<String>,
}

/// The claims read after the signature, issuer, audience and time checked out.
#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    serviceurl: Option<String>,
    #[serde(default, rename = "serviceUrl")]
    service_url: Option<String>,
}

/// What a valid token vouched for.
#[derive(Debug)]
pub struct Verified {
    service_url: Option<String>,
    endorsements: Vec<String>,
}

impl Verified {
    /// The checks that need the activity: its `serviceUrl` and `channelId`.
    pub fn check_activity(&self, service_url: &str, channel_id: &str) -> Result<(), Rejected> {
        if self.service_url.as_deref() != Some(service_url) {
            return Err(Rejected::ServiceUrl);
        }
        if !self.endorsements.is_empty() && !self.endorsements.iter().any(|e| e == channel_id) {
            return Err(Rejected::Endorsement(channel_id.to_owned()));
        }
        Ok(())
    }
}

/// Validates inbound tokens for one app id against one OpenID metadata document.
pub struct TokenValidator {
    app_id: String,
    metadata_url: String,
    http: reqwest::Client,
    keys: RwLock<KeySet>,
    min_refetch: Duration,
}

impl TokenValidator {
    pub fn new(app_id: impl Into<String>, metadata_url: impl Into<String>) -> Self {
        TokenValidator {
            app_id: app_id.into(),
            metadata_url: metadata_url.into(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            keys: RwLock::new(KeySet::default()),
            min_refetch: DEFAULT_MIN_REFETCH,
        }
    }

    /// How soon an unknown `kid` may fetch the keys again (tests of key rotation).
    pub fn with_min_refetch(mut self, every: Duration) -> Self {
        self.min_refetch = every;
        self
    }

    /// Checks the `Authorization` header value; the activity checks follow with
    /// [`Verified::check_activity`].
    pub async fn verify(&self, authorization: Option<&str>) -> Result<Verified, Rejected> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Rejected::NoToken)?;
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| Rejected::Malformed(e.to_string()))?;
        let alg = header.alg;
        if !matches!(alg, Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512) {
            return Err(Rejected::Algorithm(format!("{alg:?}")));
        }
        let kid = header.kid.ok_or(Rejected::UnknownKey)?;
        let key = self.key(&kid).await?;

        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[&self.app_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = SKEW_SECS;
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map_err(|e| Rejected::Claims(e.to_string()))?;
        Ok(Verified {
            service_url: data.claims.serviceurl.or(data.claims.service_url),
            endorsements: key.endorsements,
        })
    }

    /// The key named `kid`, fetching the key set when it is stale or lacks that key.
    async fn key(&self, kid: &str) -> Result<Key, Rejected> {
        {
            let set = self.keys.read().await;
            let fresh = set.fetched.is_some_and(|t| t.elapsed() < KEYS_FOR);
            if let (true, Some(key)) = (fresh, set.keys.get(kid)) {
                return Ok(key.clone());
            }
        }
        let mut set = self.keys.write().await;
        let stale = set.fetched.is_none_or(|t| t.elapsed() >= KEYS_FOR);
        let may_refetch = set.fetched.is_none_or(|t| t.elapsed() >= self.min_refetch);
        if stale || (!set.keys.contains_key(kid) && may_refetch) {
            match self.fetch().await {
                Ok(keys) => {
                    set.keys = keys;
                    set.fetched = Some(Instant::now());
                }
                // Keep serving the known keys when Microsoft is briefly unreachable.
                Err(err) if !set.keys.is_empty() => {
                    tracing::warn!(%err, "refreshing the Bot Framework keys failed");
                    set.fetched = Some(Instant::now());
                }
                Err(err) => return Err(err),
            }
        }
        set.keys.get(kid).cloned().ok_or(Rejected::UnknownKey)
    }

    async fn fetch(&self) -> Result<HashMap<String, Key>, Rejected> {
        let unavailable = |e: reqwest::Error| Rejected::KeysUnavailable(e.to_string());
        let bytes = |r: reqwest::Response| async move {
            r.error_for_status()
                .map_err(unavailable)?
                .bytes()
                .await
                .map_err(unavailable)
        };
        let meta = bytes(
            self.http
                .get(&self.metadata_url)
                .send()
                .await
                .map_err(unavailable)?,
        )
        .await?;
        let meta: Metadata = serde_json::from_slice(&meta)
            .map_err(|e| Rejected::KeysUnavailable(format!("metadata: {e}")))?;
        let jwks = bytes(
            self.http
                .get(&meta.jwks_uri)
                .send()
                .await
                .map_err(unavailable)?,
        )
        .await?;
        let jwks: Jwks = serde_json::from_slice(&jwks)
            .map_err(|e| Rejected::KeysUnavailable(format!("key set: {e}")))?;
        let mut keys = HashMap::new();
        for jwk in jwks.keys {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
                continue;
            };
            if jwk.kty != "RSA" {
                continue;
            }
            match DecodingKey::from_rsa_components(&n, &e) {
                Ok(decoding) => {
                    keys.insert(
                        kid,
                        Key {
                            decoding,
                            endorsements: jwk.endorsements,
                        },
                    );
                }
                Err(err) => tracing::warn!(%err, kid, "skipping an unreadable signing key"),
            }
        }
        tracing::info!(keys = keys.len(), "fetched the Bot Framework signing keys");
        Ok(keys)
    }
}
