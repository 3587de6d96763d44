// Hostile input pasted into the page and opened as links: every file of the hostile corpus
// (tests/hostile/, the same expectations as the command line), generated monsters (100,000
// levels of nesting, a 10 MB policy, a string of a million characters, `*?*?...` patterns
// against long ARNs), a YAML alias bomb in the task definition pane, damaged and oversized
// share links, and markup. Each ends in a clear diagnostic (with line and column where there
// is text), the page stays usable (a normal edit afterwards still updates the decision), and
// no page error occurs. Timings go to target/e2e-metrics-hostile.json.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { constants as zlibConstants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { decision, launch, openApp, repo, screenshots, setScenario } from './browser.mjs';

const example = await readFile(path.join(repo, 'examples', 'task-role-tags.json'), 'utf8');
const corpus = path.join(repo, 'tests', 'hostile');
const metrics = { note: 'ms: from the paste (one input event, sent by Playwright) to the diagnostic or decision shown; longest_task_ms: the longest main-thread task meanwhile (PerformanceObserver longtask); longest_blocked_ms: the longest gap of a 20 ms heartbeat timer, i.e. how long the page could not respond', cases: {} };

let env;
before(async () => {
  env = await launch();
  await recordBlocking(env.context);
});
after(async () => {
  await env?.close();
  metrics.loadavg_at_end = loadavg().map((x) => +x.toFixed(2));
  const file = path.join(repo, 'target', 'e2e-metrics-hostile.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(metrics, null, 2) + '\n');
  console.log(`hostile metrics: ${file}\n${JSON.stringify(metrics, null, 2)}`);
});

/** Opens the page; every page of the context records its long tasks and, as a heartbeat
 * every 20 ms, every gap over 100 ms in which the main thread could not run it. */
async function open(options) {
  return openApp(env, options);
}

async function recordBlocking(context) {
  await context.addInitScript(() => {
    window.__longTasks = [];
    window.__gaps = [];
    try {
      new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
    } catch {}
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (now - last > 100) window.__gaps.push(now - last);
      last = now;
    }, 20);
  });
}

/** Runs `act`, waits for `done`, and records how long it took and the longest main-thread task. */
async function timed(page, name, act, done) {
  await page.evaluate(() => {
    window.__longTasks.length = 0;
    window.__gaps.length = 0;
  });
  const start = Date.now();
  await act();
  await done();
  const ms = Date.now() - start;
  const { tasks, gaps } = await page.evaluate(() => ({ tasks: window.__longTasks, gaps: window.__gaps }));
  metrics.cases[name] = { ms, longest_task_ms: Math.round(Math.max(0, ...tasks)), long_tasks: tasks.length, longest_blocked_ms: Math.round(Math.max(0, ...gaps)) };
  return ms;
}

/** The page still answers: a normal edit of the scenario updates the decisions. */
async function stillUsable(page) {
  await setScenario(page, example.replace('"StringEquals": { "aws:RequestTag/Status"', '"StringEquals": { "aws:PrincipalTag/Status"'));
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'allowed', null, { timeout: 60_000 });
  await setScenario(page, example);
  await page.waitForFunction(() => document.querySelector('[data-testid=decision-0]')?.textContent.trim() === 'implicit deny', null, { timeout: 60_000 });
  assert.equal(await decision(page, 1), 'allowed');
}

/** A scenario file over 256 KB is evaluated when typing pauses: until then the page says it
 * is evaluating and the answers shown are the last ones. Pastes `text` and waits for its
 * own answer, checking that the page said it was evaluating in between. */
async function pasteLong(page, text) {
  await page.evaluate(() => {
    window.__sawEvaluating = false;
    window.__evaluatingObserver?.disconnect();
    window.__evaluatingObserver = new MutationObserver(() => {
      if (document.querySelector('[data-testid=evaluating]')) window.__sawEvaluating = true;
    });
    window.__evaluatingObserver.observe(document.body, { subtree: true, childList: true });
  });
  await setScenario(page, text);
  await page.waitForFunction(() => window.__sawEvaluating, null, { timeout: 60_000 });
  await page.getByTestId('evaluating').waitFor({ state: 'detached', timeout: 120_000 });
}

