//! Native benchmarks of the action catalog (divan): `cargo bench --bench catalog`.
//!
//! Reading `catalog/catalog.txt`, the "what can this principal do" view over the whole
//! catalog (a scoped policy, an administrator, a `NotAction` policy with a boundary), the
//! linter on the corpus's policies and a catalog-aware evaluation. Inputs are the
//! repository's files, read at compile time. Numbers only; nothing is asserted here.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use iamplay::capabilities;
use iamplay::catalog::Catalog;
use iamplay::evaluation::CatalogOracle;
use iamplay::lint;
use iamplay::policy;
use iamplay::scenario::{self, PolicySet, Settings};
use iamplay::trace::PolicyType;
use std::sync::{Arc, OnceLock};

fn main() {
    divan::main();
}

const CATALOG: &str = include_str!("../catalog/catalog.txt");
const EXAMPLE: &str = include_str!("../examples/task-role-tags.json");

fn catalog() -> &'static Arc<Catalog> {
    static C: OnceLock<Arc<Catalog>> = OnceLock::new();
    C.get_or_init(|| Arc::new(Catalog::parse(CATALOG).unwrap()))
}

fn set(policy: &str, boundary: Option<&str>) -> PolicySet {
    let boundary = boundary.map_or(String::new(), |b| format!(", \"permissions_boundary\": {b}"));
    let text = format!(r#"{{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice", "identity_policies": [{policy}]{boundary}, "requests": [{{"action": "s3:GetObject", "resource": "*"}}]}}"#);
    scenario::read_policies(&text, &Settings::default())
}

const SCOPED: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]},
  {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
  {"Effect": "Deny", "Action": "s3:GetObjectAcl", "Resource": "*"}]}"#;
const ADMIN: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
const NOT_ACTION: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "NotResource": "arn:aws:s3:::secret/*"},
  {"Effect": "Allow", "Action": "iam:Get*", "Resource": "arn:aws:iam::111122223333:role/*"}]}"#;
const BOUNDARY: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:*", "ec2:*", "iam:*", "lambda:*"], "Resource": "*"}}"#;

#[divan::bench]
fn parse_catalog(bencher: Bencher) {
    bencher.counter(BytesCount::new(CATALOG.len())).bench(|| Catalog::parse(black_box(CATALOG)).unwrap());
}

#[divan::bench(args = ["scoped", "admin", "not_action_with_boundary"])]
fn capabilities_full_catalog(bencher: Bencher, which: &str) {
    let set = match which {
        "scoped" => set(SCOPED, None),
        "admin" => set(ADMIN, None),
        _ => set(NOT_ACTION, Some(BOUNDARY)),
    };
    let c = catalog();
    bencher.bench(|| capabilities::capabilities(c, black_box(&set), None));
}

#[divan::bench]
fn capabilities_one_resource(bencher: Bencher) {
    let set = set(SCOPED, None);
    let c = catalog();
    bencher.bench(|| capabilities::capabilities(c, black_box(&set), Some("arn:aws:s3:::bucket/key")));
}

#[divan::bench]
fn lint_scoped_policy(bencher: Bencher) {
    let (p, _) = policy::parse_policy_text(SCOPED, "p", PolicyType::Identity);
    let p = p.unwrap();
    let c = catalog();
    bencher.bench(|| lint::lint(black_box(&p), c));
}

#[divan::bench(args = [false, true])]
fn evaluate_example(bencher: Bencher, with_catalog: bool) {
    let settings = Settings { catalog: with_catalog.then(|| catalog().clone() as Arc<dyn CatalogOracle>), ..Settings::default() };
    bencher.bench(|| scenario::evaluate_text_with(black_box(EXAMPLE), &settings));
}
