//! Just enough multipart/form-data parsing to read serenity's uploads: the `payload_json`
//! part and the `files[n]` parts.

use serde_json::Value;

/// (payload_json, [(field name, file name, size)]).
pub fn parse(content_type: &str, body: &[u8]) -> (Value, Vec<(String, String, usize)>) {
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return (Value::Null, Vec::new());
    };
    let delimiter = format!("--{}", boundary.trim_matches('"'));
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in split(body, delimiter.as_bytes()) {
        let Some(head_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..head_end]);
        let mut content = &part[head_end + 4..];
        if content.ends_with(b"\r\n") {
            content = &content[..content.len() - 2];
        }
        let name = attr(&head, "name").unwrap_or_default();
        match attr(&head, "filename") {
            Some(filename) => files.push((name, filename, content.len())),
            None if name == "payload_json" => {
                payload = serde_json::from_slice(content).unwrap_or(Value::Null)
            }
            None => {}
        }
    }
    (payload, files)
}

fn attr(head: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=\"");
    let start = head.find(&needle)? + needle.len();
    let end = head[start..].find('"')? + start;
    Some(head[start..end].to_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(i) = find(rest, delimiter) {
        let (part, tail) = rest.split_at(i);
        if !part.is_empty() {
            parts.push(part);
        }
        rest = &tail[delimiter.len()..];
    }
    parts
        .into_iter()
        .map(|p| p.strip_prefix(b"\r\n").unwrap_or(p))
        .collect()
}
