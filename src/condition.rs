//! Condition operators and their evaluation against the request context.
//!
//! Combination rules (IAM "Conditions with multiple context keys or values"): operators
//! and keys are ANDed, the values of one key are ORed, and for a negated operator the
//! values are NORed (the request value must match none).
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>

use std::net::IpAddr;

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Span};
use crate::policy::{Condition, Item};
use crate::suggest;
use crate::trace::{ConditionTrace, Rule};
use crate::variables;
use crate::wildcard::{eq_ignore_case, Glob};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    ForAllValues,
    ForAnyValue,
}

/// The base operators, without set qualifier or `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const ALL: &[(Base, &str)] = &[
    (Base::StringEquals, "StringEquals"),
    (Base::StringNotEquals, "StringNotEquals"),
    (Base::StringEqualsIgnoreCase, "StringEqualsIgnoreCase"),
    (Base::StringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase"),
    (Base::StringLike, "StringLike"),
    (Base::StringNotLike, "StringNotLike"),
    (Base::NumericEquals, "NumericEquals"),
    (Base::NumericNotEquals, "NumericNotEquals"),
    (Base::NumericLessThan, "NumericLessThan"),
    (Base::NumericLessThanEquals, "NumericLessThanEquals"),
    (Base::NumericGreaterThan, "NumericGreaterThan"),
    (Base::NumericGreaterThanEquals, "NumericGreaterThanEquals"),
    (Base::DateEquals, "DateEquals"),
    (Base::DateNotEquals, "DateNotEquals"),
    (Base::DateLessThan, "DateLessThan"),
    (Base::DateLessThanEquals, "DateLessThanEquals"),
    (Base::DateGreaterThan, "DateGreaterThan"),
    (Base::DateGreaterThanEquals, "DateGreaterThanEquals"),
    (Base::Bool, "Bool"),
    (Base::BinaryEquals, "BinaryEquals"),
    (Base::IpAddress, "IpAddress"),
    (Base::NotIpAddress, "NotIpAddress"),
    (Base::ArnEquals, "ArnEquals"),
    (Base::ArnLike, "ArnLike"),
    (Base::ArnNotEquals, "ArnNotEquals"),
    (Base::ArnNotLike, "ArnNotLike"),
    (Base::Null, "Null"),
];

impl Base {
    pub fn name(self) -> &'static str {
        ALL.iter().find(|(b, _)| *b == self).map_or("", |(_, n)| n)
    }

    /// Negated operators: a missing key makes them true, and their values are NORed.
    pub fn is_negated(self) -> bool {
        use Base::*;
        matches!(
            self,
            StringNotEquals | StringNotEqualsIgnoreCase | StringNotLike | NumericNotEquals | DateNotEquals | NotIpAddress | ArnNotEquals | ArnNotLike
        )
    }

    /// Operators whose values may hold policy variables (IAM "Variables and tags" page:
    /// string and ARN operators; `Bool` is allowed here as the operators page says).
    fn takes_variables(self) -> bool {
        use Base::*;
        matches!(
            self,
            StringEquals | StringNotEquals | StringEqualsIgnoreCase | StringNotEqualsIgnoreCase | StringLike | StringNotLike | ArnEquals | ArnLike | ArnNotEquals | ArnNotLike | Bool
        )
    }
}

/// A condition operator as written: optional `ForAllValues:` / `ForAnyValue:`, a base
/// operator, optional `IfExists`. `base` is `None` for an unknown operator, which makes
/// its conditions false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub text: String,
    pub qualifier: Option<Qualifier>,
    pub base: Option<Base>,
    pub if_exists: bool,
}

