//! A week in the playground, end to end: the real `ladder demo` binary is driven through
//! a pipe like a person would use it. Every question is identified by reading the sample
//! content, so answers are right (or deliberately wrong) on purpose, and the assertions
//! are about what the person sees: feedback, a resource after a mistake, a stage change,
//! progress, `why`, settings and a data export.

use ladder_engine::{AnswerKey, Item, Library};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long to wait for the demo to answer one line before declaring it stuck.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

struct Demo {
    child: Child,
    stdin: ChildStdin,
    chunks: Receiver<String>,
    transcript: String,
    library: Library,
    answered_types: BTreeSet<&'static str>,
    seen: BTreeSet<String>,
}

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

impl Demo {
    fn start(db: &Path) -> (Demo, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ladder"))
            .args(["demo", "--as", "Robin", "--db"])
            .arg(db)
            .arg("--content")
            .arg(content_dir())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the ladder binary starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, chunks) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0
                    || tx
                        .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                        .is_err()
                {
                    break;
                }
            }
        });
        let library = ladder_content::load_dir(&content_dir()).expect("sample content loads");
        let mut demo = Demo {
            child,
            stdin,
            chunks,
            transcript: String::new(),
            library,
            answered_types: BTreeSet::new(),
            seen: BTreeSet::new(),
        };
        let opening = demo.read_reply();
        (demo, opening)
    }

    /// Output up to the next input prompt ("> " at the start of a line, nothing after).
    fn read_reply(&mut self) -> String {
        let mut out = String::new();
        while !(out.ends_with("\n> ") || out == "> ") {
            let chunk = self.chunks.recv_timeout(REPLY_TIMEOUT).unwrap_or_else(|_| {
                panic!("no reply; transcript so far:\n{}{out}", self.transcript)
            });
            out.push_str(&chunk);
        }
        self.transcript.push_str(&out);
        out.truncate(out.len() - 2);
        out
    }

    fn send(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        self.read_reply()
    }

    /// Sends `/quit` and reads until the demo closes its output.
    fn quit(&mut self) -> String {
        writeln!(self.stdin, "/quit").unwrap();
        self.stdin.flush().unwrap();
        let mut out = String::new();
        while let Ok(chunk) = self.chunks.recv_timeout(REPLY_TIMEOUT) {
            out.push_str(&chunk);
        }
        self.transcript.push_str(&out);
        out
    }

    /// The item (or variant) whose question is the last one shown in `out`.
    fn question_in(&self, out: &str) -> Option<(usize, Item, AnswerKey)> {
        last_question(&self.library, out)
    }

    /// Answers the question shown in `out`, right or deliberately wrong, after a minute's
    /// thought; `None` when no question is open.
    ///
    /// The minute matters: answers slower than fluent come back within a day or two,
    /// which is what lets a week show spaced recall (instant answers wait for weeks).
    fn answer(&mut self, out: &str, right: bool) -> Option<String> {
        let (at, item, key) = self.question_in(out)?;
        let question = &out[at..];
        let line = answer_line(question, &key, right);
        let thinking = self.send("/skip 1m");
        assert!(thinking.contains("nothing new arrived"), "{thinking}");
        self.answered_types.insert(key.type_name());
        self.seen.insert(item.id.to_string());
        Some(self.send(&line))
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // LADDER_DEMO_TRANSCRIPT=path keeps the conversation for reading.
        if let Some(path) = std::env::var_os("LADDER_DEMO_TRANSCRIPT") {
            let _ = std::fs::write(path, &self.transcript);
        }
        if std::thread::panicking() {
            // The whole conversation is the most useful thing to read when this fails.
            eprintln!("---- transcript ----\n{}", self.transcript);
        }
        let _ = self.child.kill();
    }
}

