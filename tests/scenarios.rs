//! Runs every scenario file under `tests/scenarios/` (and the differential run's deviation
//! and regression files) through `iamplay test`, the same
//! code path a user's CI takes. Every request must carry an `expect`, so a file cannot
//! pass by checking nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_scenario_file_meets_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    // The corpus, and the differential run's deviation classes and fixed disagreements,
    // each a minimal scenario with the documented answer.
    for dir in ["tests/scenarios", "tests/differential/deviations", "tests/differential/repros"] {
        scenario_files(&root.join(dir), &mut files);
    }
    assert!(files.len() >= 25, "expected the scenario corpus, found {} files", files.len());
    let output = Command::new(env!("CARGO_BIN_EXE_iamplay")).arg("test").args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(output.status.success(), "iamplay test failed:\n{stdout}\n{stderr}");
    assert!(summary.ends_with("0 failed, 0 skipped"), "every request needs an `expect`: {summary}");
    let passed: usize = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 100, "only {passed} requests checked");
    assert!(!stderr.contains("error:"), "scenario files must be valid:\n{stderr}");
}