/** The diagnostics listed under an editor, as `line:column severity: message` lines. */
async function listed(page, editor) {
  return page.getByTestId(`${editor}-diagnostics`).getByTestId('diagnostic').evaluateAll((items) =>
    items.map((li) => `${li.querySelector('[data-testid=diagnostic-position]').textContent.trim()} ${li.querySelector('.severity').textContent}: ${li.querySelector('.message').textContent}`),
  );
}

test('every file of the hostile corpus shows its diagnostic at its line and column', async () => {
  const { page, seen } = await open();
  const files = (await readdir(corpus)).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 20);
  for (const file of files) {
    const text = await readFile(path.join(corpus, file), 'utf8');
    const expected = (await readFile(path.join(corpus, file.replace(/\.json$/, '.expected')), 'utf8')).split('\n')[0];
    const [, line, column, severity, message] = expected.match(/^-:(\d+):(\d+): (error|warning): (.*)$/);
    // The page shows backticked input as code: compare the text without the backticks.
    const want = `${line}:${column} ${severity}: ${message.replaceAll('`', '')}`;
    await timed(page, `corpus/${file}`, () => setScenario(page, text), () =>
      page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=editor-diagnostics] [data-testid=diagnostic]')].some((li) =>
        `${li.querySelector("[data-testid=diagnostic-position]").textContent.trim()} ${li.querySelector(".severity").textContent}: ${li.querySelector(".message").textContent}`.startsWith(want)), want, { timeout: 20_000 })
        .catch(async () => assert.fail(`${file}: expected ${want}, listed ${JSON.stringify(await listed(page, 'editor'))}`)));
  }
  await stillUsable(page);
  assert.deepEqual(seen.problems, []);
  assert.deepEqual(seen.dialogs, []);
  await page.close();
});

/** A scenario around one identity policy (as tests/hostile.rs builds them). */
function scenarioWithPolicy(policy, resource) {
  return `{"scenario": 1, "principal": "arn:aws:iam::111122223333:user/alice", "identity_policies": [${policy}],\n "requests": [{"action": "s3:GetObject", "resource": "${resource}", "expect": "implicitDeny"}]}`;
}

