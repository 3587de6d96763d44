//! A scenario as a person edits it: the principal, the policies by type, the requests with
//! typed context values, each part with its own text. Read from and written to the scenario
//! format (`docs/scenario-format.md`) without losing anything the user wrote.
//!
//! The document decides nothing: [`evaluate`] writes it as a scenario file and hands that to
//! [`scenario::evaluate_text`], the one reader every shell uses, then places the answers
//! (diagnostics, results, the statements that decided) back into the parts.
//!
//! Invariants relied on by the page:
//! - `from_scenario_text(&to_scenario_text(&doc)) == Ok(doc)` for every document that
//!   `from_scenario_text` returns (documents are normalised on reading: policy texts are
//!   trimmed, string-typed context values get the type their text shows).
//! - A field the document does not model, or a known field whose value it cannot model, is
//!   kept as its raw JSON text in `extra` and written back unchanged.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Span};
use crate::json::{self, Json, Value};
use crate::policy;
use crate::scenario::{self, ScenarioReport};
use crate::trace::PolicyType;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ScenarioDoc {
    /// Empty when the scenario has none; likewise `notes`, `account`, `region`.
    pub name: String,
    pub notes: String,
    pub account: String,
    pub region: String,
    /// The `task_definition` as the user pasted it: a task definition or a CloudFormation
    /// template, JSON or YAML (possibly half-typed); empty for none. Written inline when it
    /// is a complete JSON object, else as a string holding the text.
    pub task_definition: String,
    pub principal: PrincipalDoc,
    /// In the order they are shown; at most one each of resource, boundary and session.
    pub policies: Vec<PolicyDoc>,
    /// How many organisation levels `scps` / `rcps` have. A level may be empty (an empty
    /// SCP level allows nothing), so this is kept apart from the policies' own levels.
    pub scp_levels: usize,
    pub rcp_levels: usize,
    pub requests: Vec<RequestDoc>,
    /// Top-level fields kept as written (key, raw JSON text), in file order.
    pub extra: Vec<Extra>,
}

/// A field kept as its raw JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extra {
    pub key: String,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PrincipalDoc {
    pub arn: String,
    pub session_name: String,
    pub unique_id: String,
    /// The principal's own tags, seen by policies as `aws:PrincipalTag/KEY`.
    pub tags: Vec<(String, String)>,
    pub extra: Vec<Extra>,
    /// The file wrote the principal as a bare ARN string.
    pub string_form: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "level", rename_all = "snake_case")]
pub enum PolicyKind {
    Identity,
    Resource,
    PermissionsBoundary,
    Session,
    /// Organisation level, 1 = root.
    Scp(usize),
    Rcp(usize),
}

impl PolicyKind {
    pub fn policy_type(self) -> PolicyType {
        match self {
            PolicyKind::Identity => PolicyType::Identity,
            PolicyKind::Resource => PolicyType::Resource,
            PolicyKind::PermissionsBoundary => PolicyType::PermissionsBoundary,
            PolicyKind::Session => PolicyType::Session,
            PolicyKind::Scp(_) => PolicyType::Scp,
            PolicyKind::Rcp(_) => PolicyType::Rcp,
        }
    }

    /// The order in which a scenario file lists policies: identity, resource, boundary,
    /// session, SCPs by level, RCPs by level.
    pub fn file_order(self) -> (u8, usize) {
        match self {
            PolicyKind::Identity => (0, 0),
            PolicyKind::Resource => (1, 0),
            PolicyKind::PermissionsBoundary => (2, 0),
            PolicyKind::Session => (3, 0),
            PolicyKind::Scp(l) => (4, l),
            PolicyKind::Rcp(l) => (5, l),
        }
    }

    /// Kinds a scenario holds at most one of.
    pub fn is_single(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::PermissionsBoundary | PolicyKind::Session)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDoc {
    pub kind: PolicyKind,
    /// Empty: the policy is named by its place (`identity-0`, `resource`, ...).
    pub name: String,
    /// The policy document as the user wrote it (possibly half-typed).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RequestDoc {
    pub name: String,
    pub action: String,
    pub resource: String,
    pub resource_account: String,
    /// The request's `as`: `task_role`, `execution_role`, `instance_role`, a role name or a
    /// principal ARN; empty for the scenario's `principal`.
    pub on_behalf_of: String,
    pub context: Vec<ContextEntry>,
    /// `allowed`, `implicitDeny`, `explicitDeny`, empty for none; kept as text so that a
    /// typo survives to be reported.
    pub expect: String,
    pub extra: Vec<Extra>,
}

/// How a context value is written. String, date and IP values are all JSON strings; the
/// type only says what the text is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    String,
    List,
    Number,
    Bool,
    Date,
    Ip,
}

impl ValueKind {
    pub const ALL: [ValueKind; 6] = [ValueKind::String, ValueKind::List, ValueKind::Number, ValueKind::Bool, ValueKind::Date, ValueKind::Ip];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::String => "string",
            ValueKind::List => "list",
            ValueKind::Number => "number",
            ValueKind::Bool => "bool",
            ValueKind::Date => "date",
            ValueKind::Ip => "ip",
        }
    }

    pub fn parse(text: &str) -> Option<ValueKind> {
        ValueKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind a string value is read as: a date or an IP address when its text is one.
    pub fn of_string(text: &str) -> ValueKind {
        if looks_like_date(text) {
            ValueKind::Date
        } else if looks_like_ip(text) {
            ValueKind::Ip
        } else {
            ValueKind::String
        }
    }
}

/// One condition key of a request with its value(s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    pub key: String,
    pub kind: ValueKind,
    /// One value for every kind but `List`.
    pub values: Vec<String>,
}

impl ContextEntry {
    pub fn new(key: impl Into<String>, kind: ValueKind, value: impl Into<String>) -> ContextEntry {
        ContextEntry { key: key.into(), kind, values: vec![value.into()] }
    }

    /// The single value (the first of a list).
    pub fn value(&self) -> &str {
        self.values.first().map_or("", String::as_str)
    }

    /// Whether the value can be written as its kind (a number that is a JSON number, ...).
    pub fn is_valid(&self) -> bool {
        match self.kind {
            ValueKind::Number => is_json_number(self.value()),
            ValueKind::Bool => matches!(self.value(), "true" | "false"),
            ValueKind::Date => looks_like_date(self.value()),
            ValueKind::Ip => looks_like_ip(self.value()),
            ValueKind::String | ValueKind::List => true,
        }
    }
}

impl ScenarioDoc {
    /// A blank scenario: a role session with no policies and one request.
    pub fn blank() -> ScenarioDoc {
        ScenarioDoc {
            principal: PrincipalDoc { arn: "arn:aws:iam::111122223333:role/MyRole".into(), session_name: "session".into(), ..PrincipalDoc::default() },
            requests: vec![RequestDoc { action: "s3:GetObject".into(), resource: "arn:aws:s3:::my-bucket/key".into(), ..RequestDoc::default() }],
            ..ScenarioDoc::default()
        }
    }

