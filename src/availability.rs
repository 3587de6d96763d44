//! Which condition keys a request can carry, and where their values come from.
//!
//! A key listed for an action (on the action, on its resource types, or as a global key)
//! may be in its request context; a key the catalog lists only for other actions never
//! is. The tag keys get a plain account of where their value comes from, after the IAM
//! "AWS global condition context keys" page, the S3 tagging pages and
//! `shared/SEMANTICS.md` section 5.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html>

use serde::Serialize;

use crate::arn_format;
use crate::catalog::{key_matches, Action, Catalog, Key, Service};
use crate::evaluation::{CatalogAnswer, CatalogOracle};
use crate::lint::{self, Finding};
use crate::policy;
use crate::trace::{CatalogTrace, PolicyType};

impl CatalogOracle for Catalog {
    fn answer(&self, action: &str, resource: &str, keys: &[String]) -> CatalogAnswer {
        answer(self, action, resource, keys)
    }

    fn lint(&self, text: &str, name: &str, policy_type: PolicyType) -> Vec<Finding> {
        match policy::parse_policy_text(text, name, policy_type).0 {
            Some(p) => lint::lint(&p, self),
            None => Vec::new(),
        }
    }
}

/// What the catalog says about a request: the action, whether the resource is one of its
/// resource types, and for each key why the action never carries it.
pub fn answer(catalog: &Catalog, action: &str, resource: &str, keys: &[String]) -> CatalogAnswer {
    let mut trace = CatalogTrace::default();
    let Some((service, a)) = catalog.action(action) else {
        trace.resource_note = Some(match action.split_once(':').and_then(|(p, _)| catalog.service(p)) {
            Some(s) => {
                let name = action.split_once(':').map_or("", |(_, n)| n);
                match crate::suggest::closest(name, s.actions.iter().map(|a| a.name.as_str())) {
                    Some(near) => format!("`{action}` is not an action of the catalog; did you mean `{}:{near}`?", s.prefix),
                    None => format!("`{action}` is not an action of `{}` in the catalog", s.prefix),
                }
            }
            None => format!("`{action}` is not in the catalog: its service prefix is unknown"),
        });
        return CatalogAnswer { trace, never: vec![None; keys.len()] };
    };
    trace.action_known = true;
    trace.access_level = Some(a.access.label().to_string());
    trace.resource_types = service.resource_types_of(a).map(|r| r.name.clone()).collect();
    let name = format!("{}:{}", service.prefix, a.name);
    let types_text = || service.resource_types_of(a).map(|r| format!("`{}` (`{}`)", r.name, r.arn)).collect::<Vec<_>>().join(" or ");
    // The action's resource types the resource is (`None`: not known to be one of them).
    let mut only = None;
    if a.is_wildcard_only() {
        if resource != "*" {
            trace.resource_note = Some(format!("`{name}` has no resource type, so AWS authorizes it on `*`, never on `{resource}`: only `\"Resource\": \"*\"` grants it"));
        }
    } else if resource == "*" {
        trace.resource_note = Some(format!("`{name}` acts on {}: a request on `*` names none of them", types_text()));
    } else {
        let types = arn_format::classify(service, resource);
        only = own_types(a, &types);
        match &only {
            Some(own) => trace.resource_type = Some(service.resource_type(own[0]).name.clone()),
            None => {
                let what = match types.first() {
                    Some(t) => format!("`{resource}` is of type `{}`", service.resource_type(*t).name),
                    None => format!("`{resource}` fits none of their ARN formats"),
                };
                trace.resource_note = Some(format!("`{name}` acts on {}; {what}, so AWS never authorizes `{name}` on it", types_text()));
            }
        }
    }
    let listed = service.keys_of(a, only.as_deref());
    let never = keys
        .iter()
        .map(|key| {
            (availability_in(catalog, &listed, key) == Availability::NeverCarried).then(|| {
                let mut why = format!("`{name}` never carries `{key}` (the Service Authorization Reference lists it only for other actions)");
                if let Some(p) = provenance(key) {
                    why.push_str(": ");
                    why.push_str(p);
                }
                why
            })
        })
        .collect();
    CatalogAnswer { trace, never }
}

/// Whether a request for an action can carry a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Availability {
    /// The action (or one of its resource types) lists the key, or it is a global key
    /// present on every request that has a value for it.
    Carried { listed_as: String },
    /// The catalog knows the key, but not for this action: AWS never puts it in this
    /// action's request context.
    NeverCarried,
    /// The catalog does not know the key (or the action): nothing can be said.
    Unknown,
}

/// Global keys present only when the action lists them: the request-tag keys exist only
/// for requests that carry tags, the resource-tag key only for resources whose service
/// authorizes by tag.
pub fn listed_only(key: &str) -> bool {
    key_matches("aws:RequestTag/${TagKey}", key) || key.eq_ignore_ascii_case("aws:TagKeys") || key_matches("aws:ResourceTag/${TagKey}", key)
}

/// Whether a request for `action` on `resource` can carry `key`.
pub fn availability(catalog: &Catalog, action: &str, resource: &str, key: &str) -> Availability {
    let Some((service, a)) = catalog.action(action) else { return Availability::Unknown };
    availability_in(catalog, &service.keys_of(a, matched_types(service, a, resource).as_deref()), key)
}

/// [`availability`] once the keys the action lists for the request's resource are known.
fn availability_in(catalog: &Catalog, listed: &[&Key], key: &str) -> Availability {
    if let Some(k) = listed.iter().find(|k| k.matches(key)) {
        return Availability::Carried { listed_as: k.name.clone() };
    }
    if let Some(g) = catalog.global(key) {
        if !listed_only(key) {
            return Availability::Carried { listed_as: g.name.clone() };
        }
        return Availability::NeverCarried;
    }
    if catalog.find_key(key).is_some() {
        Availability::NeverCarried
    } else {
        Availability::Unknown
    }
}

