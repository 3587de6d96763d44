//! "What can this principal do": the actions of the whole catalog its policies allow,
//! grouped by service and access level, for one resource or for any.
//!
//! For one resource, every action that acts on that resource's type is evaluated by
//! [`evaluation::evaluate_in`], so the answer is the engine's. For any resource, each
//! action is checked against the statements directly: an Allow whose `Action` matches and
//! whose `Resource` can name one of the action's resource types, capped by the permissions
//! boundary and the SCPs and removed by an unconditional Deny on every resource.
//! Policies are compiled once, services no statement can match are skipped, and for each
//! service only the statements that can name it are looked at, so the whole catalog takes
//! milliseconds.

use serde::Serialize;

use crate::arn_format;
use crate::catalog::{Access, Action, Catalog, Service};
use crate::context::Context;
use crate::evaluation::{self, Request};
use crate::policy::{Effect, Policy, Statement};
use crate::scenario::PolicySet;
use crate::trace::Decision;
use crate::wildcard::Glob;

/// How an action is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// On every resource, without conditions.
    Everywhere,
    /// On some resources only (the `Resource` patterns name some), without conditions.
    SomeResources,
    /// Only when conditions hold.
    Conditional,
    /// Allowed for the chosen resource (evaluated).
    Allowed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capability {
    pub action: String,
    pub grant: Grant,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessGroup {
    pub access: &'static str,
    pub actions: Vec<Capability>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceCapabilities {
    pub prefix: String,
    pub name: String,
    pub groups: Vec<AccessGroup>,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capabilities {
    /// The resource asked about, or `None` for any resource.
    pub resource: Option<String>,
    pub services: Vec<ServiceCapabilities>,
    pub total: usize,
    /// Services checked (after skipping those no statement can match).
    pub services_checked: usize,
    pub notes: Vec<String>,
}

/// An `Action` item compiled: the lowercase service prefix (`None` for `*`) and the name glob.
struct ActionPattern {
    service: Option<String>,
    name: Glob,
}

struct Compiled<'p> {
    /// Unique among every index of one run: the key of the resource cache.
    id: usize,
    statement: &'p Statement,
    actions: Vec<ActionPattern>,
    /// `None` when the statement can name actions of any service.
    services: Option<Vec<String>>,
}

fn compile(policy: &Policy) -> Vec<Compiled<'_>> {
    policy
        .statements
        .iter()
        .map(|s| {
            let actions: Vec<ActionPattern> = s
                .action
                .items
                .iter()
                .map(|i| match i.text.split_once(':') {
                    _ if i.text == "*" => ActionPattern { service: None, name: Glob::parse("*") },
                    Some((p, n)) => ActionPattern { service: Some(p.to_ascii_lowercase()), name: Glob::parse(n) },
                    None => ActionPattern { service: Some(String::new()), name: Glob::parse("") },
                })
                .collect();
            let services = if s.action.negated || actions.iter().any(|a| a.service.is_none()) { None } else { Some(actions.iter().filter_map(|a| a.service.clone()).collect()) };
            Compiled { id: 0, statement: s, actions, services }
        })
        .collect()
}

impl Compiled<'_> {
    fn matches_action(&self, service: &str, name: &str) -> bool {
        let hit = self.actions.iter().any(|a| a.service.as_deref().is_none_or(|s| s == service) && a.name.matches(name, true));
        hit != self.statement.action.negated
    }

    fn could_match_service(&self, service: &str) -> bool {
        self.services.as_ref().is_none_or(|s| s.iter().any(|p| p == service))
    }
}

/// The policies of one kind, compiled once; `current` holds the statements that can name
/// the service being looked at.
struct Index<'p> {
    statements: Vec<Compiled<'p>>,
    current: Vec<usize>,
}

