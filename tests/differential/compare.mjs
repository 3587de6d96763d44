#!/usr/bin/env node
// Differential comparer: runs the oracle and iamplay over generated scenarios, compares
// their decisions, and sorts every disagreement into a documented deviation class
// (classifiers.mjs) or leaves it unexplained.
//
//   node tests/differential/compare.mjs --dir DIR --iamplay BIN --oracle ORACLE.mjs
//        [--catalog] [--jobs J] [--corpus FILE --corpus-size 300]
//
// iamplay runs without its action catalog (`eval --no-catalog`), or, with --catalog, as
// the command runs by default: with the catalog, so that context keys an action never
// carries are left out of evaluation.
//
// Reads DIR/scenarios.jsonl and DIR/oracle.jsonl (from generate.mjs), writes
// DIR/oracle-out.jsonl, DIR/disagreements.jsonl and DIR/summary.json, prints the figures.
// Exit status: 0 when every disagreement is in a known class (deviation, suspected bug or
// open question), 1 when some are unknown, 2 on a setup error.

import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs'
import { join, basename } from 'node:path'
import { CLASSIFIERS, counterfactual, referencedKeys } from './classifiers.mjs'

export const DECISION = { Allow: 'allowed', ImplicitDeny: 'implicitDeny', ExplicitDeny: 'explicitDeny' }

function parseArgs(argv) {
  const args = { dir: 'target/differential', iamplay: 'target/release/iamplay', oracle: null, jobs: 2, corpus: null, corpusSize: 300, catalog: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--dir') args.dir = val()
    else if (a === '--iamplay') args.iamplay = val()
    else if (a === '--oracle') args.oracle = val()
    else if (a === '--jobs') args.jobs = Number(val())
    else if (a === '--corpus') args.corpus = val()
    else if (a === '--corpus-size') args.corpusSize = Number(val())
    else if (a === '--catalog') args.catalog = true
    else throw new Error(`unknown argument ${a}`)
  }
  if (!args.oracle) throw new Error('--oracle PATH/oracle.mjs is required')
  return args
}

export function readJsonl(path) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
}

function run(cmd, argv, { input, stdoutFile } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', stdoutFile ? 'pipe' : 'pipe', 'pipe'] })
    const out = []
    const err = []
    let sink = null
    if (stdoutFile) {
      sink = createWriteStream(stdoutFile)
      child.stdout.pipe(sink)
    } else child.stdout.on('data', (d) => out.push(d))
    child.stderr.on('data', (d) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) => {
      const finish = () => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
      if (sink) sink.end(finish)
      else finish()
    })
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
  })
}

// Runs the oracle in batch mode over JSON lines; returns its rows by id.
export async function runOracle(oracle, lines, outFile) {
  const input = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'
  const res = await run(process.execPath, [oracle, '--batch'], { input })
  if (res.code !== 0) throw new Error(`oracle exited ${res.code}: ${res.stderr.slice(0, 2000)}`)
  if (outFile) writeFileSync(outFile, res.stdout)
  const byId = new Map()
  for (const line of res.stdout.split('\n')) {
    if (!line.trim()) continue
    const row = JSON.parse(line)
    byId.set(row.id, row)
  }
  return byId
}

