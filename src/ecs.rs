//! ECS task definitions: the model read from every form people paste (`register-task-definition`
//! input, `describe-task-definition` output, CloudFormation `Properties`, whole templates), the
//! summary of what was understood, and the checklist: every call the ECS agent makes with the
//! execution role, the task role's platform needs and both trust policies, each evaluated.
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html>
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html>

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cloudformation::{self, Pseudo};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Span};
use crate::evaluation::{self, CatalogOracle, Options, Policies, Request};
use crate::json::{Json, JsonText, Value};
use crate::policy::{Item, Policy};
use crate::principal::Principal;
use crate::role::{Role, RoleSummary};
use crate::trace::{Decision, Outcome, StepVerdict};

/// The session name used for task-role and execution-role credentials: ECS names the
/// session after the task ID (aws/amazon-ecs-agent#3498).
pub const TASK_ID: &str = "0123456789abcdef0123456789abcdef";

/// The EC2 instance ID used for container-instance-role sessions.
pub const INSTANCE_ID: &str = "i-0123456789abcdef0";

/// Which form the task definition was pasted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    RegisterTaskDefinition,
    DescribeTaskDefinition,
    CloudFormationProperties,
    CloudFormationTemplate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    pub name: String,
    pub value_from: Item,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogConfiguration {
    pub driver: Item,
    pub options: BTreeMap<String, Item>,
    pub secret_options: Vec<Secret>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    pub image: Option<Item>,
    pub log: Option<LogConfiguration>,
    pub secrets: Vec<Secret>,
    pub repository_credentials: Option<Item>,
    pub environment_files: Vec<Item>,
    /// `firelensConfiguration`: its `type` and `options`.
    pub firelens: Option<(String, BTreeMap<String, Item>)>,
    /// `mountPoints`: source volume and whether read-only.
    pub mount_points: Vec<(String, bool)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EfsVolume {
    pub name: String,
    pub file_system_id: Item,
    pub iam: bool,
    pub transit_encryption: bool,
    pub access_point_id: Option<String>,
    pub span: Span,
}

/// A task definition in any of its forms, with spans into the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    pub family: Option<String>,
    pub task_role: Option<Item>,
    pub execution_role: Option<Item>,
    pub requires_compatibilities: Vec<String>,
    pub containers: Vec<Container>,
    pub efs_volumes: Vec<EfsVolume>,
    pub tags: Vec<(String, String)>,
    /// ECS Exec: a property of the service or `RunTask`, read from an `AWS::ECS::Service`
    /// of the template or from `enableExecuteCommand` beside the task definition.
    pub execute_command: bool,
    pub span: Span,
}

impl TaskDefinition {
    pub fn is_fargate(&self) -> bool {
        self.requires_compatibilities.iter().any(|c| c.eq_ignore_ascii_case("FARGATE"))
    }
}

/// What a pasted document holds: a task definition and the roles and resource policies
/// a template defines.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub form: Form,
    pub task_definition: Option<TaskDefinition>,
    pub roles: Vec<Role>,
    pub bucket_policies: Vec<(String, Policy)>,
    pub secret_keys: Vec<(String, String)>,
}

/// The member of an object whose key equals `key` ignoring ASCII case: the API's camelCase,
/// CloudFormation's PascalCase and odd spellings (`EFSVolumeConfiguration`) alike.
fn get<'j>(json: &'j Json, key: &str) -> Option<&'j Json> {
    json.as_object()?.iter().find(|m| m.key.eq_ignore_ascii_case(key)).map(|m| &m.value)
}

fn text(json: &Json) -> Option<String> {
    match &json.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn item(json: &Json, key: &str) -> Option<Item> {
    let v = get(json, key)?;
    Some(Item { text: text(v)?, span: v.span })
}

fn list<'j>(json: &'j Json, key: &str) -> &'j [Json] {
    get(json, key).and_then(Json::as_array).unwrap_or_default()
}

/// Tags as `[{"key", "value"}]` (API) or `[{"Key", "Value"}]` (CloudFormation).
fn tags(json: &Json) -> Vec<(String, String)> {
    json.as_array().unwrap_or_default().iter().filter_map(|t| Some((get(t, "key").and_then(text)?, get(t, "value").and_then(text)?))).collect()
}

/// Reads whatever was pasted: a template, a single `AWS::ECS::TaskDefinition` resource, its
/// `Properties`, `register-task-definition` input or `describe-task-definition` output.
pub fn read_deployment(root: &Json, pseudo: &Pseudo, parameters: &BTreeMap<String, String>, out: &mut Vec<Diagnostic>) -> Deployment {
    if cloudformation::is_template(root) {
        let template = cloudformation::read_template(root, pseudo, parameters, out);
        let mut task_definition = None;
        if let Some(first) = template.task_definitions.first() {
            if template.task_definitions.len() > 1 {
                out.push(
                    Diagnostic::warning(first.properties.span, format!("the template defines {} task definitions; the checklist covers the first, `{}`", template.task_definitions.len(), first.logical_id))
                        .with_help("paste one task definition at a time to check the others"),
                );
            }
            let mut td = read_task_definition(&first.properties, out);
            td.execute_command |= first.execute_command;
            task_definition = Some(td);
        }
        return Deployment {
            form: Form::CloudFormationTemplate,
            task_definition,
            roles: template.roles,
            bucket_policies: template.bucket_policies,
            secret_keys: template.secret_keys,
        };
    }
    let empty = |form, td| Deployment { form, task_definition: Some(td), roles: Vec::new(), bucket_policies: Vec::new(), secret_keys: Vec::new() };
    if root.get("Type").and_then(Json::as_str) == Some("AWS::ECS::TaskDefinition") {
        let properties = root.get("Properties").cloned().unwrap_or(Json { value: Value::Object(Vec::new()), span: root.span });
        let resolved = cloudformation::resolve_value(root, &properties, pseudo, out).unwrap_or(properties);
        return empty(Form::CloudFormationProperties, read_task_definition(&resolved, out));
    }
    if let Some(td) = root.get("taskDefinition") {
        report_intrinsics(root, "a `describe-task-definition` output", out);
        let mut model = read_task_definition(td, out);
        model.tags = root.get("tags").map(tags).unwrap_or_default();
        return empty(Form::DescribeTaskDefinition, model);
    }
    if root.get("ContainerDefinitions").is_some() {
        let resolved = cloudformation::resolve_value(root, root, pseudo, out).unwrap_or_else(|| root.clone());
        return empty(Form::CloudFormationProperties, read_task_definition(&resolved, out));
    }
    report_intrinsics(root, "a `register-task-definition` input", out);
    empty(Form::RegisterTaskDefinition, read_task_definition(root, out))
}

