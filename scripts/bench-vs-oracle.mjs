// Side by side: the same generated scenarios through the reference simulator (the
// iam-oracle CLI around @cloud-copilot/iam-simulate, batch mode) and through iamplay, as
// requests per second and the ratio. Run through scripts/bench-vs-oracle.sh, which builds
// the release binaries and passes their paths.
//
//   node scripts/bench-vs-oracle.mjs --iamplay BIN --throughput BIN [--oracle DIR]
//        [--count N] [--seed S] [--repeat R] [--out FILE]
//
// The scenarios come from the oracle's own throughput generator (gen.mjs: S3 requests,
// one to three identity statements with conditions and variables, resource policies,
// boundaries, SCPs), converted to iamplay's scenario format one file each. Every
// end-to-end run is repeated R times, the tools interleaved so that a burst of load on
// this shared machine hits both, and the median is reported. Each tool is also run on
// one scenario, so that its start-up cost can be told apart from its per-request rate.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const iamplay = opt('iamplay');
const throughput = opt('throughput');
const oracleDir = path.resolve(opt('oracle', process.env.ORACLE_DIR ?? '../shared/tools/iam-oracle'));
const count = Number(opt('count', 2000));
const seed = Number(opt('seed', 1));
const repeat = Number(opt('repeat', 3));
const out = opt('out', 'target/bench-vs-oracle.json');
if (!iamplay || !throughput) {
  console.error('usage: node scripts/bench-vs-oracle.mjs --iamplay BIN --throughput BIN [--oracle DIR] [--count N] [--seed S] [--repeat R] [--out FILE]');
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'iamplay-vs-oracle-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// Wall-clock time, and CPU time (user + system, all threads) through GNU time when it is
// there: waiting for a core that other processes hold counts in the first, not the second.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const timeFile = () => path.join(work, 'time.txt');
function run(cmd, cmdArgs) {
  const [c, a] = gnuTime ? [gnuTime, ['-f', '%U %S', '-o', timeFile(), cmd, ...cmdArgs]] : [cmd, cmdArgs];
  const started = process.hrtime.bigint();
  const r = spawnSync(c, a, { maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.error) throw r.error;
  let cpu = null;
  if (gnuTime) {
    const [user, sys] = readFileSync(timeFile(), 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpu = user + sys;
  }
  return { seconds, cpu, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. Scenarios in the oracle's format, from its generator.
const gen = run('node', [path.join(oracleDir, 'gen.mjs'), String(count), String(seed)]);
if (gen.status !== 0) throw new Error(`gen.mjs failed: ${gen.stderr}`);
const lines = gen.stdout.split('\n').filter((l) => l.trim());
const oracleAll = path.join(work, 'all.jsonl');
const oracleOne = path.join(work, 'one.jsonl');
writeFileSync(oracleAll, lines.join('\n') + '\n');
writeFileSync(oracleOne, lines[0] + '\n');

// 2. The same scenarios in iamplay's format, one file each.
const named = (p) => (p && typeof p === 'object' && 'policy' in p && !('Statement' in p) ? { name: p.name, document: p.policy } : p);
function toIamplay(o) {
  if (o.vpc_endpoint_policies?.length) return null;
  if ((o.permissions_boundaries ?? []).length > 1) return null;
  const s = { scenario: 1, name: `generated ${o.id}`, principal: o.request.principal };
  if (o.identity_policies?.length) s.identity_policies = o.identity_policies.map(named);
  if (o.resource_policy) s.resource_policy = named(o.resource_policy);
  if (o.permissions_boundaries?.length) s.permissions_boundary = named(o.permissions_boundaries[0]);
  if (o.session_policy) s.session_policy = named(o.session_policy);
  const levels = (l) => l.map((x) => (Array.isArray(x) ? x.map(named) : named(x)));
  if (o.scps?.length) s.scps = levels(o.scps);
  if (o.rcps?.length) s.rcps = levels(o.rcps);
  const { action, resource, resource_account, context } = o.request;
  // The request's name carries the scenario's id, to pair the two tools' decisions.
  const request = { name: String(o.id), action, resource };
  if (resource_account) request.resource_account = resource_account;
  if (context) request.context = context;
  s.requests = [request];
  return s;
}
const dirAll = path.join(work, 'iamplay-all');
const dirOne = path.join(work, 'iamplay-one');
mkdirSync(dirAll);
mkdirSync(dirOne);
const files = [];
let skipped = 0;
lines.forEach((l, i) => {
  const s = toIamplay(JSON.parse(l));
  if (!s) return void skipped++;
  const f = path.join(dirAll, `${String(i).padStart(6, '0')}.json`);
  writeFileSync(f, JSON.stringify(s, null, 1));
  if (files.length === 0) writeFileSync(path.join(dirOne, 'one.json'), JSON.stringify(s, null, 1));
  files.push(f);
});
const one = [path.join(dirOne, 'one.json')];

// 3. End to end, interleaved, R times.
const oracleCmd = (file) => ['node', [path.join(oracleDir, 'oracle.mjs'), '--batch', file]];
const runs = { oracle: [], oracleOne: [], cliJson: [], cliJsonOne: [], cliTest: [], cliTestOne: [] };
const cpuRuns = { oracle: [], oracleOne: [], cliJson: [], cliTest: [] };
let oracleOut;
let cliOut;
for (let r = 0; r < repeat; r++) {
  const o = run(...oracleCmd(oracleAll));
  if (o.status !== 0) throw new Error(`oracle failed: ${o.stderr}`);
  oracleOut = o.stdout;
  runs.oracle.push(o.seconds);
  cpuRuns.oracle.push(o.cpu);
  const o1 = run(...oracleCmd(oracleOne));
  runs.oracleOne.push(o1.seconds);
  cpuRuns.oracleOne.push(o1.cpu);
  const c = run(iamplay, ['eval', '--format', 'json', ...files]);
  if (c.status !== 0) throw new Error(`iamplay eval failed (${c.status}): ${c.stderr.slice(0, 2000)}`);
  cliOut = c.stdout;
  runs.cliJson.push(c.seconds);
  cpuRuns.cliJson.push(c.cpu);
  runs.cliJsonOne.push(run(iamplay, ['eval', '--format', 'json', ...one]).seconds);
  const t = run(iamplay, ['test', ...files]);
  if (t.status !== 0) throw new Error(`iamplay test failed (${t.status}): ${t.stderr.slice(0, 2000)}`);
  runs.cliTest.push(t.seconds);
  cpuRuns.cliTest.push(t.cpu);
  runs.cliTestOne.push(run(iamplay, ['test', ...one]).seconds);
}

// 4. In process: the same iamplay files read and evaluated in a loop.
const inproc = run(throughput, [dirAll, '--seconds', '3']);
if (inproc.status !== 0) throw new Error(`throughput runner failed: ${inproc.stderr}`);
const inprocess = JSON.parse(inproc.stdout.trim().split('\n').pop());
// The same with the action catalog, as the command evaluates by default.
const inprocCatalog = run(throughput, [dirAll, '--catalog', '--seconds', '3']);
if (inprocCatalog.status !== 0) throw new Error(`throughput runner failed: ${inprocCatalog.stderr}`);
const inprocessCatalog = JSON.parse(inprocCatalog.stdout.trim().split('\n').pop());
// The machine's throughput: one thread per core, with the catalog (the reference, too,
// keeps more than one core busy: its CPU time exceeds its wall-clock time).
const threads = cpus().length;
let inprocessThreads = null;
if (threads > 1) {
  const r = run(throughput, [dirAll, '--catalog', '--threads', String(threads), '--seconds', '3']);
  if (r.status !== 0) throw new Error(`throughput runner failed: ${r.stderr}`);
  inprocessThreads = JSON.parse(r.stdout.trim().split('\n').pop());
}

// 5. Do the two agree? (Not the point here, but a benchmark of different work would be
// meaningless.) The oracle's `Error` rows are left out: AWS would not evaluate them.
const toIamplayDecision = { Allow: 'allowed', ImplicitDeny: 'implicitDeny', ExplicitDeny: 'explicitDeny' };
const oracleDecisions = new Map(oracleOut.split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((j) => [String(j.id), j.decision]));
const cliResults = JSON.parse(cliOut).results;
let agree = 0;
let differ = 0;
let oracleErrors = 0;
const differences = [];
for (const r of cliResults) {
  const id = r.name;
  const want = oracleDecisions.get(id);
  if (want === undefined) continue;
  if (want === 'Error') {
    oracleErrors++;
    continue;
  }
  if (toIamplayDecision[want] === r.decision) agree++;
  else {
    differ++;
    if (differences.length < 5) differences.push({ id, oracle: want, iamplay: r.decision });
  }
}

// 6. Rates.
const n = files.length;
const rate = (seconds) => n / seconds;
const steady = (all, single) => (n - 1) / Math.max(median(all) - median(single), 1e-9);
const report = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg_at_end: loadavg().map((x) => +x.toFixed(2)), node: process.version },
  scenarios: { generated: lines.length, evaluated: n, skipped, generator: `gen.mjs ${count} ${seed}`, repeat },
  agreement: { agree, differ, oracle_errors: oracleErrors, first_differences: differences },
  seconds_median: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, +median(v).toFixed(4)])),
  seconds_all: runs,
  requests_per_second: {
    oracle_end_to_end: rate(median(runs.oracle)),
    oracle_steady: steady(runs.oracle, runs.oracleOne),
    iamplay_cli_json_end_to_end: rate(median(runs.cliJson)),
    iamplay_cli_json_steady: steady(runs.cliJson, runs.cliJsonOne),
    iamplay_cli_test_end_to_end: rate(median(runs.cliTest)),
    iamplay_cli_test_steady: steady(runs.cliTest, runs.cliTestOne),
    oracle_end_to_end_cpu: gnuTime ? rate(median(cpuRuns.oracle)) : null,
    oracle_steady_cpu: gnuTime ? steady(cpuRuns.oracle, cpuRuns.oracleOne) : null,
    iamplay_cli_json_end_to_end_cpu: gnuTime ? rate(median(cpuRuns.cliJson)) : null,
    iamplay_cli_test_end_to_end_cpu: gnuTime ? rate(median(cpuRuns.cliTest)) : null,
    iamplay_in_process_median: inprocess.median_requests_per_second,
    iamplay_in_process_best: inprocess.best_requests_per_second,
    iamplay_in_process_cpu: inprocess.median_requests_per_cpu_second,
    iamplay_in_process_catalog_median: inprocessCatalog.median_requests_per_second,
    iamplay_in_process_catalog_cpu: inprocessCatalog.median_requests_per_cpu_second,
    iamplay_in_process_catalog_all_cores: inprocessThreads?.requests_per_second ?? null,
  },
};
const rps = report.requests_per_second;
report.ratios = {
  cli_json_end_to_end_vs_oracle_end_to_end: rps.iamplay_cli_json_end_to_end / rps.oracle_end_to_end,
  cli_test_end_to_end_vs_oracle_end_to_end: rps.iamplay_cli_test_end_to_end / rps.oracle_end_to_end,
  cli_json_steady_vs_oracle_steady: rps.iamplay_cli_json_steady / rps.oracle_steady,
  in_process_vs_oracle_steady: rps.iamplay_in_process_median / rps.oracle_steady,
  in_process_catalog_vs_oracle_steady: rps.iamplay_in_process_catalog_median / rps.oracle_steady,
};
if (inprocessThreads) report.ratios.in_process_catalog_all_cores_vs_oracle_steady = rps.iamplay_in_process_catalog_all_cores / rps.oracle_steady;
if (gnuTime) {
  report.ratios.cli_json_cpu_vs_oracle_cpu = rps.iamplay_cli_json_end_to_end_cpu / rps.oracle_end_to_end_cpu;
  report.ratios.cli_test_cpu_vs_oracle_cpu = rps.iamplay_cli_test_end_to_end_cpu / rps.oracle_end_to_end_cpu;
  report.ratios.in_process_cpu_vs_oracle_steady_cpu = rps.iamplay_in_process_cpu / rps.oracle_steady_cpu;
  report.ratios.in_process_catalog_cpu_vs_oracle_steady_cpu = rps.iamplay_in_process_catalog_cpu / rps.oracle_steady_cpu;
}
report.seconds_cpu_median = Object.fromEntries(Object.entries(cpuRuns).map(([k, v]) => [k, gnuTime ? +median(v).toFixed(4) : null]));
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const row = (what, seconds, r) => console.log(`${what.padEnd(52)} ${seconds.padStart(9)} ${fmt(r).padStart(12)}`);
console.log(`\n${n} scenarios (1 request each) from ${report.scenarios.generator}; median of ${repeat} runs; ${cpus().length} cores, load ${report.machine.loadavg_at_end.join(' ')}`);
console.log(`${'run'.padEnd(52)} ${'seconds'.padStart(9)} ${'requests/s'.padStart(12)}`);
row('reference: oracle.mjs --batch, end to end', median(runs.oracle).toFixed(3), rps.oracle_end_to_end);
row('reference: per request, start-up (1 scenario) removed', (median(runs.oracle) - median(runs.oracleOne)).toFixed(3), rps.oracle_steady);
row('iamplay eval --format json (full traces), end to end', median(runs.cliJson).toFixed(3), rps.iamplay_cli_json_end_to_end);
row('iamplay eval --format json, start-up removed', (median(runs.cliJson) - median(runs.cliJsonOne)).toFixed(3), rps.iamplay_cli_json_steady);
row('iamplay test (decisions only), end to end', median(runs.cliTest).toFixed(3), rps.iamplay_cli_test_end_to_end);
if (gnuTime) {
  row('reference: end to end, CPU time (user + sys)', median(cpuRuns.oracle).toFixed(3), rps.oracle_end_to_end_cpu);
  row('reference: CPU time, start-up removed', (median(cpuRuns.oracle) - median(cpuRuns.oracleOne)).toFixed(3), rps.oracle_steady_cpu);
  row('iamplay eval --format json, CPU time', median(cpuRuns.cliJson).toFixed(3), rps.iamplay_cli_json_end_to_end_cpu);
  row('iamplay test, CPU time', median(cpuRuns.cliTest).toFixed(3), rps.iamplay_cli_test_end_to_end_cpu);
}
row('iamplay in process (read + evaluate, no I/O), median', (n / rps.iamplay_in_process_median).toFixed(3), rps.iamplay_in_process_median);
row('iamplay in process, CPU time', (n / rps.iamplay_in_process_cpu).toFixed(3), rps.iamplay_in_process_cpu);
row('iamplay in process with the catalog, median', (n / rps.iamplay_in_process_catalog_median).toFixed(3), rps.iamplay_in_process_catalog_median);
row('iamplay in process with the catalog, CPU time', (n / rps.iamplay_in_process_catalog_cpu).toFixed(3), rps.iamplay_in_process_catalog_cpu);
if (inprocessThreads) row(`iamplay in process with the catalog, ${threads} threads`, (n / rps.iamplay_in_process_catalog_all_cores).toFixed(3), rps.iamplay_in_process_catalog_all_cores);
console.log('\nratios (iamplay / reference):');
for (const [k, v] of Object.entries(report.ratios)) console.log(`  ${k.padEnd(46)} ${v.toFixed(1)}x`);
console.log(`\ndecisions: ${agree} agree, ${differ} differ, ${oracleErrors} reference errors left out${differences.length ? `; first differences: ${JSON.stringify(differences)}` : ''}`);
console.log(`report: ${out}`);
