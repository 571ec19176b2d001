//! One story of the store, written once over `Arc<dyn Store>` and run against SQLite and
//! Postgres: a learner joins, enrols, gets prompts, answers (memory and stage change),
//! is escalated, contributes, exports and deletes their data, and two tenants never see
//! each other. Plus the answer transaction under 50 concurrent identical calls.

use crate::common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use ladder::platform::Platform;
use ladder::store::*;
use ladder_engine::grade::Verdict;
use ladder_engine::schedule::{Memory, Rating};
use ladder_engine::{ItemId, SkillId, Stage, TrackId};
use serde_json::json;
use std::sync::Arc;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}
fn item(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}
fn skill() -> SkillId {
    SkillId::parse("phishing").unwrap()
}

async fn join(store: &dyn Store, tenant: TenantId, user: &str) -> Learner {
    store
        .add_learner(NewLearner {
            tenant,
            platform_user: user.into(),
            display_name: format!("Person {user}"),
            prefs: Preferences::default(),
            joined_at: t0(),
        })
        .await
        .expect("the learner joins")
}

fn daily(learner: LearnerId, tenant: TenantId, item_id: &str, day: u32) -> NewPrompt {
    let date = NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
    NewPrompt {
        learner,
        item: item(item_id),
        variant: None,
        seed: u64::MAX - u64::from(day),
        kind: PromptKind::Daily,
        slot: Some(SlotKey {
            tenant,
            schedule: "default".into(),
            learner,
            date,
            index: 0,
        }),
        created_at: t0() + Duration::days(i64::from(day) - 2),
        revealed_at: None,
        expires_at: Some(t0() + Duration::days(i64::from(day) + 5)),
        supersede_open: true,
    }
}

fn answer(prompt: &Prompt, verdict: Verdict, at: DateTime<Utc>) -> AnswerRecord {
    let memory = Memory {
        stability: 3.2,
        difficulty: 5.1,
        last_review: at,
        due: at + Duration::days(3),
        reps: 1,
        lapses: 0,
        suspended: false,
    };
    AnswerRecord {
        prompt: prompt.id,
        learner: prompt.learner,
        item: prompt.item.clone(),
        skill: skill(),
        item_stage: Stage::Novice,
        verdict,
        score: if verdict == Verdict::Correct {
            1.0
        } else {
            0.0
        },
        rating: (verdict != Verdict::NeedsReview).then_some(Rating::Good),
        latency_ms: Some(4_200),
        response: "b".into(),
        answered_at: at,
        memory: (verdict != Verdict::NeedsReview).then_some(memory),
        stage_change: None,
        escalations: vec![],
        reply: json!({"text": format!("{verdict} for prompt {}", prompt.id)}),
        basis: None,
    }
}