/// The item (or variant) of `library` whose question is the last one shown in `out`, and
/// where it starts.
fn last_question(library: &Library, out: &str) -> Option<(usize, Item, AnswerKey)> {
    let mut best: Option<(usize, Item, AnswerKey)> = None;
    for item in &library.items {
        let mut shown = vec![(item.prompt.as_str(), &item.key)];
        shown.extend(item.variants.iter().map(|v| (v.prompt.as_str(), &v.key)));
        for (wording, key) in shown {
            if let Some(at) = out.rfind(&plain(wording)) {
                if best.as_ref().is_none_or(|(b, ..)| at > *b) {
                    best = Some((at, item.clone(), key.clone()));
                }
            }
        }
    }
    best
}

/// Question text as the terminal shows it: bold markers dropped.
fn plain(markdown: &str) -> String {
    markdown.trim().replace("**", "").replace('\\', "")
}

/// The 1-based number shown before `label` in a numbered list ("  2) label" or "2. label").
fn number_of(question: &str, label: &str) -> usize {
    let label = plain(label);
    question
        .lines()
        .find_map(|l| {
            let l = l.trim_start();
            let (n, rest) = l.split_once(") ").or_else(|| l.split_once(". "))?;
            (rest.trim() == label).then(|| n.parse().ok()).flatten()
        })
        .unwrap_or_else(|| panic!("option {label:?} not shown in:\n{question}"))
}

fn answer_line(question: &str, key: &AnswerKey, right: bool) -> String {
    match key {
        AnswerKey::SingleChoice { options, correct } => {
            let pick = if right {
                *correct
            } else {
                (correct + 1) % options.len()
            };
            number_of(question, &options[pick]).to_string()
        }
        AnswerKey::MultiSelect { options, correct } => {
            let picks: Vec<usize> = if right {
                correct.clone()
            } else {
                (0..options.len())
                    .filter(|i| !correct.contains(i))
                    .take(1)
                    .collect()
            };
            let numbers: Vec<String> = picks
                .iter()
                .map(|&i| number_of(question, &options[i]).to_string())
                .collect();
            numbers.join(" ")
        }
        AnswerKey::TrueFalse { answer } => if *answer == right { "1" } else { "2" }.into(),
        AnswerKey::ShortText { accepted, .. } => {
            if right {
                accepted[0].clone()
            } else {
                "no idea".into()
            }
        }
        AnswerKey::Numeric { value, .. } => {
            let v = if right { *value } else { value * 3.0 + 7.0 };
            v.to_string()
        }
        AnswerKey::Ordering { sequence } => {
            let mut order: Vec<String> = sequence
                .iter()
                .map(|step| number_of(question, step).to_string())
                .collect();
            if !right {
                order.reverse();
            }
            order.join(" ")
        }
        AnswerKey::FreeText { .. } => "Lock the screen, then report it to security.".into(),
    }
}

