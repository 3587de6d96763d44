//! What the page shows from the action catalog. The catalog and the code that reads it
//! live in a second WebAssembly module (`www-catalog`), which `boot.js` loads after the
//! first render together with `catalog.txt` and exposes as `globalThis.iamplayCatalog`;
//! it answers in JSON or in lines of text, read here with the core's own JSON reader. This
//! module draws the literal-context toggle, the least-privilege findings (underlined in
//! the policy editors and listed under each, like diagnostics), the tag-key help panel,
//! autocomplete lists and the "what can this principal do" view.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use iamplay::diagnostic::Span;
use iamplay::evaluation::{CatalogAnswer, CatalogOracle};
use iamplay::json::{self, Json, Value};
use iamplay::lint::{Finding, Kind, Severity};
use iamplay::trace::{CatalogTrace, PolicyType};
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::{on_click, rich};
use crate::state::{Action, Catalog, State};

type Dispatch = UseReducerDispatcher<State>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = answer)]
    fn js_answer(action: &str, resource: &str, keys: &str) -> String;
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = lint)]
    fn js_lint(text: &str, name: &str, kind: &str) -> String;
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = capabilities)]
    fn js_capabilities(text: &str, resource: &str, literal: bool) -> String;
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = complete)]
    fn js_complete(action: &str, principal: &str, region: &str) -> String;
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = tagHelp)]
    fn js_tag_help(action: &str, resource: &str) -> String;
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = leastPrivilege)]
    fn js_least_privilege(text: &str, literal: bool) -> String;
    #[wasm_bindgen(js_namespace = iamplayCatalog, js_name = never)]
    fn js_never(action: &str, resource: &str, key: &str) -> String;
}

fn read(text: &str) -> Option<Json> {
    json::parse(text).json
}

fn text_of(j: &Json, key: &str) -> Option<String> {
    j.get(key).and_then(Json::as_str).map(str::to_string)
}

fn list_of(j: Option<&Json>) -> Vec<String> {
    j.and_then(Json::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// A non-negative integer field (spans, indexes): digits only.
fn number_of(j: &Json, key: &str) -> Option<usize> {
    match &j.get(key)?.value {
        Value::Number(n) => n.bytes().try_fold(0usize, |acc, b| b.is_ascii_digit().then(|| acc * 10 + usize::from(b - b'0'))),
        _ => None,
    }
}

/// The catalog module, asked through JavaScript.
#[derive(Debug)]
struct JsOracle;

impl CatalogOracle for JsOracle {
    fn answer(&self, action: &str, resource: &str, keys: &[String]) -> CatalogAnswer {
        let Some(j) = read(&js_answer(action, resource, &keys.join("\n"))) else { return CatalogAnswer::default() };
        let t = j.get("trace");
        let trace = CatalogTrace {
            action_known: t.and_then(|t| t.get("action_known")).is_some_and(|v| v.value == Value::Bool(true)),
            access_level: t.and_then(|t| text_of(t, "access_level")),
            resource_types: list_of(t.and_then(|t| t.get("resource_types"))),
            resource_type: t.and_then(|t| text_of(t, "resource_type")),
            resource_note: t.and_then(|t| text_of(t, "resource_note")),
            ..CatalogTrace::default()
        };
        let never = j.get("never").and_then(Json::as_array).map(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default();
        CatalogAnswer { trace, never }
    }

    fn lint(&self, text: &str, name: &str, policy_type: PolicyType) -> Vec<Finding> {
        let kind = match policy_type {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::PermissionsBoundary => "permissions_boundary",
            PolicyType::Session => "session",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
        };
        let Some(j) = read(&js_lint(text, name, kind)) else { return Vec::new() };
        let items = j.as_array().unwrap_or_default();
        items
            .iter()
            .filter_map(|f| {
                let span = f.get("span")?;
                Some(Finding {
                    kind: Kind::parse(f.get("kind")?.as_str()?)?,
                    severity: Severity::parse(f.get("severity")?.as_str()?)?,
                    span: Span::new(number_of(span, "start")?, number_of(span, "end")?),
                    message: text_of(f, "message")?,
                    explanation: text_of(f, "explanation").unwrap_or_default(),
                    fix: text_of(f, "fix").unwrap_or_default(),
                    policy: text_of(f, "policy").unwrap_or_default(),
                    statement: number_of(f, "statement"),
                })
            })
            .collect()
    }
}

/// The app's dispatcher once it is mounted, else what arrived before it was.
enum Link {
    Waiting(Option<Action>),
    Mounted(Dispatch),
}

thread_local! {
    static LINK: RefCell<Link> = const { RefCell::new(Link::Waiting(None)) };
}

/// Called once by the app when it mounts.
pub fn connect(d: Dispatch) {
    if let Link::Waiting(Some(a)) = LINK.with(|l| l.replace(Link::Mounted(d.clone()))) {
        d.dispatch(a);
    }
}

fn deliver(action: Action) {
    LINK.with(|l| match &mut *l.borrow_mut() {
        Link::Mounted(d) => d.dispatch(action),
        Link::Waiting(pending) => *pending = Some(action),
    });
}

/// `boot.js` loaded the catalog module and the catalog: evaluate everything again with it.
#[wasm_bindgen]
pub fn catalog_ready(summary: String) {
    deliver(Action::CatalogLoaded(Catalog { oracle: Arc::new(JsOracle), summary }));
}

/// The catalog could not be loaded: say so; evaluation goes on without it.
#[wasm_bindgen]
pub fn catalog_failed(why: &str) {
    deliver(Action::Failed(format!("the action catalog could not be loaded: {why}"), Some("evaluation goes on without it: no resource-type checks, key availability or findings".into())));
}

/// The catalog's state and the literal-context toggle, for the toolbar.
pub fn view_toolbar(state: &State, d: &Dispatch) -> Html {
    let onchange = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            d.dispatch(Action::SetLiteral(input.checked()));
        })
    };
    let status = state.catalog.as_ref().map_or("loading the action catalog\u{2026}", |c| c.summary.as_str());
    html! {
        <>
            <label class="toggle" title="evaluate each request's context exactly as given, even keys its action never carries">
                <input type="checkbox" data-testid="literal-toggle" checked={state.literal} {onchange} />
                { " literal context" }
            </label>
            <span class="catalog-status" data-testid="catalog-status">{ status.to_string() }</span>
        </>
    }
}

