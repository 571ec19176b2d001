//! Values that must never reach a log or a terminal: [`Secret`] (tokens) and
//! [`DatabaseUrl`] (whose password part is hidden when shown).
//!
//! Both print `[redacted]` in place of the secret through `Debug`, `Display` and
//! `Serialize`; the real value is only reachable through `expose()`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const REDACTED: &str = "[redacted]";

/// A token or password, read from the environment only.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself, for the one call that needs it (a login, a connect).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// A database URL whose password, if any, is hidden when shown.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }
    /// The full URL, password included, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True when the URL carries a password (`scheme://user:password@host`).
    pub fn has_password(&self) -> bool {
        self.password_range().is_some()
    }
    fn password_range(&self) -> Option<(usize, usize)> {
        let start = self.0.find("://")? + 3;
        let authority_end = self.0[start..]
            .find(['/', '?'])
            .map_or(self.0.len(), |i| start + i);
        let at = self.0[start..authority_end].rfind('@')? + start;
        let colon = self.0[start..at].find(':')? + start;
        Some((colon + 1, at))
    }
    /// The URL as it may be shown: the password replaced by `[redacted]`.
    pub fn redacted(&self) -> String {
        match self.password_range() {
            Some((from, to)) => format!("{}{REDACTED}{}", &self.0[..from], &self.0[to..]),
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(DatabaseUrl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_hidden_when_shown() {
        let url = DatabaseUrl::new("postgres://ladder:hunter2@db.internal:5432/ladder?ssl=1");
        assert!(url.has_password());
        assert_eq!(
            url.redacted(),
            "postgres://ladder:[redacted]@db.internal:5432/ladder?ssl=1"
        );
        assert!(!format!("{url:?} {url}").contains("hunter2"));
        assert_eq!(
            url.expose(),
            "postgres://ladder:hunter2@db.internal:5432/ladder?ssl=1"
        );
    }

    #[test]
    fn urls_without_password_are_shown_as_they_are() {
        for plain in [
            "sqlite://ladder.db?mode=rwc",
            "postgres://postgres@127.0.0.1/test",
        ] {
            let url = DatabaseUrl::new(plain);
            assert!(!url.has_password());
            assert_eq!(url.redacted(), plain);
        }
    }

    #[test]
    fn secrets_never_print() {
        let token = Secret::new("MTk4.secret.token");
        let shown = format!(
            "{token:?} {token} {}",
            serde_json::to_string(&token).unwrap()
        );
        assert!(!shown.contains("MTk4"));
        assert_eq!(token.expose(), "MTk4.secret.token");
    }
}
