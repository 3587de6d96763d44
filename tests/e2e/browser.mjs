// Shared set-up for the end-to-end tests: the static server from scripts/serve.mjs on a free
// 127.0.0.1 port, and Debian's Chromium driven by playwright-core. Nothing here builds:
// scripts/test.sh runs scripts/build.sh first.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = path.join(repo, 'dist');
export const screenshots = path.join(repo, 'target', 'e2e-screenshots');

// Flags this closed network needs: without the background-networking ones Chromium keeps
// trying to reach outside hosts.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser context with a profile of its own (fresh local storage); `close()` removes it. */
export async function freshContext() {
  const profile = await mkdtemp(path.join(tmpdir(), 'iamplay-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Starts the server and the browser; `close()` stops both and removes the profile. */
export async function launch() {
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist} has no index.html: run scripts/build.sh first`);
  }
  const server = await startServer({ root: dist, port: 0 });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = await mkdtemp(path.join(tmpdir(), 'iamplay-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    server.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    origin,
    context,
    async close() {
      await context.close();
      await new Promise((resolve) => server.close(resolve));
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the page and waits for the app's first render. Records every request, every
 * dialog (dismissed), and every page error or console error, CSP violations included.
 * The page autosaves to local storage, which the tests' browser profile keeps: unless
 * `fresh` is false, the saved work is cleared first so that the page opens on its example.
 */
export async function openApp(env, { fresh = true, context = env.context, hash = '' } = {}) {
  const page = await context.newPage();
  if (fresh) {
    // Before the page's own scripts, once per tab (a reload keeps the work it saved since).
    await page.addInitScript(() => {
      if (!sessionStorage.getItem('iamplay-test-cleared')) {
        localStorage.clear();
        sessionStorage.setItem('iamplay-test-cleared', '1');
      }
    });
  }
  const seen = { requests: [], dialogs: [], problems: [] };
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('dialog', async (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => seen.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${env.origin}/${hash}`);
  await page.getByTestId('decision-0').waitFor();
  return { page, seen };
}

/** Shows the scenario file tab, where the whole scenario is one text. */
export async function showFile(page) {
  if (!(await page.getByTestId('editor').isVisible())) {
    await page.getByTestId('tab-file').click();
    await page.getByTestId('editor').waitFor();
  }
}

/** Replaces the scenario file's text the way a user's paste does (one `input` event). */
export async function setScenario(page, text) {
  await showFile(page);
  await page.getByTestId('editor').fill(text);
}

/** The trimmed text of the decision badge of request `index`. */
export async function decision(page, index) {
  return (await page.getByTestId(`decision-${index}`).textContent()).trim();
}
