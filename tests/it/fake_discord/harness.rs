//! One fake Discord behind one Prism per test process, shared by its tests.
//!
//! The fake runs on its own thread and runtime so that it outlives each `#[tokio::test]`
//! runtime ([`prism::on_own_runtime`]). Tests call [`harness`] and return early (with a message) when the spec is not
//! available; in CI `LADDER_DISCORD_SPEC_PREFIXED` is always set.

use std::sync::OnceLock;

use serenity::all::{ApplicationId, Http};

use super::Fake;
use crate::prism::{self, Prism};

pub const APPLICATION_ID: u64 = 775_799_577_604_522_054;

pub struct Harness {
    pub fake: Fake,
    /// Prism's base URL; serenity sends to `{url}/api/v10/...`.
    pub url: String,
    _prism: Prism,
}

impl Harness {
    /// A serenity client pointed at Prism, the way `ladder serve` builds its own.
    pub fn http(&self) -> Http {
        // No idle connections: Prism (Node) drops them after 5 s, and a request that lands on
        // a dropped one fails before it is sent.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        let http = ladder::platform::discord::gateway::http_builder("test-token", Some(&self.url))
            .client(client)
            .build();
        http.set_application_id(ApplicationId::new(APPLICATION_ID));
        http
    }
}

/// The shared harness, or `None` (after printing why) when the spec is not configured.
pub fn harness() -> Option<&'static Harness> {
    static HARNESS: OnceLock<Option<Harness>> = OnceLock::new();
    HARNESS.get_or_init(start).as_ref()
}

fn start() -> Option<Harness> {
    let Ok(spec) = std::env::var("LADDER_DISCORD_SPEC_PREFIXED") else {
        eprintln!(
            "skipping: set LADDER_DISCORD_SPEC_PREFIXED to Discord's OpenAPI spec with the \
             /api/v10 prefix (shared/data/discord/openapi-api-v10-prefixed.json, made from \
             github.com/discord/discord-api-spec specs/openapi.json)"
        );
        return None;
    };
    let fake = Fake::default();
    let server = fake.clone();
    let addr = prism::on_own_runtime(move || async move { server.start().await });
    let prism = prism::proxy(&format!("http://{addr}"), std::path::Path::new(&spec));
    Some(Harness {
        url: prism.url.clone(),
        fake,
        _prism: prism,
    })
}
