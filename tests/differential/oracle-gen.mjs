#!/usr/bin/env node
// The reference simulator's own scenario generator (shared/tools/iam-oracle/gen.mjs, its
// throughput scenarios: S3 requests by a role session, one to three identity statements
// with conditions and variables, resource policies, boundaries, SCPs) as a second source
// of scenarios for the differential run, converted to iamplay's format the way
// scripts/bench-vs-oracle.mjs converts them.
//
//   node tests/differential/oracle-gen.mjs --oracle ORACLE.mjs [--n N] [--seed S] [--out DIR]
//
// Writes DIR/scenarios.jsonl (iamplay's format, one request; the id, `g<seed>-<index>`, is
// the scenario and request `name`) and DIR/oracle.jsonl (gen.mjs's line with that id), the
// files compare.mjs reads. The generator gives no principal-derived keys; none of its
// conditions test them, and iamplay's derived values are the ones AWS would give.

import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

function parseArgs(argv) {
  const args = { n: 1000, seed: 1, out: 'target/differential-oracle-gen', oracle: process.env.IAM_ORACLE ?? '/work/shared/tools/iam-oracle/oracle.mjs' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--n') args.n = Number(val())
    else if (a === '--seed') args.seed = Number(val())
    else if (a === '--out') args.out = val()
    else if (a === '--oracle') args.oracle = val()
    else throw new Error(`unknown argument ${a}`)
  }
  return args
}

// A policy of the oracle's format ({name, policy} or a document) in iamplay's.
const named = (p) => (p && typeof p === 'object' && 'policy' in p && !('Statement' in p) ? { name: p.name, document: p.policy } : p)

export function toIamplay(o, id) {
  if (o.vpc_endpoint_policies?.length) return null
  if ((o.permissions_boundaries ?? []).length > 1) return null
  const s = { scenario: 1, name: id, principal: o.request.principal }
  if (o.identity_policies?.length) s.identity_policies = o.identity_policies.map(named)
  if (o.resource_policy) s.resource_policy = named(o.resource_policy)
  if (o.permissions_boundaries?.length) s.permissions_boundary = named(o.permissions_boundaries[0])
  if (o.session_policy) s.session_policy = named(o.session_policy)
  const levels = (l) => l.map((x) => (Array.isArray(x) ? x.map(named) : named(x)))
  if (o.scps?.length) s.scps = levels(o.scps)
  if (o.rcps?.length) s.rcps = levels(o.rcps)
  const { action, resource, resource_account, context } = o.request
  const request = { name: id, action, resource }
  if (resource_account) request.resource_account = resource_account
  if (context) request.context = context
  s.requests = [request]
  return s
}

function main() {
  const args = parseArgs(process.argv.slice(2))
  const gen = spawnSync(process.execPath, [join(dirname(args.oracle), 'gen.mjs'), String(args.n), String(args.seed)], { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (gen.status !== 0) throw new Error(`gen.mjs failed: ${gen.stderr}`)
  const ours = []
  const oracle = []
  let skipped = 0
  for (const [i, line] of gen.stdout.split('\n').filter((l) => l.trim()).entries()) {
    const o = JSON.parse(line)
    const id = `g${args.seed}-${String(i).padStart(5, '0')}`
    const s = toIamplay(o, id)
    if (!s) { skipped++; continue }
    ours.push(s)
    oracle.push({ ...o, id })
  }
  mkdirSync(args.out, { recursive: true })
  writeFileSync(join(args.out, 'scenarios.jsonl'), ours.map((s) => JSON.stringify(s)).join('\n') + '\n')
  writeFileSync(join(args.out, 'oracle.jsonl'), oracle.map((s) => JSON.stringify(s)).join('\n') + '\n')
  process.stderr.write(`converted ${ours.length} scenarios of the oracle's gen.mjs (seed ${args.seed}; ${skipped} skipped) into ${args.out}\n`)
}

if (import.meta.url === `file://${process.argv[1]}`) main()