    /// The name a policy has in traces: its own, else its place (as the scenario reader
    /// names unnamed policies).
    pub fn policy_display_name(&self, index: usize) -> String {
        let Some(p) = self.policies.get(index) else { return String::new() };
        if !p.name.is_empty() {
            return p.name.clone();
        }
        let position = self.policies[..index].iter().filter(|q| q.kind == p.kind).count();
        match p.kind {
            PolicyKind::Identity => format!("identity-{position}"),
            PolicyKind::Resource => "resource".into(),
            PolicyKind::PermissionsBoundary => "boundary".into(),
            PolicyKind::Session => "session".into(),
            PolicyKind::Scp(level) | PolicyKind::Rcp(level) => {
                let prefix = if matches!(p.kind, PolicyKind::Scp(_)) { "scp" } else { "rcp" };
                let nested = if matches!(p.kind, PolicyKind::Scp(_)) { self.written_levels(true) > 1 } else { self.written_levels(false) > 1 };
                if nested {
                    format!("{prefix}-L{level}-{position}")
                } else {
                    format!("{prefix}-{position}")
                }
            }
        }
    }

    fn written_levels(&self, scp: bool) -> usize {
        let declared = if scp { self.scp_levels } else { self.rcp_levels };
        let used = self
            .policies
            .iter()
            .filter_map(|p| match (p.kind, scp) {
                (PolicyKind::Scp(l), true) | (PolicyKind::Rcp(l), false) => Some(l.max(1)),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        declared.max(used)
    }

    fn has_extra(&self, key: &str) -> bool {
        self.extra.iter().any(|e| e.key == key)
    }

    /// The requests are kept raw (not in a form the request editor reads).
    pub fn requests_are_raw(&self) -> bool {
        self.requests.is_empty() && self.has_extra("requests")
    }

    /// The principal is kept raw.
    pub fn principal_is_raw(&self) -> bool {
        self.principal == PrincipalDoc::default() && self.has_extra("principal")
    }
}

// ---------------------------------------------------------------------------------------
// Reading

/// Reads a scenario text into parts. Fails only when the text is not a JSON object or
/// names another format version: everything else, valid or not, is kept.
pub fn from_scenario_text(text: &str) -> Result<ScenarioDoc, Vec<Diagnostic>> {
    let parsed = json::parse(text);
    if !parsed.errors.is_empty() {
        return Err(parsed.errors);
    }
    let Some(root) = parsed.json else { return Err(vec![Diagnostic::error(Span::new(0, 0), "the scenario is empty")]) };
    let Some(members) = root.as_object() else {
        return Err(vec![Diagnostic::error(root.span, format!("a scenario must be a JSON object, found {}", root.kind()))]);
    };
    let reader = Reader { text };
    let mut doc = ScenarioDoc::default();
    let mut seen: Vec<&str> = Vec::new();
    for m in members {
        let first = !seen.contains(&m.key.as_str());
        seen.push(&m.key);
        let v = &m.value;
        let done = first
            && match m.key.as_str() {
                "scenario" => match &v.value {
                    Value::Number(n) if n == "1" => true,
                    _ => return Err(vec![Diagnostic::error(v.span, "only scenario format version `1` can be edited by part")]),
                },
                "name" => reader.string_into(v, &mut doc.name),
                "notes" => reader.string_into(v, &mut doc.notes),
                "account" => reader.string_into(v, &mut doc.account),
                "region" => reader.string_into(v, &mut doc.region),
                "task_definition" => match &v.value {
                    // Normalised as the writer writes it: a JSON object's text is inlined.
                    Value::String(s) if !s.is_empty() => {
                        doc.task_definition = match inline_object(s) {
                            Some(t) => t.to_string(),
                            None => s.clone(),
                        };
                        true
                    }
                    Value::Object(_) => {
                        doc.task_definition = reader.cut(v.span);
                        true
                    }
                    _ => false,
                },
                "principal" => reader.principal(v).map(|p| doc.principal = p).is_some(),
                "identity_policies" => match &v.value {
                    Value::Null => true,
                    Value::Array(items) => {
                        reader.policies(items, PolicyKind::Identity).map(|ps| doc.policies.extend(ps)).is_some()
                    }
                    _ => false,
                },
                key @ ("resource_policy" | "permissions_boundary" | "session_policy") => {
                    let kind = match key {
                        "resource_policy" => PolicyKind::Resource,
                        "permissions_boundary" => PolicyKind::PermissionsBoundary,
                        _ => PolicyKind::Session,
                    };
                    match &v.value {
                        Value::Null => true,
                        _ => reader.policy(v, kind).map(|p| doc.policies.push(p)).is_some(),
                    }
                }
                key @ ("scps" | "rcps") => {
                    let scp = key == "scps";
                    match reader.levels(v, scp) {
                        Some((levels, ps)) => {
                            if scp {
                                doc.scp_levels = levels;
                            } else {
                                doc.rcp_levels = levels;
                            }
                            doc.policies.extend(ps);
                            true
                        }
                        None => false,
                    }
                }
                "requests" => match v.as_array() {
                    Some(items) => match items.iter().map(|i| reader.request(i)).collect::<Option<Vec<_>>>() {
                        // An empty list is written back as `[]`, and a raw one must stay raw.
                        Some(rs) if !rs.is_empty() => {
                            doc.requests = rs;
                            true
                        }
                        _ => false,
                    },
                    None => false,
                },
                _ => false,
            };
        if !done {
            doc.extra.push(Extra { key: m.key.clone(), raw: reader.cut(v.span) });
        }
    }
    // The order the writer uses, so that reading what it wrote gives the same list.
    doc.policies.sort_by_key(|p| p.kind.file_order());
    Ok(doc)
}

struct Reader<'t> {
    text: &'t str,
}

impl Reader<'_> {
    /// The raw text of a value, without the indentation of the line it starts on (the
    /// writer adds it back), so a policy reads as if it stood alone.
    fn cut(&self, span: Span) -> String {
        let raw = &self.text[span.start..span.end];
        let line_start = self.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = self.text[line_start..span.start].bytes().take_while(|&b| b == b' ').count();
        dedent(raw, indent)
    }

    fn string_into(&self, v: &Json, out: &mut String) -> bool {
        match &v.value {
            Value::String(s) => {
                *out = s.clone();
                true
            }
            _ => false,
        }
    }

    fn principal(&self, v: &Json) -> Option<PrincipalDoc> {
        match &v.value {
            Value::String(s) => Some(PrincipalDoc { arn: s.clone(), string_form: true, ..PrincipalDoc::default() }),
            Value::Object(members) => {
                let mut p = PrincipalDoc::default();
                let mut seen = Vec::new();
                for m in members {
                    if seen.contains(&m.key.as_str()) && ["arn", "session_name", "unique_id", "tags"].contains(&m.key.as_str()) {
                        return None;
                    }
                    seen.push(m.key.as_str());
                    match m.key.as_str() {
                        "arn" => p.arn = m.value.as_str()?.to_string(),
                        "session_name" => p.session_name = m.value.as_str()?.to_string(),
                        "unique_id" => p.unique_id = m.value.as_str()?.to_string(),
                        "tags" => p.tags = string_pairs(&m.value)?,
                        _ => p.extra.push(Extra { key: m.key.clone(), raw: self.cut(m.value.span) }),
                    }
                }
                // Empty strings are written as absent; only keep what reads back the same.
                if ["arn", "session_name", "unique_id"].iter().any(|k| v.get(k).and_then(Json::as_str) == Some("")) {
                    return None;
                }
                Some(p)
            }
            _ => None,
        }
    }

