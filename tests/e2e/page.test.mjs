// End-to-end tests of the built page (dist/) in Chromium: the example's decisions, edits,
// diagnostics, markup shown as text, and no request to any other origin.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decision, launch, openApp, repo, screenshots, setScenario, showFile } from './browser.mjs';

const example = await readFile(path.join(repo, 'examples', 'task-role-tags.json'), 'utf8');
const requestTagCondition = '"StringEquals": { "aws:RequestTag/Status"';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('the page opens on the example: implicit deny, then allowed', async () => {
  const { page, seen } = await openApp(env);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'main.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(screenshots, 'main-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  // The scenario file tab shows the example exactly as written.
  await showFile(page);
  assert.equal(await page.getByTestId('editor').inputValue(), example);
  assert.equal(await page.getByLabel('Scenario (JSON)').count(), 1, 'the editor has a label');
  assert.equal(await decision(page, 0), 'implicit deny');
  assert.equal(await decision(page, 1), 'allowed');
  assert.notEqual((await page.getByTestId('why-0').textContent()).trim(), '');
  assert.equal(await page.getByTestId('diagnostic').count(), 0);
  await page.screenshot({ path: path.join(screenshots, 'scenario-file.png') });

  // The trace opens on demand and shows the condition with its missing request value.
  await page.getByTestId('trace-toggle-0').click();
  const trace = page.getByTestId('trace-0');
  await trace.waitFor();
  const traceText = await trace.textContent();
  assert.match(traceText, /aws:RequestTag\/Status/);
  assert.match(traceText, /missing/);
  assert.equal(await page.getByTestId('trace-toggle-0').getAttribute('aria-expanded'), 'true');

  await page.screenshot({ path: path.join(screenshots, 'trace-full.png'), fullPage: true });

  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('moving the condition to the principal tag allows the first request', async () => {
  const { page, seen } = await openApp(env);
  assert.ok(example.includes(requestTagCondition), 'the example changed: update this test');
  await setScenario(page, example.replace(requestTagCondition, '"StringEquals": { "aws:PrincipalTag/Status"'));
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'allowed');
  assert.equal(await decision(page, 0), 'allowed');
  assert.equal(await decision(page, 1), 'allowed');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('invalid JSON shows a located diagnostic and the page recovers', async () => {
  const { page, seen } = await openApp(env);
  await setScenario(page, '{\n  "scenario": 1,\n  oops\n}\n');
  const position = page.getByTestId('diagnostic-position').first();
  await position.waitFor();
  const [line, column] = (await position.textContent()).trim().split(':').map(Number);
  assert.equal(line, 3, 'the error is on the line of `oops`');
  assert.ok(Number.isInteger(column) && column >= 1, `column ${column}`);
  assert.ok((await page.getByTestId('diagnostic').first().textContent()).includes('error'));

  // The page keeps working: fixing the text brings the results back.
  await setScenario(page, example);
  await page.getByTestId('decision-1').waitFor();
  assert.equal(await decision(page, 0), 'implicit deny');
  assert.equal(await decision(page, 1), 'allowed');
  assert.equal(await page.getByTestId('diagnostic').count(), 0);
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('markup in a scenario is shown as text, never run', async () => {
  const { page, seen } = await openApp(env);
  const markup = '<img src=x onerror=alert(1)>';
  const scenario = JSON.parse(example);
  scenario.name = markup;
  scenario.identity_policies[0].name = markup;
  scenario.requests[1].name = markup;
  await setScenario(page, JSON.stringify(scenario, null, 2));
  await page.getByTestId('scenario-name').filter({ hasText: markup }).waitFor();
  await page.getByTestId('trace-toggle-1').click();
  await page.getByTestId('trace-1').waitFor();
  await page.waitForTimeout(300); // time for an injected `onerror` to fire, were there one

  assert.equal(await page.locator('img').count(), 0, 'no img element was created');
  assert.deepEqual(seen.dialogs, [], 'no dialog fired');
  const text = await page.locator('.results').textContent();
  assert.ok(text.includes(markup), 'the markup is shown as text');
  assert.equal(await decision(page, 1), 'allowed');
  await page.close();
});

test('the page requests nothing from any other origin', async () => {
  const { page, seen } = await openApp(env);
  // Exercise the page a little so that lazily loaded resources, if any, are requested too.
  await page.getByTestId('trace-toggle-1').click();
  await setScenario(page, example.replace(requestTagCondition, '"StringEquals": { "aws:PrincipalTag/Status"'));
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'allowed');
  await page.waitForLoadState('networkidle');

  const own = new URL(env.origin);
  assert.ok(seen.requests.length >= 3, `expected the page, its script and its wasm: ${seen.requests}`);
  for (const url of seen.requests) {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:') continue;
    assert.equal(parsed.host, own.host, `request to another origin: ${url}`);
  }
  assert.ok(seen.requests.some((url) => url.endsWith('.wasm')), 'the wasm was loaded');
  assert.deepEqual(seen.problems, []);
  await page.close();
});
