//! A platform that stalls inside the send: each call shows its message (through the
//! database-backed fake, which folds a repeated idempotency key like Discord's nonce),
//! tells the test, and then holds its answer back until the test releases that call. A
//! worker caught there has made the learner see the message but has not recorded it.

use async_trait::async_trait;
use ladder::delivery::fake::FakePlatform;
use ladder::platform::{Chat, Destination, Platform, Reply, SendError, Sent};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex, Semaphore};

const CALLS: usize = 16;

pub struct Stalling {
    inner: FakePlatform,
    calls: AtomicUsize,
    gates: Vec<Arc<Semaphore>>,
    shown_tx: mpsc::UnboundedSender<usize>,
    shown_rx: Mutex<mpsc::UnboundedReceiver<usize>>,
}

impl Stalling {
    pub fn new(inner: FakePlatform) -> Arc<Self> {
        let (shown_tx, shown_rx) = mpsc::unbounded_channel();
        Arc::new(Stalling {
            inner,
            calls: AtomicUsize::new(0),
            gates: (0..CALLS).map(|_| Arc::new(Semaphore::new(0))).collect(),
            shown_tx,
            shown_rx: Mutex::new(shown_rx),
        })
    }

    /// Waits until the platform has shown (or folded) the next call; returns its number,
    /// counting from 0.
    pub async fn next_shown(&self) -> usize {
        self.shown_rx.lock().await.recv().await.unwrap()
    }

    /// Lets call `n` answer the worker.
    pub fn release(&self, n: usize) {
        self.gates[n].add_permits(1);
    }
}

#[async_trait]
impl Chat for Stalling {
    fn platform(&self) -> Platform {
        Platform::Local
    }

    async fn send(&self, to: &Destination, reply: &Reply, key: &str) -> Result<Sent, SendError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let sent = self.inner.send(to, reply, key).await;
        let _ = self.shown_tx.send(n);
        let _held = self.gates[n].acquire().await;
        sent
    }
}