test('generated monsters: deep nesting, a 10 MB policy, a million-character string, pathological wildcards', async () => {
  const { page, seen } = await open();

  // 100,000 levels of nesting: refused at the depth limit, at a line and column.
  const deep = `{"scenario": 1, "name": ${'['.repeat(100_000)}`;
  await timed(page, 'nesting-100000', () => setScenario(page, deep), () => page.getByTestId('editor-diagnostics').filter({ hasText: 'nesting deeper than 256 levels' }).waitFor({ timeout: 60_000 }));
  assert.match((await listed(page, 'editor')).join('\n'), /^1:\d+ error: .*nesting deeper than 256 levels/m);
  await stillUsable(page);

  // A 10 MB policy (one Sid repeated): evaluated, its duplicate Sids reported (the list is
  // capped), the request still decided. Local storage refuses 10 MB: the page says so.
  const statement = '{"Sid": "S", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::bucket/prefix/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}';
  const statements = Array(Math.floor((10 * 1024 * 1024) / statement.length)).fill(statement).join(',');
  const big = scenarioWithPolicy(`{"Version": "2012-10-17", "Statement": [${statements}]}`, 'arn:aws:s3:::bucket/prefix/k');
  assert.ok(big.length > 10_000_000);
  await timed(page, 'policy-10MB', () => pasteLong(page, big), () => page.getByTestId('decision-0').filter({ hasText: 'implicit deny' }).waitFor({ timeout: 120_000 }));
  assert.match((await listed(page, 'editor'))[0], /^\d+:\d+ error: duplicate Sid S/);
  assert.match(await page.getByTestId('diagnostics-more').textContent(), /^and \d+ more$/);
  await page.getByTestId('unsaved').waitFor();
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'hostile-10mb-policy.png') });
  await timed(page, 'after-10MB-normal-edit', () => stillUsable(page), async () => {});
  await page.getByTestId('unsaved').waitFor({ state: 'detached' });

  // Strings of a million characters, matched and not.
  const long = 'a'.repeat(1_000_000);
  const millionPolicy = `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${long}*"}}`;
  await timed(page, 'string-1M-chars', () => pasteLong(page, scenarioWithPolicy(millionPolicy, `arn:aws:s3:::${long}b`).replace('implicitDeny', 'allowed')), () =>
    page.getByTestId('decision-0').filter({ hasText: 'allowed' }).waitFor({ timeout: 60_000 }));
  await stillUsable(page);

  // `*?*?*?...` against a long ARN: bounded, and decided.
  const pattern = `arn:aws:s3:::${'*?'.repeat(20_000)}b`;
  const wild = `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "${pattern}", "Condition": {"StringLike": {"aws:UserAgent": "${pattern}"}}}}`;
  await timed(page, 'wildcards-20000-vs-1M-arn', () => pasteLong(page, scenarioWithPolicy(wild, `arn:aws:s3:::${long}`)), () =>
    page.getByTestId('decision-0').filter({ hasText: 'implicit deny' }).waitFor({ timeout: 60_000 }));
  await stillUsable(page);

  // A byte-order mark at the start: said, at 1:1, and the scenario is still read.
  await timed(page, 'bom', () => setScenario(page, `\uFEFF${example}`), () => page.getByTestId('editor-diagnostics').filter({ hasText: 'byte-order mark' }).waitFor());
  assert.match((await listed(page, 'editor')).join('\n'), /^1:1 error: the document starts with a byte-order mark/m);
  await stillUsable(page);

  assert.deepEqual(seen.problems, []);
  assert.deepEqual(seen.dialogs, []);
  await page.close();
});

