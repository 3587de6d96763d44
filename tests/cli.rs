//! The command-line contract of shared/SCENARIO.md: subcommands, `-` for standard input,
//! exit codes 0/1/2, `FILE:LINE:COLUMN: error:` with `help:` for bad input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn iamplay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may exit before reading its input (a usage error): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

const ALLOWED: &str = r#"{"scenario": 1,
 "principal": "arn:aws:iam::111122223333:user/alice",
 "identity_policies": [{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}],
 "requests": [{"name": "read", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allowed"}]}"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn eval_prints_a_readable_trace() {
    let out = iamplay(&["eval", "-"], ALLOWED);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("decision: allowed (as expected)"), "{stdout}");
    assert!(stdout.contains("statement #1 `Read` (Allow): applies"), "{stdout}");
    assert!(stdout.contains("✓ Action: `s3:GetObject` matched by `s3:GetObject`"), "{stdout}");
}

#[test]
fn eval_json_has_the_documented_fields() {
    let out = iamplay(&["eval", "-", "--format", "json"], ALLOWED);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &doc["results"][0];
    assert_eq!(r["file"], "-");
    assert_eq!(r["name"], "read");
    assert_eq!(r["decision"], "allowed");
    assert_eq!(r["principal"], "arn:aws:iam::111122223333:user/alice");
    assert_eq!(r["matched_statements"][0], serde_json::json!({"policy": "identity-0", "sid": "Read", "index": 0, "effect": "Allow"}));
    assert!(r["missing_context_values"].is_array());
    assert!(r["warnings"].is_array());
    assert!(r["trace"]["policies"].is_array());
}

#[test]
fn test_exits_1_when_an_expectation_differs() {
    let out = iamplay(&["test", "-"], &ALLOWED.replace("\"expect\": \"allowed\"", "\"expect\": \"explicitDeny\""));
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL -:4:15 read: expected explicitDeny, got allowed"), "{stdout}");
    assert!(stdout.contains("0 passed, 1 failed, 0 skipped"), "{stdout}");
}

#[test]
fn test_exits_0_when_all_pass() {
    let out = iamplay(&["test", "-"], ALLOWED);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("1 passed, 0 failed, 0 skipped"));
}

/// Bad input: exit 2 and `FILE:LINE:COLUMN: error: message` with `help:`.
fn check_bad_input(input: &str, expected_stderr: &str) {
    let out = iamplay(&["eval", "-"], input);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(expected_stderr), "expected {expected_stderr:?} in:\n{stderr}");
}

#[test]
fn bad_input_points_at_the_text() {
    check_bad_input("{\"scenario\": 1,\n \"requests\": [}", "-:2:15: error:");
    check_bad_input(
        "{\"scenario\": 1, \"requests\": [{\"action\": \"s3:GetObject\", \"resource\": \"*\"}],\n \"identity_policies\": [{\"Statement\": {\"Efect\": \"Allow\"}}]}",
        "-:2:39: error: unknown statement element `Efect`\n  help: did you mean `Effect`?",
    );
    check_bad_input(
        "{\"scenario\": 2, \"requests\": []}",
        "-:1:14: error: scenario format version 2 is newer than this iamplay reads (version 1)\n  help: update iamplay to read this file",
    );
    check_bad_input("{\"scenario\": 1, \"principal\": \"111122223333\", \"requests\": [{\"action\": \"s3:GetObject\"}]}", "-:1:59: error: missing `resource`");
    check_bad_input("{\"scenario\": 1, \"requests\": [{\"action\": \"s3:GetObject\", \"resource\": \"*\"}]}", "-:1:1: error: missing `principal`");
    check_bad_input(
        "{\"scenario\": 1, \"principal\": \"arn:aws:s3:::bucket\", \"requests\": [{\"action\": \"s3:GetObject\", \"resource\": \"*\"}]}",
        "-:1:30: error: `arn:aws:s3:::bucket` is not a principal ARN",
    );
    check_bad_input("[]", "-:1:1: error: a scenario must be a JSON object, found array");
}

