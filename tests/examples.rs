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
