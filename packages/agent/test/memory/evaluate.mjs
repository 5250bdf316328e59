#!/usr/bin/env node
// Prints the detector's evaluation table on the labelled corpus (the table in docs/memory.md).
//   node packages/agent/test/memory/evaluate.mjs [--dir <corpus dir>]
import { register } from 'tsx/esm/api';

register();
const { loadCorpus, scoreCorpus } = await import('./corpus.ts');
const started = performance.now();
const argv = process.argv.slice(2);
const dir = argv.includes('--dir') ? argv[argv.indexOf('--dir') + 1] : undefined;
const score = scoreCorpus(loadCorpus(dir));
const ms = performance.now() - started;
console.log(score.table);
console.log('');
console.log(`traces: ${score.outcomes.length}; precision ${(score.precision * 100).toFixed(1)}% (${score.truePositives} TP, ${score.falsePositives} FP); recall ${(score.recall * 100).toFixed(1)}% (${score.falseNegatives} FN)`);
console.log(`healthy traces: ${score.healthyHours.toFixed(0)} simulated hours, ${score.healthyFalseAlarms} false alarms; replayed in ${ms.toFixed(0)} ms`);
for (const o of score.outcomes) {
  if (o.falseAlarm || (o.label === 'leak' && !o.detected)) console.log(`  miss/false alarm: ${o.name} first leaking at ${o.firstLeakingAt === null ? 'never' : (o.firstLeakingAt / 3_600_000).toFixed(2) + ' h'}`);
}
