//! The `iamplay` command: evaluate scenario files and check their expectations.
//!
//! ```text
//! iamplay eval FILE... [--format text|json]       evaluate every request; exit 0 when all were evaluated
//! iamplay test FILE...                            check every `expect`; exit 1 when any differs
//! iamplay checklist FILE... [--format text|json]  what an ECS task needs; exit 1 when any is denied
//! iamplay lint FILE... [--format text|json]       least-privilege findings; exit 1 when any is an error
//! iamplay can FILE... [--resource ARN]            what the principal can do, by service and access level
//! iamplay least-privilege FILE... [--request ACTION=RESOURCE]...  the smallest policy for the requests
//! iamplay catalog NAME...                         look up an action, service or condition key
//! ```
//! `--literal` evaluates request contexts exactly as given; `--no-catalog` evaluates without
//! the action catalog.
//! `FILE` is a scenario, or a CloudFormation template or task definition (JSON or YAML), or
//! `-` for standard input, or a share link. `--account`, `--region` and `--parameter NAME=VALUE` give what a
//! template leaves open. Bad input exits 2 with `FILE:LINE:COLUMN: error:`.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use iamplay::catalog::Catalog;

use iamplay::diagnostic::{LineIndex, Severity};
use iamplay::ecs::Status;
use iamplay::explain;
use iamplay::scenario::{self, ScenarioReport, Settings};
use serde_json::json;