/// The action's resource types the request's resource is, when it is one of them.
fn matched_types(service: &Service, action: &Action, resource: &str) -> Option<Vec<u16>> {
    if resource == "*" || action.resources.is_empty() {
        return None;
    }
    own_types(action, &arn_format::classify(service, resource))
}

/// Of a resource's types, those the action acts on, if any.
fn own_types(action: &Action, types: &[u16]) -> Option<Vec<u16>> {
    let own: Vec<u16> = types.iter().copied().filter(|t| action.resources.iter().any(|r| r.index == *t)).collect();
    (!own.is_empty()).then_some(own)
}

/// Whether any request for `action` (on any of its resources) can carry `key`; for lint,
/// which sees only the policy.
pub fn ever_carried(catalog: &Catalog, service: &Service, action: &Action, key: &str) -> Option<bool> {
    if service.keys_of(action, None).iter().any(|k| k.matches(key)) {
        return Some(true);
    }
    if catalog.global(key).is_some() {
        return Some(!listed_only(key));
    }
    catalog.find_key(key).map(|_| false)
}

/// Where a key's value comes from, in a sentence, for the tag keys and the S3 tag keys;
/// `None` for other keys.
pub fn provenance(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let l = lower.as_str();
    Some(if l.starts_with("aws:requesttag/") {
        "`aws:RequestTag/KEY` holds a tag the request itself sends: it exists only for requests that create or tag a resource with tags (for example `ecs:RunTask` with tags, `ecs:TagResource`, `s3:CreateBucket`, `sts:AssumeRole` with session tags). Tags of the caller or of its ECS task are never request tags"
    } else if l == "aws:tagkeys" {
        "`aws:TagKeys` lists the tag keys a request sends: it exists only for requests that create or tag a resource with tags"
    } else if l.starts_with("aws:resourcetag/") {
        "`aws:ResourceTag/KEY` holds a tag of the resource the request acts on (not of the caller), and only for resource types whose service authorizes by tag; an S3 bucket exposes its tags only after ABAC is enabled on it"
    } else if l.starts_with("aws:principaltag/") {
        "`aws:PrincipalTag/KEY` holds a tag of the caller: the IAM user's tags, or for a role session the role's tags overridden by session tags. It is on every request of a tagged principal; ECS task tags never become principal tags"
    } else if l.starts_with("s3:existingobjecttag/") {
        "`s3:ExistingObjectTag/KEY` holds a tag of the object already stored: it exists for object reads and tag changes (`s3:GetObject`, `s3:GetObjectTagging`, `s3:PutObjectTagging`, ...), never for `s3:PutObject` or `s3:DeleteObject`"
    } else if l.starts_with("s3:requestobjecttag/") || l == "s3:requestobjecttagkeys" {
        "`s3:RequestObjectTag/KEY` and `s3:RequestObjectTagKeys` hold the object tags a request sends: they exist for `s3:PutObject` and `s3:PutObjectTagging` with tags"
    } else if l.starts_with("s3:buckettag/") {
        "`s3:BucketTag/KEY` holds a tag of the bucket, once ABAC is enabled on the bucket"
    } else if l.contains(":resourcetag/") {
        "a service's own `SERVICE:ResourceTag/KEY` holds a tag of the resource the request acts on, for that service's tag-authorized resource types"
    } else if l.contains(":requesttag/") {
        "a service's own `SERVICE:RequestTag/KEY` holds a tag the request sends, for requests that create or tag a resource"
    } else {
        return None;
    })
}

/// What to write instead of a condition on `key` that the statement's actions never
/// carry.
pub fn instead(catalog: &Catalog, key: &str, actions: &[(&Service, &Action)]) -> String {
    let tag = key.split_once('/').map(|(_, t)| t).unwrap_or("KEY");
    let lower = key.to_ascii_lowercase();
    let mut options = Vec::new();
    let carries = |k: &str| actions.iter().any(|(s, a)| ever_carried(catalog, s, a, k) == Some(true));
    if lower.starts_with("aws:requesttag/") || lower.starts_with("aws:resourcetag/") || lower == "aws:tagkeys" || lower.contains(":resourcetag/") {
        options.push(format!("`aws:PrincipalTag/{tag}` to test a tag of the calling user or role"));
        let existing = format!("s3:ExistingObjectTag/{tag}");
        if carries(&existing) {
            options.push(format!("`{existing}` to test a tag of the object read"));
        }
        let resource = format!("aws:ResourceTag/{tag}");
        if !lower.starts_with("aws:resourcetag/") && carries(&resource) {
            options.push(format!("`{resource}` to test a tag of the resource"));
        }
    }
    if options.is_empty() {
        let listed: Vec<String> = actions
            .iter()
            .take(1)
            .flat_map(|(s, a)| s.keys_of(a, None).into_iter().map(|k| format!("`{}`", k.name)))
            .take(8)
            .collect();
        if listed.is_empty() {
            return "use a global key (such as `aws:PrincipalTag/KEY` or `aws:SourceIp`) or remove the condition".to_string();
        }
        return format!("use a key the action carries ({}) or a global key, or remove the condition", listed.join(", "));
    }
    format!("use {}", options.join(", or "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_covers_the_tag_keys() {
        for key in ["aws:RequestTag/Status", "aws:TagKeys", "aws:ResourceTag/x", "aws:PrincipalTag/x", "s3:ExistingObjectTag/x", "s3:RequestObjectTag/x", "ecs:ResourceTag/x"] {
            assert!(provenance(key).is_some(), "{key}");
        }
        assert!(provenance("aws:SourceIp").is_none());
    }
}
