//! Who makes a request, the context keys that follow from it, and how `Principal` /
//! `NotPrincipal` entries of a resource-based policy match it.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable>

use std::collections::BTreeMap;

use crate::context::{Context, Source};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The account's root user.
    Root,
    /// An IAM user; `path` is `/` or `/division/`.
    User { name: String, path: String },
    /// A session of an IAM role. `path` is `None` when only the session ARN was given
    /// (session ARNs never carry the role's path).
    RoleSession { role: String, path: Option<String>, session: Option<String> },
    /// A federated user session from `GetFederationToken`.
    FederatedUser { name: String },
    /// An AWS service principal such as `ecs-tasks.amazonaws.com`.
    Service(String),
    /// An unsigned request.
    Anonymous,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: Kind,
    /// Empty for services and anonymous callers.
    pub account: String,
    pub partition: String,
    /// The principal's tags (IAM user or role tags, or session tags).
    pub tags: BTreeMap<String, String>,
    /// The unique ID (`AIDA...`, `AROA...`) when known; `aws:userid` needs it.
    pub unique_id: Option<String>,
}

impl Principal {
    fn new(kind: Kind, account: &str, partition: &str) -> Principal {
        Principal {
            kind,
            account: account.to_string(),
            partition: partition.to_string(),
            tags: BTreeMap::new(),
            unique_id: None,
        }
    }

    /// Reads a principal from an ARN, an account ID, a service name or `anonymous`.
    pub fn parse(text: &str) -> Result<Principal, String> {
        let text = text.trim();
        if text == "anonymous" || text == "*" {
            return Ok(Principal::new(Kind::Anonymous, "", "aws"));
        }
        if is_account_id(text) {
            return Ok(Principal::new(Kind::Root, text, "aws"));
        }
        if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
            return Ok(Principal::new(Kind::Service(text.to_string()), "", "aws"));
        }
        let Some([_, partition, service, _, account, resource]) = crate::arn::parse(text) else {
            return Err(format!(
                "`{text}` is not a principal: expected an IAM user, role or root ARN, a role session ARN, a 12-digit account ID, a service principal or `anonymous`"
            ));
        };
        if (service == "iam" || service == "sts") && !is_account_id(account) {
            return Err(format!("the account in `{text}` must be 12 digits"));
        }
        let kind = match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Kind::Root,
            ("iam", Some(("user", rest))) => {
                let (path, name) = split_path(rest);
                Kind::User { name, path }
            }
            ("iam", Some(("role", rest))) => {
                let (path, name) = split_path(rest);
                Kind::RoleSession { role: name, path: Some(path), session: None }
            }
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => Kind::RoleSession {
                    role: role.to_string(),
                    path: None,
                    session: Some(session.to_string()),
                },
                _ => return Err(format!("`{text}` must be `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`")),
            },
            ("sts", Some(("federated-user", name))) if !name.is_empty() => Kind::FederatedUser { name: name.to_string() },
            _ => {
                return Err(format!(
                    "`{text}` is not a principal ARN: expected `iam::ACCOUNT:user/...`, `iam::ACCOUNT:role/...`, `iam::ACCOUNT:root` or `sts::ACCOUNT:assumed-role/...`"
                ))
            }
        };
        Ok(Principal::new(kind, account, partition))
    }

    /// Makes a role principal a session with the given name.
    pub fn with_session(mut self, session: &str) -> Result<Principal, String> {
        match &mut self.kind {
            Kind::RoleSession { session: s, .. } => {
                *s = Some(session.to_string());
                Ok(self)
            }
            _ => Err("`session_name` applies only to a role ARN".to_string()),
        }
    }

    /// The ARN this principal signs requests as (a role session's `sts` ARN). (Joined with
    /// `concat` rather than `format!`, here and below: these run for every request, and
    /// `concat` allocates once, at the right size, without the formatting machinery.)
    pub fn arn(&self) -> String {
        let (p, a) = (self.partition.as_str(), self.account.as_str());
        match &self.kind {
            Kind::Root => ["arn:", p, ":iam::", a, ":root"].concat(),
            Kind::User { name, path } => ["arn:", p, ":iam::", a, ":user", path, name].concat(),
            Kind::RoleSession { role, session: Some(s), .. } => ["arn:", p, ":sts::", a, ":assumed-role/", role, "/", s].concat(),
            Kind::RoleSession { role, session: None, .. } => ["arn:", p, ":sts::", a, ":assumed-role/", role, "/(session)"].concat(),
            Kind::FederatedUser { name } => ["arn:", p, ":sts::", a, ":federated-user/", name].concat(),
            Kind::Service(name) => name.clone(),
            Kind::Anonymous => "anonymous".to_string(),
        }
    }

    /// The IAM role ARN of a role session, with its path when known.
    pub fn role_arn(&self) -> Option<String> {
        match &self.kind {
            Kind::RoleSession { role, path, .. } => {
                Some(["arn:", &self.partition, ":iam::", &self.account, ":role", path.as_deref().unwrap_or("/"), role].concat())
            }
            _ => None,
        }
    }

    /// `aws:PrincipalArn`: for a role session the role's ARN (with its path), never the
    /// session's (DECISIONS.md (f)).
    pub fn principal_arn(&self) -> Option<String> {
        match &self.kind {
            Kind::RoleSession { .. } => self.role_arn(),
            Kind::Service(_) | Kind::Anonymous => None,
            _ => Some(self.arn()),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.kind == Kind::Anonymous
    }

    pub fn is_service(&self) -> bool {
        matches!(self.kind, Kind::Service(_))
    }

    /// An IAM identity (user, role session, federated user, root) with identity policies.
    pub fn is_iam(&self) -> bool {
        !self.is_anonymous() && !self.is_service()
    }

    /// Adds `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalTag/*`,
    /// `aws:username`, `aws:userid` and `aws:PrincipalType` to `context` where it does not
    /// already give them. `aws:userid` of a user or role session needs the unique ID
    /// (`AIDA...`, `AROA...`), which only `unique_id` can give.
    pub fn derive_context(&self, context: &mut Context) {
        let mut put = |key: &str, value: String| {
            context.insert_derived(key, vec![value], Source::Principal);
        };
        if let Some(arn) = self.principal_arn() {
            put("aws:PrincipalArn", arn);
        }
        if !self.account.is_empty() {
            put("aws:PrincipalAccount", self.account.clone());
        }
        for (k, v) in &self.tags {
            put(&["aws:PrincipalTag/", k].concat(), v.clone());
        }
        let principal_type = match &self.kind {
            Kind::Root => "Account",
            Kind::User { .. } => "User",
            Kind::RoleSession { .. } => "AssumedRole",
            Kind::FederatedUser { .. } => "FederatedUser",
            Kind::Anonymous => "Anonymous",
            Kind::Service(_) => "",
        };
        if !principal_type.is_empty() {
            put("aws:PrincipalType", principal_type.to_string());
        }
        if let Kind::User { name, .. } = &self.kind {
            put("aws:username", name.clone());
        }
        let userid = match (&self.kind, &self.unique_id) {
            (Kind::Root, _) => Some(self.account.clone()),
            (Kind::Anonymous, _) => Some("anonymous".to_string()),
            (Kind::FederatedUser { name }, _) => Some(format!("{}:{name}", self.account)),
            (Kind::User { .. }, Some(id)) => Some(id.clone()),
            (Kind::RoleSession { session: Some(s), .. }, Some(id)) => Some(format!("{id}:{s}")),
            _ => None,
        };
        if let Some(userid) = userid {
            put("aws:userid", userid);
        }
    }
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `division/sub/name` → (`/division/sub/`, `name`).
fn split_path(rest: &str) -> (String, String) {
    match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name.to_string()),
        None => ("/".to_string(), rest.to_string()),
    }
}

