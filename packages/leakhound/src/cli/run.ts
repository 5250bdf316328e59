// `leakhound run [options] -- <command>`: the leak test for CI.
// Exit codes: 0 clean, 1 leak, 2 bad usage, 3 the service failed, 4 inconclusive.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { commandHelp, flagBoolean, flagList, flagNumber, flagString, parseArgs, type CommandSpec, type ParsedArgs } from './args.js';
import { LeakhoundError } from '../errors.js';
import { Runner, ServiceFailure, type RunOptions } from '../run/runner.js';
import { readPoolReport } from '../run/pools.js';
import { renderVerdict } from '../run/render.js';
import { analyzeRunSnapshots } from '../run/findings.js';
import { renderRunHtml } from '../report/run-section.js';
import type { RunResult, Verdict } from '../run/types.js';
import type { CommandModule } from './main.js';

/**
 * Bytes per request. A clean Node service's post-GC floor still drifts ~5-15 B/request
 * over the first minutes (optimized code, feedback vectors); one leaked listener or
 * map entry per request costs 100+ bytes.
 */
export const DEFAULT_THRESHOLD = 64;

export const RUN_EXIT = { clean: 0, leak: 1, usage: 2, serviceFailed: 3, inconclusive: 4 } as const;

export const runSpec: CommandSpec = {
  name: 'run',
  synopsis: '[options] -- <command that starts the service>',
  description:
    'Starts the service with the leakhound agent preloaded, drives HTTP load on 127.0.0.1 in rounds, measures the post-GC heap after every round,\n' +
    'diffs baseline/target/final heap snapshots and reads the pool leak reports, then answers leak / clean / inconclusive.\n' +
    'Exit codes: 0 clean, 1 leak, 2 bad usage, 3 the service failed (crashed, never listened), 4 inconclusive.',
  flags: {
    url: { type: 'string', multiple: true, valueName: 'URL', description: 'path (/devices/1/price) or http://127.0.0.1:PORT/... URL to load; default /' },
    method: { type: 'string', valueName: 'METHOD', description: 'HTTP method (default GET)' },
    header: { type: 'string', multiple: true, valueName: 'NAME:VALUE', description: 'request header' },
    body: { type: 'string', valueName: 'TEXT', description: 'request body' },
    port: { type: 'number', valueName: 'PORT', description: "the service's port, when the agent cannot tell (several listeners)" },
    connections: { type: 'number', short: 'c', valueName: 'N', description: 'concurrent connections (default 8)' },
    rate: { type: 'number', valueName: 'RPS', description: 'requests per second over all connections (default: as fast as it answers)' },
    requests: { type: 'number', short: 'n', valueName: 'N', description: 'requests per round (default 2000)' },
    duration: { type: 'number', short: 'd', valueName: 'SEC', description: 'seconds per round instead of --requests' },
    warmup: { type: 'number', valueName: 'N', description: 'warm-up requests before the baseline (default 1000)' },
    'warmup-timeout': { type: 'number', valueName: 'SEC', description: 'hard cap on the warm-up (default 30)' },
    rounds: { type: 'number', short: 'k', valueName: 'K', description: 'load rounds (default 6, at least 4)' },
    threshold: { type: 'number', valueName: 'BYTES', description: 'post-GC heap growth per request that counts as a leak (default 64)' },
    alpha: { type: 'number', valueName: 'P', description: 'significance level of the trend test (default 0.05)' },
    json: { type: 'string', valueName: 'FILE', description: 'write the result as JSON (schema leakhound-run/1, docs/run.md)' },
    html: { type: 'string', valueName: 'FILE', description: 'write a self-contained HTML report' },
    'out-dir': { type: 'string', valueName: 'DIR', description: 'keep the heap snapshots in DIR (default: a temp dir, removed)' },
    'no-snapshots': { type: 'boolean', description: 'skip the heap snapshots and their diff (trend and pools only)' },
    'no-profile': { type: 'boolean', description: 'skip the sampling heap profile' },
    script: { type: 'string', valueName: 'FILE', description: 'a module whose default export runs one round of custom load: ({ origin, round, signal }) => requestsMade' },
    'startup-timeout': { type: 'number', valueName: 'SEC', description: 'wait this long for the service to listen and answer (default 30)' },
    'round-timeout': { type: 'number', valueName: 'SEC', description: 'hard cap on one round (default 60)' },
    'request-timeout': { type: 'number', valueName: 'SEC', description: 'per-request timeout (default 5)' },
    settle: { type: 'number', valueName: 'MS', description: 'pause before reading pool leak reports, when pools are monitored (default 2500)' },
    timeout: { type: 'number', valueName: 'SEC', description: 'the whole run (default 600)' },
    'service-output': { type: 'boolean', description: "copy the service's stdout/stderr to stderr" },
    quiet: { type: 'boolean', short: 'q', description: 'no progress on stderr' },
  },
};

