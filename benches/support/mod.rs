//! Deterministic inputs for the benchmarks (`benches/`) and the scaling tests
//! (`tests/perf.rs`): generated in code from a fixed seed, so that every run measures the
//! same work and no large file is kept in the repository.
//!
//! Shared by path (`#[path = "../benches/support/mod.rs"]`), so not every item is used by
//! every target.
#![allow(dead_code)]

use std::time::Duration;

use iamplay::context::Context;
use iamplay::evaluation::{Policies, Request};
use iamplay::policy::{self, Policy};
use iamplay::principal::Principal;
use iamplay::trace::PolicyType;

/// A small deterministic generator (SplitMix64): the same seed gives the same inputs on
/// every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// JSON string literal for `text` (the generated text needs no escapes beyond these).
pub fn q(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

pub const ACCOUNT: &str = "111122223333";
pub const PRINCIPAL_ARN: &str = "arn:aws:iam::111122223333:role/app-role";
pub const SESSION: &str = "build-7";

const SERVICES: &[(&str, &[&str])] = &[
    ("s3", &["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetObjectTagging", "PutObjectTagging", "Get*", "List*", "*Object"]),
    ("dynamodb", &["GetItem", "PutItem", "Query", "Scan", "UpdateItem", "BatchGetItem", "Describe*"]),
    ("sqs", &["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"]),
    ("kms", &["Decrypt", "Encrypt", "GenerateDataKey*", "DescribeKey"]),
    ("logs", &["CreateLogStream", "PutLogEvents", "Describe*"]),
    ("ec2", &["DescribeInstances", "StartInstances", "StopInstances", "CreateTags", "RunInstances"]),
    ("secretsmanager", &["GetSecretValue", "DescribeSecret"]),
];

fn resource_pattern(rng: &mut Rng, service: &str, p: usize, s: usize) -> String {
    let team = "${aws:PrincipalTag/team}";
    match service {
        "s3" => match rng.below(5) {
            0 => format!("arn:aws:s3:::bucket-{p}-{s}/*"),
            1 => format!("arn:aws:s3:::bucket-{p}-{s}/home/${{aws:username}}/*"),
            2 => format!("arn:aws:s3:::{team}-data-{p}/*"),
            3 => format!("arn:aws:s3:::logs-{p}/AWSLogs/{ACCOUNT}/*"),
            _ => format!("arn:aws:s3:::bucket-{p}-{s}"),
        },
        "dynamodb" => format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{}-{p}-{s}", if rng.chance(50) { team } else { "orders" }),
        "sqs" => format!("arn:aws:sqs:*:{ACCOUNT}:queue-{p}-{s}*"),
        "kms" => format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{:08x}-0000-4000-8000-{:012x}", p * 100 + s, s),
        "logs" => format!("arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/app/{p}/{s}:*"),
        "ec2" => if rng.chance(50) { "*".to_string() } else { format!("arn:aws:ec2:*:{ACCOUNT}:instance/*") },
        _ => format!("arn:aws:{service}:eu-west-1:{ACCOUNT}:secret:app/{team}/{p}-{s}-??????"),
    }
}

fn condition_block(rng: &mut Rng, p: usize, s: usize) -> Option<String> {
    let conditions: Vec<String> = (0..rng.below(4))
        .map(|_| match rng.below(10) {
            0 => format!(r#""StringEquals": {{"aws:PrincipalTag/team": ["blue", "red", "team-{p}"]}}"#),
            1 => r#""StringLike": {"s3:prefix": ["home/${aws:username}/*", "shared/*"]}"#.to_string(),
            2 => r#""IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"]}"#.to_string(),
            3 => r#""Bool": {"aws:SecureTransport": "true"}"#.to_string(),
            4 => r#""DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}"#.to_string(),
            5 => r#""ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "owner", "cost-center"]}"#.to_string(),
            6 => r#""Null": {"aws:MultiFactorAuthAge": "false"}"#.to_string(),
            7 => format!(r#""ArnLike": {{"aws:SourceArn": "arn:aws:sns:*:{ACCOUNT}:topic-{p}-*"}}"#),
            8 => r#""NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}"#.to_string(),
            _ => format!(r#""StringEqualsIfExists": {{"aws:ResourceTag/project": "${{aws:PrincipalTag/project}}", "aws:RequestedRegion": ["eu-west-1", "us-east-{}"]}}"#, s % 3 + 1),
        })
        .collect();
    // One operator per block key: later duplicates would be a grammar error.
    let mut seen = Vec::new();
    let unique: Vec<String> = conditions
        .into_iter()
        .filter(|c| {
            let op = c.split(':').next().unwrap_or("").to_string();
            if seen.contains(&op) {
                false
            } else {
                seen.push(op);
                true
            }
        })
        .collect();
    (!unique.is_empty()).then(|| format!("{{{}}}", unique.join(", ")))
}

/// One realistic identity policy of `statements` statements: several services, wildcards
/// in actions and resources, policy variables, and zero to three conditions each.
pub fn realistic_policy(rng: &mut Rng, p: usize, statements: usize) -> String {
    let statements: Vec<String> = (0..statements)
        .map(|s| {
            let (service, actions) = rng.pick(SERVICES);
            let effect = if rng.chance(12) { "Deny" } else { "Allow" };
            let action_list: Vec<String> = (0..1 + rng.below(3)).map(|_| q(&format!("{service}:{}", rng.pick(actions)))).collect();
            let resources: Vec<String> = (0..1 + rng.below(2)).map(|_| q(&resource_pattern(rng, service, p, s))).collect();
            let mut text = format!(
                r#"{{"Sid": "S{p}x{s}", "Effect": "{effect}", "Action": [{}], "Resource": [{}]"#,
                action_list.join(", "),
                resources.join(", ")
            );
            if let Some(c) = condition_block(rng, p, s) {
                text.push_str(&format!(r#", "Condition": {c}"#));
            }
            text.push('}');
            text
        })
        .collect();
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [\n  {}\n]}}", statements.join(",\n  "))
}

/// One request of the large set, as scenario JSON fields and as a core [`Request`].
pub struct GenRequest {
    pub action: &'static str,
    pub resource: String,
    pub context: Vec<(&'static str, Vec<&'static str>)>,
}

/// The large realistic set of the issue: 50 identity policies of 20 statements, with a
/// boundary, and requests that end allowed, implicitly denied and explicitly denied.
pub struct LargeSet {
    pub policies: Vec<String>,
    pub boundary: String,
    pub requests: Vec<GenRequest>,
}

pub fn large_set() -> LargeSet {
    large_set_of(50, 20)
}

pub fn large_set_of(policies: usize, statements: usize) -> LargeSet {
    let mut rng = Rng::new(0x1a3b_5c7d);
    let policies = (0..policies).map(|p| realistic_policy(&mut rng, p, statements)).collect();
    let boundary = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "sqs:*", "kms:*", "logs:*", "ec2:Describe*"], "Resource": "*"},
  {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}
]}"#
        .to_string();
    let context = vec![
        ("aws:SourceIp", vec!["10.1.2.3"]),
        ("aws:SecureTransport", vec!["true"]),
        ("aws:CurrentTime", vec!["2025-06-01T12:00:00Z"]),
        ("aws:RequestedRegion", vec!["eu-west-1"]),
        ("aws:TagKeys", vec!["env", "owner"]),
        ("aws:MultiFactorAuthAge", vec!["120"]),
    ];
    let requests = vec![
        GenRequest { action: "s3:GetObject", resource: "arn:aws:s3:::bucket-49-19/home/build-7/report.csv".into(), context: context.clone() },
        GenRequest { action: "dynamodb:Query", resource: format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders-7-3"), context: context.clone() },
        GenRequest { action: "sqs:SendMessage", resource: format!("arn:aws:sqs:eu-west-1:{ACCOUNT}:not-a-queue"), context: context.clone() },
        GenRequest { action: "ec2:RunInstances", resource: format!("arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc"), context },
    ];
    LargeSet { policies, boundary, requests }
}

fn principal() -> Principal {
    let mut p = Principal::parse(PRINCIPAL_ARN).expect("a role ARN").with_session(SESSION).expect("a session");
    p.tags.insert("team".into(), "blue".into());
    p.tags.insert("project".into(), "atlas".into());
    p
}

fn parse(text: &str, name: &str, policy_type: PolicyType) -> Policy {
    let (policy, diagnostics) = policy::parse_policy_text(text, name, policy_type);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "generated policy {name} has errors: {diagnostics:?}");
    policy.expect("a policy")
}

