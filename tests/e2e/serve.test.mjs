// The static server shared by scripts/serve.sh and these tests: content types and the refusal
// of paths that leave dist/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import path from 'node:path';
import { resolveUnder, startServer } from '../../scripts/serve.mjs';
import { dist } from './browser.mjs';

let server;
let port;
before(async () => {
  server = await startServer({ root: dist, port: 0 });
  port = server.address().port;
});
after(() => new Promise((resolve) => server.close(resolve)));

/** A GET with the path sent exactly as written (no client-side normalisation). */
function get(rawPath) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the page, its script, its stylesheet and the wasm with their types', async () => {
  assert.deepEqual(await get('/'), { status: 200, type: 'text/html; charset=utf-8' });
  assert.deepEqual(await get('/boot.js'), { status: 200, type: 'text/javascript; charset=utf-8' });
  assert.deepEqual(await get('/style.css'), { status: 200, type: 'text/css; charset=utf-8' });
  assert.deepEqual(await get('/pkg/iamplay_www_bg.wasm'), { status: 200, type: 'application/wasm' });
  assert.equal((await get('/no-such-file')).status, 404);
});

test('refuses paths that leave the root', async () => {
  for (const raw of ['/../package.json', '/%2e%2e/package.json', '/pkg/..%2f..%2fpackage.json', '/..%5cpackage.json']) {
    assert.equal((await get(raw)).status, 403, raw);
  }
  assert.equal(resolveUnder('/srv/dist', '/../etc/passwd'), null);
  assert.equal(resolveUnder('/srv/dist', '/a/%2e%2e/%2e%2e/etc/passwd'), null);
  assert.equal(resolveUnder('/srv/dist', '/pkg/app.wasm'), path.resolve('/srv/dist/pkg/app.wasm'));
});
