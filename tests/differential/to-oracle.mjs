#!/usr/bin/env node
// Translates an iamplay scenario file (shared/SCENARIO.md, the flat version-1 form) into the
// oracle's JSON lines (shared/tools/iam-oracle/README.md), one line per request, so that a
// repro can be checked against the reference simulator:
//
//   node tests/differential/to-oracle.mjs FILE.json | node /work/shared/tools/iam-oracle/oracle.mjs --batch
//
// The oracle derives nothing from the principal, so the keys iamplay derives from it
// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid
// where the unique ID is known, aws:PrincipalTag/* from the principal's tags) and
// aws:ResourceAccount are written into each request's context, as the generator does; a
// value the request gives itself wins. Files that use the ECS extensions (task
// definitions, roles, `as`, templates) or options the oracle lacks are not translated:
// `convertScenario` says why.

import { readFileSync } from 'node:fs'

const isAccountId = (s) => typeof s === 'string' && /^\d{12}$/.test(s)

// A <policy> of SCENARIO.md (document, JSON text, URL-encoded JSON text, or
// {"name", "document"}) as a plain policy document, which both sides take (the name only
// labels traces).
export function oraclePolicy(p) {
  if (p === null || p === undefined) return p
  if (typeof p === 'string') {
    const text = p.trim().startsWith('{') ? p : decodeURIComponent(p)
    return JSON.parse(text)
  }
  if (typeof p === 'object' && !Array.isArray(p) && 'document' in p && !('Statement' in p)) return oraclePolicy(p.document)
  return p
}

function oraclePolicies(v) {
  if (!Array.isArray(v)) return v
  return v.map((x) => (Array.isArray(x) ? x.map(oraclePolicy) : oraclePolicy(x)))
}

// The caller of a v1 scenario: its ARN as the oracle takes it, and the context keys that
// follow from it (DECISIONS.md (f); SCENARIO.md "Keys that the principal implies").
export function describePrincipal(principal) {
  let arn = principal
  let session = null
  let tags = {}
  let uniqueId = null
  if (principal && typeof principal === 'object') {
    arn = principal.arn
    session = principal.session_name ?? null
    tags = principal.tags ?? {}
    uniqueId = principal.unique_id ?? null
  }
  if (typeof arn !== 'string') throw new Error('principal has no ARN')
  const keys = {}
  for (const [k, v] of Object.entries(tags)) keys[`aws:PrincipalTag/${k}`] = String(v)
  if (arn === 'anonymous' || arn === '*') return { arn: 'anonymous', account: '', keys: { 'aws:PrincipalType': 'Anonymous', 'aws:userid': 'anonymous' } }
  if (/\.amazonaws\.com(\.cn)?$/.test(arn)) return { arn, account: '', keys: {} }
  if (isAccountId(arn)) arn = `arn:aws:iam::${arn}:root`
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') throw new Error(`principal ${arn} is not an ARN`)
  const [, partition, service, , account] = parts
  const resource = parts.slice(5).join(':')
  keys['aws:PrincipalAccount'] = account
  if (service === 'iam' && resource === 'root') {
    Object.assign(keys, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'Account', 'aws:userid': account })
    return { arn, account, keys }
  }
  if (service === 'iam' && resource.startsWith('user/')) {
    const name = resource.split('/').pop()
    Object.assign(keys, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'User', 'aws:username': name })
    if (uniqueId) keys['aws:userid'] = uniqueId
    return { arn, account, keys }
  }
  if (service === 'iam' && resource.startsWith('role/')) {
    // A role ARN with session_name is that role's session; the role ARN (with its path) is
    // aws:PrincipalArn, the session ARN never carries the path.
    const name = resource.split('/').pop()
    Object.assign(keys, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'AssumedRole' })
    if (session === null) return { arn, account, keys }
    if (uniqueId) keys['aws:userid'] = `${uniqueId}:${session}`
    return { arn: `arn:${partition}:sts::${account}:assumed-role/${name}/${session}`, account, keys }
  }
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const [, role, sess] = resource.split('/')
    Object.assign(keys, { 'aws:PrincipalArn': `arn:${partition}:iam::${account}:role/${role}`, 'aws:PrincipalType': 'AssumedRole' })
    if (uniqueId) keys['aws:userid'] = `${uniqueId}:${sess}`
    return { arn, account, keys }
  }
  if (service === 'sts' && resource.startsWith('federated-user/')) {
    const name = resource.slice('federated-user/'.length)
    Object.assign(keys, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'FederatedUser', 'aws:userid': `${account}:${name}` })
    return { arn, account, keys }
  }
  throw new Error(`principal ${arn} is not a user, role, session, root or federated user`)
}

