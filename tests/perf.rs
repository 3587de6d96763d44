//! Growth properties, enforced: wildcard matching is linear in its input, and reading and
//! evaluating are not quadratic in the number of statements or of values.
//!
//! Each check times an input of size n and one of size 8n and requires the ratio to stay
//! under 20: linear work gives about 8, quadratic work 64, backtracking far more. To stay
//! reliable on a loaded machine the time is the thread's CPU time (time spent waiting for
//! a core does not count), each size keeps the fastest of several interleaved runs (load
//! only ever adds time), the checks run one at a time, and a check that fails is measured
//! again before it fails the test. These are not timed unit tests: no absolute time is
//! asserted anywhere (BENCHMARKS.md has the numbers).

use std::sync::Mutex;
use std::time::Duration;

use std::sync::{Arc, OnceLock};

use iamplay::catalog::Catalog;
use iamplay::evaluation::CatalogOracle;
use iamplay::policy;
use iamplay::scenario;
use iamplay::trace::PolicyType;
use iamplay::wildcard::Glob;

#[path = "../benches/support/mod.rs"]
mod support;

/// How much more an input 8 times larger may cost.
const LIMIT: f64 = 20.0;
const RUNS: usize = 5;
const ATTEMPTS: usize = 3;

/// One measurement at a time: tests of one binary otherwise run in parallel and compete
/// for the same cores and caches.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn cost(f: &dyn Fn()) -> Duration {
    let start = support::thread_cpu_time();
    f();
    support::thread_cpu_time() - start
}

/// Fails when `large` (8 times the input of `small`) costs more than [`LIMIT`] times
/// `small`, in each of [`ATTEMPTS`] measurements.
fn assert_linear(what: &str, small: &dyn Fn(), large: &dyn Fn()) {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        small();
        large();
        let (mut s, mut l) = (Duration::MAX, Duration::MAX);
        for _ in 0..RUNS {
            s = s.min(cost(small));
            l = l.min(cost(large));
        }
        let ratio = l.as_secs_f64() / s.as_secs_f64().max(1e-9);
        eprintln!("{what}: n {s:?}, 8n {l:?}, ratio {ratio:.1} (linear about 8, quadratic 64, limit {LIMIT})");
        if ratio <= LIMIT {
            return;
        }
        ratios.push(ratio);
    }
    panic!("{what}: an input 8 times larger cost {ratios:.1?} times more in {ATTEMPTS} measurements (limit {LIMIT}): the work grows faster than linearly");
}

fn glob_pair(make: fn(usize, usize) -> (String, String), stars: usize, len: usize) -> impl Fn() {
    let (pattern, text) = make(stars, len);
    let glob = Glob::parse(&pattern);
    move || assert!(!glob.matches(std::hint::black_box(&text), false))
}

#[test]
fn wildcard_star_a_is_linear_in_the_text() {
    let n = 100_000;
    let small = glob_pair(support::pathological_glob, 100, n);
    let large = glob_pair(support::pathological_glob, 100, 8 * n);
    assert_linear("`*a*a…*a*b*` (100 stars) against an ARN of n characters", &small, &large);
}

#[test]
fn wildcard_star_question_is_linear_in_the_text() {
    let n = 100_000;
    let small = glob_pair(support::pathological_question_glob, 100, n);
    let large = glob_pair(support::pathological_question_glob, 100, 8 * n);
    assert_linear("`*?*?…*?*b*` (100 stars) against an ARN of n characters", &small, &large);
}

#[test]
fn wildcard_is_linear_when_pattern_and_text_grow_together() {
    let n = 50_000;
    let small = glob_pair(support::pathological_glob, n / 10, n);
    let large = glob_pair(support::pathological_glob, 8 * n / 10, 8 * n);
    assert_linear("`*a*a…*a*b*` with n/10 stars against n characters", &small, &large);
}

#[test]
fn wildcard_long_segment_is_linear_in_the_text() {
    let n = 50_000;
    let small = glob_pair(support::long_segment_glob, 200, n);
    let large = glob_pair(support::long_segment_glob, 200, 8 * n);
    assert_linear("`*aaa…ab*` (a 200-character segment) against n characters", &small, &large);
}

fn evaluates(text: String) -> impl Fn() {
    move || {
        let report = scenario::evaluate_text(std::hint::black_box(&text));
        assert!(!report.has_errors(), "{:?}", report.diagnostics.first());
        assert_eq!(report.results.len(), 1);
    }
}

#[test]
fn reading_a_policy_is_linear_in_statements() {
    let policy = |n: usize| {
        let mut rng = support::Rng::new(3);
        let text = support::realistic_policy(&mut rng, 0, n);
        move || {
            let (p, d) = policy::parse_policy_text(std::hint::black_box(&text), "p", PolicyType::Identity);
            assert!(d.iter().all(|d| !d.is_error()));
            assert_eq!(p.map(|p| p.statements.len()), Some(n));
        }
    };
    assert_linear("reading a policy of n statements", &policy(1_000), &policy(8_000));
}

#[test]
fn evaluation_is_linear_in_statements() {
    let small = evaluates(support::many_statements_scenario(1_000));
    let large = evaluates(support::many_statements_scenario(8_000));
    assert_linear("reading and evaluating n statements, each with a missing key", &small, &large);
}

#[test]
fn evaluation_is_linear_in_condition_values() {
    let small = evaluates(support::many_values_scenario(2_000));
    let large = evaluates(support::many_values_scenario(16_000));
    assert_linear("a condition listing n values", &small, &large);
}

#[test]
fn evaluation_is_linear_in_request_values() {
    let small = evaluates(support::many_request_values_scenario(2_000));
    let large = evaluates(support::many_request_values_scenario(16_000));
    assert_linear("a multivalued key with n values under ForAllValues", &small, &large);
}