/// A policy's findings as diagnostics for its editor: underlined like them, and listed
/// under the editor with their explanation and fix.
pub fn add_findings(state: &State, policy: usize, out: &mut Vec<iamplay::diagnostic::Diagnostic>) {
    for (i, f) in &state.report.findings {
        if *i == policy {
            out.push(f.to_diagnostic());
        }
    }
}

/// The tag keys a user might reach for, with whether this action carries them and where
/// their value comes from (worded by the catalog module).
pub fn view_tag_help(state: &State, i: usize) -> Html {
    if state.catalog.is_none() {
        return html! {};
    }
    let r = &state.doc.requests[i];
    let text = js_tag_help(&r.action, &r.resource);
    let mut rows = text.split('\n');
    let Some(summary) = rows.next().filter(|s| !s.is_empty()) else { return html! {} };
    html! {
        <details class="tag-help" data-testid={format!("tag-help-{i}")}>
            <summary>{ summary.to_string() }</summary>
            <ul>
                { for rows.filter(|r| !r.is_empty()).map(|row| {
                    let (class, said) = row.split_once('\t').unwrap_or(("", row));
                    html! { <li class={class.to_string()}>{ rich(said) }</li> }
                }) }
            </ul>
        </details>
    }
}

/// `<datalist>`s for request `i`: actions matching what is typed, the ARN templates of the
/// action (with the principal's account and the scenario's region), and the keys the action
/// can carry.
pub fn view_datalists(state: &State, i: usize) -> Html {
    if state.catalog.is_none() {
        return html! {};
    }
    let doc = &state.doc;
    let lines = js_complete(&doc.requests[i].action, &doc.principal.arn, &doc.region);
    let options = |tag: &str| -> Html { lines.split('\n').filter_map(|l| l.strip_prefix(tag)).map(|o| html! { <option value={o.to_string()} /> }).collect() };
    html! {
        <>
            <datalist id={format!("actions-{i}")} data-testid={format!("actions-list-{i}")}>{ options("a\t") }</datalist>
            <datalist id={format!("arns-{i}")} data-testid={format!("arns-list-{i}")}>{ options("r\t") }</datalist>
            <datalist id={format!("keys-{i}")} data-testid={format!("keys-list-{i}")}>{ options("k\t") }</datalist>
        </>
    }
}

thread_local! {
    /// The last answer asked for and its text, one per view (capabilities, least
    /// privilege): drawing again (a keystroke elsewhere) does not walk the catalog again
    /// unless the scenario, the resource or the toggle changed.
    static LAST: RefCell<[(String, Rc<String>); 2]> = RefCell::new(Default::default());
}

fn memo(slot: usize, key: String, ask: &dyn Fn() -> String) -> Rc<String> {
    LAST.with(|last| {
        let last = &mut last.borrow_mut()[slot];
        if last.0 != key || last.1.is_empty() {
            *last = (key, Rc::new(ask()));
        }
        last.1.clone()
    })
}