impl LargeSet {
    /// The set as one scenario file, as the page and the CLI read it.
    pub fn scenario_text(&self) -> String {
        let requests: Vec<String> = self
            .requests
            .iter()
            .map(|r| {
                let context: Vec<String> = r
                    .context
                    .iter()
                    .map(|(k, v)| format!("{}: [{}]", q(k), v.iter().map(|x| q(x)).collect::<Vec<_>>().join(", ")))
                    .collect();
                format!(r#"{{"action": {}, "resource": {}, "context": {{{}}}}}"#, q(r.action), q(&r.resource), context.join(", "))
            })
            .collect();
        format!(
            "{{\"scenario\": 1, \"name\": \"large generated set\",\n \"principal\": {{\"arn\": {}, \"session_name\": {}, \"tags\": {{\"team\": \"blue\", \"project\": \"atlas\"}}}},\n \"identity_policies\": [\n{}\n],\n \"permissions_boundary\": {},\n \"requests\": [\n  {}\n]}}\n",
            q(PRINCIPAL_ARN),
            q(SESSION),
            self.policies.join(",\n"),
            self.boundary,
            requests.join(",\n  ")
        )
    }

    /// The set read into the core's model, for measuring evaluation alone.
    pub fn parsed(&self) -> (Policies, Vec<Request>) {
        let policies = Policies {
            identity: self.policies.iter().enumerate().map(|(i, t)| parse(t, &format!("identity-{i}"), PolicyType::Identity)).collect(),
            permissions_boundary: Some(parse(&self.boundary, "boundary", PolicyType::PermissionsBoundary)),
            ..Policies::default()
        };
        let requests = self
            .requests
            .iter()
            .map(|r| {
                let mut context = Context::new();
                for (k, v) in &r.context {
                    context.insert_given(k, v.iter().map(|x| x.to_string()).collect(), true);
                }
                Request { principal: principal(), action: r.action.to_string(), resource: r.resource.clone(), resource_account: None, context }
            })
            .collect();
        (policies, requests)
    }
}

/// A scenario with one identity policy of `n` statements that all match the request's
/// action and resource, each with a condition on its own (absent) key: every statement is
/// read, matched and traced, and every one reports a different missing context key.
pub fn many_statements_scenario(n: usize) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"Sid": "S{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::other-{i}/*", "arn:aws:s3:::bucket/*"], "Condition": {{"StringEquals": {{"my:key{i}": "v{i}"}}}}}}"#
            )
        })
        .collect();
    format!(
        "{{\"scenario\": 1, \"principal\": {}, \"identity_policies\": [{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}],\n \"requests\": [{{\"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::bucket/{}/x\"}}]}}\n",
        q(PRINCIPAL_ARN),
        statements.join(",\n"),
        n / 2
    )
}

