//! The policy model and its reader: from the span-keeping JSON tree to statements,
//! with a diagnostic for every departure from the IAM policy grammar.
//!
//! A half-typed or partly wrong policy yields every statement that could be read; a
//! statement without a usable `Effect` or action list is left out, with a diagnostic.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>

use std::collections::HashSet;

use crate::condition::Operator;
use crate::diagnostic::{Diagnostic, Span};
use crate::json::{self, Json, Member, Value};
use crate::principal::EntryType;
use crate::suggest;
use crate::trace::PolicyType;
use crate::variables;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2008-10-17`, or no `Version`: policy variables are literal text.
    V2008,
    /// `2012-10-17`: policy variables are substituted.
    V2012,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A string from the policy with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub text: String,
    pub span: Span,
}

/// `Action` / `NotAction` or `Resource` / `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    pub negated: bool,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    pub entry_type: EntryType,
    pub value: String,
    pub span: Span,
}

/// `Principal` / `NotPrincipal`. `"*"` is read as `{"AWS": "*"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalBlock {
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
}

/// One operator–key pair of a `Condition` block with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    pub key: String,
    pub values: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the policy's `Statement` list.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: Patterns,
    /// `None` when the statement has no `Resource` (trust policies imply the role).
    pub resource: Option<Patterns>,
    pub principal: Option<PrincipalBlock>,
    pub conditions: Vec<Condition>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub policy_type: PolicyType,
    pub version: Version,
    pub statements: Vec<Statement>,
    pub span: Span,
}

impl Policy {
    /// Moves every span by `f`: used when the policy was read from text embedded in
    /// another document.
    pub fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span = f(self.span);
        for s in &mut self.statements {
            s.span = f(s.span);
            let patterns = s.resource.iter_mut().chain(std::iter::once(&mut s.action));
            for item in patterns.flat_map(|p| p.items.iter_mut()) {
                item.span = f(item.span);
            }
            for e in s.principal.iter_mut().flat_map(|p| p.entries.iter_mut()) {
                e.span = f(e.span);
            }
            for c in &mut s.conditions {
                c.span = f(c.span);
                for v in &mut c.values {
                    v.span = f(v.span);
                }
            }
        }
    }
}

/// Reads a policy from its JSON text.
pub fn parse_policy_text(text: &str, name: &str, policy_type: PolicyType) -> (Option<Policy>, Vec<Diagnostic>) {
    let parsed = json::parse(text);
    let mut diagnostics = parsed.errors;
    let policy = parsed.json.map(|j| read_policy(&j, name, policy_type, &mut diagnostics));
    (policy, diagnostics)
}

const POLICY_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] =
    &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// Reads a policy document from a JSON value.