/// The ECS API forms take plain values: a CloudFormation intrinsic there (`{"Ref": ...}`,
/// `{"Fn::Sub": ...}`) is never resolved, so the field it stands in would be silently
/// missing. Each one is an error at its place.
fn report_intrinsics(root: &Json, form: &str, out: &mut Vec<Diagnostic>) {
    let mut stack = vec![root];
    while let Some(json) = stack.pop() {
        match &json.value {
            Value::Object(members) => {
                if let [only] = members.as_slice() {
                    if only.key == "Ref" || only.key.starts_with("Fn::") {
                        out.push(
                            Diagnostic::error(json.span, format!("`{}` is a CloudFormation intrinsic, but this is {form}, which takes plain values", only.key))
                                .with_help("write the value itself, or paste the whole CloudFormation template that holds the task definition"),
                        );
                        continue;
                    }
                }
                stack.extend(members.iter().rev().map(|m| &m.value));
            }
            Value::Array(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
}

/// Reads the task definition's fields, in camelCase or PascalCase.
pub fn read_task_definition(json: &Json, out: &mut Vec<Diagnostic>) -> TaskDefinition {
    if json.as_object().is_none() {
        out.push(Diagnostic::error(json.span, format!("a task definition must be an object, found {}", json.kind())).with_help("paste the output of `aws ecs describe-task-definition` or the input of `register-task-definition`"));
    }
    let containers_json = list(json, "containerDefinitions");
    if get(json, "containerDefinitions").is_none() && json.as_object().is_some() {
        out.push(
            Diagnostic::warning(Span::new(json.span.start, json.span.start + 1), "the task definition has no `containerDefinitions`")
                .with_help("paste the whole task definition: `{\"family\": ..., \"containerDefinitions\": [...]}`"),
        );
    }
    let containers: Vec<Container> = containers_json.iter().map(container).collect();
    for c in &containers {
        if let Some(log) = c.log.as_ref().filter(|l| l.driver.text == "awslogs" && !l.options.contains_key("awslogs-group")) {
            out.push(
                Diagnostic::error(log.driver.span, format!("container `{}` uses `awslogs` without `awslogs-group`", c.name))
                    .with_help("add `\"awslogs-group\": \"/ecs/NAME\"` to the log configuration's options"),
            );
        }
    }
    let mut efs_volumes = Vec::new();
    for v in list(json, "volumes") {
        let Some(efs) = get(v, "efsVolumeConfiguration") else { continue };
        let Some(file_system_id) = item(efs, "fileSystemId") else {
            out.push(Diagnostic::error(efs.span, "an EFS volume needs a `fileSystemId`").with_help("add `\"fileSystemId\": \"fs-12345678\"`"));
            continue;
        };
        let auth = get(efs, "authorizationConfig");
        let iam = auth.and_then(|a| get(a, "iam")).and_then(text).is_some_and(|t| t.eq_ignore_ascii_case("ENABLED"));
        let transit_encryption = get(efs, "transitEncryption").and_then(text).is_some_and(|t| t.eq_ignore_ascii_case("ENABLED"));
        if iam && !transit_encryption {
            out.push(
                Diagnostic::error(efs.span, "EFS IAM authorization needs `transitEncryption` set to `ENABLED`")
                    .with_help("add `\"transitEncryption\": \"ENABLED\"`; ECS refuses the task definition otherwise"),
            );
        }
        efs_volumes.push(EfsVolume {
            name: get(v, "name").and_then(text).unwrap_or_default(),
            file_system_id,
            iam,
            transit_encryption,
            access_point_id: auth.and_then(|a| get(a, "accessPointId")).and_then(text),
            span: efs.span,
        });
    }
    let execute_command = get(json, "enableExecuteCommand").is_some_and(|v| matches!(v.value, Value::Bool(true)));
    TaskDefinition {
        family: get(json, "family").and_then(text),
        task_role: item(json, "taskRoleArn"),
        execution_role: item(json, "executionRoleArn"),
        requires_compatibilities: list(json, "requiresCompatibilities").iter().filter_map(text).collect(),
        containers,
        efs_volumes,
        tags: get(json, "tags").map(tags).unwrap_or_default(),
        execute_command,
        span: json.span,
    }
}

fn secrets(json: &Json, key: &str) -> Vec<Secret> {
    list(json, key).iter().filter_map(|s| Some(Secret { name: get(s, "name").and_then(text).unwrap_or_default(), value_from: item(s, "valueFrom")? })).collect()
}

fn container(json: &Json) -> Container {
    let log = get(json, "logConfiguration").and_then(|l| {
        Some(LogConfiguration {
            driver: item(l, "logDriver")?,
            options: get(l, "options").and_then(Json::as_object).unwrap_or_default().iter().filter_map(|m| Some((m.key.clone(), Item { text: text(&m.value)?, span: m.value.span }))).collect(),
            secret_options: secrets(l, "secretOptions"),
        })
    });
    let firelens = get(json, "firelensConfiguration").map(|f| {
        let options = get(f, "options").and_then(Json::as_object).unwrap_or_default().iter().filter_map(|m| Some((m.key.clone(), Item { text: text(&m.value)?, span: m.value.span }))).collect();
        (get(f, "type").and_then(text).unwrap_or_default(), options)
    });
    Container {
        name: get(json, "name").and_then(text).unwrap_or_default(),
        image: item(json, "image"),
        log,
        secrets: secrets(json, "secrets"),
        repository_credentials: get(json, "repositoryCredentials").and_then(|r| item(r, "credentialsParameter")),
        environment_files: list(json, "environmentFiles").iter().filter(|f| get(f, "type").and_then(text).is_none_or(|t| t.eq_ignore_ascii_case("s3"))).filter_map(|f| item(f, "value")).collect(),
        firelens,
        mount_points: list(json, "mountPoints")
            .iter()
            .filter_map(|m| Some((get(m, "sourceVolume").and_then(text)?, get(m, "readOnly").is_some_and(|r| matches!(r.value, Value::Bool(true))))))
            .collect(),
        span: json.span,
    }
}

/// A private ECR image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrImage {
    pub account: String,
    pub region: String,
    pub partition: String,
    pub repository: String,
}

impl EcrImage {
    pub fn repository_arn(&self) -> String {
        format!("arn:{}:ecr:{}:{}:repository/{}", self.partition, self.region, self.account, self.repository)
    }
}

/// `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/REPO[:tag|@digest]` (SEMANTICS 6.3).
pub fn parse_ecr_image(image: &str) -> Option<EcrImage> {
    let (host, path) = image.split_once('/')?;
    let (account, rest) = host.split_once('.')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix("dkr.ecr-fips.").or_else(|| rest.strip_prefix("dkr.ecr."))?;
    let (region, partition) = if let Some(r) = rest.strip_suffix(".amazonaws.com.cn") {
        (r, "aws-cn")
    } else {
        (rest.strip_suffix(".amazonaws.com")?, "aws")
    };
    if region.is_empty() || !region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let path = path.split('@').next().unwrap_or(path);
    let last_slash = path.rfind('/').map_or(0, |i| i + 1);
    let repository = match path[last_slash..].find(':') {
        Some(colon) => &path[..last_slash + colon],
        None => path,
    };
    if repository.is_empty() {
        return None;
    }
    let partition = if region.starts_with("us-gov-") { "aws-us-gov" } else { partition };
    Some(EcrImage { account: account.to_string(), region: region.to_string(), partition: partition.to_string(), repository: repository.to_string() })
}

/// Whose permissions a requirement needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    ExecutionRole,
    TaskRole,
    /// `ecs-tasks.amazonaws.com` assuming the execution role.
    ExecutionRoleTrust,
    /// `ecs-tasks.amazonaws.com` assuming the task role.
    TaskRoleTrust,
}

impl Who {
    pub fn as_str(self) -> &'static str {
        match self {
            Who::ExecutionRole => "execution_role",
            Who::TaskRole => "task_role",
            Who::ExecutionRoleTrust => "execution_role_trust",
            Who::TaskRoleTrust => "task_role_trust",
        }
    }
}

