#!/usr/bin/env node
// Differential run over the hand-written scenario files: every request of every flat
// version-1 scenario file under the given directories (default tests/scenarios and
// tests/ecs) goes through iamplay (the file as written, one request at a time) and through
// the reference simulator (translated by to-oracle.mjs, with the principal-derived keys in
// the context), and the decisions are compared and sorted into the classes of
// classifiers.mjs, as for generated scenarios.
//
//   node tests/differential/files.mjs --oracle ORACLE.mjs [--iamplay BIN] [--dir OUT]
//        [--catalog] [--jobs J] [DIR_OR_FILE...]
//
// iamplay runs with `--no-catalog`, or, with --catalog, with its action catalog (the
// command's default).
//
// Files that use the ECS extensions (task definitions, roles, `as`, CloudFormation
// templates, YAML) or options the oracle lacks are skipped and counted. Writes
// OUT/disagreements.jsonl and OUT/summary.json (default target/differential-files).
// Exit status: 0 when every disagreement is in a known class, 1 when some are unknown.

import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, extname } from 'node:path'
import { CLASSIFIERS, referencedKeys } from './classifiers.mjs'
import { DECISION, runOracle, runIamplay, classify, leftOutKeys } from './compare.mjs'
import { convertScenario } from './to-oracle.mjs'

function parseArgs(argv) {
  const args = { dir: 'target/differential-files', iamplay: 'target/release/iamplay', oracle: null, jobs: 2, paths: [], catalog: false }
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
    else if (a === '--catalog') args.catalog = true
    else if (a.startsWith('--')) throw new Error(`unknown argument ${a}`)
    else args.paths.push(a)
  }
  if (!args.oracle) throw new Error('--oracle PATH/oracle.mjs is required')
  if (!args.paths.length) args.paths = ['tests/scenarios', 'tests/ecs']
  return args
}

