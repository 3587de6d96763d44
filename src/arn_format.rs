//! Resource types by ARN format: which resource type a request's ARN is, and whether a
//! policy's `Resource` pattern can name a resource of a given type at all.
//!
//! An ARN format from the Service Authorization Reference
//! (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) is read as a pattern where each
//! `${...}` part stands for a non-empty run of characters. Parts of the first five
//! colon-separated segments never hold a colon, and a bucket or access point name never
//! holds a `/` (S3 "Bucket naming rules"), which is what tells a bucket ARN from an object
//! ARN. Comparison ignores ASCII case: the formats' literal words are lowercase.
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>

use crate::catalog::{ResourceType, Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Char(u8),
    /// Exactly one character, with the excluded characters.
    One(Exclude),
    /// Any run of characters, including none.
    Many(Exclude),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Exclude {
    colon: bool,
    slash: bool,
}

const NONE: Exclude = Exclude { colon: false, slash: false };

impl Exclude {
    fn allows(self, c: u8) -> bool {
        !(self.colon && c == b':' || self.slash && c == b'/')
    }
}

/// An ARN format as units: literal bytes, and two units (`One`, `Many`) per named part.
fn format_units(format: &str) -> Vec<Unit> {
    let mut units = Vec::with_capacity(format.len());
    let mut colons = 0;
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let end = after.find('}').map_or(after.len(), |e| e + 1);
            let name = &after[..end.saturating_sub(1)];
            let exclude = Exclude { colon: colons < 5, slash: colons < 5 || name == "BucketName" || name == "AccessPointName" };
            units.push(Unit::One(exclude));
            units.push(Unit::Many(exclude));
            rest = &after[end.min(after.len())..];
        } else {
            let c = rest.as_bytes()[0];
            if c == b':' {
                colons += 1;
            }
            units.push(Unit::Char(c.to_ascii_lowercase()));
            rest = &rest[1..];
        }
    }
    units
}

/// A policy `Resource` pattern as units: `*` and `?` are wildcards, a policy variable
/// `${...}` may be anything.
fn pattern_units(pattern: &str) -> Vec<Unit> {
    let mut units = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let end = after.find('}').map_or(after.len(), |e| e + 1);
            units.push(Unit::Many(NONE));
            rest = &after[end.min(after.len())..];
            continue;
        }
        let c = rest.as_bytes()[0];
        units.push(match c {
            b'*' => Unit::Many(NONE),
            b'?' => Unit::One(NONE),
            c => Unit::Char(c.to_ascii_lowercase()),
        });
        rest = &rest[1..];
    }
    units
}

/// The most any one character can be: a literal, or a wildcard allowing some set.
#[derive(Clone, Copy)]
enum Class {
    Char(u8),
    Set(Exclude),
}

fn class(u: Unit) -> Option<Class> {
    match u {
        Unit::Char(c) => Some(Class::Char(c)),
        Unit::One(e) => Some(Class::Set(e)),
        Unit::Many(_) => None,
    }
}

/// Whether two characters' classes share a character.
fn meet(a: Class, b: Class) -> bool {
    match (a, b) {
        (Class::Char(x), Class::Char(y)) => x == y,
        (Class::Char(x), Class::Set(e)) | (Class::Set(e), Class::Char(x)) => e.allows(x),
        // Some character is neither `:` nor `/`.
        (Class::Set(_), Class::Set(_)) => true,
    }
}

/// Whether some text matches both unit lists: reachability over pairs of positions (the
/// product of the two automata), so the time is at most `|a| * |b|` steps.
fn intersects(a: &[Unit], b: &[Unit]) -> bool {
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if std::mem::replace(&mut seen[i * width + j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let mut push = |i: usize, j: usize| {
            if !seen[i * width + j] {
                stack.push((i, j));
            }
        };
        // Skipping a `Many` consumes nothing.
        if i < a.len() && matches!(a[i], Unit::Many(_)) {
            push(i + 1, j);
        }
        if j < b.len() && matches!(b[j], Unit::Many(_)) {
            push(i, j + 1);
        }
        if i == a.len() || j == b.len() {
            continue;
        }
        // One character consumed by both sides; a `Many` may stay where it is.
        let ca = match a[i] {
            Unit::Many(e) => Class::Set(e),
            u => class(u).unwrap_or(Class::Set(NONE)),
        };
        let cb = match b[j] {
            Unit::Many(e) => Class::Set(e),
            u => class(u).unwrap_or(Class::Set(NONE)),
        };
        if meet(ca, cb) {
            let ni = if matches!(a[i], Unit::Many(_)) { i } else { i + 1 };
            let nj = if matches!(b[j], Unit::Many(_)) { j } else { j + 1 };
            if (ni, nj) != (i, j) {
                push(ni, nj);
            } else {
                // Both are `Many`: they can consume the same text, so either may end.
                push(i + 1, j);
                push(i, j + 1);
            }
        }
    }
    false
}

/// An ARN format read once (the catalog keeps one per resource type), to match concrete
/// ARNs against.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Format {
    units: Vec<Unit>,
    /// How specific the format is: its count of literal characters.
    literals: usize,
}