/// One call ECS will make, derived from a field of the task definition.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub who: Who,
    pub action: String,
    pub resource: String,
    pub context: BTreeMap<String, String>,
    /// Why the call is made, in a sentence.
    pub why: String,
    /// The field it comes from.
    pub span: Span,
    /// The resource to grant when it is denied (a pattern such as `log-group:G:*`).
    pub grant: String,
    /// Only needed with some configurations (ClientWrite, ...): said in the checklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where the task runs, for defaults and fallbacks.
#[derive(Debug, Clone)]
pub struct Environment {
    pub account: String,
    pub region: String,
    pub partition: String,
}

impl Environment {
    pub fn from_pseudo(p: &Pseudo) -> Environment {
        Environment { account: p.account.clone(), region: p.region.clone(), partition: p.partition.clone() }
    }
}

/// Every call the task needs, in checklist order: the execution role's, the task role's,
/// then the trust policies.
pub fn requirements(td: &TaskDefinition, env: &Environment, secret_keys: &[(String, String)]) -> Vec<Requirement> {
    let mut out = Vec::new();
    let (p, acct) = (&env.partition, &env.account);
    let mut push = |who: Who, action: &str, resource: String, grant: String, why: String, span: Span, context: BTreeMap<String, String>, note: Option<String>| {
        out.push(Requirement { who, action: action.to_string(), resource, context, why, span, grant, note });
    };
    let none = BTreeMap::new;

    for c in &td.containers {
        if let Some(image) = &c.image {
            if let Some(ecr) = parse_ecr_image(&image.text) {
                let why = format!("container `{}` pulls `{}` from Amazon ECR", c.name, image.text);
                push(Who::ExecutionRole, "ecr:GetAuthorizationToken", "*".into(), "*".into(), format!("{why}: an ECR login token, which has no resource type"), image.span, none(), None);
                for action in ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] {
                    let arn = ecr.repository_arn();
                    let note = (ecr.account != env.account).then(|| format!("the repository is in account {}: its repository policy must allow the execution role too", ecr.account));
                    push(Who::ExecutionRole, action, arn.clone(), arn, why.clone(), image.span, none(), note);
                }
            }
        }
        if let Some(cred) = &c.repository_credentials {
            secret_requirements(&mut push, cred, &format!("container `{}` pulls its image from a private registry with these credentials", c.name), env, secret_keys);
        }
        if let Some(log) = &c.log {
            if log.driver.text == "awslogs" {
                if let Some(group) = log.options.get("awslogs-group") {
                    let region = log.options.get("awslogs-region").map_or(env.region.as_str(), |r| r.text.as_str());
                    let stream = match log.options.get("awslogs-stream-prefix") {
                        Some(prefix) => format!("{}/{}/{TASK_ID}", prefix.text, c.name),
                        None => TASK_ID.to_string(),
                    };
                    let base = format!("arn:{p}:logs:{region}:{acct}:log-group:{}", group.text);
                    let why = format!("container `{}` sends its logs to log group `{}` (`awslogs`)", c.name, group.text);
                    for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
                        push(Who::ExecutionRole, action, format!("{base}:log-stream:{stream}"), format!("{base}:*"), why.clone(), group.span, none(), None);
                    }
                    if let Some(create) = log.options.get("awslogs-create-group").filter(|v| v.text.eq_ignore_ascii_case("true")) {
                        // Authorized against the log group's `log-stream:` ARN (DECISIONS.md (g)).
                        push(Who::ExecutionRole, "logs:CreateLogGroup", format!("{base}:log-stream:"), format!("{base}:*"), format!("container `{}` creates log group `{}` (`awslogs-create-group`)", c.name, group.text), create.span, none(), None);
                    }
                }
            }
            for s in &log.secret_options {
                secret_requirements(&mut push, &s.value_from, &format!("container `{}` passes secret `{}` to its log driver", c.name, s.name), env, secret_keys);
            }
            if log.driver.text == "awsfirelens" {
                firelens_outputs(&mut push, c, log, env);
            }
        }
        for s in &c.secrets {
            secret_requirements(&mut push, &s.value_from, &format!("container `{}` reads secret `{}` into its environment", c.name, s.name), env, secret_keys);
        }
        for f in &c.environment_files {
            s3_object_requirements(&mut push, f, &format!("container `{}` loads an environment file from S3", c.name));
        }
        if let Some((_, options)) = &c.firelens {
            if options.get("config-file-type").is_some_and(|t| t.text == "s3") {
                if let Some(file) = options.get("config-file-value") {
                    s3_object_requirements(&mut push, file, &format!("container `{}` loads its FireLens configuration from S3", c.name));
                }
            }
        }
    }
    for v in td.efs_volumes.iter().filter(|v| v.iam) {
        let region = &env.region;
        let arn = format!("arn:{p}:elasticfilesystem:{region}:{acct}:file-system/{}", v.file_system_id.text);
        let mut context = BTreeMap::new();
        if let Some(ap) = &v.access_point_id {
            context.insert("elasticfilesystem:AccessPointArn".to_string(), format!("arn:{p}:elasticfilesystem:{region}:{acct}:access-point/{ap}"));
        }
        let why = format!("volume `{}` mounts EFS file system `{}` with IAM authorization", v.name, v.file_system_id.text);
        push(Who::TaskRole, "elasticfilesystem:ClientMount", arn.clone(), arn.clone(), why.clone(), v.file_system_id.span, context.clone(), None);
        let read_only = td.containers.iter().flat_map(|c| &c.mount_points).filter(|(source, _)| *source == v.name).all(|(_, ro)| *ro);
        if !read_only {
            push(Who::TaskRole, "elasticfilesystem:ClientWrite", arn.clone(), arn.clone(), format!("{why}, read-write"), v.file_system_id.span, context.clone(), None);
        }
    }
    if td.execute_command {
        for action in ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"] {
            push(Who::TaskRole, action, "*".into(), "*".into(), "ECS Exec is enabled: the SSM agent in the task opens its channels".into(), td.span, none(), None);
        }
    }
    let mut trust = |who: Who, role: &Option<Item>| {
        if let Some(role) = role {
            let mut context = BTreeMap::new();
            context.insert("aws:SourceAccount".to_string(), acct.clone());
            context.insert("aws:SourceArn".to_string(), format!("arn:{p}:ecs:{}:{acct}:task/default/{TASK_ID}", env.region));
            let what = if who == Who::TaskRoleTrust { "task role" } else { "execution role" };
            push(who, "sts:AssumeRole", role_arn(&role.text, env), role_arn(&role.text, env), format!("ECS (`ecs-tasks.amazonaws.com`) assumes the {what}"), role.span, context, None);
        }
    };
    trust(Who::ExecutionRoleTrust, &td.execution_role);
    trust(Who::TaskRoleTrust, &td.task_role);
    out
}

