//! What the page keeps in local storage, versioned so that a later build can read what an
//! earlier one saved (and refuse, without destroying it, what a later one saved).
//!
//! Version 1: `{"v": 1, "scenario": TEXT, "previous": TEXT | null, "tab": "parts" | "file"}`.
//! Version 0 (unversioned): the scenario text alone, as a plain string in the slot.

use iamplay::document::json_string;
use iamplay::json::{self, Json, Value};

use crate::state::Tab;

/// The version this build writes.
pub const VERSION: u64 = 1;

/// The local-storage key.
pub const KEY: &str = "iamplay.state";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persisted {
    /// The scenario text exactly as the user left it (valid or not).
    pub scenario: String,
    /// The scenario the last open replaced: the way back survives a reload.
    pub previous: Option<String>,
    pub tab: Tab,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Current(Persisted),
    /// Saved by a newer build: left alone (the page must not overwrite it).
    Newer(u64),
    Unreadable,
}

impl Persisted {
    pub fn to_json(&self) -> String {
        let tab = match self.tab {
            Tab::Parts => "parts",
            Tab::File => "file",
        };
        let previous = self.previous.as_deref().map_or_else(|| "null".to_string(), json_string);
        format!("{{\"v\":{VERSION},\"scenario\":{},\"previous\":{previous},\"tab\":\"{tab}\"}}", json_string(&self.scenario))
    }

    /// Reads any version this build knows, migrating older ones.
    pub fn load(raw: &str) -> Loaded {
        // The core's JSON reader: already in the page, so no second JSON library is needed.
        let parsed = json::parse(raw);
        let value = match parsed.json {
            Some(v) if parsed.errors.is_empty() && v.as_object().is_some() => v,
            // Version 0: the scenario text itself (it may be half-typed, so not JSON).
            _ => return if raw.trim_start().starts_with('{') { Loaded::Current(Persisted { scenario: raw.to_string(), previous: None, tab: Tab::File }) } else { Loaded::Unreadable },
        };
        let version = value.get("v").and_then(|v| match &v.value {
            Value::Number(n) => n.parse::<u64>().ok(),
            _ => None,
        });
        match version {
            Some(1) => {
                let Some(scenario) = value.get("scenario").and_then(Json::as_str) else { return Loaded::Unreadable };
                let previous = value.get("previous").and_then(Json::as_str).map(str::to_string);
                let tab = if value.get("tab").and_then(Json::as_str) == Some("file") { Tab::File } else { Tab::Parts };
                Loaded::Current(Persisted { scenario: scenario.to_string(), previous, tab })
            }
            Some(v) if v > VERSION => Loaded::Newer(v),
            // Version 0: a scenario file (`{"scenario": 1, ...}`) stored as is.
            None if value.get("scenario").is_some() => Loaded::Current(Persisted { scenario: raw.to_string(), previous: None, tab: Tab::Parts }),
            _ => Loaded::Unreadable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_round_trips() {
        let p = Persisted { scenario: "{\"scenario\": 1, \"é\": \"\\u0000\"".into(), previous: Some("old".into()), tab: Tab::File };
        assert_eq!(Persisted::load(&p.to_json()), Loaded::Current(p.clone()));
        let p = Persisted { previous: None, tab: Tab::Parts, ..p };
        assert_eq!(Persisted::load(&p.to_json()), Loaded::Current(p));
    }

    #[test]
    fn version_0_the_bare_scenario_text_is_migrated() {
        let text = "{\n  \"scenario\": 1,\n  \"requests\": []\n}";
        assert_eq!(Persisted::load(text), Loaded::Current(Persisted { scenario: text.into(), previous: None, tab: Tab::Parts }));
        // A half-typed one too: it opens in the file tab, where it can be finished.
        let half = "{\"scenario\": 1, \"requ";
        assert_eq!(Persisted::load(half), Loaded::Current(Persisted { scenario: half.into(), previous: None, tab: Tab::File }));
    }

    #[test]
    fn newer_and_unreadable_are_told_apart() {
        assert_eq!(Persisted::load("{\"v\": 2, \"whatever\": true}"), Loaded::Newer(2));
        assert_eq!(Persisted::load("{\"v\": 1}"), Loaded::Unreadable);
        assert_eq!(Persisted::load("nonsense"), Loaded::Unreadable);
        assert_eq!(Persisted::load("{\"other\": 1}"), Loaded::Unreadable);
    }
}
