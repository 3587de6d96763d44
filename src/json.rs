//! A strict JSON reader for policy documents that keeps byte spans, never recurses, and recovers the partial tree after a syntax error.

use crate::diagnostic::{Diagnostic, Span};

/// A JSON value and the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The literal text, so no precision is lost and the reader above decides how to read it.
    Number(String),
    /// The unescaped content.
    String(String),
    Array(Vec<Json>),
    /// Members in document order. Duplicate keys are kept: the readers above report them.
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    /// The key literal, quotes included.
    pub key_span: Span,
    pub value: Json,
}

/// The deepest nesting of arrays and objects that [`parse`] accepts.
pub const MAX_DEPTH: usize = 256;

/// What [`parse`] could read, and what was wrong with the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document, or as much of it as was read before the first syntax error.
    pub json: Option<Json>,
    pub errors: Vec<Diagnostic>,
}

/// Reads one JSON document. After the first syntax error it stops and returns the values read
/// so far, with the containers still open closed at the error.
pub fn parse(text: &str) -> Parsed {
    let mut parser = Parser::new(text);
    let json = parser.document();
    Parsed { json, errors: parser.errors }
}

impl Json {
    /// The JSON type name, as used in messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The value of the first member with exactly this key.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.iter().find(|m| m.key == key).map(|m| &m.value)
    }

    /// Whether two values are the same, spans aside: numbers by value, objects by their
    /// members in any order (for a duplicate key the last member wins). Recurses, like
    /// [`Json::to_serde`], over trees at most [`MAX_DEPTH`] deep.
    pub fn same_value(&self, other: &Json) -> bool {
        match (&self.value, &other.value) {
            (Value::Number(a), Value::Number(b)) => a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y),
            (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y)),
            (Value::Object(a), Value::Object(b)) => {
                fn last_wins(members: &[Member]) -> std::collections::BTreeMap<&str, &Json> {
                    members.iter().map(|m| (m.key.as_str(), &m.value)).collect()
                }
                let (a, b) = (last_wins(a), last_wins(b));
                a.len() == b.len() && a.iter().zip(&b).all(|((ka, va), (kb, vb))| ka == kb && va.same_value(vb))
            }
            (a, b) => a == b,
        }
    }

    /// The same value as a `serde_json::Value` (for a duplicate key the last member wins, as in
    /// serde_json). This recurses, which is fine for trees from [`parse`]: they are at most
    /// [`MAX_DEPTH`] deep.
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(literal) => number_to_serde(literal),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Json::to_serde).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::new();
                for member in members {
                    map.insert(member.key.clone(), member.value.to_serde());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

/// Whether the member at `index` repeats the key of an earlier member. `seen` holds the
/// keys of a large object, filled on first use; a small object (nearly every one) is
/// scanned instead, which is cheaper than hashing its keys. Callers ask for every index in
/// order, so an object costs linear time either way.
pub(crate) fn repeats_key<'a>(members: &'a [Member], index: usize, seen: &mut Option<std::collections::HashSet<&'a str>>) -> bool {
    const SCAN: usize = 16;
    let key = members[index].key.as_str();
    if members.len() <= SCAN {
        return members[..index].iter().any(|m| m.key == key);
    }
    let seen = seen.get_or_insert_with(|| std::collections::HashSet::with_capacity(members.len()));
    !seen.insert(key)
}

/// A small JSON document written by the core (a checklist line's fix or request): compact
/// text, keys in sorted order. It serialises as the JSON value it holds, so the command
/// line's JSON output nests it; the page shows the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(pub String);

impl JsonText {
    /// An object of members whose values are JSON texts already; keys are sorted.
    pub fn object<K: AsRef<str>>(members: impl IntoIterator<Item = (K, String)>) -> JsonText {
        let mut members: Vec<(K, String)> = members.into_iter().collect();
        members.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let body: Vec<String> = members.iter().map(|(k, v)| format!("{}:{v}", crate::document::json_string(k.as_ref()))).collect();
        JsonText(format!("{{{}}}", body.join(",")))
    }

    /// A string value as JSON text.
    pub fn string(s: &str) -> String {
        crate::document::json_string(s)
    }
}

impl std::fmt::Display for JsonText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for JsonText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: serde_json::Value = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        value.serialize(serializer)
    }
}

/// Integers go through serde_json, which keeps them exact. Other numbers go through the
/// standard library, which rounds correctly (serde_json's default float parser may be off by
/// one unit in the last place, so a float would not survive the round trip). A number that
/// does not fit an `f64` stays as its text.
fn number_to_serde(literal: &str) -> serde_json::Value {
    if let Ok(serde_json::Value::Number(n)) = serde_json::from_str::<serde_json::Value>(literal) {
        if n.is_i64() || n.is_u64() {
            return serde_json::Value::Number(n);
        }
    }
    match literal.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) => serde_json::Value::Number(n),
        None => serde_json::Value::String(literal.to_string()),
    }
}

/// How offsets inside a JSON string literal's value map back to the text holding the
/// literal, escapes included: a checkpoint after each escape sequence, so the map stays small
/// (one point per line for a multi-line text) and a lookup is a binary search. Used to point
/// diagnostics of a text embedded in a string (a YAML template in `task_definition`) at the
/// scenario text exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringMap {
    /// `(offset in the value, offset in the text)`, ascending in both; the first is the start.
    points: Vec<(usize, usize)>,
    /// The offset of the closing quote: no value offset maps past it.
    close: usize,
}

impl StringMap {
    /// The map of the literal at `span` whose value is `value`; `None` when `span` is not a
    /// complete string literal of `text` decoding to `value`'s length.
    pub fn new(text: &str, span: Span, value: &str) -> Option<StringMap> {
        let literal = text.get(span.start..span.end)?.as_bytes();
        if literal.len() < 2 || literal[0] != b'"' || literal[literal.len() - 1] != b'"' {
            return None;
        }
        let content = &literal[1..literal.len() - 1];
        let mut points = vec![(0, span.start + 1)];
        let (mut raw, mut decoded) = (0, 0);
        while raw < content.len() {
            if content[raw] != b'\\' {
                raw += 1;
                decoded += 1;
                continue;
            }
            let escape = *content.get(raw + 1)?;
            let (raw_len, decoded_len) = if escape == b'u' {
                let hex = |at: usize| content.get(at..at + 4).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u32::from_str_radix(h, 16).ok());
                let code = hex(raw + 2)?;
                let pair = (0xD800..0xDC00).contains(&code) && content.get(raw + 6..raw + 8) == Some(b"\\u") && hex(raw + 8).is_some_and(|low| (0xDC00..0xE000).contains(&low));
                if pair {
                    (12, 4)
                } else {
                    (6, char::from_u32(code).map_or(3, char::len_utf8))
                }
            } else {
                (2, 1)
            };
            raw += raw_len;
            decoded += decoded_len;
            points.push((decoded, span.start + 1 + raw));
        }
        (decoded == value.len()).then_some(StringMap { points, close: span.end - 1 })
    }

    /// The text offset of a value offset.
    pub fn offset(&self, at: usize) -> usize {
        let i = self.points.partition_point(|p| p.0 <= at).saturating_sub(1);
        let (value, text) = self.points[i];
        (text + (at - value)).min(self.close)
    }

    pub fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end).max(self.offset(span.start)))
    }

    /// The value offset of a text offset inside the literal (the reverse of `offset`; an
    /// offset inside an escape sequence maps to the escaped character).
    pub fn value_offset(&self, at: usize) -> usize {
        let i = self.points.partition_point(|p| p.1 <= at).saturating_sub(1);
        let (value, text) = self.points[i];
        let next = self.points.get(i + 1).map_or(usize::MAX, |p| p.0);
        (value + at.saturating_sub(text)).min(next)
    }
}