test('invalid YAML and a YAML alias bomb in the task definition pane are located; the page goes on', async () => {
  const { page, seen } = await open();
  await page.getByTestId('add-task-definition').click();
  const pane = page.getByTestId('task-definition');

  const cases = [
    ['yaml-unclosed-flow', 'Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties: {Family: [web\n', /^[45]:\d+ error: /],
    ['yaml-bad-indent', 'Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n   Properties:\n      Family: web\n', /^\d+:\d+ error: /],
    ['yaml-tab', 'Resources:\n\tTask: x\n', /^2:\d+ error: /],
  ];
  let bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(97 + i - 1);
    const name = String.fromCharCode(97 + i);
    bomb += `${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
  }
  cases.push(['yaml-alias-bomb', bomb, /error: the document expands to more than/]);
  cases.push(['json-in-pane-truncated', '{"family": "web", "containerDefinitions": [', /^1:\d+ error: unexpected end of input/]);

  for (const [name, text, want] of cases) {
    await timed(page, `pane/${name}`, () => pane.fill(text), () => page.getByTestId('task-definition-diagnostics').getByTestId('diagnostic').first().waitFor({ timeout: 30_000 }));
    const items = await listed(page, 'task-definition');
    assert.ok(items.some((i) => want.test(i)), `${name}: ${JSON.stringify(items)}`);
    // The rest of the scenario still answers.
    assert.equal(await decision(page, 1), 'allowed', name);
  }
  await pane.fill('');
  await stillUsable(page);
  assert.deepEqual(seen.problems, []);
  await page.close();
});

/** The URL-fragment payload of a share link for `text` (the codec of src/share.rs). */
function link(text) {
  return `s=1.${deflateRawSync(Buffer.from(text), { level: 9 }).toString('base64url')}`;
}

/** A link that unpacks to `mb` megabytes of spaces (a compression bomb). One megabyte of
 * spaces compressed and flushed to a byte boundary is a self-contained run of DEFLATE blocks
 * (about 1 KB): repeated `mb` times and closed by an empty final block, it is a stream that
 * inflates to `mb` MB, a gigabyte in a link of under 2 million characters. */
function bombLink(mb) {
  const megabyte = deflateRawSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const final = deflateRawSync(Buffer.alloc(0));
  assert.equal(inflateRawSync(Buffer.concat([megabyte, megabyte, final])).length, 2 * 1024 * 1024);
  return `s=1.${Buffer.concat([...Array(mb).fill(megabyte), final]).toString('base64url')}`;
}

test('damaged, future and oversized share links lose nothing and say why', async () => {
  const good = link(example.replace('"ReadCode"', '"FromLink"'));
  const cases = [
    ['link-truncated', good.slice(0, Math.floor(good.length / 2)), /cut short|does not unpack/],
    ['link-tampered', `${good.slice(0, 20)}!${good.slice(21)}`, /holds characters a share link never has/],
    ['link-future-version', 's=9.AAAA', /newer iamplay/],
    ['link-no-version', 's=AAAA', /version is missing/],
    ['link-bomb-1GB', bombLink(1024), /unpacks to more than 4 MB/],
  ];
  for (const [name, fragment, want] of cases) {
    const start = Date.now();
    const { page, seen } = await open({ hash: `#${fragment}` });
    const banner = page.getByTestId('banner');
    await banner.waitFor();
    metrics.cases[name] = { ms: Date.now() - start, fragment_chars: fragment.length };
    const text = await banner.textContent();
    assert.match(text, /the share link could not be opened/, name);
    assert.match(text, want, `${name}: ${text}`);
    assert.match(text, /your scenario is unchanged/, name);
    // The work in progress (here the example) is what the page shows, and it still answers.
    assert.equal(await decision(page, 0), 'implicit deny', name);
    await stillUsable(page);
    assert.deepEqual(seen.problems, [], name);
    if (name === 'link-bomb-1GB') await page.screenshot({ path: path.join(screenshots, 'hostile-link-bomb.png') });
    await page.close();
  }
});

test('markup in a policy, a name and a link is shown as text, never run', async () => {
  const markup = '<script>window.__ran = 1</script><img src=x onerror="window.__ran = 2">';
  const scenario = JSON.parse(example);
  scenario.name = markup;
  scenario.identity_policies[0].document.Statement[0].Sid = markup;
  scenario.requests[0].name = markup;
  const text = JSON.stringify(scenario, null, 2);

  // Opened from a link.
  const { page, seen } = await open({ hash: `#${link(text)}` });
  await page.getByTestId('scenario-name').filter({ hasText: markup }).waitFor();
  const scripts = await page.locator('script').count();
  // Pasted into a policy editor (by part), and shown in the trace.
  const policy = await page.getByTestId('policy-editor-0').inputValue();
  await page.getByTestId('policy-editor-0').fill(policy.replace('"Effect"', `"Condition2": "${markup.replaceAll('"', '\\"')}",\n      "Effect"`));
  await page.getByTestId('trace-toggle-0').click();
  await page.getByTestId('trace-0').waitFor();
  await page.waitForTimeout(300); // time for an injected handler to fire, were there one

  assert.equal(await page.evaluate(() => window.__ran), undefined, 'no injected code ran');
  assert.equal(await page.locator('img').count(), 0, 'no img element was created');
  assert.equal(await page.locator('script').count(), scripts, 'no script element was added');
  assert.ok((await page.locator('.results').textContent()).includes(markup), 'shown as text in the results');
  assert.ok((await page.getByTestId('policy-0').textContent()).includes('<script>'), 'shown as text in the editor');
  assert.deepEqual(seen.dialogs, []);
  assert.deepEqual(seen.problems, []);
  await page.screenshot({ path: path.join(screenshots, 'hostile-markup.png') });
  await page.close();
});
