//! Every request to the Teams messaging endpoint carries a Bot Framework token, and only a
//! valid one lets the activity reach the app: 10,000 forged or broken requests of ten
//! kinds all get 401 and none reaches the app, while a valid token still works. Keys come
//! from a loopback identity provider (OpenID metadata + key set) signing with a test key.

use crate::fake_teams;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use fake_teams::{claims, sign, stranger, trusted, Connector, Idp, APP_ID, TRUSTED_KID};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ladder::config::Secret;
use ladder::platform::teams::auth::TokenValidator;
use ladder::platform::teams::connector::{self, Credentials};
use ladder::platform::teams::refs::RefStore;
use ladder::platform::teams::{server, Endpoint};
use ladder::platform::{Inbound, Reply};
use serde_json::{json, Value};

/// A key the provider publishes for another channel only.
const WEBCHAT_KID: &str = "test-key-webchat";

struct World {
    idp: Idp,
    connector: Connector,
    url: String,
    reached: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

async fn world(validator: impl FnOnce(&Idp) -> TokenValidator) -> World {
    let idp = Idp::start().await;
    idp.publish(WEBCHAT_KID, &trusted(), &["webchat"]);
    let connector = Connector::start(idp.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
    ladder::store::connect(&db).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    let responder = move |_inbound: Inbound| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { vec![Reply::text("Welcome!")] }
    };
    let endpoint = Arc::new(Endpoint::new(
        validator(&idp),
        Arc::new(connector::Connector::new(Credentials {
            app_id: APP_ID.into(),
            password: Secret::new(fake_teams::APP_PASSWORD),
            token_url: idp.token_url(),
        })),
        RefStore::Sqlite(pool),
        Arc::new(responder),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/messages", listener.local_addr().unwrap());
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _keep = _stop;
        server::serve(listener, endpoint, stopped).await.unwrap()
    });
    World {
        idp,
        connector,
        url,
        reached,
        _dir: dir,
    }
}

fn service_url(c: &Connector) -> String {
    format!("http://{}/", c.addr)
}

/// A user's "join" in their personal chat, from `service_url`.
fn activity(id: usize, service_url: &str) -> Value {
    json!({
        "type": "message",
        "id": format!("1:{id}"),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:learner", "name": "Ada"},
        "recipient": {"id": format!("28:{APP_ID}"), "name": "Ladder"},
        "conversation": {"id": "a:personal-learner", "conversationType": "personal",
                         "tenantId": fake_teams::TENANT},
        "channelData": {"tenant": {"id": fake_teams::TENANT}},
        "text": "join",
    })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The `Authorization` header of mutation `kind`, variant `i`; None: no header at all.
fn forged(kind: usize, i: usize, service_url: &str) -> Option<String> {
    let good = claims(service_url);
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let bearer = |t: String| Some(format!("Bearer {t}"));
    match kind {
        // Bad signature: a stranger's key under the trusted kid.
        0 => bearer(sign(&good, &stranger(), TRUSTED_KID)),
        // Unknown kid.
        1 => bearer(sign(&good, &stranger(), &format!("rotated-{i}"))),
        // Wrong issuer.
        2 => {
            let iss = [
                "https://api.botframework.com/",
                "https://login.microsoftonline.com/x/v2.0",
                "https://sts.windows.net/evil/",
                "",
            ][i % 4];
            bearer(sign(&with("iss", json!(iss)), &trusted(), TRUSTED_KID))
        }
        // Wrong audience.
        3 => {
            let aud = if i.is_multiple_of(2) {
                format!("00000000-0000-0000-0000-{i:012}")
            } else {
                "https://api.botframework.com".to_owned()
            };
            bearer(sign(&with("aud", json!(aud)), &trusted(), TRUSTED_KID))
        }
        // Expired beyond the 5-minute skew.
        4 => {
            let exp = fake_teams::now() - 301 - (i as i64 % 86_400);
            bearer(sign(&with("exp", json!(exp)), &trusted(), TRUSTED_KID))
        }
        // alg: none, no signature.
        5 => {
            let header =
                b64(format!(r#"{{"alg":"none","typ":"JWT","kid":"{TRUSTED_KID}"}}"#).as_bytes());
            let payload = b64(good.to_string().as_bytes());
            let sig = if i.is_multiple_of(2) {
                String::new()
            } else {
                b64(b"x")
            };
            bearer(format!("{header}.{payload}.{sig}"))
        }
        // HS256 keyed with the public key (the classic RS/HS confusion).
        6 => {
            let public = trusted();
            let secret = if i.is_multiple_of(2) {
                public.n.clone().into_bytes()
            } else {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&public.n)
                    .unwrap()
            };
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(TRUSTED_KID.into());
            let token =
                jsonwebtoken::encode(&header, &good, &EncodingKey::from_secret(&secret)).unwrap();
            bearer(token)
        }
        // The token was issued for another service URL.
        7 => {
            let other = [
                "https://smba.trafficmanager.net/amer/".to_owned(),
                service_url.trim_end_matches('/').to_owned(),
                format!("{service_url}x"),
            ][i % 3]
                .clone();
            let c = if i % 4 == 3 {
                let mut c = good.clone();
                c.as_object_mut().unwrap().remove("serviceurl");
                c
            } else {
                with("serviceurl", json!(other))
            };
            bearer(sign(&c, &trusted(), TRUSTED_KID))
        }
        // Signed by a key that is not endorsed for msteams.
        8 => bearer(sign(&good, &trusted(), WEBCHAT_KID)),
        // No token.
        _ => match i % 4 {
            0 => None,
            1 => Some("Basic dXNlcjpwYXNz".into()),
            2 => Some("Bearer ".into()),
            _ => Some(format!("Bearer {}", b64(b"not a jwt"))),
        },
    }
}

async fn post(client: &reqwest::Client, url: &str, auth: Option<&str>, body: &Value) -> u16 {
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_forged_requests_are_refused_and_a_valid_one_is_answered() {
    let w = world(|idp| TokenValidator::new(APP_ID, idp.metadata_url())).await;
    let su = service_url(&w.connector);
    let client = reqwest::Client::new();
    const KINDS: usize = 10;
    const EACH: usize = 1_000;
    let mut tasks = tokio::task::JoinSet::new();
    for kind in 0..KINDS {
        let (client, url, su) = (client.clone(), w.url.clone(), su.clone());
        tasks.spawn(async move {
            let mut other = Vec::new();
            for i in 0..EACH {
                let auth = forged(kind, i, &su);
                let status = post(
                    &client,
                    &url,
                    auth.as_deref(),
                    &activity(kind * EACH + i, &su),
                )
                .await;
                if status != 401 {
                    other.push((kind, i, status));
                }
            }
            other
        });
    }
    let mut not_refused = Vec::new();
    while let Some(r) = tasks.join_next().await {
        not_refused.extend(r.unwrap());
    }
    assert!(
        not_refused.is_empty(),
        "{} of {} forged requests were not refused with 401, e.g. {:?}",
        not_refused.len(),
        KINDS * EACH,
        &not_refused[..not_refused.len().min(5)]
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        w.reached.load(Ordering::SeqCst),
        0,
        "no forged request reaches the app"
    );
    assert!(
        w.connector.sent().is_empty(),
        "nothing was sent for a forged request"
    );
    assert!(
        w.idp.key_fetches() <= 2,
        "a thousand unknown kids fetched the keys {} times",
        w.idp.key_fetches()
    );

    // A valid token, also one that expired within the allowed skew, gets through.
    let mut late = claims(&su);
    late["exp"] = json!(fake_teams::now() - 120);
    for (n, c) in [claims(&su), late].iter().enumerate() {
        let token = sign(c, &trusted(), TRUSTED_KID);
        let status = post(
            &client,
            &w.url,
            Some(&format!("Bearer {token}")),
            &activity(900_000 + n, &su),
        )
        .await;
        assert_eq!(status, 200);
    }
    let sent = wait_for(|| w.connector.sent().len() >= 2).await;
    assert!(sent, "the app's answers reached the Connector");
    assert_eq!(w.reached.load(Ordering::SeqCst), 2);
    let first = &w.connector.sent()[0];
    assert_eq!(first.conversation, "a:personal-learner");
    assert_eq!(
        first.body["attachments"][0]["content"]["body"][0]["text"],
        "Welcome!"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_fetched_when_a_token_names_it() {
    let w = world(|idp| {
        TokenValidator::new(APP_ID, idp.metadata_url()).with_min_refetch(Duration::ZERO)
    })
    .await;
    let su = service_url(&w.connector);
    let client = reqwest::Client::new();
    let first = sign(&claims(&su), &trusted(), TRUSTED_KID);
    assert_eq!(
        post(
            &client,
            &w.url,
            Some(&format!("Bearer {first}")),
            &activity(1, &su)
        )
        .await,
        200
    );
    let fetches = w.idp.key_fetches();
    // Microsoft rolls its keys: a new kid appears in the key set.
    w.idp.publish("rolled-over", &stranger(), &["msteams"]);
    let rolled = sign(&claims(&su), &stranger(), "rolled-over");
    assert_eq!(
        post(
            &client,
            &w.url,
            Some(&format!("Bearer {rolled}")),
            &activity(2, &su)
        )
        .await,
        200
    );
    assert_eq!(
        w.idp.key_fetches(),
        fetches + 1,
        "the unknown kid fetched the keys once"
    );
    assert!(wait_for(|| w.reached.load(Ordering::SeqCst) == 2).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_activity_reaches_the_app_once() {
    let w = world(|idp| TokenValidator::new(APP_ID, idp.metadata_url())).await;
    let su = service_url(&w.connector);
    let client = reqwest::Client::new();
    let token = format!("Bearer {}", sign(&claims(&su), &trusted(), TRUSTED_KID));
    for _ in 0..3 {
        assert_eq!(
            post(&client, &w.url, Some(&token), &activity(7, &su)).await,
            200
        );
    }
    assert!(wait_for(|| w.connector.sent().len() == 1).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(w.reached.load(Ordering::SeqCst), 1);
    assert_eq!(
        w.connector.sent().len(),
        1,
        "one answer for three deliveries"
    );
}

async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    cond()
}
