//! Least-privilege findings for a policy, with the action catalog: what a statement
//! grants beyond what is named, what can never apply, and names that are not AWS's.
//!
//! Each finding has a kind, a severity, a span in the policy's text, a message, an
//! explanation and a fix. The checks follow the IAM "Security best practices" page and
//! the IAM Access Analyzer policy checks, in the words of this project.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>

use serde::Serialize;

use crate::arn_format;
use crate::availability;
use crate::catalog::{Action, Catalog, Service};
use crate::condition::Qualifier;
use crate::diagnostic::{Diagnostic, Span};
use crate::policy::{Effect, Item, Policy, Statement};
use crate::suggest;
use crate::wildcard;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info].into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The kinds of finding, one per check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A grammar diagnostic of the policy reader.
    Syntax,
    WildcardAction,
    ResourceStar,
    AllowNotAction,
    AllowNotResource,
    PassRoleStar,
    ResourceNeverMatches,
    ConditionNeverSatisfied,
    Redundant,
    UnknownService,
    UnknownAction,
    UnknownKey,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Syntax,
        Kind::WildcardAction,
        Kind::ResourceStar,
        Kind::AllowNotAction,
        Kind::AllowNotResource,
        Kind::PassRoleStar,
        Kind::ResourceNeverMatches,
        Kind::ConditionNeverSatisfied,
        Kind::Redundant,
        Kind::UnknownService,
        Kind::UnknownAction,
        Kind::UnknownKey,
    ];

    /// The kind named by [`Kind::as_str`].
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Syntax => "syntax",
            Kind::WildcardAction => "wildcard-action",
            Kind::ResourceStar => "resource-star",
            Kind::AllowNotAction => "allow-not-action",
            Kind::AllowNotResource => "allow-not-resource",
            Kind::PassRoleStar => "pass-role-star",
            Kind::ResourceNeverMatches => "resource-never-matches",
            Kind::ConditionNeverSatisfied => "condition-never-satisfied",
            Kind::Redundant => "redundant",
            Kind::UnknownService => "unknown-service",
            Kind::UnknownAction => "unknown-action",
            Kind::UnknownKey => "unknown-key",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// Where in the text the finding points (the same text as the policy's spans).
    pub span: Span,
    pub message: String,
    pub explanation: String,
    pub fix: String,
    /// The policy's name.
    pub policy: String,
    /// 0-based statement index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
}

impl Finding {
    /// The finding as a diagnostic (message, help = fix), for renderers of diagnostics.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let d = match self.severity {
            Severity::Error => Diagnostic::error(self.span, format!("{}: {}", self.kind.as_str(), self.message)),
            _ => Diagnostic::warning(self.span, format!("{}: {}", self.kind.as_str(), self.message)),
        };
        d.with_help(format!("{} — fix: {}", self.explanation, self.fix))
    }
}

/// Grammar diagnostics as findings.
pub fn from_diagnostics(diagnostics: &[Diagnostic], policy: &str) -> Vec<Finding> {
    diagnostics
        .iter()
        .map(|d| Finding {
            kind: Kind::Syntax,
            severity: if d.is_error() { Severity::Error } else { Severity::Warning },
            span: d.span,
            message: d.message.clone(),
            explanation: d.help.clone().unwrap_or_default(),
            fix: d.help.clone().unwrap_or_default(),
            policy: policy.to_string(),
            statement: None,
        })
        .collect()
}

/// Expansions larger than this are not checked action by action.
const EXPANSION_LIMIT: usize = 400;

