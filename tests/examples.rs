//! The examples gallery of the playground (`examples/*.json`) through `iamplay test`: every
//! example states the decisions it teaches as expectations, and they must hold.

use std::path::Path;
use std::process::Command;

#[test]
fn every_example_meets_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    assert!(files.len() >= 10, "expected the examples gallery, found {} files", files.len());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let report = iamplay::scenario::evaluate_text(&text);
        assert!(report.name.is_some() && report.notes.as_deref().is_some_and(|n| n.len() > 40), "{}: an example needs a name and notes saying what it teaches", file.display());
        assert!(report.diagnostics.is_empty(), "{}: {:?}", file.display(), report.diagnostics);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_iamplay")).arg("test").args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "iamplay test failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.ends_with("0 failed, 0 skipped"), "every example request needs an `expect`: {summary}");
}

/// The Fargate template as pasted (YAML with short-form intrinsics inside the scenario): both
/// roles are read from it, the checklist finds the one missing grant with its fix, and the
/// summary says what was understood, task tags included.
#[test]
fn the_fargate_template_example_reads_as_pasted() {
    use iamplay::ecs::Status;
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ecs-fargate-template.json")).unwrap();
    let report = iamplay::scenario::evaluate_text(&text);
    let task = report.task.as_ref().expect("a task definition was understood");
    assert_eq!(task.launch_type, "FARGATE");
    assert_eq!(task.task_role.as_deref(), Some("arn:aws:iam::111122223333:role/worker-task"));
    assert_eq!(task.execution_role.as_deref(), Some("arn:aws:iam::111122223333:role/worker-execution"));
    assert_eq!(task.log_groups, ["/ecs/worker"]);
    assert_eq!(task.task_tags, [("Status".to_string(), "OK".to_string())]);
    assert!(task.task_tags_note.starts_with("task tags never become principal tags"));
    let failed: Vec<_> = report.checklist.iter().filter(|l| l.status == Status::Fail).map(|l| l.requirement.action.as_str()).collect();
    assert_eq!(failed, ["secretsmanager:GetSecretValue"]);
    let line = report.checklist.iter().find(|l| l.status == Status::Fail).unwrap();
    let fix = line.fix.as_ref().expect("a failing line has its fix");
    let statement: serde_json::Value = serde_json::from_str(&fix.statement.0).unwrap();
    assert_eq!(statement["Resource"], "arn:aws:secretsmanager:us-west-1:111122223333:secret:worker/db-AbCdEf");
    let request: serde_json::Value = serde_json::from_str(&line.request.0).unwrap();
    assert_eq!(request["as"], "execution_role");
    assert_eq!(report.checklist.iter().filter(|l| l.status == Status::Pass).count(), 9);
    let decisions: Vec<_> = report.results.iter().map(|r| r.outcome.decision.as_str()).collect();
    assert_eq!(decisions, ["implicitDeny", "implicitDeny", "allowed"]);
}
