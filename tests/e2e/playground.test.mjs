// End-to-end tests of the playground acting as a person: type a policy and watch the
// decision change, add a missing context value in one click, open every example, share a
// link into a fresh browser, open broken links, reload, import and export. Writes
// screenshots to target/e2e-screenshots/ and the measured times to target/e2e-metrics.json.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { decision, freshContext, launch, openApp, repo, screenshots, showFile } from './browser.mjs';

const examplesDir = path.join(repo, 'examples');
const metrics = {};

let env;
before(async () => {
  env = await launch();
  await mkdir(screenshots, { recursive: true });
});
after(async () => {
  await env?.close();
  await mkdir(path.join(repo, 'target'), { recursive: true });
  await writeFile(path.join(repo, 'target', 'e2e-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  console.log(`e2e metrics: ${JSON.stringify(metrics)}`);
});

const shot = (page, name, options = {}) => page.screenshot({ path: path.join(screenshots, `${name}.png`), ...options });

async function waitDecision(page, index, label) {
  await page.waitForFunction(
    ([i, want]) => document.querySelector(`[data-testid=decision-${i}]`)?.textContent.trim() === want,
    [index, label],
  );
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

test('time to first render: navigation start to the first decision badge', async () => {
  const page = await env.context.newPage();
  await page.addInitScript(() => localStorage.clear());
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid=decision-0]')) {
        window.__firstDecision = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const samples = [];
  for (let run = 0; run < 5; run++) {
    await page.goto(`${env.origin}/`);
    await page.getByTestId('decision-0').waitFor();
    samples.push(await page.evaluate(() => window.__firstDecision));
  }
  metrics.first_render_ms = { median: Math.round(median(samples)), samples: samples.map(Math.round) };
  assert.ok(median(samples) < 10_000, `first render took ${median(samples)} ms`);
  await page.close();
});

test('typing in a policy changes the decision, and a syntax error is underlined then fixed', async () => {
  const { page, seen } = await openApp(env);
  const editor = page.getByTestId('policy-editor-0');
  const original = await editor.inputValue();
  assert.equal(await decision(page, 0), 'implicit deny');

  // Type over the condition key as a person would: select it, type the new one.
  await editor.click();
  const start = original.indexOf('aws:RequestTag/Status');
  await editor.evaluate((el, [s, e]) => el.setSelectionRange(s, e), [start, start + 'aws:RequestTag/Status'.length]);
  await page.keyboard.type('aws:PrincipalTag/Status');
  await waitDecision(page, 0, 'allowed');
  assert.match(await page.getByTestId('why-0').textContent(), /allowed/);
  // The allowing statement is highlighted in the policy's own editor.
  assert.ok((await page.getByTestId('policy-0').locator('.decided-allow').count()) > 0);
  await shot(page, 'typed-policy-allowed');

  // Delete the closing brace: the policy's editor underlines the problem and lists it.
  await editor.press('Control+End');
  await page.keyboard.press('Backspace');
  const list = page.getByTestId('policy-editor-0-diagnostics');
  await list.waitFor();
  assert.match(await list.textContent(), /error/);
  assert.ok((await page.getByTestId('policy-0').locator('.diag-error').count()) > 0, 'the span is underlined');
  const title = await page.getByTestId('policy-0').locator('.diag-error').first().getAttribute('title');
  assert.ok(title && title.length > 5, 'the underline carries its message on hover');
  await shot(page, 'policy-diagnostic');
  await page.keyboard.type('}');
  await list.waitFor({ state: 'detached' });
  await waitDecision(page, 0, 'allowed');

  // Keystroke to updated trace: an input event on the policy's textarea, until the badge and
  // the open trace show the new decision (DOM updated), and until the next frame is painted.
  await page.getByTestId('trace-toggle-0').click();
  await page.getByTestId('trace-0').waitFor();
  const denyText = await editor.inputValue();
  const allowText = denyText.replace('aws:PrincipalTag/Status', 'aws:RequestTag/Status');
  const timing = await page.evaluate(async ([a, b]) => {
    const area = document.querySelector('[data-testid=policy-editor-0]');
    const dom = [];
    const frame = [];
    for (let i = 0; i < 20; i++) {
      const text = i % 2 === 0 ? a : b;
      const want = i % 2 === 0 ? 'implicit deny' : 'allowed';
      const t0 = performance.now();
      const updated = new Promise((resolve) => {
        const check = () => {
          const badge = document.querySelector('[data-testid=decision-0]')?.textContent.trim();
          const trace = document.querySelector('[data-testid=trace-0]')?.textContent ?? '';
          return badge === want && trace.includes(i % 2 === 0 ? 'aws:RequestTag/Status' : 'aws:PrincipalTag/Status');
        };
        const observer = new MutationObserver(() => {
          if (check()) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
      area.value = text;
      area.dispatchEvent(new InputEvent('input', { bubbles: true }));
      const t1 = await updated;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      dom.push(t1 - t0);
      frame.push(performance.now() - t0);
    }
    return { dom, frame };
  }, [allowText, denyText]);
  metrics.keystroke_to_trace_ms = {
    median_dom: Number(median(timing.dom).toFixed(1)),
    median_painted: Number(median(timing.frame).toFixed(1)),
    max_dom: Number(Math.max(...timing.dom).toFixed(1)),
    samples: timing.dom.length,
  };
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('a missing context value is added to the request in one click', async () => {
  const { page, seen } = await openApp(env);
  const missing = page.getByTestId('missing-0');
  assert.match(await missing.textContent(), /aws:RequestTag\/Status/);
  await shot(page, 'missing-value');
  await page.getByTestId('add-missing-0-aws:RequestTag/Status').click();
  await waitDecision(page, 0, 'allowed');
  // It lands in the request's tag table, with the value the policy expects.
  const table = page.getByTestId('request-tags-0');
  assert.equal(await table.getByTestId('context-key-0-0').inputValue(), 'Status');
  assert.equal(await table.getByTestId('context-value-0-0').inputValue(), 'OK');
  assert.equal(await page.getByTestId('missing-0').count(), 0);
  // The expectation of request 1 (implicit deny) now fails, visibly.
  assert.match(await page.getByTestId('expect-0').textContent(), /fail/);
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('every example opens with its documented decisions', async () => {
  const { page, seen } = await openApp(env);
  await page.setViewportSize({ width: 1280, height: 900 });
  const files = (await readdir(examplesDir)).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 10);
  for (const file of files) {
    const id = file.replace(/\.json$/, '');
    const scenario = JSON.parse(await readFile(path.join(examplesDir, file), 'utf8'));
    await page.getByTestId('examples-toggle').click();
    const gallery = page.getByTestId('gallery');
    await gallery.waitFor();
    if (id === files[0].replace(/\.json$/, '')) await shot(page, 'examples-gallery');
    assert.match(await page.getByTestId(`example-${id}`).textContent(), new RegExp(scenario.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await page.getByTestId(`example-${id}`).click();
    await page.getByTestId('scenario-name').filter({ hasText: scenario.name }).waitFor();
    for (const [i, request] of scenario.requests.entries()) {
      const badge = page.getByTestId(`decision-${i}`);
      assert.equal(await badge.getAttribute('data-decision'), request.expect, `${id} request ${i} (${request.name})`);
      assert.equal(await page.getByTestId(`expect-${i}`).getAttribute('class'), 'expect met', `${id} request ${i}`);
    }
    assert.equal(await page.getByTestId(`decision-${scenario.requests.length}`).count(), 0);
    await shot(page, `example-${id}`);
  }
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('a share link opens the same scenario in a fresh browser', async () => {
  const { page, seen } = await openApp(env);
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.origin });
  await page.getByTestId('examples-toggle').click();
  await page.getByTestId('example-execution-role-scoped').click();
  await page.getByTestId('policy-name-0').fill('Shared policy ✓');
  await page.getByTestId('request-expect-3').selectOption('allowed'); // a failing expectation travels too
  await page.getByTestId('copy-link').click();
  const field = page.getByTestId('share-link');
  await field.waitFor();
  const link = await field.inputValue();
  assert.match(link, new RegExp(`^${env.origin}/#s=1\\.[A-Za-z0-9_-]+$`));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, 'the link is on the clipboard');
  await shot(page, 'share-link');
  await showFile(page);
  const text = await page.getByTestId('editor').inputValue();
  const decisions = await page.locator('[data-testid^=decision-]').evaluateAll((els) => els.map((e) => e.dataset.decision));

  const other = await freshContext();
  try {
    const fresh = await other.context.newPage();
    const problems = [];
    fresh.on('pageerror', (e) => problems.push(e.message));
    await fresh.goto(link);
    await fresh.getByTestId('decision-0').waitFor();
    assert.equal(await fresh.getByTestId('policy-name-0').inputValue(), 'Shared policy ✓');
    assert.deepEqual(await fresh.locator('[data-testid^=decision-]').evaluateAll((els) => els.map((e) => e.dataset.decision)), decisions);
    assert.match(await fresh.getByTestId('expect-3').textContent(), /fail/);
    await showFile(fresh);
    assert.equal(await fresh.getByTestId('editor').inputValue(), text, 'exactly the same scenario');
    // The link is removed from the address bar once opened: a reload keeps later edits.
    assert.equal(new URL(fresh.url()).hash, '');
    assert.deepEqual(problems, []);
  } finally {
    await other.close();
  }
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('corrupt, truncated, future and oversized links say so and lose nothing', async () => {
  const { page } = await openApp(env);
  await page.getByTestId('policy-name-0').fill('Work in progress');
  await page.waitForTimeout(100);
  const good = '#s=1.' + deflateRawSync(Buffer.from('{"scenario": 1}')).toString('base64url');
  const bomb = '#s=1.' + deflateRawSync(Buffer.alloc(5 * 1024 * 1024, 97), { level: 9 }).toString('base64url');
  const cases = [
    ['truncated', good.slice(0, -3), /damaged or cut short/],
    ['corrupt', '#s=1.%%%%', /damaged/],
    ['future', '#s=7.AAAA', /newer iamplay/],
    ['oversized', bomb, /more than 4 MB/],
  ];
  for (const [name, hash, message] of cases) {
    const { page: p } = await openApp(env, { fresh: false, hash });
    const banner = p.getByTestId('banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), message, name);
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.equal(await p.getByTestId('policy-name-0').inputValue(), 'Work in progress', `${name}: the work is still there`);
    if (name === 'truncated') await shot(p, 'corrupt-link');
    await p.close();
  }
  await page.close();
});

test('reload restores the work, and opening an example keeps a way back', async () => {
  const { page, seen } = await openApp(env);
  await page.getByTestId('policy-name-0').fill('Mine');
  await page.getByTestId('request-action-1').fill('s3:PutObject');
  await page.getByTestId('add-context-1').click();
  await page.getByTestId('context-key-1-1').fill('aws:SourceIp');
  await page.getByTestId('context-kind-1-1').selectOption('ip');
  await page.getByTestId('context-value-1-1').fill('203.0.113.7');
  await page.waitForTimeout(100);
  await page.reload();
  await page.getByTestId('decision-0').waitFor();
  assert.equal(await page.getByTestId('policy-name-0').inputValue(), 'Mine');
  assert.equal(await page.getByTestId('request-action-1').inputValue(), 's3:PutObject');
  assert.equal(await page.getByTestId('context-value-1-1').inputValue(), '203.0.113.7');
  assert.equal(await page.getByTestId('context-kind-1-1').inputValue(), 'ip');

  await page.getByTestId('examples-toggle').click();
  await page.getByTestId('example-s3-star-over-privilege').click();
  await page.getByTestId('scenario-name').filter({ hasText: 'Over-privilege' }).waitFor();
  await shot(page, 'opened-example-way-back');
  await page.getByTestId('banner-restore').click();
  await page.getByTestId('scenario-name').filter({ hasText: 'Task role tags' }).waitFor();
  assert.equal(await page.getByTestId('policy-name-0').inputValue(), 'Mine');
  // And back again; the way back survives a reload.
  await page.getByTestId('restore-previous').click();
  await page.getByTestId('scenario-name').filter({ hasText: 'Over-privilege' }).waitFor();
  await page.reload();
  await page.getByTestId('decision-0').waitFor();
  await page.getByTestId('restore-previous').click();
  await page.getByTestId('scenario-name').filter({ hasText: 'Task role tags' }).waitFor();
  assert.equal(await page.getByTestId('policy-name-0').inputValue(), 'Mine');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('export downloads the scenario; import and drag and drop open a file', async () => {
  const { page, seen } = await openApp(env);
  await page.getByTestId('policy-name-0').fill('Exported');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  assert.equal(download.suggestedFilename(), 'task-role-tags-do-not-reach-s3.json');
  const exported = await readFile(await download.path(), 'utf8');
  assert.match(exported, /"name": "Exported"/);
  await showFile(page);
  assert.equal(exported, await page.getByTestId('editor').inputValue());

  const scoped = path.join(examplesDir, 's3-read-scoped.json');
  await page.getByTestId('import').setInputFiles(scoped);
  await page.getByTestId('scenario-name').filter({ hasText: 'Read-only, scoped' }).waitFor();
  assert.match(await page.getByTestId('banner').textContent(), /imported s3-read-scoped\.json/);

  const text = await readFile(path.join(examplesDir, 'task-tags-principal-tag.json'), 'utf8');
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dropped.json', { type: 'application/json' }));
    return dt;
  }, text);
  await page.dispatchEvent('.page', 'drop', { dataTransfer });
  await page.getByTestId('scenario-name').filter({ hasText: 'aws:PrincipalTag' }).waitFor();
  assert.equal(await page.getByTestId('editor').inputValue(), text, 'the dropped file as written');
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('keyboard: the toolbar and the editors are reachable, with a visible focus ring', async () => {
  const { page } = await openApp(env);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.dataset.testid);
  assert.equal(first, 'examples-toggle');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  // Every form control in the parts has an accessible name.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'file' && !el.labels?.length && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, []);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('policy-editor-0').focus();
  await shot(page, 'focus-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.close();
});

test('the page sets a content security policy without inline script or style', async () => {
  const html = await readFile(path.join(repo, 'index.html'), 'utf8');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  assert.ok(csp, 'a CSP meta tag');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});