function usage(message: string): LeakhoundError {
  return new LeakhoundError('LH_ERR_USAGE', `run: ${message}; run \`leakhound run --help\``);
}

function positive(args: ParsedArgs, name: string, fallback: number, { integer = true, min = 1 } = {}): number {
  const value = flagNumber(args, name, fallback);
  if (value < min || (integer && !Number.isInteger(value))) throw usage(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${value}`);
  return value;
}

/** Everything before `--` is ours, everything after is the service's command. */
export function parseRunArgs(argv: readonly string[]): { options: RunOptions; json?: string; html?: string; quiet: boolean } | 'help' {
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const command = split >= 0 ? argv.slice(split + 1) : [];
  const args = parseArgs({ ...runSpec, maxPositionals: 0 }, own);
  if (args.help) return 'help';
  if (command.length === 0) throw usage('missing the service command after `--`');
  const headers: Record<string, string> = {};
  for (const header of flagList(args, 'header')) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw usage(`--header "${header}" is not NAME:VALUE`);
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  const duration = args.flags.duration === undefined ? undefined : positive(args, 'duration', 1, { integer: false, min: 0.1 });
  if (duration !== undefined && args.flags.requests !== undefined) throw usage('give --requests or --duration, not both');
  const port = args.flags.port === undefined ? undefined : positive(args, 'port', 1);
  if (port !== undefined && port > 65535) throw usage(`--port ${port} is not a TCP port`);
  const alpha = flagNumber(args, 'alpha', 0.05);
  if (!(alpha > 0 && alpha < 0.5)) throw usage(`--alpha must be in (0, 0.5), got ${alpha}`);
  const threshold = flagNumber(args, 'threshold', DEFAULT_THRESHOLD);
  if (!(threshold > 0)) throw usage(`--threshold must be > 0 bytes per request, got ${threshold}`);
  const method = (flagString(args, 'method') ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw usage(`--method "${method}" is not an HTTP method`);
  const body = flagString(args, 'body');
  const rate = args.flags.rate === undefined ? undefined : positive(args, 'rate', 1);
  const outDir = flagString(args, 'out-dir');
  const script = flagString(args, 'script');
  const options: RunOptions = {
    command,
    urls: flagList(args, 'url'),
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(port !== undefined ? { port } : {}),
    connections: positive(args, 'connections', 8),
    ...(rate !== undefined ? { rate } : {}),
    ...(duration !== undefined ? { durationSec: duration } : { requests: positive(args, 'requests', 2000) }),
    warmup: positive(args, 'warmup', 1000, { min: 0 }),
    warmupTimeoutSec: positive(args, 'warmup-timeout', 30, { integer: false, min: 0.1 }),
    rounds: positive(args, 'rounds', 6, { min: 4 }),
    thresholdBytesPerRequest: threshold,
    alpha,
    snapshots: !flagBoolean(args, 'no-snapshots'),
    profile: !flagBoolean(args, 'no-profile'),
    ...(outDir !== undefined ? { outDir } : {}),
    startupTimeoutSec: positive(args, 'startup-timeout', 30, { integer: false, min: 0.1 }),
    timeoutSec: positive(args, 'timeout', 600, { integer: false, min: 1 }),
    roundTimeoutSec: positive(args, 'round-timeout', 60, { integer: false, min: 0.1 }),
    requestTimeoutSec: positive(args, 'request-timeout', 5, { min: 1 }),
    settleMs: positive(args, 'settle', 2500, { min: 0 }),
    ...(script !== undefined ? { script } : {}),
    echoService: flagBoolean(args, 'service-output'),
  };
  const json = flagString(args, 'json');
  const html = flagString(args, 'html');
  // Checked now, not after a two-minute run.
  for (const [flag, file] of [['json', json], ['html', html]] as const) {
    if (file !== undefined && !existsSync(dirname(resolve(file)))) throw usage(`--${flag} ${file}: the directory ${dirname(resolve(file))} does not exist`);
  }
  return { options, ...(json !== undefined ? { json } : {}), ...(html !== undefined ? { html } : {}), quiet: flagBoolean(args, 'quiet') };
}

export function exitCodeFor(verdict: Verdict): number {
  return verdict === 'clean' ? RUN_EXIT.clean : verdict === 'leak' ? RUN_EXIT.leak : RUN_EXIT.inconclusive;
}

/** Runs with signal handling and guaranteed cleanup; shared by `run` and `demo`. */
export async function executeRun(options: RunOptions, log: (line: string) => void, onRequests?: (label: string, done: number, total: number) => void): Promise<RunResult> {
  const runner = new Runner(options, {
    log,
    ...(onRequests ? { onRequests } : {}),
    analyze: (paths, context) => analyzeRunSnapshots(paths, context, log),
    readPools: readPoolReport,
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the service`);
    runner.abort(new Interrupted(signal));
  };
  const onExit = (): void => runner.killServiceNow();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  process.on('exit', onExit);
  try {
    return await runner.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('exit', onExit);
  }
}