pub fn read_policy(json: &Json, name: &str, policy_type: PolicyType, out: &mut Vec<Diagnostic>) -> Policy {
    let mut policy = Policy { name: name.to_string(), policy_type, version: Version::V2008, statements: Vec::new(), span: json.span };
    let Some(members) = json.as_object() else {
        out.push(
            Diagnostic::error(json.span, format!("a policy must be a JSON object, found {}", json.kind()))
                .with_help("write `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`"),
        );
        return policy;
    };
    check_members(members, POLICY_KEYS, "policy", out);
    match json.get("Version") {
        None => {}
        Some(v) => match v.as_str() {
            Some("2012-10-17") => policy.version = Version::V2012,
            Some("2008-10-17") => {}
            _ => out.push(
                Diagnostic::error(v.span, format!("`Version` must be `2012-10-17` or `2008-10-17`, found {}", show(v)))
                    .with_help("use `\"Version\": \"2012-10-17\"`"),
            ),
        },
    }
    if let Some(id) = json.get("Id") {
        if id.as_str().is_none() {
            out.push(Diagnostic::error(id.span, format!("`Id` must be a string, found {}", id.kind())));
        }
    }
    let statements: Vec<&Json> = match json.get("Statement") {
        None => {
            out.push(
                Diagnostic::error(Span::new(json.span.start, json.span.start + 1), "policy has no `Statement`")
                    .with_help("add `\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"...\", \"Resource\": \"...\"}]`"),
            );
            Vec::new()
        }
        Some(s) => match &s.value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![s],
            _ => {
                out.push(Diagnostic::error(s.span, format!("`Statement` must be an object or an array of objects, found {}", s.kind())));
                Vec::new()
            }
        },
    };
    // Sids seen so far: scanned while there are few statements, hashed beyond.
    let mut sids: Option<HashSet<String>> = None;
    policy.statements.reserve_exact(statements.len());
    for (index, s) in statements.into_iter().enumerate() {
        if let Some(statement) = read_statement(s, index, policy_type, out) {
            if let Some(sid) = &statement.sid {
                let sid_span = s.get("Sid").map_or(s.span, |j| j.span);
                let repeated = match &mut sids {
                    None if policy.statements.len() < 16 => policy.statements.iter().any(|p| p.sid.as_ref() == Some(sid)),
                    None => {
                        let mut set: HashSet<String> = policy.statements.iter().filter_map(|p| p.sid.clone()).collect();
                        let repeated = !set.insert(sid.clone());
                        sids = Some(set);
                        repeated
                    }
                    Some(set) => !set.insert(sid.clone()),
                };
                if repeated {
                    out.push(
                        Diagnostic::error(sid_span, format!("duplicate `Sid` `{sid}`"))
                            .with_help("statement IDs must be unique within a policy"),
                    );
                }
            }
            policy.statements.push(statement);
        }
    }
    if policy.version == Version::V2008 && text_has_variables(&policy) {
        out.push(
            Diagnostic::warning(
                json.get("Version").map_or(Span::new(json.span.start, json.span.start + 1), |v| v.span),
                "policy variables are literal text without `\"Version\": \"2012-10-17\"`",
            )
            .with_help("add `\"Version\": \"2012-10-17\"` so that `${...}` is substituted"),
        );
    }
    policy
}

fn text_has_variables(policy: &Policy) -> bool {
    policy.statements.iter().any(|s| {
        s.resource.iter().flat_map(|r| &r.items).any(|i| variables::has_variables(&i.text))
            || s.conditions.iter().flat_map(|c| &c.values).any(|v| variables::has_variables(&v.text))
    })
}

fn read_statement(json: &Json, index: usize, policy_type: PolicyType, out: &mut Vec<Diagnostic>) -> Option<Statement> {
    let Some(members) = json.as_object() else {
        out.push(Diagnostic::error(json.span, format!("a statement must be a JSON object, found {}", json.kind())));
        return None;
    };
    check_members(members, STATEMENT_KEYS, "statement", out);

    let sid = match json.get("Sid") {
        None => None,
        Some(v) => match v.as_str() {
            Some(sid) => {
                if !sid.chars().all(|c| c.is_ascii_alphanumeric()) && is_iam_managed(policy_type) {
                    out.push(
                        Diagnostic::error(v.span, format!("`Sid` `{sid}` must be alphanumeric in IAM policies"))
                            .with_help("use only letters A-Z, a-z and digits 0-9"),
                    );
                }
                Some(sid.to_string())
            }
            None => {
                out.push(Diagnostic::error(v.span, format!("`Sid` must be a string, found {}", v.kind())));
                None
            }
        },
    };

    let effect = match json.get("Effect") {
        None => {
            out.push(
                Diagnostic::error(Span::new(json.span.start, json.span.start + 1), "statement has no `Effect`")
                    .with_help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
            );
            None
        }
        Some(v) => match v.as_str() {
            Some("Allow") => Some(Effect::Allow),
            Some("Deny") => Some(Effect::Deny),
            Some(other) => {
                let fix = if other.eq_ignore_ascii_case("allow") { "Allow" } else if other.eq_ignore_ascii_case("deny") { "Deny" } else { "" };
                let d = Diagnostic::error(v.span, format!("`Effect` must be `Allow` or `Deny`, found `{other}`"));
                out.push(if fix.is_empty() { d } else { d.with_help(format!("write `{fix}`: the value is case-sensitive")) });
                None
            }
            None => {
                out.push(Diagnostic::error(v.span, format!("`Effect` must be a string, found {}", v.kind())));
                None
            }
        },
    };

    let action = read_pair(json, "Action", "NotAction", true, out);
    if let Some(action) = &action {
        for item in &action.items {
            check_action(item, out);
        }
    }

    let resource_required = !matches!(policy_type, PolicyType::Resource | PolicyType::Rcp);
    let resource = read_pair(json, "Resource", "NotResource", resource_required, out);
    if let Some(resource) = &resource {
        for item in &resource.items {
            check_resource(item, out);
        }
    }

    let principal = read_principal(json, policy_type, out);
    let conditions = json.get("Condition").map(|c| read_conditions(c, out)).unwrap_or_default();

    Some(Statement { index, sid, effect: effect?, action: action?, resource, principal, conditions, span: json.span })
}