// Scenario-like files (.json, .yaml, .yml) under the paths, sorted.
function scenarioFiles(paths) {
  const out = []
  const walk = (p) => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e))
    } else if (['.json', '.yaml', '.yml'].includes(extname(p))) out.push(p)
  }
  for (const p of paths) walk(p)
  return out
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  mkdirSync(args.dir, { recursive: true })
  const t0 = Date.now()
  const files = scenarioFiles(args.paths)

  // Translate.
  const skipped = {}
  let ecsFiles = 0
  let ecsRequests = 0
  const skip = (file, reason, requests, ecs) => {
    skipped[reason] ??= { files: 0, requests: 0, examples: [] }
    skipped[reason].files++
    skipped[reason].requests += requests
    if (skipped[reason].examples.length < 3) skipped[reason].examples.push(file)
    if (ecs) { ecsFiles++; ecsRequests += requests }
  }
  const items = []
  files.forEach((file, fi) => {
    const text = readFileSync(file, 'utf8')
    if (!text.trimStart().startsWith('{')) {
      // YAML: here only CloudFormation templates and task definitions.
      const ecs = !/^scenario:/m.test(text)
      skip(file, ecs ? 'ECS extensions (YAML CloudFormation template or task definition)' : 'YAML scenario (the translator reads JSON)', 0, ecs)
      return
    }
    let doc
    try {
      doc = JSON.parse(text)
    } catch (e) {
      skip(file, 'not valid JSON', 0, false)
      return
    }
    const id = `f${String(fi).padStart(3, '0')}`
    const out = convertScenario(doc, id)
    const nreq = Array.isArray(doc?.requests) ? doc.requests.length : 0
    if (out.skip) {
      skip(file, out.ecs ? 'ECS extensions (task definition, roles, instance role, `as`, or a bare template / task definition)' : out.skip, nreq, out.ecs)
      return
    }
    for (const r of out.requests) items.push({ ...r, file, id: r.oracle.id })
  })

  // Run both sides.
  const [oracleOut, ourOut] = await Promise.all([
    runOracle(args.oracle, items.map((it) => it.oracle), join(args.dir, 'oracle-out.jsonl')),
    runIamplay(args.iamplay, items.map((it) => it.ours), join(args.dir, 'scenarios'), { jobs: args.jobs, catalog: args.catalog })
  ])
  writeFileSync(join(args.dir, 'scenarios.jsonl'), items.map((it) => JSON.stringify({ id: it.id, file: it.file, request: it.requestName, ours: it.ours, normalized: it.normalized, oracle: it.oracle })).join('\n') + '\n')

  const rows = []
  const excluded = {}
  const exclude = (reason, it) => {
    excluded[reason] ??= []
    excluded[reason].push(`${it.file} "${it.requestName ?? it.id}"`)
  }
  const expectMismatch = []
  for (const it of items) {
    const o = oracleOut.get(it.id)
    const us = ourOut.get(it.id) ?? { error: 'no result' }
    if (it.expect && !us.error && us.decision !== it.expect) expectMismatch.push(`${it.file} "${it.requestName}": expect ${it.expect}, iamplay ${us.decision}`)
    if (!o) { exclude('oracle produced no row', it); continue }
    if (o.decision === 'Error') { exclude(`oracle error (${o.error}${o.error_detail ? `: ${JSON.stringify(o.error_detail).slice(0, 80)}` : ''})`, it); continue }
    // A tested key the oracle dropped is excluded unless iamplay left it out too (with the
    // catalog), as in compare.mjs.
    const leftOut = new Set(leftOutKeys(us).map((k) => k.toLowerCase()))
    const dropped = (o.ignored_context_keys ?? []).filter((k) => referencedKeys(it.normalized).has(k.toLowerCase()) && !leftOut.has(k.toLowerCase()))
    if (dropped.length) { exclude(`oracle dropped a context key the policies test${args.catalog ? ' and iamplay kept' : ''} (${dropped.join(', ')})`, it); continue }
    rows.push({
      id: it.id, file: it.file, request: it.requestName, expect: it.expect,
      scenario: it.normalized, oracleScenario: it.oracle, oracle: o, ours: us,
      oracleDecision: DECISION[o.decision], ourDecision: us.error ? 'error' : us.decision
    })
  }

  const disagreements = rows.filter((r) => r.oracleDecision !== r.ourDecision)
  await classify(disagreements, args)

  const agree = rows.length - disagreements.length
  const byClass = {}
  for (const r of disagreements) if (r.cls) byClass[r.cls] = (byClass[r.cls] ?? 0) + 1
  const justified = disagreements.filter((r) => r.cls && r.kind === 'deviation')
  const unknown = disagreements.filter((r) => !r.cls)
  writeFileSync(join(args.dir, 'disagreements.jsonl'), disagreements.map((r) => JSON.stringify({
    id: r.id, file: r.file, request: r.request, expect: r.expect, class: r.cls ?? null, kind: r.cls ? r.kind : 'unknown',
    oracle_decision: r.oracleDecision, iamplay_decision: r.ourDecision, iamplay: r.ours, oracle: r.oracle,
    scenario: r.scenario, oracle_scenario: r.oracleScenario
  })).join('\n') + (disagreements.length ? '\n' : ''))

  const totalRequests = items.length + Object.values(skipped).reduce((a, s) => a + s.requests, 0)
  const excludedCount = Object.values(excluded).reduce((a, l) => a + l.length, 0)
  const summary = {
    files: files.length,
    files_translated: new Set(items.map((it) => it.file)).size,
    files_skipped: Object.values(skipped).reduce((a, s) => a + s.files, 0),
    ecs_extended_skipped: { files: ecsFiles, requests: ecsRequests },
    skipped_by_reason: skipped,
    requests: totalRequests,
    requests_translated: items.length,
    compared: rows.length,
    excluded: excludedCount,
    excluded_by_reason: excluded,
    agree,
    agreement_percent: rows.length ? +(100 * agree / rows.length).toFixed(2) : 0,
    justified_deviations: justified.length,
    deviations_by_class: byClass,
    unknown: unknown.length,
    unknown_rows: unknown.map((r) => ({ id: r.id, file: r.file, request: r.request, oracle: r.oracleDecision, iamplay: r.ourDecision })),
    iamplay_vs_expect_mismatches: expectMismatch,
    catalog: args.catalog,
    seconds: (Date.now() - t0) / 1000
  }
  writeFileSync(join(args.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')

  const pct = (n) => (rows.length ? (100 * n / rows.length).toFixed(2) : '0.00')
  const L = []
  L.push(`iamplay:             ${args.catalog ? 'with the action catalog' : 'without the action catalog (--no-catalog)'}`)
  L.push(`scenario files:      ${files.length} (${summary.files_translated} translated, ${summary.files_skipped} skipped)`)
  for (const [k, v] of Object.entries(skipped)) L.push(`  skipped ${String(v.files).padStart(3)} files, ${String(v.requests).padStart(3)} requests: ${k}`)
  L.push(`  of which ECS-extended: ${ecsFiles} files, ${ecsRequests} requests`)
  L.push(`requests translated: ${items.length}`)
  L.push(`compared:            ${rows.length}  (excluded ${excludedCount})`)
  for (const [k, v] of Object.entries(excluded)) L.push(`  excluded ${String(v.length).padStart(3)}  ${k}: ${v.slice(0, 3).join('; ')}${v.length > 3 ? '; ...' : ''}`)
  L.push(`agree:               ${agree} / ${rows.length} (${pct(agree)}%)`)
  L.push(`justified deviations: ${justified.length} (${pct(justified.length)}%)`)
  for (const cls of CLASSIFIERS) if (byClass[cls.name]) L.push(`  ${String(byClass[cls.name]).padStart(5)}  ${cls.name}: ${cls.title}`)
  for (const [k, v] of Object.entries(byClass)) if (k.includes('+')) L.push(`  ${String(v).padStart(5)}  ${k} (together)`)
  for (const r of justified) L.push(`         ${r.cls}: ${r.file} "${r.request}" (oracle ${r.oracleDecision}, iamplay ${r.ourDecision})`)
  L.push(`unknown (no class recognises them): ${unknown.length}`)
  for (const r of unknown) L.push(`         ${r.file} "${r.request}": oracle ${r.oracleDecision}, iamplay ${r.ourDecision}`)
  L.push(`iamplay against the files' expect: ${expectMismatch.length ? `${expectMismatch.length} differ` : 'all met'}`)
  for (const m of expectMismatch) L.push(`         ${m}`)
  L.push(`written to ${join(args.dir, 'disagreements.jsonl')} and summary.json (${summary.seconds.toFixed(1)} s)`)
  process.stdout.write(L.join('\n') + '\n')
  process.exitCode = unknown.length ? 1 : 0
}

main().catch((e) => {
  process.stderr.write(`files.mjs: ${e.stack ?? e}\n`)
  process.exit(2)
})
