//! Evaluation of any identity and resource policy against a request built from the input:
//! the first line is `ACTION RESOURCE`, the rest is split into an identity policy and a
//! resource policy at a line holding `---`. Evaluated without the action catalog and with it
//! (the command's default: the action and resource looked up, key availability). Checks that
//! adding a deny-everything statement always gives an explicit deny, in both.
#![no_main]
use std::sync::OnceLock;

use iamplay::catalog::Catalog;
use iamplay::context::Context;
use iamplay::evaluation::{evaluate, evaluate_in, Options, Policies, Request};
use iamplay::policy::parse_policy_text;
use iamplay::principal::Principal;
use iamplay::trace::{Decision, PolicyType};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse(include_str!("../../catalog/catalog.txt")).expect("catalog/catalog.txt reads"))
}

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
    let _ = evaluate_in(&policies, &request, Options::default(), Some(catalog()));
    let deny = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
    policies.identity.push(parse_policy_text(deny, "deny", PolicyType::Identity).0.unwrap());
    assert_eq!(evaluate(&policies, &request).decision, Decision::ExplicitDeny);
    assert_eq!(evaluate_in(&policies, &request, Options::default(), Some(catalog())).decision, Decision::ExplicitDeny);
});
