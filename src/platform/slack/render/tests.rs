use super::*;
use crate::platform::text::sanitize;
use unicode_segmentation::UnicodeSegmentation;

fn choice(label: &str, action: &str) -> Choice {
    Choice {
        label: label.into(),
        action: action.into(),
    }
}

fn all_text(messages: &[Message]) -> String {
    messages
        .iter()
        .map(|m| format!("{} {}", m.text, serde_json::to_string(&m.blocks).unwrap()))
        .collect()
}

#[test]
fn ampersands_and_angle_brackets_are_escaped() {
    assert_eq!(escape("a & b < c > d"), "a &amp; b &lt; c &gt; d");
    let out = render(&Reply::text("R&D <b>bold</b>"));
    assert_eq!(
        out[0].blocks[0]["text"]["text"],
        "R&amp;D &lt;b&gt;bold&lt;/b&gt;"
    );
}

#[test]
fn mass_mentions_and_user_mentions_in_user_text_never_notify() {
    let hostile = "<!channel> <!here> <!everyone> <@U0123ABCD> <!subteam^S0123|devs> \
                   @channel @here <https://evil.example|click>";
    for shown in [hostile.to_owned(), sanitize(hostile)] {
        let out = render(&Reply::public(vec![
            Block::Heading(shown.clone()),
            Block::Text(format!("You said: {shown}")),
            Block::Fields(vec![(shown.clone(), shown.clone())]),
            Block::Choices {
                choices: vec![choice(&shown, "a:p1:0")],
                multi: false,
                placeholder: shown.clone(),
            },
        ]));
        let text = all_text(&out);
        for special in ["<!", "<@", "<https"] {
            assert!(!text.contains(special), "{special} reached Slack in {text}");
        }
    }
}

#[test]
fn bidi_overrides_and_a_5kb_emoji_answer_stay_inert_and_whole() {
    let answer = format!("\u{202E}evil{}", "👩‍👩‍👧‍👦".repeat(200));
    assert!(answer.len() > 5_000);
    let out = render(&Reply::text(format!("You wrote: {}", sanitize(&answer))));
    let text = all_text(&out);
    assert!(!text.contains('\u{202E}'));
    for m in &out {
        for b in &m.blocks {
            let t = b["text"]["text"].as_str().unwrap();
            assert!(t.chars().count() <= limits::SECTION_TEXT);
            // No family emoji cut in half: every piece is made of whole graphemes.
            assert!(t
                .graphemes(true)
                .all(|g| !g.starts_with('\u{200D}') && !g.ends_with('\u{200D}')));
        }
    }
    let family_count: usize = out
        .iter()
        .flat_map(|m| &m.blocks)
        .map(|b| b["text"]["text"].as_str().unwrap().matches("👩‍👩‍👧‍👦").count())
        .sum();
    assert_eq!(
        family_count, 200,
        "nothing is lost when a long text is split"
    );
}

#[test]
fn a_section_never_exceeds_3000_characters_even_when_escaping_grows_it() {
    let out = render(&Reply::text("&".repeat(2_900)));
    let pieces: Vec<&str> = out[0]
        .blocks
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert!(pieces.len() >= 5);
    assert!(pieces.iter().all(|p| p.chars().count() <= 3_000));
    assert_eq!(pieces.concat().matches("&amp;").count(), 2_900);
}

#[test]
fn more_than_50_blocks_become_several_messages() {
    let blocks: Vec<Block> = (0..120).map(|i| Block::Text(format!("line {i}"))).collect();
    let out = render(&Reply::private(blocks));
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|m| m.blocks.len() <= 50 && m.private));
    assert_eq!(out.iter().map(|m| m.blocks.len()).sum::<usize>(), 120);
}

