//! The page's catalog module: a second WebAssembly module that `boot.js` loads after the
//! app's first render, together with `catalog.txt`. It holds the parsed action catalog and
//! answers the app's questions (key availability, lint findings, what a principal can do,
//! autocomplete, tag-key help) as JSON text, so that none of this code, nor the catalog,
//! weighs on the app's first load. Natively it is a plain library, tested with
//! `cargo test --workspace`.

use std::cell::RefCell;

use iamplay::availability::{self, Availability};
use iamplay::catalog::Catalog;
use iamplay::catalog_query;
use iamplay::evaluation::CatalogOracle;
use iamplay::scenario::{self, Settings};
use iamplay::trace::PolicyType;
use serde_json::json;

thread_local! {
    static CATALOG: RefCell<Option<std::sync::Arc<Catalog>>> = const { RefCell::new(None) };
}

fn with<T>(default: T, f: impl FnOnce(&std::sync::Arc<Catalog>) -> T) -> T {
    CATALOG.with(|c| c.borrow().as_ref().map(f).unwrap_or(default))
}

/// Reads `catalog.txt`; returns a line saying what it holds.
pub fn load(text: &str) -> Result<String, String> {
    let catalog = Catalog::parse(text).map_err(|e| e.to_string())?;
    let summary = format!("catalog: {} services, {} actions", catalog.services.len(), catalog.action_count());
    CATALOG.with(|c| *c.borrow_mut() = Some(std::sync::Arc::new(catalog)));
    Ok(summary)
}

/// `{"trace": CatalogTrace, "never": [why or null per key]}`; `keys` one per line.
pub fn answer(action: &str, resource: &str, keys: &str) -> String {
    let keys: Vec<String> = keys.lines().map(str::to_string).collect();
    with(String::new(), |c| {
        let a = c.answer(action, resource, &keys);
        json!({ "trace": a.trace, "never": a.never }).to_string()
    })
}

fn policy_type(name: &str) -> PolicyType {
    match name {
        "resource" => PolicyType::Resource,
        "permissions_boundary" => PolicyType::PermissionsBoundary,
        "session" => PolicyType::Session,
        "scp" => PolicyType::Scp,
        "rcp" => PolicyType::Rcp,
        _ => PolicyType::Identity,
    }
}

/// The findings for a policy text, as a JSON array.
pub fn lint(text: &str, name: &str, kind: &str) -> String {
    with("[]".into(), |c| serde_json::to_string(&c.lint(text, name, policy_type(kind))).unwrap_or_else(|_| "[]".into()))
}

/// "What can this principal do" for a scenario text, as text: the first line sums it up,
/// then one line per service and access level (`capabilities::Capabilities::text`).
pub fn capabilities(scenario_text: &str, resource: &str, literal: bool) -> String {
    with(String::new(), |c| {
        let settings = Settings { catalog: Some(c.clone()), literal_context: literal, ..Settings::default() };
        let set = scenario::read_policies(scenario_text, &settings);
        let resource = Some(resource.trim()).filter(|r| !r.is_empty());
        iamplay::capabilities::capabilities(c, &set, resource).text()
    })
}

/// Autocomplete for a request, one candidate a line, each after a tag and a tab: `a`
/// actions, `r` ARN templates of the action (the account of `principal` and `region` filled
/// in when given), `k` condition keys it can carry.
pub fn complete(action: &str, principal: &str, region: &str) -> String {
    with(String::new(), |c| {
        let account = iamplay::arn::account_of(principal.trim()).filter(|a| a.bytes().all(|b| b.is_ascii_digit()));
        let region = Some(region.trim()).filter(|r| !r.is_empty() && !r.contains(['$', ':', '/']));
        let templates = catalog_query::arn_templates(c, action).into_iter().map(|t| {
            let t = account.map_or_else(|| t.clone(), |a| t.replace("${Account}", a));
            region.map_or_else(|| t.clone(), |r| t.replace("${Region}", r))
        });
        let mut out = String::new();
        for (tag, list) in [("a", catalog_query::complete_actions(c, action, 60)), ("r", templates.collect()), ("k", catalog_query::action_keys(c, action))] {
            for item in list {
                out.push_str(tag);
                out.push('\t');
                out.push_str(&item);
                out.push('\n');
            }
        }
        out
    })
}