// Fields of the ECS extensions (docs/scenario-format.md) that the oracle cannot take.
const ECS_FIELDS = ['task_definition', 'roles', 'instance_role', 'parameters']

// Converts one scenario document. Returns {skip: reason} when it cannot be translated, or
// {requests: [{ours, normalized, oracle}]} with, for each request: `ours` the scenario
// with that request alone (as written, for iamplay), `normalized` the same with a string
// principal and the derived keys in the context (the generator's form, which the
// classifiers rewrite), and `oracle` the oracle's scenario. Ids are `${id}-r${i}`.
export function convertScenario(doc, id) {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { skip: 'not a scenario object' }
  if (doc.scenario === undefined) return { skip: 'ECS task definition or CloudFormation template (no `scenario` key)', ecs: true }
  if (ECS_FIELDS.some((k) => doc[k] !== undefined)) return { skip: `ECS extension (${ECS_FIELDS.filter((k) => doc[k] !== undefined).join(', ')})`, ecs: true }
  if (!Array.isArray(doc.requests) || !doc.requests.length) return { skip: 'no requests' }
  if (doc.requests.some((r) => r.as !== undefined)) return { skip: 'ECS extension (request `as`)', ecs: true }
  if (doc.options && Object.values(doc.options).some((v) => v)) return { skip: `options the oracle lacks (${Object.keys(doc.options).join(', ')})` }
  if (doc.principal === undefined) return { skip: 'no principal' }
  let who
  try {
    who = describePrincipal(doc.principal)
  } catch (e) {
    return { skip: `principal: ${e.message}` }
  }
  const base = {}
  const plain = {}
  try {
    for (const k of ['identity_policies', 'resource_policy', 'permissions_boundary', 'session_policy', 'scps', 'rcps']) {
      if (doc[k] === undefined || doc[k] === null) continue
      base[k] = doc[k]
      plain[k] = Array.isArray(doc[k]) ? oraclePolicies(doc[k]) : oraclePolicy(doc[k])
    }
  } catch (e) {
    return { skip: `a policy is not JSON: ${e.message}` }
  }
  const requests = doc.requests.map((req, i) => {
    const rid = `${id}-r${i + 1}`
    const resourceAccount = req.resource_account ?? (() => {
      const acct = typeof req.resource === 'string' && req.resource.startsWith('arn:') ? req.resource.split(':')[4] : ''
      return acct || who.account
    })()
    // Derived keys where the request does not give them (a given value wins).
    const given = new Set(Object.keys(req.context ?? {}).map((k) => k.toLowerCase()))
    const context = { ...(req.context ?? {}) }
    const derived = { ...who.keys }
    if (resourceAccount) derived['aws:ResourceAccount'] = resourceAccount
    for (const [k, v] of Object.entries(derived)) if (!given.has(k.toLowerCase())) context[k] = v

    const request = { ...req, name: rid }
    delete request.expect
    const ours = { scenario: 1, name: rid, principal: doc.principal, ...base, requests: [request] }
    if (doc.account) ours.account = doc.account
    if (doc.region) ours.region = doc.region
    const normalized = { scenario: 1, name: rid, principal: who.arn, ...plain, requests: [{ ...request, resource_account: resourceAccount || undefined, context }] }

    const oracle = { id: rid }
    if (plain.identity_policies) oracle.identity_policies = plain.identity_policies
    if (plain.resource_policy) oracle.resource_policy = plain.resource_policy
    if (plain.permissions_boundary) oracle.permissions_boundaries = [plain.permissions_boundary]
    if (plain.session_policy) oracle.session_policy = plain.session_policy
    if (plain.scps) oracle.scps = plain.scps
    if (plain.rcps) oracle.rcps = plain.rcps
    oracle.request = { principal: who.arn, action: req.action, resource: req.resource }
    if (req.resource_account) oracle.request.resource_account = req.resource_account
    oracle.request.context = context
    return { ours, normalized, oracle, expect: req.expect ?? null, requestName: req.name ?? null }
  })
  return { requests }
}

// The oracle's lines for one of our scenario documents (throws when it cannot be translated).
export function toOracle(sc, idPrefix = 'scenario') {
  const out = convertScenario(sc, idPrefix)
  if (out.skip) throw new Error(`not translated: ${out.skip}`)
  return out.requests.map((r, i) => ({ ...r.oracle, id: sc.requests[i].name ?? r.oracle.id }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    for (const line of toOracle(JSON.parse(readFileSync(file, 'utf8')), file)) process.stdout.write(JSON.stringify(line) + '\n')
  }
}
