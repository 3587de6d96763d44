// Loads the wasm app. An external module, not an inline script: the page's
// Content-Security-Policy forbids inline script.
import init, { run, catalog_ready, catalog_failed } from './pkg/iamplay_www.js';

// A button marked `data-copy="ID"` copies the text of the element whose `data-testid` is ID
// (the generated least-privilege policy), and says how it went in `data-copied` (drawn by
// style.css). A listener here rather than code in the app's wasm, whose size is budgeted.
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) {
    return;
  }
  const source = document.querySelector(`[data-testid="${CSS.escape(button.dataset.copy)}"]`);
  try {
    await navigator.clipboard.writeText(source ? source.textContent : '');
    button.dataset.copied = 'yes';
  } catch {
    button.dataset.copied = 'no';
  }
  setTimeout(() => delete button.dataset.copied, 4000);
});

try {
  await init();
  run();
} catch (error) {
  const app = document.getElementById('app');
  if (app) {
    app.textContent = `iamplay could not start: ${error}`;
  }
  throw error;
}

// The action catalog is loaded only after the first render has been painted, so it never
// delays the page: the catalog module (its own wasm, with the code that reads the catalog)
// and catalog.txt (about 200 KB over the wire), both from this origin. The app then
// evaluates everything again with it.
await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
try {
  const [catalog, response] = await Promise.all([import('./pkg/iamplay_catalog_www.js'), fetch('./catalog.txt')]);
  if (!response.ok) {
    throw new Error(`catalog.txt: HTTP ${response.status}`);
  }
  const [, text] = await Promise.all([catalog.default(), response.text()]);
  const summary = catalog.load(text);
  globalThis.iamplayCatalog = catalog;
  catalog_ready(summary);
} catch (error) {
  catalog_failed(String(error?.message ?? error));
}