type Push<'a> = dyn FnMut(Who, &str, String, String, String, Span, BTreeMap<String, String>, Option<String>) + 'a;

/// A role ARN from `taskRoleArn` / `executionRoleArn`, which also accept a role name.
pub fn role_arn(text: &str, env: &Environment) -> String {
    if text.starts_with("arn:") {
        text.to_string()
    } else {
        format!("arn:{}:iam::{}:role/{}", env.partition, env.account, text.trim_start_matches('/'))
    }
}

/// A secret from Secrets Manager (ARN, optionally with `:json-key:version-stage:version-id`)
/// or Parameter Store (ARN or name), and the KMS key when the template names one.
/// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html>
fn secret_requirements(push: &mut Push<'_>, value: &Item, why: &str, env: &Environment, secret_keys: &[(String, String)]) {
    let (p, r, a) = (&env.partition, &env.region, &env.account);
    let none = BTreeMap::new;
    let v = value.text.as_str();
    match crate::arn::parse(v) {
        Some([_, _, "secretsmanager", _, _, resource]) => {
            // secret:NAME-abcdef[:json-key:version-stage:version-id]
            let name = resource.strip_prefix("secret:").map(|n| n.split(':').next().unwrap_or(n)).unwrap_or(resource);
            let prefix = &v[..v.len() - resource.len()];
            let arn = format!("{prefix}secret:{name}");
            let partial = name.rsplit_once('-').is_none_or(|(_, suffix)| suffix.len() != 6);
            let note = partial.then(|| "a partial ARN: Secrets Manager authorizes the full ARN, which ends in `-` and six random characters; grant `NAME-??????`".to_string());
            push(Who::ExecutionRole, "secretsmanager:GetSecretValue", arn.clone(), arn.clone(), why.to_string(), value.span, none(), note);
            if let Some((_, key)) = secret_keys.iter().find(|(s, _)| *s == arn) {
                push(Who::ExecutionRole, "kms:Decrypt", key.clone(), key.clone(), format!("{why}; the secret is encrypted with a customer managed KMS key"), value.span, none(), None);
            }
        }
        Some([_, _, "ssm", _, _, _]) => push(Who::ExecutionRole, "ssm:GetParameters", v.to_string(), v.to_string(), why.to_string(), value.span, none(), None),
        Some(_) => {}
        None => {
            let arn = format!("arn:{p}:ssm:{r}:{a}:parameter/{}", v.trim_start_matches('/'));
            push(Who::ExecutionRole, "ssm:GetParameters", arn.clone(), arn, why.to_string(), value.span, none(), None);
        }
    }
}

