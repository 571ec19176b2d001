//! One fake Discord behind one Prism per test binary, shared by its tests.
//!
//! The fake runs on its own thread and runtime so that it outlives each `#[tokio::test]`
//! runtime. Prism is started through `.ci/prism proxy`, which stops it when this process
//! exits. Tests call [`harness`] and return early (with a message) when the spec is not
//! available; in CI `LADDER_DISCORD_SPEC_PREFIXED` is always set.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serenity::all::{ApplicationId, Http};

use super::Fake;

pub const APPLICATION_ID: u64 = 775_799_577_604_522_054;

pub struct Harness {
    pub fake: Fake,
    /// Prism's base URL; serenity sends to `{prism}/api/v10/...`.
    pub prism: String,
    _prism_process: Mutex<Child>,
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
        let http =
            ladder::platform::discord::gateway::http_builder("test-token", Some(&self.prism))
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
    let (tx, rx) = std::sync::mpsc::channel();
    let server = fake.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            tx.send(server.start().await).unwrap();
            std::future::pending::<()>().await
        })
    });
    let addr = rx.recv().expect("fake Discord started");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/prism");
    let mut child = Command::new("bash")
        .arg(script)
        .arg("proxy")
        .arg(format!("http://{addr}"))
        .arg(&spec)
        .stdout(Stdio::piped())
        // LADDER_PRISM_LOG=FILE keeps Prism's log (its reasons for a 422 or a 500).
        .stderr(match std::env::var("LADDER_PRISM_LOG") {
            Ok(path) => Stdio::from(std::fs::File::create(path).expect("create Prism log")),
            Err(_) => Stdio::null(),
        })
        .spawn()
        .expect("run .ci/prism (needs bash, node 20 and npm)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("read Prism's URL");
    let prism = line.trim().to_owned();
    assert!(
        prism.starts_with("http://127.0.0.1:"),
        "Prism did not start: {line:?}"
    );
    Some(Harness {
        fake,
        prism,
        _prism_process: Mutex::new(child),
    })
}
