#!/usr/bin/env node
// The `leakhound` command: dispatches to one module per subcommand, loaded on
// demand so `leakhound --help` stays instant.
import { isLeakhoundError } from '../errors.js';

export interface CommandModule {
  /** Runs the command; resolves to the process exit code. */
  main(argv: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

const commands: Record<string, CommandEntry> = {
  // Each subcommand registers one line here.
  analyze: { summary: 'dominator tree, leak suspects, retainer paths and histogram of one heap snapshot', load: () => import('./analyze.js') },
  diff: { summary: 'what grew between 2-3 snapshots of one process, named by collection, class and retainer path', load: () => import('./diff.js') },
  run: { summary: 'load-test a service with the agent inside and answer leak / clean (exit 1 / 0)', load: () => import('./run.js') },
  demo: { summary: 'both incidents (mapper leak, pool leak), leaky and fixed, end to end with zero setup', load: () => import('./demo.js') },
};

function usage(): string {
  const names = Object.keys(commands);
  const width = Math.max(8, ...names.map((n) => n.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${commands[name]!.summary}`);
  return [
    'leakhound: find, explain and prove fixed memory and connection-pool leaks in Node.js services',
    '',
    'Usage: leakhound <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `leakhound <command> --help` for the options of one command.',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    process.stdout.write(pkg.version + '\n');
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`leakhound: unknown command "${name}" (LH_ERR_USAGE); run \`leakhound --help\` for the list\n`);
    return 2;
  }
  const module = await entry.load();
  return module.main(rest);
}

/** One line for a user mistake, exit 2; a stack only for our own bugs. */
export function reportError(error: unknown): number {
  if (isLeakhoundError(error)) {
    process.stderr.write(`leakhound: ${error.message} (${error.code})\n`);
    return 2;
  }
  process.stderr.write(`leakhound: internal error, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}

