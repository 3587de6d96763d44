//! Scenario files: who is asking, which policies apply, and the requests to evaluate
//! (format version 1, flat form, as `shared/SCENARIO.md` fixes it).
//!
//! Reading never stops at the first problem: every request that can be built is
//! evaluated, and every problem is a diagnostic with a span into the scenario text.
//!
//! Extensions of version 1 (docs/scenario-format.md; every v1 file keeps its meaning):
//! `roles`, `instance_role`, `parameters`, a request's `as`, `task_definition` in every form
//! (register input, describe output, CloudFormation properties or template, JSON or YAML), and
//! YAML scenario text. A document that is not a scenario but a template or task definition is
//! read as one: its checklist is evaluated.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use std::sync::Arc;

use crate::cloudformation::{self, Pseudo};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Span};
use crate::ecs::{self, ChecklistLine, Deployment, Environment, Status};
use crate::evaluation::{self, CatalogOracle, Options, Policies, Request};
use crate::json::{self, Json, Member, Parsed, Value};
use crate::managed_policies::{self, Lookup};
use crate::policy::{self, Policy, Version};
use crate::principal::Principal;
use crate::role::Role;
use crate::suggest;
use crate::trace::{Decision, Outcome, PolicyType};
use crate::yaml_reader;

/// The highest scenario format version this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Everything evaluated from one scenario text.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub name: Option<String>,
    pub notes: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub results: Vec<RequestResult>,
    /// What was understood of the task definition, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<ecs::Summary>,
    /// The task definition's checklist, in order: execution role, task role, trust policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistLine>,
}