/// Policies written through IAM, where a `Sid` must be alphanumeric.
fn is_iam_managed(policy_type: PolicyType) -> bool {
    matches!(policy_type, PolicyType::Identity | PolicyType::PermissionsBoundary)
}

/// Reads `Action`/`NotAction` or `Resource`/`NotResource`: exactly one of the two.
fn read_pair(json: &Json, plain: &str, not: &str, required: bool, out: &mut Vec<Diagnostic>) -> Option<Patterns> {
    match (json.get(plain), json.get(not)) {
        (Some(_), Some(n)) => {
            out.push(
                Diagnostic::error(n.span, format!("a statement cannot have both `{plain}` and `{not}`"))
                    .with_help(format!("keep one of `{plain}` and `{not}`")),
            );
            None
        }
        (None, None) => {
            if required {
                out.push(
                    Diagnostic::error(Span::new(json.span.start, json.span.start + 1), format!("statement has no `{plain}` or `{not}`"))
                        .with_help(format!("add `\"{plain}\": ...`")),
                );
            }
            None
        }
        (Some(v), None) => read_strings(v, plain, out).map(|items| Patterns { negated: false, items }),
        (None, Some(v)) => read_strings(v, not, out).map(|items| Patterns { negated: true, items }),
    }
}

/// A string or a non-empty array of strings.
fn read_strings(v: &Json, element: &str, out: &mut Vec<Diagnostic>) -> Option<Vec<Item>> {
    match &v.value {
        Value::String(s) => Some(vec![Item { text: s.clone(), span: v.span }]),
        Value::Array(items) => {
            if items.is_empty() {
                out.push(
                    Diagnostic::error(v.span, format!("`{element}` is an empty list: it matches nothing"))
                        .with_help(format!("list at least one value, or remove `{element}`")),
                );
            }
            let mut read = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) => read.push(Item { text: s.to_string(), span: item.span }),
                    None => out.push(Diagnostic::error(item.span, format!("`{element}` entries must be strings, found {}", item.kind()))),
                }
            }
            Some(read)
        }
        _ => {
            out.push(
                Diagnostic::error(v.span, format!("`{element}` must be a string or an array of strings, found {}", v.kind()))
                    .with_help(format!("write `\"{element}\": \"...\"` or `\"{element}\": [\"...\"]`")),
            );
            None
        }
    }
}

fn check_action(item: &Item, out: &mut Vec<Diagnostic>) {
    let text = item.text.as_str();
    if text == "*" {
        return;
    }
    match text.split_once(':') {
        None => out.push(
            Diagnostic::error(item.span, format!("action `{text}` has no service prefix"))
                .with_help("write actions as `service:ActionName`, for example `s3:GetObject`"),
        ),
        Some((service, name)) => {
            if service.is_empty() || !service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                let help = if service.contains(['*', '?']) {
                    "the service prefix cannot hold wildcards: list each service, or use `*` for every action"
                } else {
                    "a service prefix holds only letters, digits and `-`, as in `s3` or `elasticfilesystem`"
                };
                out.push(Diagnostic::error(item.span, format!("invalid service prefix in action `{text}`")).with_help(help));
            } else if name.is_empty() || name.contains(':') {
                out.push(
                    Diagnostic::error(item.span, format!("invalid action name in `{text}`"))
                        .with_help("write actions as `service:ActionName`; use `service:*` for every action of a service"),
                );
            }
        }
    }
}

