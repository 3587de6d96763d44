//! CloudFormation templates (JSON or YAML): resolves the intrinsic functions against pseudo
//! parameters and parameter values, and extracts what IAM evaluation needs: roles with their
//! inline, attached and managed policies, boundaries, tags and trust policies; S3 bucket
//! policies; task definitions.
//!
//! Only the properties the playground reads are resolved, so an unresolvable `UserData`
//! elsewhere in a template costs nothing. Whatever cannot be resolved becomes a diagnostic at
//! the intrinsic and the text `<unresolved ...>` in its place, which no ARN or action matches:
//! never a crash, never a silent guess. Resolved values keep the span of the intrinsic that
//! produced them, so traces and diagnostics point into the template.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html>

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diagnostic::{Diagnostic, Span};
use crate::json::{Json, Member, Value};
use crate::managed_policies::{self, Lookup};
use crate::policy::{self, Policy};
use crate::role::Role;
use crate::suggest;
use crate::trace::PolicyType;

/// The start of the text that stands for a value that could not be resolved.
pub const UNRESOLVED: &str = "<unresolved";

/// Whether a resolved string holds an unresolved part.
pub fn is_unresolved(text: &str) -> bool {
    text.contains(UNRESOLVED)
}

/// The values of `AWS::AccountId`, `AWS::Region`, `AWS::Partition` and `AWS::StackName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudo {
    pub account: String,
    pub region: String,
    pub partition: String,
    pub stack_name: String,
}

impl Default for Pseudo {
    fn default() -> Pseudo {
        Pseudo { account: "123456789012".into(), region: "us-east-1".into(), partition: "aws".into(), stack_name: "stack".into() }
    }
}

impl Pseudo {
    /// `amazonaws.com`, or `amazonaws.com.cn` in the China partition.
    pub fn url_suffix(&self) -> &'static str {
        if self.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }
}

/// An `AWS::ECS::TaskDefinition` with its properties resolved.
#[derive(Debug, Clone)]
pub struct TaskDefinitionResource {
    pub logical_id: String,
    pub properties: Json,
    /// Whether an `AWS::ECS::Service` running it sets `EnableExecuteCommand`.
    pub execute_command: bool,
}

/// What a template holds that IAM evaluation needs.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub roles: Vec<Role>,
    /// `AWS::S3::BucketPolicy`: bucket name and policy.
    pub bucket_policies: Vec<(String, Policy)>,
    pub task_definitions: Vec<TaskDefinitionResource>,
    /// Secret ARN → KMS key ARN, from `AWS::SecretsManager::Secret` `KmsKeyId`.
    pub secret_keys: Vec<(String, String)>,
}

/// Whether a document is a CloudFormation template rather than a task definition.
pub fn is_template(root: &Json) -> bool {
    root.get("AWSTemplateFormatVersion").is_some() || root.get("Resources").is_some_and(|r| r.as_object().is_some())
}

/// Reads a template. `parameters` gives parameter values; others take their `Default`.
pub fn read_template(root: &Json, pseudo: &Pseudo, parameters: &BTreeMap<String, String>, out: &mut Vec<Diagnostic>) -> Template {
    let mut r = Resolver::new(root, pseudo, parameters);
    let template = r.template();
    out.append(&mut r.out);
    template
}

/// Resolves the intrinsic functions in one value of a template, for tests and callers that
/// hold a single resource.
pub fn resolve_value(root: &Json, value: &Json, pseudo: &Pseudo, out: &mut Vec<Diagnostic>) -> Option<Json> {
    let given = BTreeMap::new();
    let mut r = Resolver::new(root, pseudo, &given);
    let v = r.resolve(value);
    out.append(&mut r.out);
    v
}

struct Resource<'a> {
    key_span: Span,
    kind: String,
    decl: &'a Json,
}

impl<'a> Resource<'a> {
    fn property(&self, key: &str) -> Option<&'a Json> {
        self.decl.get("Properties")?.get(key)
    }
}

struct Resolver<'a> {
    pseudo: &'a Pseudo,
    given: &'a BTreeMap<String, String>,
    parameters: BTreeMap<&'a str, &'a Json>,
    resources: BTreeMap<&'a str, Resource<'a>>,
    conditions: Option<&'a Json>,
    mappings: Option<&'a Json>,
    condition_values: HashMap<String, Option<bool>>,
    /// Resources whose names are being resolved, and conditions being evaluated: cycles.
    in_progress: Vec<String>,
    /// Diagnostics said once per resource (generated names).
    said: HashSet<String>,
    /// How many more unknown names get a "did you mean".
    suggestions_left: usize,
    out: Vec<Diagnostic>,
}

/// How many unknown names get a "did you mean": each is compared with every name of the
/// template, so a template of thousands of unknown names would otherwise take time in the
/// square of its size.
const MAX_SUGGESTIONS: usize = 16;

/// Whether a `${...}` name in `Fn::Sub` is an IAM policy variable (`aws:username`,
/// `aws:PrincipalTag/team`, `s3:prefix`): parameters and logical IDs are alphanumeric, and
/// pseudo parameters start with `AWS::`.
fn is_policy_variable(name: &str) -> bool {
    name.contains(':') && !name.starts_with("AWS::")
}

/// The property holding a resource type's physical name.
fn name_property(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IAM::InstanceProfile" => "InstanceProfileName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::ECR::Repository" => "RepositoryName",
        "AWS::SecretsManager::Secret" => "Name",
        "AWS::SSM::Parameter" => "Name",
        "AWS::ECS::Cluster" => "ClusterName",
        "AWS::ECS::TaskDefinition" => "Family",
        "AWS::KinesisFirehose::DeliveryStream" => "DeliveryStreamName",
        "AWS::Kinesis::Stream" => "Name",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::DynamoDB::Table" => "TableName",
        "AWS::KMS::Alias" => "AliasName",
        _ => return None,
    })
}

impl<'a> Resolver<'a> {
    fn new(root: &'a Json, pseudo: &'a Pseudo, given: &'a BTreeMap<String, String>) -> Resolver<'a> {
        let mut parameters = BTreeMap::new();
        for m in root.get("Parameters").and_then(Json::as_object).unwrap_or_default() {
            parameters.insert(m.key.as_str(), &m.value);
        }
        let mut resources = BTreeMap::new();
        for m in root.get("Resources").and_then(Json::as_object).unwrap_or_default() {
            let kind = m.value.get("Type").and_then(Json::as_str).unwrap_or("").to_string();
            resources.insert(m.key.as_str(), Resource { key_span: m.key_span, kind, decl: &m.value });
        }
        Resolver {
            pseudo,
            given,
            parameters,
            resources,
            conditions: root.get("Conditions"),
            mappings: root.get("Mappings"),
            condition_values: HashMap::new(),
            in_progress: Vec::new(),
            said: HashSet::new(),
            suggestions_left: MAX_SUGGESTIONS,
            out: Vec::new(),
        }
    }

    fn prop(&self, id: &str, key: &str) -> Option<&'a Json> {
        self.resources.get(id).and_then(|r| r.property(key))
    }

