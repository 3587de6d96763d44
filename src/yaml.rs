//! A YAML reader for CloudFormation templates: builds the same span-keeping [`Json`] tree as
//! the JSON reader, turning the short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`, ...) into
//! their long forms and keeping YAML-1.1-looking dates such as `2012-10-17` as text.
//!
//! The events come from `saphyr-parser` (the parser of the `saphyr` YAML library, without its
//! loader, which expands aliases without bound). Aliases are expanded here under a node budget
//! so that an alias bomb is an error, not gigabytes; nesting stops at [`json::MAX_DEPTH`]
//! like the JSON reader; documents larger than [`MAX_BYTES`] are refused.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::diagnostic::{Diagnostic, Span};
use crate::json::{self, Json, Member, Parsed, Value};

/// The largest document read (CloudFormation accepts at most 1 MB from S3).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// The most nodes a document may hold, aliases expanded.
pub const MAX_NODES: usize = 1_000_000;

/// The most nodes aliases may add to a document. Templates seldom use aliases at all, and an
/// alias bomb is refused after this much copying rather than after a million nodes.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// CloudFormation's short-form tags and the long-form key each stands for.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// Reads the first YAML document of `text`. After an error it returns what was read, with
/// the open containers closed at the error, as [`json::parse`] does.
pub fn parse(text: &str) -> Parsed {
    if text.len() > MAX_BYTES {
        return Parsed {
            json: None,
            errors: vec![Diagnostic::error(Span::new(0, 0), format!("the document is larger than {} MB", MAX_BYTES / (1024 * 1024)))
                .with_help("split the template, or paste only the resources that matter")],
        };
    }
    let mut builder = Builder::new(text);
    let json = builder.run();
    // A document over a node budget is refused whole: its partial tree (up to a million
    // values) would only cost time and memory downstream.
    let json = json.filter(|_| !builder.refused);
    Parsed { json, errors: builder.errors }
}

/// One open sequence or mapping.
struct Frame {
    start: usize,
    end: usize,
    anchor: usize,
    tag: Option<(String, Span)>,
    /// Nodes in this container so far (itself included), for the alias budget.
    nodes: usize,
    items: Items,
}

enum Items {
    Sequence(Vec<Json>),
    /// `key` is a key read whose value has not been read yet.
    Mapping { members: Vec<Member>, key: Option<(String, Span)> },
}