/// The length of the run of string bytes at the start of `bytes` that need no attention:
/// no `"`, no `\\`, no control character. Eight bytes are tested at a time.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // A high bit set where a byte of `x` is below `n` (n <= 128). A borrow can also set the
    // bit of a byte above one that is below `n`, never of one beneath it: the lowest bit set
    // marks the first such byte exactly.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = below(word ^ (ONES * u64::from(b'"')), 1) | below(word ^ (ONES * u64::from(b'\\')), 1) | below(word, 0x20);
        if found != 0 {
            // Little-endian: the first byte of the chunk is the lowest.
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + bytes[i..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(bytes.len() - i)
}

/// One open array or object on the parser's explicit stack.
struct Frame {
    /// Offset of the opening bracket.
    start: usize,
    items: Items,
    expect: Expect,
    /// Offset of the last comma, to point at it when it turns out to be a trailing comma.
    last_comma: usize,
}

enum Items {
    Array(Vec<Json>),
    /// `key` is the key read whose value has not been read yet.
    Object { members: Vec<Member>, key: Option<(String, Span)> },
}

/// What may come next inside the innermost open container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Just after `[` or `{`: an element or key, or the closing bracket.
    First,
    /// After a comma: an element or key (a closing bracket here means a trailing comma).
    Next,
    /// After an object key: `:`.
    Colon,
    /// After `:`: the member's value.
    MemberValue,
    /// After an element or member: `,` or the closing bracket.
    CommaOrClose,
}

impl Frame {
    fn is_array(&self) -> bool {
        matches!(self.items, Items::Array(_))
    }

    fn closer(&self) -> char {
        if self.is_array() {
            ']'
        } else {
            '}'
        }
    }

    /// Adds a finished value: an element, or the value of the pending key.
    fn push(&mut self, value: Json) {
        match &mut self.items {
            Items::Array(items) => items.push(value),
            Items::Object { members, key } => {
                if let Some((key, key_span)) = key.take() {
                    members.push(Member { key, key_span, value });
                }
            }
        }
    }

    /// The container as a value whose span ends at `end`. A key still waiting for its value is
    /// dropped.
    fn close(self, end: usize) -> Json {
        let value = match self.items {
            Items::Array(items) => Value::Array(items),
            Items::Object { members, .. } => Value::Object(members),
        };
        Json { value, span: Span::new(self.start, end) }
    }
}

/// Where a value is expected, to tailor the message when something else is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Document,
    Element,
    NextElement,
    MemberValue,
}

/// Reads bytes left to right with a cursor. Arrays and objects live on `stack` rather than on
/// the call stack, so deep nesting cannot overflow it.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    stack: Vec<Frame>,
    errors: Vec<Diagnostic>,
}