    fn policies(&self, items: &[Json], kind: PolicyKind) -> Option<Vec<PolicyDoc>> {
        items.iter().map(|i| self.policy(i, kind)).collect()
    }

    /// A policy: a document, a string holding one, or `{"name", "document"}`.
    fn policy(&self, v: &Json, kind: PolicyKind) -> Option<PolicyDoc> {
        let named = v.as_object().is_some_and(|m| m.iter().any(|m| m.key == "document") && v.get("Statement").is_none());
        let (name, doc) = if named {
            let members = v.as_object()?;
            if members.iter().any(|m| m.key != "name" && m.key != "document") || members.len() > 2 {
                return None;
            }
            let name = match v.get("name") {
                None => String::new(),
                Some(n) => n.as_str().filter(|s| !s.is_empty())?.to_string(),
            };
            (name, v.get("document")?)
        } else {
            (String::new(), v)
        };
        let text = match &doc.value {
            Value::String(s) => {
                let decoded = scenario::percent_decode(s);
                if !s.trim_start().starts_with('{') && decoded.trim_start().starts_with('{') {
                    decoded
                } else {
                    s.clone()
                }
            }
            _ => self.cut(doc.span),
        };
        Some(PolicyDoc { kind, name, text })
    }

    fn levels(&self, v: &Json, scp: bool) -> Option<(usize, Vec<PolicyDoc>)> {
        let kind = |level| if scp { PolicyKind::Scp(level) } else { PolicyKind::Rcp(level) };
        match &v.value {
            Value::Null => Some((0, Vec::new())),
            Value::Array(items) if items.is_empty() => Some((0, Vec::new())),
            Value::Array(items) => {
                let nested = items.iter().filter(|i| i.as_array().is_some()).count();
                if nested == items.len() {
                    let mut out = Vec::new();
                    for (l, level) in items.iter().enumerate() {
                        out.extend(self.policies(level.as_array()?, kind(l + 1))?);
                    }
                    Some((items.len(), out))
                } else if nested == 0 {
                    Some((1, self.policies(items, kind(1))?))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn request(&self, v: &Json) -> Option<RequestDoc> {
        let members = v.as_object()?;
        let mut r = RequestDoc::default();
        let mut seen = Vec::new();
        for m in members {
            let known = ["name", "as", "action", "resource", "resource_account", "context", "expect"].contains(&m.key.as_str());
            if known && seen.contains(&m.key.as_str()) {
                return None;
            }
            seen.push(m.key.as_str());
            let s = || m.value.as_str().map(str::to_string);
            match m.key.as_str() {
                // Empty strings would be written as absent: keep such a request raw.
                "name" => r.name = s().filter(|s| !s.is_empty())?,
                "as" => r.on_behalf_of = s().filter(|s| !s.is_empty())?,
                "action" => r.action = s()?,
                "resource" => r.resource = s()?,
                "resource_account" => r.resource_account = s().filter(|s| !s.is_empty())?,
                "expect" => r.expect = s().filter(|s| !s.is_empty())?,
                "context" => {
                    for k in m.value.as_object()? {
                        r.context.push(context_entry(&k.key, &k.value)?);
                    }
                }
                _ => r.extra.push(Extra { key: m.key.clone(), raw: self.cut(m.value.span) }),
            }
        }
        // `action` and `resource` are always written: a request lacking one stays raw.
        if v.get("action").is_none() || v.get("resource").is_none() {
            return None;
        }
        Some(r)
    }
}

fn string_pairs(v: &Json) -> Option<Vec<(String, String)>> {
    v.as_object()?.iter().map(|m| Some((m.key.clone(), m.value.as_str()?.to_string()))).collect()
}

fn context_entry(key: &str, v: &Json) -> Option<ContextEntry> {
    let (kind, values) = match &v.value {
        Value::String(s) => (ValueKind::of_string(s), vec![s.clone()]),
        Value::Number(n) => (ValueKind::Number, vec![n.clone()]),
        Value::Bool(b) => (ValueKind::Bool, vec![b.to_string()]),
        // Lists are written as strings: a list of numbers reads back as text, which is how
        // the scenario reader takes it anyway.
        Value::Array(items) => (ValueKind::List, items.iter().map(|i| i.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()?),
        _ => return None,
    };
    Some(ContextEntry { key: key.to_string(), kind, values })
}

/// Removes up to `indent` leading spaces from every line but the first.
fn dedent(raw: &str, indent: usize) -> String {
    if indent == 0 || !raw.contains('\n') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    for (i, line) in raw.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            let spaces = line.bytes().take(indent).take_while(|&b| b == b' ').count();
            out.push_str(&line[spaces..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Writing

/// Where each part ended up in a written scenario text.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub principal: Option<Span>,
    /// The `task_definition` value, and how its offsets map back to the pane's text.
    pub task_definition: Option<(Span, Placed)>,
    /// The span of each policy's document value, by index in `doc.policies`.
    pub policies: Vec<Option<Span>>,
    pub requests: Vec<Span>,
}

/// Writes the scenario file (format version 1) holding the document.
pub fn to_scenario_text(doc: &ScenarioDoc) -> String {
    write(doc).0
}

/// Writes the scenario file and says where each part is in it.
pub fn write(doc: &ScenarioDoc) -> (String, Layout) {
    let mut w = Writer { out: String::new(), layout: Layout { policies: vec![None; doc.policies.len()], ..Layout::default() } };
    w.out.push_str("{\n  \"scenario\": 1");
    for (key, value) in [("name", &doc.name), ("notes", &doc.notes), ("account", &doc.account), ("region", &doc.region)] {
        if !value.is_empty() {
            w.field(2, key);
            w.out.push_str(&quote(value));
        }
    }
    if !doc.task_definition.is_empty() {
        w.field(2, "task_definition");
        let start = w.out.len();
        let placed = match inline_object(&doc.task_definition) {
            Some(t) => {
                // As `raw` writes it: each line but the first gains the field's indentation,
                // so each line is a checkpoint (offset in the pane's text, offset in the file).
                let mut points = Vec::new();
                let mut offset = 0;
                for (i, line) in t.split('\n').enumerate() {
                    if i > 0 {
                        w.out.push('\n');
                        w.indent(2);
                    }
                    points.push((offset, w.out.len()));
                    w.out.push_str(line);
                    offset += line.len() + 1;
                }
                Placed::Inline(points)
            }
            None => {
                w.out.push_str(&quote(&doc.task_definition));
                match json::StringMap::new(&w.out, Span::new(start, w.out.len()), &doc.task_definition) {
                    Some(map) => Placed::String(map),
                    None => Placed::Inline(vec![(0, start + 1)]),
                }
            }
        };
        w.layout.task_definition = Some((Span::new(start, w.out.len()), placed));
    }
    if doc.principal != PrincipalDoc::default() {
        w.field(2, "principal");
        let start = w.out.len();
        w.principal(&doc.principal);
        w.layout.principal = Some(Span::new(start, w.out.len()));
    }
    let indices = |kind: &dyn Fn(PolicyKind) -> bool| doc.policies.iter().enumerate().filter(|(_, p)| kind(p.kind)).map(|(i, _)| i).collect::<Vec<_>>();
    let identity = indices(&|k| k == PolicyKind::Identity);
    if !identity.is_empty() {
        w.field(2, "identity_policies");
        w.list(2, &identity, doc);
    }
    for (key, kind) in [("resource_policy", PolicyKind::Resource), ("permissions_boundary", PolicyKind::PermissionsBoundary), ("session_policy", PolicyKind::Session)] {
        if let Some(&i) = indices(&|k| k == kind).first() {
            w.field(2, key);
            w.policy(2, i, doc);
        }
    }
    for (key, scp) in [("scps", true), ("rcps", false)] {
        let levels = doc.written_levels(scp);
        if levels == 0 {
            continue;
        }
        let at = |l: usize| indices(&|k| matches!((k, scp), (PolicyKind::Scp(x), true) | (PolicyKind::Rcp(x), false) if x.max(1) == l));
        w.field(2, key);
        // A policy written as an array would make a flat list read as nested levels.
        let arrays = at(1).iter().any(|&i| inline_text(&doc.policies[i].text).is_some_and(|t| t.starts_with('[')));
        if levels == 1 && !at(1).is_empty() && !arrays {
            w.list(2, &at(1), doc);
        } else {
            w.out.push('[');
            for l in 1..=levels {
                w.out.push_str(if l == 1 { "\n" } else { ",\n" });
                w.indent(4);
                w.list(4, &at(l), doc);
            }
            w.out.push_str("\n  ]");
        }
    }
    if !doc.requests_are_raw() {
        w.field(2, "requests");
        w.out.push('[');
        for (i, r) in doc.requests.iter().enumerate() {
            w.out.push_str(if i == 0 { "\n" } else { ",\n" });
            w.indent(4);
            let start = w.out.len();
            w.request(r);
            w.layout.requests.push(Span::new(start, w.out.len()));
        }
        w.out.push_str(if doc.requests.is_empty() { "]" } else { "\n  ]" });
    }
    w.extras(2, &doc.extra);
    w.out.push_str("\n}\n");
    (w.out, w.layout)
}

/// How a part written into the scenario file maps back to the part's own text.
#[derive(Debug, Clone)]
pub enum Placed {
    /// Written as JSON, re-indented: `(offset in the part, offset in the file)` at each line.
    Inline(Vec<(usize, usize)>),
    /// Written as a JSON string: through its escapes.
    String(json::StringMap),
}

impl Placed {
    /// The offset in the part's text of an offset in the file.
    pub fn part_offset(&self, at: usize) -> usize {
        match self {
            Placed::String(map) => map.value_offset(at),
            Placed::Inline(points) => {
                let i = points.partition_point(|p| p.1 <= at).saturating_sub(1);
                let Some(&(part, file)) = points.get(i) else { return 0 };
                let next = points.get(i + 1).map_or(usize::MAX, |p| p.0.saturating_sub(1));
                (part + at.saturating_sub(file)).min(next)
            }
        }
    }

    pub fn part_span(&self, span: Span) -> Span {
        let start = self.part_offset(span.start);
        Span::new(start, self.part_offset(span.end).max(start))
    }
}

/// The text to inline when a task definition's text is one complete JSON object.
fn inline_object(text: &str) -> Option<&str> {
    inline_text(text).filter(|t| t.starts_with('{'))
}

struct Writer {
    out: String,
    layout: Layout,
}

fn quote(s: &str) -> String {
    json_string(s)
}

/// `s` as a JSON string literal (quotes, backslashes and control characters escaped). Written
/// by hand so that the browser build needs no JSON serializer.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Writer {
    fn indent(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// `,\n<indent>"key": ` (every field follows another: `scenario` comes first).
    fn field(&mut self, indent: usize, key: &str) {
        self.out.push_str(",\n");
        self.indent(indent);
        self.out.push_str(&quote(key));
        self.out.push_str(": ");
    }

    /// Raw JSON text placed at `indent`: every line after the first gets the indentation back.
    fn raw(&mut self, indent: usize, text: &str) {
        let pad = " ".repeat(indent);
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
                self.out.push_str(&pad);
            }
            self.out.push_str(line);
        }
    }

    fn extras(&mut self, indent: usize, extra: &[Extra]) {
        for e in extra {
            self.field(indent, &e.key);
            self.raw(indent, &e.raw);
        }
    }

    fn object_start(&mut self, first: &mut bool, indent: usize, key: &str) {
        self.out.push_str(if *first { "\n" } else { ",\n" });
        *first = false;
        self.indent(indent);
        self.out.push_str(&quote(key));
        self.out.push_str(": ");
    }

    fn principal(&mut self, p: &PrincipalDoc) {
        if p.string_form && p.session_name.is_empty() && p.unique_id.is_empty() && p.tags.is_empty() && p.extra.is_empty() {
            self.out.push_str(&quote(&p.arn));
            return;
        }
        self.out.push('{');
        let mut first = true;
        for (key, value) in [("arn", &p.arn), ("session_name", &p.session_name), ("unique_id", &p.unique_id)] {
            if !value.is_empty() {
                self.object_start(&mut first, 4, key);
                self.out.push_str(&quote(value));
            }
        }
        if !p.tags.is_empty() {
            self.object_start(&mut first, 4, "tags");
            self.pairs(&p.tags);
        }
        for e in &p.extra {
            self.object_start(&mut first, 4, &e.key);
            self.raw(4, &e.raw);
        }
        self.out.push_str(if first { "}" } else { "\n  }" });
    }

    fn pairs(&mut self, pairs: &[(String, String)]) {
        self.out.push_str("{ ");
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(&quote(k));
            self.out.push_str(": ");
            self.out.push_str(&quote(v));
        }
        self.out.push_str(" }");
    }

    fn list(&mut self, indent: usize, indices: &[usize], doc: &ScenarioDoc) {
        if indices.is_empty() {
            self.out.push_str("[]");
            return;
        }
        self.out.push('[');
        for (n, &i) in indices.iter().enumerate() {
            self.out.push_str(if n == 0 { "\n" } else { ",\n" });
            self.indent(indent + 2);
            self.policy(indent + 2, i, doc);
        }
        self.out.push('\n');
        self.indent(indent);
        self.out.push(']');
    }

    fn policy(&mut self, indent: usize, index: usize, doc: &ScenarioDoc) {
        let p = &doc.policies[index];
        let inline = inline_text(&p.text);
        let named_shape = inline.is_some_and(looks_named);
        if p.name.is_empty() && !named_shape {
            self.document(indent, index, inline, &p.text);
            return;
        }
        self.out.push_str("{\n");
        self.indent(indent + 2);
        if !p.name.is_empty() {
            self.out.push_str("\"name\": ");
            self.out.push_str(&quote(&p.name));
            self.out.push_str(",\n");
            self.indent(indent + 2);
        }
        self.out.push_str("\"document\": ");
        self.document(indent + 2, index, inline, &p.text);
        self.out.push('\n');
        self.indent(indent);
        self.out.push('}');
    }

    fn document(&mut self, indent: usize, index: usize, inline: Option<&str>, text: &str) {
        let start = self.out.len();
        match inline {
            Some(t) => self.raw(indent, t),
            None => self.out.push_str(&quote(text)),
        }
        self.layout.policies[index] = Some(Span::new(start, self.out.len()));
    }

    fn request(&mut self, r: &RequestDoc) {
        self.out.push('{');
        let mut first = true;
        for (key, value, always) in [("name", &r.name, false), ("as", &r.on_behalf_of, false), ("action", &r.action, true), ("resource", &r.resource, true), ("resource_account", &r.resource_account, false)] {
            if always || !value.is_empty() {
                self.object_start(&mut first, 6, key);
                self.out.push_str(&quote(value));
            }
        }
        if !r.context.is_empty() {
            self.object_start(&mut first, 6, "context");
            self.out.push('{');
            for (i, c) in r.context.iter().enumerate() {
                self.out.push_str(if i == 0 { "\n" } else { ",\n" });
                self.indent(8);
                self.out.push_str(&quote(&c.key));
                self.out.push_str(": ");
                self.out.push_str(&context_value(c));
            }
            self.out.push_str("\n      }");
        }
        if !r.expect.is_empty() {
            self.object_start(&mut first, 6, "expect");
            self.out.push_str(&quote(&r.expect));
        }
        for e in &r.extra {
            self.object_start(&mut first, 6, &e.key);
            self.raw(6, &e.raw);
        }
        self.out.push_str(if first { "}" } else { "\n    }" });
    }
}

/// A context value as JSON: numbers and booleans as such when their text is one, lists as
/// arrays of strings, everything else as a string.
fn context_value(c: &ContextEntry) -> String {
    match c.kind {
        ValueKind::List => format!("[{}]", c.values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")),
        ValueKind::Number if is_json_number(c.value()) => c.value().to_string(),
        ValueKind::Bool if matches!(c.value(), "true" | "false") => c.value().to_string(),
        _ => quote(c.value()),
    }
}

/// The text to inline as JSON when the policy text is a complete JSON value other than a
/// string (a string is written as a string holding the text, so it reads back the same).
fn inline_text(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    let parsed = json::parse(trimmed);
    match parsed.json {
        Some(j) if parsed.errors.is_empty() && !matches!(j.value, Value::String(_)) => Some(trimmed),
        _ => None,
    }
}

/// An object the scenario reader would take for `{"name", "document"}`.
fn looks_named(text: &str) -> bool {
    json::parse(text).json.is_some_and(|j| j.as_object().is_some_and(|m| m.iter().any(|m| m.key == "document")) && j.get("Statement").is_none())
}

fn is_json_number(text: &str) -> bool {
    let parsed = json::parse(text);
    parsed.errors.is_empty() && matches!(parsed.json, Some(Json { value: Value::Number(_), span }) if span == Span::new(0, text.len()))
}

/// `2024-01-31`, optionally followed by `T` and a time.
fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || b[10] == b'T')
}

/// An IPv4 or IPv6 address, optionally with a `/prefix`.
fn looks_like_ip(text: &str) -> bool {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    if prefix.is_some_and(|p| p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let v4 = {
        let parts: Vec<&str> = addr.split('.').collect();
        parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n <= 255))
    };
    let v6 = addr.contains(':') && addr.len() >= 2 && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') && addr.split(':').count() <= 8;
    v4 || v6
}

// ---------------------------------------------------------------------------------------
// Evaluating

/// Which part of a document a diagnostic or a mark belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "part", content = "index", rename_all = "snake_case")]
pub enum Part {
    /// The scenario as a whole (a field kept raw, a missing principal, ...).
    Scenario,
    /// The task definition: spans are into `doc.task_definition`.
    TaskDefinition,
    Principal,
    /// A policy, by index in `doc.policies`: spans are into that policy's own text.
    Policy(usize),
    /// A request, by index in `doc.requests`.
    Request(usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartDiagnostic {
    pub part: Part,
    /// For a policy, the span is into the policy's text; otherwise into `DocReport::text`.
    pub diagnostic: Diagnostic,
}

/// A statement that decided a request's outcome, placed in its policy's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub policy: usize,
    pub statement: usize,
    pub effect: String,
    pub span: Span,
}

/// The core's answer for a document, placed back into its parts.
#[derive(Debug, Clone, Serialize)]
pub struct DocReport {
    /// The scenario file the document was evaluated as.
    pub text: String,
    /// The scenario reader's report on `text`.
    pub scenario: ScenarioReport,
    pub diagnostics: Vec<PartDiagnostic>,
    /// For each request of the document, the index of its result in `scenario.results`
    /// (`None` when the request could not be built).
    pub results: Vec<Option<usize>>,
    /// For each result in `scenario.results`, the statements that decided it.
    pub marks: Vec<Vec<Mark>>,
    /// Least-privilege findings per policy (index into the document's policies), with
    /// spans into that policy's text; empty without the action catalog.
    pub findings: Vec<(usize, crate::lint::Finding)>,
}

impl DocReport {
    pub fn result(&self, request: usize) -> Option<&crate::scenario::RequestResult> {
        self.results.get(request).copied().flatten().and_then(|i| self.scenario.results.get(i))
    }

    pub fn diagnostics_of(&self, part: Part) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.part == part).map(|d| &d.diagnostic)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.diagnostic.is_error()).count()
    }
}

