// `leakhound run` on the mapper incident (examples/device-price): the leaky
// variant is a leak naming the registry, the TypeMap class, the retainer path
// and the mapper's source; the fixed variant is clean. Real service, real load,
// real snapshots, through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-helpers.js';

const server = 'examples/device-price/src/server.ts';
const common = ['run', '--url', '/devices/1/price', '--requests', '1500', '--rounds', '5', '--warmup', '800'];

test('leaky device-price: exit 1, the registry, TypeMap, the path and the mapper source named', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-run-dp-'));
  try {
    const json = join(dir, 'result.json');
    const html = join(dir, 'report.html');
    const result = await runCli([...common, '--json', json, '--html', html, '--', process.execPath, '--import', 'tsx', server]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /leakhound run: LEAK/);
    assert.match(result.stdout, /typeMapRegistry/);
    assert.match(result.stdout, /TypeMap/);
    assert.match(result.stdout, /src\/mapper\/(mapper|type-map)\.ts:\d+/);
    // Progress went to stderr: rounds and snapshots.
    assert.match(result.stderr, /round 5\/5/);
    assert.match(result.stderr, /writing final heap snapshot/);

    const parsed = JSON.parse(readFileSync(json, 'utf8')) as {
      schema: string;
      verdict: string;
      rounds: { heapUsed: number }[];
      heap: { bytesPerRequest: number; assessment: string };
      findings: { summary: string; className: string; path: { edgeName: string }[] }[];
    };
    assert.equal(parsed.schema, 'leakhound-run/1');
    assert.equal(parsed.verdict, 'leak');
    assert.equal(parsed.rounds.length, 6);
    assert.equal(parsed.heap.assessment, 'growing');
    // One TypeMap with its property maps, closures and key per request: hundreds of bytes each.
    assert.ok(parsed.heap.bytesPerRequest > 200, `slope ${parsed.heap.bytesPerRequest}`);
    const top = parsed.findings[0];
    assert.ok(top, 'a diff finding');
    assert.ok(parsed.findings.slice(0, 3).some((f) => /typeMapRegistry/.test(f.summary + f.path.map((s) => s.edgeName).join(' '))));
    assert.ok(parsed.findings.slice(0, 3).some((f) => /TypeMap/.test(f.summary + f.className)));

    const page = readFileSync(html, 'utf8');
    assert.match(page, /<svg[^>]*aria-label="post-GC heap per round"/);
    assert.match(page, /leakhound run: <span[^>]*>LEAK<\/span>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fixed device-price: exit 0 (clean)', { timeout: 120_000 }, async () => {
  const result = await runCli([...common, '--', process.execPath, '--import', 'tsx', server, '--fixed']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /leakhound run: CLEAN/);
  assert.doesNotMatch(result.stdout, /What grew/);
});