/** Ctrl-C / SIGTERM during a run: the service is stopped, exit 128 + signal number. */
export class Interrupted extends Error {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export function progressPrinter(quiet: boolean, prefix = 'leakhound run'): { log: (line: string) => void; onRequests: (label: string, done: number, total: number) => void } {
  const tty = process.stderr.isTTY === true;
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) process.stderr.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    log: (line) => {
      if (quiet) return;
      clearBar();
      process.stderr.write(`${prefix}: ${line}\n`);
    },
    onRequests: (label, done, total) => {
      if (quiet || !tty) return;
      const width = 30;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const bar = total > 0 ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${done}/${total}` : `${done} requests`;
      process.stderr.write(`\r\x1b[2K${label} ${bar}`);
      barShown = true;
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(commandHelp(runSpec) + '\n');
    return 0;
  }
  const progress = progressPrinter(parsed.quiet);
  let result: RunResult;
  try {
    result = await executeRun(parsed.options, progress.log, progress.onRequests);
  } catch (error) {
    if (error instanceof ServiceFailure) {
      process.stderr.write(`leakhound: ${error.message} (${error.code})\n`);
      const tail = error.stderrTail.trim();
      process.stderr.write(tail === '' ? "(the service wrote nothing on stderr)\n" : `--- last lines of the service's stderr ---\n${tail}\n---\n`);
      return RUN_EXIT.serviceFailed;
    }
    if (error instanceof Interrupted) return SIGNAL_EXIT[error.signal] ?? 130;
    throw error;
  }
  if (parsed.json !== undefined) {
    writeFileSync(parsed.json, JSON.stringify(result, null, 2) + '\n');
    progress.log(`wrote ${parsed.json}`);
  }
  if (parsed.html !== undefined) {
    writeFileSync(parsed.html, renderRunHtml(result));
    progress.log(`wrote ${parsed.html}`);
  }
  process.stdout.write(renderVerdict(result) + '\n');
  return exitCodeFor(result.verdict);
}

export default { main } satisfies CommandModule;
