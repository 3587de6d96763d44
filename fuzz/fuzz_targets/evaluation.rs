//! Evaluation of any identity and resource policy against a request built from the input:
//! the first line is `ACTION RESOURCE`, the rest is split into an identity policy and a
//! resource policy at a line holding `---`. Checks that adding a deny-everything statement
//! always gives an explicit deny.
#![no_main]
use iamplay::context::Context;
use iamplay::evaluation::{evaluate, Policies, Request};
use iamplay::policy::parse_policy_text;
use iamplay::principal::Principal;
use iamplay::trace::{Decision, PolicyType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let (action, resource) = first.split_once(' ').unwrap_or((first, "*"));
    let (identity, resource_policy) = rest.split_once("\n---\n").unwrap_or((rest, ""));
    let mut policies = Policies::default();
    if let (Some(p), _) = parse_policy_text(identity, "identity", PolicyType::Identity) {
        policies.identity.push(p);
    }
    if let (Some(p), _) = parse_policy_text(resource_policy, "resource", PolicyType::Resource) {
        policies.resource = Some(p);
    }
    let principal = Principal::parse("arn:aws:iam::111122223333:role/app").unwrap().with_session("s").unwrap();
    let mut context = Context::new();
    context.insert_given("aws:SourceIp", vec!["203.0.113.7".into()], false);
    context.insert_given("aws:TagKeys", vec!["a".into(), "b".into()], true);
    let request = Request { principal, action: action.to_string(), resource: resource.to_string(), resource_account: None, context };
    let _ = evaluate(&policies, &request);
    let deny = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
    policies.identity.push(parse_policy_text(deny, "deny", PolicyType::Identity).0.unwrap());
    assert_eq!(evaluate(&policies, &request).decision, Decision::ExplicitDeny);
});