/// The whole story; every step asserts what a learner or admin would notice.
async fn story(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let a = s
        .upsert_tenant(Platform::Discord, "guild-a", "Acme")
        .await
        .unwrap();
    let b = s
        .upsert_tenant(Platform::Discord, "guild-b", "Beta")
        .await
        .unwrap();
    let again = s
        .upsert_tenant(Platform::Discord, "guild-a", "Acme Inc")
        .await
        .unwrap();
    assert_eq!(again.id, a.id, "a guild maps to one tenant");
    assert_eq!(again.name, "Acme Inc");

    let pat = join(s, a.id, "u1").await;
    let other = join(s, b.id, "u1").await; // the same user id on another guild
    assert_ne!(pat.id, other.id);
    let dup = s
        .add_learner(NewLearner {
            tenant: a.id,
            platform_user: "u1".into(),
            display_name: "again".into(),
            prefs: Preferences::default(),
            joined_at: t0(),
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "joining twice is refused"
    );

    directory_steps(s, &a, &b, &pat, &other).await;
    let first = answer_steps(s, &a, &pat, &other).await;
    expert_steps(s, &a, &b, &pat, &other, &first).await;
    privacy_steps(s, &a, &b, &pat, &other).await;
}

async fn directory_steps(s: &dyn Store, a: &Tenant, b: &Tenant, pat: &Learner, other: &Learner) {
    let mut prefs = pat.prefs.clone();
    prefs.timezone = "Europe/Paris".into();
    prefs.time_of_day = chrono::NaiveTime::from_hms_opt(7, 45, 0).unwrap();
    prefs.days = vec![chrono::Weekday::Tue, chrono::Weekday::Sat];
    prefs.paused_until = Some(t0() + Duration::days(3));
    prefs.leaderboard_opt_out = true;
    prefs.chosen.time = true;
    prefs.notices.digest = true;
    s.set_preferences(pat.id, &prefs).await.unwrap();
    let read = s.learner(pat.id).await.unwrap().unwrap();
    assert_eq!(read.prefs, prefs, "settings survive a restart exactly");

    let team = s
        .add_team(NewTeam {
            tenant: a.id,
            name: "security".into(),
            channel_id: Some("chan-1".into()),
            prompt_cron: Some("0 0 9 * * Mon-Fri".into()),
            leaderboard_cron: None,
        })
        .await
        .unwrap();
    s.add_member(team.id, pat.id).await.unwrap();
    s.add_member(team.id, pat.id).await.unwrap();
    let foreign = s.add_member(team.id, other.id).await;
    assert!(
        matches!(foreign, Err(StoreError::Conflict(_))),
        "no cross-tenant members"
    );
    let members: Vec<_> = s
        .members(team.id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(members, vec![pat.id]);
    assert!(
        s.teams(b.id).await.unwrap().is_empty(),
        "tenant B sees no team of A"
    );

    let manager = Role {
        learner: pat.id,
        kind: RoleKind::Manager,
        scope: RoleScope::Team(team.id),
    };
    let expert = Role {
        learner: pat.id,
        kind: RoleKind::Expert,
        scope: RoleScope::Skill(skill()),
    };
    s.grant_role(&manager).await.unwrap();
    s.grant_role(&manager).await.unwrap();
    s.grant_role(&expert).await.unwrap();
    assert_eq!(
        s.roles(pat.id).await.unwrap(),
        vec![expert.clone(), manager.clone()]
    );
    assert_eq!(
        s.tenant_roles(a.id).await.unwrap(),
        vec![expert.clone(), manager.clone()],
        "the tenant's roles in one query"
    );
    assert!(
        s.tenant_roles(b.id).await.unwrap().is_empty(),
        "never another tenant's"
    );
    s.revoke_role(&manager).await.unwrap();
    assert_eq!(s.roles(pat.id).await.unwrap(), vec![expert]);

    let track = TrackId::parse("infosec").unwrap();
    s.enrol(pat.id, &track, t0()).await.unwrap();
    s.enrol(pat.id, &track, t0() + Duration::days(1))
        .await
        .unwrap();
    let enrolled = s.enrolments(pat.id).await.unwrap();
    assert_eq!(enrolled.len(), 1);
    assert_eq!(
        enrolled[0].enrolled_at,
        t0(),
        "enrolling again keeps the first date"
    );
}

async fn answer_steps(s: &dyn Store, a: &Tenant, pat: &Learner, other: &Learner) -> StoredAnswer {
    let created = s
        .create_prompt(daily(pat.id, a.id, "phish-1", 2))
        .await
        .unwrap();
    assert!(created.fresh);
    let replanned = s
        .create_prompt(daily(pat.id, a.id, "phish-1", 2))
        .await
        .unwrap();
    assert!(!replanned.fresh, "planning a slot twice yields one prompt");
    assert_eq!(replanned.prompt.id, created.prompt.id);

    let shown = t0() + Duration::hours(3);
    s.reveal(created.prompt.id, shown).await.unwrap();
    let prompt = s
        .reveal(created.prompt.id, shown + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        prompt.revealed_at,
        Some(shown),
        "latency counts from the first reveal"
    );
    assert_eq!(
        prompt.seed,
        u64::MAX - 2,
        "options keep their shuffled order"
    );

    let foreign = answer(&prompt, Verdict::Correct, shown);
    let foreign = AnswerRecord {
        learner: other.id,
        ..foreign
    };
    assert_eq!(
        s.record_answer(foreign).await.unwrap(),
        AnswerOutcome::Stale {
            reason: StaleReason::NotYours
        }
    );

    let mut first = answer(&prompt, Verdict::Correct, shown + Duration::seconds(5));
    first.stage_change = Some(StageChange {
        learner: pat.id,
        skill: skill(),
        from: Some(Stage::Novice),
        to: Stage::Competent,
        at: first.answered_at,
        evidence: json!({"recall": "9 of 10 right"}),
    });
    first.escalations = vec![Escalation {
        learner: pat.id,
        kind: "invite_to_contribute".into(),
        key: "phishing".into(),
        at: first.answered_at,
    }];
    let AnswerOutcome::Recorded(stored) = s.record_answer(first.clone()).await.unwrap() else {
        panic!("the first answer is recorded");
    };
    let mut replay = first.clone();
    replay.verdict = Verdict::Wrong; // a replayed event must not change the result
    match s.record_answer(replay).await.unwrap() {
        AnswerOutcome::Duplicate { original } => assert_eq!(original, stored),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(stored.verdict, Verdict::Correct);
    let sent = s.escalations(pat.id).await.unwrap();
    assert_eq!(sent, first.escalations, "a replay escalates nothing twice");
    assert_eq!(s.reviews(pat.id).await.unwrap().len(), 1);
    let memory = s.memory(pat.id, &item("phish-1")).await.unwrap().unwrap();
    assert_eq!(memory, first.memory.clone().unwrap());
    assert_eq!(
        s.current_stages(pat.id).await.unwrap(),
        vec![(skill(), Stage::Competent)]
    );
    assert_eq!(
        s.stage_history(pat.id).await.unwrap()[0].evidence["recall"],
        "9 of 10 right"
    );

    // The next day's push replaces an unanswered prompt; answering the old one is stale.
    let day3 = s
        .create_prompt(daily(pat.id, a.id, "phish-2", 3))
        .await
        .unwrap()
        .prompt;
    let day4 = s
        .create_prompt(daily(pat.id, a.id, "phish-3", 4))
        .await
        .unwrap()
        .prompt;
    let late = answer(&day3, Verdict::Correct, t0() + Duration::days(2));
    assert_eq!(
        s.record_answer(late).await.unwrap(),
        AnswerOutcome::Stale {
            reason: StaleReason::Superseded
        }
    );
    let open: Vec<_> = s
        .open_prompts(pat.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(open, vec![day4.id]);
    let too_late = answer(
        &day4,
        Verdict::Correct,
        day4.expires_at.unwrap() + Duration::minutes(1),
    );
    assert_eq!(
        s.record_answer(too_late).await.unwrap(),
        AnswerOutcome::Stale {
            reason: StaleReason::Expired
        }
    );
    assert_eq!(
        s.expire_prompts(t0() + Duration::days(30)).await.unwrap(),
        1
    );
    assert!(s.open_prompts(pat.id).await.unwrap().is_empty());

    s.record_escalation(&Escalation {
        learner: pat.id,
        kind: "explanation".into(),
        key: "item:phish-1".into(),
        at: t0(),
    })
    .await
    .unwrap();
    let later = t0() + Duration::days(2);
    s.record_escalation(&Escalation {
        learner: pat.id,
        kind: "explanation".into(),
        key: "item:phish-1".into(),
        at: later,
    })
    .await
    .unwrap();
    assert_eq!(
        s.last_escalation(pat.id, "explanation", "item:phish-1")
            .await
            .unwrap(),
        Some(later)
    );
    assert_eq!(
        s.last_escalation(pat.id, "coaching", "item:phish-1")
            .await
            .unwrap(),
        None
    );
    stored
}

async fn expert_steps(
    s: &dyn Store,
    a: &Tenant,
    b: &Tenant,
    pat: &Learner,
    other: &Learner,
    first: &StoredAnswer,
) {
    let sam = join(s, a.id, "u2").await;
    let proposal = s
        .add_contribution(&NewContribution {
            author: pat.id,
            skill: skill(),
            kind: ContributionKind::Proposal,
            body: json!({"prompt": "Which link is safe?"}),
            at: t0(),
        })
        .await
        .unwrap();
    assert_eq!(proposal.status, ContributionStatus::Open);
    assert_eq!(s.vote(proposal.id, sam.id, true).await.unwrap(), 1);
    assert_eq!(
        s.vote(proposal.id, sam.id, true).await.unwrap(),
        1,
        "one vote per voter"
    );
    s.set_contribution_status(proposal.id, ContributionStatus::Accepted)
        .await
        .unwrap();
    let mine = s.contributions_by(pat.id).await.unwrap();
    assert_eq!(
        (mine[0].status, mine[0].votes),
        (ContributionStatus::Accepted, 1)
    );

    let q = s
        .ask_question(&NewQuestion {
            learner: sam.id,
            skill: Some(skill()),
            text: "Is SMS MFA ok?".into(),
            at: t0(),
        })
        .await
        .unwrap();
    assert_eq!(s.open_questions(a.id).await.unwrap()[0].id, q);
    assert!(
        s.open_questions(b.id).await.unwrap().is_empty(),
        "B never sees A's questions"
    );
    s.answer_question(q, pat.id, "Better than nothing.", t0())
        .await
        .unwrap();
    assert!(s.open_questions(a.id).await.unwrap().is_empty());
    // A second answer never overwrites the first.
    assert!(matches!(
        s.answer_question(q, sam.id, "Overwritten?", t0()).await,
        Err(StoreError::Conflict(_))
    ));
    let to_send = s.answers_to_send(a.id).await.unwrap();
    assert_eq!(to_send.len(), 1);
    assert_eq!(to_send[0].answer.as_deref(), Some("Better than nothing."));
    assert!(s.mark_answer_sent(q, t0()).await.unwrap());
    assert!(!s.mark_answer_sent(q, t0()).await.unwrap(), "sent once");
    assert!(s.answers_to_send(a.id).await.unwrap().is_empty());

    let free = s
        .create_prompt(NewPrompt {
            kind: PromptKind::Practice,
            slot: None,
            supersede_open: false,
            ..daily(sam.id, a.id, "phish-essay", 5)
        })
        .await
        .unwrap()
        .prompt;
    let outcome = s
        .record_answer(answer(&free, Verdict::NeedsReview, t0()))
        .await
        .unwrap();
    let review = outcome.answer().unwrap().review;
    assert_eq!(s.pending_free_text(a.id).await.unwrap()[0].id, review);
    assert!(s.pending_free_text(b.id).await.unwrap().is_empty());
    let grade = PeerReview {
        review,
        reviewer: pat.id,
        verdict: Verdict::Correct,
        score: 0.8,
        comment: "good".into(),
        at: t0(),
    };
    s.add_peer_review(&grade).await.unwrap();
    assert!(matches!(
        s.add_peer_review(&grade).await,
        Err(StoreError::Conflict(_))
    ));
    // A grade alone waits (a peer's needs a second); settling takes it out of the queue.
    assert_eq!(s.pending_free_text(a.id).await.unwrap().len(), 1);
    assert!(s
        .settle_review(review, Verdict::Correct, 0.8)
        .await
        .unwrap());
    assert!(!s.settle_review(review, Verdict::Wrong, 0.0).await.unwrap());
    assert!(s.pending_free_text(a.id).await.unwrap().is_empty());
    let logged = s.reviews(sam.id).await.unwrap();
    let settled = logged.iter().find(|r| r.id == review).unwrap();
    assert_eq!(
        settled.verdict,
        Verdict::Correct,
        "the first settlement stands"
    );
    assert_eq!(s.peer_reviews(review).await.unwrap(), vec![grade]);

    let team = s.teams(a.id).await.unwrap()[0].id;
    for (day, top) in [(1, "sam"), (8, "pat")] {
        let snap = LeaderboardSnapshot {
            team,
            at: t0() + Duration::days(day),
            rows: json!([{"name": top}]),
        };
        s.save_leaderboard(&snap).await.unwrap();
    }
    assert_eq!(
        s.latest_leaderboard(team).await.unwrap().unwrap().rows[0]["name"],
        "pat"
    );

    assert!(s
        .first_sight(Platform::Discord, "evt-1", t0())
        .await
        .unwrap());
    assert!(
        !s.first_sight(Platform::Discord, "evt-1", t0())
            .await
            .unwrap(),
        "a replay is seen"
    );
    assert!(s.first_sight(Platform::Slack, "evt-1", t0()).await.unwrap());

    let log = s.review_log(None, None).await.unwrap();
    assert!(log
        .iter()
        .any(|r| r.id == first.review && r.learner == pat.id));
    assert!(log.iter().all(|r| r.learner != other.id));
    // Export windows: [since, until), by answer time.
    let at = first.answered_at;
    let window = s
        .review_log(Some(at), Some(at + Duration::seconds(1)))
        .await
        .unwrap();
    assert_eq!(
        window.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![first.review]
    );
    assert!(s
        .review_log(None, Some(at))
        .await
        .unwrap()
        .iter()
        .all(|r| r.answered_at < at));
    assert!(s
        .review_log(Some(at + Duration::days(400)), None)
        .await
        .unwrap()
        .is_empty());
}

async fn privacy_steps(s: &dyn Store, a: &Tenant, b: &Tenant, pat: &Learner, other: &Learner) {
    let other_prompt = s
        .create_prompt(daily(other.id, b.id, "phish-1", 2))
        .await
        .unwrap()
        .prompt;
    s.record_answer(answer(
        &other_prompt,
        Verdict::Wrong,
        t0() + Duration::hours(2),
    ))
    .await
    .unwrap();

    let data = s.learner_data(pat.id).await.unwrap();
    assert_eq!(data.learner.platform_user, "u1");
    assert_eq!(data.learner.tenant, a.id);
    assert_eq!(
        data.reviews.len(),
        1,
        "the export holds only Pat's own answers"
    );
    assert_eq!(data.stages.len(), 1);
    assert_eq!(data.contributions.len(), 1);
    assert!(data.prompts.len() >= 3);
    assert!(data.reviews.iter().all(|r| r.learner == pat.id));
    assert!(data.prompts.iter().all(|p| p.id != other_prompt.id));

    let before: Vec<_> = s
        .learners(a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert!(
        before.contains(&pat.id) && !before.contains(&other.id),
        "A lists only A"
    );
    s.forget_learner(pat.id).await.unwrap();
    assert!(s.learner(pat.id).await.unwrap().is_none());
    assert!(
        s.reviews(pat.id).await.unwrap().is_empty(),
        "answers go with the person"
    );
    assert!(s.memories(pat.id).await.unwrap().is_empty());
    assert!(s
        .learner_by_platform_user(a.id, "u1")
        .await
        .unwrap()
        .is_none());
    let kept = s
        .learner_by_platform_user(b.id, "u1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.id, other.id, "deleting in A leaves B's person alone");
    assert_eq!(s.reviews(other.id).await.unwrap().len(), 1);
    assert!(matches!(
        s.forget_learner(pat.id).await,
        Err(StoreError::NotFound(_))
    ));
}

/// 50 identical answers at once (a double click times 25, replayed events): one review,
/// and every caller gets the same stored result.
async fn concurrent_answers(store: Arc<dyn Store>) {
    let tenant = store
        .upsert_tenant(Platform::Local, "playground", "Local")
        .await
        .unwrap();
    let pat = join(store.as_ref(), tenant.id, "pat").await;
    let prompt = store
        .create_prompt(daily(pat.id, tenant.id, "phish-1", 2))
        .await
        .unwrap()
        .prompt;
    let record = answer(&prompt, Verdict::Correct, t0() + Duration::hours(1));
    let calls = (0..50).map(|_| {
        let store = store.clone();
        let record = record.clone();
        tokio::spawn(async move { store.record_answer(record).await })
    });
    let outcomes: Vec<AnswerOutcome> = futures_join(calls).await;
    let recorded = outcomes
        .iter()
        .filter(|o| matches!(o, AnswerOutcome::Recorded(_)))
        .count();
    assert_eq!(recorded, 1, "exactly one call records");
    let first = outcomes[0].answer().expect("no call is refused").clone();
    assert!(
        outcomes.iter().all(|o| o.answer() == Some(&first)),
        "all see the same result"
    );
    assert_eq!(store.reviews(pat.id).await.unwrap().len(), 1);
}

async fn futures_join<I>(handles: I) -> Vec<AnswerOutcome>
where
    I: IntoIterator<Item = tokio::task::JoinHandle<Result<AnswerOutcome, StoreError>>>,
{
    let mut out = Vec::new();
    for h in handles.into_iter().collect::<Vec<_>>() {
        out.push(h.await.expect("the task runs").expect("the store answers"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn story_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    story(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn story_on_postgres() {
    if let Some((store, schema)) = common::postgres_store("story").await {
        story(store).await;
        schema.drop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_answers_on_sqlite() {
    let (store, _dir) = common::sqlite_store().await;
    concurrent_answers(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_answers_on_postgres() {
    if let Some((store, schema)) = common::postgres_store("answers").await {
        concurrent_answers(store).await;
        schema.drop().await;
    }
}

/// A database that cannot be reached is reported as `Unavailable`, the error callers retry.
#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    match ladder::store::connect("postgres://postgres@127.0.0.1:1/test").await {
        Err(StoreError::Unavailable(_)) => {}
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(_) => panic!("nothing listens on port 1"),
    }
}
