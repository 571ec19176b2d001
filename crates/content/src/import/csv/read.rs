//! A small RFC 4180 reader that keeps the byte offset of every field, so that problems
//! can be reported at `line:col` (the `csv` crate reports records, not fields).

/// One field's text and where it starts in the file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Field {
    pub text: String,
    pub at: usize,
}

/// Splits the file into records of fields. Quoted fields may hold commas, newlines and
/// doubled quotes. A file that cannot be read gives the offset and the reason.
pub(super) fn records(src: &str) -> Result<Vec<Vec<Field>>, (usize, String)> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut chars = src.char_indices().peekable();
    loop {
        let start = chars.peek().map_or(src.len(), |&(i, _)| i);
        let mut text = String::new();
        if chars.peek().is_some_and(|&(_, c)| c == '"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err((
                            start,
                            "quoted field is never closed (missing \")".to_owned(),
                        ))
                    }
                    Some((_, '"')) if chars.peek().is_some_and(|&(_, c)| c == '"') => {
                        chars.next();
                        text.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => text.push(c),
                }
            }
            if let Some(&(i, c)) = chars.peek() {
                if !matches!(c, ',' | '\n' | '\r') {
                    return Err((i, "unexpected text after a closing quote".to_owned()));
                }
            }
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if matches!(c, ',' | '\n' | '\r') {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        record.push(Field { text, at: start });
        match chars.next() {
            Some((_, ',')) => continue,
            Some((_, '\r')) => {
                if chars.peek().is_some_and(|&(_, c)| c == '\n') {
                    chars.next();
                }
            }
            Some(_) => {}
            None => {
                push_record(&mut records, record);
                return Ok(records);
            }
        }
        push_record(&mut records, std::mem::take(&mut record));
        if chars.peek().is_none() {
            return Ok(records);
        }
    }
}

/// A trailing empty line is not a record.
fn push_record(records: &mut Vec<Vec<Field>>, record: Vec<Field>) {
    if !(record.len() == 1 && record[0].text.is_empty()) {
        records.push(record);
    }
}

/// Splits a list cell at unescaped `|`; `\|` is a bar and `\\` a backslash.
pub(super) fn split_list(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('|' | '\\')) => current.push(n),
                Some(n) => {
                    current.push('\\');
                    current.push(n);
                }
                None => current.push('\\'),
            },
            '|' => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines() {
        let rows = records("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\n\n").unwrap();
        let texts: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(|f| f.text.as_str()).collect())
            .collect();
        assert_eq!(texts, [vec!["a", "b"], vec!["x, \"y\"", "two\nlines"]]);
        assert_eq!(rows[1][1].at, 16);
    }

    #[test]
    fn broken_quotes_are_reported_where_they_are() {
        assert_eq!(records("a,\"open\n").unwrap_err().0, 2);
        assert_eq!(
            records("\"a\"b,c\n").unwrap_err(),
            (3, "unexpected text after a closing quote".into())
        );
    }

    #[test]
    fn lists_split_on_unescaped_bars() {
        assert_eq!(split_list(" a | b\\|c |\\\\d| "), ["a", "b|c", "\\d"]);
    }
}