/// A scenario whose one statement has a condition listing `n` values, and a request whose
/// multivalued key has `n` values, none of them listed: every pair is compared once by
/// the plain operator and the set operator respectively.
pub fn many_values_scenario(n: usize) -> String {
    let policy_values: Vec<String> = (0..n).map(|i| q(&format!("allowed-value-{i}"))).collect();
    format!(
        "{{\"scenario\": 1, \"principal\": {}, \"identity_policies\": [{{\"Version\": \"2012-10-17\", \"Statement\": [\n\
         {{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Condition\": {{\"StringLike\": {{\"aws:PrincipalTag/team\": [{}]}}}}}}\n]}}],\n \
         \"requests\": [{{\"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\", \"context\": {{\"aws:PrincipalTag/team\": \"blue\"}}}}]}}\n",
        q(PRINCIPAL_ARN),
        policy_values.join(", ")
    )
}

/// A scenario whose request carries `n` values of a multivalued key against a condition
/// with a fixed list of three values.
pub fn many_request_values_scenario(n: usize) -> String {
    let request_values: Vec<String> = (0..n).map(|i| q(&format!("tag-{i}"))).collect();
    format!(
        "{{\"scenario\": 1, \"principal\": {}, \"identity_policies\": [{{\"Version\": \"2012-10-17\", \"Statement\": [\n\
         {{\"Effect\": \"Allow\", \"Action\": \"s3:PutObjectTagging\", \"Resource\": \"*\", \"Condition\": {{\"ForAllValues:StringLike\": {{\"aws:TagKeys\": [\"tag-*\", \"env\", \"owner\"]}}}}}}\n]}}],\n \
         \"requests\": [{{\"action\": \"s3:PutObjectTagging\", \"resource\": \"arn:aws:s3:::b/k\", \"context\": {{\"aws:TagKeys\": [{}]}}}}]}}\n",
        q(PRINCIPAL_ARN),
        request_values.join(", ")
    )
}

