//! Looking things up in the action catalog by name, for `iamplay catalog` and the page's
//! help panel: an action, an action pattern, a service or a condition key.

use serde::Serialize;

use crate::arn_format;
use crate::availability;
use crate::catalog::{key_matches, Catalog};
use crate::suggest;

#[derive(Debug, Clone, Serialize)]
pub struct ResourceTypeEntry {
    pub name: String,
    pub arn: String,
    pub required: bool,
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    Action {
        action: String,
        access_level: String,
        resource_types: Vec<ResourceTypeEntry>,
        /// Keys listed on the action itself.
        condition_keys: Vec<String>,
    },
    Actions {
        pattern: String,
        actions: Vec<String>,
    },
    Service {
        prefix: String,
        name: String,
        actions: usize,
        resource_types: Vec<String>,
    },
    Key {
        key: String,
        key_type: String,
        global: bool,
        /// Where the value comes from, for tag keys.
        #[serde(skip_serializing_if = "Option::is_none")]
        provenance: Option<String>,
        /// Actions that list the key (for a service key), first ones only.
        listed_for: Vec<String>,
        listed_for_count: usize,
    },
}

/// The entry for a name, if the catalog has one.
pub fn describe(catalog: &Catalog, name: &str) -> Option<Entry> {
    if name.contains(['*', '?']) {
        let actions: Vec<String> = catalog.expand(name).into_iter().map(|(s, a)| format!("{}:{}", s.prefix, a.name)).collect();
        return (!actions.is_empty()).then(|| Entry::Actions { pattern: name.to_string(), actions });
    }
    if let Some((service, action)) = catalog.action(name) {
        let resource_types = action
            .resources
            .iter()
            .map(|r| {
                let rt = service.resource_type(r.index);
                let keys = r.keys.iter().chain(&rt.keys).map(|k| service.key(*k).name.clone()).collect();
                ResourceTypeEntry { name: rt.name.clone(), arn: rt.arn.clone(), required: r.required, keys }
            })
            .collect();
        return Some(Entry::Action {
            action: format!("{}:{}", service.prefix, action.name),
            access_level: action.access.label().to_string(),
            resource_types,
            condition_keys: action.keys.iter().map(|k| service.key(*k).name.clone()).collect(),
        });
    }
    if !name.contains(':') {
        let s = catalog.service(name)?;
        return Some(Entry::Service { prefix: s.prefix.clone(), name: s.name.clone(), actions: s.actions.len(), resource_types: s.resource_types.iter().map(|r| r.name.clone()).collect() });
    }
    let (key, kind) = catalog.find_key(name)?;
    let global = catalog.global(name).is_some();
    let mut listed_for = Vec::new();
    let prefix = name.split(':').next().unwrap_or_default();
    let services: Vec<_> = if global { Vec::new() } else { catalog.service(prefix).into_iter().collect() };
    for s in services {
        for a in &s.actions {
            if s.keys_of(a, None).iter().any(|k| key_matches(&k.name, name)) {
                listed_for.push(format!("{}:{}", s.prefix, a.name));
            }
        }
    }
    let count = listed_for.len();
    listed_for.truncate(30);
    Some(Entry::Key {
        key: key.to_string(),
        key_type: kind.label().to_string(),
        global,
        provenance: availability::provenance(name).map(str::to_string),
        listed_for,
        listed_for_count: count,
    })
}

/// The nearest known service, action or key to a name that is not in the catalog.
pub fn suggest(catalog: &Catalog, name: &str) -> Option<String> {
    match name.split_once(':') {
        None => suggest::closest(name, catalog.services.iter().map(|s| s.prefix.as_str())).map(str::to_string),
        Some((prefix, rest)) => match catalog.service(prefix) {
            Some(s) => suggest::closest(rest, s.actions.iter().map(|a| a.name.as_str()))
                .map(|a| format!("{}:{a}", s.prefix))
                .or_else(|| suggest::closest(name, s.keys.iter().map(|k| k.name.as_str())).map(str::to_string)),
            None => suggest::closest(prefix, catalog.services.iter().map(|s| s.prefix.as_str())).map(|p| format!("{p}:{rest}")),
        },
    }
}

