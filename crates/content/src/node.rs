//! A TOML document as a tree in which every key and value keeps its position.
//!
//! `toml` gives positions through `Spanned<T>`; deserialising into this generic tree (instead
//! of straight into typed structs) lets the checker walk a whole file and report every
//! problem in it, where serde would stop at the first. Depends on `toml` and `serde` only.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;

use crate::diagnostic::{Diagnostic, LineIndex, Loc};

/// A key of a table, where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub loc: Loc,
}

/// A value, where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
}

/// TOML values. Tables keep their keys in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Vec<(Key, Node)>),
}

impl Value {
    /// How the value's type is named in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Parses TOML text into a table of positioned nodes; a syntax error becomes one
/// diagnostic at the position `toml` reports.
pub fn parse_document(path: &str, src: &str) -> Result<Vec<(Key, Node)>, Diagnostic> {
    let index = LineIndex::new(src);
    match toml::from_str::<RawMap>(src) {
        Ok(map) => Ok(locate_table(map.0, &index, Loc::START)),
        Err(err) => {
            let loc = err.span().map(|s| index.span_loc(&s)).unwrap_or(Loc::START);
            let message = format!(
                "TOML syntax error: {}",
                err.message().trim().replace('\n', "; ")
            );
            Err(Diagnostic::new(path, loc, message))
        }
    }
}

fn locate(raw: Positioned<Raw>, index: &LineIndex<'_>, fallback: Loc) -> Node {
    let loc = raw.span.map(|s| index.span_loc(&s));
    let value = match raw.value {
        Raw::String(s) => Value::String(s),
        Raw::Integer(i) => Value::Integer(i),
        Raw::Float(f) => Value::Float(f),
        Raw::Boolean(b) => Value::Boolean(b),
        Raw::Datetime(d) => Value::Datetime(d),
        Raw::Array(items) => {
            let at = loc.unwrap_or(fallback);
            Value::Array(items.into_iter().map(|n| locate(n, index, at)).collect())
        }
        Raw::Table(entries) => Value::Table(locate_table(entries, index, loc.unwrap_or(fallback))),
    };
    // Tables implied by a dotted header (`[mastery.to_competent]` implies `mastery`) have
    // no span of their own: point at their first key instead.
    let loc = loc.unwrap_or_else(|| match &value {
        Value::Table(entries) => entries.first().map_or(fallback, |(k, _)| k.loc),
        _ => fallback,
    });
    Node { value, loc }
}

fn locate_table(
    entries: Vec<(Positioned<String>, Positioned<Raw>)>,
    index: &LineIndex<'_>,
    fallback: Loc,
) -> Vec<(Key, Node)> {
    entries
        .into_iter()
        .map(|(k, v)| {
            let loc = k.span.map_or(fallback, |s| index.span_loc(&s));
            let key = Key { loc, name: k.value };
            (key, locate(v, index, loc))
        })
        .collect()
}

/// The tree as `toml` hands it over, still with byte spans.
enum Raw {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(String),
    Array(Vec<Positioned<Raw>>),
    Table(Vec<(Positioned<String>, Positioned<Raw>)>),
}

/// Like `toml::Spanned`, but also accepts the values `toml` has no span for (keys and
/// tables that a dotted header implies), which `Spanned` refuses.
struct Positioned<T> {
    span: Option<Range<usize>>,
    value: T,
}

// The protocol `toml` uses to hand over spans (see `serde_spanned`): a struct with this
// name and these fields is answered with a map of start, end and value.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const START_FIELD: &str = "$__serde_spanned_private_start";
const END_FIELD: &str = "$__serde_spanned_private_end";
const VALUE_FIELD: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: &[&str] = &[START_FIELD, END_FIELD, VALUE_FIELD];

/// `toml` hands date-times over as a one-entry map under this private key.
const DATETIME_KEY: &str = "$__toml_private_datetime";

/// The document root, which `toml` does not give a span.
struct RawMap(Vec<(Positioned<String>, Positioned<Raw>)>);

impl<'de> Deserialize<'de> for RawMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(RawVisitor)?.value {
            Raw::Table(entries) => Ok(RawMap(entries)),
            _ => Err(de::Error::custom(
                "expected a table at the top of the document",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Positioned<Raw> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, RawVisitor)
    }
}

impl<'de> Deserialize<'de> for Positioned<String> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, KeyVisitor)
    }
}

