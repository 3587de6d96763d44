// No lost work: the page saves every change at once (it never waits for an unload event),
// so a crashed tab loses nothing; and when local storage is full or unavailable, a banner
// says the work is not being saved.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { decision, launch, openApp, screenshots } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('a crashed tab loses no work: a new page restores it', async () => {
  const { page } = await openApp(env);
  await page.getByTestId('policy-name-0').fill('SavedBeforeTheCrash');
  await page.getByTestId('request-name-1').fill('typed just before the crash');
  // Saved as soon as it is drawn, with no unload event involved.
  await page.waitForFunction(() => localStorage.getItem('iamplay.state')?.includes('typed just before the crash'));
  const crashed = new Promise((resolve) => page.once('crash', resolve));
  const cdp = await env.context.newCDPSession(page);
  cdp.send('Page.crash').catch(() => {}); // the tab dies before it can answer
  await crashed;

  const { page: again, seen } = await openApp(env, { fresh: false });
  assert.equal(await again.getByTestId('policy-name-0').inputValue(), 'SavedBeforeTheCrash');
  assert.equal(await again.getByTestId('request-name-1').inputValue(), 'typed just before the crash');
  assert.equal(await decision(again, 1), 'allowed');
  assert.equal(await again.getByTestId('unsaved').count(), 0);
  assert.deepEqual(seen.problems, []);
  await again.close();
  await page.close().catch(() => {});
});

test('a full local storage is said, and saving resumes when it has room again', async () => {
  const { page, seen } = await openApp(env);
  await page.evaluate(() => {
    window.__setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function () {
      throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    };
  });
  await page.getByTestId('policy-name-0').fill('NotSaved');
  const banner = page.getByTestId('unsaved');
  await banner.waitFor();
  assert.match(await banner.textContent(), /not being saved.*full or unavailable/);
  assert.equal(await banner.getAttribute('role'), 'alert');
  await page.screenshot({ path: path.join(screenshots, 'autosave-unsaved.png') });

  await page.evaluate(() => (Storage.prototype.setItem = window.__setItem));
  await page.getByTestId('policy-name-0').fill('SavedAgain');
  await banner.waitFor({ state: 'detached' });
  assert.ok(await page.evaluate(() => localStorage.getItem('iamplay.state').includes('SavedAgain')));
  assert.deepEqual(seen.problems, []);
  await page.close();
});

test('without local storage at all, the page works and says the work is not saved', async () => {
  const page = await env.context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('storage is disabled', 'SecurityError');
      },
    });
  });
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${env.origin}/`);
  await page.getByTestId('decision-0').waitFor();
  await page.getByTestId('unsaved').waitFor();
  assert.equal(await decision(page, 1), 'allowed');
  assert.deepEqual(problems, []);
  await page.close();
});
