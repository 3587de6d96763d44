//! The page's state as a plain struct, its changes as an `Action` enum, and one `reduce`.
//!
//! Pure: no DOM, no Yew, so the reducer is tested natively. The state holds the scenario as
//! a [`ScenarioDoc`] (edited part by part) and the core's answer for it; nothing here decides
//! anything about IAM. Side effects (storage, the URL, the clipboard, files) live in
//! `effects.rs`: they turn into actions, and the state tells them what to save.

use std::collections::BTreeSet;
use std::rc::Rc;

use iamplay::context::is_known_multivalued;
use iamplay::document::{self, ContextEntry, DocReport, PolicyDoc, PolicyKind, RequestDoc, ScenarioDoc, ValueKind};
use iamplay::ecs::{ChecklistLine, Who};
use std::sync::Arc;

use iamplay::evaluation::CatalogOracle;
use iamplay::scenario::{evaluate_text_with, ScenarioReport, Settings};
use iamplay::share::LinkError;

use crate::examples::Example;
use crate::highlight;
use crate::persist::{Loaded, Persisted};

/// The scenario the page opens with.
pub const EXAMPLE: &str = include_str!("../../examples/task-role-tags.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The scenario by part: principal, policies, requests.
    Parts,
    /// The whole scenario file as text.
    File,
}

/// A scenario file longer than this (in bytes) is evaluated when typing pauses, not on every
/// keystroke: the page draws the keystroke or the paste first, says it is evaluating, and
/// evaluates once (the app waits for a pause of `DEFERRED_PAUSE_MS`). Shorter texts, every
/// example among them, evaluate within a frame and are evaluated at once.
pub const DEFERRED_TEXT: usize = 256 * 1024;
pub const DEFERRED_PAUSE_MS: i32 = 200;

/// An edit of a long text waiting for a pause in typing before it is evaluated.
#[derive(Clone)]
pub enum Deferred {
    /// The scenario file's text.
    File(String),
    /// A part (a policy, the task definition), already edited in `State::doc`; `State::report`
    /// is still the answer for the parts before the edit.
    Parts,
}

/// The scenario file's text while it is edited by hand, with the core's answer for it.
#[derive(Clone)]
pub struct FileDraft {
    pub text: String,
    pub report: Rc<ScenarioReport>,
    /// The text reads as a document: the parts follow it.
    pub readable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// A message above the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub tone: Tone,
    pub message: String,
    pub help: Option<String>,
    /// Offer to bring back the scenario that the last open replaced.
    pub offer_restore: bool,
}

#[derive(Clone)]
pub struct State {
    pub doc: ScenarioDoc,
    /// The core's answer for `doc`. Shared so that cloning the state stays cheap. While the
    /// file tab is edited by hand, `doc` follows the file but this answer is left until an
    /// action that shows or edits the parts (`report_pending`, `Action::needs_parts`): each
    /// keystroke then evaluates once (the file's answer), not twice, and neither the
    /// autosave's result nor a click in the results evaluates a large text a second time.
    pub report: Rc<DocReport>,
    pub report_pending: bool,
    pub file: Option<FileDraft>,
    /// A long text typed or pasted but not evaluated yet (`DEFERRED_TEXT`): the editor shows
    /// it and the autosave keeps it. Any action but another long keystroke, the save's result
    /// and the end of a wait evaluates it first.
    pub deferred: Option<Deferred>,
    /// The waits for a pause still running: the app starts one per long keystroke, each ends
    /// with `EvaluateDeferred`, and the last to end (the pause after the last keystroke)
    /// evaluates.
    pub waits: u32,
    pub tab: Tab,
    /// The request whose deciding statements are highlighted in the policy editors.
    pub selected: usize,
    /// Requests (by position) whose trace is expanded.
    pub open_traces: BTreeSet<usize>,
    pub banner: Option<Banner>,
    /// The scenario text that the last open (example, link, file) replaced: the way back.
    pub previous: Option<String>,
    /// The last share link made, shown so that it can be copied by hand too.
    pub share_link: Option<String>,
    pub gallery_open: bool,
    /// The gallery's examples, once fetched (the page loads them when it first opens).
    pub gallery: Option<Result<Rc<Vec<Example>>, String>>,
    /// The last autosave failed (local storage full or unavailable): the page says so until
    /// a save succeeds.
    pub unsaved: bool,
    /// The action catalog, once loaded (the page draws first and loads it after).
    pub catalog: Option<Catalog>,
    /// Evaluate request contexts exactly as given (the literal-context toggle).
    pub literal: bool,
    /// The "what can this principal do" view is open, for this resource (empty: any).
    pub capabilities_open: bool,
    pub capabilities_resource: String,
    /// The least-privilege policy view is open.
    pub least_privilege_open: bool,
}

/// The loaded action catalog: what evaluation asks, and a line saying what it holds.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub oracle: Arc<dyn CatalogOracle>,
    pub summary: String,
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Catalog) -> bool {
        Arc::ptr_eq(&self.oracle, &other.oracle) && self.summary == other.summary
    }
}

impl Eq for Catalog {}