/// The inside of a spanned value: any TOML value, without a span of its own.
struct Inner(Raw);

impl<'de> Deserialize<'de> for Inner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor).map(|p| Inner(p.value))
    }
}

fn plain<T>(value: T) -> Positioned<T> {
    Positioned { span: None, value }
}

/// Reads the rest of a span map whose start field was already read.
fn finish_span<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    start: usize,
    map: &mut A,
) -> Result<(Range<usize>, T), A::Error> {
    let mut end = None;
    let mut value = None;
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            END_FIELD => end = Some(map.next_value::<usize>()?),
            VALUE_FIELD => value = Some(map.next_value::<T>()?),
            other => return Err(de::Error::unknown_field(other, SPANNED_FIELDS)),
        }
    }
    match (end, value) {
        (Some(end), Some(value)) => Ok((start..end, value)),
        _ => Err(de::Error::custom("incomplete span")),
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Positioned<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(plain(v.to_owned()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<String>()?.as_deref() {
            Some(START_FIELD) => {
                let start = map.next_value::<usize>()?;
                let (span, value) = finish_span(start, &mut map)?;
                Ok(Positioned {
                    span: Some(span),
                    value,
                })
            }
            _ => Err(de::Error::custom("expected a key")),
        }
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Positioned<Raw>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(plain(Raw::Boolean(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(plain(Raw::Integer(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(|i| plain(Raw::Integer(i)))
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(plain(Raw::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(plain(Raw::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(plain(Raw::String(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Positioned<Raw>>()? {
            items.push(item);
        }
        Ok(plain(Raw::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Positioned<String>>()? {
            match key.value.as_str() {
                START_FIELD if entries.is_empty() => {
                    let start = map.next_value::<usize>()?;
                    let (span, Inner(value)) = finish_span(start, &mut map)?;
                    return Ok(Positioned {
                        span: Some(span),
                        value,
                    });
                }
                DATETIME_KEY if entries.is_empty() => {
                    let text: String = map.next_value()?;
                    return Ok(plain(Raw::Datetime(text)));
                }
                _ => {
                    let value = map.next_value::<Positioned<Raw>>()?;
                    entries.push((key, value));
                }
            }
        }
        Ok(plain(Raw::Table(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, col: u32) -> Loc {
        Loc { line, col }
    }

    #[test]
    fn keys_and_values_keep_their_positions() {
        let src = "id = \"x\"\n\n[[item]]\nid = \"a\"\nhints = [\"h1\", \"h2\"]\n\n[[item]]\nid = \"b\"\n";
        let doc = parse_document("f.toml", src).unwrap();
        assert_eq!(
            doc[0].0,
            Key {
                name: "id".into(),
                loc: at(1, 1)
            }
        );
        assert_eq!(doc[0].1.loc, at(1, 6));
        let Value::Array(items) = &doc[1].1.value else {
            panic!("items")
        };
        let Value::Table(first) = &items[0].value else {
            panic!("table")
        };
        assert_eq!(first[0].0.loc, at(4, 1));
        let Value::Array(hints) = &first[1].1.value else {
            panic!("hints")
        };
        assert_eq!(hints[1].loc, at(5, 16));
        let Value::Table(second) = &items[1].value else {
            panic!("table")
        };
        assert_eq!(second[0].1.loc, at(8, 6));
        eprintln!(
            "item table locs: {:?} {:?}, array {:?}",
            items[0].loc, items[1].loc, doc[1].1.loc
        );
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let err = parse_document("f.toml", "a = 1\nb = \"open\nc = 2\n").unwrap_err();
        assert_eq!((err.line, err.col), (2, 10), "{err}");
        assert!(err.message.starts_with("TOML syntax error: "), "{err}");
    }
}
