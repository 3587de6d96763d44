//! Native benchmarks of the core (divan): `cargo bench --bench evaluation`.
//!
//! Every input is generated in code (`benches/support`) or read from the repository's
//! example scenarios at compile time, so runs are comparable. These report numbers; they
//! assert nothing (the enforced properties are in `tests/perf.rs`).
//!
//! Pass a filter to run a part: `cargo bench --bench evaluation -- large_set`.
//!
//! The catalog view and CloudFormation reading belong in their own bench files next to
//! this one (`benches/catalog.rs`, `benches/cloudformation.rs`, each a `[[bench]]` with
//! `harness = false`), reusing `support` for their inputs.

use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use iamplay::evaluation;
use iamplay::policy;
use iamplay::scenario;
use iamplay::share;
use iamplay::trace::PolicyType;
use iamplay::wildcard::Glob;

#[path = "support/mod.rs"]
mod support;

fn main() {
    divan::main();
}

/// The scenario the page opens with.
const EXAMPLE: &str = include_str!("../examples/task-role-tags.json");

/// The scenario corpus of `tests/scenarios/`, read at compile time.
const CORPUS: &[&str] = &[
    include_str!("../tests/scenarios/semantics/actions.json"),
    include_str!("../tests/scenarios/semantics/conditions-ip-bool-binary-arn.json"),
    include_str!("../tests/scenarios/semantics/conditions-numeric-date.json"),
    include_str!("../tests/scenarios/semantics/conditions-string.json"),
    include_str!("../tests/scenarios/semantics/cross-account.json"),
    include_str!("../tests/scenarios/semantics/not-elements.json"),
    include_str!("../tests/scenarios/semantics/null-ifexists.json"),
    include_str!("../tests/scenarios/semantics/policy-types-scp-flat.json"),
    include_str!("../tests/scenarios/semantics/policy-types.json"),
    include_str!("../tests/scenarios/semantics/principals-boundary.json"),
    include_str!("../tests/scenarios/semantics/principals-notprincipal-boundary.json"),
    include_str!("../tests/scenarios/semantics/principals-notprincipal.json"),
    include_str!("../tests/scenarios/semantics/principals.json"),
    include_str!("../tests/scenarios/semantics/resources.json"),
    include_str!("../tests/scenarios/semantics/set-operators.json"),
    include_str!("../tests/scenarios/semantics/variables.json"),
];

fn requests_in(texts: &[&str]) -> usize {
    texts.iter().map(|t| scenario::evaluate_text(t).results.len()).sum()
}

/// Parsing: the JSON reader and the policy reader, without evaluation.
mod parse {
    use super::*;

    /// The example's identity policy (one statement with a condition).
    #[divan::bench]
    fn example_policy(bencher: Bencher) {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "ReadCodeWhenRequestTagged", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::esolang-worker/0123456789/code", "Condition": {"StringEquals": {"aws:RequestTag/Status": "OK"}}}]}"#;
        bencher.counter(BytesCount::of_str(text)).bench(|| policy::parse_policy_text(black_box(text), "p", PolicyType::Identity));
    }

    /// One realistic policy of 20 statements (about 4 KB).
    #[divan::bench]
    fn policy_20_statements(bencher: Bencher) {
        let text = support::realistic_policy(&mut support::Rng::new(7), 0, 20);
        bencher.counter(BytesCount::of_str(&text)).bench(|| policy::parse_policy_text(black_box(&text), "p", PolicyType::Identity));
    }

    /// The 50 × 20 set as one scenario file, read but not evaluated: what a keystroke
    /// costs before evaluation starts.
    #[divan::bench]
    fn large_set_scenario_json(bencher: Bencher) {
        let text = support::large_set().scenario_text();
        bencher.counter(BytesCount::of_str(&text)).bench(|| iamplay::json::parse(black_box(&text)));
    }

    #[divan::bench]
    fn large_set_policies(bencher: Bencher) {
        let set = support::large_set();
        let bytes: usize = set.policies.iter().map(String::len).sum();
        bencher.counter(BytesCount::new(bytes)).bench(|| {
            for (i, p) in set.policies.iter().enumerate() {
                black_box(policy::parse_policy_text(black_box(p), if i == 0 { "a" } else { "b" }, PolicyType::Identity));
            }
        });
    }
}

/// Evaluation: one request, with and without reading the scenario first.
mod evaluate {
    use super::*;

    /// The page's path on every keystroke for the example: read the scenario and evaluate
    /// its two requests (per request).
    #[divan::bench]
    fn example_scenario_text(bencher: Bencher) {
        let n = requests_in(&[EXAMPLE]);
        bencher.counter(ItemsCount::new(n)).bench(|| scenario::evaluate_text(black_box(EXAMPLE)));
    }

    /// Every scenario of `tests/scenarios/` read and evaluated (per request).
    #[divan::bench]
    fn corpus_scenario_text(bencher: Bencher) {
        let n = requests_in(CORPUS);
        bencher.counter(ItemsCount::new(n)).bench(|| {
            for t in CORPUS {
                black_box(scenario::evaluate_text(black_box(t)));
            }
        });
    }

