#!/usr/bin/env node
// The Chrome DevTools heap model as a command, for the benchmark:
//
//   node benchmarks/devtools-load.mjs FILE
//
// Loads FILE with heap-snapshot-toolkit (DevTools' HeapSnapshotLoader +
// JSHeapSnapshot in one thread). Building the snapshot computes what
// `leakhound analyze` computes: retainers, the dominator tree, retained sizes
// and the statistics; then we ask for the class aggregates (the Summary view:
// count, shallow and retained size per constructor) and for the largest
// retainers, so nothing is left lazy. Prints one summary line on stdout.
import { createReadStream } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: devtools-load.mjs FILE');
  process.exit(2);
}

const started = performance.now();
const snapshot = await parse(createReadStream(file, 'utf-8'));
const loadedMs = performance.now() - started;
const statistics = snapshot.getStatistics();
const aggregates = Object.values(snapshot.aggregatesWithFilter({}));
aggregates.sort((a, b) => b.maxRet - a.maxRet);
const top = aggregates.slice(0, 5).map((a) => `${a.name}:${a.count}`).join(' ');
const totalMs = performance.now() - started;
console.log(JSON.stringify({
  nodes: snapshot.nodeCount, classes: aggregates.length, totalBytes: statistics.total,
  loadSeconds: +(loadedMs / 1000).toFixed(2), totalSeconds: +(totalMs / 1000).toFixed(2), topByRetained: top,
}));