fn s3_object_requirements(push: &mut Push<'_>, object: &Item, why: &str) {
    let Some(path) = object.text.strip_prefix("arn:aws:s3:::").or_else(|| object.text.split_once(":s3:::").map(|(_, p)| p)) else { return };
    let bucket = path.split('/').next().unwrap_or(path);
    let prefix = &object.text[..object.text.len() - path.len()];
    push(Who::ExecutionRole, "s3:GetObject", object.text.clone(), object.text.clone(), why.to_string(), object.span, BTreeMap::new(), None);
    push(Who::ExecutionRole, "s3:GetBucketLocation", format!("{prefix}{bucket}"), format!("{prefix}{bucket}"), why.to_string(), object.span, BTreeMap::new(), None);
}

/// FireLens outputs that Fluent Bit sends with the task role.
/// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html>
fn firelens_outputs(push: &mut Push<'_>, c: &Container, log: &LogConfiguration, env: &Environment) {
    let Some(name) = log.options.get("Name").or_else(|| log.options.get("name")) else { return };
    let (p, a) = (&env.partition, &env.account);
    let region = log.options.get("region").map_or(env.region.as_str(), |r| r.text.as_str());
    let why = format!("container `{}` sends its logs through FireLens to `{}`", c.name, name.text);
    let none = BTreeMap::new;
    match name.text.as_str() {
        "firehose" | "kinesis_firehose" => {
            if let Some(stream) = log.options.get("delivery_stream") {
                let arn = format!("arn:{p}:firehose:{region}:{a}:deliverystream/{}", stream.text);
                push(Who::TaskRole, "firehose:PutRecordBatch", arn.clone(), arn, why, stream.span, none(), None);
            }
        }
        "kinesis" | "kinesis_streams" => {
            if let Some(stream) = log.options.get("stream") {
                let arn = format!("arn:{p}:kinesis:{region}:{a}:stream/{}", stream.text);
                push(Who::TaskRole, "kinesis:PutRecords", arn.clone(), arn, why, stream.span, none(), None);
            }
        }
        "cloudwatch" | "cloudwatch_logs" => {
            if let Some(group) = log.options.get("log_group_name") {
                let base = format!("arn:{p}:logs:{region}:{a}:log-group:{}", group.text);
                let stream = log.options.get("log_stream_prefix").map_or_else(|| format!("{}-firelens-{TASK_ID}", c.name), |s| format!("{}{TASK_ID}", s.text));
                for action in ["logs:CreateLogStream", "logs:PutLogEvents"] {
                    push(Who::TaskRole, action, format!("{base}:log-stream:{stream}"), format!("{base}:*"), why.clone(), group.span, none(), None);
                }
                if let Some(create) = log.options.get("auto_create_group").filter(|v| v.text.eq_ignore_ascii_case("true")) {
                    push(Who::TaskRole, "logs:CreateLogGroup", format!("{base}:log-stream:"), format!("{base}:*"), why.clone(), create.span, none(), None);
                }
            }
        }
        _ => {}
    }
}

/// Whether a checklist line is satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// The role's policies (or a managed policy, or a resource policy in another account)
    /// are not known: nothing is claimed.
    NotEvaluated,
}

/// Where the smallest fix goes and what it is.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// "an identity policy of role `R`", "the trust policy of role `R`", ...
    pub place: String,
    pub statement: JsonText,
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistLine {
    pub requirement: Requirement,
    pub status: Status,
    /// Who was evaluated: a role session ARN or `ecs-tasks.amazonaws.com`.
    pub principal: String,
    pub decision: Option<Decision>,
    /// One sentence: the decision's reason, or why it was not evaluated.
    pub explanation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Advice that does not change the status (trust-policy conditions, ...).
    pub advice: Vec<String>,
    /// The line as a scenario request, for the page's "make this the current request".
    pub request: JsonText,
    #[serde(skip)]
    pub outcome: Option<Outcome>,
}

/// The roles a checklist evaluates against, resolved from the task definition's ARNs.
pub struct Roles<'a> {
    pub task: Option<&'a Role>,
    pub execution: Option<&'a Role>,
    /// The container instance role (EC2 launch type), when the scenario names one.
    pub instance: Option<&'a Role>,
}

/// Finds the role a task definition field names among the known roles, or a role known only
/// by its ARN.
pub fn find_role<'a>(field: &Item, env: &Environment, known: &'a [Role]) -> Option<&'a Role> {
    let arn = role_arn(&field.text, env);
    known.iter().find(|r| r.is_named_by(&arn))
}

/// Evaluates every requirement. `shared` holds the policies that apply to every request
/// (SCPs, RCPs); `bucket_policies` are the resource policies of S3 buckets. With the action
/// catalog, each line is evaluated as any other request is with it (resource types, keys
/// the action never carries), so that a line and the request made from it agree.
pub fn checklist(td: &TaskDefinition, requirements: Vec<Requirement>, roles: &Roles<'_>, shared: &Policies, bucket_policies: &[(String, Policy)], options: Options, catalog: Option<&dyn CatalogOracle>) -> Vec<ChecklistLine> {
    requirements.into_iter().map(|r| line(td, r, roles, shared, bucket_policies, options, catalog)).collect()
}