impl Entry {
    /// The entry as a few lines of text.
    pub fn text(&self) -> String {
        match self {
            Entry::Action { action, access_level, resource_types, condition_keys } => {
                let mut out = format!("{action} ({access_level})\n");
                if resource_types.is_empty() {
                    out.push_str("resource types: none: requests are on `*`, so only `\"Resource\": \"*\"` grants it\n");
                }
                for r in resource_types {
                    out.push_str(&format!("resource type {}{}: {}\n", r.name, if r.required { " (required)" } else { "" }, r.arn));
                    if !r.keys.is_empty() {
                        out.push_str(&format!("  keys: {}\n", r.keys.join(", ")));
                    }
                }
                out.push_str(&format!("condition keys: {}\n", if condition_keys.is_empty() { "(none besides the global keys)".to_string() } else { condition_keys.join(", ") }));
                out.push_str("plus the global keys (aws:RequestTag, aws:TagKeys and aws:ResourceTag only where listed)");
                out
            }
            Entry::Actions { pattern, actions } => format!("{pattern} expands to {} action(s):\n{}", actions.len(), actions.join("\n")),
            Entry::Service { prefix, name, actions, resource_types } => {
                format!("{prefix}: {name}, {actions} action(s)\nresource types: {}", if resource_types.is_empty() { "(none)".to_string() } else { resource_types.join(", ") })
            }
            Entry::Key { key, key_type, global, provenance, listed_for, listed_for_count } => {
                let mut out = format!("{key} ({key_type}, {})", if *global { "global key" } else { "service key" });
                if let Some(p) = provenance {
                    out.push_str(&format!("\n{p}"));
                }
                if !*global {
                    out.push_str(&format!("\nlisted for {listed_for_count} action(s): {}{}", listed_for.join(", "), if *listed_for_count > listed_for.len() { ", ..." } else { "" }));
                }
                out
            }
        }
    }
}

/// Autocomplete candidates: action names starting with `prefix` (a service prefix alone
/// gives that service's actions), at most `limit`.
pub fn complete_actions(catalog: &Catalog, prefix: &str, limit: usize) -> Vec<String> {
    let lower = prefix.to_ascii_lowercase();
    match lower.split_once(':') {
        None => catalog.services.iter().filter(|s| s.prefix.starts_with(&lower)).take(limit).map(|s| format!("{}:", s.prefix)).collect(),
        Some((p, rest)) => catalog
            .service(p)
            .map(|s| s.actions.iter().filter(|a| a.name.to_ascii_lowercase().starts_with(rest)).take(limit).map(|a| format!("{}:{}", s.prefix, a.name)).collect())
            .unwrap_or_default(),
    }
}

/// The ARN templates of an action's resource types, partition filled in.
pub fn arn_templates(catalog: &Catalog, action: &str) -> Vec<String> {
    match catalog.action(action) {
        Some((_, a)) if a.is_wildcard_only() => vec!["*".to_string()],
        Some((s, a)) => s.resource_types_of(a).map(arn_format::template).collect(),
        None => Vec::new(),
    }
}

/// The condition keys a request for an action can carry: its own and its resource types',
/// then the global keys.
pub fn action_keys(catalog: &Catalog, action: &str) -> Vec<String> {
    let mut out: Vec<String> = match catalog.action(action) {
        Some((s, a)) => s.keys_of(a, None).into_iter().map(|k| k.name.clone()).collect(),
        None => Vec::new(),
    };
    out.extend(catalog.globals.iter().filter(|g| !availability::listed_only(&g.name)).map(|g| g.name.clone()));
    let mut unique: Vec<String> = Vec::with_capacity(out.len());
    for k in out {
        if !unique.iter().any(|u| u.eq_ignore_ascii_case(&k)) {
            unique.push(k);
        }
    }
    unique
}
