//! An IAM role as the playground knows it: its ARN, tags, permission policies, boundary and
//! trust policy, wherever they came from (a CloudFormation template, the scenario's `roles`).
//! What could not be read (an unknown managed policy) is kept, so that a denial it might have
//! turned into an allow is shown as not evaluated rather than as a deny.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Span;
use crate::evaluation::Policies;
use crate::policy::Policy;
use crate::principal::{Kind, Principal};

#[derive(Debug, Clone)]
pub struct Role {
    /// How the scenario or template names it: a `roles` key or a logical ID.
    pub key: String,
    pub name: String,
    /// `/` or `/division/`.
    pub path: String,
    pub account: String,
    pub partition: String,
    pub tags: BTreeMap<String, String>,
    pub unique_id: Option<String>,
    /// Inline policies, attached customer managed policies and known AWS managed policies.
    pub policies: Vec<Policy>,
    pub permissions_boundary: Option<Policy>,
    /// Managed policy ARNs (attached or as boundary) whose documents are unknown.
    pub not_evaluated: Vec<String>,
    pub trust_policy: Option<Policy>,
    /// False when only the ARN is known (a task definition naming a role defined elsewhere):
    /// then nothing can be said about what it may do.
    pub policies_known: bool,
    /// Where the role is defined or named.
    pub span: Span,
}

/// What the page shows about a role.
#[derive(Debug, Clone, Serialize)]
pub struct RoleSummary {
    pub key: String,
    pub arn: String,
    pub tags: BTreeMap<String, String>,
    pub policies: Vec<String>,
    pub permissions_boundary: Option<String>,
    pub not_evaluated: Vec<String>,
    pub has_trust_policy: bool,
    pub policies_known: bool,
}

impl Role {
    /// A role with no tags and no policies yet; `policies_known` says whether its policies
    /// will be filled in (a template defines it) or stay unknown (only its ARN is named).
    pub fn new(key: &str, name: String, path: String, account: String, partition: String, policies_known: bool, span: Span) -> Role {
        Role {
            key: key.to_string(),
            name,
            path,
            account,
            partition,
            tags: BTreeMap::new(),
            unique_id: None,
            policies: Vec::new(),
            permissions_boundary: None,
            not_evaluated: Vec::new(),
            trust_policy: None,
            policies_known,
            span,
        }
    }

    /// A role known only by its ARN.
    pub fn from_arn(key: &str, arn: &str, span: Span) -> Option<Role> {
        let p = Principal::parse(arn).ok()?;
        let Kind::RoleSession { role, path, session: None } = p.kind else { return None };
        Some(Role::new(key, role, path.unwrap_or_else(|| "/".to_string()), p.account, p.partition, false, span))
    }

    pub fn arn(&self) -> String {
        format!("arn:{}:iam::{}:role{}{}", self.partition, self.account, self.path, self.name)
    }

    /// Whether `arn` names this role (with or without its path).
    pub fn is_named_by(&self, arn: &str) -> bool {
        arn == self.arn() || arn == format!("arn:{}:iam::{}:role/{}", self.partition, self.account, self.name)
    }

    /// A session of this role: the caller its credentials sign as. Role tags become
    /// principal tags (ECS passes no session tags).
    pub fn session(&self, session_name: &str) -> Principal {
        let mut p = Principal::parse(&self.arn()).and_then(|p| p.with_session(session_name)).unwrap_or_else(|_| {
            // The ARN was built from a parsed role, so it parses again; keep a usable value anyway.
            Principal::parse("anonymous").expect("anonymous parses")
        });
        p.tags = self.tags.clone();
        p.unique_id = self.unique_id.as_ref().map(|id| id.to_string());
        p
    }

    /// The role's own policies: identity policies and boundary.
    pub fn policies(&self) -> Policies {
        Policies { identity: self.policies.clone(), permissions_boundary: self.permissions_boundary.clone(), ..Policies::default() }
    }

    pub fn summary(&self) -> RoleSummary {
        RoleSummary {
            key: self.key.clone(),
            arn: self.arn(),
            tags: self.tags.clone(),
            policies: self.policies.iter().map(|p| p.name.clone()).collect(),
            permissions_boundary: self.permissions_boundary.as_ref().map(|p| p.name.clone()),
            not_evaluated: self.not_evaluated.clone(),
            has_trust_policy: self.trust_policy.is_some(),
            policies_known: self.policies_known,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_carry_role_tags_and_path() {
        let mut role = Role::from_arn("TaskRole", "arn:aws:iam::111122223333:role/app/app-role", Span::default()).unwrap();
        role.tags.insert("Status".into(), "OK".into());
        assert_eq!(role.arn(), "arn:aws:iam::111122223333:role/app/app-role");
        let s = role.session("0123abcd");
        assert_eq!(s.arn(), "arn:aws:sts::111122223333:assumed-role/app-role/0123abcd");
        assert_eq!(s.principal_arn().unwrap(), "arn:aws:iam::111122223333:role/app/app-role");
        assert_eq!(s.tags.get("Status").map(String::as_str), Some("OK"));
        assert!(role.is_named_by("arn:aws:iam::111122223333:role/app-role"));
        assert!(Role::from_arn("x", "arn:aws:iam::111122223333:user/bob", Span::default()).is_none());
    }
}