struct Builder<'t> {
    text: &'t str,
    /// Byte offset of each character, when the text is not ASCII (marks count characters).
    offsets: Option<Vec<usize>>,
    stack: Vec<Frame>,
    /// Anchored values with their node counts.
    anchors: HashMap<usize, (Json, usize)>,
    nodes: usize,
    /// Nodes added by aliases.
    aliased: usize,
    /// Over a node budget: no tree is returned.
    refused: bool,
    errors: Vec<Diagnostic>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Builder<'t> {
        let offsets = if text.is_ascii() { None } else { Some(text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect()) };
        Builder { text, offsets, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, aliased: 0, refused: false, errors: Vec::new() }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.text.len()),
            Some(o) => o.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    fn span(&self, s: saphyr_parser::Span) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }

    fn run(&mut self) -> Option<Json> {
        let mut parser = Parser::new_from_str(self.text);
        let mut documents = 0;
        let mut root: Option<Json> = None;
        loop {
            let (event, span) = match parser.next_event() {
                None => break,
                Some(Ok(e)) => e,
                Some(Err(e)) => {
                    let at = self.scan_error(&e);
                    return root.or_else(|| self.close_all(at));
                }
            };
            let span = self.span(span);
            let finished = match event {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => None,
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents == 2 {
                        self.errors.push(
                            Diagnostic::warning(span, "only the first YAML document is read")
                                .with_help("paste one template or task definition at a time"),
                        );
                        break;
                    }
                    None
                }
                Event::Alias(id) => match self.anchors.get(&id).map(|(_, count)| *count) {
                    Some(count) => {
                        // Counted before the anchored value is copied.
                        if let Err(d) = self.count_aliased(count, span).and_then(|()| self.count(count, span)) {
                            self.errors.push(d);
                            return root.or_else(|| self.close_all(span.start));
                        }
                        let mut json = self.anchors[&id].0.clone();
                        json.span = span;
                        Some((json, count))
                    }
                    None => {
                        self.errors.push(Diagnostic::error(span, "alias to an unknown anchor").with_help("define the anchor with `&name` before using `*name`"));
                        return root.or_else(|| self.close_all(span.start));
                    }
                },
                Event::Scalar(value, style, anchor, tag) => {
                    if let Err(d) = self.count(1, span) {
                        self.errors.push(d);
                        return root.or_else(|| self.close_all(span.start));
                    }
                    let json = self.scalar(value, style, tag, span);
                    if anchor > 0 {
                        self.anchors.insert(anchor, (json.clone(), 1));
                    }
                    Some((json, 1))
                }
                Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                    let is_sequence = matches!(event, Event::SequenceStart(..));
                    if self.stack.len() == json::MAX_DEPTH {
                        self.errors.push(
                            Diagnostic::error(span, format!("nesting deeper than {} levels", json::MAX_DEPTH))
                                .with_help("a template or policy this deep is almost certainly a mistake; flatten it"),
                        );
                        return root.or_else(|| self.close_all(span.start));
                    }
                    if let Err(d) = self.count(1, span) {
                        self.errors.push(d);
                        return root.or_else(|| self.close_all(span.start));
                    }
                    let tag = tag.as_ref().and_then(|t| self.tag_name(t, span));
                    let items = if is_sequence { Items::Sequence(Vec::new()) } else { Items::Mapping { members: Vec::new(), key: None } };
                    self.stack.push(Frame { start: span.start, end: span.end, anchor, tag: tag.map(|t| (t, span)), nodes: 1, items });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else { continue };
                    let end = frame.end.max(span.end);
                    let (anchor, nodes, tag) = (frame.anchor, frame.nodes, frame.tag.clone());
                    let value = match frame.items {
                        Items::Sequence(items) => Value::Array(items),
                        Items::Mapping { members, .. } => Value::Object(members),
                    };
                    let mut json = Json { value, span: Span::new(frame.start, end) };
                    if let Some((tag, tag_span)) = tag {
                        json = self.apply_tag(&tag, tag_span, json);
                    }
                    if anchor > 0 {
                        self.anchors.insert(anchor, (json.clone(), nodes));
                    }
                    Some((json, nodes))
                }
            };
            if let Some((json, nodes)) = finished {
                match self.stack.last_mut() {
                    None => {
                        if root.is_none() {
                            root = Some(json);
                        }
                    }
                    Some(frame) => {
                        frame.nodes += nodes;
                        frame.end = frame.end.max(json.span.end);
                        if let Err(d) = push(frame, json) {
                            self.errors.push(d);
                            return root.or_else(|| self.close_all(span.start));
                        }
                    }
                }
            }
        }
        root
    }

    /// Adds `n` nodes to the count of nodes copied by aliases, or says they are too many.
    fn count_aliased(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.aliased = self.aliased.saturating_add(n);
        if self.aliased > MAX_ALIAS_NODES {
            self.refused = true;
            return Err(Diagnostic::error(span, format!("the document expands to more than {MAX_ALIAS_NODES} values through aliases"))
                .with_help("an alias (`*name`) repeats a large anchored value; write the values out or reduce the aliases"));
        }
        Ok(())
    }

    /// Adds `n` nodes to the document's count, or says the document is too large.
    fn count(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            self.refused = true;
            let help = if self.aliased > 0 {
                "an alias (`*name`) repeats a large anchored value; write the values out or reduce the aliases"
            } else {
                "split the template, or paste only the resources that matter"
            };
            return Err(Diagnostic::error(span, format!("the document expands to more than {MAX_NODES} values")).with_help(help));
        }
        Ok(())
    }

    fn scan_error(&mut self, e: &ScanError) -> usize {
        let at = self.byte(e.marker().index());
        let end = self.text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        self.errors.push(
            Diagnostic::error(Span::new(at, end), format!("invalid YAML: {}", e.info()))
                .with_help("check the indentation and the quoting around this point"),
        );
        at
    }

    /// Closes every open container at `at`, innermost first, and returns the root.
    fn close_all(&mut self, at: usize) -> Option<Json> {
        let mut done: Option<Json> = None;
        while let Some(mut frame) = self.stack.pop() {
            if let Some(child) = done.take() {
                let _ = push(&mut frame, child);
            }
            let value = match frame.items {
                Items::Sequence(items) => Value::Array(items),
                Items::Mapping { members, .. } => Value::Object(members),
            };
            done = Some(Json { value, span: Span::new(frame.start, at.max(frame.start)) });
        }
        done
    }

    /// The name of a local tag (`!Ref` → `Ref`); core-schema tags (`!!str`) give `!!str`.
    fn tag_name(&mut self, tag: &Tag, span: Span) -> Option<String> {
        if tag.handle == "!" {
            return Some(tag.suffix.clone());
        }
        if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
            return Some(format!("!!{}", tag.suffix));
        }
        self.errors.push(Diagnostic::warning(span, format!("tag `{}{}` is ignored", tag.handle, tag.suffix)));
        None
    }

    fn scalar(&mut self, value: Cow<'_, str>, style: ScalarStyle, tag: Option<Cow<'_, Tag>>, span: Span) -> Json {
        let tag = tag.and_then(|t| self.tag_name(&t, span));
        let plain = style == ScalarStyle::Plain;
        let json = match tag.as_deref() {
            Some("!!str") => Json { value: Value::String(value.to_string()), span },
            Some(t) if t.starts_with("!!") => Json { value: plain_value(&value, true), span },
            _ => Json { value: plain_value(&value, plain), span },
        };
        match tag {
            Some(t) if !t.starts_with("!!") => {
                // `!GetAtt Role.Arn` is the one short form whose scalar changes shape.
                if t == "GetAtt" {
                    if let Value::String(s) = &json.value {
                        return self.get_att(s, span);
                    }
                }
                // A tag on an empty scalar (`!Ref` alone) applies to the empty string.
                let json = if matches!(json.value, Value::Null) && plain && value.is_empty() { Json { value: Value::String(String::new()), span } } else { json };
                self.apply_tag(&t, span, json)
            }
            _ => json,
        }
    }

    /// `!GetAtt Resource.Attribute` → `{"Fn::GetAtt": ["Resource", "Attribute"]}`, split at the
    /// first dot (logical IDs are alphanumeric; attribute names may hold dots).
    fn get_att(&mut self, s: &str, span: Span) -> Json {
        let raw = self.text.get(span.start..span.end).unwrap_or("");
        // Spans of the two halves when the scalar is written as is (unquoted, on one line).
        let inner = raw.find(s).filter(|_| !s.is_empty()).map(|i| span.start + i);
        let Some((resource, attribute)) = s.split_once('.') else {
            self.errors.push(
                Diagnostic::error(span, format!("`!GetAtt {s}` needs a resource and an attribute"))
                    .with_help("write `!GetAtt Resource.Attribute`, for example `!GetAtt TaskRole.Arn`"),
            );
            return wrap("Fn::GetAtt", span, Json { value: Value::String(s.to_string()), span });
        };
        let (rs, at) = match inner {
            Some(i) => (Span::new(i, i + resource.len()), Span::new(i + resource.len() + 1, i + s.len())),
            None => (span, span),
        };
        let list = Json {
            value: Value::Array(vec![Json { value: Value::String(resource.to_string()), span: rs }, Json { value: Value::String(attribute.to_string()), span: at }]),
            span,
        };
        wrap("Fn::GetAtt", span, list)
    }

    fn apply_tag(&mut self, tag: &str, span: Span, json: Json) -> Json {
        if tag.starts_with("!!") {
            return json;
        }
        match SHORT_FORMS.iter().find(|(short, _)| *short == tag) {
            Some((_, long)) => wrap(long, span, json),
            None => {
                self.errors.push(
                    Diagnostic::warning(span, format!("unknown tag `!{tag}` is ignored"))
                        .with_help("CloudFormation's short forms are `!Ref`, `!Sub`, `!GetAtt`, `!Join`, `!If`, `!Select`, `!Split`, `!FindInMap`, ..."),
                );
                json
            }
        }
    }
}

