import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCorpus, scoreCorpus } from './corpus.js';

test('labelled corpus: precision and recall >= 95%, no false alarm on healthy traces over 24 h', () => {
  const traces = loadCorpus();
  assert.ok(traces.some((t) => t.source === 'recorded' && t.label === 'leak'), 'corpus holds recorded leaky traces');
  assert.ok(traces.some((t) => t.source === 'recorded' && t.label === 'healthy'), 'corpus holds recorded healthy traces');
  const score = scoreCorpus(traces);
  console.log(score.table);
  assert.ok(score.precision >= 0.95, `precision ${score.precision}`);
  assert.ok(score.recall >= 0.95, `recall ${score.recall}`);
  assert.equal(score.healthyFalseAlarms, 0);
  const doc = readFileSync(new URL('../../../../docs/memory.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(score.table), 'docs/memory.md holds the current evaluation table (node packages/agent/test/memory/evaluate.mjs)');
  const day = traces.filter((t) => t.label === 'healthy' && t.source !== 'recorded');
  assert.ok(day.length >= 10 && day.every((t) => (t.t[t.t.length - 1] as number) >= 23.5 * 3600), 'healthy synthetic traces each cover 24 h');
});