// Runs `iamplay eval --format json` over many scenario files, `chunk` files per process
// and `jobs` processes at a time, without the action catalog (`--no-catalog`) unless
// `catalog` is set. Returns, by scenario id, {decision, result} or {error}.
export async function runIamplay(bin, scenarios, workDir, { jobs = 2, chunk = 400, stats = null, catalog = false } = {}) {
  rmSync(workDir, { recursive: true, force: true })
  mkdirSync(workDir, { recursive: true })
  const files = scenarios.map((sc) => {
    const file = join(workDir, `${sc.name}.json`)
    writeFileSync(file, JSON.stringify(sc, null, 1))
    return file
  })
  const chunks = []
  for (let i = 0; i < files.length; i += chunk) chunks.push(files.slice(i, i + chunk))
  const byId = new Map()
  // One process over `files`; when it crashes (a panic prints no JSON), split the files in
  // halves until the crashing scenario is alone, and record it as an error.
  const evalFiles = async (mine) => {
    const res = await run(bin, ['eval', '--format', 'json', ...(catalog ? [] : ['--no-catalog']), ...mine])
    let doc = null
    if (res.stdout.trim()) {
      try { doc = JSON.parse(res.stdout) } catch { doc = null }
    }
    if (!doc) {
      if (mine.length > 1) {
        const half = Math.ceil(mine.length / 2)
        await evalFiles(mine.slice(0, half))
        await evalFiles(mine.slice(half))
        return
      }
      const panic = res.stderr.split('\n').find((l) => l.includes('panicked')) ?? ''
      const detail = res.stderr.split('\n').filter((l) => !/warning:|^\s+help:/.test(l)).slice(0, 6).join('\n')
      byId.set(basename(mine[0], '.json'), { error: `iamplay exited ${res.code}${panic ? ' (panic)' : ''}: ${panic || detail}` })
      return
    }
    // Diagnostics go to stderr as `FILE:LINE:COL: error: message`.
    const errors = new Map()
    for (const line of res.stderr.split('\n')) {
      const m = line.match(/^(.*?\.json):(\d+):(\d+): error: (.*)$/) ?? line.match(/^(.*?\.json): error: (.*)$/)
      if (!m) continue
      const id = basename(m[1], '.json')
      if (!errors.has(id)) errors.set(id, [])
      errors.get(id).push(line)
    }
    for (const r of doc.results) {
      const id = basename(r.file, '.json')
      if (stats) {
        // How often conditions hold: the generator aims at about half.
        for (const p of r.trace?.policies ?? []) for (const st of p.statements ?? []) for (const c of st.conditions ?? []) {
          stats[c.result ? 'true' : 'false']++
        }
      }
      byId.set(id, { decision: r.decision, why: r.why, matched_statements: r.matched_statements, missing_context_values: r.missing_context_values, steps: r.trace?.steps, notes: r.trace?.notes, catalog: r.trace?.catalog })
    }
    for (const [id, lines] of errors) {
      byId.set(id, { ...(byId.get(id) ?? {}), error: lines.join('\n') })
    }
  }
  let next = 0
  const worker = async () => {
    while (next < chunks.length) await evalFiles(chunks[next++])
  }
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker))
  return byId
}

