import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSnapshotBytes } from '../../src/heap/parser.js';
import { fromRawSnapshot, type RawHeapSnapshot } from '../../src/heap/raw.js';
import { StringTable } from '../../src/heap/strings.js';
import { GraphBuilder } from '../helpers/graph-builder.js';

/** A one-node snapshot whose strings section is exactly `literals` (JSON string literals). */
function snapshotWithStrings(literals: string[]): string {
  const raw = new GraphBuilder().toRaw();
  const { strings: _strings, ...rest } = raw;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"strings":[${literals.join(',\n')}]}`;
}

function expectedStrings(text: string): string[] {
  const snap = fromRawSnapshot(JSON.parse(text) as RawHeapSnapshot);
  const out: string[] = [];
  for (let i = 0; i < snap.strings.count; i++) out.push(snap.strings.get(i));
  return out;
}

function parsedStrings(text: string, chunkSize: number): string[] {
  const snap = parseSnapshotBytes(Buffer.from(text, 'utf8'), { chunkSize });
  const out: string[] = [];
  for (let i = 0; i < snap.strings.count; i++) out.push(snap.strings.get(i));
  return out;
}

// Written as they appear in a file: escapes stay escapes.
const LITERALS = [
  '""',
  '"plain ascii"',
  '"raw UTF-8: ü 中文 😀 ∑"',
  '"\\u00e9t\\u00e9 \\u4e2d"',
  '"pair \\ud83d\\ude00 end"',
  '"lone high \\ud800 then text"',
  '"lone high at end \\ud800"',
  '"lone low \\udc00"',
  '"high high low \\ud800\\ud800\\udc00"',
  '"high then escape \\ud800\\n"',
  '"high then quote-escape \\ud83d\\""',
  '"upper hex \\u00E9 \\uD83D\\uDE00"',
  '"escapes \\" \\\\ \\/ \\b \\f \\n \\r \\t"',
  '"nul \\u0000 inside"',
  '"trailing backslash \\\\"',
  '"\\\\\\"\\\\"',
  '"]}, tricky"',
];

describe('strings section decoding', () => {
  test('escapes, surrogates and raw UTF-8 decode like JSON.parse, at every read size', () => {
    const text = snapshotWithStrings(LITERALS);
    const expected = expectedStrings(text);
    assert.equal(expected.length, LITERALS.length);
    assert.equal(expected[4], 'pair 😀 end');
    assert.equal(expected[5], 'lone high \ufffd then text');
    assert.equal(expected[8], 'high high low \ufffd\u{10000}');
    for (let chunkSize = 1; chunkSize <= 24; chunkSize++) {
      assert.deepEqual(parsedStrings(text, chunkSize), expected, `chunkSize ${chunkSize}`);
    }
    assert.deepEqual(parsedStrings(text, 1 << 20), expected);
  });

  test('every JSON.stringify output of assorted code points round-trips', () => {
    const values: string[] = [];
    for (let cp = 0; cp < 0x3000; cp += 7) values.push(String.fromCodePoint(cp) + 'x' + String.fromCodePoint(cp + 0x1f000));
    for (let cp = 0; cp < 0x20; cp++) values.push(`ctl${String.fromCharCode(cp)}`);
    const text = snapshotWithStrings(values.map((v) => JSON.stringify(v)));
    const expected = expectedStrings(text);
    assert.deepEqual(expected, values);
    for (const chunkSize of [1, 2, 3, 4, 5, 6, 1000]) assert.deepEqual(parsedStrings(text, chunkSize), expected);
  });

  test('a long string with escapes spread over many reads', () => {
    const parts: string[] = [];
    for (let i = 0; i < 20000; i++) parts.push(`seg${i}\\n\\u00e9\\"`);
    const literal = `"${parts.join('')}"`;
    const text = snapshotWithStrings(['"short"', literal, '"after"']);
    const expected = expectedStrings(text);
    assert.deepEqual(parsedStrings(text, 4093), expected);
    assert.ok(expected[1]!.length > 200_000);
  });

  test('a strings table larger than one StringTable chunk (64 MB)', () => {
    // 70 MB of string bytes: the table must move on to a second chunk.
    const count = 70_000;
    const unit = 'abcdefghij'.repeat(100);
    const literals: string[] = [];
    for (let i = 0; i < count; i++) literals.push(`"${i}:${unit}"`);
    const snap = parseSnapshotBytes(Buffer.from(snapshotWithStrings(literals)));
    assert.equal(snap.strings.count, count);
    assert.ok(snap.strings.byteLength > 64 * 1024 * 1024);
    for (const i of [0, 1, 65_000, 67_108, 67_109, count - 1]) assert.equal(snap.strings.get(i), `${i}:${unit}`);
  });
});

describe('StringTable', () => {
  test('addBytes and add agree for short and long strings', () => {
    const table = new StringTable(4);
    const values = ['', 'a', 'é中😀', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(33), 'w'.repeat(5000)];
    for (const v of values) {
      const bytes = Buffer.from(`##${v}##`);
      table.addBytes(bytes, 2, bytes.length - 2);
      table.add(v);
    }
    for (let i = 0; i < values.length; i++) {
      assert.equal(table.get(2 * i), values[i]);
      assert.equal(table.get(2 * i + 1), values[i]);
      assert.equal(table.byteLengthOf(2 * i), Buffer.byteLength(values[i]!));
    }
  });

  test('decimalOf reads plain decimals of 1-9 digits from the bytes, -1 for anything else', () => {
    const table = new StringTable(4);
    const cases: Array<[string, number]> = [
      ['0', 0], ['7', 7], ['417', 417], ['007', 7], ['999999999', 999_999_999], ['1234567890', -1], ['', -1], ['-1', -1],
      ['1.5', -1], ['12a', -1], [' 1', -1], ['١٢', -1], ['map', -1],
    ];
    for (const [value] of cases) table.add(value);
    cases.forEach(([value, expected], i) => {
      assert.equal(table.decimalOf(i), expected, JSON.stringify(value));
      // The rule it replaces in diff/collections.ts.
      assert.equal(/^\d+$/.test(value) && value.length < 10 ? Number(value) : -1, expected);
    });
    assert.equal(table.decimalOf(cases.length), -1);
    assert.equal(table.decimalOf(-1), -1);
  });
});

test('toShared / fromShared: the same strings on SharedArrayBuffers, trimmed, handed on without a copy', () => {
  const table = new StringTable(4);
  const values = ['', 'a', 'héllo', 'x'.repeat(5000), '日本'];
  for (const value of values) table.add(value);
  const parts = table.toShared();
  assert.equal(parts.count, values.length);
  assert.equal(parts.start.length, values.length, 'trimmed to the count');
  assert.ok(parts.start.buffer instanceof SharedArrayBuffer && parts.chunks.every((c) => c.buffer instanceof SharedArrayBuffer));
  const copy = StringTable.fromShared(parts);
  assert.deepEqual(values.map((_, i) => copy.get(i)), values);
  assert.equal(copy.byteLengthOf(3), 5000);
  assert.equal(copy.toShared(), parts);
});