impl Operator {
    /// Reads an operator name. Names are matched case-sensitively by IAM; another case is
    /// accepted with a warning (shared/DECISIONS.md (h)).
    pub fn parse(text: &str, span: Span) -> (Operator, Option<Diagnostic>) {
        let mut rest = text;
        let mut qualifier = None;
        let mut diagnostic = None;
        for (q, prefix) in [(Qualifier::ForAllValues, "ForAllValues:"), (Qualifier::ForAnyValue, "ForAnyValue:")] {
            if rest.len() >= prefix.len() && rest.is_char_boundary(prefix.len()) && rest[..prefix.len()].eq_ignore_ascii_case(prefix) {
                if &rest[..prefix.len()] != prefix {
                    diagnostic = Some(Diagnostic::warning(span, format!("operator `{text}` is not written as IAM spells it")).with_help(format!("write `{prefix}`")));
                }
                qualifier = Some(q);
                rest = &rest[prefix.len()..];
            }
        }
        let (name, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => (&rest[..cut], true),
            _ => (rest, false),
        };
        let exact = ALL.iter().find(|(_, n)| *n == name).map(|(b, _)| *b);
        let base = exact.or_else(|| ALL.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|(b, _)| *b));
        let operator = Operator { text: text.to_string(), qualifier, base, if_exists };
        match base {
            None => {
                let names = ALL.iter().map(|(_, n)| *n);
                let d = Diagnostic::error(span, format!("unknown condition operator `{text}`"));
                let d = match suggest::closest(name, names) {
                    Some(s) => d.with_help(format!("did you mean `{}{s}{}`?", qualifier_prefix(qualifier), if if_exists { "IfExists" } else { "" })),
                    None => d.with_help("see the IAM condition operators: StringEquals, StringLike, ArnLike, NumericLessThan, DateGreaterThan, Bool, IpAddress, Null, ..."),
                };
                (operator, Some(d))
            }
            Some(Base::Null) if if_exists => (
                operator,
                Some(Diagnostic::error(span, "`Null` cannot take `IfExists`").with_help("`Null` already tests whether the key exists: write `Null`")),
            ),
            Some(b) if exact.is_none() && diagnostic.is_none() => (
                operator,
                Some(Diagnostic::warning(span, format!("operator `{text}` is not written as IAM spells it")).with_help(format!("write `{}`", b.name()))),
            ),
            Some(_) => (operator, diagnostic),
        }
    }

    /// Warnings for policy values this operator cannot read.
    pub fn check_values(&self, values: &[Item]) -> Vec<Diagnostic> {
        let Some(base) = self.base else { return Vec::new() };
        let mut out = Vec::new();
        for v in values {
            if variables::has_variables(&v.text) && !base.takes_variables() {
                out.push(
                    Diagnostic::warning(v.span, format!("`{}` does not substitute policy variables", base.name()))
                        .with_help("policy variables work with string and ARN operators"),
                );
                continue;
            }
            let problem = match family(base) {
                Family::Numeric if parse_number(&v.text).is_none() => Some("a number"),
                Family::Date if parse_date(&v.text).is_none() => Some("a date such as `2026-01-31T12:00:00Z` or epoch seconds"),
                Family::Ip if parse_cidr(&v.text).is_none() => Some("an IP address or CIDR range such as `203.0.113.0/24`"),
                Family::Bool | Family::Null if !is_bool(&v.text) && !variables::has_variables(&v.text) => Some("`true` or `false`"),
                _ => None,
            };
            if let Some(expected) = problem {
                // IAM refuses a policy with a malformed date; other malformed values are
                // accepted and never match (shared/DECISIONS.md (h)).
                let message = format!("`{}` is not {expected}", v.text);
                let d = if family(base) == Family::Date { Diagnostic::error(v.span, message) } else { Diagnostic::warning(v.span, message) };
                out.push(d.with_help(format!("`{}` compares {expected}; this value never matches", base.name())));
            }
        }
        out
    }
}