impl ScenarioReport {
    /// Whether a checklist line the task needs is denied.
    pub fn checklist_failed(&self) -> bool {
        self.checklist.iter().any(|l| l.status == Status::Fail)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestResult {
    pub name: Option<String>,
    pub action: String,
    pub resource: String,
    pub principal: String,
    /// The request's `as`, when it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    pub expect: Option<Decision>,
    pub outcome: Outcome,
    /// Where the request is in the scenario text.
    pub span: Span,
}

impl RequestResult {
    /// `None` without an expectation, else whether the decision is the expected one.
    pub fn passed(&self) -> Option<bool> {
        self.expect.map(|e| e == self.outcome.decision)
    }
}

const SCENARIO_KEYS: &[&str] = &[
    "scenario",
    "name",
    "notes",
    "account",
    "region",
    "task_definition",
    "principal",
    "identity_policies",
    "resource_policy",
    "permissions_boundary",
    "session_policy",
    "scps",
    "rcps",
    "requests",
    "options",
    "roles",
    "instance_role",
    "parameters",
];
const OPTION_KEYS: &[&str] = &["legacy_service_arn_for_resourceless", "literal_context"];
const PRINCIPAL_KEYS: &[&str] = &["arn", "session_name", "tags", "unique_id"];
const REQUEST_KEYS: &[&str] = &["name", "as", "action", "resource", "resource_account", "context", "expect"];
const ROLE_KEYS: &[&str] = &["arn", "tags", "unique_id", "policies", "managed_policy_arns", "permissions_boundary", "trust_policy"];

/// Values a scenario may leave out, given by the caller (the CLI's `--account`, ...).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub account: Option<String>,
    pub region: Option<String>,
    pub parameters: BTreeMap<String, String>,
    /// The action catalog: with it, requests are checked against the actions' resource
    /// types and context keys an action never carries are left out.
    pub catalog: Option<Arc<dyn CatalogOracle>>,
    /// Evaluate every request's context exactly as given (the CLI's `--literal`), whatever
    /// the scenario's `options` say.
    pub literal_context: bool,
}

/// Reads a document as JSON when it starts like JSON, else as YAML.
pub fn read_document(text: &str) -> Parsed {
    let start = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if start.starts_with('{') || start.starts_with('[') || start.is_empty() {
        json::parse(text)
    } else {
        yaml_reader::read(text)
    }
}

/// Whether a document is a template or task definition rather than a scenario.
pub fn is_deployment(root: &Json) -> bool {
    root.get("scenario").is_none()
        && (cloudformation::is_template(root)
            || root.get("taskDefinition").is_some()
            || root.get("Type").and_then(Json::as_str) == Some("AWS::ECS::TaskDefinition")
            || root.get("containerDefinitions").is_some()
            || root.get("ContainerDefinitions").is_some())
}

/// How a request's caller was chosen, with the policies that are the caller's own.
#[derive(Clone)]
struct Caller {
    principal: Principal,
    policies: Policies,
    label: Option<String>,
}

/// The task definition, its roles and where it runs, once read.
struct Loaded {
    deployment: Deployment,
    env: Environment,
    /// Maps spans of an embedded text (a `task_definition` string) into the scenario.
    embedded: Embedded,
    whole: Span,
}

/// Where the task definition's spans are: in the scenario text itself, in a string of it
/// (mapped through its escapes), or nowhere exact (then the whole field is pointed at).
#[derive(Clone)]
enum Embedded {
    No,
    String(json::StringMap),
    Whole,
}

impl Embedded {
    fn map(&self, span: Span, whole: Span) -> Span {
        match self {
            Embedded::No => span,
            Embedded::String(m) => m.span(span),
            Embedded::Whole => whole,
        }
    }
}

/// Reads a scenario and evaluates each of its requests.
pub fn evaluate_text(text: &str) -> ScenarioReport {
    evaluate_text_with(text, &Settings::default())
}

/// Reads a scenario, or a template or task definition on its own, and evaluates it.
pub fn evaluate_text_with(text: &str, settings: &Settings) -> ScenarioReport {
    let parsed = read_document(text);
    let mut reader = Reader { text, diagnostics: parsed.errors, settings: settings.clone(), loaded: None, roles: Vec::new() };
    let mut report = ScenarioReport { name: None, notes: None, diagnostics: Vec::new(), results: Vec::new(), task: None, checklist: Vec::new() };
    if let Some(root) = &parsed.json {
        if is_deployment(root) {
            reader.deployment_only(root, &mut report);
        } else {
            reader.read(root, &mut report, None);
        }
    }
    report.diagnostics = reader.diagnostics;
    report
}

/// A scenario's principal and its policies, read without evaluating a request: what the
/// linter, the capabilities view and the least-privilege generator work on. A policy
/// document on its own (`{"Statement": ...}`) reads as one identity policy.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub principal: Option<Principal>,
    pub policies: Policies,
    pub options: Options,
    /// The scenario's requests that must be allowed (all but those expected to be denied),
    /// as (action, resource) pairs.
    pub requests: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl PolicySet {
    /// Every policy, identity policies first.
    pub fn all(&self) -> Vec<&Policy> {
        let p = &self.policies;
        p.identity.iter().chain(&p.resource).chain(&p.permissions_boundary).chain(&p.session).chain(p.scps.iter().flatten()).chain(p.rcps.iter().flatten()).collect()
    }
}

/// Reads the principal and policies of a scenario, or a policy document on its own.
pub fn read_policies(text: &str, settings: &Settings) -> PolicySet {
    let parsed = read_document(text);
    let mut set = PolicySet::default();
    let Some(root) = &parsed.json else {
        set.diagnostics = parsed.errors;
        return set;
    };
    if root.get("Statement").is_some() {
        let mut diagnostics = parsed.errors;
        let policy = policy::read_policy(root, "policy", PolicyType::Identity, &mut diagnostics);
        set.policies.identity.push(policy);
        set.diagnostics = diagnostics;
        return set;
    }
    let mut reader = Reader { text, diagnostics: parsed.errors, settings: settings.clone(), loaded: None, roles: Vec::new() };
    // The same reading as for evaluation, stopped before the requests; one path keeps the
    // page's wasm from holding a second copy of it.
    let mut report = ScenarioReport { name: None, notes: None, diagnostics: Vec::new(), results: Vec::new(), task: None, checklist: Vec::new() };
    reader.read(root, &mut report, Some(&mut set));
    if let Some(items) = root.get("requests").and_then(Json::as_array) {
        // A request expected to be denied is one the policies must not allow.
        let denied = |item: &Json| item.get("expect").and_then(Json::as_str).and_then(Decision::parse).is_some_and(|d| d != Decision::Allowed);
        for item in items.iter().filter(|item| !denied(item)) {
            if let (Some(a), Some(r)) = (item.get("action").and_then(Json::as_str), item.get("resource").and_then(Json::as_str)) {
                set.requests.push((a.to_string(), r.to_string()));
            }
        }
    }
    set.diagnostics = reader.diagnostics;
    set
}

/// The caller's own policies with the scenario's resource, session and organisation
/// policies, as a request without `as` sees them.
fn merge_caller(caller: Option<Caller>, top: &Policies, options: Options) -> PolicySet {
    let mut set = PolicySet { options, ..PolicySet::default() };
    match caller {
        Some(c) => {
            set.principal = Some(c.principal);
            let mut policies = c.policies;
            policies.resource = top.resource.clone();
            policies.session = policies.session.or_else(|| top.session.clone());
            policies.scps = top.scps.clone();
            policies.rcps = top.rcps.clone();
            set.policies = policies;
        }
        None => set.policies = top.clone(),
    }
    set
}

struct Reader<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
    settings: Settings,
    loaded: Option<Loaded>,
    /// Every role known: from the task definition's template, then the scenario's `roles`.
    roles: Vec<Role>,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<&str>) {
        let mut d = Diagnostic::error(span, message);
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.diagnostics.push(d);
    }

    /// Reads the scenario and evaluates its requests; with `only_policies`, fills it with the
    /// principal and policies instead and evaluates nothing.
    fn read(&mut self, root: &Json, report: &mut ScenarioReport, only_policies: Option<&mut PolicySet>) {
        let Some(members) = root.as_object() else {
            self.error(root.span, format!("a scenario must be a JSON object, found {}", root.kind()), Some("start from `{\"scenario\": 1, \"requests\": [...]}`"));
            return;
        };
        self.check_keys(members, SCENARIO_KEYS, "scenario");
        match root.get("scenario") {
            None => self.error(Span::new(root.span.start, root.span.start + 1), "missing `scenario` version", Some("add `\"scenario\": 1` as the first field")),
            Some(v) => match &v.value {
                Value::Number(n) if n == "1" => {}
                Value::Number(n) if n.parse::<u64>().is_ok_and(|n| n > FORMAT_VERSION) => self.error(
                    v.span,
                    format!("scenario format version {n} is newer than this iamplay reads (version {FORMAT_VERSION})"),
                    Some("update iamplay to read this file"),
                ),
                _ => self.error(v.span, format!("`scenario` must be the format version `1`, found {}", v.kind()), Some("write `\"scenario\": 1`")),
            },
        }
        report.name = self.optional_string(root, "name");
        report.notes = self.optional_string(root, "notes");
        if let Some(a) = self.optional_string(root, "account") {
            self.settings.account = Some(a);
        }
        if let Some(r) = self.optional_string(root, "region") {
            self.settings.region = Some(r);
        }
        self.parameters(root);
        if let Some(td) = root.get("task_definition") {
            self.load_task_definition(td);
        }
        self.scenario_roles(root);
        let instance_role = self.instance_role(root);

        // The policies are read once; their diagnostics follow the principal's, as in the
        // order of the fields' checks.
        let before = self.diagnostics.len();
        let mut policies = self.policies(root);
        let policy_diagnostics = self.diagnostics.split_off(before);
        // When evaluating without a task definition and without a request's `as`, the
        // default caller is the policies' only user: they are moved to it rather than copied.
        let sole = only_policies.is_none()
            && self.loaded.is_none()
            && !root.get("requests").and_then(Json::as_array).is_some_and(|items| items.iter().any(|i| i.get("as").is_some()));
        let own = if sole {
            Policies {
                identity: std::mem::take(&mut policies.identity),
                permissions_boundary: policies.permissions_boundary.take(),
                session: policies.session.take(),
                ..Policies::default()
            }
        } else {
            Policies { identity: policies.identity.clone(), permissions_boundary: policies.permissions_boundary.clone(), session: policies.session.clone(), ..Policies::default() }
        };
        let principal = self.principal(root, instance_role.as_ref(), own);
        self.diagnostics.extend(policy_diagnostics);
        let mut options = self.options(root);
        options.literal_context |= self.settings.literal_context;
        if let Some(set) = only_policies {
            *set = merge_caller(principal, &policies, options);
            return;
        }
        self.checklist(report, &policies, instance_role.as_ref(), options);

        let requests = match root.get("requests") {
            None if self.loaded.is_some() => return,
            None => {
                self.error(Span::new(root.span.start, root.span.start + 1), "missing `requests`", Some("add `\"requests\": [{\"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::bucket/key\"}]`"));
                return;
            }
            Some(r) => match r.as_array() {
                Some([]) => {
                    self.error(r.span, "`requests` is empty", Some("add at least one request"));
                    return;
                }
                Some(items) => items,
                None => {
                    self.error(r.span, format!("`requests` must be an array, found {}", r.kind()), None);
                    return;
                }
            },
        };
        // The policies that apply to the default caller are put together once, not per
        // request: only a resource policy the scenario knows for one resource varies.
        let default = principal.map(|caller| {
            let shared = if sole { Cow::Owned(std::mem::take(&mut policies)) } else { Cow::Borrowed(&policies) };
            let applied = applied_policies(caller.policies, shared);
            (caller.principal, applied, caller.label)
        });
        report.results.reserve_exact(requests.len());
        for item in requests {
            let own;
            let (principal, base, label) = match item.get("as") {
                Some(as_) => match self.caller_as(as_, &policies, instance_role.as_ref()) {
                    Some(caller) => {
                        own = (caller.principal, applied_policies(caller.policies, Cow::Borrowed(&policies)), caller.label);
                        (&own.0, &own.1, &own.2)
                    }
                    None => continue,
                },
                None => match &default {
                    Some((p, a, l)) => (p, a, l),
                    None => continue,
                },
            };
            if let Some((mut request, name, expect)) = self.request(item, principal) {
                let catalog = self.settings.catalog.as_deref();
                let known = if base.resource.is_none() { self.known_resource_policy(&request.action, &request.resource) } else { None };
                let outcome = match known {
                    Some(resource) => {
                        let mut applied = base.clone();
                        applied.resource = Some(resource);
                        evaluation::evaluate_in_taking_context(&applied, &mut request, options, catalog)
                    }
                    None => evaluation::evaluate_in_taking_context(base, &mut request, options, catalog),
                };
                report.results.push(RequestResult {
                    name,
                    action: request.action,
                    resource: request.resource,
                    principal: principal.arn(),
                    on_behalf_of: label.clone(),
                    expect,
                    outcome,
                    span: item.span,
                });
            }
        }
    }

    /// A template or task definition read on its own: its checklist is the content, and
    /// each evaluated line is also a result.
    fn deployment_only(&mut self, root: &Json, report: &mut ScenarioReport) {
        self.load_task_definition(root);
        self.roles.extend(self.loaded.as_ref().map(|l| l.deployment.roles.clone()).unwrap_or_default());
        // The literal-context setting holds here too (a template has no `options`).
        let options = Options { literal_context: self.settings.literal_context, ..Options::default() };
        self.checklist(report, &Policies::default(), None, options);
        if self.loaded.as_ref().is_some_and(|l| l.deployment.task_definition.is_none()) {
            self.error(Span::new(root.span.start, root.span.start + 1), "the template defines no `AWS::ECS::TaskDefinition`", Some("add the task definition, or write a scenario with `requests` to evaluate its roles"));
        }
        for line in &report.checklist {
            let Some(outcome) = &line.outcome else { continue };
            report.results.push(RequestResult {
                name: Some(format!("{}: {}", line.requirement.who.as_str(), line.requirement.why)),
                action: line.requirement.action.clone(),
                resource: line.requirement.resource.clone(),
                principal: line.principal.clone(),
                on_behalf_of: Some(line.requirement.who.as_str().to_string()),
                expect: None,
                outcome: outcome.clone(),
                span: line.requirement.span,
            });
        }
    }

    /// `parameters`: values for the template's parameters.
    fn parameters(&mut self, root: &Json) {
        let Some(v) = root.get("parameters") else { return };
        let Some(members) = v.as_object() else {
            self.error(v.span, format!("`parameters` must be an object of parameter names and values, found {}", v.kind()), Some("write `\"parameters\": {\"Env\": \"prod\"}`"));
            return;
        };
        for m in members {
            if let Some(value) = self.scalar(&m.value, &m.key) {
                self.settings.parameters.insert(m.key.clone(), value);
            }
        }
    }

    /// Reads `task_definition` (an object, or text holding JSON or YAML) in any form.
    fn load_task_definition(&mut self, td: &Json) {
        let (doc, embedded, whole) = match &td.value {
            Value::String(s) => {
                let parsed = read_document(s);
                let embedded = json::StringMap::new(self.text, td.span, s).map_or(Embedded::Whole, Embedded::String);
                for mut d in parsed.errors {
                    d.span = embedded.map(d.span, td.span);
                    self.diagnostics.push(d);
                }
                let Some(doc) = parsed.json else { return };
                (doc, embedded, td.span)
            }
            Value::Object(_) => (td.clone(), Embedded::No, td.span),
            _ => {
                self.error(td.span, format!("`task_definition` must be an object or a text holding one, found {}", td.kind()), Some("paste the output of `aws ecs describe-task-definition`, or a CloudFormation template"));
                return;
            }
        };
        let map = |span: Span| embedded.map(span, whole);
        let given_account = self.settings.account.clone();
        let given_region = self.settings.region.clone();
        let mut pseudo = Pseudo::default();
        // Without `account` or `region`, a task definition's own ARNs and images say them.
        if (given_account.is_none() || given_region.is_none()) && !cloudformation::is_template(&doc) {
            let mut ignored = Vec::new();
            let first = ecs::read_deployment(&doc, &pseudo, &self.settings.parameters, &mut ignored);
            if let Some(td) = &first.task_definition {
                let (a, r) = ecs::implied_account_region(td);
                if let Some(a) = a {
                    pseudo.account = a;
                }
                if let Some(r) = r {
                    pseudo.region = r;
                }
            }
        }
        let implied = (pseudo.account != Pseudo::default().account, pseudo.region != Pseudo::default().region);
        if let Some(a) = &given_account {
            pseudo.account = a.clone();
        }
        if let Some(r) = &given_region {
            pseudo.region = r.clone();
        }
        pseudo.partition = if pseudo.region.starts_with("cn-") {
            "aws-cn".into()
        } else if pseudo.region.starts_with("us-gov-") {
            "aws-us-gov".into()
        } else {
            "aws".into()
        };
        let at = Span::new(whole.start, whole.start + 1);
        if given_account.is_none() && !implied.0 {
            self.diagnostics.push(
                Diagnostic::warning(at, format!("no `account` given: the playground takes `{}` for `AWS::AccountId` and the task's account", pseudo.account))
                    .with_help("add `\"account\": \"111122223333\"` to the scenario, or `--account` on the command line"),
            );
        }
        if given_region.is_none() && !implied.1 {
            self.diagnostics.push(
                Diagnostic::warning(at, format!("no `region` given: the playground takes `{}` for `AWS::Region`", pseudo.region))
                    .with_help("add `\"region\": \"us-west-1\"` to the scenario, or `--region` on the command line"),
            );
        }
        let mut diagnostics = Vec::new();
        let mut deployment = ecs::read_deployment(&doc, &pseudo, &self.settings.parameters, &mut diagnostics);
        for mut d in diagnostics {
            d.span = map(d.span);
            self.diagnostics.push(d);
        }
        if !matches!(embedded, Embedded::No) {
            for role in &mut deployment.roles {
                role.span = map(role.span);
                for p in role.policies.iter_mut().chain(role.permissions_boundary.iter_mut()).chain(role.trust_policy.iter_mut()) {
                    p.map_spans(&map);
                }
            }
            for (_, p) in &mut deployment.bucket_policies {
                p.map_spans(&map);
            }
        }
        self.roles.extend(deployment.roles.iter().cloned());
        self.loaded = Some(Loaded { deployment, env: Environment::from_pseudo(&pseudo), embedded, whole });
    }

    /// `roles`: name → role, with its policies, tags, boundary and trust policy.
    fn scenario_roles(&mut self, root: &Json) {
        let Some(v) = root.get("roles") else { return };
        let Some(members) = v.as_object() else {
            self.error(v.span, format!("`roles` must be an object of role names and roles, found {}", v.kind()), Some("write `\"roles\": {\"task\": {\"arn\": \"arn:aws:iam::111122223333:role/app\"}}`"));
            return;
        };
        for m in members {
            let r = &m.value;
            let Some(fields) = r.as_object() else {
                self.error(r.span, format!("role `{}` must be an object with `arn`, found {}", m.key, r.kind()), None);
                continue;
            };
            self.check_keys(fields, ROLE_KEYS, "role");
            let Some(arn) = self.required_string(r, "arn", "add `\"arn\": \"arn:aws:iam::ACCOUNT:role/NAME\"`") else { continue };
            let arn_span = r.get("arn").map_or(r.span, |a| a.span);
            let Some(mut role) = Role::from_arn(&m.key, &arn, m.key_span) else {
                self.error(arn_span, format!("`{arn}` is not a role ARN"), Some("write `arn:aws:iam::ACCOUNT:role/NAME`"));
                continue;
            };
            role.policies_known = r.get("policies").is_some() || r.get("managed_policy_arns").is_some();
            role.unique_id = self.optional_string(r, "unique_id");
            if let Some(tags) = r.get("tags") {
                role.tags = self.tags(tags);
            }
            if let Some(list) = r.get("policies") {
                match list.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            role.policies.extend(self.policy(item, &format!("{}-{i}", m.key), PolicyType::Identity));
                        }
                    }
                    None => self.error(list.span, format!("`policies` must be an array of policies, found {}", list.kind()), None),
                }
            }
            for item in r.get("managed_policy_arns").and_then(Json::as_array).unwrap_or_default() {
                let Some(arn) = item.as_str() else { continue };
                match managed_policies::lookup(arn) {
                    Lookup::Known(p) => role.policies.push(p.policy()),
                    _ => {
                        self.diagnostics.push(managed_policies::not_evaluated(arn, item.span));
                        role.not_evaluated.push(arn.to_string());
                    }
                }
            }
            if let Some(b) = r.get("permissions_boundary") {
                match b.as_str().filter(|s| s.starts_with("arn:")) {
                    Some(arn) => match managed_policies::lookup(arn) {
                        Lookup::Known(p) => {
                            let mut p = p.policy();
                            p.policy_type = PolicyType::PermissionsBoundary;
                            role.permissions_boundary = Some(p);
                        }
                        _ => {
                            self.diagnostics.push(managed_policies::not_evaluated(arn, b.span));
                            role.not_evaluated.push(arn.to_string());
                        }
                    },
                    None => role.permissions_boundary = self.policy(b, &format!("{}-boundary", m.key), PolicyType::PermissionsBoundary),
                }
            }
            if let Some(t) = r.get("trust_policy") {
                role.trust_policy = self.policy(t, &format!("{} trust policy", m.key), PolicyType::Resource);
            }
            // A role given in the scenario replaces the template's role of the same ARN.
            let arn = role.arn();
            self.roles.retain(|known| known.arn() != arn);
            self.roles.push(role);
        }
    }

    /// The role a task definition field names: a known role, or one known only by its ARN.
    fn task_role(&self, field: Option<&policy::Item>) -> Option<Role> {
        let loaded = self.loaded.as_ref()?;
        let field = field?;
        let arn = ecs::role_arn(&field.text, &loaded.env);
        self.roles.iter().find(|r| r.is_named_by(&arn)).cloned().or_else(|| Role::from_arn(&field.text, &arn, field.span))
    }

    fn named_role(&self, which: &str) -> Option<Role> {
        let td = self.loaded.as_ref()?.deployment.task_definition.as_ref()?;
        match which {
            "task_role" => self.task_role(td.task_role.as_ref()),
            _ => self.task_role(td.execution_role.as_ref()),
        }
    }

    /// `instance_role`: the container instance role of the EC2 launch type, a `roles` name or
    /// a role ARN.
    fn instance_role(&mut self, root: &Json) -> Option<Role> {
        let v = root.get("instance_role")?;
        let Some(name) = v.as_str() else {
            self.error(v.span, format!("`instance_role` must be a role name from `roles` or a role ARN, found {}", v.kind()), None);
            return None;
        };
        if let Some(r) = self.roles.iter().find(|r| r.key == name || r.is_named_by(name)) {
            return Some(r.clone());
        }
        match Role::from_arn("instance_role", name, v.span) {
            Some(r) => Some(r),
            None => {
                let help = suggest::closest(name, self.roles.iter().map(|r| r.key.as_str())).map(|s| format!("did you mean `{s}`?"));
                self.error(v.span, format!("`instance_role` `{name}` is neither a role of `roles` nor a role ARN"), Some(help.as_deref().unwrap_or("write `arn:aws:iam::ACCOUNT:role/ecsInstanceRole`")));
                None
            }
        }
    }

    /// Computes the task definition's checklist into the report.
    fn checklist(&mut self, report: &mut ScenarioReport, policies: &Policies, instance: Option<&Role>, options: Options) {
        let Some(loaded) = &self.loaded else { return };
        let Some(td) = loaded.deployment.task_definition.clone() else { return };
        let env = loaded.env.clone();
        let (embedded, whole) = (loaded.embedded.clone(), loaded.whole);
        let task = self.named_role("task_role");
        let execution = self.named_role("execution_role");
        let roles = ecs::Roles { task: task.as_ref().filter(|r| r.policies_known || r.trust_policy.is_some()), execution: execution.as_ref().filter(|r| r.policies_known || r.trust_policy.is_some()), instance };
        let mut summary = ecs::summary(&loaded.deployment, &td, &env);
        summary.roles = self.roles.iter().map(Role::summary).collect();
        let requirements = ecs::requirements(&td, &env, &loaded.deployment.secret_keys);
        let mut bucket_policies = loaded.deployment.bucket_policies.clone();
        if let Some(rp) = &policies.resource {
            // A scenario's `resource_policy` applies to every bucket it is evaluated against.
            for (_, p) in &mut bucket_policies {
                *p = rp.clone();
            }
        }
        let mut lines = ecs::checklist(&td, requirements, &roles, policies, &bucket_policies, options, self.settings.catalog.as_deref());
        for l in &mut lines {
            l.requirement.span = embedded.map(l.requirement.span, whole);
        }
        report.task = Some(summary);
        report.checklist = lines;
    }

    /// The resource policy the scenario knows for a resource: the trust policy of a known
    /// role for `sts:AssumeRole`, the template's bucket policy for S3.
    fn known_resource_policy(&self, action: &str, resource: &str) -> Option<Policy> {
        if action.to_ascii_lowercase().starts_with("sts:assumerole") {
            return self.roles.iter().find(|r| r.is_named_by(resource)).and_then(|r| r.trust_policy.clone());
        }
        let (_, path) = resource.split_once(":s3:::")?;
        let bucket = path.split('/').next()?;
        self.loaded.as_ref()?.deployment.bucket_policies.iter().find(|(b, _)| b == bucket).map(|(_, p)| p.clone())
    }

    /// A request's `as`: `task_role`, `execution_role`, `instance_role`, a role of `roles` or
    /// of the template, or a principal ARN.
    fn caller_as(&mut self, v: &Json, top: &Policies, instance: Option<&Role>) -> Option<Caller> {
        let Some(name) = v.as_str() else {
            self.error(v.span, format!("`as` must be a string, found {}", v.kind()), Some("write `\"as\": \"task_role\"`, `\"execution_role\"` or a role name"));
            return None;
        };
        let role = match name {
            "task_role" | "execution_role" => match self.named_role(name) {
                Some(r) => Some((r, ecs::TASK_ID)),
                None => {
                    let field = if name == "task_role" { "taskRoleArn" } else { "executionRoleArn" };
                    self.error(v.span, format!("`as` is `{name}`, but there is no task definition with a `{field}`"), Some("add a `task_definition` that names the role, or name a role of `roles`"));
                    return None;
                }
            },
            "instance_role" => match instance {
                Some(r) => Some((r.clone(), ecs::INSTANCE_ID)),
                None => {
                    self.error(v.span, "`as` is `instance_role`, but the scenario has no `instance_role`", Some("add `\"instance_role\": \"arn:aws:iam::ACCOUNT:role/ecsInstanceRole\"`"));
                    return None;
                }
            },
            _ => self.roles.iter().find(|r| r.key == name || r.name == name || r.is_named_by(name)).map(|r| (r.clone(), ecs::TASK_ID)),
        };
        if let Some((role, session)) = role {
            if !role.policies_known {
                self.diagnostics.push(
                    Diagnostic::warning(v.span, format!("the policies of role `{}` are not in the scenario: only resource-based policies can allow its requests", role.name))
                        .with_help("define the role under `roles` with its `policies`, or paste the template that defines it"),
                );
            }
            return Some(Caller { principal: role.session(session), policies: role.policies(), label: Some(name.to_string()) });
        }
        match Principal::parse(name) {
            Ok(p) => Some(Caller { principal: p, policies: top.clone(), label: Some(name.to_string()) }),
            Err(_) => {
                let mut names: Vec<&str> = vec!["task_role", "execution_role", "instance_role"];
                names.extend(self.roles.iter().map(|r| r.key.as_str()));
                let help = suggest::closest(name, names.iter().copied()).map_or_else(|| "write `task_role`, `execution_role`, `instance_role`, a role of `roles` or a principal ARN".to_string(), |s| format!("did you mean `{s}`?"));
                self.error(v.span, format!("`as` names `{name}`, which is neither a known role nor a principal ARN"), Some(&help));
                None
            }
        }
    }

    /// `options`: choices on points the AWS documentation leaves open (an extension of
    /// format version 1; files without it keep their meaning).
    fn options(&mut self, root: &Json) -> Options {
        let mut options = Options::default();
        let Some(v) = root.get("options") else { return options };
        let Some(members) = v.as_object() else {
            self.error(v.span, format!("`options` must be an object, found {}", v.kind()), None);
            return options;
        };
        self.check_keys(members, OPTION_KEYS, "options");
        if let Some(flag) = v.get("legacy_service_arn_for_resourceless") {
            match flag.value {
                Value::Bool(b) => options.legacy_service_arn_for_resourceless = b,
                _ => self.error(flag.span, format!("`legacy_service_arn_for_resourceless` must be `true` or `false`, found {}", flag.kind()), None),
            }
        }
        if let Some(flag) = v.get("literal_context") {
            match flag.value {
                Value::Bool(b) => options.literal_context = b,
                _ => self.error(flag.span, format!("`literal_context` must be `true` or `false`, found {}", flag.kind()), None),
            }
        }
        options
    }

    fn check_keys(&mut self, members: &[Member], known: &[&str], what: &str) {
        let mut seen = None;
        for (i, m) in members.iter().enumerate() {
            if json::repeats_key(members, i, &mut seen) {
                self.error(m.key_span, format!("duplicate key `{}`", m.key), Some("remove one of the two"));
            } else if !known.contains(&m.key.as_str()) {
                let help = suggest::closest(&m.key, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                let help = help.unwrap_or_else(|| format!("a {what} may hold {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")));
                self.error(m.key_span, format!("unknown {what} field `{}`", m.key), Some(&help));
            }
        }
    }

    fn optional_string(&mut self, obj: &Json, key: &str) -> Option<String> {
        let v = obj.get(key)?;
        match &v.value {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.error(v.span, format!("`{key}` must be a string, found {}", v.kind()), None);
                None
            }
        }
    }

    fn required_string(&mut self, obj: &Json, key: &str, help: &str) -> Option<String> {
        if obj.get(key).is_none() {
            self.error(Span::new(obj.span.start, obj.span.start + 1), format!("missing `{key}`"), Some(help));
            return None;
        }
        self.optional_string(obj, key)
    }

    /// The caller of requests without `as`: `principal`, else the task role's task session,
    /// else (EC2 launch type without a task role) the container instance role.
    fn principal(&mut self, root: &Json, instance: Option<&Role>, own: Policies) -> Option<Caller> {
        // The caller's own policies; the shared ones are added per request.
        let top = own;
        if root.get("principal").is_none() {
            if let Some(role) = self.named_role("task_role") {
                let mut policies = top;
                policies.identity.extend(role.policies.iter().cloned());
                if policies.permissions_boundary.is_none() {
                    policies.permissions_boundary = role.permissions_boundary.clone();
                }
                return Some(Caller { principal: role.session(ecs::TASK_ID), policies, label: None });
            }
            let td = self.loaded.as_ref().and_then(|l| l.deployment.task_definition.as_ref());
            if let (Some(role), Some(td)) = (instance, td) {
                if !td.is_fargate() {
                    let mut policies = top;
                    policies.identity.extend(role.policies.iter().cloned());
                    return Some(Caller { principal: role.session(ecs::INSTANCE_ID), policies, label: Some("instance_role".into()) });
                }
            }
        }
        let principal = self.principal_field(root)?;
        Some(Caller { principal, policies: top, label: None })
    }

    fn principal_field(&mut self, root: &Json) -> Option<Principal> {
        let Some(v) = root.get("principal") else {
            if let Some(p) = self.task_role_principal(root) {
                return Some(p);
            }
            self.error(
                Span::new(root.span.start, root.span.start + 1),
                "missing `principal`",
                Some("add `\"principal\": \"arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION\"`, or a `task_definition` with a `taskRoleArn`"),
            );
            return None;
        };
        let parsed = match &v.value {
            Value::String(s) => Principal::parse(s).map_err(|e| (v.span, e)),
            Value::Object(members) => {
                self.check_keys(members, PRINCIPAL_KEYS, "principal");
                let arn = self.required_string(v, "arn", "add `\"arn\": \"arn:aws:iam::ACCOUNT:role/NAME\"`")?;
                let arn_span = v.get("arn").map_or(v.span, |a| a.span);
                let mut principal = match Principal::parse(&arn) {
                    Ok(p) => p,
                    Err(e) => {
                        self.error(arn_span, e, Some("use an IAM user, role or root ARN, or a role session ARN"));
                        return None;
                    }
                };
                if let Some(session) = self.optional_string(v, "session_name") {
                    match principal.with_session(&session) {
                        Ok(p) => principal = p,
                        Err(e) => {
                            let span = v.get("session_name").map_or(v.span, |s| s.span);
                            self.error(span, e, Some("remove `session_name`, or make `arn` a role ARN"));
                            return None;
                        }
                    }
                }
                principal.unique_id = self.optional_string(v, "unique_id");
                if let Some(tags) = v.get("tags") {
                    principal.tags = self.tags(tags);
                }
                Ok(principal)
            }
            _ => Err((v.span, format!("`principal` must be an ARN string or an object with `arn`, found {}", v.kind()))),
        };
        match parsed {
            Ok(p) => Some(p),
            Err((span, message)) => {
                self.error(span, message, Some("for example `\"arn:aws:sts::111122223333:assumed-role/MyTaskRole/0123abcd\"`"));
                None
            }
        }
    }

    /// With no `principal`, a task definition's task role is the caller: its task session.
    fn task_role_principal(&mut self, root: &Json) -> Option<Principal> {
        let td = root.get("task_definition")?;
        let body = td.get("taskDefinition").unwrap_or(td);
        let arn_json = body.get("taskRoleArn")?;
        let arn = arn_json.as_str()?;
        match Principal::parse(arn) {
            Ok(p) if matches!(p.kind, crate::principal::Kind::RoleSession { .. }) => Some(p),
            _ => {
                self.error(arn_json.span, format!("`taskRoleArn` `{arn}` is not a role ARN"), Some("write `arn:aws:iam::ACCOUNT:role/NAME`"));
                None
            }
        }
    }

    fn tags(&mut self, v: &Json) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        let Some(members) = v.as_object() else {
            self.error(v.span, format!("`tags` must be an object of tag keys and values, found {}", v.kind()), Some("write `\"tags\": {\"team\": \"data\"}`"));
            return tags;
        };
        for m in members {
            match &m.value.value {
                Value::String(s) => {
                    tags.insert(m.key.clone(), s.clone());
                }
                _ => self.error(m.value.span, format!("the value of tag `{}` must be a string, found {}", m.key, m.value.kind()), None),
            }
        }
        tags
    }

    fn policies(&mut self, root: &Json) -> Policies {
        let mut policies = Policies::default();
        if let Some(v) = root.get("identity_policies") {
            match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        policies.identity.extend(self.policy(item, &format!("identity-{i}"), PolicyType::Identity));
                    }
                }
                None if matches!(v.value, Value::Null) => {}
                None => self.error(v.span, format!("`identity_policies` must be an array of policies, found {}", v.kind()), Some("write `\"identity_policies\": [{\"Version\": \"2012-10-17\", \"Statement\": [...]}]`")),
            }
        }
        policies.resource = self.single_policy(root, "resource_policy", "resource", PolicyType::Resource);
        policies.permissions_boundary = self.single_policy(root, "permissions_boundary", "boundary", PolicyType::PermissionsBoundary);
        policies.session = self.single_policy(root, "session_policy", "session", PolicyType::Session);
        policies.scps = self.levels(root, "scps", "scp", PolicyType::Scp);
        policies.rcps = self.levels(root, "rcps", "rcp", PolicyType::Rcp);
        policies
    }

    fn single_policy(&mut self, root: &Json, key: &str, default_name: &str, policy_type: PolicyType) -> Option<Policy> {
        let v = root.get(key)?;
        if matches!(v.value, Value::Null) {
            return None;
        }
        self.policy(v, default_name, policy_type)
    }

    /// `[policy, ...]` is one level; `[[policy, ...], ...]` is one list per level.
    fn levels(&mut self, root: &Json, key: &str, prefix: &str, policy_type: PolicyType) -> Vec<Vec<Policy>> {
        let Some(v) = root.get(key) else { return Vec::new() };
        let Some(items) = v.as_array() else {
            if !matches!(v.value, Value::Null) {
                self.error(v.span, format!("`{key}` must be an array of policies, or an array of arrays (one per level, root first), found {}", v.kind()), None);
            }
            return Vec::new();
        };
        if items.is_empty() {
            return Vec::new();
        }
        let nested = items.iter().filter(|i| i.as_array().is_some()).count();
        if nested == items.len() {
            items
                .iter()
                .enumerate()
                .map(|(l, level)| {
                    let inner = level.as_array().unwrap_or_default();
                    inner.iter().enumerate().filter_map(|(i, p)| self.policy(p, &format!("{prefix}-L{}-{i}", l + 1), policy_type)).collect()
                })
                .collect()
        } else {
            if nested > 0 {
                self.error(v.span, format!("`{key}` mixes policies and lists of policies"), Some("use a flat list for one level, or a list of lists, one per level"));
                return Vec::new();
            }
            vec![items.iter().enumerate().filter_map(|(i, p)| self.policy(p, &format!("{prefix}-{i}"), policy_type)).collect()]
        }
    }

    /// A policy document, `{"name": ..., "document": ...}`, or a string holding JSON or
    /// URL-encoded JSON.
    fn policy(&mut self, v: &Json, default_name: &str, policy_type: PolicyType) -> Option<Policy> {
        let is_named = v.as_object().is_some_and(|m| m.iter().any(|m| m.key == "document") && v.get("Statement").is_none());
        let (name, doc) = if is_named {
            let members = v.as_object().unwrap_or_default();
            self.check_keys(members, &["name", "document"], "named policy");
            let name = self.optional_string(v, "name").unwrap_or_else(|| default_name.to_string());
            (name, v.get("document")?)
        } else {
            (default_name.to_string(), v)
        };
        match &doc.value {
            Value::String(s) => Some(self.policy_from_string(s, doc.span, &name, policy_type)),
            Value::Object(_) => {
                let mut diagnostics = Vec::new();
                let p = policy::read_policy(doc, &name, policy_type, &mut diagnostics);
                self.diagnostics.extend(diagnostics);
                Some(p)
            }
            _ => {
                self.error(doc.span, format!("a policy must be a JSON object or a string holding one, found {}", doc.kind()), Some("write `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`"));
                None
            }
        }
    }

    /// A policy given as text inside a JSON string. Spans map back into the scenario through
    /// the string's escapes; a URL-encoded policy's point at the whole string.
    fn policy_from_string(&mut self, s: &str, span: Span, name: &str, policy_type: PolicyType) -> Policy {
        let trimmed = s.trim_start();
        let (text, mappable) = if trimmed.starts_with('{') { (s.to_string(), true) } else { (percent_decode(s), false) };
        let (parsed, diagnostics) = policy::parse_policy_text(&text, name, policy_type);
        let strings = if mappable { json::StringMap::new(self.text, span, s) } else { None };
        let map = |inner: Span| match &strings {
            Some(m) => m.span(inner),
            None => span,
        };
        self.diagnostics.extend(diagnostics.into_iter().map(|mut d| {
            d.span = map(d.span);
            d
        }));
        let mut p = parsed.unwrap_or(Policy { name: name.to_string(), policy_type, version: Version::V2008, statements: Vec::new(), span });
        p.map_spans(&map);
        p
    }

    fn request(&mut self, v: &Json, principal: &Principal) -> Option<(Request, Option<String>, Option<Decision>)> {
        let Some(members) = v.as_object() else {
            self.error(v.span, format!("a request must be an object, found {}", v.kind()), Some("write `{\"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::bucket/key\"}`"));
            return None;
        };
        self.check_keys(members, REQUEST_KEYS, "request");
        let name = self.optional_string(v, "name");
        let action = self.required_string(v, "action", "add `\"action\": \"service:Action\"`, for example `s3:GetObject`");
        if let (Some(a), Some(span)) = (&action, v.get("action").map(|a| a.span)) {
            let valid = a.split_once(':').is_some_and(|(s, n)| !s.is_empty() && !n.is_empty() && !a.contains(['*', '?']));
            if !valid {
                self.error(span, format!("`{a}` is not an action"), Some("write `service:Action`, for example `s3:GetObject`; wildcards are for policies, not requests"));
            }
        }
        let resource = self.required_string(v, "resource", "add `\"resource\": \"arn:...\"`, or `\"*\"` for an action with no resource type");
        let resource_account = self.optional_string(v, "resource_account");
        if let (Some(a), Some(span)) = (&resource_account, v.get("resource_account").map(|a| a.span)) {
            if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                self.error(span, format!("`resource_account` must be a 12-digit account ID, found `{a}`"), None);
            }
        }
        let expect = match v.get("expect") {
            None => None,
            Some(e) => match e.as_str().and_then(Decision::parse) {
                Some(d) => Some(d),
                None => {
                    let help = e.as_str().and_then(|s| suggest::closest(s, ["allowed", "implicitDeny", "explicitDeny"])).map_or_else(
                        || "write `allowed`, `implicitDeny` or `explicitDeny`".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    self.error(e.span, "`expect` must be `allowed`, `implicitDeny` or `explicitDeny`", Some(&help));
                    None
                }
            },
        };
        let mut context = Context::new();
        if let Some(c) = v.get("context") {
            match c.as_object() {
                Some(keys) => {
                    let mut seen = HashSet::new();
                    for (i, k) in keys.iter().enumerate() {
                        // Few keys (nearly always): scanned; many: hashed, lowercased.
                        let repeated = if keys.len() <= 16 {
                            keys[..i].iter().any(|p| p.key.eq_ignore_ascii_case(&k.key))
                        } else {
                            !seen.insert(k.key.to_ascii_lowercase())
                        };
                        if repeated {
                            self.error(k.key_span, format!("duplicate context key `{}`", k.key), Some("condition keys are case-insensitive: give each once"));
                        }
                        let (values, as_list) = match &k.value.value {
                            Value::Array(items) => (items.iter().filter_map(|i| self.scalar(i, &k.key)).collect(), true),
                            _ => (self.scalar(&k.value, &k.key).into_iter().collect(), false),
                        };
                        context.insert_given(&k.key, values, as_list);
                    }
                }
                None => self.error(c.span, format!("`context` must be an object of condition keys, found {}", c.kind()), Some("write `\"context\": {\"aws:SourceIp\": \"203.0.113.7\"}`")),
            }
        }
        Some((Request { principal: principal.clone(), action: action?, resource: resource?, resource_account, context }, name, expect))
    }

    fn scalar(&mut self, v: &Json, key: &str) -> Option<String> {
        match &v.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.error(v.span, format!("values of `{key}` must be strings, numbers or booleans, found {}", v.kind()), None);
                None
            }
        }
    }
}

/// A caller's own policies with the scenario's shared ones: its resource policy, its
/// session policy unless the caller has one, and the organisation's policies.
fn applied_policies(own: Policies, shared: Cow<'_, Policies>) -> Policies {
    let shared = match shared {
        Cow::Owned(shared) => shared,
        Cow::Borrowed(s) => Policies {
            resource: s.resource.clone(),
            session: if own.session.is_none() { s.session.clone() } else { None },
            scps: s.scps.clone(),
            rcps: s.rcps.clone(),
            ..Policies::default()
        },
    };
    Policies {
        identity: own.identity,
        resource: shared.resource,
        permissions_boundary: own.permissions_boundary,
        session: own.session.or(shared.session),
        scps: shared.scps,
        rcps: shared.rcps,
    }
}

/// Decodes `%XX` escapes (and `+` as space), as the AWS CLI returns inline role policies.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%7B%22a%22%3A1%7D"), "{\"a\":1}");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
