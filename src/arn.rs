//! Amazon Resource Names and the `Resource` / `NotResource` matching rules.
//!
//! An ARN is `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, where RESOURCE is everything
//! after the fifth colon and may itself hold `:` and `/`.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>

use crate::trace::PolicyType;
use crate::variables::{self, Unresolved};
use crate::wildcard::{self, Glob};

/// Splits `text` at its first five colons (fewer parts when it has fewer colons).
/// Colons inside `${...}` do not split, so `${aws:username}` stays whole.
pub fn split_parts(text: &str) -> Vec<&str> {
    let (parts, n) = split_parts_fixed(text);
    parts[..n].to_vec()
}

/// [`split_parts`] into an array, without allocating: the parts and how many there are.
fn split_parts_fixed(text: &str) -> ([&str; 6], usize) {
    let mut parts = [""; 6];
    let mut n = 0;
    let mut start = 0;
    let mut in_variable = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && n < 5 {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => in_variable = true,
            b'}' => in_variable = false,
            b':' if !in_variable => {
                parts[n] = &text[start..i];
                n += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts[n] = &text[start..];
    (parts, n + 1)
}

/// The parts of a concrete ARN, or `None` when `text` is not `arn:` plus five colons.
pub fn parse(text: &str) -> Option<[&str; 6]> {
    if !text.starts_with("arn:") {
        return None;
    }
    parse_loose(text)
}

/// The account a resource ARN names, if any (S3 bucket ARNs name none).
pub fn account_of(text: &str) -> Option<&str> {
    parse(text).map(|p| p[4]).filter(|a| !a.is_empty())
}

/// How a `Resource` pattern fared against a request's resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceMatch {
    Matched,
    NotMatched,
    /// The pattern uses a variable with no value and no default: it matches nothing.
    Unresolved(Unresolved),
    /// A short pattern that this policy type never accepts.
    Rejected(&'static str),
}

/// Matches one `Resource` pattern against the request's resource.
///
/// The rules (shared/DECISIONS.md (a) and (b)):
/// - `*` matches everything, including a request on `*`;
/// - a request on `*` (an action with no resource type) is matched only by `*`;
/// - partition, service, region and account are globbed within their own segment;
/// - the resource part is globbed against the whole remainder, so there `*` crosses
///   `:` and `/`, and it is case-sensitive;
/// - a pattern with fewer than six parts is padded with `*` in identity, boundary and
///   session policies; in resource policies only when it holds a wildcard; in SCPs only
///   when its last part ends in `*`; in RCPs never.
pub fn resource_matches(
    pattern: &str,
    request: &str,
    policy_type: PolicyType,
    variables_on: bool,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> ResourceMatch {
    use ResourceMatch::*;
    if pattern == "*" {
        return Matched;
    }
    if request == "*" {
        return NotMatched;
    }
    let (mut parts, count) = split_parts_fixed(pattern);
    let Some(request_parts) = parse(request) else {
        // Not an ARN (a made-up resource): compare the whole text.
        return glob_part(pattern, request, false, variables_on, lookup);
    };
    if count < 6 {
        let last_ends_in_star = parts[count - 1].ends_with('*');
        let has_wildcard = pattern.contains('*') || pattern.contains('?');
        let pad = match policy_type {
            PolicyType::Identity | PolicyType::PermissionsBoundary | PolicyType::Session => true,
            PolicyType::Resource => has_wildcard,
            PolicyType::Scp => {
                if !last_ends_in_star {
                    return Rejected("an SCP accepts a short ARN only when its last part ends in `*`");
                }
                true
            }
            PolicyType::Rcp => return Rejected("an RCP does not accept an ARN with fewer than six parts"),
        };
        if !pad {
            return NotMatched;
        }
        parts[count..].fill("*");
    }
    // Partition, region and account: glob within the segment. Case is not documented;
    // compared ignoring case, as iam-simulate does. The service segment takes no wildcards
    // in IAM (a wildcard there is reported by the policy reader) and is compared ignoring case.
    for i in 0..5 {
        if !wildcard::matches_pattern(parts[i], request_parts[i], true) {
            return NotMatched;
        }
    }
    glob_part(parts[5], request_parts[5], false, variables_on, lookup)
}

fn glob_part(
    pattern: &str,
    value: &str,
    ignore_case: bool,
    variables_on: bool,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> ResourceMatch {
    // Without a variable, substitution would only parse the pattern.
    if !variables_on || !variables::has_opening(pattern) {
        return if wildcard::matches_pattern(pattern, value, ignore_case) { ResourceMatch::Matched } else { ResourceMatch::NotMatched };
    }
    match variables::substitute(pattern, lookup) {
        Ok(glob) if glob.matches(value, ignore_case) => ResourceMatch::Matched,
        Ok(_) => ResourceMatch::NotMatched,
        Err(unresolved) => ResourceMatch::Unresolved(unresolved),
    }
}

/// `ArnLike` / `ArnEquals`: both sides split into six parts and each part globbed
/// separately (case-sensitive); a value with fewer than six parts never matches.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN>
pub fn arn_like(pattern: &Glob, value: &str) -> bool {
    use crate::wildcard::{match_tokens, Token};
    let Some(value_parts) = parse_loose(value) else { return false };
    let tokens = pattern.tokens();
    let mut pattern_parts: Vec<&[Token]> = Vec::with_capacity(6);
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if pattern_parts.len() < 5 && *t == Token::Literal(':') {
            pattern_parts.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    pattern_parts.push(&tokens[start..]);
    if pattern_parts.len() < 6 {
        return false;
    }
    pattern_parts.iter().zip(value_parts.iter()).all(|(p, v)| match_tokens(p, v, false))
}

/// Six colon-separated parts without requiring the `arn` prefix.
/// (`splitn(6, ':')` by hand: a byte loop is several times cheaper for texts this short, and
/// every `Resource` of every request is parsed.)
fn parse_loose(text: &str) -> Option<[&str; 6]> {
    let mut parts = [""; 6];
    let (mut n, mut start) = (0, 0);
    for (i, b) in text.bytes().enumerate() {
        if b == b':' {
            parts[n] = &text[start..i];
            n += 1;
            start = i + 1;
            if n == 5 {
                parts[5] = &text[start..];
                return Some(parts);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_vars(_: &str) -> Option<String> {
        None
    }

    fn check(pattern: &str, request: &str, policy_type: PolicyType, expected: bool) {
        let got = resource_matches(pattern, request, policy_type, true, &no_vars) == ResourceMatch::Matched;
        assert_eq!(got, expected, "{pattern} vs {request} in {policy_type:?}");
    }

    #[test]
    fn table() {
        use PolicyType::*;
        let inst = "arn:aws:ec2:us-east-1:123456789012:instance/i-1";
        check("*", "*", Identity, true);
        check("*", inst, Identity, true);
        check("arn:aws:ec2:*:*:*", "*", Identity, false);
        check("arn:aws:s3:::*", "*", Identity, false);
        check("arn:aws:ec2:*", inst, Identity, true);
        check("arn:aws:ec2", inst, Identity, true);
        check("arn:aws:ec2:*:instance/*", inst, Identity, false);
        check("arn:aws:ec2:*", inst, Resource, true);
        check("arn:aws:ec2", inst, Resource, false);
        check("arn:aws:ec2:*", inst, Scp, true);
        check("arn:aws:ec2", inst, Scp, false);
        check("arn:aws:ec2:*", inst, Rcp, false);
        check("arn:aws:ec2:us-*:*:instance/*", inst, Identity, true);
        check("arn:aws:ec2:eu-*:*:instance/*", inst, Identity, false);
        check("arn:aws:EC2:US-EAST-1:123456789012:instance/i-1", inst, Identity, true);
        check("arn:aws:ec2:us-east-1:123456789012:INSTANCE/i-1", inst, Identity, false);
        check(
            "arn:aws:logs:us-west-2:111122223333:log-group:/aws/ecs/g:*",
            "arn:aws:logs:us-west-2:111122223333:log-group:/aws/ecs/g:log-stream:ecs/web/abc",
            Identity,
            true,
        );
        check("arn:aws:s3:::DOC/*/test/*", "arn:aws:s3:::DOC/1/2/test/3/o.jpg", Identity, true);
        check("arn:aws:s3:::DOC/*/test/*", "arn:aws:s3:::DOC/1-test/o.jpg", Identity, false);
        check("arn:aws:s3:::b", "arn:aws:s3:::b/k", Identity, false);
    }

    #[test]
    fn variables_only_in_the_resource_part() {
        let lookup = |k: &str| (k == "aws:username").then(|| "alice".to_string());
        let got = resource_matches("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/f", PolicyType::Identity, true, &lookup);
        assert_eq!(got, ResourceMatch::Matched);
        let got = resource_matches("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/f", PolicyType::Identity, false, &lookup);
        assert_eq!(got, ResourceMatch::NotMatched);
        let got = resource_matches("arn:aws:s3:::b/${aws:userid}/*", "arn:aws:s3:::b/alice/f", PolicyType::Identity, true, &lookup);
        assert!(matches!(got, ResourceMatch::Unresolved(_)));
    }

    #[test]
    fn split_keeps_variables_whole() {
        assert_eq!(split_parts("arn:aws:s3:::b/${aws:username}"), vec!["arn", "aws", "s3", "", "", "b/${aws:username}"]);
        assert_eq!(split_parts("arn:aws:logs:r:a:log-group:g:*"), vec!["arn", "aws", "logs", "r", "a", "log-group:g:*"]);
    }

    #[test]
    fn arn_like_globs_each_part() {
        let p = Glob::parse("arn:aws:someservice:*:111122223333:finance/*");
        assert!(!arn_like(&p, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"));
        assert!(arn_like(&p, "arn:aws:someservice:us-east-2:111122223333:finance/document.txt"));
        assert!(!arn_like(&Glob::parse("arn:aws:s3"), "arn:aws:s3:::b"));
    }
}
