//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}` and the
//! escapes `${*}`, `${?}`, `${$}`.
//!
//! Variables are only read under `"Version": "2012-10-17"`; under 2008-10-17 the text is
//! literal (IAM "Version" element page). Substituted values are literal text: a `*` in a
//! tag value does not become a wildcard.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>

use crate::wildcard::Glob;

/// A variable with no value in the request and no default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub key: String,
}

/// True when `text` holds something that reads as a policy variable.
pub fn has_variables(text: &str) -> bool {
    match opening(text) {
        Some(at) => text.as_bytes()[at..].contains(&b'}'),
        None => false,
    }
}

/// Whether `text` holds `${`. (A byte scan: `str::contains` with a two-byte pattern sets up
/// a substring searcher, which costs more than the scan of a short pattern.)
pub fn has_opening(text: &str) -> bool {
    opening(text).is_some()
}

fn opening(text: &str) -> Option<usize> {
    text.as_bytes().windows(2).position(|w| w == b"${")
}

/// The condition keys referenced by variables in `text` (for "missing context values").
pub fn referenced_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let (key, _) = split_default(&after[..end]);
        if !matches!(key, "*" | "?" | "$") {
            keys.push(key.to_string());
        }
        rest = &after[end + 1..];
    }
    keys
}

/// Builds a glob from `text`, where `*` and `?` outside variables are wildcards,
/// substituting variables with `lookup` (a single-valued key's value).
pub fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Glob, Unresolved> {
    let mut glob = Glob::default();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        glob.push_pattern(&rest[..start]);
        let inner = &after[..end];
        match inner {
            "*" | "?" | "$" => glob.push_literal(inner),
            _ => {
                let (key, default) = split_default(inner);
                match lookup(key).or(default) {
                    Some(value) => glob.push_literal(&value),
                    None => return Err(Unresolved { key: key.to_string() }),
                }
            }
        }
        rest = &after[end + 1..];
    }
    glob.push_pattern(rest);
    Ok(glob)
}

/// Splits `key, 'default'` into the key and the default value.
fn split_default(inner: &str) -> (&str, Option<String>) {
    match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let value = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(default);
            (key.trim(), Some(value.to_string()))
        }
        None => (inner.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(key: &str) -> Option<String> {
        match key.to_ascii_lowercase().as_str() {
            "aws:username" => Some("alice".into()),
            "aws:principaltag/team" => Some("r*d".into()),
            _ => None,
        }
    }

    fn check(text: &str, expected: Result<&str, &str>) {
        let got = substitute(text, &lookup).map(|g| g.to_text()).map_err(|u| u.key);
        assert_eq!(got.as_deref().map_err(|e| e.as_str()), expected, "{text}");
    }

    #[test]
    fn table() {
        check("home/${aws:username}/*", Ok("home/alice/*"));
        check("x-${aws:PrincipalTag/team, 'company-wide'}", Ok("x-r*d"));
        check("x-${aws:PrincipalTag/dept, 'company-wide'}", Ok("x-company-wide"));
        check("${*}${?}${$}", Ok("*?$"));
        check("a/${aws:userid}", Err("aws:userid"));
        check("unterminated ${aws:username", Ok("unterminated ${aws:username"));
    }

    #[test]
    fn substituted_text_is_literal() {
        let glob = substitute("t/${aws:PrincipalTag/team}", &lookup).unwrap();
        assert!(glob.matches("t/r*d", false));
        assert!(!glob.matches("t/rXd", false));
        let escaped = substitute("a${*}", &lookup).unwrap();
        assert!(escaped.matches("a*", false));
        assert!(!escaped.matches("ab", false));
    }

    #[test]
    fn referenced_keys_skip_escapes() {
        assert_eq!(referenced_keys("${*}/${aws:username}/${aws:PrincipalTag/a, 'x'}"), vec!["aws:username", "aws:PrincipalTag/a"]);
    }
}
