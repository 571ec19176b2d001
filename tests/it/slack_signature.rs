//! The signed HTTP endpoint refuses every request whose signature does not hold: 10,000
//! mutations of signed requests (body, timestamp, signature, version prefix, replays older
//! than five minutes, another secret, missing headers) all get 401 and none reaches the
//! app; the same requests signed properly are all accepted and handed on once each.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use ladder::platform::slack::http::{router, Dispatch};
use ladder::platform::slack::parse::Parsed;
use ladder::platform::slack::signature::SigningSecret;
use rand::{Rng, SeedableRng};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

#[derive(Default)]
struct Counting(AtomicUsize);

impl Dispatch for Counting {
    fn dispatch(&self, parsed: Parsed) {
        assert!(matches!(parsed, Parsed::Inbound { .. }), "{parsed:?}");
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

struct Request {
    body: Vec<u8>,
    timestamp: Option<String>,
    signature: Option<String>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn body(i: usize) -> Vec<u8> {
    format!(
        "team_id=T0LADDER01&user_id=U0{i:08}&user_name=ana&channel_id=C0PRACTICE1\
         &command=%2Fladder&text=progress&trigger_id={i}.1.abc"
    )
    .into_bytes()
}

fn signed(i: usize) -> Request {
    let ts = now().to_string();
    let body = body(i);
    let signature = SigningSecret::new(SECRET).sign(&ts, &body);
    Request {
        body,
        timestamp: Some(ts),
        signature: Some(signature),
    }
}

/// One signed request, broken in one of ten ways.
fn mutated(i: usize, rng: &mut impl Rng) -> Request {
    let mut r = signed(i);
    let ts: i64 = r.timestamp.as_deref().unwrap().parse().unwrap();
    let sig = r.signature.clone().unwrap();
    match i % 10 {
        0 => {
            let at = rng.gen_range(0..r.body.len());
            r.body[at] ^= 1 << rng.gen_range(0..7);
        }
        1 => r.body.extend_from_slice(b"&text=admin"),
        2 => {
            let shift = if rng.gen() { 1 } else { -1 } * rng.gen_range(1..=299);
            r.timestamp = Some((ts + shift).to_string());
        }
        3 => {
            let mut chars: Vec<char> = sig.chars().collect();
            let at = rng.gen_range(3..chars.len());
            chars[at] = if chars[at] == '0' { '1' } else { '0' };
            r.signature = Some(chars.into_iter().collect());
        }
        4 => {
            let prefix = ["v1=", "V0=", "v0:", "", "v00=", "sha256="][rng.gen_range(0..6)];
            r.signature = Some(format!("{prefix}{}", &sig[3..]));
        }
        5 => {
            // A request captured and replayed more than five minutes later, re-signed as
            // it was then (valid signature, stale timestamp).
            let old = (ts - rng.gen_range(301..100_000)).to_string();
            r.signature = Some(SigningSecret::new(SECRET).sign(&old, &r.body));
            r.timestamp = Some(old);
        }
        6 => {
            if rng.gen() {
                r.signature = None;
            } else {
                r.timestamp = None;
            }
        }
        7 => {
            let future = (ts + rng.gen_range(301..100_000)).to_string();
            r.signature = Some(SigningSecret::new(SECRET).sign(&future, &r.body));
            r.timestamp = Some(future);
        }
        8 => {
            let ts = r.timestamp.clone().unwrap();
            r.signature = Some(SigningSecret::new("another-secret").sign(&ts, &r.body));
        }
        _ => {
            let keep = rng.gen_range(3..sig.len() - 1);
            r.signature = Some(sig[..keep].to_owned());
        }
    }
    r
}

async fn send(client: &reqwest::Client, url: &str, r: Request) -> u16 {
    let mut req = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r.body);
    if let Some(ts) = r.timestamp {
        req = req.header("x-slack-request-timestamp", ts);
    }
    if let Some(sig) = r.signature {
        req = req.header("x-slack-signature", sig);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_mutated_requests_are_refused_and_none_reaches_the_app() {
    let counting = Arc::new(Counting::default());
    let app = router(SigningSecret::new(SECRET), counting.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slack/commands", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::new();

    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let requests: Vec<Request> = (0..10_000).map(|i| mutated(i, &mut rng)).collect();
    let statuses: Vec<u16> = stream::iter(requests)
        .map(|r| send(&client, &url, r))
        .buffer_unordered(16)
        .collect()
        .await;
    assert_eq!(statuses.len(), 10_000);
    let refused = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(refused, 10_000, "every mutated request is refused");
    assert_eq!(counting.0.load(Ordering::SeqCst), 0, "none reached the app");

    // The same requests, signed properly, all go through, once each.
    let valid: Vec<u16> = stream::iter((0..200).map(signed))
        .map(|r| send(&client, &url, r))
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(valid.iter().all(|s| *s == 200), "{valid:?}");
    assert_eq!(counting.0.load(Ordering::SeqCst), 200);
}

#[tokio::test]
async fn the_events_url_check_is_answered_only_when_signed() {
    let app = router(SigningSecret::new(SECRET), Arc::new(Counting::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slack/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let body = br#"{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}"#;
    let ts = now().to_string();
    let client = reqwest::Client::new();
    let ok = client
        .post(&url)
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", &ts)
        .header(
            "x-slack-signature",
            SigningSecret::new(SECRET).sign(&ts, body),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(
        ok.text().await.unwrap(),
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    let unsigned = client
        .post(&url)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
}
