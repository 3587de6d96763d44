//! The editors' colours, underlines and line numbers, and pretty-printing: a tolerant JSON
//! tokenizer over the text as typed (half-typed text included), cut into segments where a
//! token or a mark (a diagnostic's span, a deciding statement) starts or ends.
//!
//! Pure and linear in the text, so it runs on every keystroke; the view draws the segments
//! in a `<pre>` under a transparent textarea with the same font metrics.

use iamplay::json;

/// Texts longer than this are shown without colours or marks, as plain text: re-tokenizing
/// and re-drawing them on every keystroke would keep the main thread busy (the DOM would
/// outweigh the benefit). Diagnostics are still listed under the editor.
pub const MAX_HIGHLIGHTED: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Key,
    String,
    Number,
    Literal,
    Punct,
    Space,
    /// Text that is not JSON.
    Error,
}

impl Token {
    pub fn class(self) -> &'static str {
        match self {
            Token::Key => "tok-key",
            Token::String => "tok-string",
            Token::Number => "tok-number",
            Token::Literal => "tok-literal",
            Token::Punct => "tok-punct",
            Token::Space => "",
            Token::Error => "tok-error",
        }
    }
}

/// Tokens covering the whole text, in order: `(start, end, token)`.
pub fn tokens(text: &str) -> Vec<(usize, usize, Token)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize, Token)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let token = match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                Token::Space
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' { 2 } else { 1 };
                }
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                }
                Token::String
            }
            b'-' | b'0'..=b'9' => {
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                Token::Number
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                i += 1;
                Token::Punct
            }
            b if b.is_ascii_alphabetic() => {
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                if matches!(&text[start..i], "true" | "false" | "null") {
                    Token::Literal
                } else {
                    Token::Error
                }
            }
            _ => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Token::Error
            }
        };
        // A string followed by `:` is a key.
        if token == Token::Punct && bytes[start] == b':' {
            if let Some(prev) = out.iter_mut().rev().find(|t| t.2 != Token::Space) {
                if prev.2 == Token::String {
                    prev.2 = Token::Key;
                }
            }
        }
        out.push((start, i, token));
    }
    out
}

/// A range of the text to draw specially.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub kind: MarkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// The diagnostic at this index of the editor's list; errors and warnings.
    Error(usize),
    Warning(usize),
    /// A statement that decided the selected request: allowing or denying.
    Allow,
    Deny,
}

/// A piece of the text with one token class and the marks over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub token: Token,
    /// The first diagnostic covering this piece, if any.
    pub diagnostic: Option<(usize, bool)>,
    pub decided: Option<MarkKind>,
}

