//! The Yew view: the scenario by part (principal, policies by type, requests with their
//! tags and context) or as a file, and for each request the decision, why, and the trace.
//!
//! Everything shown comes from the core's reports; this module only arranges it and turns
//! events into `Action`s. All user text is rendered as text nodes (never as HTML), so a policy
//! holding markup is shown, not run.

use std::rc::Rc;

use iamplay::diagnostic::Diagnostic;
use iamplay::document::{ContextEntry, Part, PolicyKind, ValueKind};
use iamplay::scenario::{RequestResult, ScenarioReport};
use iamplay::trace::{ConditionTrace, MatchTrace, Outcome, PolicyTrace, StatementRef, StatementTrace, Step};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::catalog_view;
use crate::editor::CodeEditor;
use crate::effects;
use crate::yaml_bridge;
use crate::present::{
    check_label, code_spans, understood_facts, decision_class, decision_label, expectation, fix_text, match_summary, who_label, quoted_list, request_title, request_values, statement_name, status_line, truth,
    verdict_label,
};
use crate::state::{Action, Origin, PrincipalField, RequestField, ScenarioField, State, Tab, Tone, STARTER_TASK_DEFINITION};
use iamplay::ecs::Status;

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(State::reduce(&self, action))
    }
}

type Dispatch = UseReducerDispatcher<State>;

#[component(App)]
pub fn app() -> Html {
    // A link in the address bar was unpacked before the first render (`crate::run`).
    let state = use_reducer(|| State::start(effects::load_stored().as_deref(), effects::take_startup_link()));
    let d = state.dispatcher();

    // Once: later links pasted into the address bar open too; a link that opened is removed
    // from the address bar (the saved state holds it now).
    {
        let d = d.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if let Some(f) = effects::fragment() {
                    let d = d.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let link = effects::open_link(&f).await;
                        let ok = link.is_ok();
                        d.dispatch(Action::OpenLink(link));
                        if ok {
                            effects::clear_fragment();
                        }
                    });
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    // Once: the YAML reader starts loading after the first render, and its arrival (or
    // failure) evaluates again whatever read as "loading".
    {
        let d = d.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || d.dispatch(Action::Reevaluate));
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(yaml_bridge::READY_EVENT, listener.as_ref().unchecked_ref());
            }
            yaml_bridge::preload();
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(yaml_bridge::READY_EVENT, listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    // Autosave: every change of what would be lost, written at once (never on unload). A
    // refusal is shown until a later save succeeds.
    {
        let (d, unsaved) = (d.clone(), state.unsaved);
        use_effect_with(state.persisted(), move |p| {
            let saved = effects::save(p);
            if saved == unsaved {
                d.dispatch(Action::SaveResult(saved));
            }
        });
    }
    // The catalog arrives after the first render (boot.js fetches it), through this.
    {
        let d = d.clone();
        use_effect_with((), move |_| {
            catalog_view::connect(d);
            || ()
        });
    }

    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let d = d.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e.data_transfer().and_then(|t| t.files()).and_then(|f| f.get(0)) {
                import(d.clone(), file);
            }
        })
    };

    html! {
        <div class="page" data-catalog={if state.catalog.is_some() { "ready" } else { "loading" }} {ondragover} {ondrop}>
            { view_header(&state, &d) }
            { view_banner(&state, &d) }
            if state.gallery_open {
                { view_gallery(&state, &d) }
            }
            <main class="workspace">
                <section class="inputs" aria-label="Scenario">
                    { view_tabs(&state, &d) }
                    if state.tab == Tab::Parts {
                        { view_parts(&state, &d) }
                    } else {
                        { view_file(&state, &d) }
                    }
                </section>
                <section class="results" aria-labelledby="results-heading">
                    { view_results(&state, &d) }
                </section>
            </main>
        </div>
    }
}

fn import(d: Dispatch, file: web_sys::File) {
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.name();
        match effects::read_file(file).await {
            Ok(text) => d.dispatch(Action::Open(text, Origin::File(name))),
            Err(message) => d.dispatch(Action::Failed(message, Some("import a scenario file (JSON)".into()))),
        }
    });
}

fn value_of_input(e: &InputEvent) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| e.target_dyn_into::<HtmlTextAreaElement>().map(|t| t.value()))
        .unwrap_or_default()
}

fn value_of_select(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

fn on_text(d: &Dispatch, f: impl Fn(String) -> Action + 'static) -> Callback<InputEvent> {
    let d = d.clone();
    Callback::from(move |e: InputEvent| d.dispatch(f(value_of_input(&e))))
}

pub fn on_click(d: &Dispatch, action: Action) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_: MouseEvent| d.dispatch(action.clone()))
}

fn view_header(state: &State, d: &Dispatch) -> Html {
    // The examples are fetched when the gallery first opens.
    let toggle_gallery = {
        let (d, fetch) = (d.clone(), state.gallery.is_none() && !state.gallery_open);
        Callback::from(move |_: MouseEvent| {
            d.dispatch(Action::ToggleGallery);
            if fetch {
                let d = d.clone();
                wasm_bindgen_futures::spawn_local(async move { d.dispatch(Action::GalleryLoaded(effects::load_examples().await)) });
            }
        })
    };
    let copy = {
        let d = d.clone();
        let text = state.scenario_text();
        Callback::from(move |_: MouseEvent| {
            let (d, text) = (d.clone(), text.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let link = match effects::share_url(&text).await {
                    Ok(link) => link,
                    Err(why) => return d.dispatch(Action::Failed(format!("the link could not be made: {why}"), None)),
                };
                // The link is shown either way, so it can be copied by hand if the
                // browser refuses the clipboard.
                let copied = effects::copy(link.clone()).await;
                d.dispatch(Action::Shared(link));
                if let Err(why) = copied {
                    d.dispatch(Action::Failed(format!("the link could not be copied: {why}"), Some("copy it from the field next to the button".into())));
                }
            });
        })
    };
    let export = {
        let text = state.scenario_text();
        let name = file_name(&state.doc.name);
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            if effects::download(&name, &text).is_err() {
                d.dispatch(Action::Failed("the file could not be offered for download".into(), None));
            }
        })
    };
    let onchange = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                import(d.clone(), file);
            }
            input.set_value("");
        })
    };
    html! {
        <header class="titlebar">
            <div class="brand">
                <h1>{ "iamplay" }</h1>
                <p class="tagline">{ "Would AWS allow this? Edit the scenario; the decision follows every keystroke, evaluated in your browser." }</p>
            </div>
            <nav class="toolbar" aria-label="Scenario actions">
                <button type="button" aria-expanded={state.gallery_open.to_string()} aria-controls="gallery" data-testid="examples-toggle" onclick={toggle_gallery}>{ "Examples" }</button>
                <button type="button" data-testid="new-scenario" onclick={on_click(d, Action::Open(iamplay::document::to_scenario_text(&iamplay::document::ScenarioDoc::blank()), Origin::Example("blank scenario".into())))}>{ "New" }</button>
                if state.previous.is_some() {
                    <button type="button" data-testid="restore-previous" title="swap back to the scenario the last open replaced" onclick={on_click(d, Action::RestorePrevious)}>{ "Previous scenario" }</button>
                }
                <button type="button" data-testid="copy-link" onclick={copy}>{ "Copy link" }</button>
                <button type="button" data-testid="export" onclick={export}>{ "Export" }</button>
                <input id="import-file" class="visually-hidden" type="file" accept=".json,application/json,text/plain" data-testid="import" {onchange} />
                <label class="button" for="import-file">{ "Import" }</label>
                { catalog_view::view_toolbar(state, d) }
                if let Some(link) = &state.share_link {
                    <input class="share-link" type="text" readonly=true aria-label="Share link" data-testid="share-link" value={link.clone()} />
                }
            </nav>
        </header>
    }
}

