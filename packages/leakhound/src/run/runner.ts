// `leakhound run`: start the service with the agent preloaded, learn its port
// from the agent, warm up, then rounds of load -> full GC -> post-GC heap, with
// baseline/target/final snapshots, and a verdict from all the evidence.
// Every wait is bounded; the service's process group is killed on every exit path.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AllocationSite } from '@leakhound/agent';
import { LeakhoundError } from '../errors.js';
import { ServiceProcess, describeExit } from './service.js';
import { ControlClient, pickAgent, readAnnouncements } from './control-client.js';
import { runLoad, type LoadPlan, type LoadRequest, type LoadResult } from './load.js';
import { decideVerdict, formatBytes } from './verdict.js';
import type { PoolLeak, PoolSample, RoundRecord, RunFinding, RunResult, RunTimings } from './types.js';

export interface RunOptions {
  /** The command that starts the service. */
  command: string[];
  /** Paths (`/devices/1/price`) or full loopback URLs; `/` when empty. */
  urls: string[];
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The service's port when the agent cannot tell (several listeners). */
  port?: number;
  connections: number;
  rate?: number;
  /** Requests per round; `durationSec` is used when undefined. */
  requests?: number;
  durationSec?: number;
  /** Warm-up requests before the baseline. */
  warmup: number;
  /** Cap on the warm-up, seconds: a service that stalls (an exhausted pool) must not eat the run. */
  warmupTimeoutSec: number;
  rounds: number;
  thresholdBytesPerRequest: number;
  alpha: number;
  /** Write heap snapshots and diff them. */
  snapshots: boolean;
  /** Record a sampling heap profile of live objects during the rounds. */
  profile: boolean;
  /** Where snapshots are kept; a temp dir removed after the run when undefined. */
  outDir?: string;
  startupTimeoutSec: number;
  /** The whole run. */
  timeoutSec: number;
  /** Per round, whatever `requests`/`durationSec` say. */
  roundTimeoutSec: number;
  requestTimeoutSec: number;
  /** Pause after the last round so pool leak detection thresholds can elapse. */
  settleMs: number;
  script?: string;
  echoService: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface AnalysisContext {
  /** Requests served between the baseline and the final snapshot. */
  requests: number;
  thresholdBytesPerRequest: number;
}

export interface RunHooks {
  /** One progress line (stderr). */
  log: (line: string) => void;
  /** Requests done in the current round, for a progress bar. */
  onRequests?: (label: string, done: number, total: number) => void;
  /** Diff of the snapshots into findings; skipped when absent. */
  analyze?: (paths: { baseline: string; target: string; final: string }, context: AnalysisContext) => Promise<RunFinding[]>;
  /** Pool monitors' raw report -> samples and leaks. */
  readPools?: (raw: unknown) => { samples: PoolSample[]; leaks: PoolLeak[] };
}

/** The service failed: exit code 3 with the stderr tail. */
export class ServiceFailure extends LeakhoundError {
  readonly stderrTail: string;

