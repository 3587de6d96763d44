#!/usr/bin/env node
// Random scenario generator for the differential test of iamplay against the reference
// simulator (shared/tools/iam-oracle, over @cloud-copilot/iam-simulate).
//
//   node tests/differential/generate.mjs [--n N] [--seed S] [--out DIR]
//
// Writes two JSON-lines files with the same scenarios, paired by `id`:
//   DIR/scenarios.jsonl  iamplay's scenario format (shared/SCENARIO.md), one request, no
//                        `expect`; the id is the scenario `name` and the request `name`
//   DIR/oracle.jsonl     the oracle's format (shared/tools/iam-oracle/README.md)
//
// No dependencies; the same (N, seed) always gives the same files.
//
// What it covers: identity policies, a resource-based policy (bucket, queue, key, table,
// repository, secret, topic, function, event bus policy, or a role trust policy), a permissions
// boundary, a session policy, SCPs and RCPs in one or several organisation levels;
// every condition operator family (String*, Numeric*, Date*, Bool, BinaryEquals,
// IpAddress/NotIpAddress, Arn*, Null, ...IfExists, ForAllValues:/ForAnyValue:);
// NotAction, NotResource, NotPrincipal; policy variables in Resource and in condition
// values (with defaults), under Version 2012-10-17 and, sometimes, 2008-10-17 or no
// Version; same-account and cross-account requests by IAM users and role sessions;
// real actions and resource ARNs that iam-data knows, with context keys valid for the
// action (the oracle's strict mode drops the others).
//
// Principal-derived keys (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
// aws:userid, aws:username, aws:PrincipalTag/*) and aws:ResourceAccount are always given
// in the request context: the oracle derives nothing, iamplay derives them but a given
// value wins, so both sides see the same context.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// ---------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32).

export function makeRandom(seed) {
  let a = (seed >>> 0) || 0x9e3779b9
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const R = {
    next,
    chance: (p) => next() < p,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    // Weighted pick: [[weight, value], ...]
    weighted: (pairs) => {
      const total = pairs.reduce((s, [w]) => s + w, 0)
      let r = next() * total
      for (const [w, v] of pairs) { if ((r -= w) < 0) return v }
      return pairs[pairs.length - 1][1]
    },
    subset: (xs, min = 0, max = xs.length) => {
      const n = R.int(min, Math.min(max, xs.length))
      const pool = [...xs]
      const out = []
      while (out.length < n) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0])
      return out
    }
  }
  return R
}

// ---------------------------------------------------------------------------------------
// The world: accounts, principals, resources.

const HOME = '111122223333'
const OTHER = '444455556666'
const ORG = 'o-a1b2c3d4e5'
const REGIONS = ['us-east-1', 'eu-west-1']

// Principals: IAM users and role sessions, each with fixed tags so that conditions and
// variables on aws:PrincipalTag/* are true about half the time.
const USERS = [
  { name: 'alice', path: '/', id: 'AIDAALICEEXAMPLE00001', tags: { team: 'red', env: 'prod' } },
  { name: 'bob', path: '/', id: 'AIDABOBEXAMPLE0000002', tags: { team: 'blue' } },
  { name: 'carol', path: '/eng/', id: 'AIDACAROLEXAMPLE00003', tags: {} }
]
const ROLES = [
  { name: 'AppRole', path: '/', id: 'AROAAPPROLEEXAMPLE001', tags: { team: 'red', env: 'dev' }, sessions: ['web-1', 'i-0abc1234def567890'] },
  { name: 'DataRole', path: '/service/', id: 'AROADATAROLEEXAMPLE02', tags: { team: 'blue', env: 'prod' }, sessions: ['alice', 'batch'] }
]

function makePrincipal(R, account) {
  if (R.chance(0.45)) {
    const u = R.pick(USERS)
    const arn = `arn:aws:iam::${account}:user${u.path}${u.name}`
    return {
      kind: 'user', account, arn, principalArn: arn, name: u.name, userid: u.id,
      tags: u.tags, principalType: 'User', chain: [arn]
    }
  }
  const r = R.pick(ROLES)
  const session = R.pick(r.sessions)
  const arn = `arn:aws:sts::${account}:assumed-role/${r.name}/${session}`
  const roleArn = `arn:aws:iam::${account}:role${r.path}${r.name}`
  return {
    kind: 'session', account, arn, roleArn, principalArn: roleArn, role: r.name, session,
    userid: `${r.id}:${session}`, tags: r.tags, principalType: 'AssumedRole'
  }
}

