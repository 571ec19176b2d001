//! The terminal session against a scripted bot: what each typed line becomes, and what
//! the person sees.

use super::*;
use crate::platform::{Block, Choice, Platform};
use chrono::TimeZone;
use std::sync::Mutex;

/// Replies with a fixed question to every command and records what it was sent.
#[derive(Default)]
struct Scripted {
    seen: Mutex<Vec<InboundKind>>,
}

fn question(multi: bool) -> Reply {
    let choices = (0..3)
        .map(|i| Choice {
            label: format!("option {i}"),
            action: format!("a:7:{i}"),
        })
        .collect();
    Reply::private(vec![
        Block::Text("Pick?".into()),
        Block::Choices {
            choices,
            multi,
            placeholder: String::new(),
        },
    ])
}

#[async_trait]
impl Bot for Scripted {
    async fn handle(&self, inbound: Inbound) -> Vec<Reply> {
        let reply = match &inbound.kind {
            InboundKind::Command { name, .. } if name == "multi" => question(true),
            InboundKind::Command { .. } => question(false),
            _ => Reply::text("noted"),
        };
        self.seen.lock().unwrap().push(inbound.kind);
        vec![reply]
    }
    async fn pushes(&self, _actor: &Actor) -> Vec<Reply> {
        vec![Reply::text("a push arrived")]
    }
}

async fn transcript(script: &str) -> (String, Vec<InboundKind>) {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let clock = Arc::new(VirtualClock::new(start));
    let actor = Actor {
        platform: Platform::Local,
        tenant: "local".into(),
        user: "me".into(),
        display_name: "Me".into(),
        platform_roles: vec![],
    };
    let bot = Scripted::default();
    let files = std::env::temp_dir();
    let mut session = Session::new(bot, clock.clone(), actor, Style::PLAIN, files).echo_input(true);
    let mut out = Vec::new();
    session.run(script.as_bytes(), &mut out).await.unwrap();
    let seen = std::mem::take(&mut *session.bot.seen.lock().unwrap());
    (String::from_utf8(out).unwrap(), seen)
}

#[tokio::test]
async fn a_typed_number_clicks_the_shown_option() {
    let (out, seen) = transcript("/practice\n2\n2\n").await;
    assert!(out.contains("> /practice\nPick?\n  1) option 0"), "{out}");
    assert_eq!(
        seen[1],
        InboundKind::Action {
            actions: vec!["a:7:1".into()]
        }
    );
    // The options were spent by the answer: the same number again is just text.
    assert_eq!(
        seen[2],
        InboundKind::Text {
            action: None,
            text: "2".into()
        }
    );
    assert!(out.ends_with("> \nBye!\n"), "{out:?}");
}

#[tokio::test]
async fn several_numbers_pick_several_options_only_when_the_question_allows() {
    let (_, seen) = transcript("/multi\n1, c\n/single\n1 3\n").await;
    assert_eq!(
        seen[1],
        InboundKind::Action {
            actions: vec!["a:7:0".into(), "a:7:2".into()]
        }
    );
    assert!(matches!(&seen[3], InboundKind::Text { text, .. } if text == "1 3"));
}

#[tokio::test]
async fn skipping_time_shows_what_was_pushed_and_quit_stops_reading() {
    let (out, seen) = transcript(
        "/skip 1d\n/skip soon\n/skip 9223372036854775807w\n/skip 99999999999d\n/quit\n/practice\n",
    )
    .await;
    assert!(out.contains("it is now Tue 03 Mar, 09:00 UTC"), "{out}");
    assert!(out.contains("a push arrived"), "{out}");
    assert!(out.contains("e.g. /skip 6h or /skip 1d"), "{out}");
    // A huge span is refused like any other unreadable one, and the clock stays put.
    assert!(out.contains("up to four weeks at a time"), "{out}");
    assert!(out.contains("(not \"9223372036854775807w\")"), "{out}");
    assert!(!out.contains("it is now Wed"), "{out}");
    assert!(
        seen.is_empty(),
        "nothing after /quit reaches the app: {seen:?}"
    );
}
