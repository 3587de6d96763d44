//! The action catalog at work: the catalog file itself, key availability in evaluation,
//! each lint finding kind (kind, message, fix and the underlined text), the capabilities
//! view and the least-privilege generator, on the real `catalog/catalog.txt`.

use std::sync::{Arc, OnceLock};

use iamplay::availability::{self, Availability};
use iamplay::catalog::{Access, Catalog};
use iamplay::lint::{self, Kind, Severity};
use iamplay::policy::parse_policy_text;
use iamplay::scenario::{self, Settings};
use iamplay::trace::{Decision, PolicyType};

fn catalog() -> &'static Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG.get_or_init(|| Arc::new(Catalog::parse(include_str!("../catalog/catalog.txt")).expect("catalog/catalog.txt reads")))
}

#[test]
fn the_catalog_file_holds_every_service() {
    let c = catalog();
    assert!(c.services.len() > 400, "{} services", c.services.len());
    assert!(c.action_count() > 20_000);
    assert!(c.globals.len() > 50);
    let (s, a) = c.action("S3:getobject").unwrap();
    assert_eq!((s.prefix.as_str(), a.name.as_str(), a.access), ("s3", "GetObject", Access::Read));
    assert!(c.action("ecr:GetAuthorizationToken").unwrap().1.is_wildcard_only());
    assert_eq!(c.action("iam:PassRole").unwrap().1.access, Access::Write);
}

#[test]
fn which_keys_an_action_carries() {
    let c = catalog();
    let obj = "arn:aws:s3:::bucket/key";
    for (action, resource, key, expected) in [
        ("s3:GetObject", obj, "aws:RequestTag/Status", Availability::NeverCarried),
        ("s3:GetObject", obj, "aws:TagKeys", Availability::NeverCarried),
        ("s3:GetObject", obj, "s3:prefix", Availability::NeverCarried),
        ("s3:PutObject", obj, "s3:ExistingObjectTag/Status", Availability::NeverCarried),
        ("s3:GetObject", obj, "s3:ExistingObjectTag/Status", Availability::Carried { listed_as: "s3:ExistingObjectTag/<key>".into() }),
        ("s3:GetObject", obj, "aws:PrincipalTag/Status", Availability::Carried { listed_as: "aws:PrincipalTag/${TagKey}".into() }),
        ("s3:GetObject", obj, "aws:SourceIp", Availability::Carried { listed_as: "aws:SourceIp".into() }),
        ("s3:ListBucket", "arn:aws:s3:::bucket", "s3:prefix", Availability::Carried { listed_as: "s3:prefix".into() }),
        ("s3:CreateBucket", "arn:aws:s3:::bucket", "aws:RequestTag/Status", Availability::Carried { listed_as: "aws:RequestTag/${TagKey}".into() }),
        ("ecs:StopTask", "arn:aws:ecs:us-east-1:111122223333:task/c/0123", "aws:ResourceTag/Status", Availability::Carried { listed_as: "aws:ResourceTag/${TagKey}".into() }),
        ("s3:GetObject", obj, "my:own-key", Availability::Unknown),
        ("nope:Nothing", obj, "aws:RequestTag/Status", Availability::Unknown),
    ] {
        assert_eq!(availability::availability(c, action, resource, key), expected, "{action} {key}");
    }
}

fn evaluate(text: &str, literal: bool) -> scenario::ScenarioReport {
    let settings = Settings { catalog: Some(catalog().clone()), literal_context: literal, ..Settings::default() };
    scenario::evaluate_text_with(text, &settings)
}

const REQUEST_TAG: &str = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
 "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
   "Condition": {"StringEquals": {"aws:RequestTag/Status": "OK"}}}}],
 "requests": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:RequestTag/Status": "OK"}}]}"#;

#[test]
fn a_key_the_action_never_carries_is_left_out_and_the_trace_says_why() {
    let report = evaluate(REQUEST_TAG, false);
    let o = &report.results[0].outcome;
    assert_eq!(o.decision, Decision::ImplicitDeny, "{}", o.why);
    let trace = o.catalog.as_ref().unwrap();
    assert_eq!(trace.left_out.len(), 1);
    assert_eq!(trace.left_out[0].key, "aws:RequestTag/Status");
    assert!(trace.left_out[0].why.starts_with("`s3:GetObject` never carries `aws:RequestTag/Status`"), "{}", trace.left_out[0].why);
    assert!(o.notes.iter().any(|n| n.starts_with("`aws:RequestTag/Status` was left out of the evaluation")), "{:?}", o.notes);
    let c = &o.policies[0].statements[0].conditions[0];
    assert!(c.note.as_deref().unwrap().starts_with("given in the context but left out"), "{:?}", c.note);
    assert!(o.why.ends_with("the request has no `aws:RequestTag/Status`, and `s3:GetObject` never carries it"), "{}", o.why);
    assert_eq!(trace.resource_type.as_deref(), Some("object"));
}

