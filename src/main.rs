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
use iamplay::trace::{Decision, Outcome, StatementRef};
use serde::Serialize;
use serde_json::json;

/// mimalloc rather than the system's allocator: reading and evaluating a scenario makes a few
/// hundred small allocations per request, which mimalloc serves in a fraction of the
/// instructions (BENCHMARKS.md gives the numbers with and without). The library sets no
/// allocator; `--features system-allocator` builds the command without this one.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// Reads and evaluates the files on every core (one file at a time per thread, the next
/// file to whoever is free), answering in the order given. When `-` is given more than
/// once, the files are read one after the other, so that standard input is read in order.
fn load_in_parallel(files: &[String], settings: &Settings) -> Vec<Result<Loaded, String>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len());
    if threads <= 1 || files.iter().filter(|f| *f == "-").count() > 1 {
        return files.iter().map(|f| load(f, settings)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<Loaded, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { return mine };
                        mine.push((i, load(file, settings)));
                    }
                })
            })
            .collect();
        // A panic in a worker is the same panic as in a sequential run.
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Loads every file; prints diagnostics to stderr. Returns the loaded files and whether
/// any had an error.
fn load_all(files: &[String], settings: &Settings) -> (Vec<Loaded>, bool) {
    let mut loaded = Vec::new();
    let mut failed = false;
    for result in load_in_parallel(files, settings) {
        match result {
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
            let warnings: Vec<Vec<String>> = loaded
                .iter()
                .map(|l| {
                    let index = LineIndex::new(&l.text);
                    l.report.diagnostics.iter().filter(|d| !d.is_error()).map(|d| index.render(&l.file, d)).collect()
                })
                .collect();
            let results: Vec<EvalResult> = loaded
                .iter()
                .zip(&warnings)
                .flat_map(|(l, warnings)| {
                    l.report.results.iter().map(move |r| EvalResult {
                        file: &l.file,
                        name: &r.name,
                        action: &r.action,
                        resource: &r.resource,
                        principal: &r.principal,
                        on_behalf_of: &r.on_behalf_of,
                        decision: r.outcome.decision,
                        why: &r.outcome.why,
                        expect: r.expect,
                        matched_statements: &r.outcome.matched_statements,
                        missing_context_values: &r.outcome.missing_context_values,
                        warnings,
                        trace: &r.outcome,
                    })
                })
                .collect();
            // Keys sorted at every level, as the output has always been.
            let _ = writeln!(stdout, "{}", sorted_json::to_string_pretty(&EvalDocument { results }).unwrap_or_default());
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

/// `eval --format json`: one request's result, written with its keys sorted.
#[derive(Serialize)]
struct EvalResult<'a> {
    file: &'a str,
    name: &'a Option<String>,
    action: &'a str,
    resource: &'a str,
    principal: &'a str,
    #[serde(rename = "as")]
    on_behalf_of: &'a Option<String>,
    decision: Decision,
    why: &'a str,
    expect: Option<Decision>,
    matched_statements: &'a [StatementRef],
    missing_context_values: &'a [String],
    warnings: &'a [String],
    trace: &'a Outcome,
}

#[derive(Serialize)]
struct EvalDocument<'a> {
    results: Vec<EvalResult<'a>>,
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

/// Pretty JSON with every object's keys sorted, written straight from `Serialize` values:
/// the same bytes as `serde_json::to_string_pretty` of their `serde_json::Value` (whose
/// objects sort their keys), without building that tree of copies first.
mod sorted_json {
    use std::borrow::Cow;

    use serde::ser::{self, Serialize};

    /// `value` as pretty JSON with sorted keys.
    pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
        let mut out = Vec::with_capacity(4096);
        value.serialize(Writer { out: &mut out, depth: 0 })?;
        String::from_utf8(out).map_err(|e| Error(e.to_string()))
    }

    #[derive(Debug)]
    pub struct Error(String);

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Error {}

    impl ser::Error for Error {
        fn custom<T: std::fmt::Display>(msg: T) -> Error {
            Error(msg.to_string())
        }
    }

    /// Writes one value at nesting `depth` (for the indentation of its members).
    struct Writer<'o> {
        out: &'o mut Vec<u8>,
        depth: usize,
    }

    fn indent(out: &mut Vec<u8>, depth: usize) {
        out.extend(std::iter::repeat_n(b' ', 2 * depth));
    }

    /// Scalars are written by serde_json itself, so numbers and string escapes are its own.
    fn scalar<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
        serde_json::to_writer(out, value).map_err(|e| Error(e.to_string()))
    }

    impl<'o> ser::Serializer for Writer<'o> {
        type Ok = ();
        type Error = Error;
        type SerializeSeq = Seq<'o>;
        type SerializeTuple = Seq<'o>;
        type SerializeTupleStruct = Seq<'o>;
        type SerializeTupleVariant = ser::Impossible<(), Error>;
        type SerializeMap = Object<'o>;
        type SerializeStruct = Object<'o>;
        type SerializeStructVariant = ser::Impossible<(), Error>;

        fn serialize_bool(self, v: bool) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_i8(self, v: i8) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_i16(self, v: i16) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_i32(self, v: i32) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_i64(self, v: i64) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_u8(self, v: u8) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_u16(self, v: u16) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_u32(self, v: u32) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_u64(self, v: u64) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_f32(self, v: f32) -> Result<(), Error> {
            // As a `Value` holds it: a number, or null when not finite.
            scalar(self.out, &serde_json::Value::from(v))
        }
        fn serialize_f64(self, v: f64) -> Result<(), Error> {
            scalar(self.out, &serde_json::Value::from(v))
        }
        fn serialize_char(self, v: char) -> Result<(), Error> {
            scalar(self.out, &v)
        }
        fn serialize_str(self, v: &str) -> Result<(), Error> {
            scalar(self.out, v)
        }
        fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
            let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
            for b in v {
                ser::SerializeSeq::serialize_element(&mut seq, b)?;
            }
            ser::SerializeSeq::end(seq)
        }
        fn serialize_none(self) -> Result<(), Error> {
            self.out.extend_from_slice(b"null");
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), Error> {
            self.serialize_none()
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
            self.serialize_none()
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
            scalar(self.out, variant)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Error> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, value: &T) -> Result<(), Error> {
            let mut object = Object::new(self);
            object.field(Cow::Borrowed(variant), value)?;
            ser::SerializeMap::end(object)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'o>, Error> {
            Ok(Seq { out: self.out, depth: self.depth, empty: true })
        }
        fn serialize_tuple(self, len: usize) -> Result<Seq<'o>, Error> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'o>, Error> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_variant(self, name: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Error> {
            Err(Error(format!("tuple variants of `{name}` are not written")))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Object<'o>, Error> {
            Ok(Object::new(self))
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'o>, Error> {
            Ok(Object::new(self))
        }
        fn serialize_struct_variant(self, name: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Error> {
            Err(Error(format!("struct variants of `{name}` are not written")))
        }
    }

    /// An array: elements are written as they come.
    pub struct Seq<'o> {
        out: &'o mut Vec<u8>,
        depth: usize,
        empty: bool,
    }

    impl ser::SerializeSeq for Seq<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            self.out.extend_from_slice(if self.empty { b"[\n" } else { b",\n" });
            self.empty = false;
            indent(self.out, self.depth + 1);
            value.serialize(Writer { out: self.out, depth: self.depth + 1 })
        }
        fn end(self) -> Result<(), Error> {
            if self.empty {
                self.out.extend_from_slice(b"[]");
            } else {
                self.out.push(b'\n');
                indent(self.out, self.depth);
                self.out.push(b']');
            }
            Ok(())
        }
    }

    impl ser::SerializeTuple for Seq<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            ser::SerializeSeq::serialize_element(self, value)
        }
        fn end(self) -> Result<(), Error> {
            ser::SerializeSeq::end(self)
        }
    }

    impl ser::SerializeTupleStruct for Seq<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            ser::SerializeSeq::serialize_element(self, value)
        }
        fn end(self) -> Result<(), Error> {
            ser::SerializeSeq::end(self)
        }
    }

    /// An object: each member's value is written into the buffer after the previous one,
    /// and the members are put in key order (a repeated key keeps its last value, as in a
    /// `serde_json::Map`) when the object ends.
    pub struct Object<'o> {
        out: &'o mut Vec<u8>,
        depth: usize,
        /// Where this object's member values start in `out`.
        start: usize,
        /// Key, and the range of its value in `out`.
        members: Vec<(Cow<'static, str>, std::ops::Range<usize>)>,
        key: Option<String>,
    }

    impl<'o> Object<'o> {
        fn new(w: Writer<'o>) -> Object<'o> {
            let start = w.out.len();
            Object { out: w.out, depth: w.depth, start, members: Vec::new(), key: None }
        }

        fn field<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result<(), Error> {
            let from = self.out.len();
            value.serialize(Writer { out: self.out, depth: self.depth + 1 })?;
            self.members.push((key, from..self.out.len()));
            Ok(())
        }
    }

    impl ser::SerializeStruct for Object<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
            self.field(Cow::Borrowed(key), value)
        }
        fn end(self) -> Result<(), Error> {
            ser::SerializeMap::end(self)
        }
    }

    impl ser::SerializeMap for Object<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
            // Keys are strings here, as in every map of the reports.
            match serde_json::to_value(key).map_err(|e| Error(e.to_string()))? {
                serde_json::Value::String(s) => self.key = Some(s),
                other => self.key = Some(other.to_string()),
            }
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            let key = self.key.take().unwrap_or_default();
            self.field(Cow::Owned(key), value)
        }
        fn end(mut self) -> Result<(), Error> {
            // Sorted by key, stably, then the last of equal keys kept.
            self.members.sort_by(|a, b| a.0.cmp(&b.0));
            let mut kept: Vec<(Cow<'static, str>, std::ops::Range<usize>)> = Vec::with_capacity(self.members.len());
            for m in self.members {
                match kept.last_mut() {
                    Some(last) if last.0 == m.0 => *last = m,
                    _ => kept.push(m),
                }
            }
            let values = self.out.split_off(self.start);
            if kept.is_empty() {
                self.out.extend_from_slice(b"{}");
                return Ok(());
            }
            self.out.push(b'{');
            for (i, (key, range)) in kept.iter().enumerate() {
                self.out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                indent(self.out, self.depth + 1);
                scalar(self.out, key.as_ref())?;
                self.out.extend_from_slice(b": ");
                self.out.extend_from_slice(&values[range.start - self.start..range.end - self.start]);
            }
            self.out.push(b'\n');
            indent(self.out, self.depth);
            self.out.push(b'}');
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sorted writer gives the bytes of a `serde_json::Value` printed pretty.
    fn same_as_value<T: Serialize>(value: &T) {
        let expected = serde_json::to_string_pretty(&serde_json::to_value(value).unwrap()).unwrap();
        assert_eq!(sorted_json::to_string_pretty(value).unwrap(), expected);
    }

    #[test]
    fn sorted_writer_matches_serde_json_values() {
        for text in [include_str!("../examples/task-role-tags.json"), include_str!("../examples/s3-star-over-privilege.json")] {
            let report = scenario::evaluate_text(text);
            assert!(!report.results.is_empty());
            same_as_value(&report);
        }
        same_as_value(&json!({
            "z": [], "a": {}, "m": [1, -2, 3.5, 1e300, null, true, "tab\there \"quoted\" \u{1F600} \u{7}"],
            "nested": {"b": [{"y": 1, "x": [[]]}], "a": {"k": "v"}},
        }));
        let mut tags = std::collections::BTreeMap::new();
        tags.insert(3, "three");
        tags.insert(1, "one");
        same_as_value(&tags);
    }
}
