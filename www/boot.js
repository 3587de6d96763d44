// Loads the wasm app. An external module, not an inline script: the page's
// Content-Security-Policy forbids inline script.
import init, { run } from './pkg/iamplay_www.js';

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