#[test]
fn the_literal_context_keeps_every_given_key() {
    let o = &evaluate(REQUEST_TAG, true).results[0].outcome;
    assert_eq!(o.decision, Decision::Allowed, "{}", o.why);
    assert!(o.catalog.as_ref().unwrap().left_out[0].evaluated);
    assert!(o.notes.iter().any(|n| n.contains("was evaluated as given (literal context)")), "{:?}", o.notes);
    // And the scenario option does the same.
    let with_option = REQUEST_TAG.replacen("\"principal\"", "\"options\": {\"literal_context\": true}, \"principal\"", 1);
    assert_eq!(evaluate(&with_option, false).results[0].outcome.decision, Decision::Allowed);
    // Without the catalog nothing is left out.
    assert_eq!(scenario::evaluate_text(REQUEST_TAG).results[0].outcome.decision, Decision::Allowed);
}

fn request_note(action: &str, resource: &str) -> Option<String> {
    let text = format!(
        r#"{{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice", "identity_policies": [], "requests": [{{"action": "{action}", "resource": "{resource}"}}]}}"#
    );
    evaluate(&text, false).results[0].outcome.catalog.as_ref().unwrap().resource_note.clone()
}

#[test]
fn the_request_resource_is_checked_against_the_action_resource_types() {
    assert_eq!(request_note("s3:GetObject", "arn:aws:s3:::bucket/key"), None);
    assert_eq!(request_note("s3:ListBucket", "arn:aws:s3:::bucket"), None);
    let n = request_note("s3:GetObject", "arn:aws:s3:::bucket").unwrap();
    assert!(n.ends_with("; `arn:aws:s3:::bucket` is of type `bucket`, so AWS never authorizes `s3:GetObject` on it"), "{n}");
    let n = request_note("s3:ListBucket", "arn:aws:s3:::bucket/key").unwrap();
    assert!(n.ends_with("; `arn:aws:s3:::bucket/key` is of type `object`, so AWS never authorizes `s3:ListBucket` on it"), "{n}");
    let n = request_note("ecr:GetAuthorizationToken", "arn:aws:ecr:us-east-1:111122223333:repository/r").unwrap();
    assert!(n.starts_with("`ecr:GetAuthorizationToken` has no resource type, so AWS authorizes it on `*`"), "{n}");
    let n = request_note("s3:GetObjekt", "arn:aws:s3:::b/k").unwrap();
    assert_eq!(n, "`s3:GetObjekt` is not an action of the catalog; did you mean `s3:GetObject`?");
}

/// Lints one policy; returns (kind, severity, underlined text, message, fix) per finding.
fn lint_text(policy: &str) -> Vec<(Kind, Severity, String, String, String)> {
    let (p, diagnostics) = parse_policy_text(policy, "p", PolicyType::Identity);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    lint::lint(&p.unwrap(), catalog())
        .into_iter()
        .map(|f| (f.kind, f.severity, policy[f.span.start..f.span.end].to_string(), f.message, f.fix))
        .collect()
}

fn one(policy: &str, kind: Kind) -> (Severity, String, String, String) {
    let found: Vec<_> = lint_text(policy).into_iter().filter(|f| f.0 == kind).collect();
    assert_eq!(found.len(), 1, "expected one {kind:?} in {found:?}");
    let (_, s, span, message, fix) = found.into_iter().next().unwrap();
    (s, span, message, fix)
}

fn statement(body: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{body}]}}"#)
}