#[test]
fn few_choices_are_buttons_carrying_the_app_action() {
    let long_label = "x".repeat(200);
    let out = render(&Reply::private(vec![Block::Choices {
        choices: vec![choice("A", "a:p1:0"), choice(&long_label, "a:p1:1")],
        multi: false,
        placeholder: String::new(),
    }]));
    let elements = out[0].blocks[0]["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 2);
    assert_eq!(elements[0]["type"], "button");
    assert_eq!(elements[0]["value"], "a:p1:0");
    assert_eq!(elements[0]["action_id"], "b:a:p1:0");
    let label = elements[1]["text"]["text"].as_str().unwrap();
    assert_eq!(label.chars().count(), 75);
    assert!(label.ends_with('…'));
}

#[test]
fn many_choices_are_a_select_and_multiple_answers_are_checkboxes_with_submit() {
    let many: Vec<Choice> = (0..8)
        .map(|i| choice(&format!("o{i}"), &format!("a:p1:{i}")))
        .collect();
    let out = render(&Reply::private(vec![Block::Choices {
        choices: many.clone(),
        multi: false,
        placeholder: "Pick".into(),
    }]));
    let select = &out[0].blocks[0]["elements"][0];
    assert_eq!(select["type"], "static_select");
    assert_eq!(select["options"].as_array().unwrap().len(), 8);
    assert_eq!(select["options"][7]["value"], "a:p1:7");

    let out = render(&Reply::private(vec![Block::Choices {
        choices: many,
        multi: true,
        placeholder: String::new(),
    }]));
    let boxes = &out[0].blocks[0]["elements"][0];
    assert_eq!(boxes["type"], "checkboxes");
    assert_eq!(boxes["action_id"], "c:0");
    let submit = &out[0].blocks[1]["elements"][0];
    assert_eq!(submit["action_id"], "k:0");
}

#[test]
fn an_action_too_long_for_an_id_is_dropped_not_sent_broken() {
    let out = render(&Reply::private(vec![
        Block::Text("q".into()),
        Block::Choices {
            choices: vec![choice("A", &"a".repeat(300))],
            multi: false,
            placeholder: String::new(),
        },
    ]));
    assert_eq!(out[0].blocks.len(), 1);
}

#[test]
fn typed_answers_get_a_button_and_a_modal_remembering_the_action() {
    let out = render(&Reply::private(vec![Block::AskText {
        action: "t:p9".into(),
        label: "Type your answer".into(),
        placeholder: String::new(),
        long: false,
    }]));
    let button = &out[0].blocks[0]["elements"][0];
    assert_eq!(button["action_id"], "t:s:t:p9");
    let modal = typed_modal("t:p9", false, "D0AAAAAAAA").unwrap();
    assert_eq!(modal["callback_id"], ids::MODAL_CALLBACK);
    assert_eq!(
        ids::read_modal_metadata(modal["private_metadata"].as_str().unwrap()),
        Some(("t:p9".into(), "D0AAAAAAAA".into()))
    );
    assert!(modal["title"]["text"].as_str().unwrap().chars().count() <= 24);
}

#[test]
fn markdown_becomes_mrkdwn_with_safe_links_only() {
    assert_eq!(mrkdwn("**Stage** up"), "*Stage* up");
    assert_eq!(
        mrkdwn("see [the book](https://doc.rust-lang.org/book/?a=1&b=2)"),
        "see <https://doc.rust-lang.org/book/?a=1&amp;b=2|the book>"
    );
    assert_eq!(mrkdwn("[x](javascript:alert)"), "[x](javascript:alert)");
    assert_eq!(mrkdwn(r"a \* b \_"), "a * b _");
}

#[test]
fn only_a_real_user_id_becomes_a_mention_and_pictures_are_uploads() {
    let out = render(&Reply::public(vec![
        Block::Mention {
            user: "U0123ABCD".into(),
            name: "ana".into(),
        },
        Block::Mention {
            user: "!channel".into(),
            name: "x".into(),
        },
        Block::Image {
            png: vec![1, 2, 3],
            filename: "../team summary.png".into(),
            alt: "Team <summary>".into(),
        },
    ]));
    assert_eq!(out[0].blocks.len(), 1);
    assert_eq!(out[0].blocks[0]["text"]["text"], "<@U0123ABCD>");
    assert_eq!(out[0].uploads[0].filename, "teamsummary.png");
    assert_eq!(out[0].uploads[0].title, "Team &lt;summary&gt;");
}