fn line(td: &TaskDefinition, r: Requirement, roles: &Roles<'_>, shared: &Policies, bucket_policies: &[(String, Policy)], options: Options, catalog: Option<&dyn CatalogOracle>) -> ChecklistLine {
    // The trust lines are ECS itself assuming the role: their caller is the service principal,
    // and the role's trust policy is the resource policy (the scenario reader finds it).
    let caller = match r.who {
        Who::ExecutionRoleTrust | Who::TaskRoleTrust => "ecs-tasks.amazonaws.com",
        who => who.as_str(),
    };
    let mut members = vec![("name", JsonText::string(&r.why)), ("as", JsonText::string(caller)), ("action", JsonText::string(&r.action)), ("resource", JsonText::string(&r.resource))];
    if !r.context.is_empty() {
        members.push(("context", JsonText::object(r.context.iter().map(|(k, v)| (k, JsonText::string(v)))).0));
    }
    let request = JsonText::object(members);
    let mut out = ChecklistLine { requirement: r, status: Status::NotEvaluated, principal: String::new(), decision: None, explanation: String::new(), fix: None, advice: Vec::new(), request, outcome: None };
    let r = &out.requirement;
    let is_trust = matches!(r.who, Who::TaskRoleTrust | Who::ExecutionRoleTrust);
    let (role, fallback): (Option<&Role>, Option<String>) = match r.who {
        Who::ExecutionRole | Who::ExecutionRoleTrust => match (roles.execution, &td.execution_role) {
            (Some(role), _) => (Some(role), None),
            (None, Some(field)) => {
                out.explanation = format!("not evaluated: the policies of execution role `{}` are not in the input", field.text);
                return out;
            }
            (None, None) if r.action.starts_with("secretsmanager:") || r.action.starts_with("ssm:") || r.action.starts_with("kms:") || td.is_fargate() => {
                out.status = Status::Fail;
                out.explanation = if td.is_fargate() && !r.action.starts_with("secretsmanager:") && !r.action.starts_with("ssm:") {
                    "the task definition has no `executionRoleArn`, and on Fargate the agent needs one for ECR pulls and `awslogs`".to_string()
                } else {
                    "the task definition has no `executionRoleArn`: secrets and private registry credentials are always fetched with the execution role".to_string()
                };
                out.fix = Some(Fix { place: "the task definition".into(), statement: JsonText::object([("executionRoleArn", JsonText::string("arn:aws:iam::ACCOUNT:role/ecsTaskExecutionRole"))]) });
                return out;
            }
            // EC2 without an execution role: the agent uses the container instance role.
            (None, None) => (roles.instance, Some("no execution role: on the EC2 launch type the ECS agent makes this call with the container instance role".to_string())),
        },
        Who::TaskRole | Who::TaskRoleTrust => match (roles.task, &td.task_role) {
            (Some(role), _) => (Some(role), None),
            (None, Some(field)) => {
                out.explanation = format!("not evaluated: the policies of task role `{}` are not in the input", field.text);
                return out;
            }
            (None, None) if r.action.starts_with("elasticfilesystem:") || r.action.starts_with("ssmmessages:") || td.is_fargate() => {
                out.status = Status::Fail;
                out.explanation = "the task definition has no `taskRoleArn`, and this needs a task role".to_string();
                out.fix = Some(Fix { place: "the task definition".into(), statement: JsonText::object([("taskRoleArn", JsonText::string("arn:aws:iam::ACCOUNT:role/MyTaskRole"))]) });
                return out;
            }
            (None, None) => (roles.instance, Some("no task role: on the EC2 launch type, code in the container falls back to the container instance role".to_string())),
        },
    };
    if let Some(f) = &fallback {
        out.advice.push(f.clone());
    }
    let Some(role) = role else {
        out.explanation = format!("not evaluated: {}; name it with `instance_role` in the scenario to evaluate it", fallback.unwrap_or_default());
        return out;
    };
    if is_trust {
        let Some(trust) = &role.trust_policy else {
            out.explanation = format!("not evaluated: the trust policy of role `{}` is not in the input", role.name);
            return out;
        };
        let principal = Principal::parse("ecs-tasks.amazonaws.com").expect("a service principal parses");
        let mut context = Context::new();
        for (k, v) in &r.context {
            context.insert_given(k, vec![v.clone()], false);
        }
        let request = Request { principal: principal.clone(), action: r.action.clone(), resource: r.resource.clone(), resource_account: None, context };
        let policies = Policies { resource: Some(trust.clone()), ..Policies::default() };
        let outcome = evaluation::evaluate_in(&policies, &request, options, catalog);
        out.principal = principal.arn();
        out.decision = Some(outcome.decision);
        out.explanation = outcome.why.clone();
        let mentions = |key: &str| trust.statements.iter().any(|s| s.conditions.iter().any(|c| c.key.eq_ignore_ascii_case(key)));
        if !mentions("aws:SourceAccount") && !mentions("aws:SourceArn") {
            out.advice.push(format!(
                "to prevent the confused-deputy problem, add `\"Condition\": {{\"StringEquals\": {{\"aws:SourceAccount\": \"{}\"}}, \"ArnLike\": {{\"aws:SourceArn\": \"arn:aws:ecs:{}:{}:*\"}}}}` to the trust statement",
                role.account,
                request_region(&r.context),
                role.account
            ));
        }
        if outcome.decision == Decision::Allowed {
            out.status = Status::Pass;
        } else {
            out.status = Status::Fail;
            out.fix = Some(Fix {
                place: format!("the trust policy of role `{}`", role.name),
                statement: JsonText::object([
                    ("Effect", JsonText::string("Allow")),
                    ("Principal", JsonText::object([("Service", JsonText::string("ecs-tasks.amazonaws.com"))]).0),
                    ("Action", JsonText::string("sts:AssumeRole")),
                    (
                        "Condition",
                        JsonText::object([
                            ("StringEquals", JsonText::object([("aws:SourceAccount", JsonText::string(&role.account))]).0),
                            ("ArnLike", JsonText::object([("aws:SourceArn", JsonText::string(&format!("arn:aws:ecs:{}:{}:*", request_region(&r.context), role.account)))]).0),
                        ])
                        .0,
                    ),
                ]),
            });
        }
        out.advice.extend(catalog_note(&outcome));
        out.outcome = Some(outcome);
        return out;
    }
    if !role.policies_known {
        out.explanation = format!("not evaluated: the policies of role `{}` are not in the input", role.name);
        return out;
    }
    // A fallback is always to the container instance role, whose sessions are named after the instance.
    let session = if fallback.is_some() { INSTANCE_ID } else { TASK_ID };
    let principal = role.session(session);
    let mut policies = role.policies();
    policies.scps = shared.scps.clone();
    policies.rcps = shared.rcps.clone();
    if let Some(bucket) = r.resource.split_once(":s3:::").map(|(_, p)| p.split('/').next().unwrap_or(p)) {
        policies.resource = bucket_policies.iter().find(|(b, _)| b == bucket).map(|(_, p)| p.clone());
    }
    let mut context = Context::new();
    for (k, v) in &r.context {
        context.insert_given(k, vec![v.clone()], false);
    }
    let cross_account = crate::arn::account_of(&r.resource).is_some_and(|a| !a.is_empty() && a != role.account);
    let resource_account = if cross_account { Some(role.account.clone()) } else { None };
    let request = Request { principal: principal.clone(), action: r.action.clone(), resource: r.resource.clone(), resource_account, context };
    let outcome = evaluation::evaluate_in(&policies, &request, options, catalog);
    out.principal = principal.arn();
    out.decision = Some(outcome.decision);
    out.explanation = outcome.why.clone();
    let boundary_denied = outcome.steps.iter().any(|s| s.gate == "permissions boundary" && s.verdict == StepVerdict::Deny);
    match outcome.decision {
        Decision::Allowed if cross_account => {
            out.status = Status::NotEvaluated;
            out.explanation = format!("the role's own policies allow it; the resource is in account {}, whose resource policy must allow it too and is not in the input", crate::arn::account_of(&r.resource).unwrap_or_default());
        }
        Decision::Allowed => out.status = Status::Pass,
        Decision::ImplicitDeny if !role.not_evaluated.is_empty() => {
            out.status = Status::NotEvaluated;
            out.explanation = format!("{}; but `{}` is not evaluated (its document is unknown) and may allow it", outcome.why, role.not_evaluated.join("`, `"));
        }
        Decision::ExplicitDeny => {
            out.status = Status::Fail;
            let by = outcome.matched_statements.first().map_or_else(String::new, |s| format!(" statement {} of `{}`", s.sid.clone().unwrap_or_else(|| format!("#{}", s.index + 1)), s.policy));
            out.advice.push(format!("an explicit deny wins: remove or narrow the denying{by}"));
        }
        Decision::ImplicitDeny => {
            out.status = Status::Fail;
            let statement = JsonText::object([("Effect", JsonText::string("Allow")), ("Action", JsonText::string(&r.action)), ("Resource", JsonText::string(&r.grant))]);
            let place = if boundary_denied {
                format!("the permissions boundary `{}` of role `{}`", role.permissions_boundary.as_ref().map_or("", |b| b.name.as_str()), role.name)
            } else {
                format!("an identity policy of role `{}`", role.name)
            };
            out.fix = Some(Fix { place, statement });
        }
    }
    if let Some(note) = &r.note {
        out.advice.push(note.clone());
    }
    out.advice.extend(catalog_note(&outcome));
    out.outcome = Some(outcome);
    out
}

