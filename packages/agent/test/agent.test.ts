import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, currentAgent, LeakhoundAgentError } from '../src/index.js';

const child = new URL('./memory/fixtures/memory-child.mjs', import.meta.url).pathname;
const dist = new URL('../dist/index.js', import.meta.url).pathname;

interface ChildResult {
  code: number | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** Runs the fixture child to completion, one JSON object per stdout line. */
async function run(args: string[], limitMs: number): Promise<ChildResult> {
  const { code, stdout, stderr } = await runNode(['--expose-gc', child, ...args], limitMs);
  return { code, stderr, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Runs node to completion; a child that does not exit by itself within limitMs fails the test. */
function runNode(argv: string[], limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child did not exit by itself within ${limitMs} ms (a handle left open?)\n${stdout}\n${stderr}`));
    }, limitMs);
    proc.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a leaking child program is marked leaking, logs the message, snapshots, reports degraded health over HTTP, and exits by itself after stop()', { timeout: 45_000, skip: existsSync(dist) ? false : 'run npm run build first' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-agent-'));
  try {
    const result = await run(['leak', dir, '20'], 35_000);
    assert.equal(result.code, 0, result.stderr);
    const states = result.lines.filter((l) => l.event === 'state');
    const leaking = states.find((l) => l.to === 'leaking');
    assert.ok(leaking, JSON.stringify(result.lines));
    assert.match(String(leaking.message), /^memory leaking \d+(\.\d)? MB\/h, heap limit reached in ~/);
    const snapshot = result.lines.find((l) => l.event === 'snapshot' && l.taken === true);
    assert.ok(snapshot, JSON.stringify(result.lines));
    assert.match(readFileSync(String(snapshot.path), 'utf8').slice(0, 100), /"snapshot":\{"meta"/);
    const final = result.lines.find((l) => l.event === 'final');
    assert.equal(final?.state, 'leaking');
    assert.equal(final?.httpStatus, 503);
    assert.equal(final?.health, 'degraded');
    assert.ok(Number(final?.slopeBytesPerHour) > 0 && Number(final?.timeToLimitMs) > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a healthy child program with churn and a bounded cache is never marked leaking', { timeout: 40_000, skip: existsSync(dist) ? false : 'run npm run build first' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-agent-'));
  try {
    const result = await run(['healthy', dir, '7'], 30_000);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.lines.some((l) => l.event === 'state' && l.to === 'leaking'), JSON.stringify(result.lines));
    const final = result.lines.find((l) => l.event === 'final');
    assert.equal(final?.httpStatus, 200);
    assert.equal(final?.health, 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startAgent in process: one agent at a time, health() and memory() shape, options validated, stop() is idempotent', async () => {
  assert.throws(() => startAgent({ healthServer: { port: 70000 } }), (e: unknown) => e instanceof LeakhoundAgentError && e.code === 'LH_ERR_AGENT_OPTIONS');
  const agent = startAgent({ logger: { info() {}, warn() {} }, memory: { snapshots: false }, healthServer: { port: 0 } });
  try {
    assert.equal(startAgent(), agent);
    assert.equal(currentAgent(), agent);
    await agent.ready;
    const address = agent.healthAddress;
    assert.equal(address?.host, '127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${address?.port}/memory`);
    assert.equal(response.status, 200);
    const memory = (await response.json()) as Record<string, unknown>;
    assert.equal(memory.state, 'stable');
    assert.ok(Number(memory.heapLimitBytes) > 0);
    const health = agent.health();
    assert.equal(health.status, 'ok');
    assert.deepEqual(health.reasons, []);
    assert.deepEqual(agent.pools(), []);
    agent.on('memory.state', () => {
      throw new Error('a throwing listener must not reach the host');
    });
    assert.doesNotThrow(() => agent.evaluateMemory());
  } finally {
    await agent.stop();
    await agent.stop();
  }
  assert.equal(currentAgent(), null);
});

test('SIGUSR2 writes a guarded snapshot (logged with the event-loop pause) instead of killing the process', { timeout: 30_000, skip: existsSync(dist) ? false : 'run npm run build first' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-agent-'));
  try {
    const source = `
      import { startAgent } from ${JSON.stringify(dist)};
      const lines = [];
      const agent = startAgent({ logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) }, memory: { snapshots: { dir: ${JSON.stringify(dir)} } } });
      // Stands in for the service's own server: the agent's handles are all unref'd.
      const service = setTimeout(() => {}, 15000);
      agent.on('snapshot', async (result) => {
        clearTimeout(service);
        console.log(JSON.stringify({ result, lines }));
        await agent.stop();
      });
      process.kill(process.pid, 'SIGUSR2');
    `;
    const result = await runNode(['--input-type=module', '-e', source], 20_000);
    assert.equal(result.code, 0, result.stderr);
    const { result: snap, lines } = JSON.parse(result.stdout.trim()) as { result: { taken: boolean; trigger: string; path: string }; lines: string[] };
    assert.equal(snap.trigger, 'signal');
    assert.equal(snap.taken, true);
    assert.ok(existsSync(snap.path));
    assert.ok(lines.some((l) => /the event loop pauses while it is written/.test(l)), lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heap past the configured share of the limit: one automatic snapshot, then cooldown without repeated events or log lines', { timeout: 30_000, skip: existsSync(dist) ? false : 'run npm run build first' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-agent-'));
  try {
    const source = `
      import { startAgent } from ${JSON.stringify(dist)};
      const lines = [];
      const events = [];
      const log = (m) => lines.push(m);
      const agent = startAgent({ logger: { info: log, warn: log, debug: () => {} }, memory: { evaluateIntervalMs: 100, snapshots: { dir: ${JSON.stringify(dir)}, heapShare: 0.000001, onLeak: false, signal: null } } });
      agent.on('snapshot', (result) => events.push(result));
      // The share is checked against the post-GC heap: give it a major GC.
      globalThis.gc();
      setTimeout(async () => {
        console.log(JSON.stringify({ events, lines, taken: agent.memory()?.snapshots.taken }));
        await agent.stop();
      }, 1500);
    `;
    const result = await runNode(['--expose-gc', '--input-type=module', '-e', source], 20_000);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim()) as { events: Array<{ trigger: string; taken: boolean }>; lines: string[]; taken: number };
    assert.equal(out.events.length, 1, JSON.stringify(out.events));
    assert.equal(out.events[0]?.trigger, 'heap-share');
    assert.equal(out.events[0]?.taken, true);
    assert.equal(out.taken, 1);
    assert.equal(out.lines.filter((l) => /not written/.test(l)).length, 0, out.lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