fn file_name(name: &str) -> String {
    let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    if slug.is_empty() {
        "scenario.json".into()
    } else {
        format!("{slug}.json")
    }
}

fn view_banner(state: &State, d: &Dispatch) -> Html {
    let unsaved = state.unsaved.then(|| html! {
        <div class="banner error" role="alert" data-testid="unsaved">
            <p>{ "Your work is not being saved: the browser's local storage is full or unavailable." }<span class="help">{ " \u{2014} export the scenario to a file to keep it" }</span></p>
        </div>
    });
    let Some(banner) = &state.banner else { return html! { <>{ unsaved }</> } };
    let error = banner.tone == Tone::Error;
    html! {
        <>
        { unsaved }
        <div class={classes!("banner", if error { "error" } else { "info" })} role={if error { "alert" } else { "status" }} data-testid="banner">
            <p>
                <span class="banner-message">{ rich(&banner.message) }</span>
                if let Some(help) = &banner.help {
                    <span class="help">{ " \u{2014} " }{ rich(help) }</span>
                }
            </p>
            if banner.offer_restore && state.previous.is_some() {
                <button type="button" data-testid="banner-restore" onclick={on_click(d, Action::RestorePrevious)}>{ "Bring back the previous scenario" }</button>
            }
            <button type="button" class="secondary" aria-label="Dismiss this message" data-testid="banner-dismiss" onclick={on_click(d, Action::DismissBanner)}>{ "Dismiss" }</button>
        </div>
        </>
    }
}

