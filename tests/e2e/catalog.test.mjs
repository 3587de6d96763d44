// End-to-end tests of the action catalog in the built page (dist/): it arrives after the
// first render from this origin only, the least-privilege findings are underlined and
// listed in the policy editor, a key the action never carries is left out until the
// literal-context toggle is on, and "what can this principal do" answers over the whole
// catalog.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { decision, launch, openApp, screenshots, setScenario } from './browser.mjs';

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
