#!/usr/bin/env node
// Key availability, side by side: for every action of the generator and every context key
// of its pools (service keys of all its actions and the global keys), one request carrying
// only that key goes to the oracle (whose strict mode drops the keys iam-data does not
// list for the action, and names them in `ignored_context_keys`) and to iamplay with its
// action catalog (which leaves out the keys the action never carries, `trace.catalog.
// left_out`). The two rules are compared key by key; each pair on which they differ is put
// in a named group, or reported as unexplained.
//
//   node tests/differential/keys.mjs --oracle ORACLE.mjs [--iamplay BIN] [--dir OUT] [--jobs J]
//
// Writes OUT/keys.json (default target/differential-keys). Exit status 1 when a
// difference falls in no group.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ACTIONS, KINDS, KEYS, makeRandom } from './generate.mjs'
import { runOracle, runIamplay } from './compare.mjs'

function parseArgs(argv) {
  const args = { dir: 'target/differential-keys', iamplay: 'target/release/iamplay', oracle: null, jobs: 2 }
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
    else throw new Error(`unknown argument ${a}`)
  }
  if (!args.oracle) throw new Error('--oracle PATH/oracle.mjs is required')
  return args
}

const HOME = '111122223333'
const PRINCIPAL = `arn:aws:iam::${HOME}:user/alice`

function valueOf(spec) {
  const v = spec.t === 'bool' ? 'true' : (spec.req ?? spec.pol)[0]
  return spec.multi ? [v] : v
}

// Groups of differences, each with what decides it.
const TAG_KEY = /^aws:(RequestTag\/.+|TagKeys|ResourceTag\/.+)$/i
const GROUPS = [
  {
    name: 'tag-key-never-carried',
    test: (d) => d.iamplay === 'left out' && d.oracle === 'kept' && TAG_KEY.test(d.key),
    why: 'iamplay leaves out a tag key the Service Authorization Reference does not list for the action; iam-simulate keeps every aws:* key (the deviation class of the same name, DIFFERENTIAL.md)'
  },
  {
    name: 'oracle-drops-kms-encryption-context',
    test: (d) => d.iamplay === 'kept' && d.oracle === 'dropped' && /^kms:EncryptionContext:/i.test(d.key) && /^kms:/i.test(d.action),
    why: 'iam-data lists kms:EncryptionContext:${EncryptionContextKey} for the KMS cryptographic actions; iam-simulate does not match a key against a name with a variable after a colon and drops it, iamplay keeps it (the generator never puts it in a request: `noRequest` in generate.mjs)'
  },
  {
    name: 's3-resource-tag-without-abac',
    test: (d) => d.oracle === 'dropped' && /^aws:ResourceTag\//i.test(d.key) && /^s3:/i.test(d.action),
    why: 'S3 general purpose buckets expose no aws:ResourceTag until ABAC is enabled on the bucket (DECISIONS.md (e)); iam-simulate drops the key unless its s3_abac_enabled option is set'
  }
]

async function main() {
  const args = parseArgs(process.argv.slice(2))
  mkdirSync(args.dir, { recursive: true })
  const R = makeRandom(1)
  const keys = Object.entries(KEYS).filter(([, spec]) => !spec.principal)
  const probes = []
  for (const spec of ACTIONS) {
    const resource = KINDS[spec.kind].make(R, HOME, 'us-east-1')
    for (const [key, k] of keys) {
      const id = `k${String(probes.length).padStart(5, '0')}`
      const context = { [key]: valueOf(k) }
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
      probes.push({
        id, action: spec.action, key,
        ours: { scenario: 1, name: id, principal: PRINCIPAL, identity_policies: [policy], requests: [{ name: id, action: spec.action, resource, resource_account: HOME, context }] },
        oracle: { id, identity_policies: [policy], request: { principal: PRINCIPAL, action: spec.action, resource, resource_account: HOME, context } }
      })
    }
  }
  const [o, u] = await Promise.all([
    runOracle(args.oracle, probes.map((p) => p.oracle)),
    runIamplay(args.iamplay, probes.map((p) => p.ours), join(args.dir, 'scenarios'), { jobs: args.jobs, catalog: true })
  ])
  let agree = 0
  const errors = []
  const differences = []
  for (const p of probes) {
    const or = o.get(p.id)
    const us = u.get(p.id)
    if (!or || or.decision === 'Error' || !us || us.error) { errors.push(`${p.action} ${p.key}: ${or?.error ?? ''} ${us?.error ?? ''}`.trim()); continue }
    const dropped = (or.ignored_context_keys ?? []).some((k) => k.toLowerCase() === p.key.toLowerCase())
    const leftOut = (us.catalog?.left_out ?? []).some((k) => k.key.toLowerCase() === p.key.toLowerCase())
    if (dropped === leftOut) { agree++; continue }
    const d = { action: p.action, key: p.key, oracle: dropped ? 'dropped' : 'kept', iamplay: leftOut ? 'left out' : 'kept' }
    d.group = GROUPS.find((g) => g.test(d))?.name ?? null
    differences.push(d)
  }
  const byGroup = {}
  for (const d of differences) byGroup[d.group ?? 'unexplained'] = (byGroup[d.group ?? 'unexplained'] ?? 0) + 1
  const summary = { probes: probes.length, actions: ACTIONS.length, keys: keys.length, errors: errors.length, agree, differ: differences.length, by_group: byGroup, groups: Object.fromEntries(GROUPS.map((g) => [g.name, g.why])), differences, error_rows: errors }
  writeFileSync(join(args.dir, 'keys.json'), JSON.stringify(summary, null, 2) + '\n')
  const L = []
  L.push(`key availability:    ${probes.length} (action, key) pairs (${ACTIONS.length} actions x ${keys.length} keys), ${errors.length} errors`)
  L.push(`same answer:         ${agree} (both keep, or oracle drops and iamplay leaves out)`)
  L.push(`different:           ${differences.length}`)
  for (const g of [...GROUPS.map((g) => g.name), 'unexplained']) {
    const rows = differences.filter((d) => (d.group ?? 'unexplained') === g)
    if (!rows.length) continue
    L.push(`  ${String(rows.length).padStart(5)}  ${g}`)
    const keysHere = {}
    for (const d of rows) (keysHere[`${d.key} (oracle ${d.oracle}, iamplay ${d.iamplay})`] ??= []).push(d.action)
    for (const [k, acts] of Object.entries(keysHere)) L.push(`         ${k}: ${acts.join(', ')}`)
  }
  for (const e of errors.slice(0, 5)) L.push(`  error: ${e}`)
  L.push(`written to ${join(args.dir, 'keys.json')}`)
  process.stdout.write(L.join('\n') + '\n')
  process.exitCode = byGroup.unexplained ? 1 : 0
}

main().catch((e) => {
  process.stderr.write(`keys.mjs: ${e.stack ?? e}\n`)
  process.exit(2)
})