/// `{"KEY": value}` spanning the value.
fn wrap(key: &str, span: Span, value: Json) -> Json {
    let span = Span::new(span.start.min(value.span.start), span.end.max(value.span.end));
    Json { value: Value::Object(vec![Member { key: key.to_string(), key_span: span, value }]), span }
}

/// Adds a finished node to a container: an element, a mapping key, or a key's value.
fn push(frame: &mut Frame, json: Json) -> Result<(), Diagnostic> {
    match &mut frame.items {
        Items::Sequence(items) => items.push(json),
        Items::Mapping { members, key: pending } => match pending.take() {
            Some((key, key_span)) => members.push(Member { key, key_span, value: json }),
            None => {
                let key = match &json.value {
                    Value::String(s) | Value::Number(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => String::new(),
                    _ => {
                        return Err(Diagnostic::error(json.span, format!("a mapping key must be a scalar, found {}", json.kind()))
                            .with_help("write keys as plain text, for example `Effect:`"));
                    }
                };
                *pending = Some((key, json.span));
            }
        },
    }
    Ok(())
}

/// A plain scalar read with the YAML 1.2 core schema, restricted to values JSON can hold:
/// `null`/`~`/empty, `true`/`false`, and numbers in JSON's own syntax. Everything else,
/// `2012-10-17` and `yes` included, stays text (CloudFormation reads those as strings).
fn plain_value(text: &str, plain: bool) -> Value {
    if !plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_json_number(text) => Value::Number(text.to_string()),
        _ => Value::String(text.to_string()),
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    let int_start = i;
    if !digits(&mut i) || (b[int_start] == b'0' && i - int_start > 1) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Json {
        let parsed = parse(text);
        assert!(parsed.errors.is_empty(), "{text}: {:?}", parsed.errors);
        parsed.json.unwrap()
    }

    fn check(text: &str, expected: serde_json::Value) {
        assert_eq!(read(text).to_serde(), expected, "{text}");
    }

    fn spanned(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn scalars_follow_the_core_schema_but_dates_stay_text() {
        check("Version: 2012-10-17", json!({"Version": "2012-10-17"}));
        check("a: 1\nb: -2.5e3\nc: true\nd: ~\ne:\nf: yes\ng: '1'\nh: 0x1F\ni: 012", json!({"a": 1, "b": -2500.0, "c": true, "d": null, "e": null, "f": "yes", "g": "1", "h": "0x1F", "i": "012"}));
        check("- !!str 12\n- \"true\"", json!(["12", "true"]));
        check("k: |\n  line one\n  line two\n", json!({"k": "line one\nline two\n"}));
    }

    #[test]
    fn short_forms_become_long_forms() {
        let cases: &[(&str, serde_json::Value)] = &[
            ("!Ref TaskRole", json!({"Ref": "TaskRole"})),
            ("!GetAtt TaskRole.Arn", json!({"Fn::GetAtt": ["TaskRole", "Arn"]})),
            ("!GetAtt [TaskRole, Arn]", json!({"Fn::GetAtt": ["TaskRole", "Arn"]})),
            ("!GetAtt Db.Endpoint.Address", json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})),
            ("!Sub 'arn:${AWS::Partition}:s3:::b/*'", json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"})),
            ("!Sub\n  - 'x-${A}'\n  - A: !Ref P", json!({"Fn::Sub": ["x-${A}", {"A": {"Ref": "P"}}]})),
            ("!Join ['', [a, !Ref B]]", json!({"Fn::Join": ["", ["a", {"Ref": "B"}]]})),
            ("!If [C, a, !Ref AWS::NoValue]", json!({"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]})),
            ("!Select [0, !GetAZs '']", json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})),
            ("!Split [',', a]", json!({"Fn::Split": [",", "a"]})),
            ("!Equals [!Ref Env, prod]", json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})),
            ("!Not [!Condition C]", json!({"Fn::Not": [{"Condition": "C"}]})),
            ("!And [!Condition A, !Condition B]", json!({"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]})),
            ("!Or [!Condition A, !Condition B]", json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]})),
            ("!FindInMap [M, K, V]", json!({"Fn::FindInMap": ["M", "K", "V"]})),
            ("!Base64 x", json!({"Fn::Base64": "x"})),
            ("!Cidr [a, 6, 5]", json!({"Fn::Cidr": ["a", 6, 5]})),
            ("!ImportValue Shared", json!({"Fn::ImportValue": "Shared"})),
            ("!GetAZs", json!({"Fn::GetAZs": ""})),
        ];
        for (text, expected) in cases {
            check(text, expected.clone());
        }
    }

    #[test]
    fn spans_are_byte_ranges_of_the_text() {
        let text = "Role:\n  Arn: !GetAtt TaskRole.Arn\n  Name: \"é-x\"\n  Other: plain\n";
        let root = read(text);
        let role = root.get("Role").unwrap();
        let arn = role.get("Arn").unwrap();
        let list = arn.get("Fn::GetAtt").unwrap().as_array().unwrap();
        assert_eq!(spanned(text, list[0].span), "TaskRole");
        assert_eq!(spanned(text, list[1].span), "Arn");
        let members = role.as_object().unwrap();
        assert_eq!(spanned(text, members[1].key_span), "Name");
        assert_eq!(spanned(text, members[1].value.span), "\"é-x\"");
        // after a two-byte character, offsets are still bytes
        assert_eq!(spanned(text, members[2].value.span), "plain");
    }

    #[test]
    fn syntax_errors_point_at_the_text_and_keep_what_was_read() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let parsed = parse(text);
        assert_eq!(parsed.errors.len(), 1);
        let e = &parsed.errors[0];
        assert!(e.message.starts_with("invalid YAML: "), "{}", e.message);
        assert!(e.help.is_some());
        let at = crate::diagnostic::line_column(text, e.span.start);
        assert_eq!(at.line, 3, "{e:?}");
        assert_eq!(parsed.json.unwrap().get("a").unwrap().to_serde(), json!(1));

        let tabs = parse("a:\n\t- b");
        assert_eq!(tabs.errors.len(), 1);
    }

    #[test]
    fn alias_bombs_are_an_error() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let this = (b'a' + i) as char;
            text.push_str(&format!("{this}: &{this} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let parsed = parse(&text);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "the document expands to more than 100000 values through aliases", "{:?}", parsed.errors);
        assert!(parsed.json.is_none(), "no partial tree of a hundred thousand values");
        // Without aliases, a document of over a million values is refused the same way.
        let values = format!("[{}]", vec!["1"; MAX_NODES].join(","));
        let parsed = parse(&values);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "the document expands to more than 1000000 values");
        assert_eq!(parsed.errors[0].help.as_deref(), Some("split the template, or paste only the resources that matter"));
        assert!(parsed.json.is_none());
        // small aliases are fine
        check("a: &x [1, 2]\nb: *x", json!({"a": [1, 2], "b": [1, 2]}));
    }

    #[test]
    fn deep_nesting_and_huge_documents_are_refused() {
        // Flow nesting stops in the parser (its own recursion limit), block nesting here.
        let deep = "[".repeat(10_000);
        let parsed = parse(&deep);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.errors[0].message, "invalid YAML: recursion limit exceeded");
        let block: String = (0..300).map(|i| format!("{}k:\n", "  ".repeat(i))).collect();
        let parsed = parse(&block);
        assert!(parsed.errors.iter().any(|e| e.message == "nesting deeper than 256 levels"), "{:?}", parsed.errors);
        let ok = format!("{}{}", "[".repeat(200), "]".repeat(200));
        read(&ok);
        let big = "a".repeat(MAX_BYTES + 1);
        assert_eq!(parse(&big).errors[0].message, "the document is larger than 4 MB");
    }

    #[test]
    fn unknown_tags_warn_and_complex_keys_are_errors() {
        let parsed = parse("a: !Foo x");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "unknown tag `!Foo` is ignored");
        assert_eq!(parsed.json.unwrap().to_serde(), json!({"a": "x"}));
        let parsed = parse("? [a]\n: 1");
        assert_eq!(parsed.errors[0].message, "a mapping key must be a scalar, found array");
    }

    #[test]
    fn only_the_first_document_is_read() {
        let parsed = parse("a: 1\n---\nb: 2\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "only the first YAML document is read");
        assert_eq!(parsed.json.unwrap().to_serde(), json!({"a": 1}));
    }

    #[test]
    fn json_is_yaml() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#;
        assert_eq!(read(text).to_serde(), json::parse(text).json.unwrap().to_serde());
    }
}