fn view_gallery(state: &State, d: &Dispatch) -> Html {
    let list = match &state.gallery {
        None => html! { <p class="hint" data-testid="gallery-loading">{ "Loading the examples…" }</p> },
        Some(Err(why)) => html! { <p class="hint" role="alert">{ format!("the examples could not be loaded: {why}") }</p> },
        Some(Ok(examples)) => html! {
            <ul>
                { for examples.iter().map(|e| {
                    let doc = iamplay::document::from_scenario_text(&e.text).unwrap_or_default();
                    html! {
                        <li>
                            <button type="button" class="example" data-testid={format!("example-{}", e.id)} onclick={on_click(d, Action::OpenExample(e.clone()))}>
                                <span class="example-name">{ doc.name }</span>
                                <span class="example-notes">{ doc.notes }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <section id="gallery" class="gallery" aria-labelledby="gallery-heading" data-testid="gallery">
            <h2 id="gallery-heading">{ "Examples" }</h2>
            { list }
        </section>
    }
}

fn view_tabs(state: &State, d: &Dispatch) -> Html {
    let tab = |t: Tab, label: &'static str, id: &'static str| {
        let selected = state.tab == t;
        html! {
            <button type="button" role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()} aria-controls="tab-panel"
                class={classes!("tab", selected.then_some("selected"))} data-testid={format!("tab-{id}")} onclick={on_click(d, Action::ShowTab(t))}>{ label }</button>
        }
    };
    html! {
        <div class="tabs" role="tablist" aria-label="Edit the scenario">
            { tab(Tab::Parts, "By part", "parts") }
            { tab(Tab::File, "Scenario file", "file") }
        </div>
    }
}

/// A text field; `list` names a `<datalist>` of suggestions.
fn field(id: String, label: &str, value: &str, oninput: Callback<InputEvent>, placeholder: &str, testid: String, list: Option<String>) -> Html {
    html! {
        <div class="field">
            <label for={id.clone()}>{ label.to_string() }</label>
            <input id={id} type="text" spellcheck="false" autocomplete="off" {list} value={value.to_string()} placeholder={placeholder.to_string()} data-testid={testid} {oninput} />
        </div>
    }
}

fn view_parts(state: &State, d: &Dispatch) -> Html {
    let doc = &state.doc;
    let locked = state.parts_locked();
    let scenario_diags: Vec<&Diagnostic> = state.report.diagnostics_of(Part::Scenario).collect();
    html! {
        <div id="tab-panel" role="tabpanel" aria-labelledby="tab-parts" class="parts">
            if locked {
                <div class="banner error" role="alert">
                    <p>{ "The scenario file has errors, so its parts cannot be shown. Fix it in the Scenario file tab, or drop those edits." }</p>
                    <button type="button" data-testid="discard-file" onclick={on_click(d, Action::DiscardFile)}>{ "Drop the file edits" }</button>
                </div>
            }
            <fieldset disabled={locked} class="parts-fields">
                <legend class="visually-hidden">{ "Scenario parts" }</legend>
                <section class="card" aria-labelledby="scenario-heading">
                    <h2 id="scenario-heading">{ "Scenario" }</h2>
                    <div class="grid-2">
                        { field("scenario-name-input".into(), "Name", &doc.name, on_text(d, |v| Action::SetScenario(ScenarioField::Name, v)), "Untitled scenario", "scenario-name-input".into(), None) }
                        { field("scenario-account".into(), "Account", &doc.account, on_text(d, |v| Action::SetScenario(ScenarioField::Account, v)), "111122223333", "scenario-account".into(), None) }
                        { field("scenario-region".into(), "Region", &doc.region, on_text(d, |v| Action::SetScenario(ScenarioField::Region, v)), "us-east-1", "scenario-region".into(), None) }
                    </div>
                    <div class="field">
                        <label for="scenario-notes">{ "Notes" }</label>
                        <textarea id="scenario-notes" rows="2" value={doc.notes.clone()} oninput={on_text(d, |v| Action::SetScenario(ScenarioField::Notes, v))} />
                    </div>
                    if !scenario_diags.is_empty() {
                        { view_plain_diagnostics(&scenario_diags, "scenario-diagnostics") }
                    }
                </section>
                { view_task_definition(state, d) }
                { view_principal(state, d) }
                { view_policies(state, d) }
                { view_requests(state, d) }
            </fieldset>
        </div>
    }
}

/// Diagnostics of parts that have no text editor (principal, requests, the scenario).
fn view_plain_diagnostics(ds: &[&Diagnostic], testid: &str) -> Html {
    html! {
        <ul class="diag-list" data-testid={testid.to_string()}>
            { for ds.iter().map(|d| html! {
                <li class={classes!("diagnostic", if d.is_error() { "error" } else { "warning" })} data-testid="diagnostic">
                    <span class="severity">{ if d.is_error() { "error" } else { "warning" } }</span>{ ": " }
                    <span class="message">{ rich(&d.message) }</span>
                    if let Some(help) = &d.help {
                        <span class="help">{ "help: " }{ rich(help) }</span>
                    }
                </li>
            }) }
        </ul>
    }
}

/// The task definition pane: the pasted task definition or template, what the core
/// understood of it, and its checklist, each line one click away from being the current
/// request.
fn view_task_definition(state: &State, d: &Dispatch) -> Html {
    let doc = &state.doc;
    if doc.task_definition.is_empty() {
        let raw = doc.extra.iter().any(|e| e.key == "task_definition");
        return html! {
            <section class="card collapsed" aria-labelledby="td-heading" data-testid="task-definition-pane">
                <h2 id="td-heading">{ "Task definition" }</h2>
                if raw {
                    <p class="hint">{ "This task definition is written in a form the pane cannot show; edit it in the Scenario file tab." }</p>
                } else {
                    <p class="hint">{ "Optional: paste a task definition or CloudFormation template (JSON or YAML) to check the calls the task needs." }</p>
                    <button type="button" data-testid="add-task-definition" onclick={on_click(d, Action::SetTaskDefinition(STARTER_TASK_DEFINITION.into()))}>{ "Add a task definition" }</button>
                }
            </section>
        };
    }
    let diagnostics: Rc<Vec<Diagnostic>> = Rc::new(state.report.diagnostics_of(Part::TaskDefinition).cloned().collect());
    let on_input = on_edit(d, Box::new(Action::SetTaskDefinition));
    let report = &state.report.scenario;
    html! {
        <section class="card task-definition" aria-labelledby="td-heading" data-testid="task-definition-pane">
            <header class="policy-head">
                <h2 id="td-heading"><label for="task-definition">{ "Task definition" }</label><span class="sub">{ " task definition or CloudFormation template, JSON or YAML" }</span></h2>
                <button type="button" class="secondary" data-testid="remove-task-definition" onclick={on_click(d, Action::SetTaskDefinition(String::new()))}>{ "Remove" }</button>
            </header>
            <CodeEditor id="task-definition" label="Task definition (JSON or YAML)" text={AttrValue::from(doc.task_definition.clone())} {on_input} {diagnostics} testid="task-definition" max_rows={24} />
            if let Some(task) = &report.task {
                { view_understood(task) }
            }
            if !report.checklist.is_empty() {
                { view_checklist(state, d) }
            }
        </section>
    }
}

fn view_understood(task: &iamplay::ecs::Summary) -> Html {
    html! {
        <div class="understood" data-testid="td-understood">
            <h3>{ "What was understood" }</h3>
            <dl class="facts">
                { for understood_facts(task).into_iter().map(|(label, value)| html! { <><dt>{ label }</dt><dd>{ rich(&value) }</dd></> }) }
            </dl>
            <p class="note" data-testid="task-tags-note"><strong>{ "Task tags never become principal tags." }</strong>{ " " }{ rich(TASK_TAGS_INSTEAD) }</p>
        </div>
    }
}

/// What works where people reach for task tags: said beside the task tags and the
/// principal's tags.
const TASK_TAGS_INSTEAD: &str = "The task role's calls carry the role's own tags as `aws:PrincipalTag/*`; task tags only reach ECS calls on the task (`aws:ResourceTag/*`). Instead: tag the role and test `aws:PrincipalTag/KEY`, or test object tags with `s3:ExistingObjectTag/KEY`.";

fn view_checklist(state: &State, d: &Dispatch) -> Html {
    let lines = &state.report.scenario.checklist;
    let count = |s: Status| lines.iter().filter(|l| l.status == s).count();
    let usable = !state.parts_locked() && !state.doc.requests_are_raw();
    html! {
        <div class="checklist" data-testid="checklist">
            <h3>{ "Checklist" }<span class="sub">{ format!(" what the task needs: {} pass, {} fail, {} not evaluated", count(Status::Pass), count(Status::Fail), count(Status::NotEvaluated)) }</span></h3>
            <ol>
                { for lines.iter().enumerate().map(|(i, l)| {
                    let (label, class) = check_label(l.status);
                    html! {
                        <li class={classes!("check", class)} data-testid={format!("check-{i}")} data-status={class}>
                            <p class="check-head">
                                <span class={classes!("check-status", class)}>{ label }</span>{ " " }
                                <span class="who">{ who_label(l.requirement.who) }</span>{ ": " }
                                <code>{ l.requirement.action.clone() }</code>{ " on " }<code class="arn">{ l.requirement.resource.clone() }</code>
                            </p>
                            { for [&l.requirement.why, &l.explanation].into_iter().chain(&l.requirement.note).chain(&l.advice).map(|t| html! { <p>{ rich(t) }</p> }) }
                            if let Some(fix) = &l.fix {
                                <p>{ "Smallest fix: add to " }{ rich(&fix.place) }</p>
                                <pre class="fix" data-testid={format!("check-fix-{i}")}>{ fix_text(&fix.statement) }</pre>
                            }
                            if usable {
                                <button type="button" class="secondary small" data-testid={format!("check-use-{i}")} onclick={on_click(d, Action::UseChecklistLine(i))}>{ "Make this the current request" }</button>
                            }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

fn view_principal(state: &State, d: &Dispatch) -> Html {
    let p = &state.doc.principal;
    let diags: Vec<&Diagnostic> = state.report.diagnostics_of(Part::Principal).collect();
    if state.doc.principal_is_raw() {
        return html! {
            <section class="card" aria-labelledby="principal-heading">
                <h2 id="principal-heading">{ "Principal" }</h2>
                <p class="hint">{ "This principal is written in a form the fields below cannot show; edit it in the Scenario file tab." }</p>
            </section>
        };
    }
    html! {
        <section class="card principal" aria-labelledby="principal-heading">
            <h2 id="principal-heading">{ "Principal" }<span class="sub">{ " who makes the requests" }</span></h2>
            <div class="grid-2">
                { field("principal-arn".into(), "Role (or user) ARN", &p.arn, on_text(d, |v| Action::SetPrincipal(PrincipalField::Arn, v)), "arn:aws:iam::111122223333:role/MyRole", "principal-arn".into(), None) }
                { field("principal-session".into(), "Session name (a role session when set)", &p.session_name, on_text(d, |v| Action::SetPrincipal(PrincipalField::SessionName, v)), "for an ECS task: the task ID", "principal-session".into(), None) }
                { field("principal-unique-id".into(), "Unique ID (optional, for aws:userid)", &p.unique_id, on_text(d, |v| Action::SetPrincipal(PrincipalField::UniqueId, v)), "AROA...", "principal-unique-id".into(), None) }
            </div>
            <div class="tag-table principal-tags">
                <h3>{ "Principal tags" }<span class="key-hint">{ " seen as " }<code>{ "aws:PrincipalTag/KEY" }</code></span></h3>
                <p class="hint">{ "Tags on the role or user itself (or session tags). Every request this principal makes carries them." }</p>
                <p class="note" data-testid="principal-tags-note"><strong>{ "Task tags never become principal tags." }</strong>{ " " }{ rich(TASK_TAGS_INSTEAD) }</p>
                <table>
                    <thead><tr><th scope="col">{ "key" }</th><th scope="col">{ "value" }</th><th scope="col"><span class="visually-hidden">{ "remove" }</span></th></tr></thead>
                    <tbody>
                        { for p.tags.iter().enumerate().map(|(j, (k, v))| {
                            let (k2, v2) = (k.clone(), v.clone());
                            html! {
                                <tr>
                                    <td><input type="text" aria-label={format!("principal tag {} key", j + 1)} data-testid={format!("principal-tag-key-{j}")} value={k.clone()} oninput={on_text(d, move |x| Action::SetPrincipalTag(j, x, v2.clone()))} /></td>
                                    <td><input type="text" aria-label={format!("principal tag {} value", j + 1)} data-testid={format!("principal-tag-value-{j}")} value={v.clone()} oninput={on_text(d, move |x| Action::SetPrincipalTag(j, k2.clone(), x))} /></td>
                                    <td><button type="button" class="icon" aria-label={format!("remove principal tag {}", j + 1)} onclick={on_click(d, Action::RemovePrincipalTag(j))}>{ "\u{2715}" }</button></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
                <button type="button" class="secondary" data-testid="add-principal-tag" onclick={on_click(d, Action::AddPrincipalTag)}>{ "+ principal tag" }</button>
            </div>
            if !diags.is_empty() {
                { view_plain_diagnostics(&diags, "principal-diagnostics") }
            }
        </section>
    }
}

struct Group {
    title: &'static str,
    hint: &'static str,
    id: &'static str,
    kinds: Vec<PolicyKind>,
    add: Option<(PolicyKind, &'static str)>,
}

fn view_policies(state: &State, d: &Dispatch) -> Html {
    let doc = &state.doc;
    let has = |k: PolicyKind| doc.policies.iter().any(|p| p.kind == k);
    let scp_levels: Vec<PolicyKind> = (1..=doc.scp_levels.max(1) + 1).map(PolicyKind::Scp).collect();
    let rcp_levels: Vec<PolicyKind> = (1..=doc.rcp_levels.max(1) + 1).map(PolicyKind::Rcp).collect();
    let next_scp = PolicyKind::Scp(doc.scp_levels.max(1));
    let next_rcp = PolicyKind::Rcp(doc.rcp_levels.max(1));
    let groups = [
        Group { title: "Identity policies", hint: "attached to the principal (inline or managed)", id: "identity", kinds: vec![PolicyKind::Identity], add: Some((PolicyKind::Identity, "+ identity policy")) },
        Group { title: "Resource policy", hint: "on the resource: bucket policy, key policy, trust policy", id: "resource", kinds: vec![PolicyKind::Resource], add: (!has(PolicyKind::Resource)).then_some((PolicyKind::Resource, "+ resource policy")) },
        Group { title: "Permissions boundary", hint: "caps what identity policies can grant", id: "boundary", kinds: vec![PolicyKind::PermissionsBoundary], add: (!has(PolicyKind::PermissionsBoundary)).then_some((PolicyKind::PermissionsBoundary, "+ permissions boundary")) },
        Group { title: "Session policy", hint: "passed when the role session was created", id: "session", kinds: vec![PolicyKind::Session], add: (!has(PolicyKind::Session)).then_some((PolicyKind::Session, "+ session policy")) },
        Group { title: "Service control policies", hint: "by organisation level, root first; every level must allow", id: "scp", kinds: scp_levels, add: Some((next_scp, "+ SCP")) },
        Group { title: "Resource control policies", hint: "by level; RCPFullAWSAccess is always implied", id: "rcp", kinds: rcp_levels, add: Some((next_rcp, "+ RCP")) },
    ];
    // The statements that decided the selected request, to mark in the policy editors.
    let marks: &[iamplay::document::Mark] = state.report.results.get(state.selected).copied().flatten().and_then(|k| state.report.marks.get(k)).map_or(&[], Vec::as_slice);
    html! {
        <section class="card policies" aria-labelledby="policies-heading">
            <h2 id="policies-heading">{ "Policies" }</h2>
            { for groups.into_iter().map(|g| {
                let members: Vec<usize> = (0..doc.policies.len()).filter(|&i| g.kinds.contains(&doc.policies[i].kind)).collect();
                html! {
                    <section class="policy-group" aria-labelledby={format!("group-{}", g.id)} data-testid={format!("group-{}", g.id)}>
                        <h3 id={format!("group-{}", g.id)}>{ g.title }<span class="sub">{ format!(" {}", g.hint) }</span></h3>
                        { for members.iter().map(|&i| view_policy_editor(state, d, i, marks)) }
                        if let Some((kind, label)) = g.add {
                            <button type="button" class="secondary add" data-testid={format!("add-policy-{}", g.id)} onclick={on_click(d, Action::AddPolicy(kind))}>{ label }</button>
                        }
                    </section>
                }
            }) }
        </section>
    }
}

fn view_policy_editor(state: &State, d: &Dispatch, i: usize, marks: &[iamplay::document::Mark]) -> Html {
    let p = &state.doc.policies[i];
    let display = state.doc.policy_display_name(i);
    let mut diagnostics: Vec<Diagnostic> = state.report.diagnostics_of(Part::Policy(i)).cloned().collect();
    catalog_view::add_findings(state, i, &mut diagnostics);
    let diagnostics = Rc::new(diagnostics);
    let decided: Rc<Vec<(usize, usize, bool)>> = Rc::new(marks.iter().filter(|m| m.policy == i).map(|m| (m.span.start, m.span.end, m.effect == "Allow")).collect());
    let on_input = on_edit(d, Box::new(move |text| Action::EditPolicy(i, text)));
    let level = match p.kind {
        PolicyKind::Scp(l) | PolicyKind::Rcp(l) => Some(l),
        _ => None,
    };
    let onchange_level = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(l) = value_of_select(&e).parse() {
                d.dispatch(Action::SetPolicyLevel(i, l));
            }
        })
    };
    let id = format!("policy-{i}");
    html! {
        <article class={classes!("policy-card", (!decided.is_empty()).then_some("decides"))} aria-labelledby={format!("{id}-title")} data-testid={format!("policy-{i}")}>
            <header class="policy-head">
                <label id={format!("{id}-title")} for={format!("{id}-name")} class="visually-hidden">{ format!("Name of policy {display}") }</label>
                <input id={format!("{id}-name")} class="policy-name" type="text" value={p.name.clone()} placeholder={display.clone()} data-testid={format!("policy-name-{i}")}
                    oninput={on_text(d, move |v| Action::RenamePolicy(i, v))} />
                if let Some(l) = level {
                    <label class="level">{ "level " }
                        <select onchange={onchange_level} aria-label="organisation level" data-testid={format!("policy-level-{i}")}>
                            { for (1..=5).map(|n| html! { <option value={n.to_string()} selected={n == l}>{ if n == 1 { "1 (root)".to_string() } else { n.to_string() } }</option> }) }
                        </select>
                    </label>
                }
                if !decided.is_empty() {
                    <span class="decides-tag">{ "decides the selected request" }</span>
                }
                <button type="button" class="secondary" data-testid={format!("policy-format-{i}")} onclick={on_click(d, Action::FormatPolicy(i))}>{ "Format" }</button>
                <button type="button" class="secondary" aria-label={format!("remove policy {display}")} data-testid={format!("policy-remove-{i}")} onclick={on_click(d, Action::RemovePolicy(i))}>{ "Remove" }</button>
            </header>
            <CodeEditor id={format!("{id}-text")} label={format!("Policy {display} (JSON)")} text={AttrValue::from(p.text.clone())} {on_input} {diagnostics} {decided} testid={format!("policy-editor-{i}")} />
        </article>
    }
}

fn view_requests(state: &State, d: &Dispatch) -> Html {
    let doc = &state.doc;
    if doc.requests_are_raw() {
        return html! {
            <section class="card" aria-labelledby="requests-heading">
                <h2 id="requests-heading">{ "Requests" }</h2>
                <p class="hint">{ "These requests are written in a form the fields cannot show; edit them in the Scenario file tab." }</p>
            </section>
        };
    }
    html! {
        <section class="card requests-in" aria-labelledby="requests-heading">
            <h2 id="requests-heading">{ "Requests" }<span class="sub">{ " each with its own result, and an optional expectation" }</span></h2>
            { for doc.requests.iter().enumerate().map(|(i, _)| view_request_editor(state, d, i)) }
            <button type="button" class="secondary add" data-testid="add-request" onclick={on_click(d, Action::AddRequest)}>{ "+ request" }</button>
        </section>
    }
}

const REQUEST_TAG: &str = "aws:RequestTag/";
const RESOURCE_TAG: &str = "aws:ResourceTag/";

fn group_of(key: &str) -> &'static str {
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("aws:requesttag/") {
        REQUEST_TAG
    } else if lower.starts_with("aws:resourcetag/") {
        RESOURCE_TAG
    } else {
        ""
    }
}

fn view_request_editor(state: &State, d: &Dispatch, i: usize) -> Html {
    let r = &state.doc.requests[i];
    let diags: Vec<&Diagnostic> = state.report.diagnostics_of(Part::Request(i)).collect();
    let id = format!("request-{i}");
    let onchange_expect = {
        let d = d.clone();
        Callback::from(move |e: Event| d.dispatch(Action::SetRequest(i, RequestField::Expect, value_of_select(&e))))
    };
    let title = if r.name.is_empty() { format!("request {}", i + 1) } else { r.name.clone() };
    let tag_table = |prefix: &'static str, title: &str, key_hint: &str, hint: &str, testid: &str| {
        let rows: Vec<(usize, &ContextEntry)> = r.context.iter().enumerate().filter(|(_, c)| group_of(&c.key) == prefix).collect();
        html! {
            <div class={classes!("tag-table", testid.to_string())} data-testid={format!("{testid}-{i}")}>
                <h4>{ title.to_string() }<span class="key-hint">{ " seen as " }<code>{ key_hint.to_string() }</code></span></h4>
                <p class="hint">{ hint.to_string() }</p>
                if !rows.is_empty() {
                    <table>
                        <thead><tr><th scope="col">{ "tag key" }</th><th scope="col">{ "value" }</th><th scope="col"><span class="visually-hidden">{ "remove" }</span></th></tr></thead>
                        <tbody>
                            { for rows.into_iter().map(|(j, c)| {
                                let shown_key = c.key.get(prefix.len()..).unwrap_or("").to_string();
                                html! {
                                    <tr>
                                        <td><input type="text" aria-label={format!("{title} key")} data-testid={format!("context-key-{i}-{j}")} value={shown_key} oninput={on_text(d, move |x| Action::SetContextKey(i, j, format!("{prefix}{x}")))} /></td>
                                        <td><input type="text" aria-label={format!("{title} value")} data-testid={format!("context-value-{i}-{j}")} value={c.value().to_string()} oninput={on_text(d, move |x| Action::SetContextValue(i, j, x))} /></td>
                                        <td><button type="button" class="icon" aria-label={format!("remove {}", c.key)} onclick={on_click(d, Action::RemoveContext(i, j))}>{ "\u{2715}" }</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
                <button type="button" class="secondary" data-testid={format!("add-{testid}-{i}")} onclick={on_click(d, Action::AddContext(i, prefix))}>{ format!("+ {}", title.to_ascii_lowercase().trim_end_matches('s')) }</button>
            </div>
        }
    };
    let others: Vec<(usize, &ContextEntry)> = r.context.iter().enumerate().filter(|(_, c)| group_of(&c.key).is_empty()).collect();
    html! {
        <article class={classes!("request-card", (state.selected == i).then_some("selected"))} aria-labelledby={format!("{id}-title")} data-testid={format!("request-{i}")}>
            <header class="request-card-head">
                <h3 id={format!("{id}-title")}>{ title }</h3>
                <button type="button" class="secondary" aria-label={format!("remove request {}", i + 1)} data-testid={format!("request-remove-{i}")} onclick={on_click(d, Action::RemoveRequest(i))}>{ "Remove" }</button>
            </header>
            <div class="grid-2">
                { field(format!("{id}-name"), "Name", &r.name, on_text(d, move |v| Action::SetRequest(i, RequestField::Name, v)), "what this request checks", format!("request-name-{i}"), None) }
                { field(format!("{id}-action"), "Action", &r.action, on_text(d, move |v| Action::SetRequest(i, RequestField::Action, v)), "s3:GetObject", format!("request-action-{i}"), Some(format!("actions-{i}"))) }
                { field(format!("{id}-resource"), "Resource ARN", &r.resource, on_text(d, move |v| Action::SetRequest(i, RequestField::Resource, v)), "arn:aws:s3:::bucket/key, or *", format!("request-resource-{i}"), Some(format!("arns-{i}"))) }
                { field(format!("{id}-account"), "Resource account", &r.resource_account, on_text(d, move |v| Action::SetRequest(i, RequestField::ResourceAccount, v)), "from the ARN, else the principal's", format!("request-account-{i}"), None) }
                { view_as(state, d, i) }
                <div class="field">
                    <label for={format!("{id}-expect")}>{ "Expected decision" }</label>
                    <select id={format!("{id}-expect")} data-testid={format!("request-expect-{i}")} onchange={onchange_expect}>
                        { for [("", "no expectation"), ("allowed", "allowed"), ("implicitDeny", "implicit deny"), ("explicitDeny", "explicit deny")].into_iter().map(|(v, l)| html! {
                            <option value={v} selected={r.expect == v}>{ l }</option>
                        }) }
                        if !["", "allowed", "implicitDeny", "explicitDeny"].contains(&r.expect.as_str()) {
                            <option value={r.expect.clone()} selected=true>{ format!("{} (not a decision)", r.expect) }</option>
                        }
                    </select>
                </div>
            </div>
            { catalog_view::view_datalists(state, i) }
            { catalog_view::view_tag_help(state, i) }
            <div class="tags-3">
                { tag_table(RESOURCE_TAG, "Resource tags", "aws:ResourceTag/KEY", "Tags already on the resource being accessed (for S3, only with ABAC enabled on the bucket).", "resource-tags") }
                { tag_table(REQUEST_TAG, "Request tags", "aws:RequestTag/KEY", "Tags this request sends, as when creating or tagging a resource. A read sends none.", "request-tags") }
            </div>
            <div class="context-table" data-testid={format!("context-{i}")}>
                <h4>{ "Other context keys" }</h4>
                if !others.is_empty() {
                    <table>
                        <thead><tr><th scope="col">{ "key" }</th><th scope="col">{ "type" }</th><th scope="col">{ "value" }</th><th scope="col"><span class="visually-hidden">{ "remove" }</span></th></tr></thead>
                        <tbody>
                            { for others.into_iter().map(|(j, c)| view_context_row(d, i, j, c)) }
                        </tbody>
                    </table>
                }
                <button type="button" class="secondary" data-testid={format!("add-context-{i}")} onclick={on_click(d, Action::AddContext(i, ""))}>{ "+ context key" }</button>
            </div>
            if !diags.is_empty() {
                { view_plain_diagnostics(&diags, &format!("request-diagnostics-{i}")) }
            }
        </article>
    }
}

/// The request's "as": the scenario's principal, the task definition's roles, the template's
/// roles by logical ID; a value typed in the file stays selectable.
fn view_as(state: &State, d: &Dispatch, i: usize) -> Html {
    let current = state.doc.requests[i].on_behalf_of.as_str();
    let mut options: Vec<(String, String)> = vec![(String::new(), "the principal".into())];
    if let Some(task) = &state.report.scenario.task {
        options.push(("task_role".into(), "the task role".into()));
        options.push(("execution_role".into(), "the execution role".into()));
        options.extend(task.roles.iter().map(|r| (r.key.clone(), format!("role {}", r.key))));
        options.push(("ecs-tasks.amazonaws.com".into(), "ECS (ecs-tasks.amazonaws.com)".into()));
    }
    if !options.iter().any(|(v, _)| v == current) {
        options.push((current.to_string(), current.to_string()));
    }
    let onchange = {
        let d = d.clone();
        Callback::from(move |e: Event| d.dispatch(Action::SetRequest(i, RequestField::As, value_of_select(&e))))
    };
    html! {
        <div class="field">
            <label for={format!("request-{i}-as")}>{ "As (who makes it)" }</label>
            <select id={format!("request-{i}-as")} data-testid={format!("request-as-{i}")} {onchange}>
                { for options.into_iter().map(|(v, l)| html! { <option selected={v == current} value={v.clone()}>{ l }</option> }) }
            </select>
        </div>
    }
}

fn view_context_row(d: &Dispatch, i: usize, j: usize, c: &ContextEntry) -> Html {
    let onchange_kind = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(k) = ValueKind::parse(&value_of_select(&e)) {
                d.dispatch(Action::SetContextKind(i, j, k));
            }
        })
    };
    let shown = if c.kind == ValueKind::List { c.values.join(", ") } else { c.value().to_string() };
    let placeholder = match c.kind {
        ValueKind::List => "a, b, c",
        ValueKind::Number => "10",
        ValueKind::Bool => "true or false",
        ValueKind::Date => "2025-01-31T12:00:00Z",
        ValueKind::Ip => "203.0.113.7",
        ValueKind::String => "",
    };
    let invalid = !c.is_valid();
    html! {
        <tr>
            <td><input type="text" aria-label="context key" list={format!("keys-{i}")} data-testid={format!("context-key-{i}-{j}")} value={c.key.clone()} placeholder="aws:SourceIp" oninput={on_text(d, move |x| Action::SetContextKey(i, j, x))} /></td>
            <td>
                <select aria-label={format!("type of {}", c.key)} data-testid={format!("context-kind-{i}-{j}")} onchange={onchange_kind}>
                    { for ValueKind::ALL.into_iter().map(|k| html! { <option value={k.as_str()} selected={k == c.kind}>{ k.as_str() }</option> }) }
                </select>
            </td>
            <td>
                <input type="text" aria-label={format!("value of {}", c.key)} aria-invalid={invalid.then_some("true")} class={classes!(invalid.then_some("invalid"))}
                    data-testid={format!("context-value-{i}-{j}")} value={shown} {placeholder} oninput={on_text(d, move |x| Action::SetContextValue(i, j, x))} />
            </td>
            <td><button type="button" class="icon" aria-label={format!("remove {}", c.key)} onclick={on_click(d, Action::RemoveContext(i, j))}>{ "\u{2715}" }</button></td>
        </tr>
    }
}

/// An editor's keystrokes as actions. A long text waits for a pause in typing before it is
/// evaluated (`state::DEFERRED_TEXT`): one wait per keystroke, and the last to end evaluates.
fn on_edit(d: &Dispatch, action: Box<dyn Fn(String) -> Action>) -> Callback<String> {
    let d = d.clone();
    Callback::from(move |text: String| {
        let edit = action(text);
        if edit.is_long_edit() {
            let d = d.clone();
            wasm_bindgen_futures::spawn_local(async move {
                effects::pause().await;
                d.dispatch(Action::EvaluateDeferred);
            });
        }
        d.dispatch(edit)
    })
}

fn view_file(state: &State, d: &Dispatch) -> Html {
    let text = state.scenario_text();
    // A text waiting for its evaluation has no diagnostics yet: the last ones point into
    // the text before the edit.
    let diagnostics: Rc<Vec<Diagnostic>> = Rc::new(match (&state.deferred, &state.file) {
        (Some(_), _) => Vec::new(),
        (None, Some(draft)) => draft.report.diagnostics.clone(),
        (None, None) => state.report.scenario.diagnostics.clone(),
    });
    let on_input = on_edit(d, Box::new(Action::EditFile));
    html! {
        <div id="tab-panel" role="tabpanel" aria-labelledby="tab-file" class="file">
            <div class="editor-head">
                <label for="scenario-editor">{ "Scenario (JSON)" }</label>
                <span class="hint">{ "The whole scenario as a file: paste one here, or drop a file anywhere on the page." }</span>
            </div>
            <CodeEditor id="scenario-editor" label="Scenario (JSON)" text={AttrValue::from(text)} {on_input} {diagnostics} testid="editor" min_rows={20} max_rows={48} />
        </div>
    }
}

/// One result card to draw: which request, its result, and whether the parts can be acted on.
struct Shown<'a> {
    index: usize,
    title: String,
    result: Option<&'a RequestResult>,
    by_part: bool,
}

fn view_results(state: &State, d: &Dispatch) -> Html {
    let report: &ScenarioReport = state.shown_report();
    let by_part = !(state.tab == Tab::File && state.file.is_some());
    let shown: Vec<Shown> = if by_part {
        state
            .doc
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| Shown { index: i, title: if r.name.is_empty() { format!("request {}", i + 1) } else { r.name.clone() }, result: state.report.result(i), by_part })
            .collect()
    } else {
        report.results.iter().enumerate().map(|(i, r)| Shown { index: i, title: request_title(i, r), result: Some(r), by_part }).collect()
    };
    let title = report.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "Untitled scenario".to_owned());
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    let expectations: Vec<bool> = shown.iter().filter_map(|s| s.result.and_then(RequestResult::passed)).collect();
    let passed = expectations.iter().filter(|&&p| p).count();
    html! {
        <>
            <h2 id="results-heading" data-testid="scenario-name">{ title }</h2>
            if let Some(notes) = report.notes.as_ref().filter(|n| !n.is_empty()) {
                <p class="scenario-notes">{ notes.clone() }</p>
            }
            <p class="status" role="status" data-testid="status">
                if state.deferred.is_some() {
                    <span class="evaluating" data-testid="evaluating">{ "evaluating when typing pauses\u{2026} " }</span>
                }
                { status_line(report.results.len(), errors, warnings) }
                if !expectations.is_empty() {
                    <span class={classes!("suite", if passed == expectations.len() { "met" } else { "unmet" })} data-testid="suite">
                        { format!(" \u{2014} expectations: {passed} of {} met", expectations.len()) }
                    </span>
                }
            </p>
            <ol class={classes!("requests", state.deferred.is_some().then_some("stale"))}>
                { for shown.iter().map(|s| view_result(state, d, s)) }
            </ol>
            { catalog_view::view_least_privilege(state, d) }
            { catalog_view::view_capabilities(state, d) }
        </>
    }
}

fn view_result(state: &State, d: &Dispatch, s: &Shown) -> Html {
    let index = s.index;
    let trace_open = state.is_trace_open(index);
    let trace_id = format!("trace-{index}");
    let selected = s.by_part && state.selected == index;
    let onfocusin = {
        let d = d.clone();
        let by_part = s.by_part;
        Callback::from(move |_: FocusEvent| {
            if by_part {
                d.dispatch(Action::SelectRequest(index))
            }
        })
    };
    let onclick_card = {
        let d = d.clone();
        let by_part = s.by_part;
        Callback::from(move |_: MouseEvent| {
            if by_part {
                d.dispatch(Action::SelectRequest(index))
            }
        })
    };
    let Some(result) = s.result else {
        return html! {
            <li class="request" data-testid={format!("result-{index}")}>
                <article aria-labelledby={format!("result-title-{index}")}>
                    <header class="request-head">
                        <h3 id={format!("result-title-{index}")}>{ s.title.clone() }</h3>
                        <p class="badge none" data-testid={format!("decision-{index}")} data-decision="none">{ "not evaluated" }</p>
                    </header>
                    <p class="why">{ "This request could not be evaluated: see the problems listed with the scenario." }</p>
                </article>
            </li>
        };
    };
    let outcome = &result.outcome;
    let decision = outcome.decision;
    html! {
        <li class={classes!("request", selected.then_some("selected"))} data-testid={format!("result-{index}")} onclick={onclick_card} {onfocusin}>
            <article aria-labelledby={format!("result-title-{index}")}>
                <header class="request-head">
                    <h3 id={format!("result-title-{index}")}>{ s.title.clone() }</h3>
                    <p class={classes!("badge", decision_class(decision))} data-testid={format!("decision-{index}")} data-decision={decision.as_str()}>
                        { decision_label(decision) }
                    </p>
                </header>
                if let Some((met, text)) = expectation(result) {
                    <p class={classes!("expect", if met { "met" } else { "unmet" })} data-testid={format!("expect-{index}")}>
                        { if met { "\u{2713} pass: " } else { "\u{2717} fail: " } }{ text }
                    </p>
                }
                <p class="why" data-testid={format!("why-{index}")}>{ rich(&outcome.why) }</p>
                <p class="request-line">
                    <code>{ result.action.clone() }</code>{ " on " }<code>{ result.resource.clone() }</code>
                    <br />
                    { "as " }<code>{ result.principal.clone() }</code>
                </p>
                if !outcome.missing_context_values.is_empty() {
                    <div class="missing" data-testid={format!("missing-{index}")}>
                        <h4>{ "Missing context values" }</h4>
                        <p class="hint">{ "Conditions asked for these keys and the request does not carry them." }</p>
                        <ul class="missing-values">
                            { for outcome.missing_context_values.iter().map(|key| html! {
                                <li>
                                    <code>{ key.clone() }</code>
                                    if s.by_part && !state.parts_locked() {
                                        { " " }
                                        if state.never_carried(index, key).is_some() {
                                            { catalog_view::view_never(state, index, key) }
                                        } else {
                                            <button type="button" class="secondary small" data-testid={format!("add-missing-{index}-{key}")}
                                                aria-label={format!("add {key} to this request")}
                                                onclick={on_click(d, Action::AddMissing(index, key.clone()))}>{ "+ add to request" }</button>
                                        }
                                    }
                                </li>
                            }) }
                        </ul>
                    </div>
                }
                if !outcome.matched_statements.is_empty() {
                    <h4>{ "Deciding statements" }</h4>
                    { view_matched(&outcome.matched_statements) }
                }
                if !outcome.notes.is_empty() {
                    <h4>{ "Notes" }</h4>
                    <ul class="remarks">
                        { for outcome.notes.iter().map(|note| html! { <li>{ rich(note) }</li> }) }
                    </ul>
                }
                <button
                    type="button"
                    class="trace-toggle"
                    aria-expanded={trace_open.to_string()}
                    aria-controls={trace_id.clone()}
                    data-testid={format!("trace-toggle-{index}")}
                    onclick={on_click(d, Action::ToggleTrace(index))}
                >
                    { if trace_open { "Hide trace" } else { "Show trace" } }
                </button>
                if trace_open {
                    <div class="trace" id={trace_id} data-testid={format!("trace-{index}")}>
                        { view_trace(outcome) }
                    </div>
                }
            </article>
        </li>
    }
}

fn view_matched(statements: &[StatementRef]) -> Html {
    html! {
        <ul class="matched">
            { for statements.iter().map(|s| html! {
                <li>
                    <span class={classes!("effect", s.effect.to_ascii_lowercase())}>{ s.effect }</span>
                    { " " }<code>{ s.policy.clone() }</code>
                    { " statement " }{ rich(&statement_name(s.index, s.sid.as_deref())) }
                </li>
            }) }
        </ul>
    }
}

fn view_trace(outcome: &Outcome) -> Html {
    html! {
        <>
            <h4>{ "Decision steps" }</h4>
            <ol class="steps">{ for outcome.steps.iter().map(view_step) }</ol>
            if !outcome.derived_context.is_empty() {
                <h4>{ "Derived context" }</h4>
                <ul class="derived">
                    { for outcome.derived_context.iter().map(|entry| html! {
                        <li>
                            <code>{ entry.key.clone() }</code>{ " = " }{ quoted_list(&entry.values) }
                            <span class="source">{ " (" }{ entry.source }{ ")" }</span>
                        </li>
                    }) }
                </ul>
            }
            <h4>{ "Policies" }</h4>
            if outcome.policies.is_empty() {
                <p class="none">{ "no policies" }</p>
            }
            { for outcome.policies.iter().map(|p| view_policy(p, &outcome.matched_statements)) }
        </>
    }
}

fn view_step(step: &Step) -> Html {
    let verdict = verdict_label(step.verdict);
    html! {
        <li class={classes!("step", verdict)}>
            <span class="gate">{ step.gate }</span>{ ": " }
            <span class="verdict">{ verdict }</span>
            if !step.detail.is_empty() {
                { " \u{2014} " }{ rich(&step.detail) }
            }
        </li>
    }
}

fn view_policy(policy: &PolicyTrace, decided: &[StatementRef]) -> Html {
    let kind = match policy.level {
        Some(level) => format!("{}, level {}", policy.policy_type.label(), level + 1),
        None => policy.policy_type.label().to_owned(),
    };
    let verdict = match (policy.denies, policy.allows) {
        (true, _) => "denies",
        (false, true) => "allows",
        (false, false) => "neither allows nor denies",
    };
    html! {
        <section class="policy">
            <h5><code>{ policy.name.clone() }</code>{ " " }<span class="kind">{ kind }</span>{ ": " }{ verdict }</h5>
            <ol class="statements">{ for policy.statements.iter().map(|s| view_statement(s, decided.iter().any(|r| r.policy == policy.name && r.index == s.index))) }</ol>
        </section>
    }
}

fn view_statement(statement: &StatementTrace, decided: bool) -> Html {
    let applies = if statement.applies { "applies" } else { "does not apply" };
    html! {
        <li class={classes!("statement", if statement.applies { "applies" } else { "skips" }, decided.then_some("decided"))}>
            <p class="statement-head">
                <span class={classes!("effect", statement.effect.to_ascii_lowercase())}>{ statement.effect }</span>
                { " statement " }{ rich(&statement_name(statement.index, statement.sid.as_deref())) }{ ": " }{ applies }
                if decided {
                    <span class="decides-tag">{ "decided" }</span>
                }
            </p>
            <ul class="matches">
                { view_match("Action", &statement.action) }
                { view_match("Resource", &statement.resource) }
                if let Some(principal) = &statement.principal {
                    { view_match("Principal", principal) }
                }
            </ul>
            if !statement.conditions.is_empty() {
                <div class="table-scroll">
                    <table class="conditions">
                        <caption>{ "Conditions" }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ "operator" }</th>
                                <th scope="col">{ "key" }</th>
                                <th scope="col">{ "request values" }</th>
                                <th scope="col">{ "policy values" }</th>
                                <th scope="col">{ "result" }</th>
                                <th scope="col">{ "rule" }</th>
                            </tr>
                        </thead>
                        <tbody>{ for statement.conditions.iter().map(view_condition) }</tbody>
                    </table>
                </div>
            }
        </li>
    }
}

fn view_match(element: &str, trace: &MatchTrace) -> Html {
    html! {
        <li class={if trace.matched { "match" } else { "no-match" }}>
            <span class="mark" aria-hidden="true">{ if trace.matched { "\u{2713} " } else { "\u{2717} " } }</span>
            { rich(&match_summary(element, trace)) }
            if let Some(note) = &trace.note {
                <span class="note">{ " \u{2014} " }{ rich(note) }</span>
            }
        </li>
    }
}

fn view_condition(condition: &ConditionTrace) -> Html {
    let missing = condition.request_values.is_none();
    html! {
        <tr class={if condition.result { "holds" } else { "fails" }}>
            <td><code>{ condition.operator.clone() }</code></td>
            <td><code>{ condition.key.clone() }</code></td>
            <td class={classes!(missing.then_some("missing"))}>{ request_values(condition.request_values.as_deref()) }</td>
            <td>{ quoted_list(&condition.policy_values) }</td>
            <td>{ truth(condition.result) }</td>
            <td>
                { condition.rule.describe() }
                if let Some(note) = &condition.note {
                    <span class="note">{ " \u{2014} " }{ rich(note) }</span>
                }
            </td>
        </tr>
    }
}

/// A message with its backticked parts as `<code>`; always text nodes, never parsed HTML.
pub fn rich(message: &str) -> Html {
    html! {
        { for code_spans(message).into_iter().map(|segment| if segment.code {
            html! { <code>{ segment.text.to_owned() }</code> }
        } else {
            html! { { segment.text.to_owned() } }
        }) }
    }
}
