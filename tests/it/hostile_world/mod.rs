//! The hostile-input test's world: a seeded generator of hostile chat lines, a cast of a
//! learner, a manager, an expert, an admin and a stranger (with hostile display names) on a
//! real store, and the checks every reply must pass (no mention that pings, no bidi or
//! invisible control echoed, within Discord's limits, no terminal control characters).

use chrono::{TimeZone, Utc};
use ladder::app::manage::{playground, RolePolicy, Staffing};
use ladder::app::records::{Records, StoreRecords};
use ladder::app::App;
use ladder::clock::VirtualClock;
use ladder::platform::discord::render as discord;
use ladder::platform::local::render as local;
use ladder::platform::{Actor, Block, InboundKind, Platform, Reply};
use ladder::store::{RoleKind, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The people who type the hostile lines.
pub struct Cast {
    pub app: Arc<App>,
    pub clock: Arc<VirtualClock>,
    people: Vec<Actor>,
}

/// Display names chosen to break every echo: mass mentions, bidi overrides, invisible
/// characters, markdown and a name far too long for any embed.
fn names() -> [String; 5] {
    [
        "@everyone \u{202E}nimda\u{202C} <@&123>".to_owned(),
        "Mana\u{200B}ger <@!42> **bold** \u{2066}x\u{2069}".to_owned(),
        format!("@here{}", "👩\u{200D}💻".repeat(300)),
        "Adm\u{FEFF}in\n# heading <#777> @\u{2060}everyone".to_owned(),
        "\u{0}Stranger\u{1b}[31m".to_owned(),
    ]
}

impl Cast {
    pub const PEOPLE: usize = 5;

    pub async fn new(store: Arc<dyn Store>) -> Cast {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let library = Arc::new(ladder_content::load_dir(&dir).expect("the sample content loads"));
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
        let clock = Arc::new(VirtualClock::new(start));
        let records: Arc<dyn Records> = Arc::new(StoreRecords::new(store.clone()));
        let app = Arc::new(App::new(records, library.clone(), clock.clone()));
        app.set_staffing(Staffing::on_store(store.clone(), RolePolicy::local()));
        let roles = [None, Some("manager"), Some("expert"), Some("admin"), None];
        let people: Vec<Actor> = names()
            .iter()
            .zip(roles)
            .enumerate()
            .map(|(i, (name, role))| Actor {
                platform: Platform::Local,
                tenant: "hostile".into(),
                user: format!("u{i}"),
                display_name: name.clone(),
                platform_roles: role.map(|r| vec![r.to_owned()]).unwrap_or_default(),
            })
            .collect();
        let tracks: Vec<_> = library.tracks.iter().map(|t| t.id.clone()).collect();
        for p in &people[..4] {
            app.enrol(p, &tracks).await.expect("enrols");
        }
        let kinds = [RoleKind::Manager, RoleKind::Expert, RoleKind::Admin];
        for (p, kind) in people[1..4].iter().zip(kinds) {
            playground::seed(&store, p, kind)
                .await
                .expect("role recorded");
        }
        playground::seed_questions(&store, &people[2], &library, start)
            .await
            .expect("questions seeded");
        Cast { app, clock, people }
    }

    pub fn actor(&self, who: usize) -> &Actor {
        &self.people[who % self.people.len()]
    }

    /// After the storm, an ordinary newcomer is still served normally.
    pub async fn assert_still_serving(&self) {
        let newcomer = Actor {
            user: "newcomer".into(),
            display_name: "Nia".into(),
            ..self.people[0].clone()
        };
        let tracks: Vec<_> = self
            .app
            .library()
            .tracks
            .iter()
            .map(|t| t.id.clone())
            .collect();
        self.app
            .enrol(&newcomer, &tracks)
            .await
            .expect("a newcomer joins");
        for (name, args) in [("progress", ""), ("leaderboard", ""), ("practice", "")] {
            let replies = self
                .app
                .handle(ladder::platform::Inbound {
                    actor: newcomer.clone(),
                    event_id: format!("after-{name}"),
                    kind: InboundKind::Command {
                        name: name.into(),
                        args: args.into(),
                    },
                })
                .await;
            let text = format!("{replies:?}");
            assert!(
                !replies.is_empty() && !text.contains("went wrong"),
                "/{name}: {text}"
            );
        }
    }
}

/// One generated line: who types it and what it is.
#[derive(Debug, Clone)]
pub struct Hostile {
    pub who: usize,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    Command {
        name: String,
        args: String,
    },
    /// A click: a harvested action (by index) when there is one, else the forged strings.
    Click {
        pick: usize,
        forged: Vec<String>,
    },
    /// Typed text for a harvested text box (by index), a forged one, or none.
    Text {
        pick: Option<usize>,
        forged: Option<String>,
        text: String,
    },
}

impl Hostile {
    /// The inbound event, using actions seen in earlier replies where the line says so.
    pub fn kind(&self, harvested: &[String]) -> InboundKind {
        let seen =
            |i: usize| (!harvested.is_empty()).then(|| harvested[i % harvested.len()].clone());
        match &self.shape {
            Shape::Command { name, args } => InboundKind::Command {
                name: name.clone(),
                args: args.clone(),
            },
            Shape::Click { pick, forged } => InboundKind::Action {
                actions: if forged.is_empty() {
                    seen(*pick).into_iter().collect()
                } else {
                    forged.clone()
                },
            },
            Shape::Text { pick, forged, text } => InboundKind::Text {
                action: forged.clone().or_else(|| pick.and_then(seen)),
                text: text.clone(),
            },
        }
    }
}

/// The line as a person would type it in the playground.
pub fn typed_line(line: &Hostile) -> String {
    let raw = match &line.shape {
        Shape::Command { name, args } if name == "skip" => format!("/skip {args}"),
        Shape::Command { name, args } => format!("/{name} {args}"),
        Shape::Click { pick, .. } => format!("{}", pick % 7),
        Shape::Text { text, .. } => text.clone(),
    };
    // One generated line stays one typed line.
    raw.replace(['\n', '\r'], " ")
}

const COMMANDS: [&str; 24] = [
    "start",
    "help",
    "join",
    "practice",
    "progress",
    "why",
    "resources",
    "search",
    "settings",
    "pause",
    "resume",
    "privacy",
    "admin",
    "team",
    "digest",
    "leaderboard",
    "review",
    "ask",
    "answer",
    "propose",
    "proposals",
    "accept",
    "reject",
    "vote",
];

/// Words each command understands, mixed into its random arguments.
const WORDS: [&str; 48] = [
    "time",
    "timezone",
    "days",
    "cap",
    "leaderboard",
    "on",
    "off",
    "export",
    "delete",
    "list",
    "team",
    "add",
    "channel",
    "cron",
    "member",
    "remove",
    "grant",
    "revoke",
    "manager",
    "expert",
    "admin",
    "at-risk",
    "right",
    "wrong",
    "up",
    "down",
    "1",
    "2",
    "12",
    "09:00",
    "Europe/Paris",
    "mon,tue,wed",
    "weekdays",
    "Demo team",
    "0 9 * * 1-5",
    "*/1 * * * * *",
    "phishing",
    "passwords",
    "security-basics",
    "u0",
    "u1",
    "<@u2>",
    "yes",
    "no",
    "notices",
    "digest",
    "reminders",
    "skill",
];

fn fragments() -> Vec<String> {
    let mut f: Vec<String> = [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@!42>",
        "<@&987654321>",
        "<#555>",
        "@\u{200B}everyone",
        "@\u{2060}here",
        "<\u{200B}@1>",
        "<@\u{200D}1>",
        "@\u{FEFF}here",
        "＠everyone",
        "﹫here",
        "\u{202E}evil\u{202C}",
        "\u{2066}x\u{2069}",
        "\u{200F}",
        "\u{FEFF}",
        "\u{00AD}",
        "\u{061C}",
        "\u{2028}",
        "👨\u{200D}👩\u{200D}👧\u{200D}👦",
        "\0",
        "a\0b",
        "\u{7}",
        "\u{1b}[31m",
        "99999999999999999999",
        "-9223372036854775808",
        "9223372036854775807",
        "18446744073709551616",
        "1e309",
        "NaN",
        "-1",
        "0",
        "٣",
        "١٢:٣٠",
        "𝟗",
        "⑨",
        "½",
        "／",
        "∕",
        "⁄",
        "\u{FF0F}practice",
        "\u{2215}help",
        "**",
        "`",
        "```",
        "||spoiler||",
        "> quote",
        "# h",
        "[link](https://example.com)",
        "\\",
        "99:99",
        "25:61",
        "24:00",
        "Mars/Olympus",
        "../../etc/passwd",
        "UTC",
        "\n",
        "\r\n",
        "\t",
        "ǅ",
        "' OR 1=1 --",
        "%s%n",
        "{}",
        "\"",
        "a:p1:99",
        "r:../x",
        "j:",
        "p:",
        "42 @everyone",
        "7 <@&1>",
        "3 \u{202E}kg",
        "500 <#12>",
        "1,5 ||x||",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    f.push("👩\u{200D}💻".repeat(460)); // about 5 kB of one ZWJ sequence after another
    f.push(format!("e{}", "\u{301}".repeat(500)));
    f.push("x".repeat(3000));
    f.push("🏳️\u{200D}🌈".repeat(400));
    f
}

/// `n` hostile lines from `seed`.
pub fn generate(seed: u64, n: usize) -> Vec<Hostile> {
    let mut rng = StdRng::seed_from_u64(seed);
    let frags = fragments();
    let word = |rng: &mut StdRng| -> String {
        match rng.gen_range(0..3) {
            0 => WORDS[rng.gen_range(0..WORDS.len())].to_owned(),
            _ => frags[rng.gen_range(0..frags.len())].clone(),
        }
    };
    let args = |rng: &mut StdRng| -> String {
        let k = rng.gen_range(0..5);
        let parts: Vec<String> = (0..k).map(|_| word(rng)).collect();
        let sep = [" ", "", "  ", "\u{3000}"][rng.gen_range(0..4)];
        parts.join(sep)
    };
    (0..n)
        .map(|_| {
            let who = rng.gen_range(0..Cast::PEOPLE);
            let shape = match rng.gen_range(0..10) {
                0..=4 => {
                    let name = match rng.gen_range(0..8) {
                        0 => frags[rng.gen_range(0..frags.len())].clone(),
                        1 => ["skip", "ＳＫＩＰ", "／help", "∕practice", "", "PRACTICE"]
                            [rng.gen_range(0..6)]
                        .to_owned(),
                        _ => COMMANDS[rng.gen_range(0..COMMANDS.len())].to_owned(),
                    };
                    let args = if name == "skip" {
                        huge_span(&mut rng)
                    } else {
                        args(&mut rng)
                    };
                    Shape::Command { name, args }
                }
                5..=6 => Shape::Click {
                    pick: rng.gen_range(0..10_000),
                    forged: if rng.gen_bool(0.3) {
                        (0..rng.gen_range(0..3)).map(|_| args(&mut rng)).collect()
                    } else {
                        vec![]
                    },
                },
                _ => Shape::Text {
                    pick: rng.gen_bool(0.7).then(|| rng.gen_range(0..10_000)),
                    forged: rng.gen_bool(0.1).then(|| args(&mut rng)),
                    text: args(&mut rng),
                },
            };
            Hostile { who, shape }
        })
        .collect()
}

fn huge_span(rng: &mut StdRng) -> String {
    let n = [
        "9223372036854775807",
        "99999999999",
        "1000000",
        "-1",
        "0",
        "٣",
        "1e9",
        "",
        "18446744073709551616",
        "4",
    ][rng.gen_range(0..10)];
    let unit = ["m", "h", "d", "w", "", "y", "٫"][rng.gen_range(0..7)];
    format!("{n}{unit}")
}

/// Remembers the actions a reply offers, so later lines can click and type into them.
pub fn harvest(reply: &Reply, harvested: &mut Vec<String>) {
    for block in &reply.blocks {
        match block {
            Block::Choices { choices, .. } => {
                harvested.extend(choices.iter().map(|c| c.action.clone()))
            }
            Block::AskText { action, .. } => harvested.push(action.clone()),
            _ => {}
        }
    }
    if harvested.len() > 200 {
        harvested.drain(..harvested.len() - 200);
    }
}

/// Everything found wrong, each with the line that caused it.
#[derive(Debug, Default)]
pub struct Findings {
    pub panics: Vec<String>,
    pub mentions: Vec<String>,
    pub bidi: Vec<String>,
    pub limits: Vec<String>,
    pub replies: usize,
}

/// Checks one reply as Discord would receive it and as the terminal would print it.
pub fn check_reply(reply: &Reply, context: &str, findings: &mut Findings) {
    for rendered in discord::render(reply) {
        let json = serde_json::to_value(rendered.into_message(None)).expect("serialises");
        let mut strings = Vec::new();
        displayed_strings(&json, None, &mut strings);
        for s in strings {
            if let Some(m) = unescaped_mention(&s) {
                findings
                    .mentions
                    .push(format!("{context}: {m:?} in {}", clip(&s)));
            }
            if let Some(c) = s.chars().find(|c| is_spoofing_control(*c)) {
                findings
                    .bidi
                    .push(format!("{context}: U+{:04X} in {}", c as u32, clip(&s)));
            }
        }
        if let Err(e) = within_discord_limits(&json) {
            findings.limits.push(format!("{context}: {e}"));
        }
    }
    let terminal = local::render(reply, local::Style::PLAIN, &[]);
    if let Err(e) = check_terminal(&terminal) {
        findings.bidi.push(format!("{context}: terminal: {e}"));
    }
}

fn clip(s: &str) -> String {
    s.chars().take(120).collect()
}

/// The text strings a person sees in a message (not ids or URLs).
fn displayed_strings(v: &Value, key: Option<&str>, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !matches!(key, Some("custom_id" | "url" | "nonce")) => {
            out.push(s.clone())
        }
        Value::Array(a) => a.iter().for_each(|x| displayed_strings(x, key, out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| displayed_strings(x, Some(k.as_str()), out)),
        _ => {}
    }
}

/// Characters that reorder or hide text around them: bidi overrides, embeddings,
/// isolates and marks, and invisible format characters.
pub fn is_spoofing_control(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'
        | '\u{061C}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// A mention Discord would resolve: `@everyone`, `@here`, `<@id>`, `<@!id>`, `<@&id>`,
/// `<#id>`, also with invisible characters in between. A `@` or `<` followed at once by a
/// zero-width space is the escape and does not ping.
pub fn unescaped_mention(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let invisible = |c: char| is_spoofing_control(c) || matches!(c, '\u{200B}'..='\u{200D}');
    for (i, &c) in chars.iter().enumerate() {
        if (c != '@' && c != '<') || chars.get(i + 1) == Some(&'\u{200B}') {
            continue;
        }
        let rest: String = chars[i + 1..]
            .iter()
            .copied()
            .filter(|c| !invisible(*c))
            .take(40)
            .collect();
        let hit = if c == '@' {
            rest.starts_with("everyone") || rest.starts_with("here")
        } else {
            let body = rest
                .strip_prefix("@!")
                .or_else(|| rest.strip_prefix("@&"))
                .or_else(|| rest.strip_prefix('@'))
                .or_else(|| rest.strip_prefix('#'));
            body.is_some_and(|b| {
                let digits = b.chars().take_while(char::is_ascii_digit).count();
                digits > 0 && b[digits..].starts_with('>')
            })
        };
        if hit {
            return Some(chars[i..].iter().take(24).collect());
        }
    }
    None
}

fn len(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], |a| a.as_slice())
}

/// Discord's message limits, checked on the JSON it would receive.
pub fn within_discord_limits(msg: &Value) -> Result<(), String> {
    use discord::limits as l;
    let over = |what: &str, n: usize, max: usize| {
        if n > max {
            Err(format!("{what}: {n} > {max}"))
        } else {
            Ok(())
        }
    };
    over("content", len(&msg["content"]), l::CONTENT)?;
    let embeds = items(&msg["embeds"]);
    over("embeds", embeds.len(), l::EMBEDS_PER_MESSAGE)?;
    let mut total = 0;
    for e in embeds {
        over("title", len(&e["title"]), l::EMBED_TITLE)?;
        over("description", len(&e["description"]), l::EMBED_DESCRIPTION)?;
        let fields = items(&e["fields"]);
        over("fields", fields.len(), l::EMBED_FIELDS)?;
        total += len(&e["title"]) + len(&e["description"]);
        for f in fields {
            over("field name", len(&f["name"]), l::FIELD_NAME)?;
            over("field value", len(&f["value"]), l::FIELD_VALUE)?;
            total += len(&f["name"]) + len(&f["value"]);
        }
    }
    over("embed total", total, l::EMBED_TOTAL)?;
    let rows = items(&msg["components"]);
    over("rows", rows.len(), l::ACTION_ROWS)?;
    for row in rows {
        let comps = items(&row["components"]);
        over("components in a row", comps.len(), l::BUTTONS_PER_ROW)?;
        for c in comps {
            over("label", len(&c["label"]), l::BUTTON_LABEL)?;
            over("custom_id", len(&c["custom_id"]), 100)?;
            over("placeholder", len(&c["placeholder"]), l::PLACEHOLDER)?;
            let options = items(&c["options"]);
            over("options", options.len(), l::SELECT_OPTIONS)?;
            for o in options {
                over("option label", len(&o["label"]), l::OPTION_LABEL)?;
                over("option value", len(&o["value"]), 100)?;
                over("option description", len(&o["description"]), 100)?;
            }
        }
    }
    Ok(())
}

/// What the terminal renderer promises: no control characters but newlines (so no escape
/// sequences from user text), and no bidi or invisible format characters.
pub fn check_terminal(out: &str) -> Result<(), String> {
    for (i, line) in out.lines().enumerate() {
        if let Some(c) = line
            .chars()
            .find(|c| (c.is_control() && *c != '\t') || is_spoofing_control(*c))
        {
            return Err(format!("line {i}: U+{:04X} in {}", c as u32, clip(line)));
        }
    }
    Ok(())
}

/// Runs `ladder demo` on `db` with `input` on stdin, to the end.
pub fn run_demo(db: &Path, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let content: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ladder"))
        .args(["demo", "--as", "@everyone \u{202E}Sam", "--db"])
        .arg(db)
        .arg("--content")
        .arg(content)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ladder binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("the demo runs");
    writer.join().expect("the input was written");
    out
}