/// Every finding for a policy.
pub fn lint(policy: &Policy, catalog: &Catalog) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &policy.statements {
        let mut push = |kind: Kind, severity: Severity, span: Span, message: String, explanation: String, fix: String| {
            out.push(Finding { kind, severity, span, message, explanation, fix, policy: policy.name.clone(), statement: Some(s.index) });
        };
        let actions = statement_actions(s, catalog, &mut push);
        let allow = s.effect == Effect::Allow;
        if allow && s.action.negated {
            push(
                Kind::AllowNotAction,
                Severity::Warning,
                first_span(&s.action.items, s.span),
                "`Allow` with `NotAction` grants every other action of every service".into(),
                "`NotAction` in an Allow statement grants all actions not listed, including those of services added later".into(),
                "list the actions to allow under `Action` instead".into(),
            );
        }
        if allow && s.resource.as_ref().is_some_and(|r| r.negated) {
            let r = s.resource.as_ref().map(|r| first_span(&r.items, s.span)).unwrap_or(s.span);
            push(
                Kind::AllowNotResource,
                Severity::Warning,
                r,
                "`Allow` with `NotResource` grants the actions on every other resource".into(),
                "`NotResource` in an Allow statement covers all resources not listed, in every account the policy reaches".into(),
                "list the resources to allow under `Resource` instead".into(),
            );
        }
        if allow && !s.action.negated {
            wildcard_actions(s, catalog, &mut push);
        }
        let Some(actions) = actions else { continue };
        let resource_star = s.resource.as_ref().is_some_and(|r| !r.negated && r.items.iter().any(|i| i.text == "*"));
        if allow && resource_star {
            resource_star_findings(s, &actions, &mut push);
        }
        if let Some(resources) = s.resource.as_ref().filter(|r| !r.negated && !resource_star) {
            never_matches(s, &resources.items, &actions, &mut push);
        }
        never_satisfied(s, catalog, &actions, &mut push);
        unknown_keys(s, catalog, &mut push);
    }
    // In statement order; within a statement, check by check.
    redundant(policy, &mut out);
    out
}

fn first_span(items: &[Item], fallback: Span) -> Span {
    items.first().map_or(fallback, |i| i.span)
}

type Push<'a> = dyn FnMut(Kind, Severity, Span, String, String, String) + 'a;

