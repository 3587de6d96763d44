//! iamplay: evaluates AWS IAM policies as the AWS documentation describes, and explains
//! every decision.
//!
//! The core is pure: no I/O, no browser. The `iamplay` command-line tool and the browser
//! app (`www/`) are thin shells over [`scenario::evaluate_text`] and [`explain`].

pub mod arn;
pub mod arn_format;
pub mod capabilities;
pub mod availability;
pub mod catalog;
pub mod catalog_query;
pub mod cloudformation;
pub mod condition;
pub mod context;
pub mod diagnostic;
pub mod document;
pub mod ecs;
pub mod evaluation;
pub mod explain;
pub mod json;
pub mod least_privilege;
pub mod lint;
pub mod managed_policies;
pub mod policy;
pub mod principal;
pub mod role;
pub mod scenario;
pub mod share;
pub mod suggest;
pub mod trace;
pub mod tree_transfer;
pub mod variables;
pub mod wildcard;
/// The YAML reader itself (feature `yaml`); [`yaml_reader`] is the way in.
#[cfg(feature = "yaml")]
pub mod yaml;
pub mod yaml_reader;
