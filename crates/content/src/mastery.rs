//! Mastery rule overrides as written in content (`[mastery]` in a track, `[skill.mastery]`
//! in a skill), and how they are merged key by key onto the engine's defaults.
//!
//! Depends on the engine's [`MasteryRules`] and on the positioned TOML reader.

use ladder_engine::mastery::{Calculation, MasteryRules, PromotionRule};

use crate::fields::{Ctx, Table};
use crate::node::{Node, Value};

/// One key set in a promotion rule.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleField {
    Calculation(Calculation),
    Window(u32),
    MinScore(f64),
    MinAttempts(u32),
    CoreGapDays(f64),
    MinMedianStabilityDays(f64),
    RequireFluency(bool),
    MinContributions(u32),
}

/// The keys a `[mastery]` table sets; everything else keeps the value underneath.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MasteryOverrides {
    pub to_competent: Vec<RuleField>,
    pub to_experienced: Vec<RuleField>,
    pub to_master: Vec<RuleField>,
    pub demotion_floor: Option<f64>,
}

const RULES: [&str; 3] = ["to_competent", "to_experienced", "to_master"];
const RULE_KEYS: [&str; 8] = [
    "calculation",
    "window",
    "min_score",
    "min_attempts",
    "core_gap_days",
    "min_median_stability_days",
    "require_fluency",
    "min_contributions",
];

impl MasteryOverrides {
    /// Applies these overrides on top of `base`, key by key.
    pub fn apply(&self, base: &MasteryRules) -> MasteryRules {
        let mut rules = base.clone();
        apply_rule(&mut rules.to_competent, &self.to_competent);
        apply_rule(&mut rules.to_experienced, &self.to_experienced);
        apply_rule(&mut rules.to_master, &self.to_master);
        if let Some(floor) = self.demotion_floor {
            rules.demotion_floor = floor;
        }
        rules
    }
}

fn apply_rule(rule: &mut PromotionRule, fields: &[RuleField]) {
    for field in fields {
        match *field {
            RuleField::Calculation(c) => rule.calculation = c,
            RuleField::Window(v) => rule.window = v,
            RuleField::MinScore(v) => rule.min_score = v,
            RuleField::MinAttempts(v) => rule.min_attempts = v,
            RuleField::CoreGapDays(v) => rule.core_gap_days = v,
            RuleField::MinMedianStabilityDays(v) => rule.min_median_stability_days = v,
            RuleField::RequireFluency(v) => rule.require_fluency = v,
            RuleField::MinContributions(v) => rule.min_contributions = v,
        }
    }
}

/// Reads a `[mastery]` table (`what` names it in messages, e.g. `[skill.mastery]`).
pub(crate) fn read(cx: &mut Ctx, mut table: Table) -> MasteryOverrides {
    let what = table.what.clone();
    let mut out = MasteryOverrides::default();
    for (name, slot) in RULES.into_iter().zip([
        &mut out.to_competent,
        &mut out.to_experienced,
        &mut out.to_master,
    ]) {
        if let Some(rule) = table.table(
            cx,
            name,
            &format!("[{}.{name}]", what.trim_matches(['[', ']'])),
        ) {
            *slot = read_rule(cx, rule);
        }
    }
    if let Some(floor) = table.number(cx, "demotion_floor") {
        if (0.0..=1.0).contains(&floor.value) {
            out.demotion_floor = Some(floor.value);
        } else {
            cx.error(
                floor.loc,
                format!(
                    "`demotion_floor` must be between 0 and 1, found {}",
                    floor.value
                ),
            );
        }
    }
    let known: Vec<&str> = RULES.iter().copied().chain(["demotion_floor"]).collect();
    table.finish(cx, &known);
    out
}

/// Builds the field a key sets from its value.
type Setter<T> = fn(T) -> RuleField;