#[test]
fn unreadable_files_and_usage_errors_exit_2() {
    let out = iamplay(&["eval", "/nonexistent/file.json"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/file.json: error: cannot read the file"));
    assert_eq!(iamplay(&["frobnicate", "x"], "").status.code(), Some(2));
    assert_eq!(iamplay(&["eval"], "").status.code(), Some(2));
    assert_eq!(iamplay(&["eval", "-", "--format", "yaml"], ALLOWED).status.code(), Some(2));
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamplay")).args(["eval", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"{\"scenario\": 1,\n \"name\": \"\xff\"}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-:2:11: error: the file is not valid UTF-8"), "{}", text(&out.stderr));
}

#[test]
fn a_share_link_runs_like_a_file() {
    let link = format!("https://iamplay.example/#{}", iamplay::share::encode(ALLOWED));
    let out = iamplay(&["test", &link], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 passed, 0 failed, 0 skipped"));
    let out = iamplay(&["test", "https://iamplay.example/#s=9.AAAA"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error: the link was made by a newer iamplay (link format 9; this one reads up to 1)\n  help: open it with a newer iamplay"));
}

const TEMPLATE: &str = "Resources:
  Exec:
    Type: AWS::IAM::Role
    Properties:
      RoleName: exec
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: pull
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: [ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability]
                Resource: !Sub arn:aws:ecr:${AWS::Region}:${AWS::AccountId}:repository/my-repo
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      ExecutionRoleArn: !GetAtt Exec.Arn
      ContainerDefinitions:
        - Name: web
          Image: !Sub ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/my-repo:1
";

#[test]
fn checklist_exits_1_and_proposes_the_smallest_fix() {
    let out = iamplay(&["checklist", "-", "--account", "123456789012", "--region", "us-west-1"], TEMPLATE);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FAIL execution_role ecr:GetAuthorizationToken on *"), "{stdout}");
    assert!(stdout.contains("fix: add to an identity policy of role `exec`: {\"Action\":\"ecr:GetAuthorizationToken\",\"Effect\":\"Allow\",\"Resource\":\"*\"}"), "{stdout}");
    assert!(stdout.contains("PASS execution_role ecr:BatchGetImage on arn:aws:ecr:us-west-1:123456789012:repository/my-repo"), "{stdout}");
    assert!(stdout.contains("-:23:18: container `web` pulls"), "{stdout}");
    assert!(stdout.ends_with("4 passed, 1 failed, 0 not evaluated\n"), "{stdout}");

    let fixed = TEMPLATE.replace("Resource: !Sub arn", "Resource: '*'\n                # was: !Sub arn");
    let out = iamplay(&["checklist", "-", "--account", "123456789012", "--region", "us-west-1"], &fixed);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    let out = iamplay(&["checklist", "-", "--format", "json", "--account", "123456789012"], TEMPLATE);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &doc["files"][0]["checklist"][0];
    assert_eq!(first["status"], "fail");
    assert_eq!(first["request"], serde_json::json!({"name": first["requirement"]["why"], "as": "execution_role", "action": "ecr:GetAuthorizationToken", "resource": "*"}));
    assert_eq!(doc["files"][0]["task"]["launch_type"], "FARGATE");
}

#[test]
fn eval_takes_a_template_directly() {
    let out = iamplay(&["eval", "-", "--account", "123456789012", "--region", "us-west-1"], TEMPLATE);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ecr:GetAuthorizationToken on *\nas arn:aws:sts::123456789012:assumed-role/exec/0123456789abcdef0123456789abcdef\ndecision: implicitDeny"), "{stdout}");
    // Without --account the default is said, not silently taken.
    let out = iamplay(&["eval", "-"], TEMPLATE);
    assert!(text(&out.stderr).contains("-:1:1: warning: no `account` given: the playground takes `123456789012`"), "{}", text(&out.stderr));
}

#[test]
fn template_errors_point_at_the_template() {
    let broken = TEMPLATE.replace("!GetAtt Exec.Arn", "!GetAtt Exec.Arm");
    let out = iamplay(&["checklist", "-", "--account", "123456789012"], &broken);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("-:20:25: warning: cannot resolve `Fn::GetAtt` `Exec.Arm` (`AWS::IAM::Role`): the playground does not know this attribute"), "{stderr}");
    let broken = TEMPLATE.replace("!GetAtt Exec.Arn", "!GetAtt Exe.Arn");
    let out = iamplay(&["checklist", "-"], &broken);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("-:20:25: error: `Fn::GetAtt` of `Exe`, which is not a resource of this template\n  help: did you mean `Exec`?"), "{stderr}");
    let out = iamplay(&["eval", "-"], "Resources:\n  A: [1, 2\n  B: x\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-:3:"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("error: invalid YAML: "), "{}", text(&out.stderr));
}

#[test]
fn checklist_without_a_task_definition_exits_2() {
    let out = iamplay(&["checklist", "-"], ALLOWED);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-: error: no ECS task definition found"));
}

const LINT_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket/*"}]}"#;

#[test]
fn lint_points_at_the_text_and_exits_1_on_an_error_finding() {
    let out = iamplay(&["lint", "-"], LINT_POLICY);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("-:2:33: error[resource-never-matches]: `s3:ListBucket` can never apply here: no `Resource` names a resource of its type\n  why: "), "{stdout}");
    assert!(stdout.contains("  fix: add `arn:aws:s3:::bucket` to `Resource`"), "{stdout}");
    let out = iamplay(&["lint", "-", "--format", "json"], LINT_POLICY);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &doc["files"][0]["findings"][0];
    assert_eq!((f["kind"].as_str(), f["severity"].as_str(), f["line"].as_u64()), (Some("resource-never-matches"), Some("error"), Some(2)));
    let clean = LINT_POLICY.replace("bucket/*", "bucket");
    assert_eq!(iamplay(&["lint", "-"], &clean).status.code(), Some(0));
    let out = iamplay(&["lint", "--no-catalog", "-"], &clean);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`lint` needs the action catalog"));
}

const TAGGED_READ: &str = r#"{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice",
 "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
   "Condition": {"StringEquals": {"aws:RequestTag/Status": "OK"}}}}],
 "requests": [{"name": "read", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:RequestTag/Status": "OK"}, "expect": "implicitDeny"}]}"#;

#[test]
fn literal_and_no_catalog_evaluate_the_context_as_given() {
    let out = iamplay(&["test", "-"], TAGGED_READ);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = iamplay(&["eval", "-"], TAGGED_READ);
    assert!(text(&out.stdout).contains("note: `aws:RequestTag/Status` was left out of the evaluation: `s3:GetObject` never carries `aws:RequestTag/Status`"), "{}", text(&out.stdout));
    for flag in ["--literal", "--no-catalog"] {
        let out = iamplay(&["test", flag, "-"], TAGGED_READ);
        assert_eq!(out.status.code(), Some(1), "{flag}");
        assert!(text(&out.stdout).contains("expected implicitDeny, got allowed"), "{flag}");
    }
}

#[test]
fn can_lists_actions_by_service_and_access_level() {
    let out = iamplay(&["can", "-"], ALLOWED);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("allowed on some resource: 1 action(s) in 1 service(s)\ns3 (Amazon S3): 1\n  Read: GetObject (some resources)\n"), "{stdout}");
    let out = iamplay(&["can", "-", "--resource", "arn:aws:s3:::b/k", "--format", "json"], ALLOWED);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["files"][0]["capabilities"]["services"][0]["groups"][0]["actions"][0]["action"], "GetObject");
}

#[test]
fn least_privilege_prints_a_verified_policy() {
    let out = iamplay(&["least-privilege", "-", "--request", "s3:ListBucket=arn:aws:s3:::b"], ALLOWED);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\"Action\": \"s3:ListBucket\",\n      \"Resource\": \"arn:aws:s3:::b\""), "{stdout}");
    assert!(stdout.contains("verified: every request is allowed by this policy alone"), "{stdout}");
    assert!(stdout.contains("s3:ListBucket on arn:aws:s3:::b: allowed (current: implicitDeny)"), "{stdout}");
}

#[test]
fn catalog_looks_up_actions_and_keys() {
    let out = iamplay(&["catalog", "s3:getobject", "aws:RequestTag/Status"], "");
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("s3:GetObject (Read)\n"), "{stdout}");
    assert!(stdout.contains("resource type object: arn:${Partition}:s3:::${BucketName}/${ObjectName}"), "{stdout}");
    assert!(stdout.contains("aws:RequestTag/${TagKey} (String, global key)\n`aws:RequestTag/KEY` holds a tag the request itself sends"), "{stdout}");
    let out = iamplay(&["catalog", "s3:GetObjekt"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "error: `s3:GetObjekt` is not a service, action or condition key of the catalog\n  help: did you mean `s3:GetObject`?\n");
}

/// Files are evaluated on every core, but their results and diagnostics come in the order
/// the files were given, standard input included.
#[test]
fn many_files_answer_in_the_order_given() {
    let dir = std::env::temp_dir().join(format!("iamplay-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args: Vec<String> = vec!["test".into()];
    for i in (0..60).rev() {
        let path = dir.join(format!("s{i:02}.json"));
        // Every fifth file has an error, so the diagnostics' order is checked too.
        let body = if i % 5 == 0 { ALLOWED.replacen('{', "{,", 1) } else { ALLOWED.replace("\"read\"", &format!("\"read {i}\"")) };
        std::fs::write(&path, body).unwrap();
        args.push(path.to_string_lossy().into_owned());
        if i == 30 {
            args.push("-".into());
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = iamplay(&refs, &ALLOWED.replace("\"read\"", "\"from stdin\""));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let named: Vec<String> = text(&out.stdout).lines().filter_map(|l| l.strip_prefix("ok   ")).map(|l| l.rsplit_once(' ').map_or(l, |(_, n)| n).to_string()).collect();
    let expected: Vec<String> = (0..60)
        .rev()
        .flat_map(|i| {
            let mut names = if i % 5 == 0 { vec![] } else { vec![i.to_string()] };
            if i == 30 {
                names.push("stdin".into());
            }
            names
        })
        .collect();
    assert_eq!(named, expected, "{}", text(&out.stdout));
    let mut errors: Vec<String> = text(&out.stderr).lines().filter(|l| l.contains(": error:")).map(|l| l.split(':').next().unwrap().rsplit('/').next().unwrap().to_string()).collect();
    errors.dedup();
    let expected: Vec<String> = (0..60).rev().filter(|i| i % 5 == 0).map(|i| format!("s{i:02}.json")).collect();
    assert_eq!(errors, expected);
}
