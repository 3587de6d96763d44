//! The scenario reader (JSON or YAML, scenarios, templates and task definitions) and the
//! evaluation of every request it finds.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let report = iamplay::scenario::evaluate_text(text);
    common::check_spans(text, &report.diagnostics);
});
