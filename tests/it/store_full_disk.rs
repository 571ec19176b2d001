//! A full disk under a SQLite store, through `App::handle`: every command either stores
//! its row or tells the user it was not saved, and once space is back the next writes
//! succeed on the same store (no connection left inside a failed transaction).
//!
//! The disk is "full" through the process's file size limit (`RLIMIT_FSIZE`), set just
//! above the database file's size after the write-ahead log was emptied: the log then
//! grows until a write crosses the limit and fails with an I/O error, as on a full disk.
//! The limit holds for the whole process, so the test runs in a child process of its own:
//! the outer test starts this test binary again with only the inner test selected.

use crate::common;
use crate::staff_world;

use chrono::NaiveTime;
use ladder::platform::{Actor, InboundKind};
use ladder::store::Learner;
use ladder_engine::{AnswerKey, Item};
use staff_world::{actor, monday, text, World};
use std::path::Path;

/// What the app says when a write did not reach the disk.
const NOT_SAVED: &str = "not saved";

/// Sets the soft limit on the size of any file this process writes (`None`: no limit).
fn limit_file_size(bytes: Option<u64>) {
    let mut now = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them; a
    // write past the limit then fails with EFBIG instead of raising SIGXFSZ.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut now), 0);
        now.rlim_cur = bytes.unwrap_or(now.rlim_max);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &now), 0);
    }
}

/// Empties the write-ahead log into the database file, so that new writes start it over.
async fn checkpoint(db: &Path) {
    use sqlx::Connection;
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for _ in 0..50 {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if busy == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    conn.close().await.unwrap();
}

fn single_choice(item: &Item) -> Option<usize> {
    match &item.key {
        AnswerKey::SingleChoice { correct, .. } => Some(*correct),
        _ => None,
    }
}

async fn learner(w: &World, user: &str) -> Option<Learner> {
    let tenant = w.tenant("acme").await;
    w.store
        .learner_by_platform_user(tenant.id, user)
        .await
        .unwrap()
}

/// The four writes a learner can make, each checked against what the user was told;
/// each returns whether the write was saved.
struct Round<'a> {
    w: &'a World,
    skill: &'a str,
    item: &'a Item,
}

impl Round<'_> {
    /// `/ask`: a promised question number is a stored question; a refusal stores nothing.
    async fn ask(&self, pat: &Actor, n: usize) -> bool {
        let question = format!("Is attachment {n} safe to open?");
        let said = self
            .w
            .cmd(pat, "ask", &format!("{} {question}", self.skill))
            .await;
        let id = self.w.id("acme", "pat").await;
        let stored = self.w.store.questions_of(id).await.unwrap();
        let kept = stored.iter().find(|q| q.text.contains(&question));
        if said.contains(NOT_SAVED) {
            assert!(kept.is_none(), "refused but stored: {said}");
            return false;
        }
        let kept = kept.unwrap_or_else(|| panic!("promised but not stored: {said}"));
        assert!(said.contains(&format!("#{} ", kept.id.0)), "{said}");
        true
    }

    /// An answer to a prompt asked before the disk filled: recorded, or refused and the
    /// prompt still open with no review.
    async fn answer(&self, who: &Actor) -> bool {
        let asked = self.w.app.ask_item(who, &self.item.id, false).await;
        // Asking writes too; with the disk full the learner is simply not asked.
        let Ok(Some(asked)) = asked else {
            return false;
        };
        let choice = single_choice(self.item).unwrap();
        let kind = InboundKind::Action {
            actions: vec![format!("a:{}:{choice}", asked.prompt.id)],
        };
        let said = text(&self.w.send(who, kind).await);
        let id = self.w.id("acme", &who.user).await;
        let reviews = self.w.store.reviews(id).await.unwrap();
        let memory = self.w.store.memory(id, &self.item.id).await.unwrap();
        if said.contains(NOT_SAVED) {
            assert!(reviews.is_empty(), "refused but recorded: {said}");
            assert!(memory.is_none(), "refused but remembered: {said}");
            return false;
        }
        assert!(said.contains("Right"), "{said}");
        assert_eq!(reviews.len(), 1, "{said}");
        assert!(memory.is_some(), "{said}");
        true
    }

    /// `/settings time`: the new time is stored, or refused and the old one kept.
    async fn settings(&self, pat: &Actor, n: usize) -> bool {
        let before = learner(self.w, "pat").await.unwrap().prefs.time_of_day;
        let time = NaiveTime::from_hms_opt(6, (n % 60) as u32, 0).unwrap();
        let said = self
            .w
            .cmd(pat, "settings", &format!("time {}", time.format("%H:%M")))
            .await;
        let after = learner(self.w, "pat").await.unwrap().prefs.time_of_day;
        if said.contains(NOT_SAVED) {
            assert_eq!(after, before, "refused but changed: {said}");
            return false;
        }
        assert!(said.contains("now arrive at"), "{said}");
        assert_eq!(after, time, "{said}");
        true
    }

    /// A privacy delete: the learner is gone, or refused and still fully there.
    async fn delete(&self, who: &Actor) -> bool {
        let asked = self.w.cmd(who, "privacy", "delete").await;
        if asked.contains(NOT_SAVED) {
            // Even the question "are you sure?" records the event first.
            assert!(learner(self.w, &who.user).await.is_some());
            return false;
        }
        let yes = InboundKind::Action {
            actions: vec!["d:yes".into()],
        };
        let said = text(&self.w.send(who, yes).await);
        let left = learner(self.w, &who.user).await;
        if said.contains(NOT_SAVED) {
            let left = left.expect("refused but deleted");
            let enrolled = self.w.store.enrolments(left.id).await.unwrap();
            assert!(!enrolled.is_empty(), "refused but half deleted: {said}");
            return false;
        }
        assert!(said.contains("deleted"), "{said}");
        assert!(left.is_none(), "told deleted but still there: {said}");
        true
    }
}

