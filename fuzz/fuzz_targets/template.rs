//! The YAML reader and the CloudFormation template reader.
#![no_main]
use std::collections::BTreeMap;

use iamplay::cloudformation::{read_template, Pseudo};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = iamplay::yaml::parse(text);
    common::check_spans(text, &parsed.errors);
    if let Some(root) = parsed.json {
        let mut diagnostics = Vec::new();
        let _ = read_template(&root, &Pseudo::default(), &BTreeMap::new(), &mut diagnostics);
        common::check_spans(text, &diagnostics);
    }
});