// Coverage figures: which features the generated scenarios exercise.
export function coverage(scenarios) {
  const cov = {}
  const bump = (k) => { cov[k] = (cov[k] ?? 0) + 1 }
  for (const sc of scenarios) {
    const seen = new Set()
    const note = (k) => seen.add(k)
    if (sc.identity_policies?.length) note('policy:identity')
    if (sc.resource_policy) note(sc.requests[0].action.toLowerCase().startsWith('sts:assumerole') ? 'policy:trust' : 'policy:resource')
    if (sc.permissions_boundary) note('policy:boundary')
    if (sc.session_policy) note('policy:session')
    if (sc.scps) note(Array.isArray(sc.scps[0]) ? `policy:scp-levels-${sc.scps.length}` : 'policy:scp-flat')
    if (sc.rcps) note(Array.isArray(sc.rcps[0]) ? `policy:rcp-levels-${sc.rcps.length}` : 'policy:rcp-flat')
    const p = sc.principal
    note(p.includes(':assumed-role/') ? 'principal:role-session' : 'principal:iam-user')
    const req = sc.requests[0]
    const pAcct = p.split(':')[4]
    note(pAcct === req.resource_account ? 'account:same' : 'account:cross')
    note(`action:${req.action}`)
    const walk = (node, parentKey) => {
      if (typeof node === 'string') { if (node.includes('${')) note('variables'); return }
      if (Array.isArray(node)) return node.forEach((n) => walk(n, parentKey))
      if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (['NotAction', 'NotResource', 'NotPrincipal'].includes(k)) note(`element:${k}`)
          if (k === 'Version') note(`version:${v}`)
          if (k === 'Condition') {
            for (const op of Object.keys(v)) {
              const m = op.match(/^(ForAllValues:|ForAnyValue:)?(.*?)(IfExists)?$/)
              const base = m[2]
              const family = base.startsWith('String') ? 'String' : base.startsWith('Numeric') ? 'Numeric' : base.startsWith('Date') ? 'Date' : base.startsWith('Arn') ? 'Arn' : base.includes('IpAddress') ? 'IpAddress' : base
              note(`operator:${family}`)
              if (m[1]) note(`operator:${m[1].slice(0, -1)}`)
              if (m[3]) note('operator:IfExists')
            }
          }
          walk(v, k)
        }
      }
    }
    const { requests, ...policies } = sc
    walk(policies)
    if (!JSON.stringify(policies).includes('"Version"')) note('version:absent')
    for (const k of seen) bump(k)
  }
  return Object.fromEntries(Object.entries(cov).sort())
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const t0 = Date.now()
  const ours = readJsonl(join(args.dir, 'scenarios.jsonl'))
  const oracleIn = readJsonl(join(args.dir, 'oracle.jsonl'))
  const oracleScenario = new Map(oracleIn.map((o) => [o.id, o]))
  const condStats = { true: 0, false: 0 }

  const [oracleOut, ourOut] = await Promise.all([
    runOracle(args.oracle, oracleIn, join(args.dir, 'oracle-out.jsonl')),
    runIamplay(args.iamplay, ours, join(args.dir, 'scenarios'), { jobs: args.jobs, stats: condStats, catalog: args.catalog })
  ])
  const tRun = Date.now()

  const rows = []
  const excluded = {}
  const exclude = (reason) => { excluded[reason] = (excluded[reason] ?? 0) + 1 }
  // Context keys the oracle dropped (its strict mode: a key iam-data does not list for the
  // action) and iamplay's own key availability (with the catalog: keys the action never
  // carries, left out of evaluation), compared key by key.
  const keyAvailability = { oracle_dropped_tested: 0, both_left_out: 0, only_oracle_dropped: 0, only_iamplay_left_out: 0, by_key: {} }
  const resourceTypes = { same: 0, different: 0, examples: [] }
  const byKey = (k, what) => { const e = (keyAvailability.by_key[k] ??= {}); e[what] = (e[what] ?? 0) + 1 }
  for (const sc of ours) {
    const id = sc.name
    const o = oracleOut.get(id)
    const us = ourOut.get(id)
    if (!o) { exclude('oracle produced no row'); continue }
    if (o.decision === 'Error') { exclude(`oracle error (${o.error})`); continue }
    const tested = referencedKeys(sc)
    const leftOut = new Set(leftOutKeys(us).map((k) => k.toLowerCase()))
    const dropped = (o.ignored_context_keys ?? []).filter((k) => tested.has(k.toLowerCase()))
    for (const k of dropped) {
      const what = leftOut.has(k.toLowerCase()) ? 'both_left_out' : 'only_oracle_dropped'
      keyAvailability[what]++
      byKey(k, what)
    }
    keyAvailability.oracle_dropped_tested += dropped.length
    const oracleDropped = new Set((o.ignored_context_keys ?? []).map((k) => k.toLowerCase()))
    for (const k of leftOut) {
      if (tested.has(k) && !oracleDropped.has(k)) {
        keyAvailability.only_iamplay_left_out++
        byKey(k, 'only_iamplay_left_out')
      }
    }
    // Without the catalog iamplay evaluates every key given, so a row where the oracle
    // dropped a tested key compares different contexts: excluded. With the catalog, a key
    // both sides leave out is the same context; a key only the oracle drops is excluded.
    const undecided = dropped.filter((k) => !leftOut.has(k.toLowerCase()))
    if (undecided.length) { exclude(`oracle dropped a context key the policies test${args.catalog ? ' and iamplay kept' : ''} (${undecided.join(', ')})`); continue }
    if (args.catalog && us && !us.error) {
      // The resource type each side finds for the request's ARN (none for a request on `*`).
      const same = (o.resource_type ?? null)?.toLowerCase() === (us.catalog?.resource_type ?? null)?.toLowerCase()
      resourceTypes[same ? 'same' : 'different']++
      if (!same) resourceTypes.examples.length < 5 && resourceTypes.examples.push(`${id}: oracle ${o.resource_type ?? '-'}, iamplay ${us.catalog?.resource_type ?? '-'}`)
    }
    const row = { id, scenario: sc, oracleScenario: oracleScenario.get(id), oracle: o, ours: us ?? { error: 'no result' } }
    row.oracleDecision = DECISION[o.decision]
    row.ourDecision = us?.error ? `error` : us?.decision
    rows.push(row)
  }

  // Classify the disagreements. A classifier recognises the scenario shape; the
  // explanation is then confirmed by a counterfactual run with the departure removed
  // (classifiers.mjs): first each matching class alone, then all matching classes
  // together for rows that no single class explains.
  const disagreements = rows.filter((r) => r.oracleDecision !== r.ourDecision)
  await classify(disagreements, args)

  const agree = rows.length - disagreements.length
  const byClass = {}
  const bugs = {}
  const open = {}
  for (const r of disagreements) {
    if (!r.cls) continue
    const into = r.kind === 'bug' ? bugs : r.kind === 'open' ? open : byClass
    into[r.cls] = (into[r.cls] ?? 0) + 1
  }
  const justified = disagreements.filter((r) => r.cls && r.kind === 'deviation')
  const unexplained = disagreements.filter((r) => !(r.cls && r.kind === 'deviation'))
  const unknown = disagreements.filter((r) => !r.cls)
  const pairs = {}
  for (const r of unknown) {
    const k = `oracle ${r.oracleDecision} / iamplay ${r.ourDecision}`
    pairs[k] = (pairs[k] ?? 0) + 1
  }
  const decisions = {}
  for (const r of rows) decisions[r.oracleDecision] = (decisions[r.oracleDecision] ?? 0) + 1

  // Disagreements, with both scenarios and both answers.
  const out = disagreements.map((r) => JSON.stringify({
    id: r.id,
    class: r.cls ?? null,
    kind: r.cls ? r.kind : 'unknown',
    oracle_decision: r.oracleDecision,
    iamplay_decision: r.ourDecision,
    iamplay: r.ours,
    oracle: r.oracle,
    scenario: r.scenario,
    oracle_scenario: r.oracleScenario
  }))
  writeFileSync(join(args.dir, 'disagreements.jsonl'), out.join('\n') + (out.length ? '\n' : ''))

  const generated = ours.length
  const excludedTotal = Object.values(excluded).reduce((a, b) => a + b, 0)
  const summary = {
    generated,
    compared: rows.length,
    excluded: excludedTotal,
    excluded_by_reason: excluded,
    agree,
    agreement_percent: rows.length ? +(100 * agree / rows.length).toFixed(2) : 0,
    justified_deviations: justified.length,
    deviations_by_class: byClass,
    unexplained: unexplained.length,
    suspected_iamplay_bugs_by_class: bugs,
    open_questions_by_class: open,
    unknown: unknown.length,
    unknown_by_decisions: pairs,
    oracle_decisions: decisions,
    conditions_true_percent: +(100 * condStats.true / Math.max(1, condStats.true + condStats.false)).toFixed(1),
    catalog: args.catalog,
    key_availability: keyAvailability,
    resource_types: args.catalog ? resourceTypes : undefined,
    coverage: coverage(ours),
    seconds: { run: (tRun - t0) / 1000, total: (Date.now() - t0) / 1000 }
  }
  writeFileSync(join(args.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')

  const pct = (n) => (rows.length ? (100 * n / rows.length).toFixed(2) : '0.00')
  const lines = []
  lines.push(`iamplay:             ${args.catalog ? 'with the action catalog (the command\'s default)' : 'without the action catalog (--no-catalog)'}`)
  lines.push(`scenarios generated: ${generated}`)
  lines.push(`compared:            ${rows.length}  (excluded ${excludedTotal})`)
  for (const [k, v] of Object.entries(excluded).sort((a, b) => b[1] - a[1])) lines.push(`  excluded ${String(v).padStart(5)}  ${k}`)
  lines.push(`oracle decisions:    ${Object.entries(decisions).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  if (args.catalog || keyAvailability.oracle_dropped_tested) {
    lines.push(`tested context keys: oracle dropped ${keyAvailability.oracle_dropped_tested} (iamplay left out ${keyAvailability.both_left_out} of them too), iamplay alone left out ${keyAvailability.only_iamplay_left_out}`)
    for (const [k, v] of Object.entries(keyAvailability.by_key).sort()) lines.push(`  ${k}: ${Object.entries(v).map(([w, c]) => `${w.replace(/_/g, ' ')} ${c}`).join(', ')}`)
  }
  if (args.catalog) lines.push(`resource type:       the same on both sides for ${resourceTypes.same}, different for ${resourceTypes.different}${resourceTypes.examples.length ? ` (${resourceTypes.examples.join('; ')})` : ''}`)
  lines.push(`conditions true:     ${summary.conditions_true_percent}% of ${condStats.true + condStats.false} evaluated (iamplay trace)`)
  lines.push(`agree:               ${agree} / ${rows.length} (${pct(agree)}%)`)
  lines.push(`justified deviations: ${justified.length} (${pct(justified.length)}%)`)
  const show = (counts) => {
    for (const cls of CLASSIFIERS) if (counts[cls.name]) lines.push(`  ${String(counts[cls.name]).padStart(5)}  ${cls.name}: ${cls.title}`)
    for (const [k, v] of Object.entries(counts)) if (k.includes('+')) lines.push(`  ${String(v).padStart(5)}  ${k} (together)`)
  }
  show(byClass)
  lines.push(`unexplained:         ${unexplained.length} (${pct(unexplained.length)}%)`)
  if (Object.keys(bugs).length) { lines.push('  suspected iamplay bugs:'); show(bugs) }
  if (Object.keys(open).length) { lines.push('  open questions (neither the docs nor DECISIONS.md decide):'); show(open) }
  lines.push(`  unknown (no class recognises them): ${unknown.length}`)
  for (const [k, v] of Object.entries(pairs).sort((a, b) => b[1] - a[1])) lines.push(`  ${String(v).padStart(5)}  ${k}`)
  lines.push(`disagreements written to ${join(args.dir, 'disagreements.jsonl')} (${summary.seconds.total.toFixed(1)} s)`)
  process.stdout.write(lines.join('\n') + '\n')

  if (args.corpus) writeCorpus(args.corpus, args.corpusSize, rows)
  process.exitCode = unknown.length ? 1 : 0
}

// Sorts disagreements into classes: first each matching class alone, then all matching
// classes together for rows that no single class explains. Sets row.cls and row.kind.
export async function classify(disagreements, args) {
  for (const r of disagreements) r.candidates = CLASSIFIERS.filter((c) => c.matches(r))
  const attempts = []
  for (const cls of CLASSIFIERS) {
    for (const r of disagreements) if (r.candidates.includes(cls)) attempts.push({ row: r, classes: [cls] })
  }
  await confirm(attempts, args)
  const combos = disagreements.filter((r) => !r.cls && r.candidates.length > 1).map((r) => ({ row: r, classes: r.candidates }))
  await confirm(combos, args)
}

// Runs the counterfactual scenarios of `attempts` ({row, classes}) through both sides and
// labels each row whose two answers then agree.
export async function confirm(attempts, args) {
  attempts = attempts.filter((a) => !a.row.cls)
  // Classes with no counterfactual (e.g. a crash) are recognised by their shape alone.
  for (const a of attempts) {
    if (a.classes.every((c) => !c.fixOracle && !c.fixOurs)) label(a.row, a.classes)
  }
  attempts = attempts.filter((a) => !a.row.cls)
  if (!attempts.length) return
  const cf = attempts.map((a, i) => {
    const { oracle, ours } = counterfactual(a.row, a.classes)
    const id = `cf${i}-${a.row.id}`
    return { id, oracle: { ...oracle, id }, ours: { ...ours, name: id, requests: ours.requests.map((q) => ({ ...q, name: id })) } }
  })
  const [o, u] = await Promise.all([
    runOracle(args.oracle, cf.map((c) => c.oracle)),
    runIamplay(args.iamplay, cf.map((c) => c.ours), join(args.dir, 'counterfactual'), { jobs: args.jobs, catalog: args.catalog })
  ])
  attempts.forEach((a, i) => {
    if (a.row.cls) return
    const od = o.get(cf[i].id)
    const ud = u.get(cf[i].id)
    if (!od || od.decision === 'Error' || !ud || ud.error) return
    if (DECISION[od.decision] === ud.decision) label(a.row, a.classes)
  })
}

// The context keys iamplay left out of evaluation (with the catalog: keys the action never
// carries), from its trace.
export function leftOutKeys(ours) {
  return (ours?.catalog?.left_out ?? []).map((k) => k.key)
}

export function label(row, classes) {
  row.cls = classes.map((c) => c.name).join('+')
  // A row explained by several classes counts as the least excusable of them.
  const kinds = classes.map((c) => c.kind)
  row.kind = kinds.includes('bug') ? 'bug' : kinds.includes('open') ? 'open' : 'deviation'
}

// A fixed sample for the Rust replay test: up to 12 rows of each deviation class and 3 of
// each suspected-bug or open class (disagreements no class explains are left out), then
// agreeing rows spread evenly over the run, balanced by the oracle's decision.
// `deviation` names the class where iamplay differs on purpose (or, prefixed `open:`, where
// the point is undecided); it is null where iamplay should give the oracle's answer,
// including the rows of suspected iamplay bugs, which fail until the bug is fixed.
function writeCorpus(file, size, rows) {
  const pick = new Map()
  const add = (r) => { if (pick.size < size && !pick.has(r.id)) pick.set(r.id, r) }
  const byClass = new Map()
  for (const r of rows) {
    if (r.oracleDecision === r.ourDecision || !r.cls) continue
    if (!byClass.has(r.cls)) byClass.set(r.cls, [])
    byClass.get(r.cls).push(r)
  }
  for (const list of byClass.values()) list.slice(0, list[0].kind === 'deviation' ? 12 : 3).forEach(add)
  const agreeing = rows.filter((r) => r.oracleDecision === r.ourDecision)
  const byDecision = ['allowed', 'implicitDeny', 'explicitDeny'].map((d) => agreeing.filter((r) => r.oracleDecision === d))
  const room = size - pick.size
  const per = Math.ceil(room / 3)
  for (let i = 0; i < per && pick.size < size; i++) {
    for (const list of byDecision) {
      const step = Math.max(1, Math.floor(list.length / per))
      if (list[i * step]) add(list[i * step])
    }
  }
  const lines = [...pick.values()]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => {
      const differs = r.oracleDecision !== r.ourDecision
      const deviation = differs && r.cls && r.kind !== 'bug' ? r.cls : null
      return JSON.stringify({ id: r.id, scenario: r.scenario, oracle: r.oracleDecision, deviation })
    })
  writeFileSync(file, lines.join('\n') + '\n')
  const bugs = [...pick.values()].filter((r) => r.oracleDecision !== r.ourDecision && r.kind === 'bug').map((r) => `${r.id} (${r.cls})`)
  process.stdout.write(`corpus: ${lines.length} scenarios written to ${file}${bugs.length ? `; rows that fail until iamplay bugs are fixed: ${bugs.join(', ')}` : ''}\n`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`compare.mjs: ${e.stack ?? e}\n`)
    process.exit(2)
  })
}
