//! The ECS and CloudFormation corpus under `tests/ecs/`, through the command line:
//! every scenario file must meet its expectations (`iamplay test`), and every template or task
//! definition with a `.checklist` file beside it must give exactly that checklist
//! (`iamplay checklist`). `UPDATE_EXPECT=1 cargo test --test ecs` rewrites the `.checklist`
//! files; review the diff before committing it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn corpus() -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ecs"), &mut out);
    out
}

fn is_scenario(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    text.contains("\"scenario\":") || text.starts_with("scenario:")
}

#[test]
fn every_ecs_scenario_meets_its_expectations() {
    let scenarios: Vec<PathBuf> = corpus().into_iter().filter(|p| is_scenario(p)).collect();
    assert!(scenarios.len() >= 5, "expected the ECS scenarios, found {}", scenarios.len());
    let output = Command::new(env!("CARGO_BIN_EXE_iamplay")).arg("test").args(&scenarios).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "iamplay test failed:\n{stdout}\n{stderr}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.ends_with("0 failed, 0 skipped"), "every request needs an `expect`: {summary}");
    assert!(!stderr.contains("error:"), "scenario files must be valid:\n{stderr}");
}

/// The status lines of `iamplay checklist` (`PASS who action on resource`), which is what a
/// `.checklist` file holds, after its `# args:` line.
#[test]
fn every_checklist_is_as_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut checked = 0;
    for path in corpus() {
        let expected_path = path.with_extension("checklist");
        if !expected_path.exists() {
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap();
        let args_line = expected.lines().next().unwrap_or_default();
        let args: Vec<&str> = args_line.strip_prefix("# args:").map(|a| a.split_whitespace().collect()).unwrap_or_default();
        let output = Command::new(env!("CARGO_BIN_EXE_iamplay")).arg("checklist").arg(&path).args(&args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(": error:"), "{}: {stderr}", path.display());
        let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL ") || l.starts_with("N/A ")).collect();
        let failed = lines.iter().any(|l| l.starts_with("FAIL"));
        assert_eq!(output.status.code(), Some(if failed { 1 } else { 0 }), "{}: exit code\n{stdout}", path.display());
        let actual = format!("{args_line}\n{}\n", lines.join("\n"));
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
        } else {
            assert_eq!(actual, expected, "{}: the checklist differs (UPDATE_EXPECT=1 rewrites it)\n{stdout}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 5, "expected the checklist corpus, found {checked}");
}