    /// One request against 50 policies of 20 statements plus a boundary, already parsed:
    /// evaluation alone, trace included (per request, averaged over the four requests).
    #[divan::bench]
    fn large_set_request(bencher: Bencher) {
        let (policies, requests) = support::large_set().parsed();
        bencher.counter(ItemsCount::new(requests.len())).bench(|| {
            for r in &requests {
                black_box(evaluation::evaluate(black_box(&policies), black_box(r)));
            }
        });
    }

    /// The same set read from scenario text and evaluated: the keystroke path.
    #[divan::bench]
    fn large_set_scenario_text(bencher: Bencher) {
        let set = support::large_set();
        let text = set.scenario_text();
        bencher.counter(ItemsCount::new(set.requests.len())).bench(|| scenario::evaluate_text(black_box(&text)));
    }
}

/// Share links: compress + base64, and back.
mod share_link {
    use super::*;

    #[divan::bench(args = ["example", "large_set"])]
    fn encode(bencher: Bencher, which: &str) {
        let text = if which == "example" { EXAMPLE.to_string() } else { support::large_set().scenario_text() };
        bencher.counter(BytesCount::of_str(&text)).bench(|| share::encode(black_box(&text)));
    }

    #[divan::bench(args = ["example", "large_set"])]
    fn decode(bencher: Bencher, which: &str) {
        let text = if which == "example" { EXAMPLE.to_string() } else { support::large_set().scenario_text() };
        let link = share::encode(&text);
        bencher.counter(BytesCount::of_str(&text)).bench(|| share::decode(black_box(&link)).expect("decodes"));
    }
}

/// Wildcard matching on the pathological pattern `*a*a*…*a*b*` against an ARN of `len`
/// characters: the throughput stays flat as the input grows (linear time).
mod wildcard {
    use super::*;

    const LENS: &[usize] = &[1_000, 8_000, 64_000];

    #[divan::bench(args = LENS)]
    fn star_a_star_b(bencher: Bencher, len: usize) {
        let (pattern, text) = support::pathological_glob(100, len);
        let glob = Glob::parse(&pattern);
        bencher.counter(BytesCount::of_str(&text)).bench(|| glob.matches(black_box(&text), false));
    }

    #[divan::bench(args = LENS)]
    fn star_question_b(bencher: Bencher, len: usize) {
        let (pattern, text) = support::pathological_question_glob(100, len);
        let glob = Glob::parse(&pattern);
        bencher.counter(BytesCount::of_str(&text)).bench(|| glob.matches(black_box(&text), false));
    }

    /// A 200-character segment (four words of shift-and state) that almost matches
    /// everywhere.
    #[divan::bench(args = LENS)]
    fn long_segment(bencher: Bencher, len: usize) {
        let (pattern, text) = support::long_segment_glob(200, len);
        let glob = Glob::parse(&pattern);
        bencher.counter(BytesCount::of_str(&text)).bench(|| glob.matches(black_box(&text), false));
    }

    /// The pattern grows with the text: `len / 10` stars.
    #[divan::bench(args = LENS)]
    fn stars_grow_with_text(bencher: Bencher, len: usize) {
        let (pattern, text) = support::pathological_glob(len / 10, len);
        let glob = Glob::parse(&pattern);
        bencher.counter(BytesCount::new(text.len() + pattern.len())).bench(|| glob.matches(black_box(&text), false));
    }

    /// A typical resource pattern against a typical ARN.
    #[divan::bench]
    fn typical_arn(bencher: Bencher) {
        let glob = Glob::parse("arn:aws:s3:::my-bucket/home/*/reports/*.csv");
        let text = "arn:aws:s3:::my-bucket/home/alice/reports/2025/06/summary.csv";
        bencher.bench(|| glob.matches(black_box(text), false));
    }
}

/// Growth with the number of statements and values (per statement / value): flat
/// numbers mean linear time.
mod scaling {
    use super::*;

    const SIZES: &[usize] = &[1_000, 8_000];

    #[divan::bench(args = SIZES)]
    fn statements(bencher: Bencher, n: usize) {
        let text = support::many_statements_scenario(n);
        bencher.counter(ItemsCount::new(n)).bench(|| scenario::evaluate_text(black_box(&text)));
    }

    #[divan::bench(args = SIZES)]
    fn condition_values(bencher: Bencher, n: usize) {
        let text = support::many_values_scenario(n);
        bencher.counter(ItemsCount::new(n)).bench(|| scenario::evaluate_text(black_box(&text)));
    }

    #[divan::bench(args = SIZES)]
    fn request_values(bencher: Bencher, n: usize) {
        let text = support::many_request_values_scenario(n);
        bencher.counter(ItemsCount::new(n)).bench(|| scenario::evaluate_text(black_box(&text)));
    }
}
