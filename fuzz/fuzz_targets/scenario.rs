//! The scenario reader (JSON or YAML, scenarios, templates and task definitions) and the
//! evaluation of every request it finds, without the action catalog and with it (as the
//! command evaluates by default: resource types classified by ARN format, key availability).
#![no_main]
use std::sync::{Arc, OnceLock};

use iamplay::catalog::Catalog;
use iamplay::scenario::{evaluate_text, evaluate_text_with, Settings};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn with_catalog() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let catalog = Catalog::parse(include_str!("../../catalog/catalog.txt")).expect("catalog/catalog.txt reads");
        Settings { catalog: Some(Arc::new(catalog)), ..Settings::default() }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let report = evaluate_text(text);
    common::check_spans(text, &report.diagnostics);
    let report = evaluate_text_with(text, with_catalog());
    common::check_spans(text, &report.diagnostics);
});