impl<'p> Index<'p> {
    /// `next_id`: the id of this index's first statement; advanced past its last.
    fn new(policies: &[&'p Policy], next_id: &mut usize) -> Index<'p> {
        let mut statements: Vec<Compiled<'p>> = policies.iter().flat_map(|p| compile(p)).collect();
        for c in &mut statements {
            c.id = *next_id;
            *next_id += 1;
        }
        Index { statements, current: Vec::new() }
    }

    /// Chooses the statements that can name a service's actions.
    fn select(&mut self, service: &str) {
        self.current = (0..self.statements.len()).filter(|&i| self.statements[i].could_match_service(service)).collect();
    }

    fn for_service(&self) -> impl Iterator<Item = &Compiled<'p>> {
        self.current.iter().map(|i| &self.statements[*i])
    }

    fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

/// Answers of "can this statement's `Resource` name this resource type", per service:
/// one cell per statement id and resource type (0 unknown, 1 no, 2 yes).
struct ReachCache {
    types: usize,
    cells: Vec<u8>,
}

impl ReachCache {
    fn reset(&mut self, statements: usize, types: usize) {
        self.types = types;
        self.cells.clear();
        self.cells.resize(statements * types, 0);
    }
}

/// Whether a statement's `Resource` can name some resource of the action, and whether it
/// names every resource.
fn reach(s: &Statement, service: &Service, action: &Action, cache: &mut ReachCache, id: usize) -> Option<bool> {
    let Some(res) = &s.resource else { return Some(true) };
    let star = res.items.iter().any(|i| i.text == "*");
    if res.negated {
        return if star { None } else { Some(false) };
    }
    if star {
        return Some(true);
    }
    if action.is_wildcard_only() {
        return None;
    }
    let can = action.resources.iter().any(|r| {
        let cell = id * cache.types + usize::from(r.index);
        if cache.cells[cell] == 0 {
            let format = &service.resource_type(r.index).arn;
            cache.cells[cell] = if res.items.iter().any(|i| arn_format::pattern_can_name(&i.text, format)) { 2 } else { 1 };
        }
        cache.cells[cell] == 2
    });
    can.then_some(false)
}

/// The best grant of an action by one set of statements, or `None` when nothing allows it.
fn allowed_by(index: &Index<'_>, service: &Service, action: &Action, cache: &mut ReachCache) -> Option<Grant> {
    let prefix = service.prefix.as_str();
    let mut best: Option<Grant> = None;
    for c in index.for_service() {
        if c.statement.effect != Effect::Allow || !c.matches_action(prefix, &action.name) {
            continue;
        }
        let Some(everywhere) = reach(c.statement, service, action, cache, c.id) else { continue };
        let grant = if !c.statement.conditions.is_empty() {
            Grant::Conditional
        } else if everywhere {
            Grant::Everywhere
        } else {
            Grant::SomeResources
        };
        best = Some(best.map_or(grant, |b| b.min(grant)));
        if best == Some(Grant::Everywhere) {
            break;
        }
    }
    best
}

/// An unconditional Deny of the action on every resource.
fn denied_everywhere(index: &Index<'_>, prefix: &str, action: &Action) -> bool {
    index.for_service().any(|c| {
        c.statement.effect == Effect::Deny
            && c.statement.conditions.is_empty()
            && c.matches_action(prefix, &action.name)
            && c.statement.resource.as_ref().is_none_or(|r| !r.negated && r.items.iter().any(|i| i.text == "*"))
    })
}

/// What the principal of a policy set may do.
pub fn capabilities(catalog: &Catalog, set: &PolicySet, resource: Option<&str>) -> Capabilities {
    match resource {
        Some(r) => for_resource(catalog, set, r),
        None => for_any(catalog, set),
    }
}

fn group(catalog: &Catalog, found: Vec<(usize, usize, Grant)>, resource: Option<&str>, checked: usize, notes: Vec<String>) -> Capabilities {
    let mut services: Vec<ServiceCapabilities> = Vec::new();
    let total = found.len();
    for (si, ai, grant) in found {
        let s = &catalog.services[si];
        let a = &s.actions[ai];
        if services.last().is_none_or(|l| l.prefix != s.prefix) {
            services.push(ServiceCapabilities { prefix: s.prefix.clone(), name: s.name.clone(), groups: Vec::new(), count: 0 });
        }
        let entry = services.last_mut().expect("pushed above");
        entry.count += 1;
        if entry.groups.is_empty() {
            entry.groups = Access::ALL.iter().map(|a| AccessGroup { access: a.label(), actions: Vec::new() }).collect();
        }
        let slot = Access::ALL.iter().position(|x| *x == a.access).unwrap_or(0);
        entry.groups[slot].actions.push(Capability { action: a.name.clone(), grant });
    }
    for s in &mut services {
        s.groups.retain(|g| !g.actions.is_empty());
    }
    Capabilities { resource: resource.map(str::to_string), services, total, services_checked: checked, notes }
}

fn for_any(catalog: &Catalog, set: &PolicySet) -> Capabilities {
    let p = &set.policies;
    let mut ids = 0;
    // Identity policies first, then the caps: the boundary, the session policy, each SCP level.
    let mut indexes: Vec<Index<'_>> = vec![Index::new(&p.identity.iter().collect::<Vec<_>>(), &mut ids)];
    indexes.push(Index::new(&p.permissions_boundary.iter().collect::<Vec<_>>(), &mut ids));
    indexes.push(Index::new(&p.session.iter().collect::<Vec<_>>(), &mut ids));
    for level in &p.scps {
        indexes.push(Index::new(&level.iter().collect::<Vec<_>>(), &mut ids));
    }
    let mut notes = vec!["for any resource: conditions are not evaluated (a conditional grant is marked so), and a Deny counts only when it has no condition and covers every resource".to_string()];
    if p.resource.is_some() {
        notes.push("the resource-based policy is left out: it grants only on its own resource; choose that resource to include it".into());
    }
    let mut found = Vec::new();
    let mut checked = 0;
    let mut cache = ReachCache { types: 0, cells: Vec::new() };
    for (si, service) in catalog.services.iter().enumerate() {
        let prefix = service.prefix.as_str();
        if !indexes[0].statements.iter().any(|c| c.statement.effect == Effect::Allow && c.could_match_service(prefix)) {
            continue;
        }
        checked += 1;
        for index in &mut indexes {
            index.select(prefix);
        }
        cache.reset(ids, service.resource_types.len());
        let (identity, caps) = indexes.split_first().expect("the identity index");
        for (ai, action) in service.actions.iter().enumerate() {
            let Some(mut grant) = allowed_by(identity, service, action, &mut cache) else { continue };
            let mut capped = false;
            for cap in caps {
                if cap.is_empty() {
                    continue;
                }
                match allowed_by(cap, service, action, &mut cache) {
                    Some(g) => grant = grant.max(g),
                    None => {
                        capped = true;
                        break;
                    }
                }
            }
            if capped || indexes.iter().any(|d| denied_everywhere(d, prefix, action)) {
                continue;
            }
            found.push((si, ai, grant));
        }
    }
    group(catalog, found, None, checked, notes)
}

fn for_resource(catalog: &Catalog, set: &PolicySet, resource: &str) -> Capabilities {
    let mut notes = Vec::new();
    let Some(principal) = &set.principal else {
        return Capabilities { resource: Some(resource.to_string()), services: Vec::new(), total: 0, services_checked: 0, notes: vec!["the scenario has no principal to evaluate for".into()] };
    };
    let prefix = crate::arn::parse(resource).map(|p| p[2]).unwrap_or("");
    let mut found = Vec::new();
    let Some((si, service)) = catalog.services.iter().enumerate().find(|(_, s)| s.prefix.eq_ignore_ascii_case(prefix)) else {
        notes.push(format!("`{resource}` is not an ARN of a service in the catalog"));
        return group(catalog, found, Some(resource), 0, notes);
    };
    let types = arn_format::classify(service, resource);
    if types.is_empty() {
        notes.push(format!("`{resource}` fits no resource type of `{}`", service.prefix));
    }
    for (ai, action) in service.actions.iter().enumerate() {
        if !action.resources.iter().any(|r| types.contains(&r.index)) {
            continue;
        }
        let request = Request { principal: principal.clone(), action: format!("{}:{}", service.prefix, action.name), resource: resource.to_string(), resource_account: None, context: Context::new() };
        let outcome = evaluation::evaluate_in(&set.policies, &request, set.options, Some(catalog as &dyn evaluation::CatalogOracle));
        if outcome.decision == Decision::Allowed {
            found.push((si, ai, Grant::Allowed));
        }
    }
    notes.push("each action acting on this resource's type was evaluated with an empty request context".into());
    group(catalog, found, Some(resource), 1, notes)
}

impl Capabilities {
    pub fn text(&self) -> String {
        let mut out = match &self.resource {
            Some(r) => format!("allowed on `{r}`: {} action(s)\n", self.total),
            None => format!("allowed on some resource: {} action(s) in {} service(s)\n", self.total, self.services.len()),
        };
        for s in &self.services {
            out.push_str(&format!("{} ({}): {}\n", s.prefix, s.name, s.count));
            for g in &s.groups {
                let names: Vec<String> = g
                    .actions
                    .iter()
                    .map(|c| match c.grant {
                        Grant::Everywhere | Grant::Allowed => c.action.clone(),
                        Grant::SomeResources => format!("{} (some resources)", c.action),
                        Grant::Conditional => format!("{} (conditional)", c.action),
                    })
                    .collect();
                out.push_str(&format!("  {}: {}\n", g.access, names.join(", ")));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }
}
