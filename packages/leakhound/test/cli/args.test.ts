import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, commandHelp, type CommandSpec } from '../../src/cli/args.js';
import { isLeakhoundError } from '../../src/errors.js';

const spec: CommandSpec = {
  name: 'demo-cmd',
  synopsis: '<file>',
  description: 'a test command',
  minPositionals: 1,
  maxPositionals: 2,
  flags: {
    json: { type: 'boolean', description: 'json output' },
    top: { type: 'number', short: 'n', description: 'rows', valueName: 'N' },
    name: { type: 'string', description: 'a name' },
    tag: { type: 'string', multiple: true, description: 'tags' },
  },
};

function usageCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isLeakhoundError(error) ? error.code : 'other';
  }
  return 'none';
}

test('flags in both spellings, short alias, repeats and positionals', () => {
  const args = parseArgs(spec, ['a.heapsnapshot', '--json', '--top=5', '--name', 'x y', '--tag', 'a', '--tag=b']);
  assert.deepEqual(args.positionals, ['a.heapsnapshot']);
  assert.equal(args.flags.json, true);
  assert.equal(args.flags.top, 5);
  assert.equal(args.flags.name, 'x y');
  assert.deepEqual(args.flags.tag, ['a', 'b']);
  assert.equal(parseArgs(spec, ['f', '-n', '7']).flags.top, 7);
  assert.deepEqual(parseArgs(spec, ['--', '--json']).positionals, ['--json']);
});

test('usage errors are typed LH_ERR_USAGE', () => {
  assert.equal(usageCode(() => parseArgs(spec, ['f', '--nope'])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, ['f', '--top'])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, ['f', '--top', 'many'])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, ['f', '--json=maybe'])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, ['f', '--name', 'a', '--name', 'b'])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, [])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, ['a', 'b', 'c'])), 'LH_ERR_USAGE');
  assert.equal(usageCode(() => parseArgs(spec, ['f', '-q'])), 'LH_ERR_USAGE');
});

test('--help skips positional checks and lists every flag', () => {
  const args = parseArgs(spec, ['--help']);
  assert.equal(args.help, true);
  const help = commandHelp(spec);
  for (const flag of ['--json', '--top <N>', '--name', '--tag', '--help']) assert.ok(help.includes(flag), flag);
});