const USAGE: &str = "usage:
  iamplay eval FILE... [--format text|json]       evaluate every request in the scenario files
  iamplay test FILE...                            check every request's `expect`; exit 1 when any differs
  iamplay checklist FILE... [--format text|json]  check what an ECS task needs; exit 1 when any is denied
  iamplay lint FILE... [--format text|json]       least-privilege findings; exit 1 when any is an error
  iamplay can FILE... [--resource ARN] [--format text|json]
                                                  what the principal may do, by service and access level
  iamplay least-privilege FILE... [--request ACTION=RESOURCE]... [--format text|json]
                                                  the smallest policy allowing the requests (default: the file's)
  iamplay catalog NAME... [--format text|json]    look up an action, action pattern, service or condition key
--literal evaluates request contexts exactly as given; --no-catalog leaves the action catalog out.
FILE is a scenario, a CloudFormation template or an ECS task definition (JSON or YAML), `-` for
standard input, or a share link (`https://…#s=1.…`). For templates: --account ID, --region REGION, --parameter NAME=VALUE.";

/// The action catalog, built into the command (`catalog/catalog.txt`).
const CATALOG_TEXT: &str = include_str!("../catalog/catalog.txt");

fn embedded_catalog() -> Result<Arc<Catalog>, String> {
    Catalog::parse(CATALOG_TEXT).map(Arc::new).map_err(|e| format!("the built-in catalog is unreadable: {e}"))
}

/// `iamplay catalog NAME...`: an action (`s3:GetObject`), a service prefix (`s3`), an
/// action pattern (`s3:Get*`) or a condition key (`aws:RequestTag/Status`).
fn catalog_command(names: &[String], format: &Format) -> Result<ExitCode, String> {
    let catalog = embedded_catalog()?;
    if names.is_empty() {
        return Err("`catalog` takes an action, a service prefix or a condition key".into());
    }
    let mut stdout = std::io::stdout().lock();
    let mut found_all = true;
    let mut documents = Vec::new();
    for name in names {
        match iamplay::catalog_query::describe(&catalog, name) {
            Some(entry) => {
                match format {
                    Format::Text => {
                        let _ = writeln!(stdout, "{}", entry.text());
                    }
                    Format::Json => documents.push(serde_json::to_value(&entry).unwrap_or_default()),
                }
            }
            None => {
                found_all = false;
                let help = iamplay::catalog_query::suggest(&catalog, name).map(|s| format!("\n  help: did you mean `{s}`?")).unwrap_or_default();
                eprintln!("error: `{name}` is not a service, action or condition key of the catalog{help}");
            }
        }
    }
    if let Format::Json = format {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&json!({ "source_version": catalog.source_version, "entries": documents })).unwrap_or_default());
    }
    Ok(if found_all { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((command, rest)) = args.split_first() else { return Err("no command given".into()) };
    let mut format = Format::Text;
    let mut settings = Settings::default();
    let mut files = Vec::new();
    let mut use_catalog = true;
    let mut resource: Option<String> = None;
    let mut requests: Vec<(String, String)> = Vec::new();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => {
                format = match it.next().map(String::as_str) {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    other => return Err(format!("`--format` takes `text` or `json`, found `{}`", other.unwrap_or(""))),
                }
            }
            "--account" => settings.account = Some(it.next().ok_or("`--account` takes a 12-digit account ID")?.clone()),
            "--region" => settings.region = Some(it.next().ok_or("`--region` takes a region name")?.clone()),
            "--literal" => settings.literal_context = true,
            "--resource" => resource = Some(it.next().ok_or("`--resource` takes an ARN")?.clone()),
            "--request" => {
                let r = it.next().ok_or("`--request` takes ACTION=RESOURCE")?;
                let (a, res) = r.split_once('=').ok_or_else(|| format!("`--request` takes ACTION=RESOURCE, found `{r}`"))?;
                requests.push((a.to_string(), res.to_string()));
            }
            "--no-catalog" => use_catalog = false,
            "--parameter" => {
                let p = it.next().ok_or("`--parameter` takes NAME=VALUE")?;
                let (k, v) = p.split_once('=').ok_or_else(|| format!("`--parameter` takes NAME=VALUE, found `{p}`"))?;
                settings.parameters.insert(k.to_string(), v.to_string());
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            a if a.starts_with("--") => return Err(format!("unknown option `{a}`")),
            a => files.push(a.to_string()),
        }
    }
    if command == "catalog" {
        return catalog_command(&files, &format);
    }
    if files.is_empty() {
        return Err("no scenario file given".into());
    }
    let catalog = if use_catalog { Some(embedded_catalog()?) } else { None };
    settings.catalog = catalog.clone().map(|c| c as Arc<dyn iamplay::evaluation::CatalogOracle>);
    match command.as_str() {
        "eval" => Ok(eval(&files, &format, &settings)),
        "test" => Ok(test(&files, &settings)),
        "checklist" => Ok(checklist(&files, &format, &settings)),
        "lint" | "can" | "least-privilege" => {
            let Some(catalog) = catalog else { return Err(format!("`{command}` needs the action catalog: remove `--no-catalog`")) };
            Ok(match command.as_str() {
                "lint" => lint(&files, &format, &settings, &catalog),
                "can" => can(&files, &format, &settings, &catalog, resource.as_deref()),
                _ => least_privilege(&files, &format, &settings, &catalog, &requests),
            })
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`")),
    }
}

/// A scenario file read and evaluated, or the reason it could not be read.
struct Loaded {
    file: String,
    text: String,
    report: ScenarioReport,
}

/// A share link given in place of a file.
fn is_link(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://") || arg.starts_with("#s=") || arg.starts_with("s=")
}

fn load(file: &str, settings: &Settings) -> Result<Loaded, String> {
    if is_link(file) {
        let text = iamplay::share::decode(file).map_err(|e| format!("{file}: error: {}\n  help: {}", e.message, e.help))?;
        let report = scenario::evaluate_text_with(&text, settings);
        return Ok(Loaded { file: "link".to_string(), text, report });
    }
    let mut bytes = Vec::new();
    let read = if file == "-" { std::io::stdin().read_to_end(&mut bytes).map(|_| ()) } else { std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ())) };
    read.map_err(|e| format!("{file}: error: cannot read the file: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = iamplay::diagnostic::line_column(&String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]), usize::MAX);
        format!("{file}:{}:{}: error: the file is not valid UTF-8\n  help: save the file as UTF-8", at.line, at.column)
    })?;
    let report = scenario::evaluate_text_with(&text, settings);
    Ok(Loaded { file: file.to_string(), text, report })
}

/// Loads every file; prints diagnostics to stderr. Returns the loaded files and whether
/// any had an error.
fn load_all(files: &[String], settings: &Settings) -> (Vec<Loaded>, bool) {
    let mut loaded = Vec::new();
    let mut failed = false;
    for file in files {
        match load(file, settings) {
            Ok(l) => {
                let index = LineIndex::new(&l.text);
                let mut stderr = std::io::stderr().lock();
                for d in &l.report.diagnostics {
                    let _ = writeln!(stderr, "{}", index.render(&l.file, d));
                    failed |= d.severity == Severity::Error;
                }
                loaded.push(l);
            }
            Err(message) => {
                eprintln!("{message}");
                failed = true;
            }
        }
    }
    (loaded, failed)
}

fn eval(files: &[String], format: &Format, settings: &Settings) -> ExitCode {
    let (loaded, failed) = load_all(files, settings);
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Json => {
            let results: Vec<_> = loaded
                .iter()
                .flat_map(|l| {
                    let warnings: Vec<String> = {
                        let index = LineIndex::new(&l.text);
                        l.report.diagnostics.iter().filter(|d| !d.is_error()).map(|d| index.render(&l.file, d)).collect()
                    };
                    l.report.results.iter().map(move |r| {
                        json!({
                            "file": l.file,
                            "name": r.name,
                            "action": r.action,
                            "resource": r.resource,
                            "principal": r.principal,
                            "as": r.on_behalf_of,
                            "decision": r.outcome.decision,
                            "why": r.outcome.why,
                            "expect": r.expect,
                            "matched_statements": r.outcome.matched_statements,
                            "missing_context_values": r.outcome.missing_context_values,
                            "warnings": warnings,
                            "trace": r.outcome,
                        })
                    })
                })
                .collect();
            let doc = json!({ "results": results });
            let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => {
            for l in &loaded {
                let index = LineIndex::new(&l.text);
                for (i, r) in l.report.results.iter().enumerate() {
                    let at = index.line_column(r.span.start);
                    let name = r.name.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
                    let _ = writeln!(stdout, "== {}:{}:{} request {}{name}", l.file, at.line, at.column, i + 1);
                    let _ = writeln!(stdout, "{} on {}\nas {}", r.action, r.resource, r.principal);
                    let expectation = match r.passed() {
                        Some(true) => " (as expected)".to_string(),
                        Some(false) => format!(" (expected {})", r.expect.map_or("", |e| e.as_str())),
                        None => String::new(),
                    };
                    let _ = writeln!(stdout, "decision: {}{expectation}", r.outcome.decision.as_str());
                    let _ = writeln!(stdout, "{}", explain::outcome_text(&r.outcome));
                }
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(files: &[String], settings: &Settings) -> ExitCode {
    let (loaded, failed) = load_all(files, settings);
    let (mut passed, mut differed, mut unchecked) = (0, 0, 0);
    let mut stdout = std::io::stdout().lock();
    for l in &loaded {
        let index = LineIndex::new(&l.text);
        for (i, r) in l.report.results.iter().enumerate() {
            let at = index.line_column(r.span.start);
            let name = r.name.clone().unwrap_or_else(|| format!("request {}", i + 1));
            match (r.passed(), r.expect) {
                (Some(true), _) => {
                    passed += 1;
                    let _ = writeln!(stdout, "ok   {}:{}:{} {name}", l.file, at.line, at.column);
                }
                (Some(false), Some(expect)) => {
                    differed += 1;
                    let _ = writeln!(
                        stdout,
                        "FAIL {}:{}:{} {name}: expected {}, got {}\n     {}",
                        l.file,
                        at.line,
                        at.column,
                        expect.as_str(),
                        r.outcome.decision.as_str(),
                        r.outcome.why
                    );
                }
                _ => unchecked += 1,
            }
        }
    }
    let _ = writeln!(stdout, "{passed} passed, {differed} failed, {unchecked} skipped");
    if failed {
        ExitCode::from(2)
    } else if differed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints each file's ECS checklist. Exit 1 when something the task needs is denied, 2 on
/// bad input or a file without a task definition.
fn checklist(files: &[String], format: &Format, settings: &Settings) -> ExitCode {
    let (loaded, mut failed) = load_all(files, settings);
    let mut denied = false;
    let mut stdout = std::io::stdout().lock();
    let mut documents = Vec::new();
    for l in &loaded {
        let Some(task) = &l.report.task else {
            eprintln!("{}: error: no ECS task definition found\n  help: give a task definition, a template with an `AWS::ECS::TaskDefinition`, or a scenario with `task_definition`", l.file);
            failed = true;
            continue;
        };
        denied |= l.report.checklist_failed();
        match format {
            Format::Json => documents.push(json!({"file": l.file, "task": task, "checklist": l.report.checklist})),
            Format::Text => {
                let family = task.family.as_deref().map(|f| format!(" `{f}`")).unwrap_or_default();
                let _ = writeln!(stdout, "== {}: task definition{family} ({})", l.file, task.launch_type);
                let _ = writeln!(stdout, "task role: {}", task.task_role.as_deref().unwrap_or("(none)"));
                let _ = writeln!(stdout, "execution role: {}", task.execution_role.as_deref().unwrap_or("(none)"));
                if let Some(note) = &task.fallback_note {
                    let _ = writeln!(stdout, "note: {note}");
                }
                if !task.task_tags.is_empty() {
                    let _ = writeln!(stdout, "note: {}", task.task_tags_note);
                }
                let (mut pass, mut fail, mut unknown) = (0, 0, 0);
                let index = LineIndex::new(&l.text);
                for line in &l.report.checklist {
                    let r = &line.requirement;
                    let mark = match line.status {
                        Status::Pass => {
                            pass += 1;
                            "PASS"
                        }
                        Status::Fail => {
                            fail += 1;
                            "FAIL"
                        }
                        Status::NotEvaluated => {
                            unknown += 1;
                            "N/A "
                        }
                    };
                    let at = index.line_column(r.span.start);
                    let _ = writeln!(stdout, "{mark} {} {} on {}", r.who.as_str(), r.action, r.resource);
                    let _ = writeln!(stdout, "     {}:{}:{}: {}", l.file, at.line, at.column, r.why);
                    if line.status != Status::Pass {
                        let _ = writeln!(stdout, "     why: {}", line.explanation);
                    }
                    if let Some(fix) = &line.fix {
                        let _ = writeln!(stdout, "     fix: add to {}: {}", fix.place, fix.statement);
                    }
                    for a in &line.advice {
                        let _ = writeln!(stdout, "     advice: {a}");
                    }
                }
                let _ = writeln!(stdout, "{pass} passed, {fail} failed, {unknown} not evaluated");
            }
        }
    }
    if let Format::Json = format {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&json!({ "files": documents })).unwrap_or_default());
    }
    if failed {
        ExitCode::from(2)
    } else if denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads each file's principal and policies, printing its diagnostics; `None` for a file
/// that cannot be read or has errors.
fn read_sets(files: &[String], settings: &Settings) -> (Vec<(String, String, iamplay::scenario::PolicySet)>, bool) {
    let mut out = Vec::new();
    let mut failed = false;
    for file in files {
        let text = if is_link(file) {
            match iamplay::share::decode(file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{file}: error: {}\n  help: {}", e.message, e.help);
                    failed = true;
                    continue;
                }
            }
        } else {
            let read = if file == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map(|_| s)
            } else {
                std::fs::read_to_string(file)
            };
            match read {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{file}: error: cannot read the file: {e}");
                    failed = true;
                    continue;
                }
            }
        };
        let set = scenario::read_policies(&text, settings);
        let index = LineIndex::new(&text);
        for d in &set.diagnostics {
            eprintln!("{}", index.render(file, d));
            failed |= d.is_error();
        }
        out.push((file.clone(), text, set));
    }
    (out, failed)
}

fn lint(files: &[String], format: &Format, settings: &Settings, catalog: &Catalog) -> ExitCode {
    let (sets, failed) = read_sets(files, settings);
    let mut stdout = std::io::stdout().lock();
    let mut errors = false;
    let mut documents = Vec::new();
    for (file, text, set) in &sets {
        let index = LineIndex::new(text);
        let findings: Vec<iamplay::lint::Finding> = set.all().into_iter().flat_map(|p| iamplay::lint::lint(p, catalog)).collect();
        errors |= findings.iter().any(|f| f.severity == iamplay::lint::Severity::Error);
        match format {
            Format::Json => documents.push(json!({"file": file, "findings": findings.iter().map(|f| {
                let at = index.line_column(f.span.start);
                json!({"kind": f.kind, "severity": f.severity, "line": at.line, "column": at.column, "span": f.span, "message": f.message, "explanation": f.explanation, "fix": f.fix, "policy": f.policy, "statement": f.statement})
            }).collect::<Vec<_>>()})),
            Format::Text => {
                for f in &findings {
                    let at = index.line_column(f.span.start);
                    let _ = writeln!(stdout, "{file}:{}:{}: {}[{}]: {}\n  why: {}\n  fix: {}", at.line, at.column, f.severity.as_str(), f.kind.as_str(), f.message, f.explanation, f.fix);
                }
                let _ = writeln!(stdout, "{file}: {} finding(s)", findings.len());
            }
        }
    }
    if let Format::Json = format {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&json!({ "files": documents })).unwrap_or_default());
    }
    if failed {
        ExitCode::from(2)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn can(files: &[String], format: &Format, settings: &Settings, catalog: &Catalog, resource: Option<&str>) -> ExitCode {
    let (sets, failed) = read_sets(files, settings);
    let mut stdout = std::io::stdout().lock();
    let mut documents = Vec::new();
    for (file, _, set) in &sets {
        let caps = iamplay::capabilities::capabilities(catalog, set, resource);
        match format {
            Format::Json => documents.push(json!({"file": file, "capabilities": caps})),
            Format::Text => {
                let _ = write!(stdout, "== {file}\n{}", caps.text());
            }
        }
    }
    if let Format::Json = format {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&json!({ "files": documents })).unwrap_or_default());
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn least_privilege(files: &[String], format: &Format, settings: &Settings, catalog: &Catalog, requests: &[(String, String)]) -> ExitCode {
    let (sets, failed) = read_sets(files, settings);
    let mut stdout = std::io::stdout().lock();
    let mut documents = Vec::new();
    let mut unverified = false;
    for (file, _, set) in &sets {
        let wanted = if requests.is_empty() { set.requests.clone() } else { requests.to_vec() };
        if wanted.is_empty() {
            eprintln!("{file}: error: no requests to allow\n  help: give the scenario `requests`, or `--request ACTION=RESOURCE`");
            unverified = true;
            continue;
        }
        let result = iamplay::least_privilege::generate(catalog, &wanted, set);
        unverified |= !result.verified;
        match format {
            Format::Json => documents.push(json!({"file": file, "least_privilege": result})),
            Format::Text => {
                let _ = write!(stdout, "== {file}\n{}", result.text());
            }
        }
    }
    if let Format::Json = format {
        let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&json!({ "files": documents })).unwrap_or_default());
    }
    if failed {
        ExitCode::from(2)
    } else if unverified {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