/// Evaluates a document through the scenario reader and places the answers in its parts.
pub fn evaluate(doc: &ScenarioDoc) -> DocReport {
    evaluate_with(doc, &scenario::Settings::default())
}

/// [`evaluate`] with settings: with the action catalog, requests are checked against it
/// and every policy is linted.
pub fn evaluate_with(doc: &ScenarioDoc, settings: &scenario::Settings) -> DocReport {
    let (text, layout) = write(doc);
    let scenario = scenario::evaluate_text_with(&text, settings);
    let inside = |span: Span, region: Span| span.start >= region.start && span.start < region.end.max(region.start + 1);
    let policy_at = |span: Span| layout.policies.iter().position(|r| r.is_some_and(|r| inside(span, r)));

    // Each policy is read again on its own so that spans point into its own text, exactly
    // (a policy written as a JSON string with escapes has no exact place in the file).
    let parsed: Vec<_> = doc.policies.iter().enumerate().map(|(i, p)| policy::parse_policy_text(&p.text, &doc.policy_display_name(i), p.kind.policy_type())).collect();
    let mut diagnostics: Vec<PartDiagnostic> = Vec::new();
    for (i, (_, ds)) in parsed.iter().enumerate() {
        if layout.policies[i].is_some() {
            diagnostics.extend(ds.iter().map(|d| PartDiagnostic { part: Part::Policy(i), diagnostic: d.clone() }));
        }
    }
    for d in &scenario.diagnostics {
        if policy_at(d.span).is_some() {
            continue;
        }
        if let Some((region, placed)) = layout.task_definition.as_ref().filter(|(r, _)| inside(d.span, *r)) {
            let mut diagnostic = d.clone();
            // Clamped to the region first: a span may run past the value's end.
            diagnostic.span = placed.part_span(Span::new(d.span.start.max(region.start), d.span.end.min(region.end)));
            diagnostics.push(PartDiagnostic { part: Part::TaskDefinition, diagnostic });
            continue;
        }
        let part = if layout.principal.is_some_and(|r| inside(d.span, r)) {
            Part::Principal
        } else if let Some(i) = layout.requests.iter().position(|r| inside(d.span, *r)) {
            Part::Request(i)
        } else {
            Part::Scenario
        };
        diagnostics.push(PartDiagnostic { part, diagnostic: d.clone() });
    }

    let mut results = vec![None; doc.requests.len()];
    for (k, r) in scenario.results.iter().enumerate() {
        if let Some(i) = layout.requests.iter().position(|region| inside(r.span, *region)) {
            results[i] = Some(k);
        }
    }
    let marks = scenario
        .results
        .iter()
        .map(|r| {
            let mut marks = Vec::new();
            for s in &r.outcome.matched_statements {
                for trace in r.outcome.policies.iter().filter(|p| p.name == s.policy) {
                    for st in trace.statements.iter().filter(|st| st.index == s.index && st.applies) {
                        let Some(policy) = policy_at(st.span) else { continue };
                        let Some(own) = parsed[policy].0.as_ref().and_then(|p| p.statements.iter().find(|x| x.index == s.index)) else { continue };
                        let mark = Mark { policy, statement: s.index, effect: s.effect.to_string(), span: own.span };
                        if !marks.contains(&mark) {
                            marks.push(mark);
                        }
                    }
                }
            }
            marks
        })
        .collect();
    let mut findings = Vec::new();
    if let Some(catalog) = &settings.catalog {
        for (i, p) in doc.policies.iter().enumerate() {
            if parsed[i].0.is_some() {
                for f in catalog.lint(&p.text, &parsed[i].0.as_ref().map_or(String::new(), |p| p.name.clone()), p.kind.policy_type()) {
                    findings.push((i, f));
                }
            }
        }
    }
    DocReport { text, scenario, diagnostics, results, marks, findings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Decision;
    use proptest::prelude::*;

    const EXAMPLE: &str = include_str!("../examples/task-role-tags.json");

    #[test]
    fn json_strings_agree_with_serde_json() {
        for s in ["", "plain", "q\"b\\s", "tab\tnl\ncr\r", "\u{0}\u{8}\u{c}\u{1f}\u{7f}", "é ✓ \u{1F600}", "</script>"] {
            assert_eq!(json_string(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    fn round_trips(doc: &ScenarioDoc) {
        let text = to_scenario_text(doc);
        let back = from_scenario_text(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert_eq!(&back, doc, "\n{text}");
    }

    #[test]
    fn reads_the_example_into_parts() {
        let doc = from_scenario_text(EXAMPLE).unwrap();
        assert_eq!(doc.name, "Task role tags do not reach S3");
        assert_eq!(doc.principal.arn, "arn:aws:iam::111122223333:role/ecs-test-task-role");
        assert_eq!(doc.principal.tags, [("Status".to_string(), "OK".to_string())]);
        assert_eq!(doc.policies.len(), 1);
        assert_eq!(doc.policies[0].name, "ReadCode");
        assert_eq!(doc.policies[0].kind, PolicyKind::Identity);
        assert!(doc.policies[0].text.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["), "{}", doc.policies[0].text);
        assert_eq!(doc.requests.len(), 2);
        assert_eq!(doc.requests[1].context, [ContextEntry::new("aws:RequestTag/Status", ValueKind::String, "OK")]);
        assert_eq!(doc.requests[1].expect, "allowed");
        // `options` (the literal context for the second request) is kept as written.
        assert_eq!(doc.extra.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["options"]);
        round_trips(&doc);
    }

    #[test]
    fn evaluating_the_document_gives_the_files_answers() {
        let doc = from_scenario_text(EXAMPLE).unwrap();
        let report = evaluate(&doc);
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        let decisions: Vec<_> = (0..2).map(|i| report.result(i).unwrap().outcome.decision).collect();
        assert_eq!(decisions, [Decision::ImplicitDeny, Decision::Allowed]);
        // The allowing statement is marked in the policy's own text.
        assert_eq!(report.marks[1].len(), 1);
        let mark = &report.marks[1][0];
        assert_eq!(mark.policy, 0);
        let text = &doc.policies[0].text;
        let marked = &text[mark.span.start..mark.span.end];
        assert!(marked.starts_with('{') && marked.ends_with('}') && marked.contains("\"Sid\": \"ReadCodeWhenRequestTagged\""), "{marked}");
        assert!(report.marks[0].is_empty());
    }

    #[test]
    fn policy_diagnostics_point_into_the_policys_own_text() {
        let mut doc = from_scenario_text(EXAMPLE).unwrap();
        doc.policies[0].text = doc.policies[0].text.replace("\"Effect\"", "\"Efect\"");
        let report = evaluate(&doc);
        let ds: Vec<_> = report.diagnostics_of(Part::Policy(0)).collect();
        assert!(!ds.is_empty(), "{:?}", report.diagnostics);
        let d = ds.iter().find(|d| d.message.contains("Efect")).unwrap();
        assert_eq!(&doc.policies[0].text[d.span.start..d.span.end], "\"Efect\"");
        assert_eq!(d.help.as_deref(), Some("did you mean `Effect`?"));
    }

    #[test]
    fn a_half_typed_policy_is_written_as_a_string_and_keeps_its_diagnostics() {
        let mut doc = from_scenario_text(EXAMPLE).unwrap();
        doc.policies[0].text = "{\"Version\": \"2012-10-17\", \"Statement\": [".into();
        let report = evaluate(&doc);
        let ds: Vec<_> = report.diagnostics_of(Part::Policy(0)).collect();
        assert_eq!(ds.len(), 1, "{:?}", report.diagnostics);
        assert!(ds[0].span.end <= doc.policies[0].text.len());
        assert!(report.diagnostics_of(Part::Scenario).next().is_none(), "{:?}", report.diagnostics);
        // Both requests are still evaluated: the partial policy allows nothing.
        assert_eq!(report.result(1).unwrap().outcome.decision, Decision::ImplicitDeny);
        round_trips(&doc);
    }

    #[test]
    fn request_diagnostics_belong_to_their_request() {
        let mut doc = from_scenario_text(EXAMPLE).unwrap();
        doc.requests[1].resource_account = "12".into();
        doc.requests[0].action = "s3".into();
        let report = evaluate(&doc);
        let r1: Vec<_> = report.diagnostics_of(Part::Request(1)).map(|d| d.message.clone()).collect();
        assert_eq!(r1, ["`resource_account` must be a 12-digit account ID, found `12`"]);
        let r0: Vec<_> = report.diagnostics_of(Part::Request(0)).map(|d| d.message.clone()).collect();
        assert_eq!(r0, ["`s3` is not an action"]);
    }

    #[test]
    fn without_a_principal_no_request_has_a_result() {
        let mut doc = from_scenario_text(EXAMPLE).unwrap();
        doc.principal = PrincipalDoc::default();
        let report = evaluate(&doc);
        assert_eq!(report.results, [None, None]);
        let messages: Vec<_> = report.diagnostics_of(Part::Scenario).map(|d| d.message.clone()).collect();
        assert_eq!(messages, ["missing `principal`"]);
    }

    #[test]
    fn unknown_and_unmodelled_fields_are_kept_raw() {
        let text = r#"{
  "scenario": 1,
  "task_definition": {
    "family": "web",
    "taskRoleArn": "arn:aws:iam::111122223333:role/app"
  },
  "principal": { "arn": "arn:aws:iam::111122223333:role/app", "tags": { "a": 1 } },
  "scps": [ [ {"Version": "2012-10-17", "Statement": []} ], {"x": 1} ],
  "requests": [ { "action": "s3:GetObject", "resource": "*", "as": "execution" } ],
  "options": { "legacy_service_arn_for_resourceless": true }
}"#;
        let doc = from_scenario_text(text).unwrap();
        let keys: Vec<_> = doc.extra.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["principal", "scps", "options"]);
        assert_eq!(doc.task_definition, "{\n  \"family\": \"web\",\n  \"taskRoleArn\": \"arn:aws:iam::111122223333:role/app\"\n}");
        assert!(doc.principal_is_raw());
        assert_eq!(doc.requests[0].on_behalf_of, "execution");
        round_trips(&doc);
        // The written file means the same to the scenario reader.
        let a = scenario::evaluate_text(text);
        let b = scenario::evaluate_text(&to_scenario_text(&doc));
        assert_eq!(a.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>(), b.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
    }

    #[test]
    fn levels_strings_and_named_shapes() {
        let text = r#"{"scenario": 1, "principal": "arn:aws:sts::111122223333:assumed-role/R/s",
          "scps": [[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}], []],
          "rcps": [ "%7B%22Statement%22%3A%5B%5D%7D" ],
          "session_policy": {"document": "{\"Statement\": [] "},
          "requests": [{"action": "s3:GetObject", "resource": "*", "context": {"n": 10, "b": true, "l": ["a", "b,c"], "ip": "10.0.0.1/8", "d": "2024-05-01T00:00:00Z"}}]}"#;
        let doc = from_scenario_text(text).unwrap();
        assert!(doc.principal.string_form);
        assert_eq!(doc.scp_levels, 2);
        assert_eq!(doc.rcp_levels, 1);
        // Policies are listed in the file's canonical order, whatever order the fields had.
        assert_eq!(doc.policies.iter().map(|p| p.kind).collect::<Vec<_>>(), [PolicyKind::Session, PolicyKind::Scp(1), PolicyKind::Rcp(1)]);
        assert_eq!(doc.policies[2].text, "{\"Statement\":[]}", "URL-encoded text is decoded");
        assert_eq!(doc.policies[0].text, "{\"Statement\": [] ", "a string policy keeps its text");
        let kinds: Vec<_> = doc.requests[0].context.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ValueKind::Number, ValueKind::Bool, ValueKind::List, ValueKind::Ip, ValueKind::Date]);
        round_trips(&doc);
        let written = to_scenario_text(&doc);
        assert!(written.contains("\"scps\": [\n    [\n"), "{written}");
        assert!(written.contains("\n    []\n  ]"), "the empty level is kept: {written}");
        assert_eq!(doc.policy_display_name(1), "scp-L1-0");
        assert_eq!(doc.policy_display_name(2), "rcp-0");
        let a: Vec<_> = scenario::evaluate_text(text).results.iter().map(|r| r.outcome.decision).collect();
        let b: Vec<_> = evaluate(&doc).scenario.results.iter().map(|r| r.outcome.decision).collect();
        assert_eq!(a, b);
    }

    const TEMPLATE: &str = "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      TaskRoleArn: !ImportValue shared-role\n      ContainerDefinitions:\n        - Name: web\n          Image: nginx\n";

    #[test]
    fn the_task_definition_and_as_are_parts() {
        let text = format!(
            "{{\"scenario\": 1, \"account\": \"111122223333\", \"region\": \"us-west-1\", \"task_definition\": {},\n \"requests\": [{{\"as\": \"execution_role\", \"action\": \"s3:GetObject\", \"resource\": \"*\"}}]}}",
            json_string(TEMPLATE)
        );
        let doc = from_scenario_text(&text).unwrap();
        assert_eq!(doc.task_definition, TEMPLATE);
        assert_eq!(doc.requests[0].on_behalf_of, "execution_role");
        assert!(doc.extra.is_empty() && doc.requests[0].extra.is_empty(), "{doc:?}");
        round_trips(&doc);
        // A diagnostic inside the YAML text points into the pane's own text.
        let report = evaluate(&doc);
        let ds: Vec<_> = report.diagnostics_of(Part::TaskDefinition).collect();
        let import = ds.iter().find(|d| d.message.contains("ImportValue")).unwrap_or_else(|| panic!("{:?}", report.diagnostics));
        assert!(TEMPLATE[import.span.start..import.span.end].starts_with("!ImportValue"), "{:?}", &TEMPLATE[import.span.start..]);
        // Written inline as JSON, spans come back through the re-indentation.
        let json_td = "{\"Resources\": {\"Task\": {\"Type\": \"AWS::ECS::TaskDefinition\", \"Properties\": {\n  \"TaskRoleArn\": {\"Fn::ImportValue\": \"x\"},\n  \"ContainerDefinitions\": [{\"Name\": \"web\", \"Image\": \"nginx\"}]\n}}}}";
        let doc = ScenarioDoc { task_definition: json_td.into(), account: "111122223333".into(), region: "us-west-1".into(), ..ScenarioDoc::blank() };
        let written = to_scenario_text(&doc);
        assert!(written.contains("\"task_definition\": {\"Resources\": {\"Task\": {\"Type\": \"AWS::ECS::TaskDefinition\", \"Properties\": {\n    \"TaskRoleArn\""), "{written}");
        round_trips(&doc);
        let report = evaluate(&doc);
        let import = report.diagnostics_of(Part::TaskDefinition).find(|d| d.message.contains("ImportValue")).unwrap_or_else(|| panic!("{:?}", report.diagnostics));
        assert!(json_td[import.span.start..].starts_with("{\"Fn::ImportValue\""), "{:?}", &json_td[import.span.start..]);
        // Half-typed YAML: the syntax error is located in the pane's text.
        let broken = "Resources:\n  Task:\n    Type: [unclosed\n";
        let doc = ScenarioDoc { task_definition: broken.into(), ..ScenarioDoc::blank() };
        round_trips(&doc);
        let report = evaluate(&doc);
        let d = report.diagnostics_of(Part::TaskDefinition).find(|d| d.is_error()).unwrap_or_else(|| panic!("{:?}", report.diagnostics));
        assert!(d.span.start >= broken.find('[').unwrap() && d.span.end <= broken.len(), "{d:?}");
    }

    #[test]
    fn refuses_what_is_not_a_version_1_object() {
        assert!(from_scenario_text("{\"scenario\": 1,").is_err());
        assert!(from_scenario_text("[]").is_err());
        assert!(from_scenario_text("{\"scenario\": 2, \"requests\": []}").is_err());
        assert!(from_scenario_text("").is_err());
        assert_eq!(from_scenario_text("{}").unwrap(), ScenarioDoc::default());
    }

    fn scenario_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scenario_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }

    /// Every file of the corpus and every example: read by part, written back, it means the
    /// same to the scenario reader, and reading it again gives the same parts.
    #[test]
    fn the_corpus_means_the_same_when_edited_by_part() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        scenario_files(&root.join("tests/scenarios"), &mut files);
        scenario_files(&root.join("examples"), &mut files);
        assert!(files.len() > 30);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let doc = from_scenario_text(&text).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
            round_trips(&doc);
            let direct = scenario::evaluate_text(&text);
            let report = evaluate(&doc);
            let decisions = |r: &ScenarioReport| r.results.iter().map(|r| (r.name.clone(), r.outcome.decision, r.outcome.why.clone())).collect::<Vec<_>>();
            assert_eq!(decisions(&direct), decisions(&report.scenario), "{}", file.display());
            assert_eq!(direct.diagnostics.len(), report.diagnostics.len(), "{}: {:?}", file.display(), report.diagnostics);
            assert!(report.results.iter().all(Option::is_some), "{}", file.display());
        }
    }

    fn policy_text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("{\"Version\": \"2012-10-17\", \"Statement\": []}".to_string()),
            Just("{\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n\n    \"Action\": \"*\",\n    \"Resource\": \"*\"\n  }\n}".to_string()),
            Just("{\"document\": {}}".to_string()),
            Just("[1, 2]".to_string()),
            Just("\"quoted\"".to_string()),
            "[ -~\n]{0,40}".prop_map(|s| s.trim().to_string()).prop_filter("not percent-encoded JSON", |s| !s.starts_with('%')),
        ]
    }

    fn kind() -> impl Strategy<Value = PolicyKind> {
        prop_oneof![
            Just(PolicyKind::Identity),
            Just(PolicyKind::Resource),
            Just(PolicyKind::PermissionsBoundary),
            Just(PolicyKind::Session),
            (1usize..4).prop_map(PolicyKind::Scp),
            (1usize..3).prop_map(PolicyKind::Rcp),
        ]
    }

    fn entry() -> impl Strategy<Value = ContextEntry> {
        let text = "[ -~é]{0,12}";
        prop_oneof![
            (text, text).prop_map(|(k, v)| ContextEntry { key: k, kind: ValueKind::of_string(&v), values: vec![v] }),
            (text, prop::collection::vec(text, 0..3)).prop_map(|(k, vs)| ContextEntry { key: k, kind: ValueKind::List, values: vs }),
            (text, -1000i64..1000).prop_map(|(k, n)| ContextEntry::new(k, ValueKind::Number, n.to_string())),
            (text, any::<bool>()).prop_map(|(k, b)| ContextEntry::new(k, ValueKind::Bool, b.to_string())),
        ]
    }

    /// Task definition texts as they are normalised on reading: a JSON object trimmed, or any
    /// other text (YAML, half-typed JSON) as is.
    fn task_definition() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("{\n  \"family\": \"web\",\n\"containerDefinitions\": []\n}".to_string()),
            Just("Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      TaskRoleArn: !GetAtt R.Arn\n".to_string()),
            "[ -~\n\t]{1,40}".prop_filter("not a complete JSON object", |s| inline_object(s).is_none()),
        ]
    }

    fn nonempty() -> impl Strategy<Value = String> {
        "[ -~é\n]{0,10}"
    }

    fn doc() -> impl Strategy<Value = ScenarioDoc> {
        let request = (
            nonempty(),
            nonempty(),
            nonempty(),
            "([0-9]{12})?",
            prop::collection::vec(entry(), 0..4),
            prop_oneof![Just(""), Just("allowed"), Just("allow")],
            prop_oneof![Just(String::new()), Just("task_role".to_string()), Just("execution_role".to_string()), nonempty()],
        )
            .prop_map(|(name, action, resource, account, context, expect, on_behalf_of)| RequestDoc {
                name,
                action,
                resource,
                resource_account: account,
                on_behalf_of,
                context,
                expect: expect.into(),
                extra: vec![],
            });
        let policy = (kind(), nonempty(), policy_text()).prop_map(|(kind, name, text)| PolicyDoc { kind, name, text });
        (
            (nonempty(), nonempty(), nonempty()),
            (nonempty(), nonempty(), prop::collection::vec((nonempty(), nonempty()), 0..3), any::<bool>()),
            prop::collection::vec(policy, 0..6),
            prop::collection::vec(request, 1..3),
            (0usize..3, 0usize..3),
            task_definition(),
        )
            .prop_map(|((name, notes, region), (arn, session, tags, string_form), policies, requests, (scp_levels, rcp_levels), task_definition)| {
                let mut doc = ScenarioDoc { name, notes, region, policies, requests, task_definition, ..ScenarioDoc::default() };
                doc.principal = if string_form && !arn.is_empty() {
                    PrincipalDoc { arn, string_form, ..PrincipalDoc::default() }
                } else {
                    PrincipalDoc { arn, session_name: session, tags, ..PrincipalDoc::default() }
                };
                // Normalise as reading does: one policy of each single kind, levels counted.
                let mut seen = Vec::new();
                doc.policies.retain(|p| !p.kind.is_single() || !seen.contains(&p.kind) && {
                    seen.push(p.kind);
                    true
                });
                doc.scp_levels = doc.written_levels(true).max(scp_levels);
                doc.rcp_levels = doc.written_levels(false).max(rcp_levels);
                doc.policies.sort_by_key(|p| p.kind.file_order());
                doc
            })
    }

    proptest! {
        #[test]
        fn documents_round_trip(doc in doc()) {
            let text = to_scenario_text(&doc);
            let back = from_scenario_text(&text);
            prop_assert!(back.is_ok(), "{:?}\n{}", back, text);
            prop_assert_eq!(back.unwrap(), doc, "{}", text);
        }

        #[test]
        fn evaluating_never_panics_and_places_every_policy_diagnostic(doc in doc()) {
            let report = evaluate(&doc);
            for d in &report.diagnostics {
                if let Part::Policy(i) = d.part {
                    prop_assert!(d.diagnostic.span.end <= doc.policies[i].text.len());
                }
            }
            prop_assert_eq!(report.results.len(), doc.requests.len());
        }
    }
}