// Resource kinds: how to build a concrete ARN (in `account`, `region`) and the name pools
// that policy patterns and variables draw from.
export const KINDS = {
  object: {
    svc: 's3',
    make: (R) => `arn:aws:s3:::${R.pick(['app-data', 'shared-logs'])}/${R.pick(['reports/q1.csv', 'home/alice/notes.txt', 'home/bob/todo.txt', 'home/red/plan.md', 'public/index.html'])}`,
    others: ['arn:aws:s3:::app-data/reports/q2.csv', 'arn:aws:s3:::other-bucket/home/alice/notes.txt'],
    patterns: ['arn:aws:s3:::app-data/*', 'arn:aws:s3:::app-data/home/*', 'arn:aws:s3:::*/home/*', 'arn:aws:s3:::shared-*/*', 'arn:aws:s3:::app-data/reports/q?.csv', 'arn:aws:s3:::App-Data/*', 'arn:aws:s3:::*', 'arn:aws:s3:::app-data', 'arn:aws:s3:::*/*/*/*'],
    variables: ['arn:aws:s3:::app-data/home/${aws:username}/*', 'arn:aws:s3:::*/home/${aws:PrincipalTag/team}/*', "arn:aws:s3:::app-data/home/${aws:PrincipalTag/team, 'alice'}/*", 'arn:aws:s3:::${aws:PrincipalTag/env}-data/*', 'arn:aws:s3:::*/home/${aws:userid}/*', 'arn:aws:s3:::app-data/${*}']
  },
  bucket: {
    svc: 's3',
    make: (R) => `arn:aws:s3:::${R.pick(['app-data', 'shared-logs', 'red-bucket'])}`,
    others: ['arn:aws:s3:::other-bucket'],
    patterns: ['arn:aws:s3:::app-*', 'arn:aws:s3:::*', 'arn:aws:s3:::*-data', 'arn:aws:s3:::app-data/*', 'arn:aws:s3:::???-bucket'],
    variables: ['arn:aws:s3:::${aws:PrincipalTag/team}-bucket', "arn:aws:s3:::${aws:PrincipalTag/team, 'app'}-data"]
  },
  star: {
    svc: null,
    make: () => '*',
    others: [],
    patterns: ['arn:aws:s3:::*', 'arn:aws:ecr:*:*:*', 'arn:aws:*:*:*:*'],
    variables: []
  },
  queue: {
    svc: 'sqs',
    make: (R, acct, region) => `arn:aws:sqs:${region}:${acct}:${R.pick(['orders', 'orders-dlq', 'red-jobs'])}`,
    others: [`arn:aws:sqs:us-east-1:${HOME}:billing`],
    patterns: ['arn:aws:sqs:*:*:orders*', 'arn:aws:sqs:us-east-1:*:*', `arn:aws:sqs:*:${HOME}:*`, 'arn:aws:sqs:*:*:*', 'arn:aws:sqs:*'],
    variables: ['arn:aws:sqs:*:${aws:PrincipalAccount}:*', 'arn:aws:sqs:*:*:${aws:PrincipalTag/team}-*']
  },
  key: {
    svc: 'kms',
    make: (R, acct, region) => `arn:aws:kms:${region}:${acct}:key/${R.pick(['1234abcd-12ab-34cd-56ef-1234567890ab', '0987dcba-09fe-87dc-65ba-ab0987654321'])}`,
    others: [`arn:aws:kms:us-east-1:${HOME}:key/ffffffff-0000-1111-2222-333333333333`],
    patterns: ['arn:aws:kms:*:*:key/*', 'arn:aws:kms:us-east-1:*:key/1234*', `arn:aws:kms:*:${OTHER}:key/*`, 'arn:aws:kms:*:*:alias/*'],
    variables: ['arn:aws:kms:*:${aws:PrincipalAccount}:key/*']
  },
  table: {
    svc: 'dynamodb',
    make: (R, acct, region) => `arn:aws:dynamodb:${region}:${acct}:table/${R.pick(['Orders', 'red-sessions'])}`,
    others: [`arn:aws:dynamodb:us-east-1:${HOME}:table/Audit`],
    patterns: ['arn:aws:dynamodb:*:*:table/*', 'arn:aws:dynamodb:*:*:table/Orders', 'arn:aws:dynamodb:*:*:table/orders', 'arn:aws:dynamodb:eu-west-1:*:*'],
    variables: ['arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/team}-*']
  },
  instance: {
    svc: 'ec2',
    make: (R, acct, region) => `arn:aws:ec2:${region}:${acct}:instance/${R.pick(['i-0123456789abcdef0', 'i-0fedcba9876543210'])}`,
    others: [`arn:aws:ec2:us-east-1:${HOME}:volume/vol-0123456789abcdef0`],
    patterns: ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:us-east-1:*:instance/*', 'arn:aws:ec2:*', 'arn:aws:ec2:*:instance/*', 'arn:aws:ec2:*:*:*'],
    variables: ['arn:aws:ec2:*:${aws:PrincipalAccount}:instance/*']
  },
  iamuser: {
    svc: 'iam',
    make: (R, acct) => `arn:aws:iam::${acct}:user/${R.pick(['new-hire', 'eng/contractor', 'alice-bot'])}`,
    others: [`arn:aws:iam::${HOME}:role/new-hire`],
    patterns: ['arn:aws:iam::*:user/*', 'arn:aws:iam::*:user/eng/*', `arn:aws:iam::${HOME}:user/*`, 'arn:aws:iam::*:user/New-Hire'],
    variables: ['arn:aws:iam::*:user/${aws:username}-*', 'arn:aws:iam::${aws:PrincipalAccount}:user/*']
  },
  role: {
    svc: 'iam',
    make: (R, acct) => `arn:aws:iam::${acct}:role/${R.pick(['DeployRole', 'red-ops', 'service/AppRole'])}`,
    others: [`arn:aws:iam::${HOME}:role/Admin`],
    patterns: ['arn:aws:iam::*:role/*', 'arn:aws:iam::*:role/Deploy*', `arn:aws:iam::${OTHER}:role/*`, 'arn:aws:iam::*:role/service/*'],
    variables: ['arn:aws:iam::*:role/${aws:PrincipalTag/team}-*']
  },
  repo: {
    svc: 'ecr',
    make: (R, acct, region) => `arn:aws:ecr:${region}:${acct}:repository/${R.pick(['web', 'team/red-api'])}`,
    others: [`arn:aws:ecr:us-east-1:${HOME}:repository/db`],
    patterns: ['arn:aws:ecr:*:*:repository/*', 'arn:aws:ecr:*:*:repository/team/*', 'arn:aws:ecr:us-east-1:*:repository/web'],
    variables: ['arn:aws:ecr:*:*:repository/team/${aws:PrincipalTag/team}-*']
  },
  logstream: {
    svc: 'logs',
    make: (R, acct, region) => `arn:aws:logs:${region}:${acct}:log-group:${R.pick(['/ecs/web', '/ecs/worker'])}:log-stream:${R.pick(['ecs/web/abc123', 'app'])}`,
    others: [`arn:aws:logs:us-east-1:${HOME}:log-group:/aws/lambda/x:log-stream:y`],
    patterns: ['arn:aws:logs:*:*:log-group:/ecs/web:*', 'arn:aws:logs:*:*:log-group:/ecs/*', 'arn:aws:logs:*:*:log-group:/ecs/web', 'arn:aws:logs:*:*:*', 'arn:aws:logs:*:*:log-group:*:log-stream:app'],
    variables: []
  },
  loggroup: {
    svc: 'logs',
    make: (R, acct, region) => `arn:aws:logs:${region}:${acct}:log-group:${R.pick(['/ecs/web', '/ecs/worker'])}`,
    others: [`arn:aws:logs:us-east-1:${HOME}:log-group:/aws/lambda/x`],
    patterns: ['arn:aws:logs:*:*:log-group:/ecs/web:*', 'arn:aws:logs:*:*:log-group:/ecs/*', 'arn:aws:logs:*:*:log-group:/ecs/web'],
    variables: []
  },
  secret: {
    svc: 'secretsmanager',
    make: (R, acct, region) => `arn:aws:secretsmanager:${region}:${acct}:secret:${R.pick(['db-password-AbCdEf', 'red/api-key-XyZ123'])}`,
    others: [`arn:aws:secretsmanager:us-east-1:${HOME}:secret:other-QwErTy`],
    patterns: ['arn:aws:secretsmanager:*:*:secret:db-password-??????', 'arn:aws:secretsmanager:*:*:secret:*', 'arn:aws:secretsmanager:*:*:secret:red/*'],
    variables: ['arn:aws:secretsmanager:*:*:secret:${aws:PrincipalTag/team}/*']
  },
  topic: {
    svc: 'sns',
    make: (R, acct, region) => `arn:aws:sns:${region}:${acct}:${R.pick(['alerts', 'red-events'])}`,
    others: [`arn:aws:sns:us-east-1:${HOME}:billing`],
    patterns: ['arn:aws:sns:*:*:alerts', 'arn:aws:sns:*:*:*', 'arn:aws:sns:us-east-1:*:*'],
    variables: ['arn:aws:sns:*:*:${aws:PrincipalTag/team}-*']
  },
  function: {
    svc: 'lambda',
    make: (R, acct, region) => `arn:aws:lambda:${region}:${acct}:function:${R.pick(['resize', 'red-handler'])}`,
    others: [`arn:aws:lambda:us-east-1:${HOME}:function:other`],
    patterns: ['arn:aws:lambda:*:*:function:*', 'arn:aws:lambda:*:*:function:resize*', 'arn:aws:lambda:*:*:function:red-*'],
    variables: ['arn:aws:lambda:*:*:function:${aws:PrincipalTag/team}-*']
  },
  parameter: {
    svc: 'ssm',
    make: (R, acct, region) => `arn:aws:ssm:${region}:${acct}:parameter/${R.pick(['app/db-url', 'red/token'])}`,
    others: [`arn:aws:ssm:us-east-1:${HOME}:parameter/other`],
    patterns: ['arn:aws:ssm:*:*:parameter/app/*', 'arn:aws:ssm:*:*:parameter/*', 'arn:aws:ssm:*:*:parameter/App/*'],
    variables: ['arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team}/*']
  },
  eventbus: {
    svc: 'events',
    make: (R, acct, region) => `arn:aws:events:${region}:${acct}:event-bus/${R.pick(['default', 'red-bus'])}`,
    others: [`arn:aws:events:us-east-1:${HOME}:rule/nightly`],
    patterns: ['arn:aws:events:*:*:event-bus/*', 'arn:aws:events:*:*:event-bus/default', `arn:aws:events:*:${HOME}:*`, 'arn:aws:events:us-east-1:*:event-bus/red-*'],
    variables: ['arn:aws:events:*:*:event-bus/${aws:PrincipalTag/team}-*']
  },
  taskdef: {
    svc: 'ecs',
    make: (R, acct, region) => `arn:aws:ecs:${region}:${acct}:task-definition/${R.pick(['web:3', 'batch:12'])}`,
    others: [`arn:aws:ecs:us-east-1:${HOME}:task-definition/other:1`],
    patterns: ['arn:aws:ecs:*:*:task-definition/web:*', 'arn:aws:ecs:*:*:task-definition/*', 'arn:aws:ecs:*:*:task-definition/web'],
    variables: []
  }
}

// Actions: the resource kind, whether the resource can carry a resource-based policy
// ('rp' optional, 'required' for KMS key policies, 'trust' for role trust policies),
// and the service condition keys iam-data lists for the action or its resource type.
export const ACTIONS = [
  { action: 's3:GetObject', kind: 'object', rp: 'rp', keys: ['s3:ExistingObjectTag/classification', 's3:TlsVersion', 's3:authType', 's3:signatureAge', 's3:ResourceAccount'], others: ['s3:GetObjectVersion', 's3:GetObjectTagging'] },
  { action: 's3:PutObject', kind: 'object', rp: 'rp', keys: ['s3:RequestObjectTag/project', 's3:RequestObjectTagKeys', 's3:x-amz-server-side-encryption', 's3:x-amz-acl', 's3:object-lock-retain-until-date', 's3:x-amz-server-side-encryption-aws-kms-key-id', 's3:TlsVersion'], others: ['s3:PutObjectAcl', 's3:PutObjectTagging'] },
  { action: 's3:DeleteObject', kind: 'object', rp: 'rp', keys: ['s3:TlsVersion', 's3:authType'], others: ['s3:DeleteObjectVersion'] },
  { action: 's3:ListBucket', kind: 'bucket', rp: 'rp', keys: ['s3:prefix', 's3:delimiter', 's3:max-keys', 's3:TlsVersion'], others: ['s3:ListBucketVersions', 's3:GetBucketLocation'] },
  { action: 's3:ListAllMyBuckets', kind: 'star', keys: ['s3:TlsVersion', 's3:authType'], others: ['s3:ListBucket'] },
  { action: 'sqs:SendMessage', kind: 'queue', rp: 'rp', keys: ['aws:ResourceTag/owner'], others: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'] },
  { action: 'kms:Decrypt', kind: 'key', rp: 'required', keys: ['kms:EncryptionContext:purpose', 'kms:EncryptionContextKeys', 'kms:ViaService', 'kms:CallerAccount', 'kms:EncryptionAlgorithm', 'kms:ResourceAliases', 'aws:ResourceTag/owner'], others: ['kms:Encrypt', 'kms:GenerateDataKey'] },
  { action: 'dynamodb:GetItem', kind: 'table', rp: 'rp', keys: ['dynamodb:Attributes', 'dynamodb:LeadingKeys', 'dynamodb:Select', 'dynamodb:ReturnConsumedCapacity', 'aws:ResourceTag/owner'], others: ['dynamodb:PutItem', 'dynamodb:Query'] },
  { action: 'ec2:RunInstances', kind: 'instance', keys: ['ec2:InstanceType', 'ec2:Tenancy', 'ec2:EbsOptimized', 'ec2:MetadataHttpPutResponseHopLimit', 'ec2:Region', 'aws:RequestTag/project', 'aws:TagKeys'], others: ['ec2:StartInstances', 'ec2:TerminateInstances'] },
  { action: 'iam:CreateUser', kind: 'iamuser', keys: ['aws:RequestTag/project', 'aws:TagKeys', 'iam:PermissionsBoundary'], others: ['iam:DeleteUser', 'iam:CreateAccessKey'] },
  { action: 'iam:PassRole', kind: 'role', keys: ['iam:PassedToService', 'iam:AssociatedResourceArn', 'aws:ResourceTag/owner'], others: ['iam:GetRole'] },
  { action: 'ecr:GetAuthorizationToken', kind: 'star', keys: [], others: ['ecr:BatchGetImage'] },
  { action: 'ecr:BatchGetImage', kind: 'repo', rp: 'rp', keys: ['aws:ResourceTag/owner'], others: ['ecr:GetDownloadUrlForLayer', 'ecr:PutImage'] },
  { action: 'logs:PutLogEvents', kind: 'logstream', keys: ['aws:ResourceTag/owner'], others: ['logs:CreateLogStream'] },
  { action: 'logs:CreateLogGroup', kind: 'loggroup', keys: ['aws:RequestTag/project', 'aws:TagKeys'], others: ['logs:DeleteLogGroup'] },
  { action: 'secretsmanager:GetSecretValue', kind: 'secret', rp: 'rp', keys: ['secretsmanager:VersionStage', 'secretsmanager:SecretId', 'aws:ResourceTag/owner'], others: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'] },
  { action: 'sts:AssumeRole', kind: 'role', rp: 'trust', keys: ['sts:ExternalId', 'sts:RoleSessionName', 'sts:SourceIdentity', 'aws:RequestTag/project', 'aws:TagKeys', 'iam:ResourceTag/owner'], others: ['sts:TagSession'] },
  { action: 'sns:Publish', kind: 'topic', rp: 'rp', keys: ['aws:ResourceTag/owner'], others: ['sns:Subscribe'] },
  { action: 'lambda:InvokeFunction', kind: 'function', rp: 'rp', keys: ['lambda:InvokedViaFunctionUrl', 'aws:ResourceTag/owner'], others: ['lambda:GetFunction'] },
  { action: 'ssm:GetParameter', kind: 'parameter', keys: ['aws:ResourceTag/owner'], others: ['ssm:GetParameters', 'ssm:PutParameter'] },
  { action: 'events:PutEvents', kind: 'eventbus', rp: 'rp', keys: ['events:source', 'events:detail-type', 'aws:ResourceTag/owner'], others: ['events:PutRule', 'events:DescribeEventBus'] },
  { action: 'ecs:RunTask', kind: 'taskdef', keys: ['ecs:cluster', 'ecs:task-cpu', 'ecs:capacity-provider', 'aws:RequestTag/project', 'aws:TagKeys', 'aws:ResourceTag/owner'], others: ['ecs:DescribeTaskDefinition'] }
]

// ---------------------------------------------------------------------------------------
// Condition keys: type, request values and policy values. Request values and policy
// values overlap so that a condition is true about half the time.
//   t: str | arn | num | date | bool | ip | bin;  multi: multivalued (ArrayOf... in iam-data)
//   req: request values;  pol: policy values (defaults to req);  like: *Like patterns;
//   vars: policy values with variables (String and ARN operators)

export const KEYS = {
  // Global keys
  'aws:SourceIp': { t: 'ip', req: ['203.0.113.7', '198.51.100.20', '10.1.2.3', '2001:db8::10'], pol: ['203.0.113.0/24', '10.0.0.0/8', '198.51.100.20', '2001:db8::/64', '192.0.2.0/24', '198.51.100.0/25', '0.0.0.0/0'] },
  'aws:SecureTransport': { t: 'bool' },
  'aws:MultiFactorAuthPresent': { t: 'bool' },
  'aws:ViaAWSService': { t: 'bool' },
  'aws:CurrentTime': { t: 'date', req: ['2026-01-15T12:00:00Z', '2026-06-30T08:30:00Z', '2025-12-31T23:59:59Z'], pol: ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-06-30T08:30:00Z', '1767225600', '2026-01-15T13:00:00+01:00', '2026-02-01'] },
  'aws:EpochTime': { t: 'date', req: ['1767225600', '1782806400', '1768478400'], pol: ['1767225600', '1775000000', '2026-01-15T12:00:00Z', '2026-07-01T00:00:00Z'] },
  'aws:TokenIssueTime': { t: 'date', req: ['2026-01-15T11:00:00Z', '2026-01-15T12:30:00Z'], pol: ['2026-01-15T12:00:00Z', '2026-01-15T11:00:00Z'] },
  'aws:MultiFactorAuthAge': { t: 'num', req: ['30', '300', '3600', '86400'], pol: ['300', '3600', '3600.0', '86400'] },
  'aws:RequestedRegion': { t: 'str', req: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], like: ['us-*', 'eu-*', '*-1'] },
  'aws:UserAgent': { t: 'str', req: ['aws-cli/2.15.0 Python/3.11', 'Boto3/1.34.0', 'console.amazonaws.com'], like: ['aws-cli/*', '*Boto3*', '*.amazonaws.com'] },
  'aws:SourceVpce': { t: 'str', req: ['vpce-1a2b3c4d', 'vpce-9z8y7x6w'], like: ['vpce-1*'] },
  'aws:SourceVpc': { t: 'str', req: ['vpc-111aaa', 'vpc-222bbb'], like: ['vpc-1*'] },
  'aws:PrincipalOrgID': { t: 'str', req: [ORG, 'o-zz99yy88xx'], like: ['o-a1*'] },
  'aws:PrincipalOrgPaths': { t: 'str', multi: true, req: [`${ORG}/r-ab12/ou-ab12-11111111/`, `${ORG}/r-ab12/ou-ab12-22222222/`], like: [`${ORG}/r-ab12/ou-ab12-11111111/*`, `${ORG}/*`] },
  'aws:CalledVia': { t: 'str', multi: true, req: ['cloudformation.amazonaws.com', 'athena.amazonaws.com'], like: ['*.amazonaws.com', 'cloud*'] },
  'aws:SourceArn': { t: 'arn', req: [`arn:aws:ecs:us-east-1:${HOME}:task/main/abc123`, 'arn:aws:s3:::app-data', `arn:aws:sns:eu-west-1:${OTHER}:alerts`], like: [`arn:aws:ecs:*:${HOME}:*`, 'arn:aws:s3:::app-*', 'arn:aws:sns:*:*:alerts', `arn:aws:*:*:${HOME}:*`, 'arn:aws:ecs:us-east-1:*:task/*'], vars: ['arn:aws:ecs:*:${aws:PrincipalAccount}:*'] },
  'aws:SourceAccount': { t: 'str', req: [HOME, OTHER], vars: ['${aws:PrincipalAccount}', '${aws:ResourceAccount}'] },
  'aws:RequestTag/project': { t: 'str', req: ['alpha', 'beta', 'Alpha'], like: ['a*', '*ta'], vars: ['${aws:PrincipalTag/team}'] },
  'aws:TagKeys': { t: 'str', multi: true, req: ['project', 'owner', 'cost-center'], like: ['p*', '*-*'] },
  'aws:ResourceTag/owner': { t: 'str', req: ['red', 'blue'], vars: ['${aws:PrincipalTag/team}', "${aws:PrincipalTag/team, 'red'}", '${aws:username}'] },
  'aws:RequestTag/blob': { t: 'bin', req: ['QmluYXJ5VmFsdWU=', 'T3RoZXJWYWx1ZQ=='] },
  // Principal keys: request values come from the principal; these are policy values.
  'aws:PrincipalArn': { t: 'arn', principal: true, pol: [`arn:aws:iam::${HOME}:user/alice`, `arn:aws:iam::${HOME}:role/AppRole`, `arn:aws:iam::${HOME}:role/service/DataRole`, `arn:aws:iam::${OTHER}:user/bob`], like: [`arn:aws:iam::${HOME}:role/*`, 'arn:aws:iam::*:user/*', 'arn:aws:iam::*:role/service/*', `arn:aws:iam::${OTHER}:*`], vars: ['arn:aws:iam::${aws:PrincipalAccount}:*', 'arn:aws:iam::*:user/${aws:username}'] },
  'aws:PrincipalAccount': { t: 'str', principal: true, pol: [HOME, OTHER], vars: ['${aws:ResourceAccount}'] },
  'aws:PrincipalType': { t: 'str', principal: true, pol: ['User', 'AssumedRole'] },
  'aws:userid': { t: 'str', principal: true, pol: ['AIDAALICEEXAMPLE00001', 'AROAAPPROLEEXAMPLE001:web-1'], like: ['AROA*:*', 'AIDA*', 'AROAAPPROLEEXAMPLE001:*', '*:alice'] },
  'aws:username': { t: 'str', principal: true, pol: ['alice', 'bob', 'Alice'], like: ['a*', '*o*'] },
  'aws:PrincipalTag/team': { t: 'str', principal: true, pol: ['red', 'blue', 'RED'], like: ['r*', '*e*'] },
  'aws:PrincipalTag/env': { t: 'str', principal: true, pol: ['prod', 'dev'], like: ['p*'] },
  'aws:ResourceAccount': { t: 'str', principal: true, pol: [HOME, OTHER], vars: ['${aws:PrincipalAccount}'] },
  // Service keys
  's3:ExistingObjectTag/classification': { t: 'str', req: ['public', 'confidential', 'red'], vars: ['${aws:PrincipalTag/team}'] },
  's3:TlsVersion': { t: 'num', req: ['1.2', '1.3', '1.0'], pol: ['1.2', '1.3'] },
  's3:authType': { t: 'str', req: ['REST-HEADER', 'REST-QUERY-STRING', 'POST'], like: ['REST-*'] },
  's3:signatureAge': { t: 'num', req: ['1000', '600000'], pol: ['300000', '1000'] },
  's3:ResourceAccount': { t: 'str', req: [HOME, OTHER], vars: ['${aws:PrincipalAccount}'] },
  's3:RequestObjectTag/project': { t: 'str', req: ['alpha', 'beta'], like: ['a*'] },
  's3:RequestObjectTagKeys': { t: 'str', multi: true, req: ['project', 'owner', 'secret'], like: ['p*'] },
  's3:x-amz-server-side-encryption': { t: 'str', req: ['AES256', 'aws:kms'] },
  's3:x-amz-acl': { t: 'str', req: ['private', 'public-read', 'bucket-owner-full-control'], like: ['public-*'] },
  's3:object-lock-retain-until-date': { t: 'date', req: ['2026-12-31T00:00:00Z', '2030-01-01T00:00:00Z'], pol: ['2027-01-01T00:00:00Z', '2030-01-01T00:00:00Z'] },
  's3:x-amz-server-side-encryption-aws-kms-key-id': { t: 'arn', req: [`arn:aws:kms:us-east-1:${HOME}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, `arn:aws:kms:us-east-1:${OTHER}:key/0987dcba-09fe-87dc-65ba-ab0987654321`], like: [`arn:aws:kms:*:${HOME}:key/*`] },
  's3:prefix': { t: 'str', req: ['home/alice/', 'home/bob/', '', 'reports/'], like: ['home/*', 'home/alice/*', ''], vars: ['home/${aws:username}/*', 'home/${aws:username}/', "home/${aws:username, 'bob'}/"] },
  's3:delimiter': { t: 'str', req: ['/', '-'] },
  's3:max-keys': { t: 'num', req: ['5', '10', '100', '1000'], pol: ['10', '100', '10.0'] },
  // The oracle drops this key from request contexts (iam-data spells it with a variable
  // after a colon), so requests never carry it; policies still test it (absent on both sides).
  'kms:EncryptionContext:purpose': { t: 'str', req: ['backup', 'payments'], like: ['pay*'], noRequest: true },
  'kms:EncryptionContextKeys': { t: 'str', multi: true, req: ['purpose', 'tenant'], like: ['p*'] },
  'kms:ViaService': { t: 'str', req: ['s3.us-east-1.amazonaws.com', 'secretsmanager.us-east-1.amazonaws.com'], like: ['s3.*.amazonaws.com'] },
  'kms:CallerAccount': { t: 'str', req: [HOME, OTHER], vars: ['${aws:PrincipalAccount}'] },
  'kms:EncryptionAlgorithm': { t: 'str', req: ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256'] },
  'kms:ResourceAliases': { t: 'str', multi: true, req: ['alias/app', 'alias/red-team'], like: ['alias/red-*'] },
  'dynamodb:Attributes': { t: 'str', multi: true, req: ['PK', 'Message', 'Secret'] },
  'dynamodb:LeadingKeys': { t: 'str', multi: true, req: ['alice', 'bob', 'red'], vars: ['${aws:username}', '${aws:PrincipalTag/team}'] },
  'dynamodb:Select': { t: 'str', req: ['ALL_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES'] },
  'dynamodb:ReturnConsumedCapacity': { t: 'str', req: ['TOTAL', 'NONE'] },
  'ec2:InstanceType': { t: 'str', req: ['t3.micro', 'm5.large', 't2.nano'], like: ['t3.*', 't*', 'm5.?arge'] },
  'ec2:Tenancy': { t: 'str', req: ['default', 'dedicated'] },
  'ec2:EbsOptimized': { t: 'bool' },
  'ec2:MetadataHttpPutResponseHopLimit': { t: 'num', req: ['1', '2', '3'], pol: ['1', '2'] },
  'ec2:Region': { t: 'str', req: ['us-east-1', 'eu-west-1'] },
  'iam:PermissionsBoundary': { t: 'arn', req: [`arn:aws:iam::${HOME}:policy/Boundary`, `arn:aws:iam::${HOME}:policy/Other`], like: ['arn:aws:iam::*:policy/Bound*'], vars: ['arn:aws:iam::${aws:PrincipalAccount}:policy/Boundary'] },
  'iam:PassedToService': { t: 'str', req: ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'], like: ['ecs-*'] },
  'iam:AssociatedResourceArn': { t: 'arn', req: [`arn:aws:ecs:us-east-1:${HOME}:task-definition/web:3`, `arn:aws:lambda:us-east-1:${HOME}:function:resize`], like: ['arn:aws:ecs:*:*:task-definition/*'] },
  'secretsmanager:VersionStage': { t: 'str', req: ['AWSCURRENT', 'AWSPREVIOUS'] },
  'secretsmanager:SecretId': { t: 'arn', req: [`arn:aws:secretsmanager:us-east-1:${HOME}:secret:db-password-AbCdEf`, `arn:aws:secretsmanager:us-east-1:${HOME}:secret:red/api-key-XyZ123`], like: ['arn:aws:secretsmanager:*:*:secret:red/*'] },
  'sts:ExternalId': { t: 'str', req: ['ext-123', 'ext-999'] },
  'sts:RoleSessionName': { t: 'str', req: ['alice', 'web-1', 'batch'], vars: ['${aws:username}'] },
  'sts:SourceIdentity': { t: 'str', req: ['alice', 'bob'], vars: ['${aws:username}'] },
  'iam:ResourceTag/owner': { t: 'str', req: ['red', 'blue'], vars: ['${aws:PrincipalTag/team}'] },
  'lambda:InvokedViaFunctionUrl': { t: 'bool' },
  'events:source': { t: 'str', multi: true, req: ['com.example.orders', 'aws.s3', 'com.example.billing'], like: ['com.example.*'] },
  'events:detail-type': { t: 'str', multi: true, req: ['OrderPlaced', 'Object Created'], like: ['Order*'] },
  'ecs:cluster': { t: 'arn', req: [`arn:aws:ecs:us-east-1:${HOME}:cluster/main`, `arn:aws:ecs:us-east-1:${HOME}:cluster/red`], like: ['arn:aws:ecs:*:*:cluster/main'] },
  'ecs:task-cpu': { t: 'num', req: ['256', '1024', '4096'], pol: ['1024', '512'] },
  'ecs:capacity-provider': { t: 'arn', multi: true, req: [`arn:aws:ecs:us-east-1:${HOME}:capacity-provider/FARGATE`, `arn:aws:ecs:us-east-1:${HOME}:capacity-provider/FARGATE_SPOT`], like: ['arn:aws:ecs:*:*:capacity-provider/FARGATE'] }
}

// Global keys that may appear in any request (besides the principal keys).
export const GLOBAL_KEYS = ['aws:SourceIp', 'aws:SecureTransport', 'aws:MultiFactorAuthPresent', 'aws:ViaAWSService', 'aws:CurrentTime', 'aws:EpochTime', 'aws:TokenIssueTime', 'aws:MultiFactorAuthAge', 'aws:RequestedRegion', 'aws:UserAgent', 'aws:SourceVpce', 'aws:SourceVpc', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:CalledVia', 'aws:SourceArn', 'aws:SourceAccount', 'aws:RequestTag/blob']
export const PRINCIPAL_KEYS = ['aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:PrincipalType', 'aws:userid', 'aws:username', 'aws:PrincipalTag/team', 'aws:PrincipalTag/env', 'aws:ResourceAccount']
const ALL_SERVICE_KEYS = [...new Set(ACTIONS.flatMap((a) => a.keys))]

// The service keys a request for this action may carry (iam-data lists them for the action
// or its resource type). aws:ResourceTag/* is never listed for S3 actions: the oracle drops
// it unless bucket ABAC is on (DECISIONS.md (e)).
function validKeysFor(spec) {
  return spec.keys
}

// ---------------------------------------------------------------------------------------
// Condition operators.

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']
const NUM_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals']
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals']

function requestPool(key, spec) {
  return spec.req ?? spec.pol ?? []
}

function upperFirst(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s
}

// Policy values for a string operator on `key`.
function stringValues(R, key, spec, op, variablesAllowed) {
  const pool = spec.pol ?? spec.req ?? []
  const like = op.includes('Like')
  const n = R.weighted([[6, 1], [3, 2], [1, 3]])
  const out = []
  for (let i = 0; i < n; i++) {
    let v
    if (variablesAllowed && spec.vars && R.chance(0.3)) v = R.pick(spec.vars)
    else if (like && spec.like && R.chance(0.6)) v = R.pick(spec.like)
    else if (like && R.chance(0.3)) {
      const base = R.pick(pool)
      v = base.length > 2 ? (R.chance(0.5) ? base.slice(0, 2) + '*' : base.slice(0, 1) + '?' + base.slice(2)) : base + '*'
    } else v = R.pick(pool)
    if (op.includes('IgnoreCase') && R.chance(0.4) && v) v = R.chance(0.5) ? v.toUpperCase() : upperFirst(v)
    if (!out.includes(v)) out.push(v)
  }
  return out
}

// A condition on `key`: [operator, key, values].
function makeCondition(R, key, opts) {
  const spec = KEYS[key]
  const v2012 = opts.variables
  let op
  let values
  let qualifier = ''
  // Set operators: mostly on multivalued keys, sometimes on single-valued ones.
  if (spec.multi ? R.chance(0.85) : R.chance(0.06)) qualifier = R.pick(['ForAllValues:', 'ForAnyValue:'])
  if (R.chance(0.08)) {
    // Null: presence test (a set qualifier on Null is a documented degenerate case).
    op = 'Null'
    values = [R.chance(0.5) ? 'true' : 'false']
    if (qualifier && R.chance(0.7)) qualifier = ''
    if (R.chance(0.15)) values = [values[0] === 'true']
    return [qualifier + op, key, values]
  }
  switch (spec.t) {
    case 'str':
      op = R.pick(STRING_OPS)
      values = stringValues(R, key, spec, op, v2012)
      break
    case 'arn':
      op = R.chance(0.75) ? R.pick(ARN_OPS) : R.pick(['StringEquals', 'StringLike', 'StringNotLike'])
      values = []
      const n = R.weighted([[7, 1], [3, 2]])
      for (let i = 0; i < n; i++) {
        const pool = [...(spec.pol ?? spec.req), ...(op.includes('Like') || op.startsWith('Arn') ? spec.like ?? [] : [])]
        let v = (v2012 && spec.vars && R.chance(0.25)) ? R.pick(spec.vars) : R.pick(pool)
        if (!values.includes(v)) values.push(v)
      }
      break
    case 'num': {
      op = R.pick(NUM_OPS)
      const pool = spec.pol ?? spec.req
      values = R.chance(0.8) ? [R.pick(pool)] : R.subset(pool, 2, 2)
      if (R.chance(0.15)) values = values.map((v) => (Number.isInteger(Number(v)) ? Number(v) : v))
      break
    }
    case 'date': {
      op = R.pick(DATE_OPS)
      const pool = spec.pol ?? spec.req
      values = R.chance(0.85) ? [R.pick(pool)] : R.subset(pool, 2, 2)
      break
    }
    case 'bool':
      op = 'Bool'
      values = [R.chance(0.5) ? 'true' : 'false']
      if (R.chance(0.2)) values = [values[0] === 'true']
      break
    case 'ip': {
      op = R.chance(0.6) ? 'IpAddress' : 'NotIpAddress'
      values = R.chance(0.6) ? [R.pick(spec.pol)] : R.subset(spec.pol, 2, 3)
      break
    }
    case 'bin':
      op = 'BinaryEquals'
      values = R.chance(0.8) ? [R.pick(spec.req)] : [...spec.req]
      break
    default:
      throw new Error(`no operator for ${key}`)
  }
  // ...IfExists on any operator but Null.
  const ifExists = R.chance(0.2) ? 'IfExists' : ''
  return [qualifier + op + ifExists, key, values]
}

// Collect [op, key, values] triples into a Condition block (operators ANDed, keys ANDed).
function conditionBlock(triples, R) {
  const block = {}
  for (const [op, key, values] of triples) {
    block[op] ??= {}
    // Single values are written bare half the time.
    block[op][key] = values.length === 1 && R.chance(0.5) ? values[0] : values
  }
  return block
}

// Pick a condition key for a statement: principal and global keys, the request action's
// service keys, and sometimes another action's keys (absent from this request).
function pickConditionKey(R, spec, forPolicy) {
  const own = validKeysFor(spec)
  return R.weighted([
    [forPolicy === 'rcp' ? 4 : 3, () => R.pick(PRINCIPAL_KEYS)],
    [3, () => R.pick(GLOBAL_KEYS)],
    [own.length ? 4 : 0, () => R.pick(own)],
    [0.6, () => R.pick(ALL_SERVICE_KEYS)]
  ])()
}

function makeConditions(R, spec, opts, forPolicy) {
  const n = R.weighted([[7, 1], [3, 2], [1, 3]])
  const triples = []
  for (let i = 0; i < n; i++) {
    const key = pickConditionKey(R, spec, forPolicy)
    if (triples.some(([, k]) => k.toLowerCase() === key.toLowerCase())) continue
    triples.push(makeCondition(R, key, opts))
  }
  return conditionBlock(triples, R)
}

// ---------------------------------------------------------------------------------------
// Action and resource patterns.

function actionPatterns(R, spec, noStar = false) {
  const [svc, name] = spec.action.split(':')
  const prefix = name.match(/^[A-Z][a-z]+/)?.[0] ?? name.slice(0, 3)
  const other = R.pick(ACTIONS.filter((a) => a !== spec)).action
  return R.weighted([
    [10, () => spec.action],
    [3, () => `${svc}:*`],
    [2, () => `${svc}:${prefix}*`],
    [noStar ? 0 : 2, () => '*'],
    [1, () => `${svc.toUpperCase()}:${name.toLowerCase()}`],
    [1, () => `${svc}:${name.slice(0, 1)}?${name.slice(2)}`],
    [3, () => R.pick(spec.others)],
    [3, () => other],
    [1, () => `${svc}:*${name.slice(-4)}`]
  ])()
}

// RCPs reject `"Action": "*"` (only RCPFullAWSAccess may use it).
function actionElement(R, spec, noStar = false) {
  const n = R.weighted([[6, 1], [3, 2], [1, 3]])
  const list = []
  for (let i = 0; i < n; i++) {
    const a = actionPatterns(R, spec, noStar)
    if (!list.includes(a)) list.push(a)
  }
  return list.length === 1 && R.chance(0.6) ? list[0] : list
}

function resourcePattern(R, spec, resource, resourceAccount, region) {
  const kind = KINDS[spec.kind]
  const choices = [
    [8, () => resource],
    [4, () => '*'],
    [5, () => R.pick(kind.patterns)],
    [2, () => (kind.others.length ? R.pick(kind.others) : '*')],
    [kind.variables.length ? 4 : 0, () => R.pick(kind.variables)],
    [1, () => (resource === '*' ? '*' : resource.replace(resourceAccount, resourceAccount === HOME ? OTHER : HOME))],
    [1, () => (resource === '*' ? 'arn:aws:s3:::*' : resource.replace(region, '*'))]
  ]
  if (resource !== '*') {
    const parts = resource.split(':')
    const res = parts.slice(5).join(':')
    if (res.length > 3) {
      choices.push([3, () => `${parts.slice(0, 5).join(':')}:${res.slice(0, R.int(1, res.length - 1))}*`])
    }
  }
  return R.weighted(choices)()
}

function resourceElement(R, spec, ctx, policyType) {
  const n = R.weighted([[7, 1], [3, 2]])
  const list = []
  for (let i = 0; i < n; i++) {
    const r = resourcePattern(R, spec, ctx.resource, ctx.resourceAccount, ctx.region)
    if (!list.includes(r)) list.push(r)
  }
  return list.length === 1 && R.chance(0.6) ? list[0] : list
}

// ---------------------------------------------------------------------------------------
// Statements and policies.

function version(R) {
  return R.weighted([[90, '2012-10-17'], [5, '2008-10-17'], [5, null]])
}

function doc(R, statements, v) {
  const d = {}
  if (v) d.Version = v
  d.Statement = statements.length === 1 && R.chance(0.2) ? statements[0] : statements
  return d
}

let sidCounter = 0
function statement(R, spec, ctx, { effect, policyType, v2012 }) {
  const s = {}
  if (R.chance(0.3)) s.Sid = `S${++sidCounter}`
  s.Effect = effect
  if (R.chance(policyType === 'rcp' ? 0.05 : 0.12)) s.NotAction = actionElement(R, spec, policyType === 'rcp')
  else s.Action = actionElement(R, spec, policyType === 'rcp')
  if (R.chance(policyType === 'rcp' ? 0.05 : 0.1)) s.NotResource = resourceElement(R, spec, { ...ctx, v2012 }, policyType)
  else s.Resource = resourceElement(R, spec, { ...ctx, v2012 }, policyType)
  if (R.chance(policyType === 'rcp' ? 0.8 : 0.45)) {
    const c = makeConditions(R, spec, { variables: v2012 }, policyType)
    if (Object.keys(c).length) s.Condition = c
  }
  return s
}

function identityPolicy(R, spec, ctx, effects = [0.82, 0.18]) {
  const v = version(R)
  const n = R.weighted([[5, 1], [4, 2], [2, 3]])
  const st = []
  for (let i = 0; i < n; i++) {
    st.push(statement(R, spec, ctx, { effect: R.chance(effects[0]) ? 'Allow' : 'Deny', policyType: 'identity', v2012: v === '2012-10-17' }))
  }
  return doc(R, st, v)
}

// Principal element values for a resource-based policy.
function principalValue(R, ctx) {
  const p = ctx.principal
  const acct = p.account
  const other = acct === HOME ? OTHER : HOME
  const mine = p.kind === 'user' ? [p.arn] : [p.arn, p.roleArn, `arn:aws:iam::${acct}:role/${p.role}`]
  const candidates = [
    [5, () => R.pick(mine)],
    [3, () => acct],
    [3, () => `arn:aws:iam::${acct}:root`],
    [2, () => '*'],
    [2, () => `arn:aws:iam::${other}:root`],
    [2, () => R.pick([`arn:aws:iam::${acct}:user/bob`, `arn:aws:iam::${acct}:role/OtherRole`, `arn:aws:sts::${acct}:assumed-role/AppRole/other-session`, `arn:aws:iam::${other}:user/alice`])]
  ]
  const n = R.weighted([[6, 1], [3, 2], [1, 3]])
  const list = []
  for (let i = 0; i < n; i++) {
    const v = R.weighted(candidates)()
    if (!list.includes(v)) list.push(v)
  }
  if (list.length === 1 && list[0] === '*' && R.chance(0.5)) return '*'
  const aws = list.length === 1 && R.chance(0.5) ? list[0] : list
  const out = { AWS: aws }
  if (R.chance(0.05)) out.Service = 'ecs-tasks.amazonaws.com'
  return out
}

// NotPrincipal lists: subsets of the caller's identity chain (session, role, account) and
// other principals.
function notPrincipalValue(R, ctx) {
  const p = ctx.principal
  const acct = p.account
  const chain = p.kind === 'user' ? [p.arn, `arn:aws:iam::${acct}:root`] : [p.arn, p.roleArn, `arn:aws:iam::${acct}:root`]
  const pool = [...chain, `arn:aws:iam::${acct}:user/bob`, `arn:aws:iam::${acct === HOME ? OTHER : HOME}:root`]
  let list = R.chance(0.35) ? [...chain] : R.subset(pool, 1, 3)
  if (R.chance(0.2) && list.includes(`arn:aws:iam::${acct}:root`)) list = list.map((x) => (x === `arn:aws:iam::${acct}:root` ? acct : x))
  return { AWS: list.length === 1 && R.chance(0.5) ? list[0] : list }
}

function resourcePolicy(R, spec, ctx) {
  const v = R.weighted([[94, '2012-10-17'], [3, '2008-10-17'], [3, null]])
  const v2012 = v === '2012-10-17'
  const n = R.weighted([[5, 1], [4, 2], [2, 3]])
  const st = []
  const trust = spec.rp === 'trust'
  for (let i = 0; i < n; i++) {
    const effect = R.chance(0.78) ? 'Allow' : 'Deny'
    const s = {}
    if (R.chance(0.3)) s.Sid = `R${++sidCounter}`
    s.Effect = effect
    if (effect === 'Deny' && R.chance(0.25)) s.NotPrincipal = notPrincipalValue(R, ctx)
    else s.Principal = principalValue(R, ctx)
    if (trust) {
      s.Action = R.weighted([[6, 'sts:AssumeRole'], [2, ['sts:AssumeRole', 'sts:TagSession']], [1, 'sts:*'], [1, 'sts:TagSession']])
    } else {
      if (R.chance(0.08)) s.NotAction = actionElement(R, spec)
      else s.Action = actionElement(R, spec)
      if (R.chance(0.07)) s.NotResource = resourceElement(R, spec, { ...ctx, v2012 }, 'resource')
      else s.Resource = resourceElement(R, spec, { ...ctx, v2012 }, 'resource')
    }
    if (R.chance(0.4)) {
      const c = makeConditions(R, spec, { variables: v2012 }, 'resource')
      if (Object.keys(c).length) s.Condition = c
    }
    st.push(s)
  }
  return doc(R, st, v)
}

function boundaryPolicy(R, spec, ctx) {
  const v = R.weighted([[95, '2012-10-17'], [5, null]])
  const st = []
  if (R.chance(0.35)) st.push({ Effect: 'Allow', Action: R.pick([`${spec.action.split(':')[0]}:*`, '*']), Resource: '*' })
  const n = R.weighted([[6, 1], [3, 2]])
  for (let i = 0; i < n; i++) st.push(statement(R, spec, ctx, { effect: R.chance(0.85) ? 'Allow' : 'Deny', policyType: 'boundary', v2012: v === '2012-10-17' }))
  return doc(R, st, v)
}

function sessionPolicy(R, spec, ctx) {
  const v = R.weighted([[95, '2012-10-17'], [5, null]])
  const st = []
  const n = R.weighted([[6, 1], [3, 2]])
  for (let i = 0; i < n; i++) st.push(statement(R, spec, ctx, { effect: R.chance(0.85) ? 'Allow' : 'Deny', policyType: 'session', v2012: v === '2012-10-17' }))
  return doc(R, st, v)
}

// Services of the generated actions that RCPs govern (AWS Organizations, RCP-supported
// services; the full list is read by classifiers.mjs from iam-data): RCPs are generated more
// often for them.
const RCP_SERVICES = ['s3', 'sts', 'kms', 'sqs', 'secretsmanager', 'logs', 'dynamodb', 'ecr', 'events']

const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }

function scpLevels(R, spec, ctx) {
  const levels = []
  const n = R.weighted([[4, 1], [4, 2], [2, 3]])
  for (let l = 0; l < n; l++) {
    const level = []
    if (R.chance(0.75)) level.push(FULL_AWS_ACCESS)
    else {
      // An allow-list SCP in place of FullAWSAccess.
      const [svc] = spec.action.split(':')
      const st = [{ Effect: 'Allow', Action: R.weighted([[3, `${svc}:*`], [2, spec.action], [2, `${R.pick(ACTIONS).action.split(':')[0]}:*`], [1, [`${svc}:*`, 'iam:*']]]), Resource: '*' }]
      if (R.chance(0.3)) st[0] = statement(R, spec, ctx, { effect: 'Allow', policyType: 'scp', v2012: true })
      level.push({ Version: '2012-10-17', Statement: st })
    }
    if (R.chance(0.25)) {
      const st = [statement(R, spec, ctx, { effect: 'Deny', policyType: 'scp', v2012: true })]
      level.push({ Version: '2012-10-17', Statement: st })
    }
    levels.push(level)
  }
  return levels
}

function rcpLevels(R, spec, ctx) {
  const levels = []
  const n = R.weighted([[6, 1], [3, 2]])
  const [svc] = spec.action.split(':')
  for (let l = 0; l < n; l++) {
    const level = []
    const m = R.weighted([[3, 0], [6, 1], [2, 2]])
    for (let i = 0; i < m; i++) {
      const s = { Effect: 'Deny', Principal: '*' }
      s.Action = R.weighted([[4, `${svc}:*`], [3, spec.action], [2, `${R.pick(['s3', 'sqs', 'kms', 'sts', 'secretsmanager'])}:*`], [1, actionElement(R, spec, true)]])
      s.Resource = R.weighted([[6, '*'], [3, () => resourceElement(R, spec, { ...ctx, v2012: true }, 'rcp')]])
      if (typeof s.Resource === 'function') s.Resource = s.Resource()
      // Typical data-perimeter conditions, or random ones.
      s.Condition = R.weighted([
        [3, () => ({ StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } })],
        [2, () => ({ StringNotEquals: { 'aws:PrincipalAccount': R.pick([HOME, OTHER, [HOME, OTHER]]) } })],
        [2, () => ({ Bool: { 'aws:SecureTransport': 'false' } })],
        [4, () => makeConditions(R, spec, { variables: true }, 'rcp')]
      ])()
      if (!Object.keys(s.Condition).length) delete s.Condition
      level.push({ Version: '2012-10-17', Statement: [s] })
    }
    levels.push(level)
  }
  return levels
}

// ---------------------------------------------------------------------------------------
// Request context.

function contextValue(R, key, spec) {
  const pool = requestPool(key, spec)
  if (spec.t === 'bool') {
    const v = R.chance(0.5) ? 'true' : 'false'
    return R.chance(0.2) ? v === 'true' : v
  }
  if (spec.multi) {
    if (R.chance(0.05)) return []
    return R.subset(pool, 1, pool.length)
  }
  const v = R.pick(pool)
  if (spec.t === 'num' && R.chance(0.2) && Number.isInteger(Number(v))) return Number(v)
  return v
}

// All condition keys and variables a set of policies refers to.
export function referencedKeys(policies) {
  const keys = new Set()
  const walk = (node) => {
    if (typeof node === 'string') {
      for (const m of node.matchAll(/\$\{([^}]*)\}/g)) {
        const k = m[1].split(',')[0].trim()
        if (!['*', '?', '$'].includes(k)) keys.add(k.toLowerCase())
      }
      return
    }
    if (Array.isArray(node)) return node.forEach(walk)
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'Condition' && v && typeof v === 'object') {
          for (const block of Object.values(v)) {
            if (block && typeof block === 'object') for (const ck of Object.keys(block)) keys.add(ck.toLowerCase())
          }
        }
        walk(v)
      }
    }
  }
  walk(policies)
  return keys
}

function buildContext(R, spec, ctx, policies) {
  const p = ctx.principal
  const c = {}
  // Principal keys: always given (the oracle derives nothing).
  c['aws:PrincipalArn'] = p.principalArn
  c['aws:PrincipalAccount'] = p.account
  c['aws:PrincipalType'] = p.principalType
  c['aws:userid'] = p.userid
  if (p.kind === 'user') c['aws:username'] = p.name
  for (const [k, v] of Object.entries(p.tags)) c[`aws:PrincipalTag/${k}`] = v
  c['aws:ResourceAccount'] = ctx.resourceAccount
  if (p.account === HOME && R.chance(0.7)) {
    c['aws:PrincipalOrgID'] = ORG
    if (R.chance(0.6)) c['aws:PrincipalOrgPaths'] = R.subset(KEYS['aws:PrincipalOrgPaths'].req, 1, 2)
  }
  // Keys the policies test: present about 80% of the time, when valid for the action.
  const referenced = referencedKeys(policies)
  const valid = new Set([...GLOBAL_KEYS, ...validKeysFor(spec)].map((k) => k.toLowerCase()))
  const byLower = Object.fromEntries(Object.keys(KEYS).map((k) => [k.toLowerCase(), k]))
  for (const lower of referenced) {
    const key = byLower[lower]
    if (!key || KEYS[key].principal || KEYS[key].noRequest || !valid.has(lower) || key in c) continue
    if (R.chance(0.8)) c[key] = contextValue(R, key, KEYS[key])
  }
  // Some unrelated noise keys.
  for (let i = 0; i < R.int(0, 2); i++) {
    const key = R.pick([...GLOBAL_KEYS, ...validKeysFor(spec)])
    if (!(key in c) && !KEYS[key].noRequest) c[key] = contextValue(R, key, KEYS[key])
  }
  return c
}

// ---------------------------------------------------------------------------------------
// One scenario.

export function generateOne(R, id) {
  const spec = R.pick(ACTIONS)
  const kind = KINDS[spec.kind]
  const crossAccount = R.chance(spec.rp ? 0.3 : 0.12)
  const principalAccount = R.chance(0.8) ? HOME : OTHER
  const resourceAccount = crossAccount ? (principalAccount === HOME ? OTHER : HOME) : principalAccount
  const region = R.pick(REGIONS)
  const principal = makePrincipal(R, principalAccount)
  const resource = kind.make(R, resourceAccount, region)
  const ctx = { principal, resource, resourceAccount, region }

  const s = { identity: [], resource: null, boundary: null, session: null, scps: [], rcps: [] }
  const nIdentity = R.weighted([[1, 0], [6, 1], [3, 2]])
  for (let i = 0; i < nIdentity; i++) s.identity.push(identityPolicy(R, spec, ctx))
  if (spec.rp) {
    const p = spec.rp === 'required' ? 0.85 : spec.rp === 'trust' ? 0.8 : 0.55
    if (R.chance(p)) s.resource = resourcePolicy(R, spec, ctx)
  }
  if (R.chance(0.25)) s.boundary = boundaryPolicy(R, spec, ctx)
  if (principal.kind === 'session' && R.chance(0.25)) s.session = sessionPolicy(R, spec, ctx)
  if (R.chance(0.3)) s.scps = scpLevels(R, spec, ctx)
  // RCPs govern only some services (AWS Organizations, RCP-supported services); they are
  // generated less often for the others, where they only exercise that rule.
  if (R.chance(RCP_SERVICES.includes(kind.svc ?? spec.action.split(':')[0]) ? 0.3 : 0.08)) s.rcps = rcpLevels(R, spec, ctx)

  const context = buildContext(R, spec, ctx, s)
  // SCPs/RCPs: a single level is written flat half the time (both formats read a flat
  // list as one level).
  const orgShape = (levels) => (levels.length === 1 && R.chance(0.5) ? levels[0] : levels)
  const scps = s.scps.length ? orgShape(s.scps) : null
  const rcps = s.rcps.length ? orgShape(s.rcps) : null

  const ours = { scenario: 1, name: id, principal: principal.arn }
  if (s.identity.length) ours.identity_policies = s.identity
  if (s.resource) ours.resource_policy = s.resource
  if (s.boundary) ours.permissions_boundary = s.boundary
  if (s.session) ours.session_policy = s.session
  if (scps) ours.scps = scps
  if (rcps) ours.rcps = rcps
  ours.requests = [{ name: id, action: spec.action, resource, resource_account: resourceAccount, context }]

  const oracle = { id }
  if (s.identity.length) oracle.identity_policies = s.identity
  if (s.resource) oracle.resource_policy = s.resource
  if (s.boundary) oracle.permissions_boundaries = [s.boundary]
  if (s.session) oracle.session_policy = s.session
  if (scps) oracle.scps = scps
  if (rcps) oracle.rcps = rcps
  oracle.request = { principal: principal.arn, action: spec.action, resource, resource_account: resourceAccount, context }
  return { id, ours, oracle }
}

export function generate(n, seed) {
  const R = makeRandom(seed)
  sidCounter = 0
  const out = []
  for (let i = 0; i < n; i++) out.push(generateOne(R, `s${seed}-${String(i).padStart(5, '0')}`))
  return out
}

function parseArgs(argv) {
  const args = { n: 10000, seed: 1, out: 'target/differential' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--n' || a === '-n') args.n = Number(val())
    else if (a === '--seed') args.seed = Number(val())
    else if (a === '--out') args.out = val()
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node tests/differential/generate.mjs [--n N] [--seed S] [--out DIR]\n')
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  if (!Number.isInteger(args.n) || args.n < 1) throw new Error('--n must be a positive integer')
  if (!Number.isInteger(args.seed)) throw new Error('--seed must be an integer')
  return args
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const args = parseArgs(process.argv.slice(2))
    mkdirSync(args.out, { recursive: true })
    const rows = generate(args.n, args.seed)
    writeFileSync(join(args.out, 'scenarios.jsonl'), rows.map((r) => JSON.stringify(r.ours)).join('\n') + '\n')
    writeFileSync(join(args.out, 'oracle.jsonl'), rows.map((r) => JSON.stringify(r.oracle)).join('\n') + '\n')
    process.stderr.write(`generated ${rows.length} scenarios (seed ${args.seed}) in ${args.out}\n`)
  } catch (e) {
    process.stderr.write(`generate.mjs: ${e.message}\n`)
    process.exit(2)
  }
}
