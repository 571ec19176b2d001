//! Reading typed fields out of a positioned TOML table while collecting every problem.
//!
//! Each getter takes the key out of the table, so that what is left at the end are the
//! keys nobody asked for: [`Table::finish`] reports them as unknown, with a suggestion when
//! the key looks like a typo of a known one.

use crate::diagnostic::{Diagnostic, Loc};
use crate::node::{Key, Node, Value};

/// A value and the position it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Located<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Located { value, loc }
    }
}

/// The file being read and the problems found so far.
pub(crate) struct Ctx<'a> {
    pub path: &'a str,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(path: &'a str) -> Self {
        Ctx {
            path,
            diags: Vec::new(),
        }
    }
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diags.push(Diagnostic::new(self.path, loc, message));
    }
}

/// A table being read; `what` names it in messages (`[skill]`, `[[item]]`, ...).
pub(crate) struct Table {
    pub what: String,
    pub loc: Loc,
    entries: Vec<(Key, Node)>,
}

impl Table {
    pub fn new(what: impl Into<String>, loc: Loc, entries: Vec<(Key, Node)>) -> Self {
        Table {
            what: what.into(),
            loc,
            entries,
        }
    }

    /// Builds a table from a node, reporting a value of another type.
    pub fn from_node(
        cx: &mut Ctx,
        what: impl Into<String>,
        key: &str,
        node: Node,
    ) -> Option<Table> {
        match node.value {
            Value::Table(entries) => Some(Table::new(what, node.loc, entries)),
            other => {
                cx.error(
                    node.loc,
                    format!("`{key}` must be a table, found {}", other.type_name()),
                );
                None
            }
        }
    }

    pub fn take(&mut self, key: &str) -> Option<(Key, Node)> {
        let i = self.entries.iter().position(|(k, _)| k.name == key)?;
        Some(self.entries.remove(i))
    }

    /// Takes every remaining entry whose key is in `keys`, in file order.
    pub fn take_all(&mut self, keys: &[&str]) -> Vec<(Key, Node)> {
        let (taken, kept) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|(k, _)| keys.contains(&k.name.as_str()));
        self.entries = kept;
        taken
    }

    pub fn string(&mut self, cx: &mut Ctx, key: &str) -> Option<Located<String>> {
        let (_, node) = self.take(key)?;
        as_string(cx, key, node)
    }

    pub fn required_string(&mut self, cx: &mut Ctx, key: &str) -> Option<Located<String>> {
        self.require(cx, key)?;
        self.string(cx, key)
    }

    pub fn bool(&mut self, cx: &mut Ctx, key: &str) -> Option<Located<bool>> {
        let (_, node) = self.take(key)?;
        match node.value {
            Value::Boolean(b) => Some(Located::new(b, node.loc)),
            other => type_error(cx, key, "a boolean", &other, node.loc),
        }
    }

    /// An integer or a float, as `f64`.
    pub fn number(&mut self, cx: &mut Ctx, key: &str) -> Option<Located<f64>> {
        let (_, node) = self.take(key)?;
        as_number(cx, key, node)
    }

    pub fn integer(&mut self, cx: &mut Ctx, key: &str) -> Option<Located<i64>> {
        let (_, node) = self.take(key)?;
        match node.value {
            Value::Integer(i) => Some(Located::new(i, node.loc)),
            other => type_error(cx, key, "an integer", &other, node.loc),
        }
    }

    /// An array of strings; a wrong element is reported and skipped.
    pub fn strings(&mut self, cx: &mut Ctx, key: &str) -> Option<Located<Vec<Located<String>>>> {
        let (_, node) = self.take(key)?;
        as_strings(cx, key, node)
    }

    pub fn table(&mut self, cx: &mut Ctx, key: &str, what: &str) -> Option<Table> {
        let (_, node) = self.take(key)?;
        Table::from_node(cx, what, key, node)
    }

    /// An array of tables (`[[key]]`); missing means none.
    pub fn tables(&mut self, cx: &mut Ctx, key: &str, what: &str) -> Vec<Table> {
        let Some((_, node)) = self.take(key) else {
            return Vec::new();
        };
        match node.value {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|n| Table::from_node(cx, what, key, n))
                .collect(),
            Value::Table(entries) => vec![Table::new(what, node.loc, entries)],
            other => {
                cx.error(
                    node.loc,
                    format!(
                        "`{key}` must be an array of tables ([[{key}]]), found {}",
                        other.type_name()
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Reports a missing key at the table; returns `None` when it is missing.
    pub fn require(&self, cx: &mut Ctx, key: &str) -> Option<()> {
        if self.entries.iter().any(|(k, _)| k.name == key) {
            Some(())
        } else {
            cx.error(self.loc, format!("missing key `{key}` in {}", self.what));
            None
        }
    }

    /// The entries nobody took, for callers that report them in their own words.
    pub fn into_remaining(self) -> Vec<(Key, Node)> {
        self.entries
    }

    /// Reports every key that was not taken as unknown.
    pub fn finish(self, cx: &mut Ctx, known: &[&str]) {
        for (key, _) in self.entries {
            let hint = suggest(&key.name, known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            cx.error(
                key.loc,
                format!("unknown key `{}` in {}{hint}", key.name, self.what),
            );
        }
    }
}

pub(crate) fn as_string(cx: &mut Ctx, key: &str, node: Node) -> Option<Located<String>> {
    match node.value {
        Value::String(s) => Some(Located::new(s, node.loc)),
        other => type_error(cx, key, "a string", &other, node.loc),
    }
}

pub(crate) fn as_number(cx: &mut Ctx, key: &str, node: Node) -> Option<Located<f64>> {
    match node.value {
        Value::Integer(i) => Some(Located::new(i as f64, node.loc)),
        Value::Float(f) => Some(Located::new(f, node.loc)),
        other => type_error(cx, key, "a number", &other, node.loc),
    }
}

pub(crate) fn as_strings(
    cx: &mut Ctx,
    key: &str,
    node: Node,
) -> Option<Located<Vec<Located<String>>>> {
    match node.value {
        Value::Array(items) => {
            let strings = items
                .into_iter()
                .filter_map(|n| as_string(cx, key, n))
                .collect();
            Some(Located::new(strings, node.loc))
        }
        other => type_error(cx, key, "an array of strings", &other, node.loc),
    }
}

pub(crate) fn type_error<T>(
    cx: &mut Ctx,
    key: &str,
    expected: &str,
    found: &Value,
    loc: Loc,
) -> Option<T> {
    cx.error(
        loc,
        format!("`{key}` must be {expected}, found {}", found.type_name()),
    );
    None
}

/// The known key closest to a misspelt one, if it is close enough to be a typo.
fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion_but_unrelated_keys_do_not() {
        let known = ["explanation", "prompt", "hints"];
        assert_eq!(suggest("explantion", &known), Some("explanation"));
        assert_eq!(suggest("promt", &known), Some("prompt"));
        assert_eq!(suggest("colour", &known), None);
    }
}