fn read_rule(cx: &mut Ctx, mut t: Table) -> Vec<RuleField> {
    let mut fields = Vec::new();
    if let Some((_, node)) = t.take("calculation") {
        fields.extend(read_calculation(cx, node).map(RuleField::Calculation));
    }
    let counts: [(&str, Setter<u32>); 3] = [
        ("window", RuleField::Window),
        ("min_attempts", RuleField::MinAttempts),
        ("min_contributions", RuleField::MinContributions),
    ];
    for (key, make) in counts {
        if let Some(v) = t.integer(cx, key) {
            match u32::try_from(v.value) {
                Ok(n) => fields.push(make(n)),
                Err(_) => cx.error(
                    v.loc,
                    format!("`{key}` must be a whole number ≥ 0, found {}", v.value),
                ),
            }
        }
    }
    if let Some(v) = t.number(cx, "min_score") {
        if (0.0..=1.0).contains(&v.value) {
            fields.push(RuleField::MinScore(v.value));
        } else {
            cx.error(
                v.loc,
                format!("`min_score` must be between 0 and 1, found {}", v.value),
            );
        }
    }
    let days: [(&str, Setter<f64>); 2] = [
        ("core_gap_days", RuleField::CoreGapDays),
        (
            "min_median_stability_days",
            RuleField::MinMedianStabilityDays,
        ),
    ];
    for (key, make) in days {
        if let Some(v) = t.number(cx, key) {
            if v.value >= 0.0 {
                fields.push(make(v.value));
            } else {
                cx.error(v.loc, format!("`{key}` must be ≥ 0, found {}", v.value));
            }
        }
    }
    if let Some(v) = t.bool(cx, "require_fluency") {
        fields.push(RuleField::RequireFluency(v.value));
    }
    t.finish(cx, &RULE_KEYS);
    fields
}

/// `"average"`, or a table such as `{ method = "n_times", n = 3 }`.
fn read_calculation(cx: &mut Ctx, node: Node) -> Option<Calculation> {
    let loc = node.loc;
    let (method, mut table) = match node.value {
        Value::String(s) => (s, None),
        Value::Table(entries) => {
            let mut t = Table::new("`calculation`", loc, entries);
            let method = t.required_string(cx, "method")?.value;
            (method, Some(t))
        }
        other => {
            cx.error(
                loc,
                format!(
                    "`calculation` must be a string or a table, found {}",
                    other.type_name()
                ),
            );
            return None;
        }
    };
    let calc = match method.as_str() {
        "most_recent" => Some(Calculation::MostRecent),
        "highest" => Some(Calculation::Highest),
        "average" => Some(Calculation::Average),
        "decaying_average" => read_weight(cx, table.as_mut(), loc),
        "n_times" => read_n(cx, table.as_mut(), loc),
        other => {
            cx.error(loc, format!("unknown calculation method {other:?}: expected most_recent, highest, average, decaying_average or n_times"));
            None
        }
    };
    if let Some(t) = table {
        t.finish(cx, &["method", "weight", "n"]);
    }
    calc
}

fn read_weight(cx: &mut Ctx, table: Option<&mut Table>, loc: crate::Loc) -> Option<Calculation> {
    let Some(w) = table.and_then(|t| t.number(cx, "weight")) else {
        cx.error(loc, "calculation decaying_average needs a `weight` between 0 and 1, e.g. { method = \"decaying_average\", weight = 0.65 }");
        return None;
    };
    if w.value > 0.0 && w.value <= 1.0 {
        Some(Calculation::DecayingAverage { weight: w.value })
    } else {
        cx.error(
            w.loc,
            format!("`weight` must be above 0 and at most 1, found {}", w.value),
        );
        None
    }
}

fn read_n(cx: &mut Ctx, table: Option<&mut Table>, loc: crate::Loc) -> Option<Calculation> {
    let Some(n) = table.and_then(|t| t.integer(cx, "n")) else {
        cx.error(
            loc,
            "calculation n_times needs `n`, e.g. { method = \"n_times\", n = 3 }",
        );
        return None;
    };
    match u32::try_from(n.value) {
        Ok(v) if v >= 1 => Some(Calculation::NTimes { n: v }),
        _ => {
            cx.error(n.loc, format!("`n` must be at least 1, found {}", n.value));
            None
        }
    }
}