fn check_resource(item: &Item, out: &mut Vec<Diagnostic>) {
    let text = item.text.as_str();
    if text == "*" {
        return;
    }
    if !text.starts_with("arn:") {
        out.push(
            Diagnostic::warning(item.span, format!("resource `{text}` is not an ARN"))
                .with_help("write `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, or `*`"),
        );
        return;
    }
    let parts = crate::arn::split_parts(text);
    if let Some(service) = parts.get(2) {
        if service.contains(['*', '?']) {
            out.push(
                Diagnostic::warning(item.span, format!("the service part of `{text}` holds a wildcard"))
                    .with_help("IAM does not allow wildcards in the service part of an ARN"),
            );
        }
    }
}

fn read_principal(json: &Json, policy_type: PolicyType, out: &mut Vec<Diagnostic>) -> Option<PrincipalBlock> {
    let (value, negated, element) = match (json.get("Principal"), json.get("NotPrincipal")) {
        (Some(_), Some(n)) => {
            out.push(Diagnostic::error(n.span, "a statement cannot have both `Principal` and `NotPrincipal`"));
            return None;
        }
        (Some(p), None) => (p, false, "Principal"),
        (None, Some(n)) => (n, true, "NotPrincipal"),
        (None, None) => {
            if matches!(policy_type, PolicyType::Resource) {
                out.push(
                    Diagnostic::error(Span::new(json.span.start, json.span.start + 1), "statement in a resource-based policy has no `Principal`")
                        .with_help("add `\"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT:role/NAME\"}`, or `\"*\"` with conditions"),
                );
            }
            return None;
        }
    };
    if !matches!(policy_type, PolicyType::Resource | PolicyType::Rcp) {
        let key_span = json.as_object().and_then(|m| m.iter().find(|m| m.key == element)).map_or(value.span, |m| m.key_span);
        out.push(
            Diagnostic::error(key_span, format!("`{element}` is not allowed in a {}", policy_type.label()))
                .with_help("the principal of an identity-based policy is the identity it is attached to: remove the element"),
        );
        return None;
    }
    let mut entries = Vec::new();
    match &value.value {
        Value::String(s) if s == "*" => entries.push(PrincipalEntry { entry_type: EntryType::Aws, value: "*".into(), span: value.span }),
        Value::Object(members) => {
            for m in members {
                let Some(entry_type) = EntryType::parse(&m.key) else {
                    let mut d = Diagnostic::error(m.key_span, format!("unknown principal type `{}`", m.key));
                    d = match suggest::closest(&m.key, ["AWS", "Service", "Federated", "CanonicalUser"]) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_help("use `AWS`, `Service`, `Federated` or `CanonicalUser`"),
                    };
                    out.push(d);
                    continue;
                };
                for item in read_strings(&m.value, &m.key, out).unwrap_or_default() {
                    if entry_type == EntryType::Aws && item.text != "*" && item.text.contains(['*', '?']) {
                        out.push(
                            Diagnostic::error(item.span, format!("principal `{}` holds a wildcard", item.text))
                                .with_help("wildcards are not allowed inside principal ARNs: use `\"*\"` with an `ArnLike` condition on `aws:PrincipalArn`"),
                        );
                    }
                    entries.push(PrincipalEntry { entry_type, value: item.text, span: item.span });
                }
            }
        }
        _ => {
            out.push(
                Diagnostic::error(value.span, format!("`{element}` must be `\"*\"` or an object such as `{{\"AWS\": \"...\"}}`, found {}", show(value)))
                    .with_help("write `{\"AWS\": \"arn:aws:iam::ACCOUNT:root\"}` or `{\"Service\": \"ecs-tasks.amazonaws.com\"}`"),
            );
            return None;
        }
    }
    Some(PrincipalBlock { negated, entries })
}