impl Format {
    pub fn new(format: &str) -> Format {
        let units = format_units(format);
        let literals = units.iter().filter(|u| matches!(u, Unit::Char(_))).count();
        Format { units, literals }
    }

    /// Whether a concrete ARN fits the format: the set of format positions reachable after
    /// each byte of the ARN (a Thompson simulation), kept as a short list since only a few
    /// positions are ever live at once; no backtracking.
    pub fn fits(&self, arn: &str) -> bool {
        self.fits_with(arn, &mut Scratch::default())
    }

    /// [`Format::fits`] with the position lists of an earlier call, to match one ARN against
    /// many formats without allocating for each.
    fn fits_with(&self, arn: &str, scratch: &mut Scratch) -> bool {
        let units = &self.units;
        let Scratch(now, next) = scratch;
        now.clear();
        reach(units, now, 0);
        for c in arn.bytes() {
            let c = c.to_ascii_lowercase();
            next.clear();
            for &i in now.iter() {
                match units.get(i) {
                    Some(&Unit::Char(x)) if x == c => reach(units, next, i + 1),
                    Some(&Unit::One(e)) if e.allows(c) => reach(units, next, i + 1),
                    Some(&Unit::Many(e)) if e.allows(c) => reach(units, next, i),
                    _ => {}
                }
            }
            if next.is_empty() {
                return false;
            }
            std::mem::swap(now, next);
        }
        now.contains(&units.len())
    }
}

/// The two position lists of [`Format::fits`].
#[derive(Default)]
struct Scratch(Vec<usize>, Vec<usize>);

/// Adds position `i` to a set of positions, and those reached from it by skipping `Many`
/// units, which may match nothing.
fn reach(units: &[Unit], positions: &mut Vec<usize>, mut i: usize) {
    loop {
        if positions.contains(&i) {
            return;
        }
        positions.push(i);
        if !matches!(units.get(i), Some(Unit::Many(_))) {
            return;
        }
        i += 1;
    }
}

/// Whether a concrete ARN fits an ARN format.
pub fn arn_fits(format: &str, arn: &str) -> bool {
    Format::new(format).fits(arn)
}

/// Whether a policy `Resource` pattern can name some resource of an ARN format.
pub fn pattern_can_name(pattern: &str, format: &str) -> bool {
    pattern == "*" || intersects(&pattern_units(pattern), &format_units(format))
}

/// The resource types of a service a concrete ARN is: of all the formats it fits, the
/// most specific ones (an object ARN fits both `${BucketName}` and
/// `${BucketName}/${ObjectName}`... except that a bucket name holds no `/`; elsewhere the
/// longest literal text wins). Indexes into the service's resource types.
pub fn classify(service: &Service, arn: &str) -> Vec<u16> {
    let mut scratch = Scratch::default();
    let fits: Vec<(u16, usize)> = service
        .resource_types
        .iter()
        .enumerate()
        .filter(|(_, rt)| rt.format.fits_with(arn, &mut scratch))
        .map(|(i, rt)| (i as u16, rt.format.literals))
        .collect();
    let best = fits.iter().map(|(_, n)| *n).max().unwrap_or(0);
    fits.into_iter().filter(|(_, n)| *n == best).map(|(i, _)| i).collect()
}

