//! Replays `tests/differential/corpus.jsonl` without Node: 300 scenarios from the
//! differential run against the reference simulator (iam-simulate), each with the
//! simulator's decision. Every scenario goes through the library
//! (`iamplay::scenario::evaluate_text`, without the action catalog); where `deviation` is
//! null iamplay must give the simulator's decision, and where it names a class (or `a+b`
//! for several) iamplay must differ, and the class must be one that `DIFFERENTIAL.md`
//! documents with its AWS justification. `tests/differential/corpus-catalog.jsonl` is the
//! same for the run with the action catalog (`run.sh --catalog`), replayed through
//! `evaluate_text_with` and the catalog, as the command evaluates by default. Regenerate
//! them with `tests/differential/run.sh --corpus` and `run.sh --catalog --corpus`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use iamplay::catalog::Catalog;
use iamplay::scenario::{evaluate_text, evaluate_text_with, ScenarioReport, Settings};

/// Classes of justified deviation from the simulator; each has a section in
/// `DIFFERENTIAL.md` (`### \`name\`: ...`) and a minimal scenario in
/// `tests/differential/deviations/`.
const DOCUMENTED_CLASSES: &[&str] = &[
    "rcp-on-unsupported-service",
    "notprincipal-partial-chain",
    "variable-colon-split",
    "assume-role-without-trust-policy",
    "unresolved-variable-negated",
    "session-policy-vs-session-grant",
    "wildcard-grant-vs-boundary",
    "epoch-date-in-seconds",
    "ipv4-slash-zero",
    "bare-ipv4-vs-ipv6-request",
    "set-qualifier-on-null",
    "variables-without-version-2012",
    "notresource-short-arn",
    "tag-key-never-carried",
];

#[test]
fn documented_classes_are_in_differential_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("DIFFERENTIAL.md")).unwrap();
    for class in DOCUMENTED_CLASSES {
        assert!(doc.contains(&format!("### `{class}`")), "DIFFERENTIAL.md has no section for deviation class `{class}`");
        let example = root.join("tests/differential/deviations").join(format!("{class}.json"));
        assert!(example.exists(), "no minimal scenario {} for class `{class}`", example.display());
    }
}

#[test]
fn corpus_replays_against_the_simulator_decisions() {
    replay("corpus.jsonl", "without the catalog", &evaluate_text);
}

#[test]
fn catalog_corpus_replays_against_the_simulator_decisions() {
    let catalog = Arc::new(Catalog::parse(include_str!("../catalog/catalog.txt")).expect("catalog/catalog.txt reads"));
    let settings = Settings { catalog: Some(catalog), ..Settings::default() };
    replay("corpus-catalog.jsonl", "with the catalog", &|text| evaluate_text_with(text, &settings));
}

fn replay(file: &str, mode: &str, evaluate: &dyn Fn(&str) -> ScenarioReport) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/differential").join(file)).unwrap();
    let mut agree = 0usize;
    let mut deviate: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut lines = 0usize;
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        lines += 1;
        let row: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("corpus line {}: {e}", n + 1));
        let id = row["id"].as_str().unwrap_or("?").to_string();
        let oracle = row["oracle"].as_str().unwrap_or_else(|| panic!("{id}: no oracle decision"));
        assert!(["allowed", "implicitDeny", "explicitDeny"].contains(&oracle), "{id}: oracle decision {oracle}");
        let deviation = row["deviation"].as_str();
        if let Some(class) = deviation {
            for part in class.split('+') {
                assert!(DOCUMENTED_CLASSES.contains(&part), "{id}: deviation class `{part}` is not documented in DIFFERENTIAL.md");
            }
        }

        let report = evaluate(&serde_json::to_string(&row["scenario"]).unwrap());
        assert!(!report.has_errors(), "{id}: the scenario does not read: {:?}", report.diagnostics);
        assert_eq!(report.results.len(), 1, "{id}: expected one request");
        let ours = report.results[0].outcome.decision.as_str();

        match deviation {
            None if ours == oracle => agree += 1,
            None => failures.push(format!("{id}: iamplay {ours}, simulator {oracle} (no deviation class): {}", report.results[0].outcome.why)),
            Some(class) if ours != oracle => *deviate.entry(class.to_string()).or_default() += 1,
            Some(class) => failures.push(format!("{id}: iamplay now agrees with the simulator ({ours}) where class `{class}` says it differs")),
        }
    }
    let deviations: usize = deviate.values().sum();
    println!("differential corpus {file} ({mode}): {lines} scenarios, {agree} agree with iam-simulate, {deviations} differ in a documented class");
    for (class, count) in &deviate {
        println!("  {count:>3}  {class}");
    }
    assert!(lines >= 250, "corpus too small: {lines} scenarios");
    assert!(failures.is_empty(), "{} of {lines} scenarios of {file} fail:\n{}", failures.len(), failures.join("\n"));
}
