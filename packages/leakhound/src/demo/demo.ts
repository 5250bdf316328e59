// `leakhound demo`: the two incidents end to end with zero setup. Runs the four
// scenarios one after the other (the machine's cores go to one service at a
// time), writes one HTML and one JSON report per run, and prints the verdicts.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { LeakhoundError } from '../errors.js';
import { DEFAULT_THRESHOLD, executeRun } from '../cli/run.js';
import { renderRunHtml } from '../report/run-section.js';
import type { RunOptions } from '../run/runner.js';
import type { RunResult, Verdict } from '../run/types.js';
import { demoDatabase, type DemoDatabase } from './postgres.js';
import { DEMO_SCENARIOS, type DemoScenario } from './scenarios.js';

export interface DemoOptions {
  outDir: string;
  /** Only the scenarios whose name contains this. */
  only?: string;
  log: (line: string) => void;
  onRequests?: (label: string, done: number, total: number) => void;
}

export interface DemoOutcome {
  scenario: string;
  expected: Verdict;
  verdict: Verdict | 'failed';
  headline: string;
  html: string | null;
  seconds: number;
}

/** The repository root holding examples/ and tsx: the demo runs from a checkout. */
export function findRepoRoot(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('leakhound/package.json'));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'examples', 'device-price', 'src', 'server.ts'))) return dir;
    dir = dirname(dir);
  }
  throw new LeakhoundError('LH_ERR_USAGE', 'demo: the example services (examples/device-price, examples/coupon-stats) were not found; run the demo from a leakhound checkout (git clone, npm ci)');
}

function scenarioOptions(scenario: DemoScenario, root: string, database: DemoDatabase | undefined): RunOptions {
  return {
    command: [process.execPath, '--import', 'tsx', ...scenario.args],
    urls: scenario.urls,
    method: 'GET',
    headers: {},
    connections: scenario.connections,
    ...(scenario.durationSec !== undefined ? { durationSec: scenario.durationSec } : { requests: scenario.requests ?? 1000 }),
    warmup: scenario.warmup,
    warmupTimeoutSec: scenario.warmupTimeoutSec,
    rounds: scenario.rounds,
    thresholdBytesPerRequest: DEFAULT_THRESHOLD,
    alpha: 0.05,
    snapshots: true,
    profile: true,
    startupTimeoutSec: 30,
    timeoutSec: 300,
    roundTimeoutSec: 30,
    requestTimeoutSec: 3,
    settleMs: 2500,
    echoService: false,
    cwd: root,
    env: { ...process.env, ...(database ? database.env : {}) },
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome[]> {
  const root = findRepoRoot();
  const scenarios = DEMO_SCENARIOS.filter((s) => options.only === undefined || s.name.includes(options.only));
  if (scenarios.length === 0) throw new LeakhoundError('LH_ERR_USAGE', `demo: no scenario matches --only "${options.only}"; scenarios: ${DEMO_SCENARIOS.map((s) => s.name).join(', ')}`);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  let database: DemoDatabase | undefined;
  const outcomes: DemoOutcome[] = [];
  try {
    if (scenarios.some((s) => s.needsDatabase)) {
      database = await demoDatabase(options.log);
      options.log(`PostgreSQL for coupon-stats: ${database.source}`);
    }
    for (const scenario of scenarios) {
      options.log(`--- ${scenario.name} (expected: ${scenario.expected})`);
      const started = performance.now();
      let result: RunResult;
      try {
        result = await executeRun(scenarioOptions(scenario, root, database), (line) => options.log(`[${scenario.name}] ${line}`), options.onRequests);
      } catch (error) {
        // One failed scenario must not hide the others' verdicts.
        const message = error instanceof Error ? error.message : String(error);
        const tail = (error as { stderrTail?: string }).stderrTail;
        outcomes.push({ scenario: scenario.name, expected: scenario.expected, verdict: 'failed', headline: message + (tail ? `\n${tail}` : ''), html: null, seconds: (performance.now() - started) / 1000 });
        continue;
      }
      const html = join(outDir, `${scenario.name}.html`);
      writeFileSync(html, renderRunHtml(result));
      writeFileSync(join(outDir, `${scenario.name}.json`), JSON.stringify(result, null, 2) + '\n');
      outcomes.push({ scenario: scenario.name, expected: scenario.expected, verdict: result.verdict, headline: result.reasons[0] ?? '', html, seconds: (performance.now() - started) / 1000 });
    }
  } finally {
    await database?.stop();
  }
  return outcomes;
}

export function renderDemoSummary(outcomes: DemoOutcome[]): string {
  const lines = ['leakhound demo: verdicts', ''];
  const width = Math.max(...outcomes.map((o) => o.scenario.length));
  for (const o of outcomes) {
    const mark = o.verdict === o.expected ? 'ok  ' : 'FAIL';
    lines.push(`${mark} ${o.scenario.padEnd(width)}  ${o.verdict.toUpperCase().padEnd(12)} (expected ${o.expected}, ${o.seconds.toFixed(0)} s)`);
    lines.push(`     ${o.headline.split('\n')[0]}`);
    if (o.html) lines.push(`     report: ${o.html}`);
  }
  return lines.join('\n');
}
