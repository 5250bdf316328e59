import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProgressReporter, formatProgress, noProgress } from '../../src/heap/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 100, writes, write: (text: string) => writes.push(text) };
}

describe('progress reporter', () => {
  test('silent when the stream is not a TTY', () => {
    const stream = fakeStream(false);
    const report = createProgressReporter(stream);
    assert.equal(report, noProgress);
    report('read', 10, 100);
    assert.deepEqual(stream.writes, []);
  });

  test('draws a bar on a TTY, throttles redraws, redraws on a phase change, clears when done', () => {
    const stream = fakeStream(true);
    const report = createProgressReporter(stream);
    report('read', 0, 1000);
    for (let i = 1; i < 100; i++) report('read', i, 1000);
    assert.equal(stream.writes.length, 1, 'redraws within 100 ms are skipped');
    report('dominators', 5, 10);
    assert.equal(stream.writes.length, 2);
    assert.match(stream.writes[1]!, /dominators +\[#{15}\.{15}\] {2}50% {2}5\/10/);
    report('dominators', 10, 10);
    assert.equal(stream.writes.at(-1), '\r\x1b[2K');
  });

  test('a terminal reporting 0 columns still gets a bar', () => {
    const stream = { ...fakeStream(true), columns: 0 };
    createProgressReporter(stream)('read', 1, 2);
    assert.match(stream.writes[0]!, /read +\[/);
  });

  test('formats bytes as MB for reading and fits the terminal width', () => {
    assert.match(formatProgress('read', 512 * 1024 * 1024, 1024 * 1024 * 1024), /\[#{15}\.{15}\] {2}50% {2}512\.0\/1024\.0 MB/);
    assert.ok(formatProgress('read', 1, 2, 20).length < 20);
    assert.match(formatProgress('x', 5, 0), / {2}0%/);
    assert.match(formatProgress('read', 3 * 1024 * 1024, 0), / {2}3\.0 MB$/);
  });
});
