//! AWS managed policies that ECS setups attach by ARN, embedded with the version they were
//! copied from. An ARN not listed here is unknown: callers must show it as not evaluated,
//! never as an empty policy.
//! <https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html>

use crate::diagnostic::Diagnostic;
use crate::policy::{self, Policy};
use crate::suggest;
use crate::trace::PolicyType;

/// One AWS managed policy document as published in the AWS Managed Policy Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub name: &'static str,
    /// `/` or `/service-role/`.
    pub path: &'static str,
    /// The default version the document was copied from.
    pub version: &'static str,
    pub document: &'static str,
}

impl ManagedPolicy {
    /// The ARN in the given partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn arn(&self, partition: &str) -> String {
        format!("arn:{partition}:iam::aws:policy{}{}", self.path, self.name)
    }

    /// The document read as an identity policy named after the managed policy.
    pub fn policy(&self) -> Policy {
        let (policy, diagnostics) = policy::parse_policy_text(self.document, self.name, PolicyType::Identity);
        debug_assert!(diagnostics.is_empty(), "{}: {diagnostics:?}", self.name);
        policy.unwrap_or_else(|| Policy { name: self.name.to_string(), policy_type: PolicyType::Identity, version: policy::Version::V2012, statements: Vec::new(), span: Default::default() })
    }
}

macro_rules! managed {
    ($name:literal, $path:literal, $version:literal) => {
        ManagedPolicy { name: $name, path: $path, version: $version, document: include_str!(concat!("managed_policies/", $name, ".json")) }
    };
}

/// Every managed policy the playground knows.
pub const KNOWN: &[ManagedPolicy] = &[
    managed!("AmazonECSTaskExecutionRolePolicy", "/service-role/", "v1"),
    managed!("AmazonEC2ContainerRegistryReadOnly", "/", "v3"),
    managed!("AmazonS3ReadOnlyAccess", "/", "v3"),
    managed!("AmazonS3FullAccess", "/", "v2"),
    managed!("AmazonSSMReadOnlyAccess", "/", "v1"),
    managed!("CloudWatchLogsReadOnlyAccess", "/", "v8"),
    managed!("AWSLambdaBasicExecutionRole", "/service-role/", "v1"),
];

/// What an ARN in `ManagedPolicyArns` refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Known(ManagedPolicy),
    /// An AWS managed policy (`arn:aws:iam::aws:policy/...`) this build does not carry.
    UnknownAws,
    /// A customer managed policy (`arn:aws:iam::ACCOUNT:policy/...`): its document must come
    /// from the template or the scenario.
    Customer,
    /// Not a policy ARN.
    NotPolicy,
}

pub fn lookup(arn: &str) -> Lookup {
    let Some([_, _, service, _, account, resource]) = crate::arn::parse(arn) else { return Lookup::NotPolicy };
    let Some(path_and_name) = resource.strip_prefix("policy/") else { return Lookup::NotPolicy };
    if service != "iam" {
        return Lookup::NotPolicy;
    }
    if account != "aws" {
        return Lookup::Customer;
    }
    let full = format!("/{path_and_name}");
    match KNOWN.iter().find(|p| format!("{}{}", p.path, p.name) == full) {
        Some(p) => Lookup::Known(*p),
        None => Lookup::UnknownAws,
    }
}

/// A help line for an unknown AWS managed policy ARN: the known one it most likely means.
pub fn suggestion(arn: &str) -> Option<String> {
    let name = arn.rsplit('/').next()?;
    if let Some(p) = KNOWN.iter().find(|p| p.name == name) {
        return Some(format!("did you mean `{}`? (`{}` lives under the path `{}`)", p.arn("aws"), p.name, p.path));
    }
    suggest::closest(name, KNOWN.iter().map(|p| p.name)).map(|s| format!("did you mean `{s}`?"))
}

/// A warning for a managed policy ARN whose document the playground cannot evaluate.
pub fn not_evaluated(arn: &str, span: crate::diagnostic::Span) -> Diagnostic {
    let known = KNOWN.iter().map(|p| format!("`{}`", p.name)).collect::<Vec<_>>().join(", ");
    let d = Diagnostic::warning(span, format!("managed policy `{arn}` is not evaluated: its document is unknown to the playground"));
    match suggestion(arn) {
        Some(help) => d.with_help(help),
        None => d.with_help(format!("requests it could allow show as not evaluated; paste its document as an inline policy to evaluate it (known AWS managed policies: {known})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_document_reads_without_diagnostics() {
        for p in KNOWN {
            let (policy, diagnostics) = policy::parse_policy_text(p.document, p.name, PolicyType::Identity);
            assert!(diagnostics.is_empty(), "{}: {diagnostics:?}", p.name);
            assert!(!policy.unwrap().statements.is_empty(), "{}", p.name);
        }
    }

    #[test]
    fn lookups() {
        let cases: &[(&str, Option<&str>)] = &[
            ("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", Some("AmazonECSTaskExecutionRolePolicy")),
            ("arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess", Some("AmazonS3ReadOnlyAccess")),
            ("arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy", None),
            ("arn:aws:iam::aws:policy/AdministratorAccess", None),
        ];
        for (arn, expected) in cases {
            let found = match lookup(arn) {
                Lookup::Known(p) => Some(p.name),
                _ => None,
            };
            assert_eq!(found, *expected, "{arn}");
        }
        assert_eq!(lookup("arn:aws:iam::aws:policy/AdministratorAccess"), Lookup::UnknownAws);
        assert_eq!(lookup("arn:aws:iam::111122223333:policy/mine"), Lookup::Customer);
        assert_eq!(lookup("arn:aws:s3:::bucket"), Lookup::NotPolicy);
        assert_eq!(
            suggestion("arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy").unwrap(),
            "did you mean `arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`? (`AmazonECSTaskExecutionRolePolicy` lives under the path `/service-role/`)"
        );
    }
}