/// The tag-key help for a request, as the page draws it: a first line asking which tag keys
/// the action can carry, then for each tag key family a line `CLASS<tab>SENTENCE`, the class
/// being `carried`, `never` or `unknown` and the sentence saying so and where the key's value
/// comes from; empty for an action the catalog does not know.
pub fn tag_help(action: &str, resource: &str) -> String {
    with(String::new(), |c| {
        if c.action(action).is_none() {
            return String::new();
        }
        let resource = if resource.is_empty() { "*" } else { resource };
        let s3 = action.to_ascii_lowercase().starts_with("s3:");
        let mut out = format!("Which tag keys can {action} carry?\n");
        for key in ["aws:RequestTag/KEY", "aws:TagKeys", "aws:ResourceTag/KEY", "aws:PrincipalTag/KEY", "s3:ExistingObjectTag/KEY", "s3:RequestObjectTag/KEY"] {
            if !s3 && key.starts_with("s3:") {
                continue;
            }
            let probe = key.replace("KEY", "Name");
            let (class, said) = match availability::availability(c, action, resource, &probe) {
                Availability::Carried { .. } => ("carried", "can be present"),
                Availability::NeverCarried => ("never", "never present"),
                Availability::Unknown => ("unknown", "not documented"),
            };
            out.push_str(&format!("{class}\t`{key}`: {said}. {}\n", availability::provenance(&probe).unwrap_or("")));
        }
        out
    })
}

/// The smallest identity policy allowing the scenario's requests (all but those expected
/// to be denied, as `iamplay least-privilege` takes them), verified by evaluation and
/// compared with the current policies, in the page's answer form: the policy, a form feed,
/// then a summary line, blocks (an unindented line, its lines indented under it) and
/// `note: ` lines. Without requests to allow, only a summary saying so.
pub fn least_privilege(scenario_text: &str, literal: bool) -> String {
    with(String::new(), |c| {
        let settings = Settings { catalog: Some(c.clone()), literal_context: literal, ..Settings::default() };
        let set = scenario::read_policies(scenario_text, &settings);
        if set.requests.is_empty() {
            return "no requests to allow: add a request (with an action and a resource) that is not expected to be denied\n".to_string();
        }
        let r = iamplay::least_privilege::generate(c, &set.requests, &set);
        let mut out = format!("{}\u{c}", r.policy);
        out.push_str(if r.verified { "verified: every request is allowed by this policy alone\n" } else { "NOT verified: some request is not allowed by this policy alone\n" });
        out.push_str(&format!("{} request(s) evaluated against this policy alone\n", r.checks.len()));
        for check in &r.checks {
            out.push_str(&format!("  {} on {}: {} (current policies: {})\n", check.action, check.resource, check.generated.as_str(), check.current.as_str()));
        }
        let more = r.current_actions.saturating_sub(r.generated_actions) > r.removed.len();
        out.push_str(&format!("difference: the current policies allow {} action(s), this one {}{}\n", r.current_actions, r.generated_actions, if r.removed.is_empty() { "" } else { "; no longer allowed:" }));
        for action in &r.removed {
            out.push_str(&format!("  {action}\n"));
        }
        if more {
            out.push_str("  ...\n");
        }
        for n in &r.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    })
}

