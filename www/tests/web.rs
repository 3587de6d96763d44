//! In-browser tests (`cargo test -p iamplay-www --target wasm32-unknown-unknown`): the core
//! evaluates the example compiled to wasm, and the mounted app shows its decisions and
//! follows edits, in the scenario file tab and in a policy's own editor.
#![cfg(target_arch = "wasm32")]

use iamplay::scenario::evaluate_text;
use iamplay::trace::Decision;
use iamplay_www::state::EXAMPLE;
use iamplay_www::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlTextAreaElement, InputEvent, InputEventInit};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn core_evaluates_the_example_in_wasm() {
    let report = evaluate_text(EXAMPLE);
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    let decisions: Vec<Decision> = report.results.iter().map(|r| r.outcome.decision).collect();
    assert_eq!(decisions, [Decision::ImplicitDeny, Decision::Allowed]);
    for result in &report.results {
        assert_eq!(result.expect, Some(result.outcome.decision));
    }
}

#[wasm_bindgen_test]
async fn app_shows_the_example_decisions() {
    let root = mount().await;
    assert_eq!(text(&root, "[data-testid=decision-0]"), "implicit deny");
    assert_eq!(text(&root, "[data-testid=decision-1]"), "allowed");
    assert_eq!(
        attribute(&root, "[data-testid=decision-0]", "data-decision"),
        "implicitDeny"
    );
    assert!(!text(&root, "[data-testid=why-0]").is_empty());
    show_file_tab(&root).await;
    assert_eq!(editor(&root).value(), EXAMPLE);
}

#[wasm_bindgen_test]
async fn editing_a_policy_by_part_re_evaluates_and_marks_the_deciding_statement() {
    let root = mount().await;
    let area: HtmlTextAreaElement = root.query_selector("[data-testid=policy-editor-0]").unwrap().expect("the policy editor").dyn_into().unwrap();
    let changed = area.value().replace("aws:RequestTag/Status", "aws:PrincipalTag/Status");
    set_value(&area, &changed).await;
    assert_eq!(text(&root, "[data-testid=decision-0]"), "allowed");
    // The allowing statement of the selected request is highlighted in the policy's editor.
    assert!(root.query_selector("[data-testid=policy-0] .decided-allow").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn editing_the_policy_re_evaluates() {
    let root = mount().await;
    show_file_tab(&root).await;
    let text_now = EXAMPLE.replace(
        r#""StringEquals": { "aws:RequestTag/Status""#,
        r#""StringEquals": { "aws:PrincipalTag/Status""#,
    );
    type_into(&root, &text_now).await;
    assert_eq!(text(&root, "[data-testid=decision-0]"), "allowed");
}

#[wasm_bindgen_test]
async fn invalid_json_shows_a_located_diagnostic_and_recovers() {
    let root = mount().await;
    show_file_tab(&root).await;
    type_into(&root, "{\n  \"scenario\": 1,\n  oops\n}").await;
    let position = text(&root, "[data-testid=diagnostic-position]");
    let (line, column) = position.split_once(':').expect("LINE:COLUMN");
    assert!(
        line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok(),
        "{position}"
    );
    type_into(&root, EXAMPLE).await;
    assert!(root
        .query_selector("[data-testid=diagnostic]")
        .unwrap()
        .is_none());
    assert_eq!(text(&root, "[data-testid=decision-1]"), "allowed");
}

/// Mounts a fresh app in its own element and waits for its first render. Local storage is
/// cleared first: the app restores saved work, and each test starts from the example.
async fn mount() -> Element {
    let window = web_sys::window().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

async fn show_file_tab(root: &Element) {
    let tab: HtmlElement = root.query_selector("[data-testid=tab-file]").unwrap().expect("the file tab").dyn_into().unwrap();
    tab.click();
    yew::scheduler::flush().await;
}

fn editor(root: &Element) -> HtmlTextAreaElement {
    root.query_selector("[data-testid=editor]")
        .unwrap()
        .expect("a textarea")
        .dyn_into()
        .unwrap()
}

/// Replaces the editor's text the way typing does: set the value, fire a bubbling `input`.
async fn type_into(root: &Element, value: &str) {
    set_value(&editor(root), value).await;
}

async fn set_value(area: &HtmlTextAreaElement, value: &str) {
    area.set_value(value);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

fn text(root: &Element, selector: &str) -> String {
    let element = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no `{selector}`"));
    element.text_content().unwrap_or_default().trim().to_owned()
}

fn attribute(root: &Element, selector: &str, name: &str) -> String {
    let element = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no `{selector}`"));
    element.get_attribute(name).unwrap_or_default()
}
