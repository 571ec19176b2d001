//! Every card the Teams adapter renders validates against Microsoft's Adaptive Cards 1.5
//! JSON schema (strict: unknown properties and element types fail): replies of every kind
//! of block, and the replies the real app gives a learner through a day (help, progress,
//! settings, privacy, practice, reveal, answer, feedback). The official samples validate
//! too, and a card with a property 1.5 does not know fails, so the check can fail.
//!
//! Needs `LADDER_TEAMS_CARD_SCHEMA` (`.ci/run` sets it); without it the tests say so.

use crate::app_world;

use ladder::platform::teams::card::{render, CARD_CONTENT_TYPE};
use ladder::platform::text::sanitize;
use ladder::platform::{Block, Choice, InboundKind, Reply};
use serde_json::{json, Value};

struct Schema {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
    dir: std::path::PathBuf,
}

impl Schema {
    fn load() -> Option<Schema> {
        let Ok(path) = std::env::var("LADDER_TEAMS_CARD_SCHEMA") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but LADDER_TEAMS_CARD_SCHEMA is not (.ci/run sets it)"
            );
            eprintln!(
                "skipping: set LADDER_TEAMS_CARD_SCHEMA to the Adaptive Cards 1.5 schema \
                 (shared/data/teams/adaptive-cards/adaptive-card-1.5.0.schema.json, from \
                 microsoft/AdaptiveCards schemas/1.5.0/adaptive-card.json)"
            );
            return None;
        };
        let text = std::fs::read_to_string(&path).expect("the schema reads");
        let value: Value = serde_json::from_str(&text).expect("the schema is JSON");
        let url = "http://adaptivecards.io/schemas/adaptive-card.json";
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.add_resource(url, value).unwrap();
        let index = compiler
            .compile(url, &mut schemas)
            .expect("the schema compiles");
        let dir = std::path::Path::new(&path).parent().unwrap().to_path_buf();
        Some(Schema {
            schemas,
            index,
            dir,
        })
    }

    fn check(&self, card: &Value) -> Result<(), String> {
        self.schemas
            .validate(card, self.index)
            .map_err(|e| format!("{e:#}"))
    }

    /// Every Adaptive Card in the rendered activities of `reply` validates.
    fn assert_reply(&self, reply: &Reply) {
        let activities = render(reply);
        assert!(!activities.is_empty());
        for activity in activities {
            for attachment in activity["attachments"].as_array().unwrap() {
                if attachment["contentType"] == CARD_CONTENT_TYPE {
                    let card = &attachment["content"];
                    if let Err(e) = self.check(card) {
                        panic!("a card fails the 1.5 schema:\n{e}\n{card:#}\nfrom {reply:?}");
                    }
                }
            }
        }
    }
}

fn choice(label: &str, action: &str) -> Choice {
    Choice {
        label: label.into(),
        action: action.into(),
    }
}

#[test]
fn the_schema_check_accepts_the_official_samples_and_refuses_unknown_properties() {
    let Some(schema) = Schema::load() else { return };
    let samples = schema.dir.join("samples");
    let mut n = 0;
    for entry in std::fs::read_dir(&samples).expect("the samples directory") {
        let path = entry.unwrap().path();
        let card: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        schema
            .check(&card)
            .unwrap_or_else(|e| panic!("{} fails: {e}", path.display()));
        n += 1;
    }
    assert_eq!(n, 3, "three official samples");
    let mut bad = render(&Reply::text("hi"))[0]["attachments"][0]["content"].clone();
    bad["body"][0]["colour"] = json!("red");
    assert!(schema.check(&bad).is_err(), "an unknown property fails");
    let mut bad = render(&Reply::text("hi"))[0]["attachments"][0]["content"].clone();
    bad["body"][0]["type"] = json!("Markdown");
    assert!(schema.check(&bad).is_err(), "an unknown element fails");
}

#[test]
fn every_kind_of_block_renders_a_valid_card() {
    let Some(schema) = Schema::load() else { return };
    let hostile = sanitize("**@everyone** <at>Boss</at> [click](http://x) _x_");
    let replies = vec![
        Reply::private(vec![
            Block::Heading("Daily practice · Phishing".into()),
            Block::Text(format!("You wrote: {hostile}")),
            Block::Fields(vec![("Phishing".into(), "competent".into())]),
            Block::Choices {
                choices: vec![choice("Show question", "r:1")],
                multi: false,
                placeholder: String::new(),
            },
        ]),
        Reply::private(vec![Block::Choices {
            choices: (0..8)
                .map(|i| choice(&format!("Option {i}"), &format!("a:1:{i}")))
                .collect(),
            multi: false,
            placeholder: "Pick one".into(),
        }]),
        Reply::private(vec![Block::Choices {
            choices: (0..3)
                .map(|i| choice(&format!("Option {i}"), &format!("a:1:{i}")))
                .collect(),
            multi: true,
            placeholder: "Pick all that apply".into(),
        }]),
        Reply::private(vec![Block::AskText {
            action: "t:1".into(),
            label: "Your answer".into(),
            placeholder: "Type it".into(),
            long: true,
        }]),
        Reply::public(vec![
            Block::Text("Team summary".into()),
            Block::Image {
                png: vec![0x89, b'P', b'N', b'G'],
                filename: "team.png".into(),
                alt: "Heatmap of the team's stages".into(),
            },
        ]),
        Reply::private(vec![Block::File {
            bytes: "{\"learner\": 1}".repeat(2_000).into_bytes(),
            filename: "ladder-export.json".into(),
        }]),
        Reply::public(vec![
            Block::Text("Your question is waiting in your chat with Ladder.".into()),
            Block::Mention {
                user: "29:abc".into(),
                name: "Ada".into(),
            },
        ]),
    ];
    for reply in &replies {
        schema.assert_reply(reply);
    }
    // The picture travels as an inline PNG attachment next to the card.
    let team = render(&replies[4]);
    let image = &team[0]["attachments"][1];
    assert_eq!(image["contentType"], "image/png");
    assert!(image["contentUrl"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,iVBO"));
}

#[tokio::test]
async fn the_apps_replies_through_a_learners_day_render_valid_cards() {
    let Some(schema) = Schema::load() else { return };
    let mut w = app_world::world().await;
    let mut all = Vec::new();
    for (name, args) in [
        ("help", ""),
        ("progress", ""),
        ("settings", ""),
        ("settings", "pause 3"),
        ("settings", "resume"),
        ("privacy", ""),
        ("privacy", "delete"),
        ("why", ""),
        ("resources", ""),
    ] {
        all.extend(
            w.send(InboundKind::Command {
                name: name.into(),
                args: args.into(),
            })
            .await,
        );
    }
    // Practice until both a choice question and a typed one have been seen and answered.
    let mut answered = 0;
    for _ in 0..12 {
        let replies = w
            .send(InboundKind::Command {
                name: "practice".into(),
                args: String::new(),
            })
            .await;
        all.extend(replies.clone());
        let next = replies
            .iter()
            .flat_map(|r| &r.blocks)
            .find_map(|b| match b {
                Block::Choices { choices, .. } => Some((choices[0].action.clone(), None)),
                Block::AskText { action, .. } => Some((action.clone(), Some("I am not sure"))),
                _ => None,
            });
        match next {
            Some((action, None)) => all.extend(w.click(&[action]).await),
            Some((action, Some(text))) => all.extend(w.typed(&action, text).await),
            None => break,
        }
        answered += 1;
    }
    assert!(answered > 0, "the learner got questions");
    assert!(all.len() > 15, "a day's worth of replies: {}", all.len());
    for reply in &all {
        schema.assert_reply(reply);
    }
}
