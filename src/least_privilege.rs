//! The smallest identity policy that allows a set of requests: exact action names (as the
//! catalog spells them), each on the resources it was asked for, `*` for actions without a
//! resource type, actions sharing the same resources grouped in one statement. The result
//! is verified by evaluating every request against it alone, and compared with what the
//! current policies allow.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::capabilities;
use crate::catalog::Catalog;
use crate::context::Context;
use crate::evaluation::{self, Options, Policies, Request};
use crate::policy;
use crate::principal::Principal;
use crate::scenario::PolicySet;
use crate::trace::{Decision, PolicyType};

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub action: String,
    pub resource: String,
    /// The decision under the generated policy alone.
    pub generated: Decision,
    /// The decision under the current policies.
    pub current: Decision,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeastPrivilege {
    /// The generated policy, pretty-printed JSON.
    pub policy: String,
    pub checks: Vec<Check>,
    /// Every request is allowed by the generated policy.
    pub verified: bool,
    /// Actions the current identity policies allow on some resource, and the generated one.
    pub current_actions: usize,
    pub generated_actions: usize,
    /// Actions the current policies allow that the generated one does not (the first ones).
    pub removed: Vec<String>,
    pub notes: Vec<String>,
}

/// The smallest policy allowing `requests` ((action, resource) pairs); `set` gives the
/// principal and the current policies to compare with.
pub fn generate(catalog: &Catalog, requests: &[(String, String)], set: &PolicySet) -> LeastPrivilege {
    let mut notes = Vec::new();
    // resource → actions, then actions → resources.
    let mut by_resource: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (action, resource) in requests {
        let (name, resource) = match catalog.action(action) {
            Some((s, a)) => {
                let name = format!("{}:{}", s.prefix, a.name);
                if a.is_wildcard_only() {
                    if resource != "*" {
                        notes.push(format!("`{name}` has no resource type: granted on `*`"));
                    }
                    (name, "*".to_string())
                } else {
                    let types = crate::arn_format::classify(s, resource);
                    if resource != "*" && !a.resources.iter().any(|r| types.contains(&r.index)) {
                        notes.push(format!("`{resource}` is not a resource `{name}` acts on: the request will still be denied by AWS"));
                    }
                    (name, resource.clone())
                }
            }
            None => {
                notes.push(format!("`{action}` is not in the catalog: kept as written"));
                (action.clone(), resource.clone())
            }
        };
        let actions = by_resource.entry(resource).or_default();
        if !actions.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
            actions.push(name);
        }
    }
    let mut by_actions: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (resource, mut actions) in by_resource {
        actions.sort();
        by_actions.entry(actions).or_default().push(resource);
    }
    // Written by hand so that the elements come in the order people write them.
    let list = |v: &[String]| match v {
        [one] => json!(one).to_string(),
        many => format!("[{}]", many.iter().map(|x| json!(x).to_string()).collect::<Vec<_>>().join(", ")),
    };
    let statements: Vec<String> = by_actions
        .iter()
        .map(|(actions, resources)| format!("    {{\n      \"Effect\": \"Allow\",\n      \"Action\": {},\n      \"Resource\": {}\n    }}", list(actions), list(resources)))
        .collect();
    let text = format!("{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}", statements.join(",\n"));
    let (generated, _) = policy::parse_policy_text(&text, "least-privilege", PolicyType::Identity);
    let principal = set.principal.clone().unwrap_or_else(|| Principal::parse("arn:aws:iam::111122223333:user/generated").expect("a valid user ARN"));
    let only = Policies { identity: generated.into_iter().collect(), ..Policies::default() };
    let checks: Vec<Check> = requests
        .iter()
        .map(|(action, resource)| {
            let request = Request { principal: principal.clone(), action: action.clone(), resource: resource.clone(), resource_account: None, context: Context::new() };
            let generated = evaluation::evaluate_in(&only, &request, Options::default(), Some(catalog as &dyn evaluation::CatalogOracle)).decision;
            let current = evaluation::evaluate_in(&set.policies, &request, set.options, Some(catalog as &dyn evaluation::CatalogOracle)).decision;
            Check { action: action.clone(), resource: resource.clone(), generated, current }
        })
        .collect();
    let verified = checks.iter().all(|c| c.generated == Decision::Allowed);
    let current_caps = capabilities::capabilities(catalog, set, None);
    let new_set = PolicySet { principal: Some(principal), policies: only, ..PolicySet::default() };
    let new_caps = capabilities::capabilities(catalog, &new_set, None);
    let kept: std::collections::HashSet<String> = new_caps.services.iter().flat_map(|s| s.groups.iter().flat_map(move |g| g.actions.iter().map(move |a| format!("{}:{}", s.prefix, a.action)))).collect();
    let removed: Vec<String> = current_caps
        .services
        .iter()
        .flat_map(|s| s.groups.iter().flat_map(move |g| g.actions.iter().map(move |a| format!("{}:{}", s.prefix, a.action))))
        .filter(|a| !kept.contains(a))
        .take(50)
        .collect();
    LeastPrivilege { policy: text, checks, verified, current_actions: current_caps.total, generated_actions: new_caps.total, removed, notes }
}

impl LeastPrivilege {
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.policy);
        out.push_str(&format!("verified: {}\n", if self.verified { "every request is allowed by this policy alone" } else { "NOT every request is allowed (see below)" }));
        for c in &self.checks {
            out.push_str(&format!("  {} on {}: {} (current: {})\n", c.action, c.resource, c.generated.as_str(), c.current.as_str()));
        }
        out.push_str(&format!("difference: the current policies allow {} action(s), this one {}\n", self.current_actions, self.generated_actions));
        if !self.removed.is_empty() {
            out.push_str(&format!("  no longer allowed: {}{}\n", self.removed.join(", "), if self.current_actions.saturating_sub(self.generated_actions) > self.removed.len() { ", ..." } else { "" }));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_actions_by_resource() {
        let catalog = Catalog::parse("V\t1\tt\nS\ts3\tS3\nR\tbucket\tarn:${Partition}:s3:::${BucketName}\t\nR\tobject\tarn:${Partition}:s3:::${BucketName}/${ObjectName}\t\nA\tGetObject\tR\t1!\t\nA\tListAllMyBuckets\tL\t\t\nA\tListBucket\tL\t0!\t\nA\tPutObject\tW\t1!\t\n").unwrap();
        let requests: Vec<(String, String)> = [("s3:getobject", "arn:aws:s3:::b/k"), ("s3:PutObject", "arn:aws:s3:::b/k"), ("s3:ListBucket", "arn:aws:s3:::b"), ("s3:ListAllMyBuckets", "arn:aws:s3:::b")]
            .iter()
            .map(|(a, r)| (a.to_string(), r.to_string()))
            .collect();
        let result = generate(&catalog, &requests, &PolicySet::default());
        assert!(result.verified, "{}", result.text());
        assert!(result.policy.contains("\"Action\": [\"s3:GetObject\", \"s3:PutObject\"],\n      \"Resource\": \"arn:aws:s3:::b/k\""), "{}", result.policy);
        assert!(result.policy.contains("\"Resource\": \"*\""), "{}", result.policy);
        assert_eq!(result.generated_actions, 4);
    }
}