/// The catalog's word on the line's resource (not one of the action's resource types, a
/// wildcard-only action on an ARN), said with the line as it is in the request's notes.
fn catalog_note(outcome: &Outcome) -> Option<String> {
    outcome.catalog.as_ref()?.resource_note.clone()
}

fn request_region(context: &BTreeMap<String, String>) -> String {
    context.get("aws:SourceArn").and_then(|a| crate::arn::parse(a).map(|p| p[3].to_string())).unwrap_or_else(|| "REGION".to_string())
}

/// What the page shows in the task definition pane.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub form: Form,
    pub family: Option<String>,
    pub launch_type: &'static str,
    pub task_role: Option<String>,
    pub execution_role: Option<String>,
    pub containers: Vec<ContainerSummary>,
    pub log_groups: Vec<String>,
    pub secrets: Vec<String>,
    pub efs_volumes: Vec<String>,
    pub execute_command: bool,
    pub task_tags: Vec<(String, String)>,
    /// Said where a user looks for task tags: they never become principal tags.
    pub task_tags_note: &'static str,
    pub roles: Vec<RoleSummary>,
    /// The EC2 fallback when there is no task role, said in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContainerSummary {
    pub name: String,
    pub image: Option<String>,
    /// `ecr`, `ecr-public`, or `other`.
    pub registry: &'static str,
    pub repository_arn: Option<String>,
    pub log_driver: Option<String>,
}

pub const TASK_TAGS_NOTE: &str = "task tags never become principal tags: calls made with the task role carry the role's own IAM tags as `aws:PrincipalTag/*`; task tags appear only as `aws:ResourceTag/*` on ECS API calls that target the task, and as `aws:RequestTag/*` when the task is started";

