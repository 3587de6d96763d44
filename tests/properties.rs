//! Properties of the decision logic over generated policies and requests:
//! statement and policy order never matter, an added Deny never allows, and an added
//! Allow never turns an allowed request into a denied one.

use iamplay::context::Context;
use iamplay::evaluation::{evaluate, Policies, Request};
use iamplay::policy::parse_policy_text;
use iamplay::principal::Principal;
use iamplay::trace::{Decision, PolicyType};
use proptest::prelude::*;

const ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject", "s3:ListBucket", "sqs:SendMessage"];
const ACTION_PATTERNS: &[&str] = &["s3:GetObject", "s3:Get*", "s3:*", "*", "s3:?utObject", "sqs:*", "s3:ListBucket"];
const RESOURCES: &[&str] = &["arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket", "arn:aws:s3:::other/key", "arn:aws:sqs:us-east-1:111122223333:queue"];
const RESOURCE_PATTERNS: &[&str] = &["*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", "arn:aws:s3:::*", "arn:aws:sqs:*:*:*", "arn:aws:s3:::other/*"];
const CONDITIONS: &[&str] = &[
    "",
    r#","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}"#,
    r#","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":["red","blue"]}}"#,
    r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#,
    r#","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
    r#","Condition":{"Null":{"aws:SourceIp":"true"}}"#,
    r#","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"env*"}}"#,
];

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    not_action: bool,
    actions: Vec<usize>,
    resources: Vec<usize>,
    condition: usize,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (any::<bool>(), prop::bool::weighted(0.15), prop::collection::vec(0..ACTION_PATTERNS.len(), 1..3), prop::collection::vec(0..RESOURCE_PATTERNS.len(), 1..3), 0..CONDITIONS.len())
        .prop_map(|(allow, not_action, actions, resources, condition)| Stmt { allow, not_action, actions, resources, condition })
}

fn render(statements: &[Stmt], principal_block: bool) -> String {
    let body: Vec<String> = statements
        .iter()
        .map(|s| {
            let list = |items: &[usize], names: &[&str]| format!("[{}]", items.iter().map(|i| format!("\"{}\"", names[*i])).collect::<Vec<_>>().join(","));
            format!(
                r#"{{"Effect":"{}",{}"{}":{},"Resource":{}{}}}"#,
                if s.allow { "Allow" } else { "Deny" },
                if principal_block { r#""Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"# } else { "" },
                if s.not_action { "NotAction" } else { "Action" },
                list(&s.actions, ACTION_PATTERNS),
                list(&s.resources, RESOURCE_PATTERNS),
                CONDITIONS[s.condition]
            )
        })
        .collect();
    format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, body.join(","))
}

fn policy(statements: &[Stmt], name: &str, policy_type: PolicyType) -> iamplay::policy::Policy {
    let text = render(statements, policy_type == PolicyType::Resource);
    let (policy, diagnostics) = parse_policy_text(&text, name, policy_type);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{text}: {diagnostics:?}");
    policy.unwrap()
}

#[derive(Debug, Clone)]
struct Case {
    identity: Vec<Vec<Stmt>>,
    resource: Option<Vec<Stmt>>,
    boundary: Option<Vec<Stmt>>,
    scp: Option<Vec<Stmt>>,
    action: usize,
    resource_arn: usize,
    tagged: bool,
    context: Vec<(usize, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    let stmts = || prop::collection::vec(stmt(), 1..4);
    (
        prop::collection::vec(stmts(), 0..3),
        prop::option::of(stmts()),
        prop::option::weighted(0.3, stmts()),
        prop::option::weighted(0.3, stmts()),
        0..ACTIONS.len(),
        0..RESOURCES.len(),
        any::<bool>(),
        prop::collection::vec((0..3usize, any::<bool>()), 0..3),
    )
        .prop_map(|(identity, resource, boundary, scp, action, resource_arn, tagged, context)| Case { identity, resource, boundary, scp, action, resource_arn, tagged, context })
}

fn policies(case: &Case) -> Policies {
    Policies {
        identity: case.identity.iter().enumerate().map(|(i, s)| policy(s, &format!("identity-{i}"), PolicyType::Identity)).collect(),
        resource: case.resource.as_ref().map(|s| policy(s, "resource", PolicyType::Resource)),
        permissions_boundary: case.boundary.as_ref().map(|s| policy(s, "boundary", PolicyType::PermissionsBoundary)),
        session: None,
        scps: case.scp.iter().map(|s| vec![policy(s, "scp", PolicyType::Scp)]).collect(),
        rcps: Vec::new(),
    }
}

fn request(case: &Case) -> Request {
    let mut principal = Principal::parse("arn:aws:iam::111122223333:role/app").unwrap().with_session("s1").unwrap();
    if case.tagged {
        principal.tags.insert("team".into(), "red".into());
    }
    let mut context = Context::new();
    for (key, on) in &case.context {
        match key {
            0 => context.insert_given("aws:SecureTransport", vec![on.to_string()], false),
            1 => context.insert_given("aws:SourceIp", vec![if *on { "203.0.113.9" } else { "198.51.100.1" }.into()], false),
            _ => context.insert_given("aws:TagKeys", vec![if *on { "env" } else { "team" }.into()], true),
        }
    }
    Request { principal, action: ACTIONS[case.action].into(), resource: RESOURCES[case.resource_arn].into(), resource_account: None, context }
}

fn decide(case: &Case) -> Decision {
    evaluate(&policies(case), &request(case)).decision
}

fn deny_all() -> Stmt {
    Stmt { allow: false, not_action: false, actions: vec![3], resources: vec![0], condition: 0 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn statement_and_policy_order_never_matter(case in case(), seed in any::<u64>()) {
        let before = decide(&case);
        let mut shuffled = case.clone();
        let mut r = seed;
        let mut next = |n: usize| { r = r.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (r >> 33) as usize % n.max(1) };
        for p in shuffled.identity.iter_mut().chain(shuffled.resource.iter_mut()).chain(shuffled.boundary.iter_mut()) {
            for i in (1..p.len()).rev() { let j = next(i + 1); p.swap(i, j); }
        }
        for i in (1..shuffled.identity.len()).rev() { let j = next(i + 1); shuffled.identity.swap(i, j); }
        prop_assert_eq!(before, decide(&shuffled));
    }

    #[test]
    fn an_added_deny_never_allows(case in case(), extra in stmt(), into in 0..3usize) {
        let before = decide(&case);
        let mut more = case.clone();
        let deny = Stmt { allow: false, ..extra };
        match into {
            0 if !more.identity.is_empty() => more.identity[0].push(deny),
            1 => more.resource.get_or_insert_with(Vec::new).push(deny),
            _ => more.identity.push(vec![deny]),
        }
        let after = decide(&more);
        if before != Decision::Allowed {
            prop_assert_ne!(after, Decision::Allowed);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn an_added_allow_never_turns_allowed_into_denied(case in case(), extra in stmt(), into in 0..2usize) {
        let before = decide(&case);
        let mut more = case.clone();
        let allow = Stmt { allow: true, ..extra };
        match into {
            0 if !more.identity.is_empty() => more.identity[0].push(allow),
            _ => more.identity.push(vec![allow]),
        }
        if before == Decision::Allowed {
            prop_assert_eq!(decide(&more), Decision::Allowed);
        }
    }

    #[test]
    fn a_deny_everything_statement_always_wins(case in case()) {
        let mut more = case.clone();
        more.identity.push(vec![deny_all()]);
        prop_assert_eq!(decide(&more), Decision::ExplicitDeny);
    }
}
