#!/usr/bin/env node
// Finds every *.test.ts under packages/*/test and examples/*/test and runs them
// with node's own test runner (TypeScript through the tsx loader).
// Node 20's `--test` has no glob support, hence this file.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = [];
for (const group of ['packages', 'examples']) {
  let names;
  try { names = readdirSync(join(root, group)); } catch { continue; }
  for (const name of names) roots.push(join(root, group, name, 'test'));
}

const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'fixtures') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.test.ts')) files.push(path);
  }
}
roots.forEach(walk);

const filter = process.argv.slice(2);
const selected = filter.length === 0 ? files : files.filter((f) => filter.some((part) => f.includes(part)));
if (selected.length === 0) {
  console.error('run-tests: no test file matched');
  process.exit(1);
}
selected.sort();
console.error(`run-tests: ${selected.length} files: ${selected.map((f) => relative(root, f)).join(' ')}`);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--expose-gc', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected],
  { stdio: 'inherit', cwd: root },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
