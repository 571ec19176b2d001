//! Escalation decisions: what each trigger sends, cool-downs, opt-outs and Rosenberg's
//! stage-fitting resources.

use super::*;
use crate::model::SkillId;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 10, 0, 0).unwrap()
}

fn res(id: &str, stage: Stage, kind: ResourceKind) -> Resource {
    Resource {
        id: ResourceId::parse(id).unwrap(),
        skill: SkillId::parse("joins").unwrap(),
        title: id.to_owned(),
        url: None,
        text: Some("...".to_owned()),
        stage,
        kind,
    }
}

fn library() -> Vec<Resource> {
    vec![
        res("intro-course", Stage::Novice, ResourceKind::Course),
        res("drills", Stage::Competent, ResourceKind::Practice),
        res("cheat-sheet", Stage::Experienced, ResourceKind::JobAid),
        res("guild", Stage::Master, ResourceKind::Community),
    ]
}

struct Fixture {
    resources: Vec<Resource>,
    sent: Vec<ResourceId>,
    last: BTreeMap<ActionKind, DateTime<Utc>>,
    opted_out: BTreeSet<ActionKind>,
    thresholds: Thresholds,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            resources: library(),
            sent: vec![],
            last: BTreeMap::new(),
            opted_out: BTreeSet::new(),
            thresholds: Thresholds::default(),
        }
    }
    fn decide(&self, stage: Stage, trigger: Trigger) -> Vec<Action> {
        let ctx = Context {
            stage,
            resources: &self.resources,
            sent_resources: &self.sent,
            last: &self.last,
            opted_out: &self.opted_out,
            thresholds: &self.thresholds,
        };
        decide(trigger, &ctx, now())
    }
}

fn rid(s: &str) -> ResourceId {
    ResourceId::parse(s).unwrap()
}

#[test]
fn each_trigger_sends_what_the_stage_calls_for() {
    use Action::*;
    let f = Fixture::new();
    let cases = [
        (
            Stage::Novice,
            Trigger::WrongAnswer,
            vec![SendExplanation, SendResource(rid("intro-course"))],
        ),
        (
            Stage::Experienced,
            Trigger::WrongAnswer,
            vec![SendExplanation, SendResource(rid("cheat-sheet"))],
        ),
        (
            Stage::Competent,
            Trigger::RepeatedLapses { lapses: 2 },
            vec![SendExplanation, SendResource(rid("drills")), CoachingNudge],
        ),
        (
            Stage::Competent,
            Trigger::RepeatedLapses { lapses: 3 },
            vec![
                SendExplanation,
                SendResource(rid("drills")),
                CoachingNudge,
                NotifyExpert,
            ],
        ),
        (
            Stage::Experienced,
            Trigger::RepeatedLapses { lapses: 5 },
            vec![
                SendExplanation,
                SendResource(rid("cheat-sheet")),
                NotifyExpert,
                NotifyManager,
            ],
        ),
        (
            Stage::Novice,
            Trigger::Leech,
            vec![
                SendResource(rid("intro-course")),
                CoachingNudge,
                NotifyExpert,
            ],
        ),
        (
            Stage::Master,
            Trigger::StageChanged {
                from: Stage::Experienced,
                to: Stage::Master,
            },
            vec![SendResource(rid("guild")), InviteToContribute],
        ),
        (
            Stage::Competent,
            Trigger::StageChanged {
                from: Stage::Novice,
                to: Stage::Competent,
            },
            vec![SendResource(rid("drills"))],
        ),
        (
            Stage::Novice,
            Trigger::StageChanged {
                from: Stage::Competent,
                to: Stage::Novice,
            },
            vec![SendResource(rid("intro-course")), CoachingNudge],
        ),
        (
            Stage::Novice,
            Trigger::Stalled { days: 7 },
            vec![CoachingNudge],
        ),
        (
            Stage::Novice,
            Trigger::Stalled { days: 14 },
            vec![CoachingNudge, NotifyManager],
        ),
    ];
    for (stage, trigger, want) in cases {
        assert_eq!(f.decide(stage, trigger), want, "{stage} {trigger:?}");
    }
}