/// A resource type's ARN format with the partition filled in, as a template to offer.
pub fn template(rt: &ResourceType) -> String {
    rt.arn.replace("${Partition}", "aws")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The regex oracle of `arn_fits`: a named part is `[^:/]+` in the first five segments,
    /// `[^/]+` for a bucket or access point name, `.+` elsewhere; everything else literal.
    fn oracle(format: &str) -> regex::Regex {
        let mut re = String::from("(?is)^");
        let mut colons = 0;
        let mut rest = format;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("${") {
                let end = after.find('}').unwrap();
                let name = &after[..end];
                re.push_str(if colons < 5 { "[^:/]+" } else if name == "BucketName" || name == "AccessPointName" { "[^/]+" } else { ".+" });
                rest = &after[end + 1..];
            } else {
                let c = rest.chars().next().unwrap();
                colons += usize::from(c == ':');
                re.push_str(&regex::escape(&c.to_string()));
                rest = &rest[c.len_utf8()..];
            }
        }
        re.push('$');
        regex::Regex::new(&re).unwrap()
    }

    fn format_strategy() -> impl Strategy<Value = String> {
        let part = prop_oneof![Just("${BucketName}"), Just("${Name}"), Just("${Region}"), Just("a"), Just("/"), Just(":"), Just("log-group"), Just("*")];
        prop::collection::vec(part, 0..6).prop_map(|parts| format!("arn:${{Partition}}:svc:${{Region}}:${{Account}}:{}", parts.concat()))
    }

    /// A format and an ARN made from it, each named part filled with text its rule allows.
    fn fitting_strategy() -> impl Strategy<Value = (String, String)> {
        let part = prop_oneof![
            Just(("${BucketName}", "b")),
            Just(("${BucketName}", "bb")),
            Just(("${Name}", "x")),
            Just(("${Name}", "x/y")),
            Just(("${Name}", "x:y")),
            Just(("a", "a")),
            Just(("/", "/")),
            Just((":", ":")),
            Just(("log-group", "log-group")),
        ];
        prop::collection::vec(part, 0..6).prop_map(|parts| {
            let format: String = parts.iter().map(|(f, _)| *f).collect();
            let arn: String = parts.iter().map(|(_, a)| *a).collect();
            (format!("arn:${{Partition}}:svc:${{Region}}:${{Account}}:{format}"), format!("arn:aws:svc:us-east-1:111122223333:{arn}"))
        })
    }

    fn arn_strategy() -> impl Strategy<Value = String> {
        "[a/:*]{0,8}".prop_map(|tail| format!("arn:aws:svc:us-east-1:111122223333:{tail}"))
    }

    proptest! {
        #[test]
        fn fits_agrees_with_a_regex(format in format_strategy(), arn in arn_strategy()) {
            prop_assert_eq!(arn_fits(&format, &arn), oracle(&format).is_match(&arn), "{} vs {}", format, arn);
        }

        /// Lint must never call a statement dead that can apply: a pattern that matches an
        /// ARN of the format can name the format.
        #[test]
        fn a_pattern_matching_an_arn_of_the_format_can_name_it(format_and_arn in fitting_strategy(), cuts in prop::collection::vec((0usize..40, 0usize..6), 0..3)) {
            let (format, arn) = format_and_arn;
            prop_assert!(arn_fits(&format, &arn), "{} should fit {}", arn, format);
            let mut pattern = arn.clone();
            for (at, len) in cuts {
                let start = at.min(pattern.len());
                let end = (start + len).min(pattern.len());
                pattern.replace_range(start..end, "*");
            }
            prop_assume!(crate::wildcard::Glob::parse(&pattern).matches(&arn, false));
            prop_assert!(pattern_can_name(&pattern, &format), "{} should name {} (it matches {})", pattern, format, arn);
        }
    }

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const LOG_GROUP: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
    const LOG_STREAM: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";

    #[test]
    fn concrete_arns() {
        for (format, arn, fits) in [
            (BUCKET, "arn:aws:s3:::my-bucket", true),
            (BUCKET, "arn:aws:s3:::my-bucket/key", false),
            (OBJECT, "arn:aws:s3:::my-bucket/dir/key", true),
            (OBJECT, "arn:aws:s3:::my-bucket", false),
            (OBJECT, "arn:aws:s3:::my-bucket/", false),
            (LOG_STREAM, "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:web/1", true),
            (LOG_GROUP, "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:", true),
            (LOG_STREAM, "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:", false),
            (BUCKET, "arn:aws:ec2:::my-bucket", false),
        ] {
            assert_eq!(arn_fits(format, arn), fits, "{format} vs {arn}");
        }
    }

    #[test]
    fn patterns() {
        for (pattern, format, can) in [
            ("arn:aws:s3:::bucket/*", BUCKET, false),
            ("arn:aws:s3:::bucket/*", OBJECT, true),
            ("arn:aws:s3:::bucket", OBJECT, false),
            ("arn:aws:s3:::bucket*", OBJECT, true),
            ("arn:aws:s3:::*", OBJECT, true),
            ("arn:aws:s3:::*", BUCKET, true),
            ("*", BUCKET, true),
            ("arn:aws:s3:::${aws:username}", BUCKET, true),
            ("arn:aws:logs:*:*:log-group:/ecs/app:*", LOG_STREAM, true),
            ("arn:aws:ec2:*:*:instance/*", BUCKET, false),
        ] {
            assert_eq!(pattern_can_name(pattern, format), can, "{pattern} vs {format}");
        }
    }
}
