//! Glob patterns with `*` (any run of characters, including none) and `?` (exactly one
//! character), as used by IAM in `Action`, `Resource` and the `...Like` condition operators.
//!
//! A pattern is a token list rather than a string so that text substituted from a policy
//! variable, or written with the `${*}` and `${?}` escapes, stays literal.

/// One element of a glob pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Literal(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Any,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    /// Reads `*` and `?` as wildcards; every other character is literal.
    pub fn parse(text: &str) -> Glob {
        let mut glob = Glob::default();
        glob.push_pattern(text);
        glob
    }

    /// A pattern that matches exactly `text`.
    pub fn literal(text: &str) -> Glob {
        let mut glob = Glob::default();
        glob.push_literal(text);
        glob
    }

    pub fn push_pattern(&mut self, text: &str) {
        self.tokens.extend(text.chars().map(|c| match c {
            '*' => Token::Any,
            '?' => Token::One,
            c => Token::Literal(c),
        }));
    }

    pub fn push_literal(&mut self, text: &str) {
        self.tokens.extend(text.chars().map(Token::Literal));
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    pub fn from_tokens(tokens: Vec<Token>) -> Glob {
        Glob { tokens }
    }

    /// True when the pattern holds no wildcard.
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Literal(_)))
    }

    /// The pattern as text, with wildcards written as `*` and `?`. For operators that do
    /// not expand wildcards this is the value compared.
    pub fn to_text(&self) -> String {
        self.tokens
            .iter()
            .map(|t| match t {
                Token::Literal(c) => *c,
                Token::One => '?',
                Token::Any => '*',
            })
            .collect()
    }

    /// Matches the whole of `text`. `ignore_case` folds case on both sides.
    pub fn matches(&self, text: &str, ignore_case: bool) -> bool {
        match_tokens(&self.tokens, text, ignore_case)
    }
}

/// Matches `tokens` against the whole of `text`.
///
/// The pattern is cut at each `*` into segments of literals and `?`. The first segment
/// must match at the start, the last at the end, and each middle one at its leftmost
/// place after the previous one: for globs, leftmost placement never loses a match. Each
/// search is a bit-parallel (shift-and) scan, so the time is linear in the text for
/// segments of up to 64 tokens and `|text| * |segment| / 64` beyond: patterns like
/// `*a*a*a*b` or `*?*?*?` cannot blow up.
pub fn match_tokens(tokens: &[Token], text: &str, ignore_case: bool) -> bool {
    if text.is_ascii() {
        match_units(tokens, text.as_bytes(), ignore_case)
    } else {
        let chars: Vec<char> = text.chars().collect();
        match_units(tokens, &chars, ignore_case)
    }
}

/// A unit of text: a byte of ASCII text, or a character.
trait Unit: Copy {
    fn char(self) -> char;
}

impl Unit for u8 {
    fn char(self) -> char {
        self as char
    }
}

impl Unit for char {
    fn char(self) -> char {
        self
    }
}