pub fn summary(deployment: &Deployment, td: &TaskDefinition, env: &Environment) -> Summary {
    let containers = td
        .containers
        .iter()
        .map(|c| {
            let image = c.image.as_ref().map(|i| i.text.clone());
            let ecr = image.as_deref().and_then(parse_ecr_image);
            let registry = if ecr.is_some() {
                "ecr"
            } else if image.as_deref().is_some_and(|i| i.starts_with("public.ecr.aws/")) {
                "ecr-public"
            } else {
                "other"
            };
            ContainerSummary { name: c.name.clone(), image, registry, repository_arn: ecr.map(|e| e.repository_arn()), log_driver: c.log.as_ref().map(|l| l.driver.text.clone()) }
        })
        .collect();
    let mut log_groups = Vec::new();
    let mut secrets = Vec::new();
    for c in &td.containers {
        if let Some(g) = c.log.as_ref().and_then(|l| l.options.get("awslogs-group").or_else(|| l.options.get("log_group_name"))) {
            if !log_groups.contains(&g.text) {
                log_groups.push(g.text.clone());
            }
        }
        secrets.extend(c.secrets.iter().chain(c.log.iter().flat_map(|l| &l.secret_options)).map(|s| s.value_from.text.clone()));
        secrets.extend(c.repository_credentials.iter().map(|r| r.text.clone()));
    }
    let fallback_note = (td.task_role.is_none() && !td.is_fargate()).then(|| {
        "no `taskRoleArn`: on the EC2 launch type, AWS SDKs in the containers fall back to the container instance role (through the instance metadata service), so application calls are made as `arn:aws:sts::ACCOUNT:assumed-role/ecsInstanceRole/i-...` unless the instance blocks it; name that role with `instance_role` to evaluate them".to_string()
    });
    Summary {
        form: deployment.form,
        family: td.family.clone(),
        launch_type: if td.is_fargate() { "FARGATE" } else { "EC2" },
        task_role: td.task_role.as_ref().map(|r| role_arn(&r.text, env)),
        execution_role: td.execution_role.as_ref().map(|r| role_arn(&r.text, env)),
        containers,
        log_groups,
        secrets,
        efs_volumes: td.efs_volumes.iter().map(|v| v.file_system_id.text.clone()).collect(),
        execute_command: td.execute_command,
        task_tags: td.tags.clone(),
        task_tags_note: TASK_TAGS_NOTE,
        roles: deployment.roles.iter().map(Role::summary).collect(),
        fallback_note,
    }
}

/// Account and region a task definition implies (role ARNs, ECR images, `awslogs-region`),
/// for when the scenario does not give them.
pub fn implied_account_region(td: &TaskDefinition) -> (Option<String>, Option<String>) {
    let mut account = None;
    let mut region = None;
    for r in td.task_role.iter().chain(td.execution_role.iter()) {
        if let Some(a) = crate::arn::account_of(&r.text).filter(|a| a.len() == 12) {
            account.get_or_insert_with(|| a.to_string());
        }
    }
    for c in &td.containers {
        if let Some(ecr) = c.image.as_ref().and_then(|i| parse_ecr_image(&i.text)) {
            account.get_or_insert(ecr.account);
            region.get_or_insert(ecr.region);
        }
        if let Some(r) = c.log.as_ref().and_then(|l| l.options.get("awslogs-region")) {
            region.get_or_insert_with(|| r.text.clone());
        }
    }
    (account, region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_images() {
        let cases: &[(&str, Option<&str>)] = &[
            ("123456789012.dkr.ecr.us-west-1.amazonaws.com/my-repo:latest", Some("arn:aws:ecr:us-west-1:123456789012:repository/my-repo")),
            ("123456789012.dkr.ecr.us-west-1.amazonaws.com/team/app@sha256:abcd", Some("arn:aws:ecr:us-west-1:123456789012:repository/team/app")),
            ("123456789012.dkr.ecr.us-west-1.amazonaws.com/team/app", Some("arn:aws:ecr:us-west-1:123456789012:repository/team/app")),
            ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1", Some("arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app")),
            ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1", Some("arn:aws-cn:ecr:cn-north-1:123456789012:repository/app")),
            ("public.ecr.aws/nginx/nginx:latest", None),
            ("nginx:latest", None),
            ("localhost:5000/app", None),
            ("12345.dkr.ecr.us-west-1.amazonaws.com/app", None),
        ];
        for (image, expected) in cases {
            assert_eq!(parse_ecr_image(image).map(|e| e.repository_arn()).as_deref(), *expected, "{image}");
        }
    }

    fn reqs(td_json: &str) -> Vec<(String, String, String)> {
        let json = crate::json::parse(td_json).json.unwrap();
        let mut out = Vec::new();
        let td = read_task_definition(&json, &mut out);
        let env = Environment { account: "111122223333".into(), region: "us-west-1".into(), partition: "aws".into() };
        requirements(&td, &env, &[]).into_iter().map(|r| (r.who.as_str().to_string(), r.action, r.resource)).collect()
    }

    #[test]
    fn secrets_are_normalised() {
        let r = reqs(
            r#"{"containerDefinitions": [{"name": "web", "secrets": [
                {"name": "A", "valueFrom": "arn:aws:secretsmanager:us-west-1:111122223333:secret:db-AbCdEf:password::"},
                {"name": "B", "valueFrom": "/app/db-url"},
                {"name": "C", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/shared"}]}]}"#,
        );
        assert_eq!(
            r,
            [
                ("execution_role".into(), "secretsmanager:GetSecretValue".into(), "arn:aws:secretsmanager:us-west-1:111122223333:secret:db-AbCdEf".into()),
                ("execution_role".into(), "ssm:GetParameters".into(), "arn:aws:ssm:us-west-1:111122223333:parameter/app/db-url".into()),
                ("execution_role".into(), "ssm:GetParameters".into(), "arn:aws:ssm:us-east-1:111122223333:parameter/shared".into()),
            ]
        );
    }

    #[test]
    fn pascal_case_is_read_like_camel_case() {
        let camel = r#"{"taskRoleArn": "r", "containerDefinitions": [{"name": "w", "image": "i", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}]}"#;
        let pascal = r#"{"TaskRoleArn": "r", "ContainerDefinitions": [{"Name": "w", "Image": "i", "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "g"}}}]}"#;
        assert_eq!(reqs(camel), reqs(pascal));
        assert_eq!(reqs(camel).len(), 3);
    }
}
