//! A flat text form of a read document ([`Parsed`]: the span-keeping tree and its
//! diagnostics), for handing a tree from one wasm module to another.
//!
//! The page's main module leaves the YAML reader out (it is a third of the app's size) and
//! loads it as a second module when a YAML text first appears; that module returns its
//! tree in this form. Spans stay those of the user's text, so diagnostics and highlights
//! point at the YAML as written.
//!
//! One item per line, in document order; `S E` is a span:
//! `n S E` null, `t S E` / `f S E` booleans, `d S E TEXT` number, `s S E TEXT` string,
//! `a S E COUNT` array, `o S E COUNT` object (then COUNT times: `k S E KEY` and the value),
//! `E S E MESSAGE` / `W S E MESSAGE` a diagnostic, optionally followed by `h HELP`.
//! The tree, if any, comes first. In TEXT a backslash, a line feed and a carriage return are
//! written `\\`, `\n` and `\r`. Decoding never recurses, checks every count and refuses
//! nesting deeper than [`MAX_DEPTH`].

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::json::{self, Json, Member, Parsed, Value};

/// The deepest nesting decoded: the readers stop at [`json::MAX_DEPTH`], and a YAML tag
/// may wrap a value in one more object.
pub const MAX_DEPTH: usize = 2 * json::MAX_DEPTH;

/// Writes `parsed` in the flat form.
pub fn encode(parsed: &Parsed) -> String {
    let mut out = String::new();
    if let Some(root) = &parsed.json {
        // Document order with an explicit stack: a node, then its children.
        let mut stack: Vec<Item> = vec![Item::Node(root)];
        while let Some(item) = stack.pop() {
            match item {
                Item::Key(member) => {
                    line(&mut out, 'k', member.key_span, Some(&member.key));
                    stack.push(Item::Node(&member.value));
                }
                Item::Node(json) => match &json.value {
                    Value::Null => line(&mut out, 'n', json.span, None),
                    Value::Bool(true) => line(&mut out, 't', json.span, None),
                    Value::Bool(false) => line(&mut out, 'f', json.span, None),
                    Value::Number(text) => line(&mut out, 'd', json.span, Some(text)),
                    Value::String(text) => line(&mut out, 's', json.span, Some(text)),
                    Value::Array(items) => {
                        line(&mut out, 'a', json.span, Some(&items.len().to_string()));
                        stack.extend(items.iter().rev().map(Item::Node));
                    }
                    Value::Object(members) => {
                        line(&mut out, 'o', json.span, Some(&members.len().to_string()));
                        stack.extend(members.iter().rev().map(Item::Key));
                    }
                },
            }
        }
    }
    for d in &parsed.errors {
        line(&mut out, if d.is_error() { 'E' } else { 'W' }, d.span, Some(&d.message));
        if let Some(help) = &d.help {
            out.push_str("h ");
            escape_into(&mut out, help);
            out.push('\n');
        }
    }
    out
}

enum Item<'a> {
    Node(&'a Json),
    Key(&'a Member),
}

fn line(out: &mut String, kind: char, span: Span, text: Option<&str>) {
    out.push(kind);
    out.push(' ');
    out.push_str(&span.start.to_string());
    out.push(' ');
    out.push_str(&span.end.to_string());
    if let Some(text) = text {
        out.push(' ');
        escape_into(out, text);
    }
    out.push('\n');
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => return Err(format!("bad escape `\\{}`", other.map(String::from).unwrap_or_default())),
        }
    }
    Ok(out)
}

/// A container being filled while decoding.
struct Open {
    span: Span,
    remaining: usize,
    kind: OpenKind,
}

enum OpenKind {
    Array(Vec<Json>),
    /// Members read so far, and the key waiting for its value.
    Object(Vec<Member>, Option<(String, Span)>),
}

