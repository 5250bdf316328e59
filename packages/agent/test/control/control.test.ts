// The control channel in a real child process: the preload opens it, learns the
// service's port, answers only with the token, runs a full GC, writes a real
// heap snapshot, records a sampling heap profile, and translates locations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const controlRegister = fileURLToPath(new URL('../../dist/control/register.js', import.meta.url));

interface Announcement {
  pid: number;
  port: number;
  token: string;
  servicePorts: { port: number; address: string }[];
}

// A tiny service: one HTTP server on a random port, a module-level array that
// grows on every request (so the profile has a live allocation site).
const SERVICE = `
import http from 'node:http';
const kept = [];
function keepSomething(n) { for (let i = 0; i < n; i++) kept.push({ index: i, payload: 'x'.repeat(64) + i }); }
const server = http.createServer((req, res) => { keepSomething(200); res.end('ok'); });
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

async function startService(dir: string): Promise<{ child: ChildProcess; port: number; announcement: Announcement; controlDir: string }> {
  const controlDir = join(dir, 'control');
  const script = join(dir, 'service.mjs');
  writeFileSync(script, SERVICE);
  const child = spawn(process.execPath, [`--import=${pathToFileURL(controlRegister).href}`, script], {
    env: { ...process.env, LEAKHOUND_CONTROL: controlDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /port (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`service exited ${code}`)));
  });
  // The file is rewritten when the port opens; poll it, bounded.
  for (let i = 0; i < 100; i++) {
    const names = readdirSync(controlDir, { withFileTypes: false }).filter((n) => /^agent-\d+\.json$/.test(String(n)));
    if (names.length > 0) {
      const announcement = JSON.parse(readFileSync(join(controlDir, String(names[0])), 'utf8')) as Announcement;
      if (announcement.servicePorts.length > 0) return { child, port, announcement, controlDir };
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('no announcement with the service port');
}

async function call(a: Announcement, method: string, path: string, body?: unknown, token = a.token): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${a.port}${path}`, {
    method,
    headers: { 'x-leakhound-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('control channel: announcement, token, gc, snapshot, profile, source locations', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-control-'));
  const { child, port, announcement, controlDir } = await startService(dir);
  try {
    assert.equal(announcement.pid, child.pid);
    assert.deepEqual(announcement.servicePorts.map((p) => p.port), [port], 'the control server itself is not reported as a service port');
    assert.equal(statSync(join(controlDir, `agent-${child.pid}.json`)).mode & 0o777, 0o600);

    assert.equal((await call(announcement, 'POST', '/gc', undefined, 'wrong')).status, 401);
    assert.equal((await call(announcement, 'POST', '/gc', undefined, '')).status, 401);

    const status = await call(announcement, 'GET', '/status');
    assert.equal(status.status, 200);
    assert.equal(status.json.pid, child.pid);

    const before = await call(announcement, 'POST', '/gc');
    assert.equal(before.status, 200);
    assert.ok((before.json.usedHeapSize as number) > 1_000_000);

    const started = await call(announcement, 'POST', '/profile/start', { samplingInterval: 4096 });
    assert.equal(started.status, 200);
    for (let i = 0; i < 30; i++) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const after = await call(announcement, 'POST', '/gc');
    // 30 requests x 200 kept objects of ~100 bytes: the floor must have risen.
    assert.ok((after.json.usedHeapSize as number) - (before.json.usedHeapSize as number) > 300_000, `heap grew ${(after.json.usedHeapSize as number) - (before.json.usedHeapSize as number)}`);

    const profile = await call(announcement, 'POST', '/profile/stop');
    assert.equal(profile.status, 200);
    const sites = profile.json.sites as { functionName: string; url: string; line: number; liveBytes: number }[];
    const keeper = sites.find((s) => s.functionName === 'keepSomething');
    assert.ok(keeper, `keepSomething among ${sites.map((s) => s.functionName).join(', ')}`);
    assert.ok(keeper.url.endsWith('service.mjs'));
    assert.equal(keeper.line, 4);

    const snapshotPath = join(dir, 'x.heapsnapshot');
    const snap = await call(announcement, 'POST', '/snapshot', { path: snapshotPath });
    assert.equal(snap.status, 200);
    const head = Buffer.alloc(64);
    const fd = openSync(snapshotPath, 'r');
    readSync(fd, head, 0, 64, 0);
    closeSync(fd);
    assert.match(head.toString(), /^\{"snapshot":\{"meta"/);

    assert.equal((await call(announcement, 'POST', '/snapshot', { path: 'relative.heapsnapshot' })).status, 400);
    assert.equal((await call(announcement, 'POST', '/nope')).status, 400);

    const mapped = await call(announcement, 'POST', '/source-locations', { locations: [{ url: 'file:///nowhere.js', line: 3, column: 7 }, 'junk'] });
    assert.deepEqual(mapped.json.locations, [{ url: 'file:///nowhere.js', line: 3, column: 7 }, null]);

    const pools = await call(announcement, 'GET', '/pools');
    assert.deepEqual(pools.json, { available: false, pools: [] });
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without LEAKHOUND_CONTROL the preload opens nothing', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-control-'));
  try {
    const script = join(dir, 'idle.mjs');
    // Lists the handles that keep the loop alive: the preload must add no server.
    writeFileSync(script, "setTimeout(() => { console.log(JSON.stringify(process.getActiveResourcesInfo())); }, 100);\n");
    const env = { ...process.env };
    delete env.LEAKHOUND_CONTROL;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [`--import=${pathToFileURL(controlRegister).href}`, script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
    });
    // No control server, hence no TCP handle (other handles vary with the machine's load).
    const resources = JSON.parse(out) as string[];
    assert.ok(resources.includes('Timeout'), out);
    assert.ok(!resources.some((r) => r.startsWith('TCP')), out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the control server never keeps the service alive', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-control-'));
  try {
    const script = join(dir, 'short.mjs');
    writeFileSync(script, "setTimeout(() => {}, 300);\n");
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [`--import=${pathToFileURL(controlRegister).href}`, script], {
        env: { ...process.env, LEAKHOUND_CONTROL: join(dir, 'control') },
        stdio: 'inherit',
      });
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    assert.equal(code, 0);
    // It announced itself while it ran.
    assert.equal(readdirSync(join(dir, 'control')).filter((n) => n.endsWith('.json')).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