/// The pathological glob of the issue, `*a*a*…*a*b*` with `stars` times `*a`, and an ARN
/// whose resource part is `len` times `a`. A backtracking matcher takes exponential time
/// here; the trailing `*` means the match cannot be refused by looking at the end, so the
/// final `b` is searched for across the whole text.
pub fn pathological_glob(stars: usize, len: usize) -> (String, String) {
    (format!("{}*b*", "*a".repeat(stars)), format!("arn:aws:s3:::{}", "a".repeat(len)))
}

/// The same shape with `?`: `*?*?…*?*b*`.
pub fn pathological_question_glob(stars: usize, len: usize) -> (String, String) {
    (format!("{}*b*", "*?".repeat(stars)), format!("arn:aws:s3:::{}", "a".repeat(len)))
}

/// A segment longer than one 64-bit word of shift-and state: `*aaa…ab*` with `segment`
/// characters, which almost matches at every position of the text.
pub fn long_segment_glob(segment: usize, len: usize) -> (String, String) {
    (format!("*{}b*", "a".repeat(segment.saturating_sub(1))), format!("arn:aws:s3:::{}", "a".repeat(len)))
}

/// CPU time of the calling thread: unlike wall-clock time it does not grow while the
/// thread waits for a core that other processes are using.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec; the call only writes to it.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub fn thread_cpu_time() -> Duration {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// A value of a generated CloudFormation template, written as JSON (long-form intrinsics)
/// or as block YAML (short-form tags), so both readers get the same template.
pub enum Cfn {
    Str(String),
    Ref(String),
    Sub(String),
    GetAtt(String),
    List(Vec<Cfn>),
    Map(Vec<(String, Cfn)>),
}

fn s(text: impl Into<String>) -> Cfn {
    Cfn::Str(text.into())
}