/// How a `Principal` entry matched the caller. The kind matters in the same account:
/// a grant to the session or user stands alone, a grant to the role is capped by the
/// permissions boundary and session policy, a grant to the account only delegates to IAM
/// (shared/SEMANTICS.md 3.2, shared/DECISIONS.md (c)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// The account (`"123456789012"` or `arn:aws:iam::123456789012:root`).
    Account,
    /// The IAM role of the calling session.
    Role,
    /// `"*"`: everyone.
    Everyone,
    /// The user, the role session or the federated user itself, or the service.
    Direct,
}

impl PrincipalMatch {
    pub fn describe(self) -> &'static str {
        match self {
            PrincipalMatch::Account => "names the caller's account",
            PrincipalMatch::Role => "names the caller's role",
            PrincipalMatch::Everyone => "names everyone (`*`)",
            PrincipalMatch::Direct => "names the caller itself",
        }
    }
}

/// The type of a `Principal` entry: the key of the principal map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl EntryType {
    pub fn parse(key: &str) -> Option<EntryType> {
        match key {
            "AWS" => Some(EntryType::Aws),
            "Service" => Some(EntryType::Service),
            "Federated" => Some(EntryType::Federated),
            "CanonicalUser" => Some(EntryType::CanonicalUser),
            _ => None,
        }
    }
}

/// Matches one `Principal` entry against the caller.
pub fn match_entry(entry_type: EntryType, value: &str, caller: &Principal) -> Option<PrincipalMatch> {
    match entry_type {
        EntryType::Aws => match_aws_entry(value, caller),
        EntryType::Service => match &caller.kind {
            Kind::Service(name) if name.eq_ignore_ascii_case(value) => Some(PrincipalMatch::Direct),
            _ => None,
        },
        // Web-identity and SAML callers and S3 canonical users are not modelled as callers.
        EntryType::Federated | EntryType::CanonicalUser => None,
    }
}