#[test]
fn a_week_in_the_playground() {
    let dir = tempfile::tempdir().unwrap();
    let (mut demo, opening) = Demo::start(&dir.path().join("demo.db"));
    assert!(opening.contains("Welcome to Ladder, Robin"), "{opening}");
    assert!(opening.contains("novice → competent → experienced → master"));
    assert!(
        opening.contains("/practice"),
        "the opening lists the commands"
    );
    assert!(
        demo.question_in(&opening).is_some(),
        "the opening ends with a question"
    );

    // Monday: the first answer is deliberately wrong, to see what Ladder does about it.
    let feedback = demo.answer(&opening, false).unwrap();
    assert!(
        feedback.contains("Not quite") || feedback.contains("Partly right"),
        "{feedback}"
    );
    assert!(
        feedback.contains("Why:"),
        "the explanation follows every answer"
    );
    assert!(
        feedback.contains("Read next:"),
        "a mistake brings a resource: {feedback}"
    );

    let mut stage_up = None;
    let mut out = feedback;
    for day in 0..7 {
        if day > 0 {
            out = demo.send("/skip 1d");
            if out.contains("Show question") {
                out = demo.send("1");
            }
        }
        // The daily questions: each answer brings the next until the day's cap.
        while let Some(next) = demo.answer(&out, true) {
            if next.contains("Stage up") {
                stage_up.get_or_insert(next.clone());
            }
            out = next;
        }
        // Then practise on demand until nothing is due and the new-item cap is met.
        for _ in 0..12 {
            let question = demo.send("/practice");
            if demo.question_in(&question).is_none() {
                assert!(question.contains("Nothing is due"), "{question}");
                break;
            }
            let out = demo.answer(&question, true).unwrap();
            assert!(out.contains("Right!"), "{question}\n{out}");
            if out.contains("Stage up") {
                stage_up.get_or_insert(out);
            }
        }
    }

    let stage_up = stage_up.expect("a week of right, spaced answers earns a stage");
    assert!(
        stage_up.contains("Stage up: you are now competent in"),
        "{stage_up}"
    );
    for t in [
        "single_choice",
        "multi_select",
        "true_false",
        "short_text",
        "numeric",
        "ordering",
    ] {
        assert!(
            demo.answered_types.contains(t),
            "no {t} item was answered: {:?}",
            demo.answered_types
        );
    }

    let progress = demo.send("/progress");
    assert!(progress.contains("[##..] competent"), "{progress}");
    assert!(progress.contains("Streak: 7 day(s)"), "{progress}");

    let skill = stage_up
        .split("you are now competent in ")
        .nth(1)
        .and_then(|s| s.split('!').next())
        .unwrap()
        .to_owned();
    let why = demo.send(&format!("/why {skill}"));
    assert!(
        why.contains(&format!("Why you are competent in {skill}")),
        "{why}"
    );
    assert!(
        why.contains("recall answers right"),
        "the evidence is spelled out: {why}"
    );

    let tz = demo.send("/settings timezone Europe/Paris");
    assert!(tz.contains("Your timezone is now Europe/Paris"), "{tz}");
    let bad = demo.send("/settings timezone Mars/Olympus");
    assert!(bad.contains("not a timezone"), "{bad}");
    assert!(demo.send("/settings").contains("Europe/Paris"));

    let export = demo.send("/privacy export");
    let path = export
        .lines()
        .find_map(|l| l.split("saved to ").nth(1))
        .unwrap_or_else(|| panic!("no file in:\n{export}"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.trim()).unwrap()).unwrap();
    let reviews = json["reviews"].as_array().unwrap();
    assert!(
        reviews.len() >= demo.seen.len(),
        "every answer is in the export"
    );
    assert_eq!(json["learner"]["display_name"], "Robin");

    let unknown = demo.send("/dance");
    assert!(unknown.contains("I don't know the command"), "{unknown}");
    let bye = demo.quit();
    assert!(bye.contains("Bye"), "{bye}");
    assert!(demo.child.wait().unwrap().success());
}

/// The binary copied out of the build tree into `dir/bin`, as `cargo install` leaves it:
/// nothing next to it, no checkout around it.
fn installed_copy(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let ladder = bin.join("ladder");
    std::fs::copy(env!("CARGO_BIN_EXE_ladder"), &ladder).expect("the binary copies");
    ladder
}

/// Runs `ladder ARGS` in `cwd` with `input` piped in, like `printf … | ladder demo`.
fn run_piped(ladder: &Path, cwd: &Path, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(ladder)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CARGO_MANIFEST_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ladder binary starts");
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    let output = child.wait_with_output().unwrap();
    // A run that stops at once (a refused argument) may exit before reading its input, as
    // `printf … | ladder` would see: only then is a closed pipe expected.
    if let Err(e) = written {
        assert!(
            e.kind() == std::io::ErrorKind::BrokenPipe && !output.status.success(),
            "writing the input failed: {e}"
        );
    }
    output
}