fn capabilities_text(state: &State) -> Rc<String> {
    let text = state.scenario_text();
    memo(0, format!("{}\n{}\n{text}", state.literal, state.capabilities_resource), &|| js_capabilities(&text, &state.capabilities_resource, state.literal))
}

/// In place of "+ add to request" for a key the request's action never carries: why, and
/// what to test instead (the catalog module words it).
pub fn view_never(state: &State, i: usize, key: &str) -> Html {
    let r = &state.doc.requests[i];
    html! { <p class="never">{ rich(&js_never(&r.action, &r.resource, key)) }</p> }
}

/// The smallest identity policy allowing the scenario's requests (as the catalog module
/// writes and verifies it), with what the current policies allow beyond it; copied, or
/// made the identity policy in one click (the scenario before stays one click away).
pub fn view_least_privilege(state: &State, d: &Dispatch) -> Html {
    let open = state.least_privilege_open;
    let answer = if open && state.catalog.is_some() {
        let text = state.scenario_text();
        memo(1, format!("{}\n{text}", state.literal), &|| js_least_privilege(&text, state.literal))
    } else {
        Rc::new(String::new())
    };
    // The policy, then the report after a form feed.
    let (policy, report) = answer.split_once('\u{c}').unwrap_or(("", &answer));
    let top = html! {
        if !policy.is_empty() {
            <pre class="fix" data-testid="least-privilege-policy">{ policy }</pre>
            // Copied by `boot.js` (see there): no clipboard code in the app's wasm for it.
            <button type="button" data-copy="least-privilege-policy">{ "Copy" }</button>
            <button type="button" data-testid="least-privilege-use" disabled={state.parts_locked()} onclick={on_click(d, Action::UseIdentityPolicy(policy.to_string()))}>{ "Use as the identity policy" }</button>
        }
    };
    view_answer(state, d, "least-privilege", "Least-privilege policy for these requests", open, Action::ToggleLeastPrivilege, top, report)
}

/// "What can this principal do": the allowed actions of the whole catalog, by service and
/// access level, for the chosen resource or for any (drawn as the catalog module words it).
pub fn view_capabilities(state: &State, d: &Dispatch) -> Html {
    let oninput = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            d.dispatch(Action::SetCapabilitiesResource(input.value()));
        })
    };
    let text = if state.capabilities_open && state.catalog.is_some() { capabilities_text(state) } else { Rc::new(String::new()) };
    let top = html! {
        <div class="field">
            <label for="capabilities-resource">{ "For the resource (empty: any resource)" }</label>
            <input id="capabilities-resource" type="text" spellcheck="false" autocomplete="off" placeholder="arn:aws:s3:::bucket/key"
                value={state.capabilities_resource.clone()} data-testid="capabilities-resource" {oninput} />
        </div>
    };
    view_answer(state, d, "capabilities", "What can this principal do?", state.capabilities_open, Action::ToggleCapabilities, top, &text)
}

/// A catalog module's answer behind a toggle, once the catalog is here: `top`, the
/// answer's first line, then one folded block per unindented line with the indented lines
/// under it (so that thousands of actions draw only what is opened), then its `note: `
/// lines.
#[allow(clippy::too_many_arguments)]
fn view_answer(state: &State, d: &Dispatch, id: &'static str, title: &'static str, open: bool, toggle: Action, top: Html, text: &str) -> Html {
    if state.catalog.is_none() {
        return html! {};
    }
    let (summary, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut blocks: Vec<(&str, String)> = Vec::new();
    let mut notes: Vec<&str> = Vec::new();
    for line in rest.split('\n') {
        if let Some(n) = line.strip_prefix("note: ") {
            notes.push(n);
        } else if let Some(group) = line.strip_prefix("  ") {
            if let Some((_, body)) = blocks.last_mut() {
                body.push_str(group);
                body.push('\n');
            }
        } else if !line.is_empty() {
            blocks.push((line, String::new()));
        }
    }
    html! {
        <section class="capabilities" aria-label={title} data-testid={id}>
            <h3>
                <button type="button" class="secondary" aria-expanded={open.to_string()} data-testid={format!("{id}-toggle")} onclick={on_click(d, toggle)}>
                    { title }
                </button>
            </h3>
            if open {
                { top }
                <p class="status" data-testid={format!("{id}-summary")}>{ summary.to_string() }</p>
                <ul class="capabilities-services" data-testid={format!("{id}-services")}>
                    { for blocks.into_iter().map(|(head, body)| html! {
                        <li><details><summary>{ head.to_string() }</summary><pre>{ body }</pre></details></li>
                    }) }
                </ul>
                { for notes.into_iter().map(|n| html! { <p class="hint">{ rich(n) }</p> }) }
            }
        </section>
    }
}