#[test]
fn lint_list_bucket_on_objects_only() {
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket/*"}"#);
    let (s, span, message, fix) = one(&p, Kind::ResourceNeverMatches);
    assert_eq!(s, Severity::Error);
    assert_eq!(span, "\"s3:ListBucket\"");
    assert_eq!(message, "`s3:ListBucket` can never apply here: no `Resource` names a resource of its type");
    assert_eq!(fix, "add `arn:aws:s3:::bucket` to `Resource`");
}

#[test]
fn lint_get_object_on_the_bucket() {
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}"#);
    let (_, span, _, fix) = one(&p, Kind::ResourceNeverMatches);
    assert_eq!(span, "\"s3:GetObject\"");
    assert_eq!(fix, "add `arn:aws:s3:::bucket/*` to `Resource`");
}

#[test]
fn lint_wildcard_only_action_on_an_arn() {
    let p = statement(r#"{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/app"}"#);
    let (_, _, message, fix) = one(&p, Kind::ResourceNeverMatches);
    assert!(message.contains("it has no resource type, so its requests are on `*`"), "{message}");
    assert_eq!(fix, "grant `ecr:GetAuthorizationToken` in a statement with `\"Resource\": \"*\"`");
}

#[test]
fn lint_request_tag_on_a_read() {
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"aws:RequestTag/Status": "OK"}}}"#);
    let (s, span, message, fix) = one(&p, Kind::ConditionNeverSatisfied);
    assert_eq!(s, Severity::Error);
    assert_eq!(span, "\"aws:RequestTag/Status\": \"OK\"");
    assert_eq!(message, "condition on `aws:RequestTag/Status` can never be satisfied for the actions of this statement");
    assert!(fix.starts_with("use `aws:PrincipalTag/Status` to test a tag of the calling user or role, or `s3:ExistingObjectTag/Status`"), "{fix}");
    // Negated operators and IfExists are true on a missing key: not flagged.
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"aws:RequestTag/Status": "OK"}}}"#);
    assert!(lint_text(&p).iter().all(|f| f.0 != Kind::ConditionNeverSatisfied));
    // An action that carries the key: not flagged.
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "arn:aws:s3:::b", "Condition": {"StringEquals": {"aws:RequestTag/Status": "OK"}}}"#);
    assert!(lint_text(&p).iter().all(|f| f.0 != Kind::ConditionNeverSatisfied));
}

#[test]
fn lint_wildcard_actions_count_their_expansion() {
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}"#);
    let (s, span, message, _) = one(&p, Kind::WildcardAction);
    assert_eq!((s, span.as_str()), (Severity::Warning, "\"s3:Get*\""));
    let n = catalog().expand("s3:Get*").len();
    assert_eq!(message, format!("`s3:Get*` grants {n} actions"));
    let p = statement(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#);
    assert_eq!(one(&p, Kind::WildcardAction).0, Severity::Error);
}

#[test]
fn lint_resource_star_pass_role_and_not_elements() {
    let p = statement(r#"{"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}"#);
    let (_, span, message, _) = one(&p, Kind::ResourceStar);
    assert_eq!(span, "\"*\"");
    assert_eq!(message, "`\"Resource\": \"*\"` on 2 action(s) that support resource-level permissions");
    let (s, _, message, fix) = one(&p, Kind::PassRoleStar);
    assert_eq!(s, Severity::Error);
    assert_eq!(message, "`iam:PassRole` on `*` lets the caller hand any role to any service");
    assert!(fix.contains("iam:PassedToService"));
    // A wildcard-only action on `*` is right.
    let p = statement(r#"{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}"#);
    assert!(lint_text(&p).is_empty(), "{:?}", lint_text(&p));
    let p = statement(r#"{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}"#);
    assert_eq!(one(&p, Kind::AllowNotAction).1, "\"iam:*\"");
    assert_eq!(one(&p, Kind::AllowNotResource).1, "\"arn:aws:s3:::secret/*\"");
}

#[test]
fn lint_redundant_statements() {
    let p = statement(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, {"Sid": "Again", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}"#);
    let (s, span, message, fix) = one(&p, Kind::Redundant);
    assert_eq!(s, Severity::Info);
    assert!(span.starts_with("{\"Sid\": \"Again\""), "{span}");
    assert_eq!(message, "statement `Again` (#2) is redundant: statement #1 already covers it");
    assert_eq!(fix, "remove this statement");
}

#[test]
fn lint_did_you_mean() {
    let p = statement(r#"{"Effect": "Allow", "Action": ["s3:GetObjekt", "s4:GetObject"], "Resource": "arn:aws:s3:::b/*", "Condition": {"StringLike": {"s3:prefx": "a/*"}}}"#);
    let (_, span, message, fix) = one(&p, Kind::UnknownAction);
    assert_eq!((span.as_str(), message.as_str(), fix.as_str()), ("\"s3:GetObjekt\"", "`s3:GetObjekt` names no action of `s3`", "did you mean `s3:GetObject`?"));
    let (_, span, message, fix) = one(&p, Kind::UnknownService);
    assert_eq!((span.as_str(), message.as_str(), fix.as_str()), ("\"s4:GetObject\"", "`s4` is not an AWS service prefix", "did you mean `s3:GetObject`?"));
    let (_, _, message, fix) = one(&p, Kind::UnknownKey);
    assert_eq!((message.as_str(), fix.as_str()), ("`s3:prefx` is not a condition key AWS documents", "did you mean `s3:prefix`?"));
}

#[test]
fn a_least_privilege_policy_has_no_findings() {
    let p = statement(r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}, {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": {"StringLike": {"s3:prefix": "home/*"}}}"#);
    assert!(lint_text(&p).is_empty(), "{:?}", lint_text(&p));
}

#[test]
fn capabilities_over_the_whole_catalog() {
    let text = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
     "identity_policies": [{"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"},
       {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
       {"Effect": "Deny", "Action": "s3:GetObjectAcl", "Resource": "*"}]}],
     "requests": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}]}"#;
    let set = scenario::read_policies(text, &Settings::default());
    let caps = iamplay::capabilities::capabilities(catalog(), &set, None);
    let names: Vec<String> = caps.services.iter().flat_map(|s| s.groups.iter().flat_map(move |g| g.actions.iter().map(move |a| format!("{}:{}", s.prefix, a.action)))).collect();
    assert!(names.contains(&"s3:GetObject".to_string()));
    assert!(names.contains(&"ecr:GetAuthorizationToken".to_string()));
    assert!(!names.contains(&"s3:GetObjectAcl".to_string()), "denied everywhere");
    assert!(!names.contains(&"s3:GetBucketPolicy".to_string()), "a bucket action cannot reach `b/*`");
    assert_eq!(caps.services_checked, 2);
    let on_object = iamplay::capabilities::capabilities(catalog(), &set, Some("arn:aws:s3:::b/k"));
    let names: Vec<&str> = on_object.services.iter().flat_map(|s| s.groups.iter().flat_map(|g| g.actions.iter().map(|a| a.action.as_str()))).collect();
    assert!(names.contains(&"GetObject") && !names.contains(&"GetObjectAcl") && !names.contains(&"PutObject"), "{names:?}");
}

#[test]
fn least_privilege_from_the_requests() {
    let text = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
     "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}],
     "requests": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, {"action": "s3:listbucket", "resource": "arn:aws:s3:::b"}, {"action": "s3:ListAllMyBuckets", "resource": "*"}]}"#;
    let set = scenario::read_policies(text, &Settings::default());
    let result = iamplay::least_privilege::generate(catalog(), &set.requests, &set);
    assert!(result.verified, "{}", result.text());
    assert!(result.policy.contains("\"Action\": \"s3:ListBucket\",\n      \"Resource\": \"arn:aws:s3:::b\""), "{}", result.policy);
    assert!(result.policy.contains("\"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::b/k\""), "{}", result.policy);
    assert!(result.policy.contains("\"Action\": \"s3:ListAllMyBuckets\",\n      \"Resource\": \"*\""), "{}", result.policy);
    assert_eq!(result.generated_actions, 3);
    assert!(result.current_actions > 100);
    assert!(result.removed.contains(&"s3:DeleteBucket".to_string()) || result.removed.len() == 50);
}

#[test]
fn least_privilege_leaves_out_requests_expected_to_be_denied() {
    let text = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
     "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}],
     "requests": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allowed"},
                  {"action": "s3:DeleteObject", "resource": "arn:aws:s3:::b/k", "expect": "implicitDeny"},
                  {"action": "s3:PutObject", "resource": "arn:aws:s3:::b/k", "expect": "explicitDeny"}]}"#;
    let set = scenario::read_policies(text, &Settings::default());
    assert_eq!(set.requests, [("s3:GetObject".to_string(), "arn:aws:s3:::b/k".to_string())]);
}

/// The checklist is evaluated with the catalog as requests are: its lines carry the
/// catalog's trace, and a key the action never carries is said to be so.
#[test]
fn the_checklist_is_evaluated_with_the_catalog() {
    let text = r#"{"scenario": 1, "account": "111122223333", "region": "us-east-1",
     "roles": {"exec": {"arn": "arn:aws:iam::111122223333:role/exec",
        "trust_policy": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}},
        "policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
           "Condition": {"StringEquals": {"ecs:ResourceTag/Status": "OK"}}}}]}},
     "task_definition": {"family": "t", "requiresCompatibilities": ["EC2"], "executionRoleArn": "arn:aws:iam::111122223333:role/exec",
        "containerDefinitions": [{"name": "c", "image": "public.ecr.aws/x/y:1",
          "secrets": [{"name": "S", "valueFrom": "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf"}]}]}}"#;
    let with = evaluate(text, false);
    let without = scenario::evaluate_text(text);
    let line = |r: &scenario::ScenarioReport| r.checklist.iter().find(|l| l.requirement.action == "secretsmanager:GetSecretValue").cloned().unwrap_or_else(|| panic!("{:?}", r.diagnostics));
    let (with, without) = (line(&with), line(&without));
    assert_eq!(with.decision, Some(Decision::ImplicitDeny));
    assert!(with.outcome.as_ref().and_then(|o| o.catalog.as_ref()).is_some_and(|c| c.action_known));
    assert!(with.explanation.ends_with("and `secretsmanager:GetSecretValue` never carries it"), "{}", with.explanation);
    assert!(without.outcome.as_ref().is_some_and(|o| o.catalog.is_none()));
    assert!(!without.explanation.contains("never carries"), "{}", without.explanation);
}
