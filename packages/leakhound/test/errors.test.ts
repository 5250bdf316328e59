import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/errors.js';
import { AGENT_ERROR_CODES } from '../../agent/src/errors.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const missing = [...Object.keys(ERROR_CODES), ...Object.keys(AGENT_ERROR_CODES)].filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});
