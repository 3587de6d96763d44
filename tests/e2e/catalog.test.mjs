// End-to-end tests of the action catalog in the built page (dist/): it arrives after the
// first render from this origin only, the least-privilege findings are underlined and
// listed in the policy editor, a key the action never carries is left out until the
// literal-context toggle is on (and is not offered as "+ add to request"), "what can this
// principal do" answers over the whole catalog, the least-privilege policy is generated,
// copied, applied and undone, and the task definition's checklist is evaluated with the
// catalog.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decision, launch, openApp, repo, screenshots, setScenario } from './browser.mjs';

const scenario = JSON.stringify(
  {
    scenario: 1,
    name: 'Catalog checks',
    principal: 'arn:aws:iam::111122223333:user/alice',
    identity_policies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket/*' },
          {
            Sid: 'Read',
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::bucket/*',
            Condition: { StringEquals: { 'aws:RequestTag/Status': 'OK' } },
          },
        ],
      },
    ],
    requests: [
      { name: 'read with a request tag', action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', context: { 'aws:RequestTag/Status': 'OK' } },
    ],
  },
  null,
  2,
);

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** Waits until the page has the catalog and has evaluated again with it. */
async function catalogReady(page) {
  await page.locator('[data-catalog=ready]').waitFor();
}

test('the catalog arrives after the first render, from this origin only', async () => {
  const { page, seen } = await openApp(env);
  await catalogReady(page);
  assert.match(await page.getByTestId('catalog-status').textContent(), /^catalog: \d{3} services, \d{5} actions$/);
  const own = seen.requests.filter((url) => url.startsWith(env.origin));
  assert.deepEqual(own.length, seen.requests.length, `requests to other origins: ${seen.requests}`);
  assert.ok(own.some((url) => url.endsWith('/catalog.txt')), 'catalog.txt was fetched');
  assert.ok(own.some((url) => url.endsWith('/pkg/iamplay_catalog_www_bg.wasm')), 'the catalog module was fetched');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('findings are underlined and listed; the literal toggle keeps a key the action never carries', async () => {
  const { page, seen } = await openApp(env);
  await catalogReady(page);
  await setScenario(page, scenario);
  await page.getByTestId('tab-parts').click();

  const list = page.getByTestId('policy-editor-0-diagnostics');
  await list.waitFor();
  const findings = await list.textContent();
  // Code in messages is drawn as <code>, so the text has no backticks.
  assert.match(findings, /error: resource-never-matches: s3:ListBucket can never apply here/);
  assert.match(findings, /fix: add arn:aws:s3:::bucket to Resource/);
  assert.match(findings, /error: condition-never-satisfied: condition on aws:RequestTag\/Status can never be satisfied/);
  assert.match(findings, /fix: use aws:PrincipalTag\/Status to test a tag of the calling user or role/);
  assert.ok((await page.locator('[data-testid=policy-0] .diag-error').count()) >= 2, 'the findings are underlined in the editor');

  // By default the request tag is left out: GetObject never carries it.
  assert.equal(await decision(page, 0), 'implicit deny');
  assert.match(await page.getByTestId('result-0').textContent(), /was left out of the evaluation/);

  // The tag-key help says where each tag key's value comes from.
  const help = page.getByTestId('tag-help-0');
  await help.locator('summary').click();
  assert.match(await help.textContent(), /aws:RequestTag\/KEY: never present/);
  assert.match(await help.textContent(), /aws:PrincipalTag\/KEY: can be present/);

  // Autocomplete: the ARN templates of the action and the keys it can carry.
  assert.ok((await page.locator('#arns-0 option[value="arn:aws:s3:::${BucketName}/${ObjectName}"]').count()) === 1);
  assert.ok((await page.locator('#keys-0 option[value="s3:ExistingObjectTag/<key>"]').count()) === 1);

  await page.getByTestId('literal-toggle').check();
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'allowed');
  assert.match(await page.getByTestId('result-0').textContent(), /was evaluated as given \(literal context\)/);
  await page.getByTestId('literal-toggle').uncheck();
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'implicit deny');

  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'catalog-findings.png'), fullPage: true });
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('what can this principal do, over the whole catalog and for one resource', async () => {
  const { page, seen } = await openApp(env);
  await catalogReady(page);
  await setScenario(page, scenario);
  await page.getByTestId('capabilities-toggle').click();
  const summary = page.getByTestId('capabilities-summary');
  await summary.waitFor();
  assert.equal(await summary.textContent(), 'allowed on some resource: 1 action(s) in 1 service(s)');
  const services = page.getByTestId('capabilities-services');
  assert.equal(await services.locator('summary').first().textContent(), 's3 (Amazon S3): 1');
  await services.locator('summary').first().click();
  assert.equal(await services.locator('pre').first().textContent(), 'Read: GetObject (conditional)\n');

  await page.getByTestId('capabilities-resource').fill('arn:aws:s3:::bucket/key');
  await page.waitForFunction(() => document.querySelector('[data-testid=capabilities-summary]')?.textContent.startsWith('allowed on `arn:aws:s3:::bucket/key`'));
  assert.equal(await summary.textContent(), 'allowed on `arn:aws:s3:::bucket/key`: 0 action(s)');

  await page.screenshot({ path: path.join(screenshots, 'catalog-capabilities.png'), fullPage: true });
  assert.deepEqual(seen.problems, []);
  await page.close();
});

/** The identity policy asking for a request tag, and a read that sends none. */
const untagged = JSON.stringify(
  {
    scenario: 1,
    name: 'A read without request tags',
    principal: 'arn:aws:iam::111122223333:user/alice',
    identity_policies: [
      {
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*', Condition: { StringEquals: { 'aws:RequestTag/Status': 'OK' } } },
      },
    ],
    requests: [{ name: 'read', action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key' }],
  },
  null,
  2,
);

test('"+ add to request" is offered only for keys the action can carry, once the catalog is here', async () => {
  // Hold the catalog back: before it arrives the page offers the key as it always did.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await env.context.route('**/catalog.txt', async (route) => {
    await held;
    await route.continue();
  });
  const { page, seen } = await openApp(env);
  await setScenario(page, untagged);
  await page.getByTestId('tab-parts').click();
  const add = page.getByTestId('add-missing-0-aws:RequestTag/Status');
  await add.waitFor();
  assert.equal(await page.locator('[data-catalog=loading]').count(), 1);
  release();
  await catalogReady(page);
  await env.context.unroute('**/catalog.txt');

  // With the catalog: why adding it would change nothing, and what works instead.
  const never = page.getByTestId('missing-0').locator('.never');
  await never.waitFor();
  assert.equal(await add.count(), 0);
  const said = await never.textContent();
  assert.match(said, /^adding it would change nothing: s3:GetObject never carries aws:RequestTag\/Status/);
  assert.match(said, /Instead, use aws:PrincipalTag\/Status to test a tag of the calling user or role, or s3:ExistingObjectTag\/Status/);
  await mkdir(screenshots, { recursive: true });
  await page.getByTestId('result-0').screenshot({ path: path.join(screenshots, 'catalog-never-carried.png') });

  // With the literal-context toggle the context is evaluated as given: offered again.
  await page.getByTestId('literal-toggle').check();
  await add.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'allowed');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

const broad = JSON.stringify(
  {
    scenario: 1,
    name: 'Least privilege',
    principal: 'arn:aws:iam::111122223333:user/alice',
    identity_policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }],
    requests: [
      { name: 'read the object', action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', expect: 'allowed' },
      { name: 'list the bucket', action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket' },
      { name: 'never delete', action: 's3:DeleteObject', resource: 'arn:aws:s3:::bucket/key', expect: 'implicitDeny' },
    ],
  },
  null,
  2,
);

test('the least-privilege policy: generated, verified, compared, copied, applied and undone', async () => {
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.origin });
  const { page, seen } = await openApp(env);
  await catalogReady(page);
  await setScenario(page, broad);
  await page.getByTestId('tab-parts').click();
  assert.equal(await decision(page, 2), 'allowed', 's3:* allows the delete the scenario expects denied');

  await page.getByTestId('least-privilege-toggle').click();
  const shown = page.getByTestId('least-privilege-policy');
  await shown.waitFor();
  const policy = await shown.textContent();
  const statements = JSON.parse(policy).Statement;
  assert.deepEqual(statements, [
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/key' },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket' },
  ]);
  assert.equal(await page.getByTestId('least-privilege-summary').textContent(), 'verified: every request is allowed by this policy alone');
  const blocks = await page.getByTestId('least-privilege-services').locator('summary').allTextContents();
  assert.equal(blocks[0], '2 request(s) evaluated against this policy alone');
  assert.match(blocks[1], /^difference: the current policies allow \d+ action\(s\), this one 2; no longer allowed:$/);
  await page.getByTestId('least-privilege-services').locator('summary').nth(1).click();
  assert.match(await page.getByTestId('least-privilege-services').locator('pre').nth(1).textContent(), /^s3:/);

  // Copy.
  await page.locator('[data-copy=least-privilege-policy]').click();
  await page.locator('[data-copy=least-privilege-policy][data-copied=yes]').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), policy);
  await mkdir(screenshots, { recursive: true });
  await page.getByTestId('least-privilege').screenshot({ path: path.join(screenshots, 'catalog-least-privilege.png') });

  // Use it as the identity policy: the delete is denied now, as expected; then undo.
  await page.getByTestId('least-privilege-use').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-2]')?.textContent.trim() === 'implicit deny');
  assert.match(await page.getByTestId('banner').textContent(), /the generated policy is now the only identity policy/);
  assert.equal(await decision(page, 0), 'allowed');
  assert.equal(await decision(page, 1), 'allowed');
  assert.match(await page.getByTestId('suite').textContent(), /expectations: 2 of 2 met/);
  assert.equal(await page.getByTestId('group-identity').locator('[data-testid^=policy-name-]').count(), 1);
  await page.getByTestId('banner-restore').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-2]')?.textContent.trim() === 'allowed');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('the checklist is evaluated with the catalog, as the request made from a line is', async () => {
  // The execution role may read secrets only with a tag of the task, which never reaches them.
  const example = await readFile(path.join(repo, 'examples', 'ecs-fargate-template.json'), 'utf8');
  const logs = "log-group:/ecs/worker:*'\\n";
  const text = example.replace(
    logs,
    `${logs}              - Effect: Allow\\n                Action: secretsmanager:GetSecretValue\\n                Resource: '*'\\n                Condition:\\n                  StringEquals:\\n                    ecs:ResourceTag/Status: OK\\n`,
  );
  assert.notEqual(text, example);
  const { page, seen } = await openApp(env);
  await catalogReady(page);
  await setScenario(page, text);
  await page.getByTestId('tab-parts').click();
  const line = page.locator('li[data-testid^=check-]', { hasText: 'secretsmanager:GetSecretValue on' });
  await line.waitFor();
  const never = /the request has no ecs:ResourceTag\/Status, and secretsmanager:GetSecretValue never carries it/;
  assert.match(await line.textContent(), never);
  // The line made the current request (the example's second request already is it): the
  // same answer.
  await line.locator('[data-testid^=check-use-]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=result-1]')?.classList.contains('selected'));
  assert.match(await page.getByTestId('why-1').textContent(), never);
  await line.screenshot({ path: path.join(screenshots, 'catalog-checklist-line.png') });
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('autocomplete: actions as typed, the ARN templates and the keys of the chosen action', async () => {
  const { page, seen } = await openApp(env);
  await catalogReady(page);
  await setScenario(page, untagged);
  await page.getByTestId('tab-parts').click();
  const action = page.getByTestId('request-action-0');
  await action.fill('s3:GetObj');
  await page.locator('#actions-0 option[value="s3:GetObjectTagging"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('#actions-0 option[value="s3:GetObject"]').count(), 1);
  assert.equal(await page.locator('#actions-0 option[value="s3:PutObject"]').count(), 0);
  await action.fill('ecs:TagResource');
  await page.locator('#keys-0 option[value="aws:RequestTag/${TagKey}"]').waitFor({ state: 'attached' });
  assert.ok((await page.locator('#arns-0 option').count()) > 1, 'the ARN templates of the tag-able ECS resources');
  // With the principal's account filled in (the scenario names no region).
  assert.ok((await page.locator('#arns-0 option[value^="arn:aws:ecs:${Region}:111122223333:task/"]').count()) === 1);
  await action.fill('s3:GetObject');
  await page.locator('#arns-0 option[value="arn:aws:s3:::${BucketName}/${ObjectName}"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('#keys-0 option[value="aws:RequestTag/${TagKey}"]').count(), 0, 'GetObject never carries request tags');
  assert.equal(await page.locator('#keys-0 option[value="aws:PrincipalTag/${TagKey}"]').count(), 1);
  assert.deepEqual(seen.problems, []);
  await page.close();
});
