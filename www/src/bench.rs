//! A measuring hook for the end-to-end performance test (`tests/e2e/perf.test.mjs`):
//! evaluates a scenario text `iterations` times in wasm and draws nothing, so the page can
//! time the core alone. It changes nothing the page does and costs a few hundred bytes of
//! wasm; the app's own path is measured separately, from an input event to the updated DOM.

use wasm_bindgen::prelude::wasm_bindgen;

/// Reads and evaluates `text` `iterations` times; returns how many requests were
/// evaluated in all, so the caller can divide its timing per request.
#[wasm_bindgen]
pub fn bench_evaluate(text: &str, iterations: u32) -> u32 {
    let mut requests = 0u32;
    for _ in 0..iterations {
        let report = iamplay::scenario::evaluate_text(core::hint::black_box(text));
        requests = requests.saturating_add(report.results.len() as u32);
    }
    requests
}
