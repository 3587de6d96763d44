//! The request context: condition keys and their values.
//!
//! Key names are case-insensitive, tag-key suffixes included (IAM "Condition" element page).
//! Whether a key is multivalued is a property of the request: a value given as a list of
//! more than one element, or a key AWS documents as `ArrayOf...`, is multivalued.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use serde::Serialize;

/// Where a context value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Given in the request.
    Request,
    /// Derived from the principal (its ARN, account, tags).
    Principal,
    /// Derived from the resource (its account).
    Resource,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Request => "request",
            Source::Principal => "derived from the principal",
            Source::Resource => "derived from the resource",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextValue {
    /// The key as it was written.
    pub key: String,
    pub values: Vec<String>,
    pub multivalued: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, ContextValue>,
}

/// Keys documented as multivalued (`ArrayOf...`), one per line, lowercased; `${...}` in a
/// key stands for any text.
const MULTIVALUED_KEYS: &str = include_str!("multivalued_keys.txt");

/// The documented multivalued keys: the exact names in a hash set, and the prefixes of the
/// few names with a `${...}` part. Built once.
struct KnownMultivalued {
    exact: HashSet<&'static str, BuildHasherDefault<Fnv>>,
    prefixes: Vec<&'static str>,
}

/// FNV-1a: every request looks up each of its context keys, and these keys are short
/// and not chosen by an adversary who could make them collide (the set is fixed).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

fn known_multivalued() -> &'static KnownMultivalued {
    static KNOWN: OnceLock<KnownMultivalued> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut known = KnownMultivalued { exact: HashSet::default(), prefixes: Vec::new() };
        for line in MULTIVALUED_KEYS.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            match line.split_once("${") {
                Some((prefix, _)) => known.prefixes.push(prefix),
                None => {
                    known.exact.insert(line);
                }
            }
        }
        known
    })
}

pub fn is_known_multivalued(key: &str) -> bool {
    with_lowercase(key, is_known_multivalued_lowercase)
}

/// [`is_known_multivalued`] of a key already in lowercase.
fn is_known_multivalued_lowercase(key: &str) -> bool {
    let known = known_multivalued();
    known.exact.contains(key) || known.prefixes.iter().any(|prefix| key.starts_with(prefix) && key.len() > prefix.len())
}

/// Calls `f` with the ASCII lowercase of `key`, folded on the stack when the key is short
/// (as condition keys are): lookups run for every condition of every request.
fn with_lowercase<R>(key: &str, f: impl FnOnce(&str) -> R) -> R {
    const SHORT: usize = 128;
    if key.len() <= SHORT {
        let mut buffer = [0u8; SHORT];
        let lower = &mut buffer[..key.len()];
        lower.copy_from_slice(key.as_bytes());
        lower.make_ascii_lowercase();
        // ASCII lowercasing keeps UTF-8 valid.
        if let Ok(lower) = std::str::from_utf8(lower) {
            return f(lower);
        }
    }
    f(&key.to_ascii_lowercase())
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Adds a value given in the request. `as_list` says the value was written as a list:
    /// a list of any length but one is multivalued.
    pub fn insert_given(&mut self, key: &str, values: Vec<String>, as_list: bool) {
        let lower = key.to_ascii_lowercase();
        let multivalued = is_known_multivalued_lowercase(&lower) || (as_list && values.len() != 1);
        self.entries.insert(lower, ContextValue { key: key.to_string(), values, multivalued, source: Source::Request });
    }

    /// Adds a derived value unless the request already gives the key: given values win.
    /// Returns true when the derived value was used.
    pub fn insert_derived(&mut self, key: &str, values: Vec<String>, source: Source) -> bool {
        let lower = key.to_ascii_lowercase();
        if self.entries.contains_key(&lower) {
            return false;
        }
        let multivalued = is_known_multivalued_lowercase(&lower);
        self.entries.insert(lower, ContextValue { key: key.to_string(), values, multivalued, source });
        true
    }

    /// The context without these keys, given lowercase and sorted. (Built anew rather than
    /// removed from, which keeps the map's removal code out of the page's wasm.)
    pub fn without(&self, sorted_lowercase: &[&str]) -> Context {
        let mut out = Context::new();
        for (k, v) in &self.entries {
            if sorted_lowercase.binary_search(&k.as_str()).is_err() {
                out.entries.insert(k.clone(), v.clone());
            }
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        with_lowercase(key, |lower| self.entries.get(lower))
    }

    /// The value of a single-valued key, as policy variables use it.
    pub fn single(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.multivalued && v.values.len() == 1).map(|v| v.values[0].clone())
    }

    pub fn iter(&self) -> impl Iterator<Item = &ContextValue> {
        self.entries.values()
    }

    /// The values, in the order of [`Context::iter`], moved out.
    pub fn into_values(self) -> impl Iterator<Item = ContextValue> {
        self.entries.into_values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_given_values_win() {
        let mut ctx = Context::new();
        ctx.insert_given("aws:PrincipalTag/Team", vec!["red".into()], false);
        assert_eq!(ctx.single("AWS:principaltag/team").as_deref(), Some("red"));
        assert!(!ctx.insert_derived("aws:principaltag/TEAM", vec!["blue".into()], Source::Principal));
        assert_eq!(ctx.single("aws:PrincipalTag/Team").as_deref(), Some("red"));
    }

    #[test]
    fn every_documented_multivalued_key_is_known() {
        for line in MULTIVALUED_KEYS.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let key = line.replace("${metadatakey}", "Color").replace("${querystringkey}", "q");
            let key = key.split("${").next().unwrap().to_string() + if key.contains("${") { "x" } else { "" };
            assert!(is_known_multivalued(&key.to_ascii_uppercase()), "{line}");
        }
        assert!(!is_known_multivalued("aws:PrincipalTag/Team"));
        assert!(!is_known_multivalued("events:metadata/"), "a template needs some text in its place");
    }

    #[test]
    fn multivalued_by_name_or_by_shape() {
        let mut ctx = Context::new();
        ctx.insert_given("aws:TagKeys", vec!["a".into()], false);
        ctx.insert_given("my:list", vec!["a".into(), "b".into()], true);
        ctx.insert_given("my:one", vec!["a".into()], true);
        assert!(ctx.get("aws:tagkeys").unwrap().multivalued);
        assert!(ctx.get("my:list").unwrap().multivalued);
        assert!(!ctx.get("my:one").unwrap().multivalued);
        assert_eq!(ctx.single("aws:TagKeys"), None);
    }
}
