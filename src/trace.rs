//! The answer of an evaluation, as data: the decision, why, and what every policy,
//! statement and condition did. Renderers (CLI text, JSON, the page) only read it.

use std::borrow::Cow;

use serde::Serialize;

use crate::diagnostic::Span;

/// Decisions use the words of the AWS `SimulateCustomPolicy` API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Decision {
    #[serde(rename = "allowed")]
    Allowed,
    #[serde(rename = "implicitDeny")]
    ImplicitDeny,
    #[serde(rename = "explicitDeny")]
    ExplicitDeny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ImplicitDeny => "implicitDeny",
            Decision::ExplicitDeny => "explicitDeny",
        }
    }

    pub fn parse(text: &str) -> Option<Decision> {
        match text {
            "allowed" => Some(Decision::Allowed),
            "implicitDeny" => Some(Decision::ImplicitDeny),
            "explicitDeny" => Some(Decision::ExplicitDeny),
            _ => None,
        }
    }
}

/// The kinds of policy AWS evaluates, in the words of the evaluation-logic page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyType {
    Identity,
    Resource,
    PermissionsBoundary,
    Session,
    Scp,
    Rcp,
}

impl PolicyType {
    pub fn label(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity-based policy",
            PolicyType::Resource => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
            PolicyType::Scp => "service control policy",
            PolicyType::Rcp => "resource control policy",
        }
    }
}

/// The complete answer for one request.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    /// One plain sentence saying why.
    pub why: String,
    /// Every policy that took part, in evaluation order.
    pub policies: Vec<PolicyTrace>,
    /// The statements that decided the outcome (the applicable denies for an explicit
    /// deny, the allows that granted for allowed; empty for an implicit deny).
    pub matched_statements: Vec<StatementRef>,
    /// The gates of the decision logic, in order, each with its verdict.
    pub steps: Vec<Step>,
    /// Condition keys that statements asked for and the request did not carry.
    pub missing_context_values: Vec<String>,
    /// Context values the engine derived from the principal or the resource.
    pub derived_context: Vec<ContextEntry>,
    /// Points where an undecided part of the AWS documentation changed the answer, and
    /// other remarks a user should read.
    pub notes: Vec<String>,
    /// What the action catalog said about the request, when it was at hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogTrace>,
}

/// The action catalog's view of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogTrace {
    pub action_known: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_level: Option<String>,
    /// The action's resource types (empty: the action is on `*`).
    pub resource_types: Vec<String>,
    /// The resource type the request's resource is, when it is one of the action's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Why the resource is not one the action acts on, or why the action is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_note: Option<String>,
    /// Given context keys the action never carries.
    pub left_out: Vec<LeftOutKey>,
    /// The context was evaluated exactly as given.
    pub literal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOutKey {
    pub key: String,
    pub values: Vec<String>,
    pub why: String,
    /// True when the literal-context option kept it in the evaluation anyway.
    pub evaluated: bool,
}

/// A statement by policy name and position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// 0-based position in the policy's `Statement` list.
    pub index: usize,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContextEntry {
    pub key: String,
    pub values: Vec<String>,
    /// [`crate::context::Source::label`].
    pub source: &'static str,
}

/// One gate of the decision logic (explicit deny, RCPs, SCPs, resource policy, identity
/// policies, permissions boundary, session policy) and what it said. The gate's name and
/// most details are fixed texts, kept without a copy.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub gate: &'static str,
    pub verdict: StepVerdict,
    pub detail: Cow<'static, str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepVerdict {
    Pass,
    Deny,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyTrace {
    pub name: String,
    pub policy_type: PolicyType,
    /// Organisation level for SCPs and RCPs, root first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    pub statements: Vec<StatementTrace>,
    /// Did any statement deny, did any allow.
    pub denies: bool,
    pub allows: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: &'static str,
    pub action: MatchTrace,
    pub resource: MatchTrace,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<MatchTrace>,
    pub conditions: Vec<ConditionTrace>,
    /// Action, resource, principal and every condition matched.
    pub applies: bool,
    /// Where the statement is in its policy's text (relative to that text).
    pub span: Span,
}

/// How one of the `Action`, `Resource` or `Principal` elements fared.
#[derive(Debug, Clone, Serialize)]
pub struct MatchTrace {
    pub matched: bool,
    /// True for `NotAction`, `NotResource`, `NotPrincipal`.
    pub negated: bool,
    /// The pattern that matched the request (for a negated element, the one that
    /// excluded it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The request's value this element was compared with.
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConditionTrace {
    pub operator: String,
    pub key: String,
    /// The request's values, or `None` when the key is missing from the context.
    pub request_values: Option<Vec<String>>,
    /// The policy's values after policy-variable substitution; an unresolved variable
    /// shows as the original text.
    pub policy_values: Vec<String>,
    pub result: bool,
    pub rule: Rule,
    /// A remark on this condition (a value that could not be read, a variable left unresolved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub span: Span,
}

/// The rule that decided a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The request's values were compared with the policy's.
    Compared,
    /// Key missing, positive operator: false.
    MissingFalse,
    /// Key missing, negated operator: true.
    MissingTrueNegated,
    /// Key missing, `...IfExists`: true.
    MissingTrueIfExists,
    /// `Null` decides on presence alone.
    NullCheck,
    /// `ForAllValues` with the key missing or empty: true.
    ForallEmptyTrue,
    /// `ForAnyValue` with the key missing or empty: false.
    ForanyEmptyFalse,
    /// A plain operator on a multivalued key: false.
    MultivalueWithoutSetopFalse,
    /// A policy variable had no value and no default.
    UnresolvedVariable,
    /// The operator is unknown or malformed: the condition is false.
    InvalidOperator,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Compared => "compared",
            Rule::MissingFalse => "key missing: a positive operator is false",
            Rule::MissingTrueNegated => "key missing: a negated operator is true",
            Rule::MissingTrueIfExists => "key missing: ...IfExists is true",
            Rule::NullCheck => "Null tests only whether the key is present",
            Rule::ForallEmptyTrue => "ForAllValues with no request values is true",
            Rule::ForanyEmptyFalse => "ForAnyValue with no request values is false",
            Rule::MultivalueWithoutSetopFalse => "a multivalued key needs ForAllValues or ForAnyValue: a plain operator is false",
            Rule::UnresolvedVariable => "a policy variable has no value and no default",
            Rule::InvalidOperator => "the operator is not valid: the condition is false",
        }
    }
}