fn qualifier_prefix(q: Option<Qualifier>) -> &'static str {
    match q {
        Some(Qualifier::ForAllValues) => "ForAllValues:",
        Some(Qualifier::ForAnyValue) => "ForAnyValue:",
        None => "",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

fn family(base: Base) -> Family {
    use Base::*;
    match base {
        StringEquals | StringNotEquals | StringEqualsIgnoreCase | StringNotEqualsIgnoreCase | StringLike | StringNotLike => Family::String,
        NumericEquals | NumericNotEquals | NumericLessThan | NumericLessThanEquals | NumericGreaterThan | NumericGreaterThanEquals => Family::Numeric,
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => Family::Date,
        Bool => Family::Bool,
        BinaryEquals => Family::Binary,
        IpAddress | NotIpAddress => Family::Ip,
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
        Null => Family::Null,
    }
}

/// A policy value ready to compare: a glob after variable substitution, or `None` when
/// a variable in it has no value and no default (it then matches nothing).
struct PolicyValue {
    glob: Option<Glob>,
}

/// Evaluates one condition against the context and records how it was decided.
pub fn evaluate(condition: &Condition, context: &Context, variables_on: bool) -> ConditionTrace {
    let op = &condition.operator;
    let present = context.get(&condition.key);
    let request_values = present.map(|v| v.values.clone());
    let mut trace = ConditionTrace {
        operator: op.text.clone(),
        key: condition.key.clone(),
        request_values,
        // Filled below: the texts as written, or after substitution.
        policy_values: Vec::new(),
        result: false,
        rule: Rule::Compared,
        note: None,
        span: condition.span,
    };
    let texts = || condition.values.iter().map(|v| v.text.clone()).collect();
    let Some(base) = op.base else {
        trace.rule = Rule::InvalidOperator;
        trace.policy_values = texts();
        return trace;
    };
    if op.if_exists && base == Base::Null {
        trace.rule = Rule::InvalidOperator;
        trace.policy_values = texts();
        return trace;
    }

    if base == Base::Null {
        trace.policy_values = texts();
        // ForAllValues:Null is always true and ForAnyValue:Null always false
        // (shared/DECISIONS.md (d) 4, after Access Analyzer).
        trace.rule = Rule::NullCheck;
        trace.result = match op.qualifier {
            Some(Qualifier::ForAllValues) => true,
            Some(Qualifier::ForAnyValue) => false,
            None => condition.values.iter().any(|v| match v.text.to_ascii_lowercase().as_str() {
                "true" => present.is_none(),
                "false" => present.is_some(),
                _ => false,
            }),
        };
        return trace;
    }

    let lookup = |key: &str| context.single(key);
    let substitute = variables_on && base.takes_variables();
    let values: Vec<PolicyValue> = condition
        .values
        .iter()
        .map(|v| {
            if substitute {
                match variables::substitute(&v.text, &lookup) {
                    Ok(glob) => PolicyValue { glob: Some(glob) },
                    Err(_) => PolicyValue { glob: None },
                }
            } else if family(base) == Family::String || family(base) == Family::Arn {
                PolicyValue { glob: Some(Glob::parse(&v.text)) }
            } else {
                PolicyValue { glob: Some(Glob::literal(&v.text)) }
            }
        })
        .collect();
    trace.policy_values = if substitute {
        values
            .iter()
            .zip(&condition.values)
            .map(|(v, item)| match &v.glob {
                // Without a variable the substituted pattern is the text itself.
                Some(glob) if variables::has_opening(&item.text) => glob.to_text(),
                _ => item.text.clone(),
            })
            .collect()
    } else {
        texts()
    };
    let unresolved: Vec<String> = values
        .iter()
        .zip(&condition.values)
        .filter(|(v, _)| v.glob.is_none())
        .flat_map(|(_, item)| variables::referenced_keys(&item.text))
        .filter(|k| context.single(k).is_none())
        .collect();
    if !unresolved.is_empty() {
        trace.note = Some(format!("policy variable {} has no value and no default", unresolved.iter().map(|k| format!("`${{{k}}}`")).collect::<Vec<_>>().join(", ")));
    }
    let all_unresolved = !values.is_empty() && values.iter().all(|v| v.glob.is_none());

    // An empty value list: ForAnyValue never matches, ForAllValues and IfExists only
    // when the key is absent, a plain operator never (shared/DECISIONS.md (d) 4).
    if values.is_empty() {
        trace.result = present.is_none() && (op.if_exists || op.qualifier == Some(Qualifier::ForAllValues));
        trace.note = Some("the condition lists no values".to_string());
        return trace;
    }

    let negated = base.is_negated();
    // OP(r, V): OR over the values, NOR for a negated operator.
    let mut unreadable = false;
    let mut test = |r: &str| -> bool {
        let mut any = false;
        for v in &values {
            let Some(glob) = &v.glob else { continue };
            match value_matches(base, r, glob) {
                Some(true) => any = true,
                Some(false) => {}
                None => unreadable = true,
            }
        }
        any != negated
    };

    match (op.qualifier, present) {
        (Some(Qualifier::ForAllValues), None) => {
            trace.rule = Rule::ForallEmptyTrue;
            trace.result = true;
        }
        (Some(Qualifier::ForAllValues), Some(v)) if v.values.is_empty() => {
            trace.rule = Rule::ForallEmptyTrue;
            trace.result = true;
        }
        (Some(Qualifier::ForAnyValue), None) => {
            // IfExists does not rescue ForAnyValue on a missing key (DECISIONS.md (d) 3).
            trace.rule = Rule::ForanyEmptyFalse;
            trace.result = false;
        }
        (Some(Qualifier::ForAnyValue), Some(v)) if v.values.is_empty() => {
            trace.rule = Rule::ForanyEmptyFalse;
            trace.result = false;
        }
        (Some(Qualifier::ForAllValues), Some(v)) => trace.result = v.values.iter().all(|r| test(r)),
        (Some(Qualifier::ForAnyValue), Some(v)) => trace.result = v.values.iter().any(|r| test(r)),
        (None, None) => {
            (trace.rule, trace.result) = if negated {
                (Rule::MissingTrueNegated, true)
            } else if op.if_exists {
                (Rule::MissingTrueIfExists, true)
            } else {
                (Rule::MissingFalse, false)
            };
            return trace;
        }
        (None, Some(v)) if v.multivalued => {
            trace.rule = Rule::MultivalueWithoutSetopFalse;
            trace.result = false;
        }
        (None, Some(v)) => match v.values.first() {
            Some(r) => trace.result = test(r),
            None => trace.rule = Rule::MultivalueWithoutSetopFalse,
        },
    }
    if trace.rule == Rule::Compared && all_unresolved {
        trace.rule = Rule::UnresolvedVariable;
    }
    if unreadable {
        // A request value the operator cannot read makes the condition false, negated or not.
        trace.result = false;
        trace.note = Some(format!("a request value of `{}` cannot be read by `{}`", condition.key, base.name()));
    }
    trace
}

/// Whether the request value `r` matches one policy value under the positive form of
/// `base`. `None` when `r` cannot be read by the operator.
fn value_matches(base: Base, r: &str, v: &Glob) -> Option<bool> {
    use Base::*;
    Some(match base {
        StringEquals | StringNotEquals => v.to_text() == r,
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => eq_ignore_case(&v.to_text(), r),
        StringLike | StringNotLike => v.matches(r, false),
        NumericEquals | NumericNotEquals | NumericLessThan | NumericLessThanEquals | NumericGreaterThan | NumericGreaterThanEquals => {
            let (r, Some(v)) = (parse_number(r)?, parse_number(&v.to_text())) else { return Some(false) };
            match base {
                NumericEquals | NumericNotEquals => r == v,
                NumericLessThan => r < v,
                NumericLessThanEquals => r <= v,
                NumericGreaterThan => r > v,
                _ => r >= v,
            }
        }
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
            let (r, Some(v)) = (parse_date(r)?, parse_date(&v.to_text())) else { return Some(false) };
            match base {
                DateEquals | DateNotEquals => r == v,
                DateLessThan => r < v,
                DateLessThanEquals => r <= v,
                DateGreaterThan => r > v,
                _ => r >= v,
            }
        }
        Bool => {
            if !is_bool(r) {
                return None;
            }
            v.to_text().eq_ignore_ascii_case(r)
        }
        BinaryEquals => v.to_text().trim() == r.trim(),
        IpAddress | NotIpAddress => {
            let ip: IpAddr = r.trim().parse().ok()?;
            parse_cidr(&v.to_text()).is_some_and(|(net, len)| cidr_contains(net, len, ip))
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => crate::arn::arn_like(v, r),
        Null => unreachable!("Null is decided on presence"),
    })
}

fn is_bool(text: &str) -> bool {
    text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
}

/// An integer or decimal number. `10.0` and `10` are equal (shared/DECISIONS.md (i)).
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let ok = !int.is_empty() && !frac.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit());
    if ok {
        t.parse().ok()
    } else {
        None
    }
}