/// Reads the flat form back. An error means the text was not written by [`encode`].
pub fn decode(text: &str) -> Result<Parsed, String> {
    let mut lines = text.lines().enumerate().peekable();
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Json> = None;
    let mut errors = Vec::new();
    while let Some((number, raw)) = lines.next() {
        let fail = |message: String| format!("line {}: {message}", number + 1);
        let mut parts = raw.splitn(4, ' ');
        let kind = parts.next().unwrap_or_default();
        if kind == "h" {
            let help = unescape(raw.get(2..).unwrap_or_default()).map_err(fail)?;
            let last: &mut Diagnostic = errors.last_mut().ok_or_else(|| fail("a help line without a diagnostic".into()))?;
            last.help = Some(help);
            continue;
        }
        let mut number_at = |what: &str| -> Result<usize, String> {
            parts.next().and_then(|s| s.parse().ok()).ok_or_else(|| fail(format!("no {what}")))
        };
        let span = Span::new(number_at("start")?, number_at("end")?);
        let rest = parts.next().unwrap_or_default();
        let count = || rest.parse::<usize>().map_err(|_| fail("no count".into()));
        let value = match kind {
            "E" | "W" => {
                let severity = if kind == "E" { Severity::Error } else { Severity::Warning };
                errors.push(Diagnostic { severity, span, message: unescape(rest).map_err(fail)?, help: None });
                continue;
            }
            "k" => {
                match stack.last_mut() {
                    Some(Open { kind: OpenKind::Object(_, pending @ None), .. }) => *pending = Some((unescape(rest).map_err(fail)?, span)),
                    _ => return Err(fail("a key outside an object".into())),
                }
                continue;
            }
            "n" => Value::Null,
            "t" => Value::Bool(true),
            "f" => Value::Bool(false),
            "d" => Value::Number(unescape(rest).map_err(fail)?),
            "s" => Value::String(unescape(rest).map_err(fail)?),
            "a" | "o" => {
                let remaining = count()?;
                // A count can never exceed the lines left: a tampered count cannot reserve memory.
                if remaining > text.len() {
                    return Err(fail("a count larger than the text".into()));
                }
                if stack.len() == MAX_DEPTH {
                    return Err(fail(format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let kind = if kind == "a" { OpenKind::Array(Vec::new()) } else { OpenKind::Object(Vec::new(), None) };
                stack.push(Open { span, remaining, kind });
                close_filled(&mut stack, &mut root).map_err(fail)?;
                continue;
            }
            other => return Err(fail(format!("unknown item `{other}`"))),
        };
        place(&mut stack, &mut root, Json { value, span }).map_err(fail)?;
        close_filled(&mut stack, &mut root).map_err(fail)?;
    }
    if !stack.is_empty() {
        return Err("the text ends inside an array or object".into());
    }
    Ok(Parsed { json: root, errors })
}

/// Puts a finished value into the innermost open container, or makes it the root.
fn place(stack: &mut [Open], root: &mut Option<Json>, json: Json) -> Result<(), String> {
    match stack.last_mut() {
        None if root.is_none() => *root = Some(json),
        None => return Err("a second root value".into()),
        Some(open) => {
            if open.remaining == 0 {
                return Err("more items than the count".into());
            }
            open.remaining -= 1;
            match &mut open.kind {
                OpenKind::Array(items) => items.push(json),
                OpenKind::Object(members, pending) => {
                    let (key, key_span) = pending.take().ok_or("an object value without a key")?;
                    members.push(Member { key, key_span, value: json });
                }
            }
        }
    }
    Ok(())
}

/// Closes every innermost container that has all its items.
fn close_filled(stack: &mut Vec<Open>, root: &mut Option<Json>) -> Result<(), String> {
    while stack.last().is_some_and(|open| open.remaining == 0) {
        let open = stack.pop().expect("checked above");
        let value = match open.kind {
            OpenKind::Array(items) => Value::Array(items),
            OpenKind::Object(members, _) => Value::Object(members),
        };
        place(stack, root, Json { value, span: open.span })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    fn round_trip(parsed: &Parsed) {
        let text = encode(parsed);
        assert_eq!(&decode(&text).unwrap(), parsed, "{text}");
    }

    #[test]
    fn json_documents_round_trip() {
        for text in [
            "",
            "null",
            "[]",
            "{}",
            r#"{"a": [1, 2.5e3, true, false, null, "x\ny\\z\r"], "b": {"c": {}}, "a": "dup", "": ""}"#,
            r#"[[[[["deep"]]]], {"k": [{"k": []}]}]"#,
            r#"{"unterminated": [1, "#,
            r#"{"é": "\u00e9 – ☃", "q": "line\\nnot a newline"}"#,
        ] {
            round_trip(&json::parse(text));
        }
    }

    #[test]
    fn diagnostics_keep_severity_span_and_help() {
        let parsed = Parsed {
            json: None,
            errors: vec![
                Diagnostic::error(Span::new(3, 9), "bad\nthing").with_help("fix it \\ here"),
                Diagnostic::warning(Span::new(0, 0), "just a note"),
            ],
        };
        round_trip(&parsed);
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize| {
            let mut json = Json { value: Value::Null, span: Span::new(0, 0) };
            for i in 0..depth {
                json = Json { value: Value::Array(vec![json]), span: Span::new(i, i + 1) };
            }
            Parsed { json: Some(json), errors: vec![] }
        };
        round_trip(&nested(MAX_DEPTH));
        let too_deep = encode(&nested(MAX_DEPTH + 1));
        assert!(decode(&too_deep).unwrap_err().contains("nesting deeper"));
        // A tampered text a hundred thousand levels deep stops at the limit too.
        assert!(decode(&"a 0 1 1\n".repeat(100_000)).is_err());
    }

    #[test]
    fn text_not_written_by_encode_is_an_error_not_a_panic() {
        for text in [
            "x 1 2",
            "s 1",
            "a 0 1 5\nn 1 1",
            "o 0 1 1\nn 1 1",
            "k 0 1 key",
            "a 0 1 99999999999999999999",
            "a 0 1 1000000",
            "n 0 1\nn 0 1",
            "h help first",
            "s 0 1 bad \\x escape",
            "a 0 1 2\nn 1 1\nn 1 1\nn 1 1",
        ] {
            assert!(decode(text).is_err(), "{text}");
        }
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_documents_round_trip() {
        for text in [
            "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub '${AWS::StackName}-task'\n",
            "a: &x [1, 2]\nb: *x\nc: |\n  two\n  lines\n",
            "key: [unclosed",
        ] {
            round_trip(&crate::yaml::parse(text));
        }
    }
}
