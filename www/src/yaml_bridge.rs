//! The page's YAML reader: the core's [`iamplay::yaml_reader`] hook, served by a second wasm
//! module (`www/yaml-reader`) that `yaml-bridge.js` loads on demand. Until it has loaded, a
//! YAML text reads as "loading" and the app evaluates again when the module is there.

use iamplay::diagnostic::{Diagnostic, Span};
use iamplay::json::Parsed;
use iamplay::tree_transfer;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/yaml-bridge.js")]
extern "C" {
    fn load_yaml_reader();
    fn read_yaml_text(text: &str) -> Option<String>;
    fn yaml_reader_failure() -> Option<String>;
}

/// The window event sent when the reader has loaded, or failed to.
pub const READY_EVENT: &str = "iamplay-yaml-reader";

/// Makes the core read YAML through the second module.
pub fn install() {
    iamplay::yaml_reader::set_external(read);
}

/// Starts loading the reader, so that a template pasted later reads at once.
pub fn preload() {
    load_yaml_reader();
}

fn read(text: &str) -> Parsed {
    let error = |message: String, help: &str| Parsed { json: None, errors: vec![Diagnostic::error(Span::new(0, 0), message).with_help(help)] };
    match read_yaml_text(text) {
        Some(flat) => tree_transfer::decode(&flat).unwrap_or_else(|e| error(format!("the YAML reader answered in a form this page does not know ({e})"), "reload the page")),
        None => match yaml_reader_failure() {
            Some(failure) => error(format!("the YAML reader could not be used: {failure}"), "reload the page, or paste the document as JSON"),
            None => error("reading YAML: the YAML reader is loading".into(), "the answer appears in a moment"),
        },
    }
}