#[test]
fn an_action_is_not_repeated_within_its_cool_down() {
    let mut f = Fixture::new();
    f.last
        .insert(ActionKind::NotifyManager, now() - Duration::days(3));
    f.last
        .insert(ActionKind::CoachingNudge, now() - Duration::days(4));
    let got = f.decide(Stage::Novice, Trigger::Stalled { days: 20 });
    // The manager heard three days ago (cool-down 7); the nudge is four days old (3).
    assert_eq!(got, vec![Action::CoachingNudge]);

    f.last
        .insert(ActionKind::NotifyManager, now() - Duration::days(7));
    assert!(f
        .decide(Stage::Novice, Trigger::Stalled { days: 20 })
        .contains(&Action::NotifyManager));
}

#[test]
fn the_explanation_has_no_cool_down_but_resources_do() {
    let mut f = Fixture::new();
    f.last
        .insert(ActionKind::Explanation, now() - Duration::minutes(1));
    f.last
        .insert(ActionKind::Resource, now() - Duration::hours(2));
    assert_eq!(
        f.decide(Stage::Novice, Trigger::WrongAnswer),
        vec![Action::SendExplanation]
    );
}

#[test]
fn opted_out_kinds_are_never_sent() {
    let mut f = Fixture::new();
    f.opted_out.insert(ActionKind::NotifyManager);
    f.opted_out.insert(ActionKind::CoachingNudge);
    let got = f.decide(Stage::Novice, Trigger::RepeatedLapses { lapses: 9 });
    assert_eq!(
        got,
        vec![
            Action::SendExplanation,
            Action::SendResource(rid("intro-course")),
            Action::NotifyExpert
        ]
    );
}

#[test]
fn resources_fit_the_stage_and_rotate_before_repeating() {
    let mut f = Fixture::new();
    f.resources
        .push(res("tutorial", Stage::Competent, ResourceKind::Tutorial));
    f.resources
        .push(res("coach-sam", Stage::Experienced, ResourceKind::Coaching));
    f.resources
        .push(res("katas", Stage::Competent, ResourceKind::Practice));
    let pick = |f: &Fixture, stage| {
        let ctx = Context {
            stage,
            resources: &f.resources,
            sent_resources: &f.sent,
            last: &f.last,
            opted_out: &f.opted_out,
            thresholds: &f.thresholds,
        };
        pick_resource(&ctx)
    };
    // Authored for the stage, in content order.
    for want in ["drills", "tutorial", "katas"] {
        assert_eq!(pick(&f, Stage::Competent), Some(rid(want)));
        f.sent.push(rid(want));
    }
    // Authored for another stage but of a kind that serves competent learners.
    assert_eq!(pick(&f, Stage::Competent), Some(rid("coach-sam")));
    f.sent.push(rid("coach-sam"));
    // Then the stage below.
    assert_eq!(pick(&f, Stage::Competent), Some(rid("intro-course")));
    f.sent.push(rid("intro-course"));
    // Everything fitting was sent: repeat the one sent longest ago.
    assert_eq!(pick(&f, Stage::Competent), Some(rid("drills")));
}

#[test]
fn no_fitting_resource_means_no_resource_action() {
    let mut f = Fixture::new();
    f.resources = vec![res("guild", Stage::Master, ResourceKind::Community)];
    assert_eq!(
        f.decide(Stage::Novice, Trigger::WrongAnswer),
        vec![Action::SendExplanation]
    );
}

#[test]
fn keys_round_trip_for_the_store() {
    for kind in ActionKind::ALL {
        assert_eq!(ActionKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(Action::SendResource(rid("x")).key(), "resource");
}