/// Cuts the text into segments. A diagnostic with an empty span is widened to the character
/// at (or, at the end, before) its position so that it can be seen.
pub fn segments(text: &str, marks: &[Mark]) -> Vec<Segment> {
    let marks: Vec<Mark> = marks
        .iter()
        .map(|m| {
            let mut m = *m;
            m.start = floor(text, m.start.min(text.len()));
            m.end = floor(text, m.end.min(text.len())).max(m.start);
            if m.start == m.end && matches!(m.kind, MarkKind::Error(_) | MarkKind::Warning(_)) {
                if m.end < text.len() {
                    m.end += text[m.end..].chars().next().map_or(0, char::len_utf8);
                } else if let Some(c) = text[..m.start].chars().next_back() {
                    m.start -= c.len_utf8();
                }
            }
            m
        })
        .collect();
    // Only JSON is coloured: other text (a YAML template) keeps its marks, without colours.
    let tokens = if text.trim_start().starts_with(['{', '[']) { tokens(text) } else { vec![(0, text.len(), Token::Space)] };
    let mut cuts: Vec<usize> = marks.iter().flat_map(|m| [m.start, m.end]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(tokens.len() + cuts.len());
    let mut c = 0;
    for (start, end, token) in tokens {
        let mut at = start;
        while at < end {
            while c < cuts.len() && cuts[c] <= at {
                c += 1;
            }
            let next = if c < cuts.len() && cuts[c] < end { cuts[c] } else { end };
            let over = |m: &&Mark| m.start <= at && at < m.end;
            let diagnostic = marks.iter().filter(over).find_map(|m| match m.kind {
                MarkKind::Error(i) => Some((i, true)),
                MarkKind::Warning(i) => Some((i, false)),
                _ => None,
            });
            let decided = marks.iter().filter(over).find(|m| matches!(m.kind, MarkKind::Allow | MarkKind::Deny)).map(|m| m.kind);
            out.push(Segment { start: at, end: next, token, diagnostic, decided });
            at = next;
        }
    }
    out
}

fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The number of lines, for the gutter.
pub fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// The gutter's text: `1\n2\n...`.
pub fn gutter(lines: usize) -> String {
    let mut out = String::with_capacity(lines * 4);
    for n in 1..=lines {
        if n > 1 {
            out.push('\n');
        }
        out.push_str(&n.to_string());
    }
    out
}

/// The text re-indented with two spaces, every value and literal kept exactly as written.
/// `None` when the text is not valid JSON (nothing is reformatted by guessing).
pub fn pretty(text: &str) -> Option<String> {
    let parsed = json::parse(text);
    if !parsed.errors.is_empty() || parsed.json.is_none() {
        return None;
    }
    let tokens: Vec<_> = tokens(text).into_iter().filter(|t| t.2 != Token::Space).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    let mut i = 0;
    while i < tokens.len() {
        let (start, end, _) = tokens[i];
        let piece = &text[start..end];
        match piece {
            "{" | "[" => {
                let close = if piece == "{" { "}" } else { "]" };
                if tokens.get(i + 1).is_some_and(|t| &text[t.0..t.1] == close) {
                    out.push_str(piece);
                    out.push_str(close);
                    i += 1;
                } else {
                    out.push_str(piece);
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            "}" | "]" => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push_str(piece);
            }
            "," => {
                out.push(',');
                newline(&mut out, depth);
            }
            ":" => out.push_str(": "),
            _ => out.push_str(piece),
        }
        i += 1;
    }
    out.push('\n');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(text: &str) -> Vec<(&str, Token)> {
        tokens(text).into_iter().filter(|t| t.2 != Token::Space).map(|(s, e, t)| (&text[s..e], t)).collect()
    }

    #[test]
    fn tokens_cover_the_text_and_tell_keys_from_strings() {
        let text = "{\"Effect\" : \"Allow\", \"n\": -1.5e3, \"b\": true, x, \"é\u{1F600}\": null}";
        let ts = tokens(text);
        assert_eq!(ts.first().unwrap().0, 0);
        assert_eq!(ts.last().unwrap().1, text.len());
        assert!(ts.windows(2).all(|w| w[0].1 == w[1].0), "contiguous");
        let c = classes(text);
        assert!(c.contains(&("\"Effect\"", Token::Key)));
        assert!(c.contains(&("\"Allow\"", Token::String)));
        assert!(c.contains(&("-1.5e3", Token::Number)));
        assert!(c.contains(&("true", Token::Literal)));
        assert!(c.contains(&("x", Token::Error)));
        assert!(c.contains(&("\"é\u{1F600}\"", Token::Key)));
    }

    #[test]
    fn half_typed_text_still_tokenizes() {
        for text in ["{\"a", "\"abc\\", "{\"a\": \"b\n  \"c\": 1", "é", "\\", "{\"a\\\"b\": 1}"] {
            let ts = tokens(text);
            assert_eq!(ts.iter().map(|t| t.1 - t.0).sum::<usize>(), text.len(), "{text:?}");
        }
        // An unterminated string stops at the end of its line.
        assert_eq!(classes("\"ab\n1"), [("\"ab", Token::String), ("1", Token::Number)]);
        assert_eq!(classes("{\"a\\\"b\": 1}")[1], ("\"a\\\"b\"", Token::Key));
    }

    #[test]
    fn marks_cut_segments_and_empty_diagnostics_are_widened() {
        let text = "{\"a\": 1}";
        let marks = [Mark { start: 1, end: 3, kind: MarkKind::Error(0) }, Mark { start: 0, end: 8, kind: MarkKind::Allow }, Mark { start: 8, end: 8, kind: MarkKind::Warning(1) }];
        let segs = segments(text, &marks);
        assert_eq!(segs.iter().map(|s| &text[s.start..s.end]).collect::<String>(), text);
        let a = segs.iter().find(|s| &text[s.start..s.end] == "\"a").unwrap();
        assert_eq!(a.diagnostic, Some((0, true)));
        assert_eq!(a.decided, Some(MarkKind::Allow));
        let quote = segs.iter().find(|s| s.start == 3).unwrap();
        assert_eq!(quote.diagnostic, None);
        let last = segs.last().unwrap();
        assert_eq!((&text[last.start..last.end], last.diagnostic), ("}", Some((1, false))));
    }

    #[test]
    fn marks_inside_characters_are_moved_to_boundaries() {
        let text = "\"é\"";
        let segs = segments(text, &[Mark { start: 2, end: 3, kind: MarkKind::Error(0) }]);
        assert_eq!(segs.iter().map(|s| &text[s.start..s.end]).collect::<String>(), text);
    }

    #[test]
    fn gutter_numbers_every_line() {
        assert_eq!(line_count("a\nb\n"), 3);
        assert_eq!(gutter(3), "1\n2\n3");
    }

    #[test]
    fn pretty_prints_keeping_literals_and_refuses_invalid_json() {
        let text = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"a\\\"b\"],\"Resource\":\"*\",\"Condition\":{}}],\"n\":1.50}";
        let want = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"s3:Get*\",\n        \"a\\\"b\"\n      ],\n      \"Resource\": \"*\",\n      \"Condition\": {}\n    }\n  ],\n  \"n\": 1.50\n}\n";
        assert_eq!(pretty(text).as_deref(), Some(want));
        assert_eq!(pretty(want).as_deref(), Some(want), "idempotent");
        assert_eq!(pretty("{\"a\": "), None);
        assert_eq!(pretty(""), None);
    }
}
