//! A learner in a fresh world for the use-case tests: the sample content, a virtual
//! clock and a real SQLite store in a temporary file (one per test, so tests run in
//! parallel), driven through `App::handle` like an adapter would.

use chrono::{TimeZone, Utc};
use ladder::app::records::{LearnerKey, Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::{Actor, Block, Inbound, InboundKind, Platform, Reply};
use ladder_engine::{Item, Library};
use std::path::Path;
use std::sync::Arc;

pub struct World {
    pub app: App,
    pub records: Arc<dyn Records>,
    _dir: tempfile::TempDir,
    pub clock: Arc<VirtualClock>,
    pub me: Actor,
    events: u32,
}

pub fn library() -> Library {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    ladder_content::load_dir(&dir).expect("the sample content loads")
}

pub async fn world() -> World {
    let library = Arc::new(library());
    // A Monday, 09:30 UTC: inside the default practice window.
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    let clock = Arc::new(VirtualClock::new(start));
    // A real SQLite store in a fresh file per test, so tests run in parallel.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = ladder::store::connect(&url).await.expect("sqlite opens");
    let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store));
    let app = App::new(records.clone(), library.clone(), clock.clone());
    let me = Actor {
        platform: Platform::Local,
        tenant: "acme".into(),
        user: "u1".into(),
        display_name: "Pat".into(),
        platform_roles: vec![],
    };
    let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
    app.enrol(&me, &tracks).await.unwrap();
    World {
        app,
        records,
        _dir: dir,
        clock,
        me,
        events: 0,
    }
}

impl World {
    pub async fn send(&mut self, kind: InboundKind) -> Vec<Reply> {
        self.events += 1;
        let inbound = Inbound {
            actor: self.me.clone(),
            event_id: format!("e{}", self.events),
            kind,
        };
        self.app.handle(inbound).await
    }
    pub async fn click(&mut self, actions: &[String]) -> Vec<Reply> {
        self.send(InboundKind::Action {
            actions: actions.to_vec(),
        })
        .await
    }
    pub async fn typed(&mut self, action: &str, text: &str) -> Vec<Reply> {
        self.send(InboundKind::Text {
            action: Some(action.into()),
            text: text.into(),
        })
        .await
    }
    pub async fn reviews(&self) -> usize {
        self.records
            .reviews(&LearnerKey::of(&self.me))
            .await
            .unwrap()
            .len()
    }
    pub fn item(&self, pred: impl Fn(&Item) -> bool) -> Item {
        self.app
            .library()
            .items
            .iter()
            .find(|i| pred(i) && i.variants.is_empty())
            .cloned()
            .expect("the sample content has such an item")
    }
}

pub fn text_of(replies: &[Reply]) -> String {
    let mut out = String::new();
    for b in replies.iter().flat_map(|r| &r.blocks) {
        match b {
            Block::Heading(t) | Block::Text(t) => out.push_str(t),
            Block::Fields(f) => f
                .iter()
                .for_each(|(k, v)| out.push_str(&format!("{k} {v}"))),
            Block::Choices { choices, .. } => choices.iter().for_each(|c| out.push_str(&c.label)),
            Block::AskText { label, .. } => out.push_str(label),
            _ => {}
        }
        out.push('\n');
    }
    out
}
