//! Hostile input: each file under `tests/hostile/` must end, within a bounded time and
//! without a panic, in exit code 2 and the diagnostic written beside it in
//! `NAME.expected`. Generated inputs (deep nesting, megabytes of policy, pathological
//! wildcards) must be answered too.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Runs `iamplay ARGS` on `input`; fails the test when it runs longer than `limit`.
fn run(args: &[&str], input: &[u8], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamplay")).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    // Output is collected on another thread so that a full pipe never blocks the child.
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match result.recv_timeout(limit) {
        Ok(output) => output.unwrap(),
        Err(_) => panic!("`iamplay {}` still running after {limit:?}", args.join(" ")),
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_hostile_file_gets_its_diagnostic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    assert!(files.len() >= 20);
    for file in files {
        let expected = std::fs::read_to_string(file.with_extension("expected")).unwrap();
        let out = run(&["eval", "-"], &std::fs::read(&file).unwrap(), Duration::from_secs(10));
        let got = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {got}", file.display());
        assert!(got.contains(expected.trim_end()), "{}: expected\n{}\nin\n{got}", file.display(), expected.trim_end());
        assert!(!got.contains("panicked"), "{}: {got}", file.display());
    }
}

const LIMIT: Duration = Duration::from_secs(60);

fn scenario_with_policy(policy: &str, resource: &str) -> String {
    format!(
        r#"{{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice", "identity_policies": [{policy}],
            "requests": [{{"action": "s3:GetObject", "resource": "{resource}", "expect": "implicitDeny"}}]}}"#
    )
}

#[test]
fn a_hundred_thousand_levels_of_nesting() {
    let input = format!("{{\"scenario\": 1, \"name\": {}", "[".repeat(100_000));
    let out = run(&["eval", "-"], input.as_bytes(), LIMIT);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-:1:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("nesting deeper than 256 levels"), "{}", stderr(&out));
}

#[test]
fn a_ten_megabyte_policy() {
    let statement = r#"{"Sid": "S", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::bucket/prefix/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}"#;
    let statements = vec![statement; 10 * 1024 * 1024 / statement.len()].join(",");
    let policy = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    assert!(policy.len() > 10_000_000);
    let out = run(&["test", "-"], scenario_with_policy(&policy, "arn:aws:s3:::bucket/prefix/k").as_bytes(), LIMIT);
    // The statements repeat one `Sid`: every duplicate is reported, and the request is still evaluated.
    assert_eq!(out.status.code(), Some(2), "{}", &stderr(&out)[..200.min(stderr(&out).len())]);
    assert!(stderr(&out).contains("error: duplicate `Sid` `S`"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed, 0 failed"));
}

#[test]
fn strings_of_a_million_characters() {
    let long = "a".repeat(1_000_000);
    let policy = format!(r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "s3:{long}", "Resource": "arn:aws:s3:::{long}*"}}}}"#);
    let out = run(&["test", "-"], scenario_with_policy(&policy, &format!("arn:aws:s3:::{long}b")).as_bytes(), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn pathological_wildcards_against_long_arns() {
    let pattern = format!("arn:aws:s3:::{}b", "*?".repeat(20_000));
    let policy = format!(r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "s3:*", "Resource": "{pattern}", "Condition": {{"StringLike": {{"aws:UserAgent": "{pattern}"}}}}}}}}"#);
    let resource = format!("arn:aws:s3:::{}", "a".repeat(1_000_000));
    let out = run(&["test", "-"], scenario_with_policy(&policy, &resource).as_bytes(), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn invalid_utf8_anywhere() {
    for at in [0usize, 5, 20] {
        let mut input = br#"{"scenario": 1, "name": "abcdef"}"#.to_vec();
        input.insert(at, 0xC3);
        let out = run(&["eval", "-"], &input, LIMIT);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("error: the file is not valid UTF-8"), "{}", stderr(&out));
    }
}
