//! Where YAML is read. The command-line tool and the tests build the reader in (feature
//! `yaml`, on by default). The page leaves it out of its main module and loads it as a
//! second module when a YAML text first appears (see `www/src/yaml_bridge.rs`); it hands
//! the core a function that returns the tree that module read ([`crate::tree_transfer`]).

use std::sync::OnceLock;

#[cfg(not(feature = "yaml"))]
use crate::diagnostic::{Diagnostic, Span};
use crate::json::Parsed;

/// Reads a YAML text into the span-keeping tree, as [`crate::json::parse`] reads JSON.
pub type Reader = fn(&str) -> Parsed;

#[cfg_attr(feature = "yaml", allow(dead_code))]
static EXTERNAL: OnceLock<Reader> = OnceLock::new();

/// Sets the reader a build without the `yaml` feature uses. Only the first call counts.
pub fn set_external(reader: Reader) -> bool {
    EXTERNAL.set(reader).is_ok()
}

/// Reads a YAML text with the built-in reader, or else with the one set by [`set_external`].
pub fn read(text: &str) -> Parsed {
    #[cfg(feature = "yaml")]
    {
        crate::yaml::parse(text)
    }
    #[cfg(not(feature = "yaml"))]
    match EXTERNAL.get() {
        Some(reader) => reader(text),
        None => Parsed {
            json: None,
            errors: vec![Diagnostic::error(Span::new(0, 0), "this build reads JSON only").with_help("paste the document as JSON")],
        },
    }
}