type Step<T> = Result<T, Diagnostic>;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser { text, bytes: text.as_bytes(), pos: 0, stack: Vec::new(), errors: Vec::new() }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn document(&mut self) -> Option<Json> {
        // A byte-order mark is reported but skipped, so the caller still gets the document.
        if self.text.starts_with('\u{FEFF}') {
            let bom = '\u{FEFF}'.len_utf8();
            self.errors.push(
                Diagnostic::error(Span::new(0, bom), "the document starts with a byte-order mark")
                    .with_help("save the file as UTF-8 without a byte-order mark"),
            );
            self.pos = bom;
        }
        match self.value_tree() {
            Ok(json) => {
                if let Err(error) = self.end_of_document() {
                    self.errors.push(error);
                }
                Some(json)
            }
            Err(error) => {
                let at = error.span.start;
                self.errors.push(error);
                self.close_open_containers(at)
            }
        }
    }

    /// Reads the top-level value. Each turn of the loop reads one token in the innermost open
    /// container; finished values are handed to the container they belong to.
    fn value_tree(&mut self) -> Step<Json> {
        loop {
            self.skip_whitespace()?;
            let finished = match self.stack.last().map(|frame| (frame.is_array(), frame.expect)) {
                None => self.value(Context::Document)?,
                Some((true, expect)) => self.array_step(expect)?,
                Some((false, expect)) => self.object_step(expect)?,
            };
            if let Some(json) = finished {
                match self.stack.last_mut() {
                    None => return Ok(json),
                    Some(frame) => {
                        frame.push(json);
                        frame.expect = Expect::CommaOrClose;
                        // The usual next token, a comma, is taken here rather than in another
                        // turn of the loop (which would do exactly this).
                        self.skip_whitespace()?;
                        if self.peek() == Some(b',') {
                            self.comma();
                        }
                    }
                }
            }
        }
    }

    /// One token inside an array. Returns a value when one was finished.
    fn array_step(&mut self, expect: Expect) -> Step<Option<Json>> {
        match (expect, self.peek()) {
            (_, None) => Err(self.unexpected_end()),
            (Expect::First | Expect::CommaOrClose, Some(b']')) => Ok(Some(self.close())),
            (Expect::Next, Some(b']')) => Err(self.trailing_comma(']')),
            (Expect::CommaOrClose, Some(b',')) => {
                self.comma();
                Ok(None)
            }
            (_, Some(b'}')) => Err(self.mismatched_close()),
            (Expect::CommaOrClose, _) => Err(self.unexpected(
                "expected `,` or `]` after an array element",
                "add a comma between elements, or close the array with `]`",
            )),
            (Expect::Next, _) => self.value(Context::NextElement),
            _ => self.value(Context::Element),
        }
    }

    /// One token inside an object. Returns a value when one was finished.
    fn object_step(&mut self, expect: Expect) -> Step<Option<Json>> {
        match (expect, self.peek()) {
            (_, None) => Err(self.unexpected_end()),
            (Expect::First | Expect::CommaOrClose, Some(b'}')) => Ok(Some(self.close())),
            (Expect::Next, Some(b'}')) => Err(self.trailing_comma('}')),
            (Expect::CommaOrClose, Some(b',')) => {
                self.comma();
                Ok(None)
            }
            (Expect::First | Expect::Next | Expect::CommaOrClose, Some(b']')) => Err(self.mismatched_close()),
            (Expect::CommaOrClose, _) => Err(self.unexpected(
                "expected `,` or `}` after an object member",
                "add a comma between members, or close the object with `}`",
            )),
            (Expect::First | Expect::Next, Some(b'"')) => {
                let key = self.string()?;
                if let Some(frame) = self.stack.last_mut() {
                    if let Items::Object { key: pending, .. } = &mut frame.items {
                        *pending = Some(key);
                    }
                    frame.expect = Expect::Colon;
                }
                // The usual `:` and the member's value are taken here, as the next two turns
                // of the loop would (with `MemberValue` expected, a turn reads a value).
                self.skip_whitespace()?;
                if self.peek() != Some(b':') {
                    return Ok(None);
                }
                self.pos += 1;
                if let Some(frame) = self.stack.last_mut() {
                    frame.expect = Expect::MemberValue;
                }
                self.skip_whitespace()?;
                self.value(Context::MemberValue)
            }
            (Expect::First | Expect::Next, _) => Err(self.bad_key()),
            (Expect::Colon, Some(b':')) => {
                self.pos += 1;
                if let Some(frame) = self.stack.last_mut() {
                    frame.expect = Expect::MemberValue;
                }
                Ok(None)
            }
            (Expect::Colon, _) => Err(self.unexpected(
                "expected `:` after the object key",
                "write `:` between a key and its value",
            )),
            (Expect::MemberValue, _) => self.value(Context::MemberValue),
        }
    }

    /// Reads a scalar (returned) or opens a container (pushed on the stack, `None` returned).
    fn value(&mut self, context: Context) -> Step<Option<Json>> {
        match self.peek() {
            None if context == Context::Document => Err(Diagnostic::error(self.end_span(), "the document is empty")
                .with_help("write a JSON value, such as `{}`")),
            None => Err(self.unexpected_end()),
            Some(b'"') => {
                let (value, span) = self.string()?;
                Ok(Some(Json { value: Value::String(value), span }))
            }
            Some(b'[') => self.open(Items::Array(Vec::new())).map(|()| None),
            Some(b'{') => self.open(Items::Object { members: Vec::new(), key: None }).map(|()| None),
            Some(b'-' | b'+' | b'.' | b'0'..=b'9') => self.number().map(Some),
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => self.word().map(Some),
            Some(b',') if context == Context::NextElement => {
                Err(self.unexpected("expected a JSON value", "remove the extra comma"))
            }
            Some(b',' | b'}' | b']') if context == Context::MemberValue => {
                Err(self.unexpected("expected a JSON value", "write the member's value after `:`"))
            }
            Some(_) => Err(self.unexpected(
                "expected a JSON value",
                "a JSON value is an object, an array, a string in double quotes, a number, `true`, `false` or `null`",
            )),
        }
    }

    fn open(&mut self, items: Items) -> Step<()> {
        if self.stack.len() == MAX_DEPTH {
            return Err(Diagnostic::error(
                Span::new(self.pos, self.pos + 1),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            )
            .with_help("no policy needs this much nesting; look for brackets opened by mistake"));
        }
        self.stack.push(Frame { start: self.pos, items, expect: Expect::First, last_comma: self.pos });
        self.pos += 1;
        Ok(())
    }

    /// Closes the innermost container at the closing bracket under the cursor.
    fn close(&mut self) -> Json {
        self.pos += 1;
        match self.stack.pop() {
            Some(frame) => frame.close(self.pos),
            // Not reached: only called from a step, which has a frame.
            None => Json { value: Value::Null, span: Span::new(self.pos - 1, self.pos) },
        }
    }

    fn comma(&mut self) {
        if let Some(frame) = self.stack.last_mut() {
            frame.last_comma = self.pos;
            frame.expect = Expect::Next;
        }
        self.pos += 1;
    }

    /// After an error at `at`: closes the open containers there, innermost first, each going
    /// into its parent, and returns the outermost one.
    fn close_open_containers(&mut self, at: usize) -> Option<Json> {
        let mut child: Option<Json> = None;
        while let Some(mut frame) = self.stack.pop() {
            if let Some(json) = child.take() {
                frame.push(json);
            }
            child = Some(frame.close(at));
        }
        child
    }

    fn end_of_document(&mut self) -> Step<()> {
        self.skip_whitespace()?;
        if self.pos < self.bytes.len() {
            return Err(Diagnostic::error(self.token_at(self.pos), "unexpected text after the JSON document")
                .with_help("a document holds exactly one JSON value; remove this text, or put the values in an array"));
        }
        Ok(())
    }

    /// Skips JSON whitespace. Comments are common in hand-written policies, so they get their
    /// own error rather than "unexpected `/`".
    /// Called before nearly every token, so it is inlined, and the usual token (no
    /// whitespace byte is above the space) ends it after one comparison.
    #[inline]
    fn skip_whitespace(&mut self) -> Step<()> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b > b' ' {
                if b == b'/' && matches!(self.bytes.get(self.pos + 1), Some(b'/' | b'*')) {
                    return Err(self.comment());
                }
                break;
            }
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.pos += 1;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn comment(&self) -> Diagnostic {
        let rest = &self.text[self.pos..];
        let len = if rest.starts_with("//") {
            rest.find(['\n', '\r']).unwrap_or(rest.len())
        } else {
            rest[2..].find("*/").map_or(rest.len(), |i| i + 4)
        };
        Diagnostic::error(Span::new(self.pos, self.pos + len), "comments are not allowed in JSON")
            .with_help("remove the comment")
    }

    /// Reads a string literal at the cursor: the unescaped value and the literal's span.
    fn string(&mut self) -> Step<(String, Span)> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            // Copy the longest run of plain characters at once: this keeps long strings fast.
            // The run ends on an ASCII byte, so it ends on a character boundary.
            let run = self.pos;
            self.pos += plain_run(&self.bytes[run..]);
            match self.peek() {
                Some(b'"') => {
                    // A string without escapes (nearly every one) is copied in one piece.
                    if value.is_empty() {
                        value = self.text[run..self.pos].to_string();
                    } else {
                        value.push_str(&self.text[run..self.pos]);
                    }
                    self.pos += 1;
                    return Ok((value, Span::new(start, self.pos)));
                }
                Some(b'\\') => {
                    value.push_str(&self.text[run..self.pos]);
                    value.push(self.escape(start)?);
                }
                // A raw line break almost always means the closing quote was forgotten.
                None | Some(b'\n' | b'\r') => return Err(unterminated(start, self.pos)),
                Some(b) => {
                    let help = match b {
                        b'\t' => "write a tab as `\\t`".to_string(),
                        _ => format!("write it as `\\u{b:04x}`"),
                    };
                    return Err(Diagnostic::error(
                        Span::new(self.pos, self.pos + 1),
                        format!("control character U+{b:04X} in a string"),
                    )
                    .with_help(help));
                }
            }
        }
    }

    /// Reads the escape sequence at the cursor (a backslash) in the string opened at `start`.
    fn escape(&mut self, start: usize) -> Step<char> {
        let at = self.pos;
        let Some(&b) = self.bytes.get(at + 1) else {
            return Err(unterminated(start, self.bytes.len()));
        };
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            b'\n' | b'\r' => return Err(unterminated(start, at + 1)),
            _ => {
                let len = self.text[at + 1..].chars().next().map_or(1, char::len_utf8);
                let span = Span::new(at, at + 1 + len);
                return Err(Diagnostic::error(span, format!("invalid escape `{}`", self.shown(span))).with_help(
                    "write a backslash as `\\\\`; the escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` and `\\uXXXX`",
                ));
            }
        };
        self.pos = at + 2;
        Ok(c)
    }

    /// Reads `\uXXXX` at the cursor, and its low surrogate when it is a high one: characters
    /// outside the Basic Multilingual Plane are written as such a pair.
    fn unicode_escape(&mut self) -> Step<char> {
        let at = self.pos;
        let first = self.hex4(at)?;
        self.pos = at + 6;
        match first {
            0xD800..=0xDBFF => {
                let next = self.pos;
                if self.bytes.get(next..next + 2) == Some(b"\\u") {
                    let second = self.hex4(next)?;
                    if (0xDC00..=0xDFFF).contains(&second) {
                        self.pos = next + 6;
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        return Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                }
                Err(self.unpaired_surrogate(at))
            }
            0xDC00..=0xDFFF => Err(self.unpaired_surrogate(at)),
            _ => Ok(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }

    /// The four hex digits after the `\u` at `at`.
    fn hex4(&self, at: usize) -> Step<u32> {
        let mut code = 0;
        for i in 0..4 {
            match self.bytes.get(at + 2 + i).and_then(|&b| (b as char).to_digit(16)) {
                Some(digit) => code = code * 16 + digit,
                None => {
                    // Show the escape as written: up to four characters after `\u`, stopping at
                    // the end of the string.
                    let end = self.text[at + 2..]
                        .char_indices()
                        .take(4)
                        .take_while(|&(_, c)| c != '"' && c != '\\' && c >= ' ')
                        .last()
                        .map_or(at + 2, |(i, c)| at + 2 + i + c.len_utf8());
                    let span = Span::new(at, end);
                    return Err(Diagnostic::error(span, format!("invalid unicode escape `{}`", self.shown(span)))
                        .with_help("write four hex digits after `\\u`, as in `\\u00e9`"));
                }
            }
        }
        Ok(code)
    }

    fn unpaired_surrogate(&self, at: usize) -> Diagnostic {
        let span = Span::new(at, at + 6);
        Diagnostic::error(span, format!("unpaired surrogate `{}` in a string", self.shown(span))).with_help(
            "a high surrogate `\\uD800`-`\\uDBFF` must be followed by a low one `\\uDC00`-`\\uDFFF`; or write the character itself",
        )
    }

    /// Reads a number. The whole run of number-like characters is taken as the token, so
    /// `01` or `1.2.3` is reported as one invalid number rather than as a number followed by
    /// unexpected text.
    fn number(&mut self) -> Step<Json> {
        let start = self.pos;
        let end = self.run_end(start);
        let span = Span::new(start, end);
        let literal = &self.text[start..end];
        match check_number(literal) {
            Ok(()) => {
                self.pos = end;
                Ok(Json { value: Value::Number(literal.to_string()), span })
            }
            Err(help) => Err(Diagnostic::error(span, format!("invalid number `{}`", self.shown(span))).with_help(help)),
        }
    }

    /// Reads `true`, `false` or `null`; other bare words are errors with a hint.
    fn word(&mut self) -> Step<Json> {
        let start = self.pos;
        let end = self.run_end(start);
        let span = Span::new(start, end);
        let word = &self.text[start..end];
        let value = match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => {
                let shown = self.shown(span);
                let lower = word.to_ascii_lowercase();
                return Err(match lower.as_str() {
                    "true" | "false" | "null" => Diagnostic::error(span, format!("`{shown}` is not a JSON literal"))
                        .with_help(format!("write `{lower}`")),
                    "none" | "nil" | "undefined" => {
                        Diagnostic::error(span, format!("`{shown}` is not a JSON literal")).with_help("write `null`")
                    }
                    "nan" | "inf" | "infinity" => {
                        Diagnostic::error(span, format!("invalid number `{shown}`")).with_help(NOT_A_NUMBER_HELP)
                    }
                    _ => Diagnostic::error(span, format!("expected a JSON value, found `{shown}`"))
                        .with_help("put strings in double quotes"),
                });
            }
        };
        self.pos = end;
        Ok(Json { value, span })
    }

    /// The error for something other than a string where an object key is expected.
    fn bad_key(&self) -> Diagnostic {
        let at = self.pos;
        if self.bytes.get(at).is_some_and(|&b| is_run_byte(b)) {
            let span = Span::new(at, self.run_end(at));
            return Diagnostic::error(span, "object keys must be strings in double quotes")
                .with_help(format!("write `\"{}\"`", self.shown(span)));
        }
        self.unexpected("expected an object key in double quotes", "object members look like `\"Key\": value`")
    }

    /// An error for the token at the cursor: `message, found X` with `help`, unless the token
    /// is a known mistake (quotes or whitespace pasted from a word processor, single quotes)
    /// that has a more useful message of its own.
    fn unexpected(&self, message: &str, help: &str) -> Diagnostic {
        let span = self.token_at(self.pos);
        match self.text[self.pos..].chars().next() {
            Some('\'') => Diagnostic::error(span, "single quotes are not JSON").with_help("use double quotes"),
            Some('\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}') => {
                Diagnostic::error(span, "curly quotes are not JSON").with_help("use straight double quotes `\"`")
            }
            Some(c) if c.is_whitespace() => {
                Diagnostic::error(span, format!("unexpected whitespace character U+{:04X}", c as u32))
                    .with_help("JSON allows only spaces, tabs and line breaks between tokens; replace it with a space")
            }
            _ => Diagnostic::error(span, format!("{message}, found {}", self.found(span))).with_help(help),
        }
    }

    fn unexpected_end(&self) -> Diagnostic {
        let open = self.stack.len();
        let closers: String = self.stack.iter().rev().map(Frame::closer).collect();
        let message = if open == 1 {
            "unexpected end of input: 1 bracket is still open".to_string()
        } else {
            format!("unexpected end of input: {open} brackets are still open")
        };
        let first = match self.stack.last().map(|frame| frame.expect) {
            Some(Expect::Next) => "remove the trailing comma, then ",
            Some(Expect::Colon) => "write `:` and a value, then ",
            Some(Expect::MemberValue) => "write the value, then ",
            _ => "",
        };
        let them = if open == 1 { "it" } else { "them" };
        Diagnostic::error(self.end_span(), message).with_help(format!("{first}close {them} with `{closers}`"))
    }

    fn trailing_comma(&self, closer: char) -> Diagnostic {
        let comma = self.stack.last().map_or(self.pos, |frame| frame.last_comma);
        Diagnostic::error(Span::new(comma, comma + 1), format!("trailing comma before `{closer}`"))
            .with_help("remove the comma")
    }

    /// A `]` closing an object or a `}` closing an array.
    fn mismatched_close(&self) -> Diagnostic {
        let span = Span::new(self.pos, self.pos + 1);
        let (open, kind, closer) = match self.stack.last() {
            Some(frame) if frame.is_array() => ('[', "array", ']'),
            _ => ('{', "object", '}'),
        };
        Diagnostic::error(span, format!("mismatched `{}`: the innermost open bracket is `{open}`", self.shown(span)))
            .with_help(format!("close the {kind} with `{closer}` first"))
    }

    fn end_span(&self) -> Span {
        Span::new(self.bytes.len(), self.bytes.len())
    }

    /// The end of the run of number- or word-like ASCII characters starting at `at`.
    fn run_end(&self, at: usize) -> usize {
        let mut end = at;
        while self.bytes.get(end).is_some_and(|&b| is_run_byte(b)) {
            end += 1;
        }
        end
    }

    /// The span of the token starting at `at`, to point at it and name it in a message: a
    /// string literal (up to the end of its line when unterminated), a word or number, a
    /// single-quoted string on one line, or else one character.
    fn token_at(&self, at: usize) -> Span {
        let Some(&b) = self.bytes.get(at) else {
            return self.end_span();
        };
        let end = match b {
            b'"' | b'\'' => {
                let mut i = at + 1;
                loop {
                    match self.bytes.get(i) {
                        None | Some(b'\n' | b'\r') => break if b == b'"' { i } else { at + 1 },
                        Some(&q) if q == b => break i + 1,
                        // Skips the escaped byte; escapes do not apply in single quotes, but
                        // stepping over one byte that is not a quote or line break is harmless.
                        Some(b'\\') if b == b'"' && matches!(self.bytes.get(i + 1), Some(b'"' | b'\\')) => i += 2,
                        Some(_) => i += 1,
                    }
                }
            }
            b if is_run_byte(b) => self.run_end(at),
            _ => at + self.text[at..].chars().next().map_or(1, char::len_utf8),
        };
        Span::new(at, end)
    }

    /// The text of `span` for a message, shortened when long.
    fn shown(&self, span: Span) -> String {
        const MAX_CHARS: usize = 40;
        let text = &self.text[span.start..span.end];
        match text.char_indices().nth(MAX_CHARS) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_string(),
        }
    }

    fn found(&self, span: Span) -> String {
        if span.start == span.end {
            "end of input".to_string()
        } else {
            format!("`{}`", self.shown(span))
        }
    }
}

