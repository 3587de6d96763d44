//! In-process throughput, as requests per second on one JSON line.
//!
//! ```text
//! cargo bench --bench throughput -- DIR [--catalog] [--threads N] [--seconds S | --passes N]
//! cargo bench --bench throughput -- --large-set [--seconds S | --passes N]
//! cargo bench --bench throughput -- --example [--seconds S | --passes N]
//! ```
//! - `DIR`: every `*.json` scenario in DIR is read from disk once, then read and evaluated
//!   in a loop with `scenario::evaluate_text` (JSON, policies, every request, traces; no
//!   file or terminal I/O). `scripts/bench-vs-oracle.sh` runs it on the scenarios it also
//!   gives the reference simulator.
//! - `--large-set`: evaluation alone (`evaluation::evaluate`) of the generated 50 × 20 set,
//!   policies parsed once beforehand.
//! - `--example`: the page's example scenario through `scenario::evaluate_text`.
//! - `--print-large-set`: print the generated 50 × 20 set as a scenario file and exit.
//! - `--catalog` (with DIR or `--example`): evaluate with the action catalog, as the
//!   `iamplay` command does by default (`scenario::evaluate_text_with`), the catalog read once
//!   before the passes.
//! - `--threads N`: N threads (one per core, say) each evaluating the work over and over for
//!   S seconds at the same time; prints the requests per second of all of them together,
//!   by wall-clock time: the machine's throughput rather than one core's.
//!
//! Wall-clock time on a shared machine is noisy: by default it runs whole passes for at
//! least S seconds (default 3, at least 5 passes) and reports the median and the best pass,
//! and the median by the thread's CPU time (which waiting for a busy core does not count).
//! `--passes N` runs exactly N passes, for `valgrind --tool=callgrind
//! --toggle-collect='*timed_pass*'`, which counts instructions inside the passes only
//! (`scripts/bench-instructions.sh`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use iamplay::catalog::Catalog;
use iamplay::evaluation::{self, Policies, Request};
use iamplay::scenario::{self, Settings};

#[path = "support/mod.rs"]
mod support;

/// The same allocator as the `iamplay` command (src/main.rs), so that the in-process figure is
/// the command's; `--features system-allocator` measures with the system's.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

enum Work {
    Texts(Vec<String>, Settings),
    Parsed(Policies, Vec<Request>),
}

impl Work {
    fn requests(&self) -> usize {
        match self {
            Work::Texts(texts, settings) => texts.iter().map(|t| scenario::evaluate_text_with(t, settings).results.len()).sum(),
            Work::Parsed(_, requests) => requests.len(),
        }
    }
}

/// One pass over all the work; never inlined, so that callgrind can count it alone.
#[inline(never)]
fn timed_pass(work: &Work) {
    match work {
        Work::Texts(texts, settings) => {
            for text in texts {
                std::hint::black_box(scenario::evaluate_text_with(std::hint::black_box(text), settings));
            }
        }
        Work::Parsed(policies, requests) => {
            for r in requests {
                std::hint::black_box(evaluation::evaluate(std::hint::black_box(policies), std::hint::black_box(r)));
            }
        }
    }
}

fn main() {
    let mut source = None;
    let mut seconds = 3.0f64;
    let mut fixed_passes = None;
    let mut settings = Settings::default();
    let mut threads = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).expect("--seconds takes a number"),
            "--threads" => threads = args.next().and_then(|s| s.parse().ok()).filter(|&n| n > 0).expect("--threads takes a count"),
            "--passes" => fixed_passes = Some(args.next().and_then(|s| s.parse::<usize>().ok()).expect("--passes takes a count")),
            "--large-set" | "--example" => source = Some(a.clone()),
            "--catalog" => {
                let catalog = Catalog::parse(include_str!("../catalog/catalog.txt")).expect("the catalog reads");
                settings.catalog = Some(Arc::new(catalog));
            }
            // The generated set as a scenario file, for the CLI or a before/after diff.
            "--print-large-set" => {
                print!("{}", support::large_set().scenario_text());
                return;
            }
            // `cargo bench` passes `--bench` to every bench target.
            a if a.starts_with("--") => {}
            a => source = Some(a.to_string()),
        }
    }
    let work = match source.as_deref() {
        None => {
            eprintln!("usage: cargo bench --bench throughput -- DIR|--large-set|--example [--catalog] [--threads N] [--seconds S | --passes N]");
            return;
        }
        Some("--large-set") => {
            let (policies, requests) = support::large_set().parsed();
            Work::Parsed(policies, requests)
        }
        Some("--example") => Work::Texts(vec![include_str!("../examples/task-role-tags.json").to_string()], settings),
        Some(dir) => {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            paths.sort();
            Work::Texts(paths.iter().map(|p| std::fs::read_to_string(p).expect("a readable scenario")).collect(), settings)
        }
    };

    // Counting the requests is also the warm-up pass.
    let requests = work.requests();
    if threads > 1 {
        parallel(&work, requests, threads, seconds);
        return;
    }
    let mut passes: Vec<Duration> = Vec::new();
    let mut cpu_passes: Vec<Duration> = Vec::new();
    let started = Instant::now();
    loop {
        let done = match fixed_passes {
            Some(n) => passes.len() >= n,
            None => passes.len() >= 5 && started.elapsed().as_secs_f64() >= seconds,
        };
        if done {
            break;
        }
        let t = Instant::now();
        let cpu = support::thread_cpu_time();
        timed_pass(&work);
        cpu_passes.push(support::thread_cpu_time() - cpu);
        passes.push(t.elapsed());
    }
    passes.sort();
    cpu_passes.sort();
    let rate = |d: Duration| requests as f64 / d.as_secs_f64();
    let median = passes.get(passes.len() / 2).copied().unwrap_or_default();
    println!(
        "{{\"requests_per_pass\": {requests}, \"passes\": {}, \"median_requests_per_second\": {:.0}, \"best_requests_per_second\": {:.0}, \"median_requests_per_cpu_second\": {:.0}, \"median_pass_seconds\": {:.6}}}",
        passes.len(),
        rate(median),
        passes.first().map_or(0.0, |d| rate(*d)),
        cpu_passes.get(cpu_passes.len() / 2).map_or(0.0, |d| rate(*d)),
        median.as_secs_f64()
    );
}

/// `threads` threads each running whole passes for `seconds`; the rate of each is its
/// requests over its own running time, and they ran together, so the rates add up.
fn parallel(work: &Work, requests: usize, threads: usize, seconds: f64) {
    let runs: Vec<(usize, Duration, Duration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let (started, cpu) = (Instant::now(), support::thread_cpu_time());
                    let mut done = 0;
                    while done < 5 * requests || started.elapsed().as_secs_f64() < seconds {
                        timed_pass(work);
                        done += requests;
                    }
                    (done, started.elapsed(), support::thread_cpu_time() - cpu)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a benchmark thread")).collect()
    });
    let per_second: f64 = runs.iter().map(|(done, wall, _)| *done as f64 / wall.as_secs_f64()).sum();
    let done: usize = runs.iter().map(|(done, _, _)| done).sum();
    let cpu: f64 = runs.iter().map(|(_, _, cpu)| cpu.as_secs_f64()).sum();
    println!("{{\"threads\": {threads}, \"requests\": {done}, \"requests_per_second\": {per_second:.0}, \"requests_per_cpu_second\": {:.0}}}", done as f64 / cpu);
}