/// A W3C ISO-8601 date or date-time (with `Z` or `±hh:mm`), or epoch seconds, as
/// milliseconds since the epoch in UTC (shared/DECISIONS.md (i)).
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok()?.checked_mul(1000);
    }
    let num = |s: &str| -> Option<i64> { (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten() };
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut dp = date.split('-');
    let (y, m, d) = (num(dp.next()?)?, dp.next().map_or(Some(1), num)?, dp.next().map_or(Some(1), num)?);
    if dp.next().is_some() || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut millis = days_from_civil(y, m, d) * 86_400_000;
    if let Some(time) = time {
        let (clock, offset_minutes) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = time.rfind(['+', '-']) {
            let (c, off) = time.split_at(i);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let (oh, om) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
            (c, sign * (num(oh)? * 60 + num(om)?))
        } else {
            (time, 0)
        };
        let mut cp = clock.split(':');
        let h = num(cp.next()?)?;
        let mi = num(cp.next()?)?;
        let (s, frac) = match cp.next() {
            Some(sec) => match sec.split_once('.') {
                Some((s, f)) => (num(s)?, f),
                None => (num(sec)?, ""),
            },
            None => (0, ""),
        };
        if cp.next().is_some() || h > 24 || mi > 59 || s > 60 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac_ms = format!("{frac:0<3}")[..3].parse::<i64>().ok()?;
        millis += ((h * 60 + mi - offset_minutes) * 60 + s) * 1000 + frac_ms;
    }
    Some(millis)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An address with an optional prefix length; a bare address is a /32 or /128.
pub fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let t = text.trim();
    let (addr, len) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (t, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = len.unwrap_or(max);
    (len <= max).then_some((ip, len))
}

fn cidr_contains(net: IpAddr, len: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates `operator` with `policy_values` against `request` (None = key missing).
    fn eval(operator: &str, policy_values: &[&str], request: Option<&[&str]>) -> (bool, Rule) {
        let (op, _) = Operator::parse(operator, Span::default());
        let condition = Condition {
            operator: op,
            key: "k:key".into(),
            values: policy_values.iter().map(|v| Item { text: v.to_string(), span: Span::default() }).collect(),
            span: Span::default(),
        };
        let mut ctx = Context::new();
        if let Some(r) = request {
            ctx.insert_given("k:key", r.iter().map(|s| s.to_string()).collect(), r.len() != 1);
        }
        let t = evaluate(&condition, &ctx, true);
        (t.result, t.rule)
    }

    fn check(operator: &str, policy_values: &[&str], request: Option<&[&str]>, expected: bool) {
        assert_eq!(eval(operator, policy_values, request).0, expected, "{operator} {policy_values:?} vs {request:?}");
    }

    #[test]
    fn strings() {
        check("StringEquals", &["a", "b"], Some(&["b"]), true);
        check("StringEquals", &["a"], Some(&["A"]), false);
        check("StringEqualsIgnoreCase", &["a"], Some(&["A"]), true);
        check("StringNotEquals", &["a", "b"], Some(&["b"]), false);
        check("StringNotEquals", &["a", "b"], Some(&["c"]), true);
        check("StringNotEqualsIgnoreCase", &["A"], Some(&["a"]), false);
        check("StringLike", &["t1.*"], Some(&["t1.micro"]), true);
        check("StringLike", &["a?c"], Some(&["abc"]), true);
        check("StringEquals", &["a*"], Some(&["abc"]), false);
        check("StringEquals", &["a*"], Some(&["a*"]), true);
        check("StringNotLike", &["key1*"], Some(&["key2"]), true);
    }

    #[test]
    fn numbers_dates_bools_ips_arns() {
        check("NumericEquals", &["10"], Some(&["10.0"]), true);
        check("NumericLessThan", &["10"], Some(&["9.5"]), true);
        check("NumericGreaterThanEquals", &["10"], Some(&["10"]), true);
        check("NumericEquals", &["10"], Some(&["ten"]), false);
        check("NumericNotEquals", &["10"], Some(&["ten"]), false);
        check("DateLessThan", &["2026-01-01T00:00:00Z"], Some(&["2025-12-31T23:59:59Z"]), true);
        check("DateEquals", &["2026-01-01T01:00:00+01:00"], Some(&["2026-01-01T00:00:00Z"]), true);
        check("DateGreaterThan", &["1767225600"], Some(&["2026-01-01T00:00:01Z"]), true);
        check("DateEquals", &["2026-01-01"], Some(&["2026-01-01T00:00:00Z"]), true);
        check("Bool", &["true"], Some(&["true"]), true);
        check("Bool", &["false"], Some(&["true"]), false);
        check("IpAddress", &["203.0.113.0/24"], Some(&["203.0.113.7"]), true);
        check("IpAddress", &["203.0.113.0/24"], Some(&["198.51.100.1"]), false);
        check("NotIpAddress", &["203.0.113.0/24"], Some(&["198.51.100.1"]), true);
        check("IpAddress", &["2001:db8::/32"], Some(&["2001:db8::1"]), true);
        check("IpAddress", &["203.0.113.7"], Some(&["203.0.113.7"]), true);
        check("ArnLike", &["arn:aws:iam::*:role/app-*"], Some(&["arn:aws:iam::111122223333:role/app-web"]), true);
        check("ArnEquals", &["arn:aws:iam::111122223333:role/app-*"], Some(&["arn:aws:iam::111122223333:role/app-web"]), true);
        check("ArnNotLike", &["arn:aws:iam::*:role/app-*"], Some(&["arn:aws:iam::111122223333:role/db"]), true);
    }

    #[test]
    fn missing_keys() {
        assert_eq!(eval("StringEquals", &["a"], None), (false, Rule::MissingFalse));
        assert_eq!(eval("StringNotEquals", &["a"], None), (true, Rule::MissingTrueNegated));
        assert_eq!(eval("StringEqualsIfExists", &["a"], None), (true, Rule::MissingTrueIfExists));
        assert_eq!(eval("IpAddress", &["203.0.113.0/24"], None), (false, Rule::MissingFalse));
        assert_eq!(eval("Null", &["true"], None), (true, Rule::NullCheck));
        assert_eq!(eval("Null", &["false"], None), (false, Rule::NullCheck));
        assert_eq!(eval("Null", &["true"], Some(&["x"])), (false, Rule::NullCheck));
    }

    #[test]
    fn set_operators() {
        let attrs: &[&str] = &["PostDateTime", "UserName"];
        check("ForAllValues:StringEquals", &["PostDateTime", "Message", "Tags"], Some(attrs), false);
        check("ForAllValues:StringEquals", &["PostDateTime", "UserName"], Some(attrs), true);
        check("ForAnyValue:StringEquals", &["ID", "PostDateTime"], Some(&["UserName", "Message", "PostDateTime"]), true);
        assert_eq!(eval("ForAllValues:StringNotLike", &["key1*"], None), (true, Rule::ForallEmptyTrue));
        assert_eq!(eval("ForAnyValue:StringEquals", &["a"], None), (false, Rule::ForanyEmptyFalse));
        assert_eq!(eval("ForAnyValue:StringEqualsIfExists", &["a"], None), (false, Rule::ForanyEmptyFalse));
        assert_eq!(eval("ForAllValues:StringEquals", &["a"], Some(&[])), (true, Rule::ForallEmptyTrue));
        assert_eq!(eval("StringEquals", &["a"], Some(&["a", "b"])), (false, Rule::MultivalueWithoutSetopFalse));
        assert!(eval("ForAllValues:Null", &["false"], None).0);
        assert!(!eval("ForAnyValue:Null", &["true"], None).0);
    }

    #[test]
    fn operator_names() {
        let (op, d) = Operator::parse("ForAnyValue:StringEqualsIfExists", Span::default());
        assert_eq!((op.qualifier, op.base, op.if_exists), (Some(Qualifier::ForAnyValue), Some(Base::StringEquals), true));
        assert!(d.is_none());
        let (op, d) = Operator::parse("stringequals", Span::default());
        assert_eq!(op.base, Some(Base::StringEquals));
        assert_eq!(d.unwrap().help.as_deref(), Some("write `StringEquals`"));
        let (op, d) = Operator::parse("StringEqualz", Span::default());
        assert_eq!(op.base, None);
        let d = d.unwrap();
        assert_eq!(d.message, "unknown condition operator `StringEqualz`");
        assert_eq!(d.help.as_deref(), Some("did you mean `StringEquals`?"));
        assert_eq!(eval("StringEqualz", &["a"], Some(&["a"])), (false, Rule::InvalidOperator));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-01-01T00:00:00.5Z"), parse_date("2026-01-01T00:00:00Z").map(|m| m + 500));
        assert_eq!(parse_date("not a date"), None);
    }
}
