//! Prism (`prism proxy --errors`, through `.ci/prism`) in front of a fake platform API, and
//! the thread a shared fake runs on.
//!
//! Every adapter test sends its requests through Prism on the platform's own published
//! description, so a request the platform would reject fails the test. Prism stops when
//! its [`Prism`] is dropped or when this test process exits. `LADDER_PRISM_LOG=FILE` keeps
//! Prism's log (its reasons for a 422 or a 500).

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// A running Prism: its base URL and its process.
pub struct Prism {
    /// e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Mutex<Child>,
}

impl Drop for Prism {
    fn drop(&mut self) {
        // TERM lets the script stop Prism with itself (KILL would orphan Prism).
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let _ = child.wait();
    }
}

/// Starts Prism on `spec` in front of `upstream` (`http://host:port`) and waits until it
/// answers.
pub fn proxy(upstream: &str, spec: &Path) -> Prism {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/prism");
    let mut child = Command::new("bash")
        .arg(script)
        .arg("proxy")
        .arg(upstream)
        .arg(spec)
        .stdout(Stdio::piped())
        .stderr(match std::env::var_os("LADDER_PRISM_LOG") {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("create the Prism log")),
            None => Stdio::null(),
        })
        .spawn()
        .expect("run .ci/prism (needs bash, Node 20 and npm)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("Prism's stdout"))
        .read_line(&mut line)
        .expect("read Prism's URL");
    let url = line.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "Prism did not start: {line:?}"
    );
    Prism {
        url,
        child: Mutex::new(child),
    }
}

/// Runs `start` on a thread and runtime of its own, so that what it starts (a fake shared
/// by the tests of this process) outlives each `#[tokio::test]` runtime; returns what
/// `start` resolved to.
pub fn on_own_runtime<T, F>(start: impl FnOnce() -> F + Send + 'static) -> T
where
    T: Send + 'static,
    F: Future<Output = T>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the fake");
        rt.block_on(async move {
            tx.send(start().await).expect("the test waits for the fake");
            std::future::pending::<()>().await
        })
    });
    rx.recv().expect("the fake started")
}