fn unterminated(start: usize, end: usize) -> Diagnostic {
    Diagnostic::error(Span::new(start, end), "unterminated string").with_help("close the string with `\"`")
}

/// Bytes that make up a word or number token.
fn is_run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')
}

const NOT_A_NUMBER_HELP: &str = "JSON has no `NaN` or `Infinity`; use `null` or a string";

/// Checks a number token against the RFC 8259 grammar:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. On failure returns the help line.
fn check_number(literal: &str) -> Result<(), &'static str> {
    const GENERAL: &str = "JSON numbers look like `12`, `-3.5` or `1e6`; put other text in double quotes";
    let b = literal.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if b.first() == Some(&b'+') {
        return Err("remove the `+`: JSON numbers have no plus sign");
    }
    let mut i = usize::from(b.first() == Some(&b'-'));
    let magnitude = &literal[i..];
    if ["nan", "inf", "infinity"].iter().any(|w| magnitude.eq_ignore_ascii_case(w)) {
        return Err(NOT_A_NUMBER_HELP);
    }
    match b.get(i) {
        Some(b'0') => {
            i += 1;
            if digit(i) {
                return Err("JSON numbers have no leading zeros; put identifiers such as account IDs in double quotes");
            }
            if matches!(b.get(i), Some(b'x' | b'X')) {
                return Err("JSON numbers are decimal; write it in decimal or in double quotes");
            }
        }
        Some(b'1'..=b'9') => {
            while digit(i) {
                i += 1;
            }
        }
        Some(b'.') => return Err("add a digit before the decimal point, as in `0.5`"),
        _ => return Err(GENERAL),
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digit(i) {
            return Err("add digits after the decimal point");
        }
        while digit(i) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digit(i) {
            return Err("add digits to the exponent");
        }
        while digit(i) {
            i += 1;
        }
    }
    if i == b.len() {
        Ok(())
    } else {
        Err(GENERAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses text that must be valid.
    fn ok(text: &str) -> Json {
        let parsed = parse(text);
        assert_eq!(parsed.errors, vec![], "errors for {text:?}");
        parsed.json.expect("a value")
    }

    #[test]
    fn same_value_agrees_with_serde_json_equality_apart_from_number_forms() {
        let pairs = [
            (r#"{"a": [1, "x", null, true], "b": {}}"#, r#"{ "b": {}, "a": [1,"x",null,true] }"#, true),
            (r#"{"a": 1, "a": 2}"#, r#"{"a": 2}"#, true),
            (r#"["a", "b"]"#, r#"["b", "a"]"#, false),
            (r#"{"a": "1"}"#, r#"{"a": 1}"#, false),
            (r#"[{"k": [[]]}]"#, r#"[{"k": [[null]]}]"#, false),
            (r#"{"a": 1}"#, r#"{"a": 1, "b": 1}"#, false),
        ];
        for (a, b, same) in pairs {
            assert_eq!(ok(a).same_value(&ok(b)), same, "{a} vs {b}");
            assert_eq!(ok(a).to_serde() == ok(b).to_serde(), same, "serde_json: {a} vs {b}");
        }
        // Numbers by value: `1` and `1.0` are the same number (serde_json tells them apart).
        assert!(ok("[1]").same_value(&ok("[1.0]")));
        assert!(ok("100").same_value(&ok("1e2")));
    }

    fn spanned(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// The first error for `text`, as (message, help, spanned text).
    fn first_error(text: &str) -> (String, Option<String>, String) {
        let parsed = parse(text);
        let error = parsed.errors.first().unwrap_or_else(|| panic!("no error for {text:?}"));
        (error.message.clone(), error.help.clone(), spanned(text, error.span).to_string())
    }

    #[test]
    fn reads_every_kind_of_value() {
        let json = ok(r#" {"a": [null, true, false, -1.5e3, 0, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}} "#);
        let a = json.get("a").unwrap().as_array().unwrap();
        let kinds: Vec<_> = a.iter().map(Json::kind).collect();
        assert_eq!(kinds, ["null", "boolean", "boolean", "number", "number", "string"]);
        assert_eq!(a[3].value, Value::Number("-1.5e3".into()));
        assert_eq!(a[5].as_str(), Some("x\"\\/\u{8}\u{c}\n\r\té😀"));
        assert_eq!(json.get("b").unwrap().kind(), "object");
        assert_eq!(json.get("c"), None);
        assert_eq!(ok("[]").as_object(), None);
        assert_eq!(ok("{}").as_array(), None);
        assert_eq!(ok("1").as_str(), None);
    }

    #[test]
    fn spans_of_nested_values() {
        let text = "{\"Statement\": [ {\"Effect\" :\"Allow\"}, 12 ],\n \"k\": null}";
        let json = ok(text);
        assert_eq!(json.span, Span::new(0, text.len()));
        let member = &json.as_object().unwrap()[0];
        assert_eq!(spanned(text, member.key_span), "\"Statement\"");
        assert_eq!(spanned(text, member.value.span), "[ {\"Effect\" :\"Allow\"}, 12 ]");
        let items = member.value.as_array().unwrap();
        assert_eq!(spanned(text, items[0].span), "{\"Effect\" :\"Allow\"}");
        let effect = &items[0].as_object().unwrap()[0];
        assert_eq!(spanned(text, effect.key_span), "\"Effect\"");
        assert_eq!(spanned(text, effect.value.span), "\"Allow\"");
        assert_eq!(spanned(text, items[1].span), "12");
        let k = &json.as_object().unwrap()[1];
        assert_eq!(spanned(text, k.key_span), "\"k\"");
        assert_eq!(spanned(text, k.value.span), "null");
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let json = ok(r#"{"a": 1, "b": 2, "a": 3}"#);
        let keys: Vec<_> = json.as_object().unwrap().iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "a"]);
        assert_eq!(json.get("a").unwrap().value, Value::Number("1".into()));
    }

    #[test]
    fn to_serde_converts_numbers() {
        assert_eq!(ok("[1, -2, 18446744073709551615, 1.5, 1e400]").to_serde(), serde_json::json!([1, -2, 18446744073709551615u64, 1.5, "1e400"]));
    }

    #[test]
    fn string_maps_point_through_escapes() {
        let text = "{\"t\": \"a\\nbc\\u00e9d\\ud83d\\ude00e\\\"f\"}";
        let json = ok(text);
        let v = json.get("t").unwrap();
        let Value::String(value) = &v.value else { panic!() };
        assert_eq!(value, "a\nbc\u{e9}d\u{1F600}e\"f");
        let map = StringMap::new(text, v.span, value).unwrap();
        for (needle, raw) in [("a", "a"), ("bc", "bc"), ("d", "d"), ("e", "e"), ("f", "f")] {
            let at = value.find(needle).unwrap();
            let mapped = map.span(Span::new(at, at + needle.len()));
            assert_eq!(&text[mapped.start..mapped.end], raw, "{needle}");
        }
        assert_eq!(map.offset(value.len()), v.span.end - 1);
        assert_eq!(map.offset(value.len() + 10), v.span.end - 1, "clamped to the closing quote");
        assert!(StringMap::new(text, json.span, value).is_none());
        assert!(StringMap::new(text, v.span, "other length").is_none());
    }


    #[test]
    fn error_table() {
        // (input, message, help (a part of it), spanned text)
        let cases: &[(&str, &str, &str, &str)] = &[
            (r#"{"a": 1 "b": 2}"#, "expected `,` or `}` after an object member, found `\"b\"`", "add a comma between members, or close the object with `}`", "\"b\""),
            ("[1 2]", "expected `,` or `]` after an array element, found `2`", "add a comma between elements, or close the array with `]`", "2"),
            ("[1, 2,]", "trailing comma before `]`", "remove the comma", ","),
            (r#"{"a": 1, }"#, "trailing comma before `}`", "remove the comma", ","),
            (r#"{"a": "Allow"#, "unterminated string", "close the string with `\"`", "\"Allow"),
            ("{\"a\": \"Allow,\n \"b\": 1}", "unterminated string", "close the string with `\"`", "\"Allow,"),
            ("\"abc\\", "unterminated string", "close the string with `\"`", "\"abc\\"),
            (r#"{"a": [1"#, "unexpected end of input: 2 brackets are still open", "close them with `]}`", ""),
            (r#"{"a": 1"#, "unexpected end of input: 1 bracket is still open", "close it with `}`", ""),
            (r#"{"a""#, "unexpected end of input: 1 bracket is still open", "write `:` and a value, then close it with `}`", ""),
            (r#"{"a":"#, "unexpected end of input: 1 bracket is still open", "write the value, then close it with `}`", ""),
            ("[1,", "unexpected end of input: 1 bracket is still open", "remove the trailing comma, then close it with `]`", ""),
            ("", "the document is empty", "write a JSON value", ""),
            (" \n\t", "the document is empty", "write a JSON value", ""),
            ("{'Effect': 1}", "single quotes are not JSON", "use double quotes", "'Effect'"),
            (r#"{"Effect": 'Allow'}"#, "single quotes are not JSON", "use double quotes", "'Allow'"),
            ("['a", "single quotes are not JSON", "use double quotes", "'"),
            ("{\u{201C}a\u{201D}: 1}", "curly quotes are not JSON", "use straight double quotes", "\u{201C}"),
            ("[1,\u{a0}2]", "unexpected whitespace character U+00A0", "replace it with a space", "\u{a0}"),
            ("{// policy\n}", "comments are not allowed in JSON", "remove the comment", "// policy"),
            ("[1 /* one */]", "comments are not allowed in JSON", "remove the comment", "/* one */"),
            ("[1 /* one", "comments are not allowed in JSON", "remove the comment", "/* one"),
            ("{Effect: \"Allow\"}", "object keys must be strings in double quotes", "write `\"Effect\"`", "Effect"),
            ("{\"a\": 1, 2: 3}", "object keys must be strings in double quotes", "write `\"2\"`", "2"),
            ("{[", "expected an object key in double quotes, found `[`", "`\"Key\": value`", "["),
            (r#"{"a" 1}"#, "expected `:` after the object key, found `1`", "write `:` between a key and its value", "1"),
            (r#"{"a" = 1}"#, "expected `:` after the object key, found `=`", "write `:`", "="),
            ("01", "invalid number `01`", "no leading zeros", "01"),
            (r#"{"Account": 0123456789012}"#, "invalid number `0123456789012`", "account IDs in double quotes", "0123456789012"),
            ("+1", "invalid number `+1`", "remove the `+`", "+1"),
            (".5", "invalid number `.5`", "`0.5`", ".5"),
            ("-.5", "invalid number `-.5`", "`0.5`", "-.5"),
            ("1.", "invalid number `1.`", "add digits after the decimal point", "1."),
            ("[1e]", "invalid number `1e`", "add digits to the exponent", "1e"),
            ("1e+", "invalid number `1e+`", "add digits to the exponent", "1e+"),
            ("0x1F", "invalid number `0x1F`", "decimal", "0x1F"),
            ("1.2.3", "invalid number `1.2.3`", "`12`, `-3.5` or `1e6`", "1.2.3"),
            ("-", "invalid number `-`", "`12`, `-3.5` or `1e6`", "-"),
            ("NaN", "invalid number `NaN`", "no `NaN` or `Infinity`", "NaN"),
            ("[-Infinity]", "invalid number `-Infinity`", "no `NaN` or `Infinity`", "-Infinity"),
            ("True", "`True` is not a JSON literal", "write `true`", "True"),
            ("[None]", "`None` is not a JSON literal", "write `null`", "None"),
            ("{\"Effect\": Allow}", "expected a JSON value, found `Allow`", "put strings in double quotes", "Allow"),
            ("{\"a\": }", "expected a JSON value, found `}`", "write the member's value after `:`", "}"),
            ("{\"a\": ,", "expected a JSON value, found `,`", "write the member's value", ","),
            ("[1,,2]", "expected a JSON value, found `,`", "remove the extra comma", ","),
            ("[,1]", "expected a JSON value, found `,`", "a JSON value is", ","),
            ("}", "expected a JSON value, found `}`", "a JSON value is", "}"),
            ("[1}", "mismatched `}`: the innermost open bracket is `[`", "close the array with `]` first", "}"),
            (r#"{"a": [1, 2}"#, "mismatched `}`: the innermost open bracket is `[`", "close the array with `]` first", "}"),
            (r#"{"a": 1]"#, "mismatched `]`: the innermost open bracket is `{`", "close the object with `}` first", "]"),
            ("{} {}", "unexpected text after the JSON document", "exactly one JSON value", "{"),
            ("{},", "unexpected text after the JSON document", "exactly one JSON value", ","),
            ("1 true", "unexpected text after the JSON document", "exactly one JSON value", "true"),
            ("\"a\"b\"", "unexpected text after the JSON document", "exactly one JSON value", "b"),
            ("\"tab\there\"", "control character U+0009 in a string", "write a tab as `\\t`", "\t"),
            ("\"nul\u{0}\"", "control character U+0000 in a string", "write it as `\\u0000`", "\u{0}"),
            (r#""C:\path""#, "invalid escape `\\p`", "write a backslash as `\\\\`", "\\p"),
            ("\"\\é\"", "invalid escape `\\é`", "write a backslash as `\\\\`", "\\é"),
            (r#""\u12G4""#, "invalid unicode escape `\\u12G4`", "four hex digits", "\\u12G4"),
            (r#""\u12""#, "invalid unicode escape `\\u12`", "four hex digits", "\\u12"),
            (r#""\u+123""#, "invalid unicode escape `\\u+123`", "four hex digits", "\\u+123"),
            (r#""\ud800""#, "unpaired surrogate `\\ud800` in a string", "low one", "\\ud800"),
            (r#""\ud800\u0041""#, "unpaired surrogate `\\ud800` in a string", "low one", "\\ud800"),
            (r#""\udc00\ud800""#, "unpaired surrogate `\\udc00` in a string", "low one", "\\udc00"),
            (r#""\ud800\uZZZZ""#, "invalid unicode escape `\\uZZZZ`", "four hex digits", "\\uZZZZ"),
            ("\u{FEFF}{}", "the document starts with a byte-order mark", "save the file as UTF-8 without a byte-order mark", "\u{FEFF}"),
        ];
        for &(input, message, help, token) in cases {
            let (got_message, got_help, got_token) = first_error(input);
            assert_eq!(got_message, message, "message for {input:?}");
            let got_help = got_help.unwrap_or_else(|| panic!("no help for {input:?}"));
            assert!(got_help.contains(help), "help for {input:?}: {got_help:?} lacks {help:?}");
            assert_eq!(got_token, token, "span for {input:?}");
            assert!(got_message.starts_with(|c: char| !c.is_uppercase()) && !got_message.ends_with('.'), "{got_message}");
        }
    }

    #[test]
    fn long_tokens_are_shortened_in_messages() {
        let text = format!("[1 {}]", "x".repeat(1000));
        let (message, _, token) = first_error(&text);
        assert_eq!(token.len(), 1000);
        assert_eq!(message, format!("expected `,` or `]` after an array element, found `{}…`", "x".repeat(40)));
    }

    #[test]
    fn byte_order_mark_is_reported_but_the_document_is_read() {
        let parsed = parse("\u{FEFF}{\"a\": 1}");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.json.unwrap().to_serde(), serde_json::json!({"a": 1}));
    }

    #[test]
    fn partial_tree_of_a_half_typed_policy() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Action": "s3:Get"#;
        let parsed = parse(text);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "unterminated string");
        let json = parsed.json.unwrap();
        assert_eq!(json.to_serde(), serde_json::json!({"Statement": [{"Effect": "Allow"}]}));
        // The open containers end where the error starts.
        let error_at = text.find("\"s3").unwrap();
        assert_eq!(json.span, Span::new(0, error_at));
        let statement = json.get("Statement").unwrap();
        assert_eq!(statement.span, Span::new(text.find('[').unwrap(), error_at));
        let effect = statement.as_array().unwrap()[0].get("Effect").unwrap();
        assert_eq!(spanned(text, effect.span), "\"Allow\"");
    }

    #[test]
    fn partial_trees() {
        let cases: &[(&str, serde_json::Value)] = &[
            (r#"{"a": [1, 2"#, serde_json::json!({"a": [1, 2]})),
            (r#"{"a": 1, "b""#, serde_json::json!({"a": 1})),
            (r#"{"a": 1, "b": tru"#, serde_json::json!({"a": 1})),
            (r#"{"a": 1, "b": {"c": 2,"#, serde_json::json!({"a": 1, "b": {"c": 2}})),
            (r#"[[], [1] 2]"#, serde_json::json!([[], [1]])),
            (r#"[{"x": 1}, {"y": 2}}"#, serde_json::json!([{"x": 1}, {"y": 2}])),
            (r#"{"a": 1} x"#, serde_json::json!({"a": 1})),
        ];
        for (text, expected) in cases {
            let parsed = parse(text);
            assert_eq!(parsed.errors.len(), 1, "{text}");
            assert_eq!(&parsed.json.unwrap().to_serde(), expected, "{text}");
        }
        for text in ["", "tru", "\"abc", "// x\n{}", "'a'", "}"] {
            assert_eq!(parse(text).json, None, "{text}");
        }
    }

    #[test]
    fn deep_nesting_stops_at_the_limit_without_overflowing() {
        let text = "[".repeat(100_000);
        let parsed = parse(&text);
        assert_eq!(parsed.errors.len(), 1);
        let error = &parsed.errors[0];
        assert_eq!(error.message, "nesting deeper than 256 levels");
        assert!(error.help.is_some());
        assert_eq!(error.span, Span::new(MAX_DEPTH, MAX_DEPTH + 1));
        // The partial tree is MAX_DEPTH arrays deep, each closed at the error.
        let mut depth = 0;
        let mut node = parsed.json.as_ref();
        while let Some(json) = node {
            assert_eq!(json.span, Span::new(depth, MAX_DEPTH));
            depth += 1;
            node = json.as_array().unwrap().first();
        }
        assert_eq!(depth, MAX_DEPTH);

        // Exactly MAX_DEPTH levels are fine, in arrays and objects alike.
        let ok_text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        ok(&ok_text);
        let objects = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        ok(&objects);
        let too_deep = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH + 1), "}".repeat(MAX_DEPTH + 1));
        assert_eq!(first_error(&too_deep).0, "nesting deeper than 256 levels");

        let closers = "]".repeat(100_000);
        assert_eq!(first_error(&closers).0, "expected a JSON value, found `]`");
    }

    #[test]
    fn large_inputs() {
        let long = "é".repeat(1_000_000);
        let json = ok(&format!("\"{long}\""));
        assert_eq!(json.as_str(), Some(long.as_str()));

        // About 2 MB of statements; release builds read 10 MB well under a second.
        let statement = r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket/*", "N": -12.5e3},"#;
        let text = format!("{{\"Statement\": [{}{{}}]}}", statement.repeat(2_000_000 / statement.len()));
        let json = ok(&text);
        assert!(json.get("Statement").unwrap().as_array().unwrap().len() > 10_000);
    }

    /// Every span in the tree lies in the text, inside its parent's span, on character boundaries.
    fn check_spans(text: &str, json: &Json) {
        let mut todo = vec![(json, Span::new(0, text.len()))];
        while let Some((json, outer)) = todo.pop() {
            let span = json.span;
            assert!(outer.start <= span.start && span.start <= span.end && span.end <= outer.end, "{span:?} in {outer:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            match &json.value {
                Value::Array(items) => todo.extend(items.iter().map(|item| (item, span))),
                Value::Object(members) => {
                    for member in members {
                        assert_eq!(text.get(member.key_span.start..member.key_span.start + 1), Some("\""));
                        todo.push((&member.value, span));
                    }
                }
                _ => {}
            }
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(serde_json::Value::Number)),
            any::<String>().prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn plain_run_stops_where_a_byte_needs_attention(bytes in proptest::collection::vec(prop_oneof![1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x21, 40 => 0x21u8..=0xff], 0..80)) {
            let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(bytes.len());
            prop_assert_eq!(plain_run(&bytes), expected);
        }

        #[test]
        fn reads_what_serde_json_writes(value in arbitrary_json()) {
            for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
                let parsed = parse(&text);
                prop_assert_eq!(&parsed.errors, &vec![]);
                let json = parsed.json.unwrap();
                prop_assert_eq!(json.span, Span::new(0, text.len()));
                check_spans(&text, &json);
                prop_assert_eq!(json.to_serde(), value.clone());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let parsed = parse(&text);
            if let Some(json) = &parsed.json {
                check_spans(&text, json);
            }
            for error in &parsed.errors {
                prop_assert!(text.get(error.span.start..error.span.end).is_some());
            }
        }

        /// JSON-like noise hits far more paths than arbitrary text. We must accept exactly what
        /// serde_json accepts, except numbers too large for it.
        #[test]
        fn agrees_with_serde_json_on_json_like_text(text in r#"[\[\]{}",:0-9a-z\\ \n.eE+\-'/*\t\u{e9}]{0,40}"#) {
            let parsed = parse(&text);
            if let Some(json) = &parsed.json {
                check_spans(&text, json);
            }
            for error in &parsed.errors {
                prop_assert!(text.get(error.span.start..error.span.end).is_some());
            }
            agrees_with_serde_json(&text, &parsed)?;
        }

        /// Valid JSON with one character deleted, replaced or inserted: mostly near-misses,
        /// which is where a strict reader goes wrong.
        #[test]
        fn agrees_with_serde_json_on_near_misses(
            value in arbitrary_json(),
            at in any::<prop::sample::Index>(),
            edit in 0..3u8,
            c in prop::sample::select(&['"', '\\', ',', ':', '[', ']', '{', '}', '0', '-', '.', 'e', 'u', ' ', '/', '\u{1}'][..]),
        ) {
            let mut text = serde_json::to_string(&value).unwrap();
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if edit != 2 && at < text.len() {
                text.remove(at);
            }
            if edit != 0 {
                text.insert(at, c);
            }
            let parsed = parse(&text);
            if let Some(json) = &parsed.json {
                check_spans(&text, json);
            }
            agrees_with_serde_json(&text, &parsed)?;
        }
    }

    fn agrees_with_serde_json(text: &str, parsed: &Parsed) -> Result<(), TestCaseError> {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => prop_assert_eq!(&parsed.errors, &vec![]),
            Err(e) if e.to_string().contains("number out of range") => {}
            Err(e) => prop_assert!(!parsed.errors.is_empty(), "serde_json: {}", e),
        }
        Ok(())
    }
}