/// Why adding `key` to a request for `action` would change nothing, and what to test
/// instead; empty when the action can carry it (or the catalog does not know).
pub fn never(action: &str, resource: &str, key: &str) -> String {
    with(String::new(), |c| {
        let resource = if resource.is_empty() { "*" } else { resource };
        let why = availability::answer(c, action, resource, &[key.to_string()]).never.into_iter().next().flatten();
        match (why, c.action(action)) {
            (Some(why), Some(a)) => format!("adding it would change nothing: {why}. Instead, {}.", availability::instead(c, key, &[a])),
            _ => String::new(),
        }
    })
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen(js_name = load)]
    pub fn load(text: &str) -> Result<String, String> {
        super::load(text)
    }
    #[wasm_bindgen(js_name = answer)]
    pub fn answer(action: &str, resource: &str, keys: &str) -> String {
        super::answer(action, resource, keys)
    }
    #[wasm_bindgen(js_name = lint)]
    pub fn lint(text: &str, name: &str, kind: &str) -> String {
        super::lint(text, name, kind)
    }
    #[wasm_bindgen(js_name = capabilities)]
    pub fn capabilities(scenario_text: &str, resource: &str, literal: bool) -> String {
        super::capabilities(scenario_text, resource, literal)
    }
    #[wasm_bindgen(js_name = complete)]
    pub fn complete(action: &str, principal: &str, region: &str) -> String {
        super::complete(action, principal, region)
    }
    #[wasm_bindgen(js_name = tagHelp)]
    pub fn tag_help(action: &str, resource: &str) -> String {
        super::tag_help(action, resource)
    }
    #[wasm_bindgen(js_name = leastPrivilege)]
    pub fn least_privilege(scenario_text: &str, literal: bool) -> String {
        super::least_privilege(scenario_text, literal)
    }
    #[wasm_bindgen(js_name = never)]
    pub fn never(action: &str, resource: &str, key: &str) -> String {
        super::never(action, resource, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_json() {
        assert!(load(include_str!("../../catalog/catalog.txt")).unwrap().starts_with("catalog: "));
        let a: serde_json::Value = serde_json::from_str(&answer("s3:GetObject", "arn:aws:s3:::b/k", "aws:RequestTag/Status\naws:SourceIp")).unwrap();
        assert_eq!(a["trace"]["resource_type"], "object");
        assert!(a["never"][0].as_str().unwrap().starts_with("`s3:GetObject` never carries `aws:RequestTag/Status`"));
        assert!(a["never"][1].is_null());
        let f: serde_json::Value = serde_json::from_str(&lint(r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"}}"#, "p", "identity")).unwrap();
        assert_eq!(f[0]["kind"], "resource-never-matches");
        assert!(complete("s3:GetObj", "", "").lines().any(|l| l == "a\ts3:GetObject"));
        assert!(complete("s3:GetObject", "", "").lines().any(|l| l == "r\tarn:aws:s3:::${BucketName}/${ObjectName}"));
        // The principal's account and the scenario's region are filled in.
        let ecs = complete("ecs:StopTask", "arn:aws:iam::111122223333:role/app", "eu-west-1");
        assert!(ecs.lines().any(|l| l == "r\tarn:aws:ecs:eu-west-1:111122223333:task/${ClusterName}/${TaskId}"), "{ecs}");
        assert!(complete("ecs:StopTask", "not an arn", "").lines().any(|l| l == "r\tarn:aws:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}"));
        assert!(tag_help("s3:GetObject", "arn:aws:s3:::b/k").starts_with("Which tag keys can s3:GetObject carry?\nnever\t`aws:RequestTag/KEY`: never present. `aws:RequestTag/KEY` holds"));
        let caps = capabilities(r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/a", "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}], "requests": [{"action": "s3:GetObject", "resource": "*"}]}"#, "", false);
        assert!(caps.starts_with("allowed on some resource: 1 action(s) in 1 service(s)\n"), "{caps}");
    }

    #[test]
    fn least_privilege_allows_the_requests_that_must_be_allowed() {
        load(include_str!("../../catalog/catalog.txt")).unwrap();
        let scenario = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/a",
            "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}],
            "requests": [{"action": "s3:getobject", "resource": "arn:aws:s3:::b/k"}, {"action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"},
                         {"action": "s3:ListBucket", "resource": "arn:aws:s3:::b"}, {"action": "s3:ListAllMyBuckets", "resource": "*"},
                         {"action": "s3:DeleteObject", "resource": "arn:aws:s3:::b/k", "expect": "implicitDeny"}]}"#;
        let answer = least_privilege(scenario, false);
        let (policy, report) = answer.split_once('\u{c}').expect("a policy, then its report");
        assert!(policy.contains("\"Action\": [\"s3:GetObject\", \"s3:PutObject\"],\n      \"Resource\": \"arn:aws:s3:::b/k\""), "{policy}");
        assert!(policy.contains("\"Action\": \"s3:ListBucket\",\n      \"Resource\": \"arn:aws:s3:::b\""), "{policy}");
        assert!(policy.contains("\"Action\": \"s3:ListAllMyBuckets\",\n      \"Resource\": \"*\""), "{policy}");
        assert!(!policy.contains("DeleteObject"), "a request expected to be denied is not allowed: {policy}");
        assert!(report.starts_with("verified: every request is allowed by this policy alone\n4 request(s) evaluated against this policy alone\n  s3:getobject on arn:aws:s3:::b/k: allowed (current policies: allowed)\n"), "{report}");
        assert!(report.contains("\ndifference: the current policies allow "), "{report}");
        assert!(report.contains(", this one 4; no longer allowed:\n  s3:"), "{report}");
        // Nothing to allow: said, no policy.
        let none = least_privilege(r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/a", "identity_policies": [], "requests": []}"#, false);
        assert!(none.starts_with("no requests to allow") && !none.contains('\u{c}'), "{none}");
        assert!(least_privilege("{\"scenario\": 1, \"requ", false).starts_with("no requests to allow"), "a half-typed scenario still answers");
    }

    #[test]
    fn never_says_why_and_what_works_instead() {
        load(include_str!("../../catalog/catalog.txt")).unwrap();
        let text = never("s3:GetObject", "arn:aws:s3:::b/k", "aws:RequestTag/Status");
        assert!(text.starts_with("adding it would change nothing: `s3:GetObject` never carries `aws:RequestTag/Status`"), "{text}");
        assert!(text.contains("Instead, use `aws:PrincipalTag/Status`") && text.contains("`s3:ExistingObjectTag/Status`"), "{text}");
        assert_eq!(never("s3:GetObject", "arn:aws:s3:::b/k", "aws:PrincipalTag/Status"), "");
        assert_eq!(never("s3:GetObject", "", "aws:SourceIp"), "");
        assert_eq!(never("nope:Nothing", "*", "aws:RequestTag/Status"), "");
    }
}