    fn key_span(&self, id: &str) -> Span {
        self.resources.get(id).map_or(Span::default(), |r| r.key_span)
    }

    /// The resource name (or also parameter name) nearest to an unknown `name`, if it is a
    /// plausible typo.
    fn did_you_mean(&mut self, name: &str, parameters_too: bool) -> Option<String> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        let parameters = self.parameters.keys().filter(|_| parameters_too);
        suggest::closest(name, parameters.chain(self.resources.keys()).copied()).map(str::to_string)
    }

    fn error(&mut self, span: Span, message: String, help: impl Into<String>) {
        self.out.push(Diagnostic::error(span, message).with_help(help));
    }

    fn warn(&mut self, span: Span, message: String, help: impl Into<String>) {
        self.out.push(Diagnostic::warning(span, message).with_help(help));
    }

    /// The placeholder for a value that could not be resolved (the diagnostic is the caller's).
    fn unresolved(what: &str, span: Span) -> Json {
        Json { value: Value::String(format!("{UNRESOLVED} {what}>")), span }
    }

    fn text(s: String, span: Span) -> Json {
        Json { value: Value::String(s), span }
    }

    // ---- reading the template -------------------------------------------------------------

    fn template(&mut self) -> Template {
        for key in self.given.keys() {
            if !self.parameters.contains_key(key.as_str()) {
                let help = suggest::closest(key, self.parameters.keys().copied()).map_or_else(|| "remove it".to_string(), |s| format!("did you mean `{s}`?"));
                self.out.push(Diagnostic::warning(Span::default(), format!("parameter `{key}` is not declared by the template")).with_help(help));
            }
        }
        let ids: Vec<&'a str> = self.resources.keys().copied().collect();
        let mut created: Vec<(&'a str, String)> = Vec::new();
        for id in ids {
            if self.is_created(id) {
                created.push((id, self.resources[id].kind.clone()));
            }
        }
        let of = |kinds: &[&str]| -> Vec<&'a str> { created.iter().filter(|(_, k)| kinds.contains(&k.as_str())).map(|(id, _)| *id).collect() };

        // Customer managed policies first: roles refer to them by ARN.
        let mut managed: Vec<(String, Policy, Vec<String>)> = Vec::new();
        for id in of(&["AWS::IAM::ManagedPolicy"]) {
            let arn = self.ref_value(id, self.key_span(id));
            let arn = arn.as_str().unwrap_or_default().to_string();
            let name = arn.rsplit('/').next().unwrap_or(id).to_string();
            if let Some(policy) = self.policy_property(id, "PolicyDocument", &name, PolicyType::Identity) {
                let roles = self.string_list(id, "Roles");
                managed.push((arn, policy, roles));
            }
        }
        let mut template = Template::default();
        for id in of(&["AWS::IAM::Role"]) {
            let role = self.role(id, &managed);
            template.roles.push(role);
        }
        // Policies attached to roles by name.
        for (arn, policy, roles) in &managed {
            for name in roles {
                match template.roles.iter_mut().find(|r| &r.name == name) {
                    Some(role) => {
                        if !role.policies.iter().any(|p| p.name == policy.name) {
                            role.policies.push(policy.clone());
                        }
                    }
                    None => self.note_outside_role(name, arn),
                }
            }
        }
        for id in of(&["AWS::IAM::Policy", "AWS::IAM::RolePolicy"]) {
            let name = self.prop(id, "PolicyName").and_then(|n| self.resolve(n)).and_then(|n| n.as_str().map(str::to_string)).unwrap_or_else(|| id.to_string());
            let Some(policy) = self.policy_property(id, "PolicyDocument", &name, PolicyType::Identity) else { continue };
            let roles = if self.resources[id].kind == "AWS::IAM::RolePolicy" { self.string_list(id, "RoleName") } else { self.string_list(id, "Roles") };
            for role_name in roles {
                match template.roles.iter_mut().find(|r| r.name == role_name) {
                    Some(role) => role.policies.push(policy.clone()),
                    None => self.note_outside_role(&role_name, &name),
                }
            }
        }
        for id in of(&["AWS::S3::BucketPolicy"]) {
            let bucket = self.prop(id, "Bucket").and_then(|b| self.resolve(b)).and_then(|b| b.as_str().map(str::to_string));
            let Some(bucket) = bucket else {
                let span = self.key_span(id);
                self.error(span, format!("bucket policy `{id}` has no `Bucket`"), "add `Bucket: !Ref MyBucket`");
                continue;
            };
            if let Some(policy) = self.policy_property(id, "PolicyDocument", &format!("{id} (bucket policy)"), PolicyType::Resource) {
                template.bucket_policies.push((bucket, policy));
            }
        }
        for id in of(&["AWS::SecretsManager::Secret"]) {
            if let Some(key) = self.prop(id, "KmsKeyId").and_then(|k| self.resolve(k)).and_then(|k| k.as_str().map(str::to_string)) {
                let secret = self.ref_value(id, self.key_span(id));
                let key = if key.starts_with("arn:") { key } else { format!("arn:{}:kms:{}:{}:key/{key}", self.pseudo.partition, self.pseudo.region, self.pseudo.account) };
                template.secret_keys.push((secret.as_str().unwrap_or_default().to_string(), key));
            }
        }
        let mut exec_for: Vec<String> = Vec::new();
        for id in of(&["AWS::ECS::Service"]) {
            let on = self.prop(id, "EnableExecuteCommand").and_then(|v| self.resolve(v)).is_some_and(|v| matches!(v.value, Value::Bool(true)) || v.as_str() == Some("true"));
            if on {
                if let Some(td) = self.prop(id, "TaskDefinition").and_then(|v| self.resolve(v)).and_then(|v| v.as_str().map(str::to_string)) {
                    exec_for.push(td);
                }
            }
        }
        for id in of(&["AWS::ECS::TaskDefinition"]) {
            let span = self.key_span(id);
            let decl: Option<&'a Json> = self.resources.get(id).and_then(|r| r.decl.get("Properties"));
            let properties = match decl {
                Some(p) => self.resolve(p).unwrap_or(Json { value: Value::Object(Vec::new()), span }),
                None => Json { value: Value::Object(Vec::new()), span },
            };
            let arn = self.ref_value(id, span);
            let execute_command = exec_for.iter().any(|a| Some(a.as_str()) == arn.as_str());
            template.task_definitions.push(TaskDefinitionResource { logical_id: id.to_string(), properties, execute_command });
        }
        template
    }

    fn note_outside_role(&mut self, role: &str, policy: &str) {
        if !is_unresolved(role) {
            self.out.push(Diagnostic::warning(Span::default(), format!("policy `{policy}` is attached to role `{role}`, which this template does not define")).with_help("the playground evaluates only roles it can see"));
        }
    }

    /// A resource's `Condition`: created unless the condition is known to be false.
    fn is_created(&mut self, id: &str) -> bool {
        let Some(c) = self.resources.get(id).and_then(|r| r.decl.get("Condition")) else { return true };
        let Some(name) = c.as_str() else { return true };
        let span = c.span;
        match self.condition(name, span) {
            Some(false) => {
                self.warn(span, format!("resource `{id}` is not created: condition `{name}` is false"), "change the parameter values to include it");
                false
            }
            _ => true,
        }
    }

    /// Strings from a property holding a string or a list of strings (`Roles`, `RoleName`).
    fn string_list(&mut self, id: &str, key: &str) -> Vec<String> {
        let Some(v) = self.prop(id, key) else { return Vec::new() };
        let Some(v) = self.resolve(v) else { return Vec::new() };
        match &v.value {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }

    fn policy_property(&mut self, id: &str, key: &str, name: &str, policy_type: PolicyType) -> Option<Policy> {
        let span = self.key_span(id);
        let Some(doc) = self.prop(id, key) else {
            self.error(span, format!("`{id}` has no `{key}`"), format!("add `{key}` with the policy document"));
            return None;
        };
        let doc = self.resolve(doc)?;
        self.policy_document(&doc, name, policy_type)
    }

    fn policy_document(&mut self, doc: &Json, name: &str, policy_type: PolicyType) -> Option<Policy> {
        match &doc.value {
            Value::Object(_) => Some(policy::read_policy(doc, name, policy_type, &mut self.out)),
            Value::String(s) => {
                let (p, diagnostics) = policy::parse_policy_text(s, name, policy_type);
                self.out.extend(diagnostics.into_iter().map(|mut d| {
                    d.span = doc.span;
                    d
                }));
                p.map(|mut p| {
                    p.map_spans(&|_| doc.span);
                    p
                })
            }
            _ => {
                self.error(doc.span, format!("a policy document must be an object, found {}", doc.kind()), "write `{Version: '2012-10-17', Statement: [...]}`");
                None
            }
        }
    }

    fn role(&mut self, id: &str, managed: &[(String, Policy, Vec<String>)]) -> Role {
        let span = self.key_span(id);
        let name = self.physical_name(id);
        let path = self.prop(id, "Path").and_then(|p| self.resolve(p)).and_then(|p| p.as_str().map(str::to_string)).unwrap_or_else(|| "/".to_string());
        let mut role = Role::new(id, name, path, self.pseudo.account.clone(), self.pseudo.partition.clone(), true, span);
        if self.prop(id, "AssumeRolePolicyDocument").is_some() {
            role.trust_policy = self.policy_property(id, "AssumeRolePolicyDocument", &format!("{id} trust policy"), PolicyType::Resource);
        }
        if let Some(list) = self.prop(id, "Policies").and_then(|p| self.resolve(p)) {
            for item in list.as_array().unwrap_or_default() {
                let name = item.get("PolicyName").and_then(Json::as_str).unwrap_or(id).to_string();
                match item.get("PolicyDocument") {
                    Some(doc) => role.policies.extend(self.policy_document(doc, &name, PolicyType::Identity)),
                    None => self.error(item.span, format!("inline policy `{name}` has no `PolicyDocument`"), "add `PolicyDocument: {Version: '2012-10-17', Statement: [...]}`"),
                }
            }
        }
        if let Some(list) = self.prop(id, "ManagedPolicyArns").and_then(|p| self.resolve(p)) {
            for item in list.as_array().unwrap_or_default() {
                let Some(arn) = item.as_str() else { continue };
                match self.managed_policy(arn, item.span, managed) {
                    Some(p) => role.policies.push(p),
                    None => role.not_evaluated.push(arn.to_string()),
                }
            }
        }
        if let Some(b) = self.prop(id, "PermissionsBoundary").and_then(|p| self.resolve(p)) {
            if let Some(arn) = b.as_str() {
                match self.managed_policy(arn, b.span, managed) {
                    Some(mut p) => {
                        p.policy_type = PolicyType::PermissionsBoundary;
                        role.permissions_boundary = Some(p);
                    }
                    None => role.not_evaluated.push(arn.to_string()),
                }
            }
        }
        if let Some(tags) = self.prop(id, "Tags").and_then(|p| self.resolve(p)) {
            for t in tags.as_array().unwrap_or_default() {
                match (t.get("Key").and_then(Json::as_str), t.get("Value")) {
                    (Some(k), Some(v)) => {
                        let value = match &v.value {
                            Value::String(s) | Value::Number(s) => s.clone(),
                            Value::Bool(b) => b.to_string(),
                            _ => String::new(),
                        };
                        role.tags.insert(k.to_string(), value);
                    }
                    _ => self.error(t.span, "a tag must have `Key` and `Value`".to_string(), "write `- Key: team\n  Value: data`"),
                }
            }
        }
        role
    }

    /// The document behind a managed policy ARN, or a diagnostic saying it is not evaluated.
    fn managed_policy(&mut self, arn: &str, span: Span, managed: &[(String, Policy, Vec<String>)]) -> Option<Policy> {
        if is_unresolved(arn) {
            return None;
        }
        match managed_policies::lookup(arn) {
            Lookup::Known(p) => Some(p.policy()),
            Lookup::Customer => match managed.iter().find(|(a, _, _)| a == arn) {
                Some((_, p, _)) => Some(p.clone()),
                None => {
                    self.out.push(managed_policies::not_evaluated(arn, span).with_help("a customer managed policy defined outside this template: paste its document as an inline policy to evaluate it"));
                    None
                }
            },
            Lookup::UnknownAws | Lookup::NotPolicy => {
                self.out.push(managed_policies::not_evaluated(arn, span));
                None
            }
        }
    }

    // ---- intrinsic functions ---------------------------------------------------------------

    /// Resolves every intrinsic function in `v`. `None` is `AWS::NoValue`: the caller drops
    /// the member or element.
    fn resolve(&mut self, v: &Json) -> Option<Json> {
        match &v.value {
            Value::Object(members) if members.len() == 1 && (members[0].key == "Ref" || members[0].key.starts_with("Fn::")) => self.intrinsic(&members[0].key, &members[0].value, v.span),
            Value::Object(members) => {
                let members = members.iter().filter_map(|m| self.resolve(&m.value).map(|value| Member { key: m.key.clone(), key_span: m.key_span, value })).collect();
                Some(Json { value: Value::Object(members), span: v.span })
            }
            Value::Array(items) => Some(Json { value: Value::Array(items.iter().filter_map(|i| self.resolve(i)).collect()), span: v.span }),
            _ => Some(v.clone()),
        }
    }

    fn intrinsic(&mut self, function: &str, arg: &Json, span: Span) -> Option<Json> {
        match function {
            "Ref" => match arg.as_str() {
                Some(name) => self.reference(name, span),
                None => {
                    self.error(arg.span, format!("`Ref` takes a name, found {}", arg.kind()), "write `!Ref LogicalId` or `!Ref ParameterName`");
                    Some(Self::unresolved("Ref", span))
                }
            },
            "Fn::GetAtt" => {
                let parts: Option<(String, Json)> = match &arg.value {
                    Value::String(s) => s.split_once('.').map(|(a, b)| (a.to_string(), Self::text(b.to_string(), arg.span))),
                    Value::Array(items) if items.len() == 2 => items[0].as_str().map(|a| a.to_string()).zip(self.resolve(&items[1])),
                    _ => None,
                };
                match parts {
                    Some((resource, attribute)) => match attribute.as_str() {
                        Some(a) => {
                            let a = a.to_string();
                            Some(self.get_att(&resource, &a, span))
                        }
                        None => Some(Self::unresolved("Fn::GetAtt", span)),
                    },
                    None => {
                        self.error(arg.span, "`Fn::GetAtt` takes a resource and an attribute".to_string(), "write `!GetAtt Resource.Attribute` or `Fn::GetAtt: [Resource, Attribute]`");
                        Some(Self::unresolved("Fn::GetAtt", span))
                    }
                }
            }
            "Fn::Sub" => Some(self.sub(arg, span)),
            "Fn::Join" => Some(self.join(arg, span)),
            "Fn::Select" => self.select(arg, span),
            "Fn::Split" => Some(self.split(arg, span)),
            "Fn::If" => self.fn_if(arg, span),
            "Fn::FindInMap" => Some(self.find_in_map(arg, span)),
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                let whole = Json { value: Value::Object(vec![Member { key: function.to_string(), key_span: span, value: arg.clone() }]), span };
                match self.condition_expr(&whole) {
                    Some(b) => Some(Json { value: Value::Bool(b), span }),
                    None => Some(Self::unresolved(function, span)),
                }
            }
            _ => {
                let why = match function {
                    "Fn::ImportValue" => "it reads another stack's export",
                    "Fn::GetAZs" => "it depends on the account's Availability Zones",
                    "Fn::Base64" | "Fn::Cidr" | "Fn::Transform" | "Fn::Length" | "Fn::ToJsonString" => "the playground does not evaluate it",
                    _ => "it is not a CloudFormation intrinsic function the playground knows",
                };
                self.warn(span, format!("cannot resolve `{function}`: {why}"), "replace it with the value it has in your account to evaluate what depends on it");
                Some(Self::unresolved(function, span))
            }
        }
    }

    fn reference(&mut self, name: &str, span: Span) -> Option<Json> {
        let p = self.pseudo;
        let pseudo = match name {
            "AWS::AccountId" => Some(p.account.clone()),
            "AWS::Region" => Some(p.region.clone()),
            "AWS::Partition" => Some(p.partition.clone()),
            "AWS::URLSuffix" => Some(p.url_suffix().to_string()),
            "AWS::StackName" => Some(p.stack_name.clone()),
            "AWS::NoValue" => return None,
            _ => None,
        };
        if let Some(value) = pseudo {
            return Some(Self::text(value, span));
        }
        if name.starts_with("AWS::") {
            self.warn(span, format!("cannot resolve `{name}`"), "the playground resolves `AWS::AccountId`, `AWS::Region`, `AWS::Partition`, `AWS::URLSuffix`, `AWS::StackName` and `AWS::NoValue`");
            return Some(Self::unresolved(name, span));
        }
        if let Some(decl) = self.parameters.get(name).copied() {
            return Some(self.parameter(name, decl, span));
        }
        if self.resources.contains_key(name) {
            return Some(self.ref_value(name, span));
        }
        let help = self.did_you_mean(name, true).map_or_else(|| "declare it under `Parameters` or `Resources`".to_string(), |s| format!("did you mean `{s}`?"));
        self.error(span, format!("`Ref` to `{name}`, which is neither a parameter nor a resource of this template"), help);
        Some(Self::unresolved(&format!("Ref {name}"), span))
    }

    fn parameter(&mut self, name: &str, decl: &Json, span: Span) -> Json {
        let list = decl.get("Type").and_then(Json::as_str).is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        let value: Option<Json> = match self.given.get(name) {
            Some(v) => Some(Self::text(v.clone(), span)),
            None => decl.get("Default").map(|d| Json { value: d.value.clone(), span }),
        };
        let Some(value) = value else {
            self.error(span, format!("parameter `{name}` has no `Default` and no value was given"), format!("give it in the scenario: `\"parameters\": {{\"{name}\": \"...\"}}`, or add a `Default`"));
            return Self::unresolved(&format!("Ref {name}"), span);
        };
        match (&value.value, list) {
            (Value::String(s), true) => Json { value: Value::Array(s.split(',').map(|x| Self::text(x.trim().to_string(), span)).collect()), span },
            (Value::Number(n), false) => Self::text(n.clone(), span),
            _ => value,
        }
    }

    /// The name a resource gets: its name property, or a generated one (said once).
    fn physical_name(&mut self, id: &str) -> String {
        let Some(kind) = self.resources.get(id).map(|r| r.kind.clone()) else { return id.to_string() };
        let key_span = self.key_span(id);
        if let Some(key) = name_property(&kind) {
            if let Some(v) = self.prop(id, key) {
                if self.in_progress.iter().any(|p| p == id) {
                    self.error(v.span, format!("the name of `{id}` depends on itself"), "remove the circular `Ref` or `Fn::GetAtt`");
                    return format!("{UNRESOLVED} name of {id}>");
                }
                self.in_progress.push(id.to_string());
                let name = self.resolve(v);
                self.in_progress.pop();
                if let Some(s) = name.as_ref().and_then(Json::as_str) {
                    return s.to_string();
                }
            }
        }
        if self.said.insert(format!("name {id}")) {
            let what = name_property(&kind).map_or_else(|| "its identifier is generated by AWS".to_string(), |k| format!("it has no `{k}`, so CloudFormation generates one"));
            self.out.push(
                Diagnostic::warning(key_span, format!("`{id}`: {what}; the playground calls it `{id}`"))
                    .with_help("ARNs built from it (`!Ref`, `!GetAtt`) use that name; set the name property to evaluate the real one"),
            );
        }
        id.to_string()
    }

    /// `Ref` of a resource: what CloudFormation documents as the return value per type.
    fn ref_value(&mut self, id: &str, span: Span) -> Json {
        let kind = self.resources.get(id).map(|r| r.kind.clone()).unwrap_or_default();
        let (p, r, a) = (self.pseudo.partition.clone(), self.pseudo.region.clone(), self.pseudo.account.clone());
        let value = match kind.as_str() {
            "AWS::IAM::Role" | "AWS::IAM::InstanceProfile" | "AWS::S3::Bucket" | "AWS::Logs::LogGroup" | "AWS::ECR::Repository" | "AWS::SSM::Parameter" | "AWS::ECS::Cluster"
            | "AWS::KinesisFirehose::DeliveryStream" | "AWS::Kinesis::Stream" | "AWS::DynamoDB::Table" | "AWS::KMS::Alias" => self.physical_name(id),
            "AWS::IAM::ManagedPolicy" => {
                let path = self.prop(id, "Path").and_then(|v| self.resolve(v)).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| "/".into());
                format!("arn:{p}:iam::{a}:policy{path}{}", self.physical_name(id))
            }
            "AWS::SecretsManager::Secret" => {
                if self.said.insert(format!("secret {id}")) {
                    let key_span = self.key_span(id);
                    self.warn(key_span, format!("the ARN of secret `{id}` ends in a random suffix; the playground uses `-AbCdEf`"), "policies should grant `secret:NAME-??????` or `secret:NAME*`");
                }
                format!("arn:{p}:secretsmanager:{r}:{a}:secret:{}-AbCdEf", self.physical_name(id))
            }
            "AWS::KMS::Key" => self.physical_name(id),
            "AWS::ECS::TaskDefinition" => format!("arn:{p}:ecs:{r}:{a}:task-definition/{}:1", self.physical_name(id)),
            "AWS::EFS::FileSystem" => format!("fs-{}", self.physical_name(id).to_ascii_lowercase()),
            "AWS::EFS::AccessPoint" => format!("fsap-{}", self.physical_name(id).to_ascii_lowercase()),
            "AWS::SNS::Topic" => format!("arn:{p}:sns:{r}:{a}:{}", self.physical_name(id)),
            "AWS::SQS::Queue" => format!("https://sqs.{r}.{}/{a}/{}", self.pseudo.url_suffix(), self.physical_name(id)),
            _ => {
                self.warn(span, format!("cannot resolve `Ref` of `{id}` (`{kind}`)"), "replace it with the value it has in your account");
                return Self::unresolved(&format!("Ref {id}"), span);
            }
        };
        Self::text(value, span)
    }

    fn get_att(&mut self, id: &str, attribute: &str, span: Span) -> Json {
        let Some(kind) = self.resources.get(id).map(|r| r.kind.clone()) else {
            let help = self.did_you_mean(id, false).map_or_else(|| "declare it under `Resources`".to_string(), |s| format!("did you mean `{s}`?"));
            self.error(span, format!("`Fn::GetAtt` of `{id}`, which is not a resource of this template"), help);
            return Self::unresolved(&format!("Fn::GetAtt {id}.{attribute}"), span);
        };
        let (p, r, a) = (self.pseudo.partition.clone(), self.pseudo.region.clone(), self.pseudo.account.clone());
        let suffix = self.pseudo.url_suffix();
        let value = match (kind.as_str(), attribute) {
            ("AWS::IAM::Role", "Arn") => {
                let path = self.prop(id, "Path").and_then(|v| self.resolve(v)).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| "/".into());
                Some(format!("arn:{p}:iam::{a}:role{path}{}", self.physical_name(id)))
            }
            ("AWS::IAM::InstanceProfile", "Arn") => Some(format!("arn:{p}:iam::{a}:instance-profile/{}", self.physical_name(id))),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => self.ref_value(id, span).as_str().map(str::to_string),
            ("AWS::S3::Bucket", "Arn") => Some(format!("arn:{p}:s3:::{}", self.physical_name(id))),
            ("AWS::S3::Bucket", "DomainName") => Some(format!("{}.s3.{suffix}", self.physical_name(id))),
            ("AWS::S3::Bucket", "RegionalDomainName") => Some(format!("{}.s3.{r}.{suffix}", self.physical_name(id))),
            // The log group `Arn` attribute ends in `:*`.
            ("AWS::Logs::LogGroup", "Arn") => Some(format!("arn:{p}:logs:{r}:{a}:log-group:{}:*", self.physical_name(id))),
            ("AWS::ECR::Repository", "Arn") => Some(format!("arn:{p}:ecr:{r}:{a}:repository/{}", self.physical_name(id))),
            ("AWS::ECR::Repository", "RepositoryUri") => Some(format!("{a}.dkr.ecr.{r}.{suffix}/{}", self.physical_name(id))),
            ("AWS::SecretsManager::Secret", "Id") => self.ref_value(id, span).as_str().map(str::to_string),
            ("AWS::KMS::Key", "Arn") => Some(format!("arn:{p}:kms:{r}:{a}:key/{}", self.physical_name(id))),
            ("AWS::KMS::Key", "KeyId") => Some(self.physical_name(id)),
            ("AWS::ECS::Cluster", "Arn") => Some(format!("arn:{p}:ecs:{r}:{a}:cluster/{}", self.physical_name(id))),
            ("AWS::ECS::TaskDefinition", "TaskDefinitionArn") => self.ref_value(id, span).as_str().map(str::to_string),
            ("AWS::EFS::FileSystem", "Arn") => Some(format!("arn:{p}:elasticfilesystem:{r}:{a}:file-system/{}", self.ref_value(id, span).as_str().unwrap_or_default())),
            ("AWS::EFS::FileSystem", "FileSystemId") | ("AWS::EFS::AccessPoint", "AccessPointId") => self.ref_value(id, span).as_str().map(str::to_string),
            ("AWS::EFS::AccessPoint", "Arn") => Some(format!("arn:{p}:elasticfilesystem:{r}:{a}:access-point/{}", self.ref_value(id, span).as_str().unwrap_or_default())),
            ("AWS::KinesisFirehose::DeliveryStream", "Arn") => Some(format!("arn:{p}:firehose:{r}:{a}:deliverystream/{}", self.physical_name(id))),
            ("AWS::Kinesis::Stream", "Arn") => Some(format!("arn:{p}:kinesis:{r}:{a}:stream/{}", self.physical_name(id))),
            ("AWS::SQS::Queue", "Arn") => Some(format!("arn:{p}:sqs:{r}:{a}:{}", self.physical_name(id))),
            ("AWS::SQS::Queue", "QueueName") => Some(self.physical_name(id)),
            ("AWS::SNS::Topic", "TopicArn") => self.ref_value(id, span).as_str().map(str::to_string),
            ("AWS::SNS::Topic", "TopicName") => Some(self.physical_name(id)),
            ("AWS::DynamoDB::Table", "Arn") => Some(format!("arn:{p}:dynamodb:{r}:{a}:table/{}", self.physical_name(id))),
            ("AWS::SSM::Parameter", "Value") => {
                let v = self.prop(id, "Value").and_then(|v| self.resolve(v));
                v.and_then(|v| v.as_str().map(str::to_string))
            }
            _ => None,
        };
        match value {
            Some(v) => Self::text(v, span),
            None => {
                let why = if kind == "AWS::IAM::Role" && attribute == "RoleId" { "the role's unique ID is assigned by IAM when the role is created" } else { "the playground does not know this attribute" };
                self.warn(span, format!("cannot resolve `Fn::GetAtt` `{id}.{attribute}` (`{kind}`): {why}"), "replace it with the value it has in your account");
                Self::unresolved(&format!("Fn::GetAtt {id}.{attribute}"), span)
            }
        }
    }

    /// `Fn::Sub`: `${Name}` is a variable, a parameter, a resource (`Ref`) or `Resource.Attr`
    /// (`Fn::GetAtt`); `${!Text}` is the literal `${Text}`.
    fn sub(&mut self, arg: &Json, span: Span) -> Json {
        let (template, vars) = match &arg.value {
            Value::String(s) => (s.clone(), None),
            Value::Array(items) if items.len() == 2 && items[0].as_str().is_some() => (items[0].as_str().unwrap_or_default().to_string(), Some(&items[1])),
            _ => {
                self.error(arg.span, "`Fn::Sub` takes a string, or a string and a map of variables".to_string(), "write `!Sub 'arn:${AWS::Partition}:s3:::${BucketName}/*'`");
                return Self::unresolved("Fn::Sub", span);
            }
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[at..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            rest = &after[close + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let name = name.trim();
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.resolve(v),
                // The classic mistake: an IAM policy variable written as is inside `Fn::Sub`,
                // which reads every `${...}` as a parameter, resource or pseudo parameter
                // and refuses the template.
                // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html>
                None if is_policy_variable(name) => {
                    self.error(
                        span,
                        format!("`Fn::Sub` reads `${{{name}}}` as a parameter or resource, and there is none by that name"),
                        format!("write the policy variable as `${{!{name}}}`: CloudFormation turns it into `${{{name}}}`"),
                    );
                    Some(Self::unresolved(&format!("${{{name}}}"), span))
                }
                None if !name.starts_with("AWS::") && name.contains('.') && !self.parameters.contains_key(name) => {
                    let (resource, attribute) = name.split_once('.').unwrap_or((name, ""));
                    Some(self.get_att(resource, attribute, span))
                }
                None => self.reference(name, span),
            };
            match value.as_ref().map(|v| &v.value) {
                Some(Value::String(s) | Value::Number(s)) => out.push_str(s),
                Some(Value::Bool(b)) => out.push_str(&b.to_string()),
                None => {}
                Some(_) => {
                    self.error(span, format!("`${{{name}}}` in `Fn::Sub` is not a single value"), "a list parameter must be joined first: `!Join [',', !Ref List]`");
                    out.push_str(&format!("{UNRESOLVED} {name}>"));
                }
            }
        }
        out.push_str(rest);
        Self::text(out, span)
    }

    fn join(&mut self, arg: &Json, span: Span) -> Json {
        let parts = arg.as_array().filter(|a| a.len() == 2);
        let Some(parts) = parts else {
            self.error(arg.span, "`Fn::Join` takes a delimiter and a list".to_string(), "write `!Join ['', [a, b]]`");
            return Self::unresolved("Fn::Join", span);
        };
        let delimiter = parts[0].as_str().unwrap_or("").to_string();
        let list = self.resolve(&parts[1]);
        let Some(items) = list.as_ref().and_then(|l| l.as_array()) else {
            if list.as_ref().and_then(|l| l.as_str()).is_some_and(is_unresolved) {
                return Self::unresolved("Fn::Join", span);
            }
            self.error(parts[1].span, "the second value of `Fn::Join` must be a list".to_string(), "write `!Join ['', [a, b]]`");
            return Self::unresolved("Fn::Join", span);
        };
        let texts: Vec<String> = items
            .iter()
            .map(|i| match &i.value {
                Value::String(s) | Value::Number(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                _ => format!("{UNRESOLVED} Fn::Join element>"),
            })
            .collect();
        Self::text(texts.join(&delimiter), span)
    }

    fn select(&mut self, arg: &Json, span: Span) -> Option<Json> {
        let parts = arg.as_array().filter(|a| a.len() == 2)?;
        let index = self.resolve(&parts[0]).and_then(|i| match &i.value {
            Value::Number(n) | Value::String(n) => n.parse::<usize>().ok(),
            _ => None,
        });
        let list = self.resolve(&parts[1]);
        match (index, list.as_ref().and_then(|l| l.as_array())) {
            (Some(i), Some(items)) if i < items.len() => {
                let mut v = items[i].clone();
                v.span = span;
                Some(v)
            }
            _ => {
                if !list.as_ref().and_then(|l| l.as_str()).is_some_and(is_unresolved) {
                    self.error(span, "`Fn::Select` needs an index inside its list".to_string(), "write `!Select [0, [a, b]]`");
                }
                Some(Self::unresolved("Fn::Select", span))
            }
        }
    }

    fn split(&mut self, arg: &Json, span: Span) -> Json {
        let parts = arg.as_array().filter(|a| a.len() == 2);
        let source = parts.and_then(|p| self.resolve(&p[1]));
        match (parts.and_then(|p| p[0].as_str()), source.as_ref().and_then(|s| s.as_str())) {
            (Some(d), Some(s)) if !d.is_empty() => Json { value: Value::Array(s.split(d).map(|x| Self::text(x.to_string(), span)).collect()), span },
            _ => {
                self.error(span, "`Fn::Split` takes a delimiter and a string".to_string(), "write `!Split [',', 'a,b']`");
                Self::unresolved("Fn::Split", span)
            }
        }
    }

    fn find_in_map(&mut self, arg: &Json, span: Span) -> Json {
        let keys: Vec<String> = arg.as_array().unwrap_or_default().iter().take(3).filter_map(|k| self.resolve(k)).filter_map(|k| k.as_str().map(str::to_string)).collect();
        let found = match keys.as_slice() {
            [map, top, second] => self.mappings.and_then(|m| m.get(map)).and_then(|m| m.get(top)).and_then(|m| m.get(second)).cloned(),
            _ => None,
        };
        match found {
            Some(mut v) => {
                v.span = span;
                self.resolve(&v).unwrap_or(v)
            }
            None => {
                self.error(span, format!("`Fn::FindInMap` finds nothing at `{}`", keys.join(".")), "check the names against the template's `Mappings`");
                Self::unresolved("Fn::FindInMap", span)
            }
        }
    }

    fn fn_if(&mut self, arg: &Json, span: Span) -> Option<Json> {
        let Some([name, yes, no]) = arg.as_array().and_then(|a| <&[Json; 3]>::try_from(a).ok()) else {
            self.error(arg.span, "`Fn::If` takes a condition name and two values".to_string(), "write `!If [IsProd, a, b]`");
            return Some(Self::unresolved("Fn::If", span));
        };
        let Some(cond) = name.as_str() else {
            self.error(name.span, "the first value of `Fn::If` must be a condition name".to_string(), "write `!If [IsProd, a, b]`");
            return Some(Self::unresolved("Fn::If", span));
        };
        match self.condition(cond, name.span) {
            Some(value) => {
                let (chosen, which) = if value { (yes, "first") } else { (no, "second") };
                self.out.push(
                    Diagnostic::warning(span, format!("`Fn::If` takes its {which} value: condition `{cond}` is {value} with these parameter values"))
                        .with_help("give other parameter values in the scenario's `parameters` to evaluate the other branch"),
                );
                self.resolve(chosen)
            }
            None => Some(Self::unresolved("Fn::If", span)),
        }
    }

    /// A named condition's value; `None` (with a diagnostic) when it cannot be decided.
    fn condition(&mut self, name: &str, span: Span) -> Option<bool> {
        if let Some(v) = self.condition_values.get(name) {
            return *v;
        }
        let Some(expr) = self.conditions.and_then(|c| c.get(name)) else {
            let names: Vec<&str> = self.conditions.and_then(Json::as_object).unwrap_or_default().iter().map(|m| m.key.as_str()).collect();
            let help = suggest::closest(name, names).map_or_else(|| "declare it under `Conditions`".to_string(), |s| format!("did you mean `{s}`?"));
            self.error(span, format!("condition `{name}` is not declared"), help);
            self.condition_values.insert(name.to_string(), None);
            return None;
        };
        let marker = format!("condition {name}");
        if self.in_progress.contains(&marker) {
            self.error(span, format!("condition `{name}` depends on itself"), "remove the circular `Condition`");
            return None;
        }
        self.in_progress.push(marker);
        let value = self.condition_expr(expr);
        self.in_progress.pop();
        self.condition_values.insert(name.to_string(), value);
        value
    }

    fn condition_expr(&mut self, expr: &Json) -> Option<bool> {
        let Some([m]) = expr.as_object() else {
            self.error(expr.span, "a condition must be `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` or `Condition`".to_string(), "write `!Equals [!Ref Env, prod]`");
            return None;
        };
        let args = m.value.as_array().unwrap_or_default();
        match m.key.as_str() {
            "Condition" => {
                let name = m.value.as_str()?;
                self.condition(name, m.value.span)
            }
            "Fn::Equals" if args.len() == 2 => {
                let a = self.resolve(&args[0])?;
                let b = self.resolve(&args[1])?;
                let text = |j: &Json| match &j.value {
                    Value::String(s) | Value::Number(s) => Some(s.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                };
                match (text(&a), text(&b)) {
                    (Some(x), Some(y)) if is_unresolved(&x) || is_unresolved(&y) => None,
                    (Some(x), Some(y)) => Some(x == y),
                    _ => Some(a.same_value(&b)),
                }
            }
            "Fn::Not" if args.len() == 1 => self.condition_expr(&args[0]).map(|b| !b),
            "Fn::And" | "Fn::Or" if !args.is_empty() => {
                let values: Vec<Option<bool>> = args.iter().map(|a| self.condition_expr(a)).collect();
                let values: Option<Vec<bool>> = values.into_iter().collect();
                let values = values?;
                Some(if m.key == "Fn::And" { values.iter().all(|b| *b) } else { values.iter().any(|b| *b) })
            }
            other => {
                self.error(expr.span, format!("`{other}` with these arguments is not a condition"), "write `!Equals [a, b]`, `!Not [c]`, `!And [c1, c2]` or `!Or [c1, c2]`");
                None
            }
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::yaml;
    use serde_json::json;

    fn pseudo() -> Pseudo {
        Pseudo { account: "111122223333".into(), region: "us-west-1".into(), partition: "aws".into(), stack_name: "demo".into() }
    }

    /// Resolves `Outputs.V` of a small template.
    fn resolve_in(template: &str) -> (serde_json::Value, Vec<Diagnostic>) {
        let parsed = yaml::parse(template);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let root = parsed.json.unwrap();
        let value = root.get("Outputs").unwrap().get("V").unwrap().clone();
        let mut out = Vec::new();
        let v = resolve_value(&root, &value, &pseudo(), &mut out);
        (v.map_or(serde_json::Value::Null, |v| v.to_serde()), out)
    }

    const RESOURCES: &str = "Parameters:
  Env: {Type: String, Default: prod}
  Subnets: {Type: CommaDelimitedList, Default: 'a,b'}
  NoDefault: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Mappings:
  Sizes: {prod: {Cpu: '1024'}}
Resources:
  TaskRole: {Type: AWS::IAM::Role, Properties: {RoleName: !Sub '${AWS::StackName}-task', Path: /app/}}
  Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: my-app-data-bucket}}
  Logs: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /ecs/web}}
  Repo: {Type: AWS::ECR::Repository}
";

    #[test]
    fn intrinsics_resolve() {
        let cases: &[(&str, serde_json::Value)] = &[
            ("!Ref AWS::AccountId", json!("111122223333")),
            ("!Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Logs}:*'", json!("arn:aws:logs:us-west-1:111122223333:log-group:/ecs/web:*")),
            ("!GetAtt TaskRole.Arn", json!("arn:aws:iam::111122223333:role/app/demo-task")),
            ("!Ref TaskRole", json!("demo-task")),
            ("!Sub '${Bucket.Arn}/*'", json!("arn:aws:s3:::my-app-data-bucket/*")),
            ("!GetAtt Logs.Arn", json!("arn:aws:logs:us-west-1:111122223333:log-group:/ecs/web:*")),
            ("!Join ['', ['arn:', !Ref AWS::Partition, ':s3:::', !Ref Bucket]]", json!("arn:aws:s3:::my-app-data-bucket")),
            ("!Select [1, !Ref Subnets]", json!("b")),
            ("!Select [0, !Split ['/', 'x/y']]", json!("x")),
            ("!If [IsProd, big, small]", json!("big")),
            ("!If [NotProd, big, small]", json!("small")),
            ("[a, !Ref AWS::NoValue, b]", json!(["a", "b"])),
            ("!FindInMap [Sizes, !Ref Env, Cpu]", json!("1024")),
            ("!Sub ['${X}-${!Literal}', {X: !Ref Env}]", json!("prod-${Literal}")),
            ("!Sub '${Bucket.Arn}/${!aws:username}/*'", json!("arn:aws:s3:::my-app-data-bucket/${aws:username}/*")),
            ("!GetAtt Repo.RepositoryUri", json!("111122223333.dkr.ecr.us-west-1.amazonaws.com/Repo")),
            ("{'Fn::GetAtt': [TaskRole, Arn]}", json!("arn:aws:iam::111122223333:role/app/demo-task")),
        ];
        for (expr, expected) in cases {
            let (v, _) = resolve_in(&format!("{RESOURCES}Outputs:\n  V: {expr}\n"));
            assert_eq!(&v, expected, "{expr}");
        }
    }

    /// (expression, message, help, underlined text)
    #[test]
    fn unresolvable_values_are_diagnostics_at_the_intrinsic() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("!GetAtt TaskRol.Arn", "`Fn::GetAtt` of `TaskRol`, which is not a resource of this template", "did you mean `TaskRole`?", "!GetAtt TaskRol.Arn"),
            ("!Ref Bucket2", "`Ref` to `Bucket2`, which is neither a parameter nor a resource of this template", "did you mean `Bucket`?", "!Ref Bucket2"),
            ("!Ref NoDefault", "parameter `NoDefault` has no `Default` and no value was given", "give it in the scenario: `\"parameters\": {\"NoDefault\": \"...\"}`, or add a `Default`", "!Ref NoDefault"),
            ("!ImportValue Shared", "cannot resolve `Fn::ImportValue`: it reads another stack's export", "replace it with the value it has in your account to evaluate what depends on it", "!ImportValue Shared"),
            ("!GetAtt TaskRole.RoleId", "cannot resolve `Fn::GetAtt` `TaskRole.RoleId` (`AWS::IAM::Role`): the role's unique ID is assigned by IAM when the role is created", "replace it with the value it has in your account", "!GetAtt TaskRole.RoleId"),
            ("!If [IsProdd, a, b]", "condition `IsProdd` is not declared", "did you mean `IsProd`?", "IsProdd"),
            (
                "!Sub '${Bucket.Arn}/${aws:PrincipalTag/team}/*'",
                "`Fn::Sub` reads `${aws:PrincipalTag/team}` as a parameter or resource, and there is none by that name",
                "write the policy variable as `${!aws:PrincipalTag/team}`: CloudFormation turns it into `${aws:PrincipalTag/team}`",
                "!Sub '${Bucket.Arn}/${aws:PrincipalTag/team}/*'",
            ),
        ];
        for (expr, message, help, underlined) in cases {
            let text = format!("{RESOURCES}Outputs:\n  V: {expr}\n");
            let (v, diagnostics) = resolve_in(&text);
            assert!(v.as_str().is_some_and(is_unresolved), "{expr}: {v}");
            let d = diagnostics.iter().find(|d| d.message == *message).unwrap_or_else(|| panic!("{expr}: {diagnostics:?}"));
            assert_eq!(d.help.as_deref(), Some(*help), "{expr}");
            assert_eq!(&text[d.span.start..d.span.end], *underlined, "{expr}");
        }
    }

    #[test]
    fn generated_names_are_stated() {
        let (v, diagnostics) = resolve_in(&format!("{RESOURCES}Outputs:\n  V: !GetAtt Repo.Arn\n"));
        assert_eq!(v, json!("arn:aws:ecr:us-west-1:111122223333:repository/Repo"));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].message, "`Repo`: it has no `RepositoryName`, so CloudFormation generates one; the playground calls it `Repo`");
    }

    #[test]
    fn roles_policies_and_bucket_policies_are_extracted() {
        let text = "Resources:
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app-role
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub '${Bucket.Arn}/*'
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
        - arn:aws:iam::aws:policy/AdministratorAccess
        - !Ref Extra
      PermissionsBoundary: !Ref Boundary
      Tags:
        - {Key: Status, Value: OK}
  Extra:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: extra
      PolicyDocument: {Version: 2012-10-17, Statement: [{Effect: Allow, Action: 'sqs:*', Resource: '*'}]}
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: boundary
      PolicyDocument: {Version: 2012-10-17, Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
  Attached:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: attached
      Roles: [!Ref TaskRole]
      PolicyDocument: {Version: 2012-10-17, Statement: [{Effect: Allow, Action: 'sns:Publish', Resource: '*'}]}
  Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument: {Version: 2012-10-17, Statement: [{Effect: Deny, Principal: '*', Action: 's3:*', Resource: '*'}]}
";
        let root = yaml::parse(text).json.unwrap();
        let mut out = Vec::new();
        let t = read_template(&root, &pseudo(), &BTreeMap::new(), &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].message, "managed policy `arn:aws:iam::aws:policy/AdministratorAccess` is not evaluated: its document is unknown to the playground");
        assert_eq!(t.roles.len(), 1);
        let role = &t.roles[0];
        assert_eq!(role.arn(), "arn:aws:iam::111122223333:role/app-role");
        assert_eq!(role.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["read", "AmazonS3ReadOnlyAccess", "extra", "attached"]);
        assert_eq!(role.permissions_boundary.as_ref().unwrap().name, "boundary");
        assert_eq!(role.not_evaluated, ["arn:aws:iam::aws:policy/AdministratorAccess"]);
        assert_eq!(role.tags.get("Status").map(String::as_str), Some("OK"));
        assert!(role.trust_policy.is_some());
        let read = &role.policies[0].statements[0];
        assert_eq!(read.resource.as_ref().unwrap().items[0].text, "arn:aws:s3:::b/*");
        assert_eq!(&text[read.resource.as_ref().unwrap().items[0].span.start..][..5], "!Sub ");
        assert_eq!(t.bucket_policies.len(), 1);
        assert_eq!(t.bucket_policies[0].0, "b");
    }
}
