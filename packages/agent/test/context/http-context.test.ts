import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { enableHttpContext, disableHttpContext, httpContextEnabled } from '../../src/context/http-context.js';
import { currentContext, describeContext, runWithContext, setRoute } from '../../src/context/request-context.js';

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

test('each HTTP request runs in its own context, kept across awaits; disable restores plain emit', { timeout: 10_000 }, async () => {
  enableHttpContext();
  enableHttpContext(); // idempotent
  assert.equal(httpContextEnabled(), true);
  const server = http.createServer(async (req, res) => {
    if (req.url?.startsWith('/items/')) setRoute('/items/:id');
    // Different delays make the requests interleave.
    await sleep(req.url === '/slow?token=secret' ? 60 : 5);
    res.end(JSON.stringify({ seen: describeContext(currentContext()) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const [slow, item, root] = await Promise.all([get(port, '/slow?token=secret'), get(port, '/items/42'), get(port, '/')]);
    assert.deepEqual(JSON.parse(slow), { seen: 'GET /slow' });
    assert.deepEqual(JSON.parse(item), { seen: 'GET /items/:id' });
    assert.deepEqual(JSON.parse(root), { seen: 'GET /' });
    disableHttpContext();
    assert.equal(httpContextEnabled(), false);
    assert.equal(Object.prototype.hasOwnProperty.call(http.Server.prototype, 'emit'), false);
    assert.deepEqual(JSON.parse(await get(port, '/after')), {});
  } finally {
    disableHttpContext();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('runWithContext works without HTTP, and labels describe non-HTTP work', async () => {
  assert.equal(currentContext(), undefined);
  const seen = await runWithContext({ label: 'nightly-report job' }, async () => {
    await sleep(1);
    return describeContext(currentContext());
  });
  assert.equal(seen, 'nightly-report job');
  setRoute('/ignored'); // outside any context: no-op, no throw
  assert.equal(currentContext(), undefined);
});

test('keep-alive: requests on one socket each get their own context; work started by one keeps its context', { timeout: 10_000 }, async () => {
  enableHttpContext();
  const late: string[] = [];
  const server = http.createServer((req, res) => {
    // Work that outlives its request: it must still see the request that started it.
    setTimeout(() => late.push(`${req.url} saw ${describeContext(currentContext())}`), 30);
    res.end(JSON.stringify({ seen: describeContext(currentContext()) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const fetchOne = (path: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        sockets.add(res.socket);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });
  try {
    const seen = [];
    for (const path of ['/a', '/b', '/c']) seen.push(JSON.parse(await fetchOne(path)).seen as string);
    assert.deepEqual(seen, ['GET /a', 'GET /b', 'GET /c']);
    assert.equal(sockets.size, 1, 'the three requests shared one socket');
    await sleep(80);
    assert.deepEqual(late.sort(), ['/a saw GET /a', '/b saw GET /b', '/c saw GET /c']);
  } finally {
    agent.destroy();
    disableHttpContext();
    await new Promise((resolve) => server.close(resolve));
  }
});