fn fold(c: char, ignore_case: bool) -> char {
    if !ignore_case {
        c
    } else if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

fn match_units<U: Unit>(tokens: &[Token], text: &[U], ignore_case: bool) -> bool {
    // The segments between stars, without collecting them: the first, the last, and the
    // ones in between.
    let Some(first_star) = tokens.iter().position(|t| *t == Token::Any) else {
        return tokens.len() == text.len() && matches_at(tokens, text, 0, ignore_case);
    };
    let last_star = tokens.iter().rposition(|t| *t == Token::Any).unwrap_or(first_star);
    let first = &tokens[..first_star];
    let last = &tokens[last_star + 1..];
    let middle = if first_star < last_star { &tokens[first_star + 1..last_star] } else { &[][..] };
    let middle = middle.split(|t| *t == Token::Any);
    if first.len() + last.len() > text.len() || !matches_at(first, text, 0, ignore_case) {
        return false;
    }
    let end = text.len() - last.len();
    if !matches_at(last, text, end, ignore_case) {
        return false;
    }
    let mut pos = first.len();
    for segment in middle {
        if segment.is_empty() {
            continue;
        }
        match find(segment, &text[pos..end], ignore_case) {
            Some(found) => pos += found + segment.len(),
            None => return false,
        }
    }
    true
}

/// Whether `segment` (literals and `?`) matches `text` at `at`.
fn matches_at<U: Unit>(segment: &[Token], text: &[U], at: usize, ignore_case: bool) -> bool {
    segment.iter().zip(&text[at..]).all(|(t, u)| match t {
        Token::Literal(c) => fold(*c, ignore_case) == fold(u.char(), ignore_case),
        _ => true,
    }) && text.len() - at >= segment.len()
}

/// The leftmost place where `segment` (literals and `?`, not empty) matches in `text`:
/// a shift-and scan over `segment.len() / 64` words of state.
fn find<U: Unit>(segment: &[Token], text: &[U], ignore_case: bool) -> Option<usize> {
    let words = segment.len().div_ceil(64);
    if words == 1 {
        return find_short(segment, text, ignore_case);
    }
    // Bit i of a mask is set when token i accepts the character.
    let mut any_char = vec![0u64; words];
    let mut by_char: Vec<(char, Vec<u64>)> = Vec::new();
    for (i, t) in segment.iter().enumerate() {
        match t {
            Token::One => any_char[i / 64] |= 1 << (i % 64),
            Token::Literal(c) => {
                let c = fold(*c, ignore_case);
                let at = match by_char.iter().position(|(k, _)| *k == c) {
                    Some(at) => at,
                    None => {
                        by_char.push((c, vec![0u64; words]));
                        by_char.len() - 1
                    }
                };
                by_char[at].1[i / 64] |= 1 << (i % 64);
            }
            Token::Any => unreachable!("segments hold no `*`"),
        }
    }
    for (_, mask) in &mut by_char {
        for (m, a) in mask.iter_mut().zip(&any_char) {
            *m |= a;
        }
    }
    let last_bit = (segment.len() - 1) % 64;
    let mut state = vec![0u64; words];
    for (pos, unit) in text.iter().enumerate() {
        let c = fold(unit.char(), ignore_case);
        let mask = by_char.iter().find(|(k, _)| *k == c).map_or(&any_char, |(_, m)| m);
        // state = ((state << 1) | 1) & mask, carried across words.
        let mut carry = 1u64;
        for (s, m) in state.iter_mut().zip(mask) {
            let next_carry = *s >> 63;
            *s = ((*s << 1) | carry) & m;
            carry = next_carry;
        }
        if state[words - 1] & (1 << last_bit) != 0 {
            return Some(pos + 1 - segment.len());
        }
    }
    None
}

/// [`find`] for a segment of at most 64 tokens: one word of state, and the masks of ASCII
/// characters in a table on the stack (other characters, rare, in a short list).
fn find_short<U: Unit>(segment: &[Token], text: &[U], ignore_case: bool) -> Option<usize> {
    let mut any_char = 0u64;
    let mut ascii = [0u64; 128];
    let mut other: Vec<(char, u64)> = Vec::new();
    for (i, t) in segment.iter().enumerate() {
        match t {
            Token::One => any_char |= 1 << i,
            Token::Literal(c) => {
                let c = fold(*c, ignore_case);
                match usize::try_from(u32::from(c)).ok().filter(|&c| c < 128) {
                    Some(a) => ascii[a] |= 1 << i,
                    None => match other.iter_mut().find(|(k, _)| *k == c) {
                        Some((_, mask)) => *mask |= 1 << i,
                        None => other.push((c, 1 << i)),
                    },
                }
            }
            Token::Any => unreachable!("segments hold no `*`"),
        }
    }
    let last_bit = 1u64 << (segment.len() - 1);
    let mut state = 0u64;
    for (pos, unit) in text.iter().enumerate() {
        let c = fold(unit.char(), ignore_case);
        let mask = match usize::try_from(u32::from(c)).ok().filter(|&c| c < 128) {
            Some(a) => ascii[a],
            None => other.iter().find(|(k, _)| *k == c).map_or(0, |(_, m)| *m),
        } | any_char;
        state = ((state << 1) | 1) & mask;
        if state & last_bit != 0 {
            return Some(pos + 1 - segment.len());
        }
    }
    None
}

/// `Glob::parse(pattern).matches(text, ignore_case)`, without building the token list
/// when the pattern holds no wildcard or is `*`: action names and ARN segments are matched
/// per statement on every request, and most of them are plain text.
pub fn matches_pattern(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        if !ignore_case {
            return pattern == text;
        }
        if pattern.is_ascii() && text.is_ascii() {
            // `fold` of an ASCII character is its ASCII lowercase.
            return pattern.eq_ignore_ascii_case(text);
        }
    }
    if !pattern.contains('?') {
        if !ignore_case {
            return matches_stars(pattern, text);
        }
        // Short ASCII texts (action names, ARN segments) are folded on the stack.
        const SHORT: usize = 128;
        if pattern.len() <= SHORT && text.len() <= SHORT && pattern.is_ascii() && text.is_ascii() {
            let (mut p, mut t) = ([0u8; SHORT], [0u8; SHORT]);
            p[..pattern.len()].copy_from_slice(pattern.as_bytes());
            t[..text.len()].copy_from_slice(text.as_bytes());
            p[..pattern.len()].make_ascii_lowercase();
            t[..text.len()].make_ascii_lowercase();
            if let (Ok(p), Ok(t)) = (std::str::from_utf8(&p[..pattern.len()]), std::str::from_utf8(&t[..text.len()])) {
                return matches_stars(p, t);
            }
        }
    }
    Glob::parse(pattern).matches(text, ignore_case)
}

/// A pattern whose only wildcard is `*`, matched case-sensitively on the text itself
/// without building tokens: the same cuts as [`match_tokens`] (first part at the start,
/// last at the end, each middle part at its leftmost place), each search linear in the
/// text. Matching UTF-8 bytes is matching characters here, as no `?` counts them.
fn matches_stars(pattern: &str, text: &str) -> bool {
    let Some((first, tail)) = pattern.split_once('*') else { return pattern == text };
    let (middle, last) = tail.rsplit_once('*').unwrap_or(("", tail));
    if first.len() + last.len() > text.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for segment in middle.split('*').filter(|s| !s.is_empty()) {
        match rest.find(segment) {
            Some(at) => rest = &rest[at + segment.len()..],
            None => return false,
        }
    }
    true
}