fn read_conditions(json: &Json, out: &mut Vec<Diagnostic>) -> Vec<Condition> {
    let Some(operators) = json.as_object() else {
        out.push(
            Diagnostic::error(json.span, format!("`Condition` must be an object, found {}", json.kind()))
                .with_help("write `\"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"red\"}}`"),
        );
        return Vec::new();
    };
    check_duplicates(operators, out);
    let mut conditions = Vec::new();
    for op in operators {
        let (operator, diagnostic) = Operator::parse(&op.key, op.key_span);
        // IAM accepts an unknown operator whose key map is empty (shared/DECISIONS.md (h)).
        let empty = op.value.as_object().is_some_and(|keys| keys.is_empty());
        out.extend(diagnostic.map(|mut d| {
            if empty && operator.base.is_none() {
                d.severity = crate::diagnostic::Severity::Warning;
            }
            d
        }));
        let Some(keys) = op.value.as_object() else {
            let mut d = Diagnostic::error(op.value.span, format!("the value of `{}` must be an object of condition keys", op.key));
            if op.value.as_str().is_some() || op.key.contains(':') && !op.key.starts_with("For") {
                d = d.with_help("a condition has three levels: `{\"OPERATOR\": {\"KEY\": \"VALUE\"}}`");
            }
            out.push(d);
            continue;
        };
        check_duplicates(keys, out);
        for k in keys {
            let values: Vec<Item> = match &k.value.value {
                Value::Array(items) => items.iter().filter_map(|i| condition_value(i, &k.key, out)).collect(),
                _ => condition_value(&k.value, &k.key, out).into_iter().collect(),
            };
            out.extend(operator.check_values(&values));
            conditions.push(Condition {
                operator: operator.clone(),
                key: k.key.clone(),
                values,
                span: Span::new(k.key_span.start, k.value.span.end),
            });
        }
    }
    conditions
}

/// Condition values may be strings, numbers or booleans; all are compared as text.
fn condition_value(v: &Json, key: &str, out: &mut Vec<Diagnostic>) -> Option<Item> {
    let text = match &v.value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        _ => {
            out.push(Diagnostic::error(v.span, format!("values of `{key}` must be strings, numbers or booleans, found {}", v.kind())));
            return None;
        }
    };
    Some(Item { text, span: v.span })
}

/// Reports members not in `known` (with a suggestion) and duplicate keys.
fn check_members(members: &[Member], known: &[&str], what: &str, out: &mut Vec<Diagnostic>) {
    for m in members {
        if !known.contains(&m.key.as_str()) {
            let mut d = Diagnostic::error(m.key_span, format!("unknown {what} element `{}`", m.key));
            if let Some(s) = suggest::closest(&m.key, known.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            } else {
                d = d.with_help(format!("a {what} may hold {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")));
            }
            out.push(d);
        }
    }
    check_duplicates(members, out);
}

fn check_duplicates(members: &[Member], out: &mut Vec<Diagnostic>) {
    let mut seen = None;
    for (i, m) in members.iter().enumerate() {
        if json::repeats_key(members, i, &mut seen) {
            out.push(
                Diagnostic::error(m.key_span, format!("duplicate key `{}`", m.key))
                    .with_help("JSON policies may not repeat a key: merge the values into one"),
            );
        }
    }
}

