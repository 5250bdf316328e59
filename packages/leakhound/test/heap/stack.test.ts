import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeStack } from '../../src/heap/stack.js';

test('NodeStack: last in, first out across growth', () => {
  const stack = new NodeStack();
  for (let i = 0; i < 100_000; i++) stack.push(i);
  for (let i = 99_999; i >= 0; i--) assert.equal(stack.pop(), i);
  assert.equal(stack.length, 0);
});