/// Each `Action` item of a statement with the catalog actions it names.
type Named<'s, 'c> = Vec<(&'s Item, Vec<(&'c Service, &'c Action)>)>;

/// The catalog actions each `Action` item names (with unknown names reported), or `None`
/// when the statement is too broad to check action by action (`NotAction`, `*`, huge
/// expansions).
fn statement_actions<'s, 'c>(s: &'s Statement, catalog: &'c Catalog, push: &mut Push<'_>) -> Option<Named<'s, 'c>> {
    let mut all = Vec::new();
    let mut checkable = !s.action.negated;
    for item in &s.action.items {
        if item.text == "*" {
            checkable = false;
            continue;
        }
        let Some((prefix, name)) = item.text.split_once(':') else { continue };
        let Some(service) = catalog.service(prefix) else {
            let near = suggest::closest(prefix, catalog.services.iter().map(|s| s.prefix.as_str()));
            push(
                Kind::UnknownService,
                Severity::Warning,
                item.span,
                format!("`{prefix}` is not an AWS service prefix"),
                "IAM accepts the name, but it never matches a request".into(),
                near.map_or("check the service prefix in the Service Authorization Reference".into(), |n| format!("did you mean `{n}:{name}`?")),
            );
            continue;
        };
        let expanded = catalog.expand(&item.text);
        if expanded.is_empty() {
            let near = if name.contains(['*', '?']) { None } else { suggest::closest(name, service.actions.iter().map(|a| a.name.as_str())) };
            push(
                Kind::UnknownAction,
                Severity::Warning,
                item.span,
                format!("`{}` names no action of `{}`", item.text, service.prefix),
                "IAM accepts the name, but it never matches a request".into(),
                near.map_or(format!("see `iamplay catalog {}` for its actions", service.prefix), |n| format!("did you mean `{}:{n}`?", service.prefix)),
            );
            continue;
        }
        if expanded.len() > EXPANSION_LIMIT {
            checkable = false;
        }
        all.push((item, expanded));
    }
    checkable.then_some(all)
}

fn wildcard_actions(s: &Statement, catalog: &Catalog, push: &mut Push<'_>) {
    for item in &s.action.items {
        if !item.text.contains(['*', '?']) {
            continue;
        }
        let n = catalog.expand(&item.text).len();
        if n == 0 {
            continue;
        }
        let (severity, what) = if item.text == "*" { (Severity::Error, "every action of every service".to_string()) } else { (Severity::Warning, format!("{n} actions")) };
        let sample: Vec<String> = catalog.expand(&item.text).iter().take(5).map(|(s, a)| format!("`{}:{}`", s.prefix, a.name)).collect();
        push(
            Kind::WildcardAction,
            severity,
            item.span,
            format!("`{}` grants {what}", item.text),
            format!("a wildcard grants every matching action, today's and those AWS adds later ({n} now, such as {})", sample.join(", ")),
            "list only the actions the workload calls; `iamplay least-privilege` derives them from the requests".into(),
        );
    }
}

fn resource_star_findings(s: &Statement, actions: &[(&Item, Vec<(&Service, &Action)>)], push: &mut Push<'_>) {
    let star = s.resource.as_ref().and_then(|r| r.items.iter().find(|i| i.text == "*")).map_or(s.span, |i| i.span);
    let scoped: Vec<(&Service, &Action)> = actions.iter().flat_map(|(_, e)| e.iter().copied()).filter(|(_, a)| !a.is_wildcard_only()).collect();
    if scoped.iter().any(|(s, a)| s.prefix == "iam" && a.name == "PassRole") {
        push(
            Kind::PassRoleStar,
            Severity::Error,
            star,
            "`iam:PassRole` on `*` lets the caller hand any role to any service".into(),
            "passing a more privileged role to a service is a common privilege escalation path".into(),
            "name the roles (`arn:aws:iam::ACCOUNT:role/NAME`) and add `\"StringEquals\": {\"iam:PassedToService\": \"SERVICE.amazonaws.com\"}`".into(),
        );
    }
    if scoped.is_empty() {
        return;
    }
    let names: Vec<String> = scoped.iter().take(5).map(|(s, a)| format!("`{}:{}`", s.prefix, a.name)).collect();
    let (svc, a) = scoped[0];
    let templates: Vec<String> = svc.resource_types_of(a).map(|r| format!("`{}`", arn_format::template(r))).collect();
    push(
        Kind::ResourceStar,
        Severity::Warning,
        star,
        format!("`\"Resource\": \"*\"` on {} action(s) that support resource-level permissions", scoped.len()),
        format!("{} can be limited to named resources, but `*` grants them on every resource", names.join(", ")),
        format!("name the resources, for `{}:{}`: {}", svc.prefix, a.name, templates.join(" or ")),
    );
}

/// An ARN to add so that an action with resource types can apply, guessed from the
/// statement's patterns: the bucket of an object pattern for bucket actions.
fn suggested_arn(service: &Service, action: &Action, patterns: &[Item]) -> String {
    let types: Vec<_> = service.resource_types_of(action).collect();
    if service.prefix == "s3" && types.iter().any(|t| t.name == "bucket") {
        if let Some(bucket) = patterns.iter().find_map(|p| p.text.strip_prefix("arn:aws:s3:::").and_then(|r| r.split('/').next()).filter(|b| !b.is_empty() && !b.contains('*'))) {
            return format!("`arn:aws:s3:::{bucket}`");
        }
    }
    if service.prefix == "s3" && types.iter().any(|t| t.name == "object") {
        if let Some(bucket) = patterns.iter().find_map(|p| p.text.strip_prefix("arn:aws:s3:::").filter(|b| !b.contains('/'))) {
            return format!("`arn:aws:s3:::{bucket}/*`");
        }
    }
    types.iter().map(|t| format!("`{}`", arn_format::template(t))).collect::<Vec<_>>().join(" or ")
}

fn never_matches(s: &Statement, resources: &[Item], actions: &[(&Item, Vec<(&Service, &Action)>)], push: &mut Push<'_>) {
    let mut dead_items = 0;
    for (item, expanded) in actions {
        // An item names actions of one service, which share its resource types: whether a
        // `Resource` can name each type is worked out once per type.
        let mut reachable: Vec<Option<bool>> = expanded.first().map_or(Vec::new(), |(svc, _)| vec![None; svc.resource_types.len()]);
        let dead: Vec<&(&Service, &Action)> = expanded
            .iter()
            .filter(|(svc, a)| {
                if a.is_wildcard_only() {
                    // Requests are on `*`; only `"Resource": "*"` names it (shared/DECISIONS.md (b)).
                    return true;
                }
                !a.resources.iter().any(|r| {
                    *reachable[usize::from(r.index)].get_or_insert_with(|| {
                        let format = &svc.resource_type(r.index).arn;
                        resources.iter().any(|p| arn_format::pattern_can_name(&p.text, format))
                    })
                })
            })
            .collect();
        if dead.is_empty() {
            continue;
        }
        if dead.len() == expanded.len() {
            dead_items += 1;
        }
        let (svc, a) = *dead[0];
        let name = format!("{}:{}", svc.prefix, a.name);
        let (message, explanation, fix) = if a.is_wildcard_only() {
            (
                format!("`{name}` can never apply here: it has no resource type, so its requests are on `*`"),
                format!("`{name}` does not support resource-level permissions; AWS authorizes it on `*` and no ARN matches that"),
                format!("grant `{name}` in a statement with `\"Resource\": \"*\"`"),
            )
        } else {
            let types: Vec<String> = svc.resource_types_of(a).map(|r| format!("`{}` (`{}`)", r.name, r.arn)).collect();
            (
                format!("`{name}` can never apply here: no `Resource` names a resource of its type"),
                format!("`{name}` acts on {}, and none of {} can name one", types.join(" or "), resources.iter().map(|r| format!("`{}`", r.text)).collect::<Vec<_>>().join(", ")),
                format!("add {} to `Resource`", suggested_arn(svc, a, resources)),
            )
        };
        let extra = if dead.len() > 1 { format!(" (and {} more action(s) of `{}`)", dead.len() - 1, item.text) } else { String::new() };
        push(Kind::ResourceNeverMatches, Severity::Error, item.span, format!("{message}{extra}"), explanation, fix);
    }
    if dead_items == actions.len() && !actions.is_empty() && actions.len() > 1 {
        push(
            Kind::ResourceNeverMatches,
            Severity::Error,
            s.span,
            "this statement can never apply: none of its actions acts on the resources it names".into(),
            "every action of the statement was checked against its resource types' ARN formats".into(),
            "give each action the resources it acts on".into(),
        );
    }
}

fn never_satisfied(s: &Statement, catalog: &Catalog, actions: &[(&Item, Vec<(&Service, &Action)>)], push: &mut Push<'_>) {
    let all: Vec<(&Service, &Action)> = actions.iter().flat_map(|(_, e)| e.iter().copied()).collect();
    if all.is_empty() {
        return;
    }
    for c in &s.conditions {
        let op = &c.operator;
        let Some(base) = op.base else { continue };
        // Conditions true on a missing key cannot make the statement dead.
        if base.is_negated() || op.if_exists || base == crate::condition::Base::Null || op.qualifier == Some(Qualifier::ForAllValues) {
            continue;
        }
        let carried: Vec<Option<bool>> = all.iter().map(|(svc, a)| availability::ever_carried(catalog, svc, a, &c.key)).collect();
        if carried.iter().any(|c| *c != Some(false)) {
            continue;
        }
        let names: Vec<String> = all.iter().take(3).map(|(s, a)| format!("`{}:{}`", s.prefix, a.name)).collect();
        let mut explanation = format!("{} never carr{} `{}`, so `{}` is false on every request and the statement never applies", names.join(", "), if all.len() == 1 { "ies" } else { "y" }, c.key, op.text);
        if let Some(p) = availability::provenance(&c.key) {
            explanation.push_str(". ");
            explanation.push_str(p);
        }
        push(
            Kind::ConditionNeverSatisfied,
            Severity::Error,
            c.span,
            format!("condition on `{}` can never be satisfied for the actions of this statement", c.key),
            explanation,
            availability::instead(catalog, &c.key, &all),
        );
    }
}

fn unknown_keys(s: &Statement, catalog: &Catalog, push: &mut Push<'_>) {
    for c in &s.conditions {
        if catalog.find_key(&c.key).is_some() {
            continue;
        }
        let Some(prefix) = c.key.split_once(':').map(|(p, _)| p) else { continue };
        let known_prefix = prefix.eq_ignore_ascii_case("aws") || catalog.service(prefix).is_some();
        if !known_prefix {
            continue;
        }
        let mut names: Vec<&str> = catalog.globals.iter().map(|g| g.name.as_str()).collect();
        if let Some(svc) = catalog.service(prefix) {
            names.extend(svc.keys.iter().map(|k| k.name.as_str()));
        }
        let near = suggest::closest(&c.key, names.iter().copied());
        push(
            Kind::UnknownKey,
            Severity::Warning,
            c.span,
            format!("`{}` is not a condition key AWS documents", c.key),
            "a key no request carries is always missing: positive operators are false, negated ones true".into(),
            near.map_or("check the key in the Service Authorization Reference".to_string(), |n| format!("did you mean `{n}`?")),
        );
    }
}

/// Whether every text `inner` matches is matched by `outer`: `outer` as a glob matched
/// against `inner`'s text taken literally (sound for the common cases `s3:*` ⊇ `s3:Get*`).
fn covers(outer: &str, inner: &str, ignore_case: bool) -> bool {
    wildcard::matches_pattern(outer, inner, ignore_case)
}

/// Statements compared pairwise for redundancy at most: beyond this many, the check (which
/// is quadratic) is left out rather than stall the page on a huge policy.
const REDUNDANCY_LIMIT: usize = 256;

fn redundant(policy: &Policy, out: &mut Vec<Finding>) {
    if policy.statements.len() > REDUNDANCY_LIMIT {
        return;
    }
    let plain: Vec<&Statement> = policy.statements.iter().filter(|s| s.conditions.is_empty() && !s.action.negated && s.principal.is_none()).collect();
    for a in &plain {
        let by = plain.iter().find(|b| {
            b.index != a.index
                && b.effect == a.effect
                && a.action.items.iter().all(|ai| b.action.items.iter().any(|bi| covers(&bi.text, &ai.text, true)))
                && match (&a.resource, &b.resource) {
                    (Some(ar), Some(br)) if !ar.negated && !br.negated => ar.items.iter().all(|ai| br.items.iter().any(|bi| covers(&bi.text, &ai.text, false))),
                    _ => false,
                }
                // Of two identical statements, report the later one only.
                && !(a.index < b.index && same(a, b))
        });
        if let Some(b) = by {
            let name = |s: &Statement| s.sid.as_deref().map_or(format!("#{}", s.index + 1), |sid| format!("`{sid}` (#{})", s.index + 1));
            out.push(Finding {
                kind: Kind::Redundant,
                severity: Severity::Info,
                span: a.span,
                message: format!("statement {} is redundant: statement {} already covers it", name(a), name(b)),
                explanation: "every action and resource of this statement is matched by the other one, which has no conditions".into(),
                fix: "remove this statement".into(),
                policy: policy.name.clone(),
                statement: Some(a.index),
            });
        }
    }
}

fn same(a: &Statement, b: &Statement) -> bool {
    let texts = |s: &Statement| (s.action.items.iter().map(|i| i.text.to_ascii_lowercase()).collect::<Vec<_>>(), s.resource.as_ref().map(|r| r.items.iter().map(|i| i.text.clone()).collect::<Vec<_>>()));
    texts(a) == texts(b)
}