/// Where a whole scenario came from when it replaces the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Example(String),
    Link,
    File(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioField {
    Name,
    Notes,
    Account,
    Region,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalField {
    Arn,
    SessionName,
    UniqueId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestField {
    Name,
    Action,
    Resource,
    ResourceAccount,
    Expect,
    /// On whose behalf the request runs (the scenario format's `as`).
    As,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SetScenario(ScenarioField, String),
    SetPrincipal(PrincipalField, String),
    AddPrincipalTag,
    SetPrincipalTag(usize, String, String),
    RemovePrincipalTag(usize),
    AddPolicy(PolicyKind),
    RemovePolicy(usize),
    RenamePolicy(usize, String),
    EditPolicy(usize, String),
    /// Pretty-print a policy's text (when it is valid JSON).
    FormatPolicy(usize),
    SetPolicyLevel(usize, usize),
    /// Edit the raw text of a field the parts do not model.
    EditExtra(String, String),
    /// The task definition pane's text changed (empty removes the task definition).
    SetTaskDefinition(String),
    /// Make a line of the task definition's checklist the current request: added to the
    /// requests (or found there), selected, its trace open.
    UseChecklistLine(usize),
    AddRequest,
    RemoveRequest(usize),
    SetRequest(usize, RequestField, String),
    /// Add a context row to a request, its key starting with this prefix
    /// (`aws:RequestTag/`, `aws:ResourceTag/`, or empty).
    AddContext(usize, &'static str),
    SetContextKey(usize, usize, String),
    SetContextKind(usize, usize, ValueKind),
    SetContextValue(usize, usize, String),
    RemoveContext(usize, usize),
    /// Add a key the trace reported missing to a request, with a value the policy expects.
    AddMissing(usize, String),
    ShowTab(Tab),
    /// The scenario file's text changed (one `input` event).
    EditFile(String),
    /// A wait for a pause in typing on a long text ended (`State::waits`).
    EvaluateDeferred,
    /// Drop hand edits of the scenario file that do not read, back to the parts.
    DiscardFile,
    SelectRequest(usize),
    ToggleTrace(usize),
    ToggleGallery,
    /// Replace the scenario; the current one is kept as `previous`.
    Open(String, Origin),
    OpenExample(Example),
    /// The gallery's examples arrived, or could not be fetched.
    GalleryLoaded(Result<Vec<Example>, String>),
    /// Open a share link (the page's fragment), as unpacked: `share::decode` natively, the
    /// browser's decompressor in the page (`effects::open_link`).
    OpenLink(Result<String, LinkError>),
    RestorePrevious,
    /// Evaluate the same texts again: a reader the answer depends on (the YAML reader,
    /// loaded on demand) has become available.
    Reevaluate,
    DismissBanner,
    /// A share link was made for the current scenario (`origin + path + #s=...`).
    Shared(String),
    /// A file could not be read, the clipboard refused, ...
    Failed(String, Option<String>),
    /// The autosave's outcome: `false` when local storage refused the work.
    SaveResult(bool),
    /// The action catalog arrived: everything is evaluated again with it.
    CatalogLoaded(Catalog),
    /// The literal-context toggle.
    SetLiteral(bool),
    ToggleCapabilities,
    SetCapabilitiesResource(String),
    ToggleLeastPrivilege,
    /// Make this policy text the only identity policy (the generated least-privilege
    /// policy); the scenario before is kept as `previous`.
    UseIdentityPolicy(String),
}

impl Action {
    /// A keystroke in an editor whose text is long enough to wait for a pause in typing.
    pub fn is_long_edit(&self) -> bool {
        matches!(self, Action::EditFile(t) | Action::EditPolicy(_, t) | Action::SetTaskDefinition(t) if t.len() > DEFERRED_TEXT)
    }

    /// Whether the parts' answer must be current before this action: not for actions that
    /// evaluate everything again themselves, nor for those that change only what is drawn
    /// around the scenario (selection, open traces, panels, banners, the autosave's result),
    /// which the file tab draws from the file's own answer.
    fn needs_parts(&self) -> bool {
        !matches!(
            self,
            Action::EditFile(_)
                | Action::EvaluateDeferred
                | Action::Reevaluate
                | Action::CatalogLoaded(_)
                | Action::SetLiteral(_)
                | Action::ShowTab(Tab::File)
                | Action::SelectRequest(_)
                | Action::ToggleTrace(_)
                | Action::ToggleGallery
                | Action::GalleryLoaded(_)
                | Action::DismissBanner
                | Action::Shared(_)
                | Action::Failed(..)
                | Action::SaveResult(_)
                | Action::ToggleCapabilities
                | Action::SetCapabilitiesResource(_)
                | Action::ToggleLeastPrivilege
        )
    }
}

impl State {
    /// A state showing this scenario text, read by part when it can be.
    pub fn new(text: impl Into<String>) -> State {
        let text = text.into();
        let mut state = State::from_doc(ScenarioDoc::blank());
        state.load_text(text);
        state
    }

    fn from_doc(doc: ScenarioDoc) -> State {
        let report = Rc::new(document::evaluate(&doc));
        State {
            catalog: None,
            literal: false,
            capabilities_open: false,
            capabilities_resource: String::new(),
            least_privilege_open: false,
            doc,
            report,
            report_pending: false,
            deferred: None,
            waits: 0,
            file: None,
            tab: Tab::Parts,
            selected: 0,
            open_traces: BTreeSet::new(),
            banner: None,
            previous: None,
            share_link: None,
            gallery_open: false,
            gallery: None,
            unsaved: false,
        }
    }

    pub fn example() -> State {
        State::new(EXAMPLE)
    }

    /// The state the page starts in: the saved work (if any), then the link in the URL (if
    /// any) opened over it, keeping the saved work as the way back.
    pub fn start(stored: Option<&str>, link: Option<Result<String, LinkError>>) -> State {
        let mut state = match stored.map(Persisted::load) {
            Some(Loaded::Current(p)) => {
                let mut s = State::new(p.scenario);
                s.previous = p.previous;
                s.tab = if s.parts_locked() { Tab::File } else { p.tab };
                s
            }
            Some(Loaded::Newer(v)) => {
                let mut s = State::example();
                s.banner = Some(Banner {
                    tone: Tone::Error,
                    message: format!("the saved work was written by a newer iamplay (format {v}) and is left untouched"),
                    help: Some("open the page with a newer iamplay to get it back".into()),
                    offer_restore: false,
                });
                s
            }
            Some(Loaded::Unreadable) | None => State::example(),
        };
        if let Some(link) = link {
            state = state.reduce(Action::OpenLink(link));
        }
        state
    }

    /// What the page saves: the scenario text exactly as the user left it.
    pub fn persisted(&self) -> Persisted {
        Persisted { scenario: self.scenario_text(), previous: self.previous.clone(), tab: self.tab }
    }

    /// The scenario as a file: the hand-edited text while there is one, else the document
    /// written out.
    pub fn scenario_text(&self) -> String {
        match (&self.deferred, &self.file) {
            (Some(Deferred::File(text)), _) => text.clone(),
            (Some(Deferred::Parts), _) => document::to_scenario_text(&self.doc),
            (None, Some(draft)) => draft.text.clone(),
            (None, None) => self.report.text.clone(),
        }
    }

    /// The report to show: the file's while it is edited by hand and shown.
    pub fn shown_report(&self) -> &ScenarioReport {
        match (&self.file, self.tab) {
            (Some(draft), Tab::File) => &draft.report,
            _ => &self.report.scenario,
        }
    }

    /// The parts cannot be edited while the file holds edits that do not read: editing them
    /// would overwrite those edits.
    pub fn parts_locked(&self) -> bool {
        self.file.as_ref().is_some_and(|d| !d.readable)
    }

    pub fn is_trace_open(&self, index: usize) -> bool {
        self.open_traces.contains(&index)
    }

    pub fn reduce(&self, action: Action) -> State {
        let mut next = self.clone();
        next.apply(action);
        next
    }

    fn apply(&mut self, action: Action) {
        // A deferred edit is evaluated before anything acts on it; a keystroke replacing it, the
        // save's result and the end of an earlier wait leave it waiting.
        let replaces_it = match &self.deferred {
            Some(Deferred::File(_)) => matches!(action, Action::EditFile(_)),
            Some(Deferred::Parts) => action.is_long_edit(),
            None => false,
        };
        if !replaces_it && !matches!(action, Action::SaveResult(_) | Action::EvaluateDeferred) {
            self.evaluate_deferred();
        }
        if self.report_pending && action.needs_parts() {
            self.report = Rc::new(document::evaluate_with(&self.doc, &self.settings()));
            self.report_pending = false;
        }
        match action {
            Action::ShowTab(tab) => self.tab = tab,
            Action::EditFile(text) if text.len() > DEFERRED_TEXT => {
                self.deferred = Some(Deferred::File(text));
                self.waits += 1;
            }
            Action::EditFile(text) => {
                self.deferred = None;
                self.edit_file(text);
            }
            Action::EvaluateDeferred => {
                self.waits = self.waits.saturating_sub(1);
                if self.waits == 0 {
                    self.evaluate_deferred();
                }
            }
            Action::DiscardFile => {
                self.file = None;
                self.tab = Tab::Parts;
            }
            Action::SelectRequest(i) => self.selected = i,
            Action::ToggleTrace(i) => {
                if !self.open_traces.remove(&i) {
                    self.open_traces.insert(i);
                }
            }
            Action::ToggleGallery => self.gallery_open = !self.gallery_open,
            Action::Open(text, origin) => self.open(text, origin),
            Action::OpenExample(example) => {
                self.open(example.text.clone(), Origin::Example(example.name()));
                self.gallery_open = false;
            }
            Action::GalleryLoaded(examples) => self.gallery = Some(examples.map(Rc::new)),
            Action::OpenLink(link) => match link {
                Ok(text) => self.open(text, Origin::Link),
                Err(e) => {
                    self.banner = Some(Banner {
                        tone: Tone::Error,
                        message: format!("the share link could not be opened: {}", e.message),
                        help: Some(format!("{}; your scenario is unchanged", e.help)),
                        offer_restore: false,
                    })
                }
            },
            Action::Reevaluate => self.reevaluate(),
            Action::RestorePrevious => {
                if let Some(previous) = self.previous.take() {
                    let current = self.scenario_text();
                    self.load_text(previous);
                    self.previous = Some(current);
                    self.banner = Some(Banner { tone: Tone::Info, message: "the previous scenario is back".into(), help: None, offer_restore: true });
                }
            }
            Action::DismissBanner => self.banner = None,
            Action::Shared(link) => {
                self.share_link = Some(link);
                self.banner = Some(Banner {
                    tone: Tone::Info,
                    message: "share link copied".into(),
                    help: Some("the scenario travels in the link's fragment (after `#`), which browsers never send to a server".into()),
                    offer_restore: false,
                });
            }
            Action::Failed(message, help) => self.banner = Some(Banner { tone: Tone::Error, message, help, offer_restore: false }),
            Action::UseChecklistLine(i) => self.use_checklist_line(i),
            Action::SaveResult(saved) => self.unsaved = !saved,
            Action::CatalogLoaded(catalog) => {
                self.catalog = Some(catalog);
                self.reevaluate();
            }
            Action::SetLiteral(on) => {
                self.literal = on;
                self.reevaluate();
            }
            Action::ToggleCapabilities => self.capabilities_open = !self.capabilities_open,
            Action::SetCapabilitiesResource(r) => self.capabilities_resource = r,
            Action::ToggleLeastPrivilege => self.least_privilege_open = !self.least_privilege_open,
            Action::UseIdentityPolicy(text) => self.use_identity_policy(text),
            // Adding a key the action never carries would change nothing: the view says why.
            Action::AddMissing(i, ref key) if self.never_carried(i, key).is_some() => {}
            edit => {
                if self.parts_locked() {
                    return;
                }
                let long = edit.is_long_edit();
                let mut doc = self.doc.clone();
                if edit_doc(&mut doc, edit, &self.report) {
                    if long {
                        self.doc = doc;
                        self.file = None;
                        self.deferred = Some(Deferred::Parts);
                        self.waits += 1;
                    } else {
                        self.set_doc(doc);
                    }
                }
            }
        }
    }

    fn evaluate_deferred(&mut self) {
        match self.deferred.take() {
            Some(Deferred::File(text)) => self.edit_file(text),
            Some(Deferred::Parts) => self.set_doc(self.doc.clone()),
            None => {}
        }
    }

    /// Why request `i`'s action never carries `key`, once the catalog is here and the
    /// context is not evaluated as given (by the toggle or the scenario's options): such a
    /// key is left out of the evaluation, so adding it to the request would change nothing.
    pub fn never_carried(&self, i: usize, key: &str) -> Option<String> {
        let catalog = self.catalog.as_ref()?;
        if self.report.result(i)?.outcome.catalog.as_ref()?.literal {
            return None;
        }
        let r = self.doc.requests.get(i)?;
        catalog.oracle.answer(&r.action, &r.resource, &[key.to_string()]).never.into_iter().next().flatten()
    }

    fn use_identity_policy(&mut self, text: String) {
        if self.parts_locked() || text.trim().is_empty() {
            return;
        }
        let current = self.scenario_text();
        let mut doc = self.doc.clone();
        if let Some(raw) = doc.extra.iter().position(|e| e.key == "identity_policies") {
            doc.extra.remove(raw);
        }
        while let Some(i) = doc.policies.iter().position(|p| p.kind == PolicyKind::Identity) {
            doc.policies.remove(i);
        }
        // First, where the file writes identity policies.
        doc.policies.insert(0, PolicyDoc { kind: PolicyKind::Identity, name: "LeastPrivilege".into(), text });
        self.set_doc(doc);
        if current != self.scenario_text() {
            self.previous = Some(current);
        }
        self.banner = Some(Banner {
            tone: Tone::Info,
            message: "the generated policy is now the only identity policy".into(),
            help: Some("the policies it replaced are in the previous scenario".into()),
            offer_restore: true,
        });
    }

    fn use_checklist_line(&mut self, i: usize) {
        let Some(line) = self.report.scenario.checklist.get(i) else { return };
        if self.parts_locked() || self.doc.requests_are_raw() {
            return;
        }
        let request = request_of_line(line);
        let same = |r: &RequestDoc| r.action == request.action && r.resource == request.resource && r.on_behalf_of == request.on_behalf_of && r.context == request.context;
        let at = match self.doc.requests.iter().position(same) {
            Some(at) => at,
            None => {
                let mut doc = self.doc.clone();
                doc.requests.push(request);
                self.set_doc(doc);
                self.doc.requests.len() - 1
            }
        };
        self.selected = at;
        self.open_traces.insert(at);
    }

    /// Replaces the scenario with one opened from elsewhere, keeping the current one as the
    /// way back when it holds anything the new one does not.
    fn open(&mut self, text: String, origin: Origin) {
        let current = self.scenario_text();
        let replaced = current != text;
        self.load_text(text);
        if replaced {
            self.previous = Some(current);
        }
        let message = match &origin {
            Origin::Example(name) => format!("opened the example “{name}”"),
            Origin::Link => "opened the scenario from the share link".to_string(),
            Origin::File(name) => format!("imported `{name}`"),
        };
        self.banner = Some(Banner { tone: Tone::Info, message, help: None, offer_restore: replaced });
        self.open_traces.clear();
        self.selected = 0;
    }

    /// Shows a scenario text: by part when it reads as a document, else in the file tab.
    fn load_text(&mut self, text: String) {
        match document::from_scenario_text(&text) {
            Ok(doc) => {
                self.set_doc(doc);
                // Keep the text as written: the file tab shows it as the user wrote it.
                if text != self.report.text {
                    self.file = Some(FileDraft { report: Rc::new(evaluate_text_with(&text, &self.settings())), text, readable: true });
                }
            }
            Err(_) => {
                self.file = Some(FileDraft { report: Rc::new(evaluate_text_with(&text, &self.settings())), text, readable: false });
                self.tab = Tab::File;
            }
        }
    }

    fn edit_file(&mut self, text: String) {
        let report = Rc::new(evaluate_text_with(&text, &self.settings()));
        let readable = match document::from_scenario_text(&text) {
            Ok(doc) => {
                // The file's answer is the one shown; the parts' answer waits (see `report`).
                self.doc = doc;
                self.report_pending = true;
                self.clamp_to_requests();
                true
            }
            Err(_) => false,
        };
        self.file = Some(FileDraft { text, report, readable });
    }

    /// What evaluation takes from the page: the catalog and the literal-context toggle.
    pub fn settings(&self) -> Settings {
        Settings { catalog: self.catalog.as_ref().map(|c| c.oracle.clone()), literal_context: self.literal, ..Settings::default() }
    }

    /// Everything evaluated again (the catalog arrived, the toggle changed); the hand-edited
    /// file, if any, too.
    fn reevaluate(&mut self) {
        self.report_pending = false;
        self.report = Rc::new(document::evaluate_with(&self.doc, &self.settings()));
        if let Some(draft) = &self.file {
            let report = Rc::new(evaluate_text_with(&draft.text, &self.settings()));
            self.file = Some(FileDraft { text: draft.text.clone(), report, readable: draft.readable });
        }
    }

    /// A changed document: evaluated again; the file tab follows it.
    fn set_doc(&mut self, doc: ScenarioDoc) {
        self.report_pending = false;
        self.report = Rc::new(document::evaluate_with(&doc, &self.settings()));
        self.doc = doc;
        self.file = None;
        self.clamp_to_requests();
    }

    /// Keeps the selection and the open traces within the document's requests.
    fn clamp_to_requests(&mut self) {
        let count = self.doc.requests.len();
        self.open_traces.retain(|&i| i < count);
        if self.selected >= count {
            self.selected = count.saturating_sub(1);
        }
    }
}

/// Applies a part edit to the document; false when it changes nothing.
fn edit_doc(doc: &mut ScenarioDoc, action: Action, report: &DocReport) -> bool {
    match action {
        Action::SetScenario(field, value) => {
            let key = match field {
                ScenarioField::Name => "name",
                ScenarioField::Notes => "notes",
                ScenarioField::Account => "account",
                ScenarioField::Region => "region",
            };
            // A raw field of the same name would be written twice.
            doc.extra.retain(|e| e.key != key);
            *match field {
                ScenarioField::Name => &mut doc.name,
                ScenarioField::Notes => &mut doc.notes,
                ScenarioField::Account => &mut doc.account,
                ScenarioField::Region => &mut doc.region,
            } = value;
        }
        Action::SetPrincipal(field, value) => {
            doc.extra.retain(|e| e.key != "principal");
            let p = &mut doc.principal;
            p.string_form = false;
            *match field {
                PrincipalField::Arn => &mut p.arn,
                PrincipalField::SessionName => &mut p.session_name,
                PrincipalField::UniqueId => &mut p.unique_id,
            } = value;
        }
        Action::AddPrincipalTag => {
            doc.extra.retain(|e| e.key != "principal");
            doc.principal.string_form = false;
            doc.principal.tags.push((String::new(), String::new()));
        }
        Action::SetPrincipalTag(i, key, value) => match doc.principal.tags.get_mut(i) {
            Some(tag) => *tag = (key, value),
            None => return false,
        },
        Action::RemovePrincipalTag(i) => {
            if i >= doc.principal.tags.len() {
                return false;
            }
            doc.principal.tags.remove(i);
        }
        Action::AddPolicy(kind) => {
            if kind.is_single() && doc.policies.iter().any(|p| p.kind == kind) {
                return false;
            }
            let text = match kind {
                PolicyKind::Scp(_) | PolicyKind::Rcp(_) | PolicyKind::PermissionsBoundary | PolicyKind::Session => STARTER_ALLOW_ALL,
                PolicyKind::Resource => STARTER_RESOURCE,
                PolicyKind::Identity => STARTER_IDENTITY,
            };
            let policy = PolicyDoc { kind, name: String::new(), text: text.to_string() };
            // In the order the file holds them, so that a reload shows the same order.
            let at = doc.policies.iter().position(|p| p.kind.file_order() > kind.file_order()).unwrap_or(doc.policies.len());
            doc.policies.insert(at, policy);
            match kind {
                PolicyKind::Scp(l) => doc.scp_levels = doc.scp_levels.max(l),
                PolicyKind::Rcp(l) => doc.rcp_levels = doc.rcp_levels.max(l),
                _ => {}
            }
        }
        Action::RemovePolicy(i) => {
            if i >= doc.policies.len() {
                return false;
            }
            let removed = doc.policies.remove(i);
            // A level left empty would deny everything: levels shrink with their policies.
            let used = |scp: bool| {
                doc.policies
                    .iter()
                    .filter_map(|p| match (p.kind, scp) {
                        (PolicyKind::Scp(l), true) | (PolicyKind::Rcp(l), false) => Some(l),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0)
            };
            match removed.kind {
                PolicyKind::Scp(_) => doc.scp_levels = used(true),
                PolicyKind::Rcp(_) => doc.rcp_levels = used(false),
                _ => {}
            }
        }
        Action::RenamePolicy(i, name) => match doc.policies.get_mut(i) {
            Some(p) => p.name = name,
            None => return false,
        },
        Action::EditPolicy(i, text) => match doc.policies.get_mut(i) {
            Some(p) => p.text = text,
            None => return false,
        },
        Action::FormatPolicy(i) => match doc.policies.get_mut(i).and_then(|p| highlight::pretty(&p.text).map(|t| (p, t))) {
            Some((p, text)) if p.text != text => p.text = text,
            _ => return false,
        },
        Action::SetPolicyLevel(i, level) => {
            let level = level.clamp(1, 5);
            let Some(p) = doc.policies.get_mut(i) else { return false };
            p.kind = match p.kind {
                PolicyKind::Scp(_) => PolicyKind::Scp(level),
                PolicyKind::Rcp(_) => PolicyKind::Rcp(level),
                _ => return false,
            };
            let is_scp = matches!(p.kind, PolicyKind::Scp(_));
            let moved = doc.policies.remove(i);
            let at = doc.policies.iter().position(|p| p.kind.file_order() > moved.kind.file_order()).unwrap_or(doc.policies.len());
            doc.policies.insert(at, moved);
            let max = doc.policies.iter().filter_map(|p| match p.kind {
                PolicyKind::Scp(l) if is_scp => Some(l),
                PolicyKind::Rcp(l) if !is_scp => Some(l),
                _ => None,
            });
            let max = max.max().unwrap_or(0);
            if is_scp {
                doc.scp_levels = max;
            } else {
                doc.rcp_levels = max;
            }
        }
        Action::EditExtra(key, raw) => match doc.extra.iter_mut().find(|e| e.key == key) {
            Some(e) => e.raw = raw,
            None => doc.extra.push(document::Extra { key, raw }),
        },
        Action::SetTaskDefinition(text) => {
            doc.extra.retain(|e| e.key != "task_definition");
            doc.task_definition = text;
        }
        Action::AddRequest => {
            if doc.requests_are_raw() {
                return false;
            }
            let template = doc.requests.last().cloned().map(|r| RequestDoc { name: String::new(), expect: String::new(), ..r });
            doc.requests.push(template.unwrap_or_else(|| RequestDoc { action: "s3:GetObject".into(), resource: "*".into(), ..RequestDoc::default() }));
        }
        Action::RemoveRequest(i) => {
            if i >= doc.requests.len() {
                return false;
            }
            doc.requests.remove(i);
        }
        Action::SetRequest(i, field, value) => {
            let Some(r) = doc.requests.get_mut(i) else { return false };
            *match field {
                RequestField::Name => &mut r.name,
                RequestField::Action => &mut r.action,
                RequestField::Resource => &mut r.resource,
                RequestField::ResourceAccount => &mut r.resource_account,
                RequestField::Expect => &mut r.expect,
                RequestField::As => &mut r.on_behalf_of,
            } = value;
        }
        Action::AddContext(i, prefix) => {
            let Some(r) = doc.requests.get_mut(i) else { return false };
            r.context.push(ContextEntry::new(prefix, ValueKind::String, ""));
        }
        Action::SetContextKey(i, j, key) => match context(doc, i, j) {
            Some(c) => c.key = key,
            None => return false,
        },
        Action::SetContextKind(i, j, kind) => match context(doc, i, j) {
            Some(c) => {
                c.values = match (c.kind, kind) {
                    (ValueKind::List, ValueKind::List) => return false,
                    (ValueKind::List, _) => vec![c.values.join(", ")],
                    (_, ValueKind::List) => split_list(c.value()),
                    _ => vec![c.value().to_string()],
                };
                c.kind = kind;
            }
            None => return false,
        },
        Action::SetContextValue(i, j, value) => match context(doc, i, j) {
            Some(c) => {
                c.values = if c.kind == ValueKind::List { split_list(&value) } else { vec![value] };
            }
            None => return false,
        },
        Action::RemoveContext(i, j) => {
            let Some(r) = doc.requests.get_mut(i) else { return false };
            if j >= r.context.len() {
                return false;
            }
            r.context.remove(j);
        }
        Action::AddMissing(i, key) => {
            let entry = missing_entry(report, i, &key);
            let Some(r) = doc.requests.get_mut(i) else { return false };
            if r.context.iter().any(|c| c.key.eq_ignore_ascii_case(&key)) {
                return false;
            }
            r.context.push(entry);
        }
        _ => return false,
    }
    true
}

/// A checklist line as a request of the scenario: the call ECS makes, on behalf of the role
/// that makes it (the service principal for the trust lines), with its context keys.
pub fn request_of_line(line: &ChecklistLine) -> RequestDoc {
    let r = &line.requirement;
    let on_behalf_of = match r.who {
        Who::ExecutionRoleTrust | Who::TaskRoleTrust => "ecs-tasks.amazonaws.com",
        who => who.as_str(),
    };
    RequestDoc {
        name: r.why.clone(),
        on_behalf_of: on_behalf_of.to_string(),
        action: r.action.clone(),
        resource: r.resource.clone(),
        context: r.context.iter().map(|(k, v)| ContextEntry::new(k.clone(), ValueKind::of_string(v), v.clone())).collect(),
        ..RequestDoc::default()
    }
}

/// The starting text of an added task definition: the smallest Fargate task that pulls a
/// private image and sends its logs (so the checklist has lines to show).
pub const STARTER_TASK_DEFINITION: &str = "{\n  \"family\": \"web\",\n  \"requiresCompatibilities\": [\"FARGATE\"],\n  \"taskRoleArn\": \"arn:aws:iam::111122223333:role/app-task\",\n  \"executionRoleArn\": \"arn:aws:iam::111122223333:role/ecsTaskExecutionRole\",\n  \"containerDefinitions\": [\n    {\n      \"name\": \"web\",\n      \"image\": \"111122223333.dkr.ecr.us-east-1.amazonaws.com/web:latest\",\n      \"logConfiguration\": {\n        \"logDriver\": \"awslogs\",\n        \"options\": { \"awslogs-group\": \"/ecs/web\", \"awslogs-region\": \"us-east-1\", \"awslogs-stream-prefix\": \"web\" }\n      }\n    }\n  ]\n}";

fn context(doc: &mut ScenarioDoc, i: usize, j: usize) -> Option<&mut ContextEntry> {
    doc.requests.get_mut(i)?.context.get_mut(j)
}

/// A list typed as `a, b, c`.
pub fn split_list(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',').map(|s| s.trim().to_string()).collect()
}

/// The context row for a key the trace reported missing: typed after the condition that
/// asked for it, with the first value that condition expects (so one click shows what the
/// policy needs; the user can change it).
fn missing_entry(report: &DocReport, request: usize, key: &str) -> ContextEntry {
    let condition = report.result(request).and_then(|r| {
        r.outcome
            .policies
            .iter()
            .flat_map(|p| &p.statements)
            .flat_map(|s| &s.conditions)
            .find(|c| c.key.eq_ignore_ascii_case(key) && c.request_values.is_none())
    });
    let operator = condition.map_or("", |c| c.operator.as_str());
    let value = condition.and_then(|c| c.policy_values.first()).filter(|v| !v.contains("${")).cloned();
    let kind = if operator.starts_with("ForAllValues") || operator.starts_with("ForAnyValue") || is_known_multivalued(key) {
        ValueKind::List
    } else if operator.starts_with("Ip") || operator.starts_with("NotIp") {
        ValueKind::Ip
    } else if operator.starts_with("Date") {
        ValueKind::Date
    } else if operator.starts_with("Numeric") {
        ValueKind::Number
    } else if operator.starts_with("Bool") {
        ValueKind::Bool
    } else {
        ValueKind::String
    };
    let value = if operator.starts_with("Null") { None } else { value };
    let value = value.unwrap_or_else(|| match kind {
        ValueKind::Ip => "203.0.113.7".into(),
        ValueKind::Date => "2025-01-01T00:00:00Z".into(),
        ValueKind::Number => "0".into(),
        ValueKind::Bool => "true".into(),
        _ => String::new(),
    });
    let values = if kind == ValueKind::List { split_list(&value) } else { vec![value] };
    ContextEntry { key: key.to_string(), kind, values }
}

const STARTER_IDENTITY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::my-bucket/*\"\n    }\n  ]\n}";
const STARTER_RESOURCE: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": { \"AWS\": \"arn:aws:iam::111122223333:root\" },\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"arn:aws:s3:::my-bucket/*\"\n    }\n  ]\n}";
const STARTER_ALLOW_ALL: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

impl Default for State {
    fn default() -> State {
        State::example()
    }
}

#[cfg(test)]
mod tests {
    use iamplay::trace::Decision;

    use super::*;
    use iamplay::share;
    use crate::examples;

    const TAGGED_READ: &str = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
 "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
   "Condition": {"StringEquals": {"aws:RequestTag/Status": "OK"}}}}],
 "requests": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:RequestTag/Status": "OK"}}]}"#;

    #[test]
    fn the_catalog_evaluates_again_and_the_toggle_keeps_the_context_as_given() {
        let catalog = iamplay::catalog::Catalog::parse(include_str!("../../catalog/catalog.txt")).unwrap();
        let state = State::new(TAGGED_READ);
        assert_eq!(decisions(&state), [Decision::Allowed]);
        assert!(state.report.findings.is_empty());
        let state = state.reduce(Action::CatalogLoaded(Catalog { oracle: Arc::new(catalog), summary: "catalog".into() }));
        assert_eq!(decisions(&state), [Decision::ImplicitDeny]);
        assert_eq!(state.report.findings.len(), 1);
        assert_eq!(state.report.findings[0].1.kind, iamplay::lint::Kind::ConditionNeverSatisfied);
        let literal = state.reduce(Action::SetLiteral(true));
        assert_eq!(decisions(&literal), [Decision::Allowed]);
        // Edits keep evaluating with the catalog and the toggle.
        let edited = literal.reduce(Action::SetRequest(0, RequestField::Name, "read".into()));
        assert_eq!(decisions(&edited), [Decision::Allowed]);
        assert_eq!(decisions(&edited.reduce(Action::SetLiteral(false))), [Decision::ImplicitDeny]);
    }

    fn with_catalog(state: State) -> State {
        let catalog = iamplay::catalog::Catalog::parse(include_str!("../../catalog/catalog.txt")).unwrap();
        state.reduce(Action::CatalogLoaded(Catalog { oracle: Arc::new(catalog), summary: "catalog".into() }))
    }

    #[test]
    fn a_key_the_action_never_carries_is_not_added_once_the_catalog_is_here() {
        // Before the catalog, the example's missing request tag can be added (see
        // `adding_a_missing_value_takes_the_value_the_policy_expects`); the example evaluates
        // contexts as given (its `options`), so it still can with the catalog.
        let example = with_catalog(State::default());
        assert_eq!(example.never_carried(0, "aws:RequestTag/Status"), None);
        assert_eq!(example.reduce(Action::AddMissing(0, "aws:RequestTag/Status".into())).doc.requests[0].context.len(), 1);
        let state = with_catalog(State::new(EXAMPLE.replace("\"options\": { \"literal_context\": true },", "")));
        let missing = state.report.result(0).unwrap().outcome.missing_context_values.clone();
        assert_eq!(missing, ["aws:RequestTag/Status"]);
        let why = state.never_carried(0, &missing[0]).expect("s3:GetObject never carries a request tag");
        assert!(why.starts_with("`s3:GetObject` never carries `aws:RequestTag/Status`"), "{why}");
        let refused = state.reduce(Action::AddMissing(0, missing[0].clone()));
        assert!(refused.doc.requests[0].context.is_empty());
        // A key the action can carry is still added.
        assert_eq!(state.never_carried(0, "aws:PrincipalTag/Status"), None);
        assert_eq!(state.never_carried(0, "aws:SourceIp"), None);
        // With the literal-context toggle the context is evaluated as given: it is added.
        let literal = state.reduce(Action::SetLiteral(true));
        assert_eq!(literal.never_carried(0, &missing[0]), None);
        let added = literal.reduce(Action::AddMissing(0, missing[0].clone()));
        assert_eq!(added.doc.requests[0].context, [ContextEntry::new("aws:RequestTag/Status", ValueKind::String, "OK")]);
        assert_eq!(decisions(&added)[0], Decision::Allowed);
    }

    #[test]
    fn the_checklist_is_evaluated_with_the_catalog() {
        // The execution role may read secrets only with a tag of the task, which never reaches them.
        let logs = "log-group:/ecs/worker:*'\\n";
        let text = FARGATE.replace(logs, &format!("{logs}              - Effect: Allow\\n                Action: secretsmanager:GetSecretValue\\n                Resource: '*'\\n                Condition:\\n                  StringEquals:\\n                    ecs:ResourceTag/Status: OK\\n"));
        assert_ne!(text, FARGATE);
        let before = State::new(text);
        let state = with_catalog(before.clone());
        let lines = &state.report.scenario.checklist;
        let evaluated: Vec<_> = lines.iter().filter(|l| l.outcome.is_some()).collect();
        assert!(evaluated.len() >= 5, "{}", lines.len());
        for l in &evaluated {
            let catalog = l.outcome.as_ref().unwrap().catalog.as_ref();
            assert!(catalog.is_some_and(|c| c.action_known), "{} has the catalog's trace", l.requirement.action);
        }
        let secret = lines.iter().position(|l| l.requirement.action == "secretsmanager:GetSecretValue").unwrap();
        assert!(lines[secret].explanation.contains("no `ecs:ResourceTag/Status`, and `secretsmanager:GetSecretValue` never carries it"), "{}", lines[secret].explanation);
        assert!(!before.report.scenario.checklist[secret].explanation.contains("never carries"), "{}", before.report.scenario.checklist[secret].explanation);
        // Each line made a request says what the line says.
        let mut s = state.clone();
        for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.outcome.is_some()) {
            s = s.reduce(Action::UseChecklistLine(i));
            let outcome = &s.report.result(s.selected).unwrap().outcome;
            assert_eq!(Some(outcome.decision), line.decision, "{}", line.requirement.action);
            assert_eq!(outcome.why, line.outcome.as_ref().unwrap().why, "{}", line.requirement.action);
        }
    }

    #[test]
    fn the_least_privilege_policy_becomes_the_identity_policy_and_the_old_ones_stay_one_click_away() {
        let text = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
 "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}},
                       {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}],
 "requests": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, {"action": "s3:ListBucket", "resource": "arn:aws:s3:::b"},
              {"action": "s3:DeleteObject", "resource": "arn:aws:s3:::b/k", "expect": "implicitDeny"}]}"#;
        let state = with_catalog(State::new(text));
        let catalog = iamplay::catalog::Catalog::parse(include_str!("../../catalog/catalog.txt")).unwrap();
        let set = iamplay::scenario::read_policies(&state.scenario_text(), &state.settings());
        assert_eq!(set.requests.len(), 2, "a request expected to be denied is not one to allow");
        let generated = iamplay::least_privilege::generate(&catalog, &set.requests, &set);
        assert!(generated.verified);
        let applied = state.reduce(Action::UseIdentityPolicy(generated.policy.clone()));
        let identity: Vec<_> = applied.doc.policies.iter().filter(|p| p.kind == PolicyKind::Identity).collect();
        assert_eq!(identity.len(), 1);
        assert_eq!(identity[0].text, generated.policy);
        assert_eq!(decisions(&applied), [Decision::Allowed, Decision::Allowed, Decision::ImplicitDeny]);
        assert_eq!(applied.report.error_count(), 0);
        assert!(applied.banner.as_ref().is_some_and(|b| b.offer_restore));
        let back = applied.reduce(Action::RestorePrevious);
        assert_eq!(back.scenario_text(), state.scenario_text());
        // Nothing to apply, or parts that cannot be edited: nothing changes.
        assert_eq!(state.reduce(Action::UseIdentityPolicy(String::new())).scenario_text(), state.scenario_text());
    }

    fn decisions(state: &State) -> Vec<Decision> {
        (0..state.doc.requests.len()).map(|i| state.report.result(i).unwrap().outcome.decision).collect()
    }

    #[test]
    fn starts_with_the_example_by_part_and_its_two_decisions() {
        let state = State::default();
        assert_eq!(state.scenario_text(), EXAMPLE, "the example's text is kept as written");
        assert!(state.file.as_ref().is_some_and(|f| f.readable));
        assert_eq!(state.doc.policies.len(), 1);
        assert_eq!(state.report.error_count(), 0, "{:?}", state.report.diagnostics);
        assert_eq!(decisions(&state), [Decision::ImplicitDeny, Decision::Allowed]);
        assert!(state.open_traces.is_empty());
        assert_eq!(state.tab, Tab::Parts);
    }

    #[test]
    fn editing_a_policy_re_evaluates_and_the_file_follows() {
        let state = State::default();
        let text = state.doc.policies[0].text.replace("aws:RequestTag/Status", "aws:PrincipalTag/Status");
        let state = state.reduce(Action::EditPolicy(0, text));
        assert_eq!(decisions(&state), [Decision::Allowed, Decision::Allowed]);
        assert!(state.file.is_none());
        assert!(state.scenario_text().contains("aws:PrincipalTag/Status"));
    }

    #[test]
    fn adding_a_missing_value_takes_the_value_the_policy_expects() {
        let state = State::default();
        let missing = &state.report.result(0).unwrap().outcome.missing_context_values;
        assert_eq!(missing, &["aws:RequestTag/Status"]);
        let state = state.reduce(Action::AddMissing(0, missing[0].clone()));
        assert_eq!(state.doc.requests[0].context, [ContextEntry::new("aws:RequestTag/Status", ValueKind::String, "OK")]);
        assert_eq!(decisions(&state), [Decision::Allowed, Decision::Allowed]);
        // Adding it twice changes nothing.
        let again = state.reduce(Action::AddMissing(0, "aws:requesttag/status".into()));
        assert_eq!(again.doc.requests[0].context.len(), 1);
    }

    #[test]
    fn missing_values_are_typed_after_their_operator() {
        let mut state = State::default();
        let policy = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "NumericLessThan": {"s3:max-keys": "10"},
                          "Bool": {"aws:SecureTransport": "true"}, "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]},
                          "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}}"#;
        state = state.reduce(Action::EditPolicy(0, policy.into()));
        let keys = state.report.result(0).unwrap().outcome.missing_context_values.clone();
        for key in &keys {
            state = state.reduce(Action::AddMissing(0, key.clone()));
        }
        let got: Vec<_> = state.doc.requests[0].context.iter().map(|c| (c.key.as_str(), c.kind, c.values.join("|"))).collect();
        for want in [
            ("aws:SourceIp", ValueKind::Ip, "203.0.113.0/24".to_string()),
            ("s3:max-keys", ValueKind::Number, "10".into()),
            ("aws:SecureTransport", ValueKind::Bool, "true".into()),
            ("aws:TagKeys", ValueKind::List, "a".into()),
            ("aws:CurrentTime", ValueKind::Date, "2020-01-01T00:00:00Z".into()),
        ] {
            assert!(got.contains(&(want.0, want.1, want.2.clone())), "{want:?} in {got:?}");
        }
    }

    #[test]
    fn policies_are_added_removed_renamed_and_kept_in_file_order() {
        let state = State::default()
            .reduce(Action::AddPolicy(PolicyKind::Scp(1)))
            .reduce(Action::AddPolicy(PolicyKind::Resource))
            .reduce(Action::AddPolicy(PolicyKind::Resource))
            .reduce(Action::RenamePolicy(0, "Renamed".into()));
        let kinds: Vec<_> = state.doc.policies.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Scp(1)], "one resource policy at most");
        assert_eq!(state.doc.scp_levels, 1);
        assert_eq!(state.doc.policies[0].name, "Renamed");
        assert!(state.report.scenario.results[0].outcome.policies.iter().any(|p| p.name == "Renamed"));
        // The written file reads back as the same parts.
        assert_eq!(document::from_scenario_text(&state.scenario_text()).unwrap(), state.doc);
        let state = state.reduce(Action::SetPolicyLevel(2, 2));
        assert_eq!(state.doc.policies[2].kind, PolicyKind::Scp(2));
        assert_eq!(state.doc.scp_levels, 2);
        let state = state.reduce(Action::RemovePolicy(2));
        assert_eq!(state.doc.scp_levels, 0, "no empty level is left behind");
    }

    #[test]
    fn context_rows_by_group_and_type() {
        let state = State::default()
            .reduce(Action::AddContext(0, "aws:ResourceTag/"))
            .reduce(Action::SetContextKey(0, 0, "aws:ResourceTag/Status".into()))
            .reduce(Action::SetContextValue(0, 0, "OK".into()))
            .reduce(Action::AddContext(0, ""))
            .reduce(Action::SetContextKey(0, 1, "aws:TagKeys".into()))
            .reduce(Action::SetContextKind(0, 1, ValueKind::List))
            .reduce(Action::SetContextValue(0, 1, "a, b".into()));
        let ctx = &state.doc.requests[0].context;
        assert_eq!(ctx[0], ContextEntry::new("aws:ResourceTag/Status", ValueKind::String, "OK"));
        assert_eq!(ctx[1].values, ["a", "b"]);
        assert!(state.scenario_text().contains("\"aws:TagKeys\": [\"a\", \"b\"]"), "{}", state.scenario_text());
        let state = state.reduce(Action::SetContextKind(0, 1, ValueKind::String));
        assert_eq!(state.doc.requests[0].context[1].values, ["a, b"]);
        let state = state.reduce(Action::RemoveContext(0, 0));
        assert_eq!(state.doc.requests[0].context.len(), 1);
    }

    #[test]
    fn requests_are_added_removed_and_carry_expectations() {
        let state = State::default().reduce(Action::AddRequest);
        assert_eq!(state.doc.requests.len(), 3);
        assert_eq!(state.doc.requests[2].action, "s3:GetObject");
        assert_eq!(state.doc.requests[2].expect, "");
        let state = state.reduce(Action::SetRequest(2, RequestField::Expect, "explicitDeny".into()));
        let result = state.report.result(2).unwrap();
        assert_eq!(result.passed(), Some(false));
        let state = state.reduce(Action::ToggleTrace(2)).reduce(Action::SelectRequest(2)).reduce(Action::RemoveRequest(2));
        assert_eq!(state.doc.requests.len(), 2);
        assert!(state.open_traces.is_empty());
        assert_eq!(state.selected, 1);
    }

    #[test]
    fn the_file_tab_edits_the_whole_scenario() {
        let state = State::default().reduce(Action::ShowTab(Tab::File));
        let broken = state.reduce(Action::EditFile("{\"scenario\": 1,".into()));
        assert!(broken.parts_locked());
        assert!(broken.shown_report().has_errors());
        // Part edits are refused while they would overwrite the broken text.
        let same = broken.reduce(Action::RenamePolicy(0, "x".into()));
        assert_eq!(same.scenario_text(), "{\"scenario\": 1,");
        let fixed = broken.reduce(Action::EditFile(EXAMPLE.replace("ReadCode\"", "Renamed\"")));
        assert!(!fixed.parts_locked());
        assert_eq!(fixed.doc.policies[0].name, "Renamed");
        assert_eq!(fixed.scenario_text(), EXAMPLE.replace("ReadCode\"", "Renamed\""));
        let discarded = broken.reduce(Action::DiscardFile);
        assert_eq!(discarded.tab, Tab::Parts);
        assert_eq!(discarded.scenario_text(), State::default().report.text);
    }

    #[test]
    fn a_long_file_is_evaluated_when_typing_pauses_or_another_action_comes() {
        let padding = " ".repeat(DEFERRED_TEXT);
        let long = EXAMPLE.replacen('{', &format!("{{{padding}"), 1).replace("ReadCode\"", "Long\"");
        let file = State::default().reduce(Action::ShowTab(Tab::File));
        let typed = file.reduce(Action::EditFile(long.clone()));
        // Shown and kept (the autosave writes `scenario_text`), not evaluated yet.
        assert!(matches!(&typed.deferred, Some(Deferred::File(t)) if *t == long));
        assert_eq!(typed.scenario_text(), long);
        assert_eq!(typed.doc.policies[0].name, "ReadCode");
        // A second keystroke starts a second wait; the end of the first wait and the save's
        // result do not evaluate.
        let longer = format!("{long} ");
        let typed = typed.reduce(Action::EditFile(longer.clone())).reduce(Action::SaveResult(true)).reduce(Action::EvaluateDeferred);
        assert!(matches!(&typed.deferred, Some(Deferred::File(t)) if *t == longer));
        assert_eq!(typed.waits, 1);
        assert_eq!(typed.doc.policies[0].name, "ReadCode");
        // The pause after the last keystroke: evaluated once, as a short text is at once.
        let paused = typed.reduce(Action::EvaluateDeferred);
        assert!(paused.deferred.is_none());
        assert_eq!(paused.file.as_ref().map(|d| d.text.as_str()), Some(longer.as_str()));
        assert_eq!(paused.doc.policies[0].name, "Long");
        assert_eq!(paused.shown_report().results.len(), 2);
        // Any other action evaluates it first, so it never acts on the text before the edit.
        let clicked = file.reduce(Action::EditFile(long.clone())).reduce(Action::SelectRequest(1));
        assert!(clicked.deferred.is_none());
        assert_eq!(clicked.doc.policies[0].name, "Long");
        // A short text right after a long one is evaluated at once, and the long one dropped.
        let short = typed.reduce(Action::EditFile(EXAMPLE.into()));
        assert!(short.deferred.is_none());
        assert_eq!(short.doc.policies[0].name, "ReadCode");
    }

    #[test]
    fn a_long_policy_is_evaluated_when_typing_pauses() {
        let state = State::default();
        let policy = state.doc.policies[0].text.replacen('{', &format!("{{{}", " ".repeat(DEFERRED_TEXT)), 1);
        let long = policy.replace("s3:GetObject", "s3:PutObject");
        assert!(long != policy && !state.report.text.contains("s3:PutObject"));
        let typed = state.reduce(Action::EditPolicy(0, long.clone()));
        // In the document and in what the autosave writes; the answer shown is the last one.
        assert!(matches!(typed.deferred, Some(Deferred::Parts)));
        assert_eq!(typed.doc.policies[0].text, long);
        assert!(typed.scenario_text().contains("s3:PutObject"));
        assert!(Rc::ptr_eq(&typed.report, &state.report));
        let paused = typed.reduce(Action::EvaluateDeferred);
        assert!(paused.deferred.is_none());
        assert!(paused.report.text.contains("s3:PutObject"));
        assert_eq!(paused.report.text, State::new(paused.scenario_text()).report.text);
        // Another action evaluates it first: the request it adds is evaluated with the edit.
        let added = typed.reduce(Action::AddRequest);
        assert!(added.deferred.is_none());
        assert!(added.report.text.contains("s3:PutObject"));
    }

    #[test]
    fn file_keystrokes_evaluate_the_parts_only_when_the_parts_are_needed() {
        let edited = EXAMPLE.replace("ReadCode\"", "Renamed\"");
        let typing = State::default().reduce(Action::ShowTab(Tab::File)).reduce(Action::EditFile(edited.clone()));
        assert!(typing.report_pending);
        // The autosave's answer (a refused save of a large text) and clicks in the results
        // leave the parts' answer pending.
        let typing = typing.reduce(Action::SaveResult(false)).reduce(Action::SelectRequest(1)).reduce(Action::ToggleTrace(1)).reduce(Action::DismissBanner);
        assert!(typing.report_pending);
        assert!(typing.unsaved);
        assert!(!typing.report.scenario.results[0].outcome.policies.iter().any(|p| p.name == "Renamed"));
        assert_eq!(typing.doc.policies[0].name, "Renamed");
        assert_eq!(typing.scenario_text(), edited);
        let shown = typing.reduce(Action::ShowTab(Tab::Parts));
        assert!(!shown.report_pending);
        let fresh = State::new(edited);
        assert_eq!(shown.report.text, fresh.report.text);
        assert!(shown.report.scenario.results[0].outcome.policies.iter().any(|p| p.name == "Renamed"));
        assert_eq!(decisions(&shown), decisions(&fresh));
    }

    #[test]
    fn opening_keeps_a_way_back() {
        let edited = State::default().reduce(Action::RenamePolicy(0, "MyWork".into()));
        let opened = edited.reduce(Action::OpenExample(examples::find("s3-read-scoped")));
        assert_ne!(opened.doc.name, edited.doc.name);
        assert!(opened.banner.as_ref().is_some_and(|b| b.offer_restore));
        let back = opened.reduce(Action::RestorePrevious);
        assert_eq!(back.doc.policies[0].name, "MyWork");
        assert_eq!(back.scenario_text(), edited.scenario_text());
    }

    #[test]
    fn links_open_and_bad_links_lose_nothing() {
        let other = include_str!("../../examples/s3-read-scoped.json");
        let link = format!("http://127.0.0.1:8080/#{}", share::encode(other));
        let edited = State::default().reduce(Action::RenamePolicy(0, "MyWork".into()));
        let opened = edited.reduce(Action::OpenLink(share::decode(&link)));
        assert_eq!(opened.scenario_text(), other);
        assert_eq!(opened.previous.as_deref(), Some(edited.scenario_text().as_str()));
        for bad in [format!("#{}", &share::encode(other)[..40]), "#s=9.AAAA".into(), "#s=1.@@".into()] {
            let failed = edited.reduce(Action::OpenLink(share::decode(&bad)));
            assert_eq!(failed.scenario_text(), edited.scenario_text(), "{bad}");
            let banner = failed.banner.unwrap();
            assert_eq!(banner.tone, Tone::Error);
            assert!(banner.message.starts_with("the share link could not be opened"), "{}", banner.message);
        }
    }

    #[test]
    fn start_restores_saved_work_then_opens_the_link_over_it() {
        let edited = State::default().reduce(Action::RenamePolicy(0, "MyWork".into()));
        let saved = edited.persisted().to_json();
        let restored = State::start(Some(&saved), None);
        assert_eq!(restored.scenario_text(), edited.scenario_text());
        let other = include_str!("../../examples/s3-read-scoped.json");
        let fragment = format!("#{}", share::encode(other));
        let linked = State::start(Some(&saved), Some(share::decode(&fragment)));
        assert_eq!(linked.scenario_text(), other);
        assert_eq!(linked.reduce(Action::RestorePrevious).scenario_text(), edited.scenario_text());
        let corrupt = State::start(Some(&saved), Some(share::decode("#s=1.AAAA")));
        assert_eq!(corrupt.scenario_text(), edited.scenario_text());
        assert!(corrupt.banner.is_some());
        assert_eq!(State::start(None, None).scenario_text(), EXAMPLE);
        assert_eq!(State::start(Some("garbage"), None).scenario_text(), EXAMPLE);
    }

    #[test]
    fn broken_saved_work_comes_back_in_the_file_tab() {
        let broken = State::default().reduce(Action::ShowTab(Tab::File)).reduce(Action::EditFile("{\"scenario\": 1, \"na".into()));
        let restored = State::start(Some(&broken.persisted().to_json()), None);
        assert_eq!(restored.tab, Tab::File);
        assert_eq!(restored.scenario_text(), "{\"scenario\": 1, \"na");
    }

    #[test]
    fn every_example_opens_by_part_without_diagnostics_and_meets_its_expectations() {
        for example in examples::bundled() {
            let state = State::default().reduce(Action::OpenExample(example.clone()));
            assert!(state.file.as_ref().is_none_or(|f| f.readable), "{}", example.id);
            assert_eq!(state.report.error_count(), 0, "{}: {:?}", example.id, state.report.diagnostics);
            for i in 0..state.doc.requests.len() {
                assert_eq!(state.report.result(i).and_then(|r| r.passed()), Some(true), "{} request {i}", example.id);
            }
        }
    }

    const FARGATE: &str = include_str!("../../examples/ecs-fargate-template.json");

    #[test]
    fn the_task_definition_is_a_part_and_its_checklist_lines_become_requests() {
        let state = State::new(FARGATE);
        assert!(state.doc.task_definition.starts_with("AWSTemplateFormatVersion"), "the template is the pane's text");
        assert_eq!(state.doc.requests[0].on_behalf_of, "task_role");
        let checklist = &state.report.scenario.checklist;
        assert_eq!(checklist.len(), 10);
        // Every line, made a request, is evaluated to the line's own decision.
        let mut s = state.clone();
        for (i, line) in checklist.iter().enumerate() {
            s = s.reduce(Action::UseChecklistLine(i));
            let at = s.selected;
            assert_eq!(s.doc.requests[at].action, line.requirement.action);
            assert!(s.is_trace_open(at));
            let result = s.report.result(at).unwrap_or_else(|| panic!("line {i}: {:?}", s.report.diagnostics));
            assert_eq!(Some(result.outcome.decision), line.decision, "line {i}: {}", line.requirement.action);
        }
        assert_eq!(s.report.error_count(), 0, "{:?}", s.report.diagnostics);
        // The secret line is already a request of the example: it is selected, not added twice.
        let secret = checklist.iter().position(|l| l.requirement.action == "secretsmanager:GetSecretValue").unwrap();
        let again = state.reduce(Action::UseChecklistLine(secret));
        assert_eq!(again.doc.requests.len(), 3);
        assert_eq!(again.selected, 1);
        // The written scenario reads back with the same parts.
        assert_eq!(document::from_scenario_text(&s.scenario_text()).unwrap(), s.doc);
    }

    #[test]
    fn the_task_definition_pane_edits_and_removes() {
        let state = State::default().reduce(Action::SetTaskDefinition(STARTER_TASK_DEFINITION.into()));
        assert!(state.scenario_text().contains("\"task_definition\": {\n    \"family\": \"web\""), "{}", state.scenario_text());
        let task = state.report.scenario.task.as_ref().expect("understood");
        assert_eq!(task.launch_type, "FARGATE");
        assert!(!state.report.scenario.checklist.is_empty());
        let state = state.reduce(Action::SetRequest(0, RequestField::As, "execution_role".into()));
        assert!(state.scenario_text().contains("\"as\": \"execution_role\""));
        // Half-typed YAML keeps the scenario usable and says where the problem is.
        let broken = state.reduce(Action::SetTaskDefinition("Resources:\n  Task: [\n".into()));
        assert!(broken.report.diagnostics_of(document::Part::TaskDefinition).any(|d| d.is_error()));
        assert_eq!(broken.doc.requests.len(), 2);
        let removed = broken.reduce(Action::SetTaskDefinition(String::new())).reduce(Action::SetRequest(0, RequestField::As, String::new()));
        assert!(!removed.scenario_text().contains("task_definition"));
        assert!(removed.report.scenario.checklist.is_empty());
    }

    #[test]
    fn a_refused_save_is_remembered_until_one_succeeds() {
        let state = State::default().reduce(Action::SaveResult(false));
        assert!(state.unsaved);
        let edited = state.reduce(Action::RenamePolicy(0, "x".into()));
        assert!(edited.unsaved, "an edit alone does not say the work is saved");
        assert!(!edited.reduce(Action::SaveResult(true)).unsaved);
    }

    #[test]
    fn format_pretty_prints_a_policy() {
        let state = State::default().reduce(Action::EditPolicy(0, "{\"Version\":\"2012-10-17\",\"Statement\":[]}".into()));
        let state = state.reduce(Action::FormatPolicy(0));
        assert_eq!(state.doc.policies[0].text, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n");
    }
}
