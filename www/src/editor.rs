//! A code editor without any library: a textarea (the real input, its text transparent) under
//! a `<pre>` that draws the same text with colours, diagnostic underlines and the statements
//! that decided, plus a line-number gutter. Both scroll together.
//!
//! The `<pre>` ignores the pointer except on underlined text, whose `title` shows the
//! diagnostic's message and help on hover; pressing it selects the span in the textarea.
//! No inline style is set (the page's CSP forbids them): sizes come from the textarea's
//! `rows` and the stylesheet.

use std::rc::Rc;

use iamplay::diagnostic::{line_column, Diagnostic, Severity};
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::highlight::{self, Mark, MarkKind, MAX_HIGHLIGHTED};

/// How many diagnostics an editor lists.
const MAX_LISTED: usize = 100;

#[derive(Properties, PartialEq)]
pub struct CodeEditorProps {
    pub id: AttrValue,
    /// The accessible name (the visible label is the caller's).
    pub label: AttrValue,
    pub text: AttrValue,
    pub on_input: Callback<String>,
    #[prop_or_default]
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// Deciding statements: (start, end, allows).
    #[prop_or_default]
    pub decided: Rc<Vec<(usize, usize, bool)>>,
    #[prop_or_default]
    pub testid: AttrValue,
    #[prop_or(6)]
    pub min_rows: usize,
    #[prop_or(28)]
    pub max_rows: usize,
    #[prop_or_default]
    pub readonly: bool,
}

#[component(CodeEditor)]
pub fn code_editor(props: &CodeEditorProps) -> Html {
    let area = use_node_ref();
    let view = use_node_ref();
    let gutter = use_node_ref();
    let text: &str = &props.text;

    let oninput = {
        let on_input = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_input.emit(area.value());
        })
    };
    let onscroll = {
        let (area, view, gutter) = (area.clone(), view.clone(), gutter.clone());
        Callback::from(move |_: Event| sync_scroll(&area, &view, &gutter))
    };
    // After every render too: a re-render can change the drawn text under a scrolled area.
    {
        let (area, view, gutter) = (area.clone(), view.clone(), gutter.clone());
        use_effect(move || sync_scroll(&area, &view, &gutter));
    }
    let select = {
        let area = area.clone();
        Callback::from(move |(start, end): (usize, usize)| {
            if let Some(a) = area.cast::<HtmlTextAreaElement>() {
                let _ = a.focus();
                let value = a.value();
                // The DOM counts UTF-16 units.
                let to_utf16 = |b: usize| value.get(..b.min(value.len())).map_or(0, |s| s.encode_utf16().count()) as u32;
                let _ = a.set_selection_range(to_utf16(start), to_utf16(end));
            }
        })
    };

    let lines = highlight::line_count(text);
    let rows = lines.clamp(props.min_rows, props.max_rows);
    let list_id = format!("{}-diagnostics", props.id);
    let highlighted = text.len() <= MAX_HIGHLIGHTED;
    let mut marks: Vec<Mark> = props
        .diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| Mark { start: d.span.start, end: d.span.end, kind: if d.severity == Severity::Error { MarkKind::Error(i) } else { MarkKind::Warning(i) } })
        .collect();
    marks.extend(props.decided.iter().map(|&(start, end, allows)| Mark { start, end, kind: if allows { MarkKind::Allow } else { MarkKind::Deny } }));

    let drawn = if highlighted {
        let segments = highlight::segments(text, &marks);
        html! {
            { for segments.into_iter().map(|s| {
                let piece = text[s.start..s.end].to_string();
                let decided = match s.decided {
                    Some(MarkKind::Allow) => Some("decided-allow"),
                    Some(MarkKind::Deny) => Some("decided-deny"),
                    _ => None,
                };
                match s.diagnostic {
                    Some((i, error)) => {
                        let d = &props.diagnostics[i];
                        let title = match &d.help {
                            Some(help) => format!("{}\nhelp: {help}", d.message),
                            None => d.message.clone(),
                        };
                        let span = (d.span.start, d.span.end);
                        let onmousedown = select.reform(move |e: MouseEvent| {
                            e.prevent_default();
                            span
                        });
                        html! {
                            <span class={classes!(s.token.class(), decided, if error { "diag-error" } else { "diag-warning" })} {title} {onmousedown}>{ piece }</span>
                        }
                    }
                    None if s.token.class().is_empty() && decided.is_none() => html! { { piece } },
                    None => html! { <span class={classes!(s.token.class(), decided)}>{ piece }</span> },
                }
            }) }
        }
    } else {
        // A plain editor shows the textarea's own text; the hidden view stays empty.
        html! {}
    };

    html! {
        <div class="code-block">
            <div class={classes!("code", (!highlighted).then_some("plain"))}>
                <pre class="gutter" aria-hidden="true" ref={gutter}>{ highlight::gutter(lines) }{ "\n\n" }</pre>
                <div class="code-body">
                    <textarea
                        id={props.id.clone()}
                        class="code-input"
                        ref={area}
                        aria-label={props.label.clone()}
                        aria-describedby={(!props.diagnostics.is_empty()).then(|| list_id.clone())}
                        aria-invalid={props.diagnostics.iter().any(Diagnostic::is_error).then_some("true")}
                        data-testid={props.testid.clone()}
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        wrap="off"
                        rows={rows.to_string()}
                        readonly={props.readonly}
                        value={props.text.clone()}
                        {oninput}
                        {onscroll}
                    />
                    <pre class="code-view" aria-hidden="true" ref={view}>{ drawn }{ "\n\n" }</pre>
                </div>
            </div>
            if !props.diagnostics.is_empty() {
                <ul class="diag-list" id={list_id} data-testid={format!("{}-diagnostics", props.testid)}>
                    // A hostile text can carry thousands of problems: the first ones are
                    // listed, the rest counted, so the list never outweighs the page.
                    { for props.diagnostics.iter().take(MAX_LISTED).map(|d| {
                        let at = line_column(text, d.span.start);
                        let span = (d.span.start, d.span.end);
                        let onclick = select.reform(move |_: MouseEvent| span);
                        let severity = if d.is_error() { "error" } else { "warning" };
                        html! {
                            <li class={classes!("diagnostic", severity)} data-testid="diagnostic">
                                <button type="button" class="diag-go" {onclick} title="select the text this is about">
                                    <span class="position" data-testid="diagnostic-position">{ format!("{}:{}", at.line, at.column) }</span>
                                </button>
                                { " " }<span class="severity">{ severity }</span>{ ": " }
                                <span class="message">{ crate::app::rich(&d.message) }</span>
                                if let Some(help) = &d.help {
                                    <span class="help">{ "help: " }{ crate::app::rich(help) }</span>
                                }
                            </li>
                        }
                    }) }
                    if props.diagnostics.len() > MAX_LISTED {
                        <li class="diagnostic more" data-testid="diagnostics-more">{ format!("and {} more", props.diagnostics.len() - MAX_LISTED) }</li>
                    }
                </ul>
            }
        </div>
    }
}

fn sync_scroll(area: &NodeRef, view: &NodeRef, gutter: &NodeRef) {
    let Some(a) = area.cast::<HtmlElement>() else { return };
    if let Some(v) = view.cast::<HtmlElement>() {
        v.set_scroll_top(a.scroll_top());
        v.set_scroll_left(a.scroll_left());
    }
    if let Some(g) = gutter.cast::<HtmlElement>() {
        g.set_scroll_top(a.scroll_top());
    }
}
