//! Native benchmarks of reading CloudFormation templates (divan):
//! `cargo bench --bench cloudformation`.
//!
//! The template is generated in code (`support::large_template`): ECS services of six
//! resources each (log group, bucket, bucket policy, execution role, task role with an
//! eight-statement inline policy, task definition), with `Ref`, `Fn::Sub` and `Fn::GetAtt`
//! wherever the playground resolves them, written both as JSON and as block YAML with
//! short-form tags. Numbers only; the growth check is in `tests/perf.rs`.

use std::collections::BTreeMap;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use iamplay::cloudformation::{self, Pseudo};
use iamplay::{json, scenario, yaml};

#[path = "support/mod.rs"]
mod support;

fn main() {
    divan::main();
}

/// Services in the template: 100 gives 600 resources (about 0.7 MB of JSON).
const SERVICES: &[usize] = &[10, 100];

fn template(services: usize, format: &str) -> String {
    let (json, yaml) = support::large_template(services);
    if format == "json" {
        json
    } else {
        yaml
    }
}

/// The reader alone: text to span-keeping tree.
#[divan::bench(consts = SERVICES, args = ["json", "yaml"])]
fn read_tree<const N: usize>(bencher: Bencher, format: &str) {
    let text = template(N, format);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let parsed = if format == "json" { json::parse(black_box(&text)) } else { yaml::parse(black_box(&text)) };
        assert!(parsed.errors.is_empty());
        parsed
    });
}

/// The template's meaning from its tree: intrinsics resolved, roles with their policies,
/// bucket policies and task definitions extracted.
#[divan::bench(consts = SERVICES)]
fn read_template<const N: usize>(bencher: Bencher) {
    let text = template(N, "json");
    let root = json::parse(&text).json.expect("a template");
    let (pseudo, given) = (Pseudo::default(), BTreeMap::new());
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let mut out = Vec::new();
        let template = cloudformation::read_template(black_box(&root), &pseudo, &given, &mut out);
        assert_eq!(template.roles.len(), 2 * N);
        template
    });
}

/// What the page and `iamplay eval` do with a pasted template: read it, find the task
/// definition and its roles, and evaluate the checklist of the calls the task needs.
#[divan::bench(consts = SERVICES, args = ["json", "yaml"])]
fn pasted_template<const N: usize>(bencher: Bencher, format: &str) {
    let text = template(N, format);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let report = scenario::evaluate_text(black_box(&text));
        assert!(!report.checklist.is_empty());
        report
    });
}