/// Opens a SQLite file with a plain connection and lists its learners' names.
fn learner_names(db: &Path) -> Vec<String> {
    use sqlx::{ConnectOptions, Connection};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .connect()
            .await
            .expect("the file opens as a SQLite database");
        let names = sqlx::query_scalar("SELECT display_name FROM learners ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .expect("it holds the learners table");
        conn.close().await.unwrap();
        names
    })
}

#[test]
fn the_installed_binary_plays_the_demo_from_any_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let ladder = installed_copy(tmp.path());
    let elsewhere = tmp.path().join("somewhere-else");
    std::fs::create_dir_all(&elsewhere).unwrap();

    let out = run_piped(
        &ladder,
        &elsewhere,
        &["demo", "--db", "mine.db"],
        "/progress\n/quit\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("using the built-in sample content"),
        "the person is told where the tracks come from: {stderr}"
    );
    assert!(stdout.contains("Welcome to Ladder, Sam"), "{stdout}");
    let library = ladder_content::load_dir(&content_dir()).expect("sample content loads");
    assert!(
        last_question(&library, &stdout).is_some(),
        "a question of the sample tracks is shown:\n{stdout}"
    );
    assert!(stdout.contains("Bye"), "{stdout}");

    // The session is checkpointed: the database file alone, copied without its WAL,
    // holds the learner and the simulated cohort.
    let wal = elsewhere.join("mine.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL was folded into the database on exit"
    );
    let alone = tmp.path().join("alone.db");
    std::fs::copy(elsewhere.join("mine.db"), &alone).unwrap();
    let names = learner_names(&alone);
    assert!(names.iter().any(|n| n == "Sam"), "{names:?}");
    assert!(names.len() > 1, "the demo cohort is in the file: {names:?}");
}

#[test]
fn a_named_content_directory_must_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_piped(
        Path::new(env!("CARGO_BIN_EXE_ladder")),
        tmp.path(),
        &["demo", "--content", "/nonexistent/tracks"],
        "/quit\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content directory /nonexistent/tracks does not exist"),
        "{stderr}"
    );
    assert!(!stderr.contains("built-in"), "no silent fallback: {stderr}");
    assert!(out.stdout.is_empty(), "no demo starts");
}

#[test]
fn a_backup_of_the_running_demo_holds_its_learners() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let (mut demo, _) = Demo::start(&live);
    let url = format!("sqlite://{}", live.display());
    let ladder = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ladder"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };

    // Someone else is writing too: an open write transaction that renames Robin.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut writer = runtime.block_on(async {
        use sqlx::{ConnectOptions, Executor};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&live)
            .connect()
            .await
            .unwrap();
        conn.execute("BEGIN IMMEDIATE").await.unwrap();
        conn.execute(
            "UPDATE learners SET display_name = 'Not committed' WHERE display_name = 'Robin'",
        )
        .await
        .unwrap();
        conn
    });

    let copy = dir.path().join("copy.db");
    let out = ladder(&["db", "backup", copy.to_str().unwrap(), "--db", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    runtime.block_on(async {
        use sqlx::Executor;
        writer.execute("ROLLBACK").await.unwrap();
    });

    let names = learner_names(&copy);
    assert!(names.iter().any(|n| n == "Robin"), "{names:?}");
    assert!(
        !names.iter().any(|n| n == "Not committed"),
        "a consistent copy: only committed rows"
    );
    assert!(names.len() > 1, "the cohort is copied too: {names:?}");
    let progress = demo.send("/progress");
    assert!(
        progress.contains("Your progress"),
        "the running demo goes on: {progress}"
    );

    // A backup never overwrites a file.
    let before = std::fs::read(&copy).unwrap();
    let out = ladder(&["db", "backup", copy.to_str().unwrap(), "--db", &url]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);

    // Postgres has its own tools.
    let out = ladder(&[
        "db",
        "backup",
        "pg.dump",
        "--db",
        "postgres://ladder@127.0.0.1:1/ladder",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.path().join("pg.dump").exists());
    demo.quit();
}