/// Compares two texts for equality ignoring case, character by character with the same
/// folding as case-insensitive globs (so `StringEqualsIgnoreCase` and a literal pattern agree;
/// and the page's wasm needs no second, context-sensitive lowercasing routine).
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (!a.is_ascii() || !b.is_ascii()) && a.chars().map(|c| fold(c, true)).eq(b.chars().map(|c| fold(c, true)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn equality_ignoring_case_folds_like_globs() {
        for (a, b, equal) in [("ÉTÉ", "été", true), ("Straße", "STRASSE", false), ("ΟΔΟΣ", "οδοσ", true), ("abc", "ABD", false), ("K", "\u{212A}", true)] {
            assert_eq!(super::eq_ignore_case(a, b), equal, "{a} {b}");
            assert_eq!(super::Glob::parse(a).matches(b, true), equal, "{a} {b}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    fn check(pattern: &str, text: &str, expected: bool) {
        assert_eq!(Glob::parse(pattern).matches(text, false), expected, "{pattern:?} vs {text:?}");
    }

    #[test]
    fn table() {
        check("*", "", true);
        check("*", "anything/at:all", true);
        check("", "", true);
        check("", "a", false);
        check("a?c", "abc", true);
        check("a?c", "ac", false);
        check("a?c", "aéc", true);
        check("Get*", "GetObject", true);
        check("*Object", "GetObject", true);
        check("*AccessKey*", "ListAccessKeys", true);
        check("b/*/test/*", "b/1/2/test/3/x.jpg", true);
        check("b/*/test/*", "b/1-test/x.jpg", false);
        check("b/*/test/*", "b//test/x", true);
        check("b/*/test/*", "b/test/x", false);
        check("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false);
        check("abc", "ABC", false);
    }

    #[test]
    fn ignore_case() {
        assert!(Glob::parse("listaccess*").matches("ListAccessKeys", true));
        assert!(Glob::parse("É*").matches("éa", true));
        assert!(!Glob::parse("listaccess*").matches("ListAccessKeys", false));
    }

    #[test]
    fn literal_tokens_are_not_wildcards() {
        let mut g = Glob::parse("a/");
        g.push_literal("*");
        assert!(g.matches("a/*", false));
        assert!(!g.matches("a/b", false));
        assert_eq!(g.to_text(), "a/*");
    }

    fn regex_for(pattern: &str) -> regex::Regex {
        let mut re = String::from("(?s)^");
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        regex::Regex::new(&re).unwrap()
    }

    #[test]
    fn long_segments_span_several_words() {
        let segment: String = "ab".repeat(50) + "?c";
        let pattern = format!("x*{segment}*y");
        let hit = format!("x{}{}zc-y", "ab".repeat(20), "ab".repeat(50));
        assert!(Glob::parse(&pattern).matches(&hit, false));
        let miss = format!("x{}zz-y", "ab".repeat(80));
        assert!(!Glob::parse(&pattern).matches(&miss, false));
    }

    /// These would take minutes with backtracking; the segment scan takes milliseconds.
    #[test]
    fn pathological_patterns_finish() {
        let text = format!("arn:aws:s3:::{}", "a".repeat(200_000));
        let stars = format!("{}b", "*a".repeat(5_000));
        assert!(!Glob::parse(&stars).matches(&text, false));
        let questions = format!("{}b", "*?".repeat(5_000));
        assert!(!Glob::parse(&questions).matches(&text, false));
        let long_segment = format!("*{}b*", "a".repeat(3_000));
        assert!(!Glob::parse(&long_segment).matches(&text, false));
    }

    proptest! {
        #[test]
        fn agrees_with_regex(pattern in "[ab*?/:é]{0,12}", text in "[ab/:é]{0,16}") {
            prop_assert_eq!(Glob::parse(&pattern).matches(&text, false), regex_for(&pattern).is_match(&text));
        }

        #[test]
        fn agrees_with_regex_on_longer_inputs(pattern in "[ab*?]{0,90}", text in "[ab]{0,200}") {
            prop_assert_eq!(Glob::parse(&pattern).matches(&text, false), regex_for(&pattern).is_match(&text));
        }

        #[test]
        fn matches_pattern_agrees_with_the_glob(pattern in "[aAbBé*?]{0,6}", text in "[aAbBéÉ]{0,8}", ignore_case: bool) {
            prop_assert_eq!(matches_pattern(&pattern, &text, ignore_case), Glob::parse(&pattern).matches(&text, ignore_case));
        }

        #[test]
        fn ignore_case_agrees_with_a_case_insensitive_regex(pattern in "[aAbB*?]{0,12}", text in "[aAbB]{0,16}") {
            let re = regex::Regex::new(&format!("(?i){}", regex_for(&pattern).as_str())).unwrap();
            prop_assert_eq!(Glob::parse(&pattern).matches(&text, true), re.is_match(&text));
        }
    }
}
