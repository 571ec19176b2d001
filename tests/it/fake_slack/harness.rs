//! One fake Slack behind one Prism per test process, shared by its tests, and a loopback
//! Socket Mode server per test.
//!
//! The fake runs on its own thread and runtime so that it outlives each `#[tokio::test]`
//! runtime ([`prism::on_own_runtime`]). Outside CI, tests return early (with a message) when Slack's published files
//! are not configured; in CI (`CI` set) that is a failure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use futures_util::{SinkExt, StreamExt};
use ladder::platform::slack::SlackWeb;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;

use super::Fake;
use crate::prism::{self, Prism};

/// The directory of Slack's published files (`shared/data/slack`), or None after saying
/// why (outside CI only).
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var("LADDER_SLACK_DATA") {
        Ok(dir) => Some(PathBuf::from(dir)),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("LADDER_SLACK_DATA is not set; .ci/run sets it to shared/data/slack")
        }
        Err(_) => {
            eprintln!(
                "skipping: set LADDER_SLACK_DATA to the folder of Slack's published API files \
                 (shared/data/slack: slackapi/slack-api-specs, java-slack-sdk and \
                 python-slack-sdk samples, see its README)"
            );
            None
        }
    }
}

pub struct Harness {
    pub fake: Fake,
    /// The client's base URL (the fake's front door), e.g. `http://127.0.0.1:1/api`.
    pub base: String,
    _prism: Prism,
}

impl Harness {
    /// A Web API client as `ladder serve` builds it, pointed at the fake.
    pub fn web(&self) -> SlackWeb {
        SlackWeb::new(&self.base, "xoxb-test-token")
    }
}

/// The shared harness, or `None` (after printing why) outside CI without the files.
pub fn harness() -> Option<&'static Harness> {
    static HARNESS: OnceLock<Option<Harness>> = OnceLock::new();
    HARNESS.get_or_init(start).as_ref()
}

fn start() -> Option<Harness> {
    let dir = data_dir()?;
    let spec = dir.join("slack_web_openapi_v2.api-prefixed.json");
    let fake = Fake::new(dir.join("web-api-samples"));
    let server = fake.clone();
    let (front, upstream) = prism::on_own_runtime(move || async move { server.start().await });
    let prism = prism::proxy(&format!("http://{upstream}"), &spec);
    fake.set_prism(&prism.url);
    Some(Harness {
        fake,
        base: format!("http://{front}/api"),
        _prism: prism,
    })
}

/// A loopback Socket Mode server: sends `hello` on every connection, then the frames a
/// test pushes; records every acknowledgement.
#[derive(Clone)]
pub struct SocketServer {
    pub url: String,
    to_send: mpsc::UnboundedSender<String>,
    acks: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicUsize>,
}

impl SocketServer {
    pub async fn start(hello: String) -> SocketServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/link", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel::<String>();
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let acks = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (a, c) = (acks.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    continue;
                };
                c.fetch_add(1, Ordering::SeqCst);
                let (mut out, mut inc) = ws.split();
                out.send(Frame::Text(hello.clone())).await.unwrap();
                let mut frames = rx.lock().await;
                loop {
                    tokio::select! {
                        f = frames.recv() => {
                            let Some(f) = f else { return };
                            let disconnect = f.contains("\"disconnect\"");
                            let _ = out.send(Frame::Text(f)).await;
                            if disconnect {
                                let _ = out.send(Frame::Close(None)).await;
                                break;
                            }
                        }
                        m = inc.next() => match m {
                            Some(Ok(Frame::Text(t))) => {
                                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                                a.lock().unwrap().push(v["envelope_id"].as_str().unwrap().to_owned());
                            }
                            Some(Ok(_)) => {}
                            _ => break,
                        }
                    }
                }
            }
        });
        SocketServer {
            url,
            to_send: tx,
            acks,
            connections,
        }
    }

    pub fn send(&self, frame: String) {
        self.to_send.send(frame).unwrap();
    }

    pub fn acks(&self) -> Vec<String> {
        self.acks.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