/// A short rendering of a value for messages.
fn show(v: &Json) -> String {
    match &v.value {
        Value::String(s) => format!("`{s}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::Bool(b) => format!("`{b}`"),
        _ => v.kind().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, policy_type: PolicyType) -> (Option<Policy>, Vec<Diagnostic>) {
        parse_policy_text(text, "p", policy_type)
    }

    /// Checks the one diagnostic of `text`: message, help and the text it underlines.
    fn check_diagnostic(text: &str, policy_type: PolicyType, message: &str, help: Option<&str>, underlined: &str) {
        let (_, diagnostics) = read(text, policy_type);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.message, message);
        assert_eq!(d.help.as_deref(), help);
        assert_eq!(&text[d.span.start..d.span.end], underlined);
    }

    #[test]
    fn reads_a_statement() {
        let (policy, d) = read(
            r#"{"Version":"2012-10-17","Statement":{"Sid":"A1","Effect":"Allow","Action":["s3:GetObject"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["red",1,true]}}}}"#,
            PolicyType::Identity,
        );
        assert!(d.is_empty(), "{d:#?}");
        let policy = policy.unwrap();
        assert_eq!(policy.version, Version::V2012);
        let s = &policy.statements[0];
        assert_eq!(s.sid.as_deref(), Some("A1"));
        assert_eq!(s.conditions[0].values.iter().map(|v| v.text.as_str()).collect::<Vec<_>>(), vec!["red", "1", "true"]);
    }

    #[test]
    fn diagnostics() {
        use PolicyType::*;
        check_diagnostic(
            r#"{"Statement":{"Efect":"Allow","Effect":"Allow","Action":"*","Resource":"*"}}"#,
            Identity,
            "unknown statement element `Efect`",
            Some("did you mean `Effect`?"),
            r#""Efect""#,
        );
        check_diagnostic(
            r#"{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}"#,
            Identity,
            "`Effect` must be `Allow` or `Deny`, found `allow`",
            Some("write `Allow`: the value is case-sensitive"),
            r#""allow""#,
        );
        check_diagnostic(
            r#"{"Version":"2012-10-18","Statement":[]}"#,
            Identity,
            "`Version` must be `2012-10-17` or `2008-10-17`, found `2012-10-18`",
            Some("use `\"Version\": \"2012-10-17\"`"),
            r#""2012-10-18""#,
        );
        check_diagnostic(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#,
            Identity,
            "`Principal` is not allowed in a identity-based policy",
            Some("the principal of an identity-based policy is the identity it is attached to: remove the element"),
            r#""Principal""#,
        );
        check_diagnostic(
            r#"{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}"#,
            Identity,
            "action `GetObject` has no service prefix",
            Some("write actions as `service:ActionName`, for example `s3:GetObject`"),
            r#""GetObject""#,
        );
        check_diagnostic(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}}"#,
            Identity,
            "a statement cannot have both `Action` and `NotAction`",
            Some("keep one of `Action` and `NotAction`"),
            r#""s3:Get*""#,
        );
        check_diagnostic(
            r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}"#,
            Identity,
            "duplicate `Sid` `A`",
            Some("statement IDs must be unique within a policy"),
            r#""A""#,
        );
        check_diagnostic(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}}"#,
            Identity,
            "the value of `StringEquals` must be an object of condition keys",
            Some("a condition has three levels: `{\"OPERATOR\": {\"KEY\": \"VALUE\"}}`"),
            r#""x""#,
        );
        check_diagnostic(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
            Resource,
            "statement in a resource-based policy has no `Principal`",
            Some("add `\"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT:role/NAME\"}`, or `\"*\"` with conditions"),
            "{",
        );
    }

    #[test]
    fn a_broken_statement_does_not_hide_the_others() {
        let (policy, d) = read(
            r#"{"Version":"2012-10-17","Statement":[{"Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            PolicyType::Identity,
        );
        assert_eq!(d.len(), 1);
        let policy = policy.unwrap();
        assert_eq!(policy.statements.len(), 1);
        assert_eq!(policy.statements[0].index, 1);
    }

    #[test]
    fn variables_without_version_warn() {
        let (_, d) = read(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}"#, PolicyType::Identity);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "policy variables are literal text without `\"Version\": \"2012-10-17\"`");
    }
}