fn match_aws_entry(value: &str, caller: &Principal) -> Option<PrincipalMatch> {
    if value == "*" {
        return Some(PrincipalMatch::Everyone);
    }
    if !caller.is_iam() {
        return None;
    }
    if is_account_id(value) {
        return (value == caller.account).then_some(PrincipalMatch::Account);
    }
    let [_, _, service, _, account, resource] = crate::arn::parse(value)?;
    if account != caller.account {
        return None;
    }
    match (service, resource.split_once('/'), &caller.kind) {
        ("iam", None, _) if resource == "root" => Some(PrincipalMatch::Account),
        ("iam", Some(("user", rest)), Kind::User { name, path }) => {
            let (p, n) = split_path(rest);
            (&n == name && &p == path).then_some(PrincipalMatch::Direct)
        }
        ("iam", Some(("role", rest)), Kind::RoleSession { role, path, .. }) => {
            let (p, n) = split_path(rest);
            // A session ARN does not carry the role's path: then the name decides.
            (&n == role && path.as_ref().is_none_or(|path| *path == p)).then_some(PrincipalMatch::Role)
        }
        ("sts", Some(("assumed-role", rest)), Kind::RoleSession { role, session: Some(s), .. }) => {
            (rest.split_once('/') == Some((role.as_str(), s.as_str()))).then_some(PrincipalMatch::Direct)
        }
        ("sts", Some(("federated-user", n)), Kind::FederatedUser { name }) => (n == name).then_some(PrincipalMatch::Direct),
        _ => None,
    }
}

/// For `NotPrincipal`: the identities that must all be listed for the caller to be
/// exempt. A role session is exempt only when its session ARN, role ARN and account are
/// all listed (IAM "NotPrincipal" page).
pub fn identity_chain(caller: &Principal) -> Vec<PrincipalMatch> {
    match &caller.kind {
        Kind::RoleSession { .. } => vec![PrincipalMatch::Direct, PrincipalMatch::Role, PrincipalMatch::Account],
        Kind::User { .. } | Kind::FederatedUser { .. } => vec![PrincipalMatch::Direct, PrincipalMatch::Account],
        Kind::Root => vec![PrincipalMatch::Account],
        Kind::Service(_) | Kind::Anonymous => vec![PrincipalMatch::Direct],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Principal {
        Principal::parse(text).unwrap()
    }

    #[test]
    fn parse_forms() {
        assert_eq!(p("arn:aws:iam::111122223333:user/div/alice").kind, Kind::User { name: "alice".into(), path: "/div/".into() });
        assert_eq!(p("111122223333").kind, Kind::Root);
        assert_eq!(
            p("arn:aws:sts::111122223333:assumed-role/R/s1").kind,
            Kind::RoleSession { role: "R".into(), path: None, session: Some("s1".into()) }
        );
        assert_eq!(p("ecs-tasks.amazonaws.com").kind, Kind::Service("ecs-tasks.amazonaws.com".into()));
        assert!(Principal::parse("arn:aws:s3:::bucket").is_err());
        assert!(Principal::parse("arn:aws:iam::12:user/a").is_err());
    }

    #[test]
    fn principal_arn_of_a_session_is_the_pathed_role() {
        let s = p("arn:aws:iam::111122223333:role/aws-reserved/sso/R").with_session("s").unwrap();
        assert_eq!(s.arn(), "arn:aws:sts::111122223333:assumed-role/R/s");
        assert_eq!(s.principal_arn().unwrap(), "arn:aws:iam::111122223333:role/aws-reserved/sso/R");
    }

    #[test]
    fn entries() {
        use PrincipalMatch::*;
        let s = p("arn:aws:sts::111122223333:assumed-role/R/s1");
        assert_eq!(match_aws_entry("arn:aws:sts::111122223333:assumed-role/R/s1", &s), Some(Direct));
        assert_eq!(match_aws_entry("arn:aws:sts::111122223333:assumed-role/R/s2", &s), None);
        assert_eq!(match_aws_entry("arn:aws:iam::111122223333:role/R", &s), Some(Role));
        assert_eq!(match_aws_entry("arn:aws:iam::111122223333:root", &s), Some(Account));
        assert_eq!(match_aws_entry("111122223333", &s), Some(Account));
        assert_eq!(match_aws_entry("444455556666", &s), None);
        assert_eq!(match_aws_entry("*", &s), Some(Everyone));
        assert_eq!(match_entry(EntryType::Service, "ecs-tasks.amazonaws.com", &p("ecs-tasks.amazonaws.com")), Some(Direct));
    }
}