fn map(members: Vec<(&str, Cfn)>) -> Cfn {
    Cfn::Map(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

impl Cfn {
    pub fn json(&self) -> String {
        match self {
            Cfn::Str(t) => q(t),
            Cfn::Ref(t) => format!("{{\"Ref\": {}}}", q(t)),
            Cfn::Sub(t) => format!("{{\"Fn::Sub\": {}}}", q(t)),
            Cfn::GetAtt(t) => {
                let (resource, attribute) = t.split_once('.').expect("Resource.Attribute");
                format!("{{\"Fn::GetAtt\": [{}, {}]}}", q(resource), q(attribute))
            }
            Cfn::List(items) => format!("[{}]", items.iter().map(Cfn::json).collect::<Vec<_>>().join(", ")),
            Cfn::Map(members) => format!("{{\n{}\n}}", members.iter().map(|(k, v)| format!("{}: {}", q(k), v.json())).collect::<Vec<_>>().join(",\n")),
        }
    }

    /// Block YAML at `indent` spaces; `out` ends with a newline.
    pub fn yaml(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Cfn::List(items) => {
                for item in items {
                    out.push_str(&pad);
                    out.push_str("- ");
                    item.yaml_inline(indent + 2, out);
                }
            }
            Cfn::Map(members) => {
                for (k, v) in members {
                    out.push_str(&pad);
                    out.push_str(k);
                    out.push(':');
                    match v {
                        Cfn::List(_) | Cfn::Map(_) => {
                            out.push('\n');
                            v.yaml(indent + 2, out);
                        }
                        _ => {
                            out.push(' ');
                            v.yaml_inline(indent + 2, out);
                        }
                    }
                }
            }
            _ => {
                out.push_str(&pad);
                self.yaml_inline(indent, out);
            }
        }
    }

    /// After `- ` or `key: `: a scalar on this line, a collection from this line on.
    fn yaml_inline(&self, indent: usize, out: &mut String) {
        match self {
            // JSON string literals are valid double-quoted YAML scalars.
            Cfn::Str(t) => out.push_str(&q(t)),
            Cfn::Ref(t) => out.push_str(&format!("!Ref {t}")),
            Cfn::Sub(t) => out.push_str(&format!("!Sub {}", q(t))),
            Cfn::GetAtt(t) => out.push_str(&format!("!GetAtt {t}")),
            Cfn::List(_) | Cfn::Map(_) => {
                let mut inner = String::new();
                self.yaml(indent, &mut inner);
                // The first line goes after the `- ` already written.
                out.push_str(inner.trim_start_matches(' '));
                return;
            }
        }
        out.push('\n');
    }
}

fn trust(service: &str) -> Cfn {
    map(vec![
        ("Version", s("2012-10-17")),
        (
            "Statement",
            Cfn::List(vec![map(vec![
                ("Effect", s("Allow")),
                ("Principal", map(vec![("Service", s(service))])),
                ("Action", s("sts:AssumeRole")),
                ("Condition", map(vec![("StringEquals", map(vec![("aws:SourceAccount", Cfn::Ref("AWS::AccountId".into()))]))])),
            ])]),
        ),
    ])
}

fn statement(effect: &str, actions: &[&str], resources: Vec<Cfn>, condition: Option<Cfn>) -> Cfn {
    let mut members = vec![
        ("Effect", s(effect)),
        ("Action", Cfn::List(actions.iter().map(|a| s(*a)).collect())),
        ("Resource", Cfn::List(resources)),
    ];
    if let Some(c) = condition {
        members.push(("Condition", c));
    }
    map(members)
}

fn document(statements: Vec<Cfn>) -> Cfn {
    map(vec![("Version", s("2012-10-17")), ("Statement", Cfn::List(statements))])
}

/// A resource of a template: its type and properties.
fn resource(kind: &str, properties: Vec<(&str, Cfn)>) -> Cfn {
    map(vec![("Type", s(kind)), ("Properties", map(properties))])
}

/// A role that ECS tasks assume: its name (`Fn::Sub`), one more property, and one inline
/// policy.
fn ecs_role(name: String, extra: (&str, Cfn), policy_name: &str, statements: Vec<Cfn>) -> Cfn {
    resource(
        "AWS::IAM::Role",
        vec![
            ("RoleName", Cfn::Sub(name)),
            ("AssumeRolePolicyDocument", trust("ecs-tasks.amazonaws.com")),
            extra,
            ("Policies", Cfn::List(vec![map(vec![("PolicyName", s(policy_name)), ("PolicyDocument", document(statements))])])),
        ],
    )
}

/// A CloudFormation template of `services` ECS services, six resources each (a log group,
/// a bucket and its policy, an execution role, a task role with an inline policy of eight
/// statements, a task definition), under shared parameters, intrinsics everywhere the
/// playground resolves them. Returns the template as JSON and as YAML.
pub fn large_template(services: usize) -> (String, String) {
    let mut resources: Vec<(String, Cfn)> = Vec::new();
    for i in 0..services {
        let bucket = format!("Bucket{i}");
        let table = format!("arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{Env}}-orders-{i}");
        resources.push((format!("Logs{i}"), resource("AWS::Logs::LogGroup", vec![("LogGroupName", Cfn::Sub(format!("/ecs/${{Env}}/service-{i}")))])));
        resources.push((bucket.clone(), resource("AWS::S3::Bucket", vec![("BucketName", Cfn::Sub(format!("${{Env}}-data-{i}-${{AWS::AccountId}}")))])));
        let deny_plain_http = map(vec![
            ("Effect", s("Deny")),
            ("Principal", s("*")),
            ("Action", s("s3:*")),
            ("Resource", Cfn::List(vec![Cfn::GetAtt(format!("{bucket}.Arn")), Cfn::Sub(format!("${{{bucket}.Arn}}/*"))])),
            ("Condition", map(vec![("Bool", map(vec![("aws:SecureTransport", s("false"))]))])),
        ]);
        resources.push((format!("BucketPolicy{i}"), resource("AWS::S3::BucketPolicy", vec![("Bucket", Cfn::Ref(bucket.clone())), ("PolicyDocument", document(vec![deny_plain_http]))])));
        resources.push((
            format!("ExecutionRole{i}"),
            ecs_role(
                format!("${{Env}}-execution-{i}"),
                ("ManagedPolicyArns", Cfn::List(vec![s("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")])),
                "logs",
                vec![statement("Allow", &["logs:CreateLogStream", "logs:PutLogEvents"], vec![Cfn::GetAtt(format!("Logs{i}.Arn"))], None)],
            ),
        ));
        let object_arn = Cfn::Sub(format!("${{{bucket}.Arn}}/${{!aws:PrincipalTag/team}}/*"));
        let team = || Some(map(vec![("StringEquals", map(vec![("aws:PrincipalTag/team", s("blue"))]))]));
        let statements = vec![
            statement("Allow", &["s3:GetObject", "s3:PutObject"], vec![object_arn], team()),
            statement("Allow", &["s3:ListBucket"], vec![Cfn::GetAtt(format!("{bucket}.Arn"))], Some(map(vec![("StringLike", map(vec![("s3:prefix", Cfn::List(vec![s("${aws:PrincipalTag/team}/*")]))]))]))),
            statement("Allow", &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], vec![Cfn::Sub(table.clone()), Cfn::Sub(format!("{table}/index/*"))], None),
            statement("Allow", &["sqs:SendMessage"], vec![Cfn::Sub(format!("arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:${{Env}}-jobs-{i}"))], None),
            statement("Allow", &["kms:Decrypt", "kms:GenerateDataKey"], vec![Cfn::Ref("KeyArn".into())], Some(map(vec![("StringEquals", map(vec![("kms:ViaService", Cfn::Sub("s3.${AWS::Region}.amazonaws.com".into()))]))]))),
            statement("Allow", &["secretsmanager:GetSecretValue"], vec![Cfn::Sub(format!("arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:${{Env}}/service-{i}-*"))], None),
            statement("Allow", &["ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"], vec![s("*")], None),
            statement("Deny", &["s3:DeleteObject"], vec![s("*")], Some(map(vec![("StringNotEquals", map(vec![("aws:RequestedRegion", Cfn::Ref("AWS::Region".into()))]))]))),
        ];
        let tags = Cfn::List(vec![map(vec![("Key", s("team")), ("Value", s("blue"))]), map(vec![("Key", s("service")), ("Value", s(format!("service-{i}")))])]);
        resources.push((format!("TaskRole{i}"), ecs_role(format!("${{Env}}-task-{i}"), ("Tags", tags), "app", statements)));
        resources.push((
            format!("TaskDefinition{i}"),
            resource(
                "AWS::ECS::TaskDefinition",
                vec![
                    ("Family", Cfn::Sub(format!("${{Env}}-service-{i}"))),
                    ("RequiresCompatibilities", Cfn::List(vec![s("FARGATE")])),
                    ("NetworkMode", s("awsvpc")),
                    ("Cpu", s("256")),
                    ("Memory", s("512")),
                    ("ExecutionRoleArn", Cfn::GetAtt(format!("ExecutionRole{i}.Arn"))),
                    ("TaskRoleArn", Cfn::GetAtt(format!("TaskRole{i}.Arn"))),
                    (
                        "ContainerDefinitions",
                        Cfn::List(vec![map(vec![
                            ("Name", s("app")),
                            ("Image", Cfn::Sub(format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/service-{i}:${{ImageTag}}"))),
                            (
                                "Secrets",
                                Cfn::List(vec![map(vec![("Name", s("DB_PASSWORD")), ("ValueFrom", Cfn::Sub(format!("arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:${{Env}}/service-{i}-db")))])]),
                            ),
                            (
                                "LogConfiguration",
                                map(vec![
                                    ("LogDriver", s("awslogs")),
                                    ("Options", map(vec![("awslogs-group", Cfn::Ref(format!("Logs{i}"))), ("awslogs-region", Cfn::Ref("AWS::Region".into())), ("awslogs-stream-prefix", s("app"))])),
                                ]),
                            ),
                        ])]),
                    ),
                ],
            ),
        ));
    }
    let template = map(vec![
        ("AWSTemplateFormatVersion", s("2010-09-09")),
        ("Description", s("generated: ECS services with their roles, buckets and logs")),
        (
            "Parameters",
            map(vec![
                ("Env", map(vec![("Type", s("String")), ("Default", s("prod"))])),
                ("ImageTag", map(vec![("Type", s("String")), ("Default", s("latest"))])),
                ("KeyArn", map(vec![("Type", s("String")), ("Default", s(format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab")))])),
            ]),
        ),
        ("Resources", Cfn::Map(resources)),
    ]);
    let mut yaml = String::new();
    template.yaml(0, &mut yaml);
    (template.json(), yaml)
}