/// Runs [`full_disk_in_this_process`] alone in a child process (the file size limit would
/// otherwise apply to every test running beside it) and passes its verdict on.
#[test]
fn a_full_disk_refuses_writes_out_loud_and_the_store_recovers() {
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "store_full_disk::full_disk_in_this_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("the test binary runs again");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the full-disk run failed:\n{said}");
    assert!(
        said.contains("1 passed"),
        "the full-disk test did not run:\n{said}"
    );
}

/// The test itself; ignored in the normal run because it limits the size of every file the
/// whole process writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run in its own process by a_full_disk_refuses_writes_out_loud_and_the_store_recovers"]
async fn full_disk_in_this_process() {
    let (store, dir) = common::sqlite_store().await;
    let db = dir.path().join("ladder.db");
    let w = World::new(store, monday(9, 30));
    let rounds = 40;
    let mut people = vec![("acme", "pat".to_string())];
    for n in 0..=rounds {
        people.push(("acme", format!("a{n}")));
        people.push(("acme", format!("d{n}")));
    }
    let people: Vec<(&str, &str)> = people.iter().map(|(t, u)| (*t, u.as_str())).collect();
    w.enrol(&people).await;
    let item = w.library.items.iter().find(|i| single_choice(i).is_some());
    let item = item
        .expect("the sample content has a single-choice item")
        .clone();
    let skill = w.library.skills[0].id.as_str().to_owned();
    let round = Round {
        w: &w,
        skill: &skill,
        item: &item,
    };
    let pat = actor("acme", "pat", &[]);

    checkpoint(&db).await;
    let size = std::fs::metadata(&db).unwrap().len();
    limit_file_size(Some(size + 16 * 1024));
    let (mut saved, mut refused) = (0, 0);
    for n in 0..rounds {
        let a = actor("acme", &format!("a{n}"), &[]);
        let d = actor("acme", &format!("d{n}"), &[]);
        for ok in [
            round.ask(&pat, n).await,
            round.answer(&a).await,
            round.settings(&pat, n).await,
            round.delete(&d).await,
        ] {
            if ok {
                saved += 1;
            } else {
                refused += 1;
            }
        }
    }
    limit_file_size(None);
    assert!(saved > 0, "some writes fit before the disk filled up");
    assert!(
        refused > 0,
        "the disk never filled up: {saved} writes saved"
    );

    // Space is back: the very next writes succeed, on the same store and pool.
    let a = actor("acme", &format!("a{rounds}"), &[]);
    let d = actor("acme", &format!("d{rounds}"), &[]);
    assert!(round.ask(&pat, rounds).await, "/ask after space was freed");
    assert!(round.answer(&a).await, "an answer after space was freed");
    assert!(
        round.settings(&pat, rounds).await,
        "/settings after space was freed"
    );
    assert!(round.delete(&d).await, "a delete after space was freed");
    for n in 0..20 {
        assert!(round.ask(&pat, rounds + 1 + n).await, "write {n} after");
    }
    eprintln!("full disk: {saved} writes saved, {refused} refused, all told");
}