  constructor(code: 'LH_ERR_SERVICE_FAILED' | 'LH_ERR_SERVICE_NO_PORT' | 'LH_ERR_AGENT_UNREACHABLE' | 'LH_ERR_RUN_TIMEOUT', message: string, stderrTail: string, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.stderrTail = stderrTail;
  }
}

const POLL_MS = 100;

/**
 * The preloads: the agent's own register (memory watch, pool monitors) and the
 * control channel's, which is a no-op when the agent already opened it.
 */
export function agentPreloads(): string[] {
  const require = createRequire(import.meta.url);
  const register = require.resolve('@leakhound/agent/register');
  const control = require.resolve('@leakhound/agent/control-register');
  return [pathToFileURL(register).href, pathToFileURL(control).href];
}

function leakhoundVersion(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Splits `--url` values into one loopback origin and request paths. */
export function resolveTargets(urls: string[], port: number | undefined): { port: number | undefined; paths: string[] } {
  const paths: string[] = [];
  let urlPort: number | undefined;
  for (const raw of urls.length === 0 ? ['/'] : urls) {
    if (raw.startsWith('/')) {
      paths.push(raw);
      continue;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new LeakhoundError('LH_ERR_USAGE', `run: --url "${raw}" is neither a path (/x) nor a URL`);
    }
    if (url.protocol !== 'http:') throw new LeakhoundError('LH_ERR_USAGE', `run: --url "${raw}": only http: is supported`);
    if (!LOOPBACK.has(url.hostname)) throw new LeakhoundError('LH_ERR_USAGE', `run: --url "${raw}": load goes to 127.0.0.1 only, not ${url.hostname}`);
    if (url.port !== '') {
      const p = Number(url.port);
      if (urlPort !== undefined && urlPort !== p) throw new LeakhoundError('LH_ERR_USAGE', 'run: every --url must use the same port');
      urlPort = p;
    }
    paths.push(url.pathname + url.search);
  }
  if (port !== undefined && urlPort !== undefined && port !== urlPort) throw new LeakhoundError('LH_ERR_USAGE', `run: --port ${port} contradicts the --url port ${urlPort}`);
  return { port: port ?? urlPort, paths };
}

export class Runner {
  private readonly _options: RunOptions;
  private readonly _hooks: RunHooks;
  private _service: ServiceProcess | undefined;
  private _abort: ((error: Error) => void) | undefined;
  private readonly _aborted: Promise<never>;
  /** Stops the loops and the load generator that a rejected step leaves behind. */
  private readonly _cancel = new AbortController();
  private _phase = 'start-up';
  private readonly _timings: RunTimings = { startupMs: 0, warmupMs: 0, loadMs: 0, gcMs: 0, snapshotMs: 0, analysisMs: 0, totalMs: 0 };

  constructor(options: RunOptions, hooks: RunHooks) {
    this._options = options;
    this._hooks = hooks;
    this._aborted = new Promise<never>((_, reject) => {
      this._abort = reject;
    });
    // Keeps an abort before the first await from becoming an unhandled rejection.
    this._aborted.catch(() => {});
  }

  /** Aborts the run (signal, timeout): the pending step rejects with `error`, then cleanup runs. */
  abort(error: Error): void {
    this._abort?.(error);
    this._cancel.abort(error);
  }

  /** Synchronous last resort for process 'exit'. */
  killServiceNow(): void {
    this._service?.killNow();
  }

  async run(): Promise<RunResult> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const options = this._options;
    const { port: knownPort, paths } = resolveTargets(options.urls, options.port);
    const workDir = mkdtempSync(join(tmpdir(), 'leakhound-run-'));
    const controlDir = join(workDir, 'control');
    mkdirSync(controlDir, { mode: 0o700 });
    const snapshotDir = options.outDir !== undefined ? resolve(options.outDir) : join(workDir, 'snapshots');
    mkdirSync(snapshotDir, { recursive: true });
    const deadline = setTimeout(
      () => this.abort(new ServiceFailure('LH_ERR_RUN_TIMEOUT', `run: not finished after --timeout ${options.timeoutSec} s`, this._service?.stderrTail() ?? '')),
      options.timeoutSec * 1000,
    );
    deadline.unref();
    try {
      return await this._run({ paths, knownPort, controlDir, snapshotDir, started, startedAt });
    } finally {
      clearTimeout(deadline);
      await this._service?.stop().catch(() => {});
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  private async _run(ctx: { paths: string[]; knownPort: number | undefined; controlDir: string; snapshotDir: string; started: number; startedAt: string }): Promise<RunResult> {
    const options = this._options;
    const log = this._hooks.log;
    const base = options.env ?? process.env;
    const nodeOptions = [base.NODE_OPTIONS ?? '', ...agentPreloads().map((url) => `--import=${url}`)].join(' ').trim();
    log(`starting: ${options.command.join(' ')}`);
    const service = new ServiceProcess({
      command: options.command,
      // The runner is the memory watch here: the agent's own (its sample buffers add to the
      // heap being measured, its guarded snapshots would pause the service mid-round) is off
      // unless the user set LEAKHOUND_MEMORY / LEAKHOUND_SNAPSHOTS.
      env: {
        ...base,
        NODE_OPTIONS: nodeOptions,
        LEAKHOUND_CONTROL: ctx.controlDir,
        LEAKHOUND_CONTROL_PARENT: String(process.pid),
        LEAKHOUND_MEMORY: base.LEAKHOUND_MEMORY ?? 'off',
        LEAKHOUND_SNAPSHOTS: base.LEAKHOUND_SNAPSHOTS ?? 'off',
      },
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      echo: options.echoService,
    });
    this._service = service;
    // Any exit of the service before we stop it fails the pending step.
    void service.exited.then((exit) => {
      this.abort(new ServiceFailure('LH_ERR_SERVICE_FAILED', `run: the service ${describeExit(exit)} during ${this._phase}`, service.stderrTail()));
    });

    const t0 = performance.now();
    const agent = await this._step(this._waitForAgent(ctx.controlDir, ctx.knownPort));
    const port = ctx.knownPort ?? agent.announcement.servicePorts[0]!.port;
    const origin = `http://127.0.0.1:${port}`;
    // Probed at `/`, not the load path: the load path may have side effects (it may be the leak).
    await this._step(this._waitForHttp(origin, '/'));
    this._timings.startupMs = performance.now() - t0;
    log(`service pid ${agent.pid} answers on ${origin} (${Math.round(this._timings.startupMs)} ms)`);
    this._phase = 'the run';

    const requests: LoadRequest[] = ctx.paths.map((path) => ({
      method: options.method,
      path,
      ...(Object.keys(options.headers).length > 0 ? { headers: options.headers } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
    }));
    const plan: LoadPlan = {
      origin,
      requests,
      connections: options.connections,
      timeoutSec: options.requestTimeoutSec,
      maxSec: options.roundTimeoutSec,
      ...(options.requests !== undefined ? { amount: options.requests } : { durationSec: options.durationSec ?? 5 }),
      ...(options.rate !== undefined ? { rate: options.rate } : {}),
      ...(options.script !== undefined ? { script: options.script } : {}),
    };

    if (options.warmup > 0) {
      const w0 = performance.now();
      const warm = await this._step(this._load({ ...plan, amount: options.warmup, maxSec: options.warmupTimeoutSec }, 0, 'warm-up'));
      this._timings.warmupMs = performance.now() - w0;
      log(`warm-up: ${warm.requests} requests in ${warm.durationSec.toFixed(1)} s${warm.capped ? ' (warm-up time cap reached)' : ''}`);
    }

    const rounds: RoundRecord[] = [];
    const readPools = this._hooks.readPools;
    let poolsRaw: unknown = null;
    let poolsAvailable = false;
    const measure = async (round: number, load: LoadResult | undefined): Promise<RoundRecord> => {
      const g0 = performance.now();
      const heap = await this._step(agent.gc());
      this._timings.gcMs += performance.now() - g0;
      let pools: PoolSample[] = [];
      if (readPools) {
        const report = await this._step(agent.pools());
        poolsAvailable = report.available;
        poolsRaw = report.pools;
        pools = readPools(report.pools).samples;
      }
      const previous = rounds.at(-1);
      const count = load?.requests ?? 0;
      return {
        round,
        requests: count,
        cumulativeRequests: (previous?.cumulativeRequests ?? 0) + count,
        errors: load?.errors ?? 0,
        timeouts: load?.timeouts ?? 0,
        non2xx: load?.non2xx ?? 0,
        durationSec: load?.durationSec ?? 0,
        requestsPerSec: load && load.durationSec > 0 ? load.requests / load.durationSec : 0,
        latencyP50Ms: load?.latencyP50 ?? 0,
        latencyP99Ms: load?.latencyP99 ?? 0,
        capped: load?.capped ?? false,
        heapUsed: heap.usedHeapSize - heap.codeSpaceUsed,
        codeSpace: heap.codeSpaceUsed,
        heapTotal: heap.totalHeapSize,
        rss: heap.rss,
        external: heap.externalMemory,
        arrayBuffers: heap.arrayBuffers,
        pools,
        at: new Date().toISOString(),
      };
    };

    const snapshotPaths = { baseline: null as string | null, target: null as string | null, final: null as string | null };
    const snapshot = async (label: 'baseline' | 'target' | 'final'): Promise<void> => {
      if (!options.snapshots) return;
      const path = join(ctx.snapshotDir, `${label}-${agent.pid}.heapsnapshot`);
      log(`writing ${label} heap snapshot (the service pauses while V8 writes it)`);
      const s0 = performance.now();
      await this._step(agent.snapshot(path));
      this._timings.snapshotMs += performance.now() - s0;
      snapshotPaths[label] = path;
    };

    const baseline = await measure(0, undefined);
    rounds.push(baseline);
    log(`baseline: post-GC heap ${formatBytes(baseline.heapUsed)}`);
    // The profiler's inspector session is opened before the baseline snapshot and closed after
    // the final one: closing it makes V8 forget its object ids, which the analysis relies on.
    if (options.profile) await this._step(agent.startProfile(32 * 1024));
    await snapshot('baseline');

    const targetRound = Math.max(1, Math.ceil(options.rounds / 2));
    const l0 = performance.now();
    for (let round = 1; round <= options.rounds; round++) {
      const label = `round ${round}/${options.rounds}`;
      const load = await this._step(this._load(plan, round, label));
      const record = await measure(round, load);
      rounds.push(record);
      const delta = record.heapUsed - baseline.heapUsed;
      const issues = load.errors > 0 ? `, ${load.errors} errors (${load.timeouts} timeouts)` : '';
      const poolText = record.pools.map((p) => `, pool ${p.name} total=${p.total} active=${p.active} idle=${p.idle} waiting=${p.waiting}`).join('');
      log(`${label}: ${load.requests} requests in ${load.durationSec.toFixed(1)} s${issues}${load.capped ? ' (round time cap reached)' : ''}, post-GC heap ${formatBytes(record.heapUsed)} (${delta >= 0 ? '+' : ''}${formatBytes(delta)})${poolText}`);
      if (round === targetRound && round < options.rounds) await snapshot('target');
    }
    this._timings.loadMs = performance.now() - l0;

    let allocationSites: AllocationSite[] = [];
    if (options.rounds >= 2) await snapshot('final');
    if (options.profile) allocationSites = (await this._step(agent.stopProfile())).sites;

    let poolLeaks: PoolLeak[] = [];
    if (readPools) {
      // Only monitored pools have leak thresholds to wait for.
      if (options.settleMs > 0 && poolsAvailable) {
        log(`waiting ${options.settleMs} ms for pool leak detection thresholds`);
        await this._step(sleep(options.settleMs, undefined, { signal: this._cancel.signal }));
      }
      const report = await this._step(agent.pools());
      poolsAvailable = report.available;
      poolsRaw = report.pools;
      poolLeaks = readPools(report.pools).leaks;
    }

    let findings: RunFinding[] = [];
    const analyze = this._hooks.analyze;
    if (analyze && snapshotPaths.baseline && snapshotPaths.final) {
      log('analysing the snapshots');
      const a0 = performance.now();
      findings = await this._step(
        this._analyze(analyze,
          { baseline: snapshotPaths.baseline, target: snapshotPaths.target ?? snapshotPaths.baseline, final: snapshotPaths.final },
          { requests: rounds.at(-1)?.cumulativeRequests ?? 0, thresholdBytesPerRequest: options.thresholdBytesPerRequest },
        ),
      );
      findings = await this._step(this._mapFindingLocations(agent, findings));
      this._timings.analysisMs = performance.now() - a0;
    }
    await service.stop();

    const decision = decideVerdict({ rounds, findings, poolLeaks, thresholdBytesPerRequest: options.thresholdBytesPerRequest, alpha: options.alpha });
    this._timings.totalMs = performance.now() - ctx.started;
    return {
      schema: 'leakhound-run/1',
      verdict: decision.verdict,
      reasons: decision.reasons,
      command: options.command,
      target: { origin, paths: ctx.paths, port, pid: agent.pid },
      rounds,
      heap: decision.heap,
      findings,
      allocationSites,
      pools: { available: poolsAvailable, leaks: poolLeaks, raw: poolsRaw },
      snapshots: { ...snapshotPaths, kept: options.outDir !== undefined },
      timings: this._timings,
      startedAt: ctx.startedAt,
      leakhoundVersion: leakhoundVersion(),
    };
  }

  /**
   * Snapshot locations are positions in the code V8 ran; when the service ran
   * through tsx or a bundler only its own process has the source maps, so the
   * agent translates them (the service is still up for exactly this).
   */
  private async _mapFindingLocations(agent: ControlClient, findings: RunFinding[]): Promise<RunFinding[]> {
    const pattern = /^(.*):(\d+):(\d+)$/;
    const unique = new Map<string, { url: string; line: number; column: number }>();
    const note = (text: string | null): void => {
      const match = text === null ? null : pattern.exec(text);
      if (match && !unique.has(text!)) unique.set(text!, { url: match[1]!, line: Number(match[2]), column: Number(match[3]) });
    };
    for (const finding of findings) {
      finding.locations.forEach(note);
      for (const step of finding.path) note(step.location);
    }
    if (unique.size === 0) return findings;
    let mapped: ({ url: string; line: number; column: number } | null)[];
    try {
      mapped = await agent.mapLocations([...unique.values()]);
    } catch {
      return findings;
    }
    const translation = new Map<string, string>();
    [...unique.keys()].forEach((key, i) => {
      const to = mapped[i];
      if (to) translation.set(key, `${to.url}:${to.line}:${to.column}`);
    });
    const tr = (text: string): string => translation.get(text) ?? text;
    return findings.map((finding) => ({
      ...finding,
      summary: [...translation].reduce((summary, [from, to]) => summary.split(from).join(to), finding.summary),
      locations: finding.locations.map(tr),
      path: finding.path.map((step) => ({ ...step, location: step.location === null ? null : tr(step.location) })),
    }));
  }

  /** A failed analysis costs the findings, not the verdict: the trend and the pools still stand. */
  private async _analyze(analyze: NonNullable<RunHooks['analyze']>, paths: Parameters<NonNullable<RunHooks['analyze']>>[0], context: AnalysisContext): Promise<RunFinding[]> {
    try {
      return await analyze(paths, context);
    } catch (error) {
      this._hooks.log(`snapshot analysis skipped: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  /** Races a step against the abort signal (service exit, timeout, Ctrl-C). */
  private _step<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this._aborted]);
  }

  private _load(plan: LoadPlan, round: number, label: string): Promise<LoadResult> {
    const total = plan.amount ?? 0;
    return runLoad(plan, round, this._cancel.signal, (done) => this._hooks.onRequests?.(label, done, total));
  }

  private async _waitForAgent(controlDir: string, port: number | undefined): Promise<ControlClient> {
    const limit = Date.now() + this._options.startupTimeoutSec * 1000;
    let sawAgent = false;
    while (Date.now() < limit && !this._cancel.signal.aborted) {
      const announcements = readAnnouncements(controlDir);
      sawAgent ||= announcements.length > 0;
      const chosen = pickAgent(announcements, port);
      if (chosen) return new ControlClient(chosen);
      await sleep(POLL_MS);
    }
    const tail = this._service?.stderrTail() ?? '';
    if (!sawAgent) {
      throw new ServiceFailure('LH_ERR_AGENT_UNREACHABLE', `run: no leakhound agent announced itself within ${this._options.startupTimeoutSec} s (is the command a Node.js service that keeps NODE_OPTIONS?)`, tail);
    }
    const where = port === undefined ? 'a TCP port' : `port ${port}`;
    throw new ServiceFailure('LH_ERR_SERVICE_NO_PORT', `run: the service did not listen on ${where} within ${this._options.startupTimeoutSec} s`, tail);
  }

  /** Any HTTP answer (even 404 or 500) means the server is up. */
  private async _waitForHttp(origin: string, path: string): Promise<void> {
    const limit = Date.now() + this._options.startupTimeoutSec * 1000;
    let lastError = '';
    while (Date.now() < limit && !this._cancel.signal.aborted) {
      try {
        await httpProbe(`${origin}${path}`, 'GET');
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      await sleep(POLL_MS);
    }
    throw new ServiceFailure('LH_ERR_SERVICE_NO_PORT', `run: ${origin}${path} did not answer within ${this._options.startupTimeoutSec} s (${lastError})`, this._service?.stderrTail() ?? '');
  }
}

function httpProbe(url: string, method: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(url, { method, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', reject);
    req.end();
  });
}