#[test]
fn evaluation_is_linear_in_policies() {
    let set = |n: usize| {
        let text = support::large_set_of(n, 20).scenario_text();
        move || {
            let report = scenario::evaluate_text(std::hint::black_box(&text));
            assert!(!report.has_errors(), "{:?}", report.diagnostics.first());
        }
    };
    assert_linear("the generated set with n policies of 20 statements", &set(10), &set(80));
}

fn catalog() -> &'static Arc<Catalog> {
    static C: OnceLock<Arc<Catalog>> = OnceLock::new();
    C.get_or_init(|| Arc::new(Catalog::parse(include_str!("../catalog/catalog.txt")).unwrap()))
}

fn evaluates_with_catalog(text: String) -> impl Fn() {
    let settings = scenario::Settings { catalog: Some(catalog().clone() as Arc<dyn CatalogOracle>), ..scenario::Settings::default() };
    move || {
        let report = scenario::evaluate_text_with(std::hint::black_box(&text), &settings);
        assert!(!report.has_errors(), "{:?}", report.diagnostics.first());
        assert!(report.results[0].outcome.catalog.is_some());
    }
}

#[test]
fn evaluation_with_the_catalog_is_linear_in_statements() {
    let small = evaluates_with_catalog(support::many_statements_scenario(1_000));
    let large = evaluates_with_catalog(support::many_statements_scenario(8_000));
    assert_linear("reading and evaluating n statements with the catalog, each with a key it does not know", &small, &large);
}

/// n statements each testing a different request tag on `s3:GetObject`, which never
/// carries one, and a request giving each: every key is asked about, left out and
/// explained on its condition.
fn never_carried_scenario(n: usize) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {{"StringEquals": {{"aws:RequestTag/k{i}": "v"}}}}}}"#))
        .collect();
    let context: Vec<String> = (0..n).map(|i| format!(r#""aws:RequestTag/k{i}": "v""#)).collect();
    format!(
        r#"{{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice", "identity_policies": [{{"Version": "2012-10-17", "Statement": [{}]}}], "requests": [{{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {{{}}}}}]}}"#,
        statements.join(","),
        context.join(",")
    )
}

#[test]
fn leaving_out_keys_is_linear_in_keys() {
    let small = evaluates_with_catalog(never_carried_scenario(500));
    let large = evaluates_with_catalog(never_carried_scenario(4_000));
    assert_linear("n request tags on s3:GetObject, each left out and explained", &small, &large);
}

#[test]
fn lint_is_linear_in_statements() {
    let lints = |n: usize| {
        let mut rng = support::Rng::new(5);
        let text = support::realistic_policy(&mut rng, 0, n);
        let (p, _) = policy::parse_policy_text(&text, "p", PolicyType::Identity);
        let p = p.unwrap();
        move || {
            std::hint::black_box(iamplay::lint::lint(std::hint::black_box(&p), catalog()));
        }
    };
    assert_linear("linting a policy of n statements", &lints(250), &lints(2_000));
}

/// The generated template reads cleanly both ways, to the same roles and task definitions,
/// so the growth checks and benchmarks below measure real work.
#[test]
fn the_generated_template_reads_the_same_as_json_and_yaml() {
    let (json, yaml) = support::large_template(3);
    let read = |text: &str| {
        let parsed = if text.starts_with('{') { iamplay::json::parse(text) } else { iamplay::yaml::parse(text) };
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let mut out = Vec::new();
        let t = iamplay::cloudformation::read_template(&parsed.json.unwrap(), &Default::default(), &Default::default(), &mut out);
        assert!(out.is_empty(), "{out:?}");
        let statements: usize = t.roles.iter().flat_map(|r| &r.policies).map(|p| p.statements.len()).sum();
        (t.roles.len(), t.task_definitions.len(), t.bucket_policies.len(), statements, t.roles.iter().map(|r| r.arn()).collect::<Vec<_>>())
    };
    let (j, y) = (read(&json), read(&yaml));
    assert_eq!(j, y);
    assert_eq!((j.0, j.1, j.2), (6, 3, 3));
    assert!(j.3 >= 3 * 9, "{}", j.3);
    assert!(!j.4.iter().any(|arn| iamplay::cloudformation::is_unresolved(arn)), "{:?}", j.4);
    let report = scenario::evaluate_text(&yaml);
    assert!(report.diagnostics.iter().all(|d| !d.is_error()), "{:?}", report.diagnostics);
    assert!(report.checklist.len() >= 5, "{:?}", report.checklist.len());
}

#[test]
fn reading_a_template_is_linear_in_resources() {
    let reads = |services: usize, yaml: bool| {
        let (json, yaml_text) = support::large_template(services);
        let text = if yaml { yaml_text } else { json };
        move || {
            std::hint::black_box(scenario::evaluate_text(std::hint::black_box(&text)));
        }
    };
    assert_linear("reading and checking a JSON template of n services", &reads(25, false), &reads(200, false));
    assert_linear("reading and checking a YAML template of n services", &reads(25, true), &reads(200, true));
}

/// A template full of different unknown names: each "did you mean" compares a name with
/// every name of the template, so only the first ones are searched.
#[test]
fn unknown_names_in_a_template_are_not_quadratic() {
    let reads = |services: usize| {
        let (mut json, _) = support::large_template(services);
        for i in 0..services {
            json = json.replace(&format!("-jobs-{i}\""), &format!("-jobs-${{Missing{i}}}\""));
        }
        move || {
            let report = scenario::evaluate_text(std::hint::black_box(&json));
            assert!(report.diagnostics.len() >= services);
        }
    };
    assert_linear("a template of n services, each with its own unknown `Ref`", &reads(25), &reads(200));
}
