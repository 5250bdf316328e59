// One round of HTTP load with autocannon used as a library, always bounded: by
// request count or duration, and in any case by a hard time cap, so a service
// that stops answering (an exhausted pool) cannot hang the run.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadPlan {
  /** http://127.0.0.1:PORT */
  origin: string;
  requests: LoadRequest[];
  connections: number;
  /** Requests per round; takes precedence over `durationSec`. */
  amount?: number;
  durationSec?: number;
  /** Overall requests per second; unlimited when undefined. */
  rate?: number;
  /** Per-request timeout, seconds. */
  timeoutSec: number;
  /** Hard cap on the round, seconds. */
  maxSec: number;
  /** Custom scenario module instead of autocannon. */
  script?: string;
}

export interface LoadResult {
  /** Responses received (any status). */
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  durationSec: number;
  latencyP50: number;
  latencyP99: number;
  /** True when the hard cap stopped the round. */
  capped: boolean;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  latency: { p50: number; p99: number };
}

interface AutocannonInstance {
  on(event: 'response', listener: () => void): void;
  on(event: 'done', listener: (result: AutocannonResult) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  stop(): void;
}

type AutocannonFn = (options: Record<string, unknown>) => AutocannonInstance;

/** A `--script` module: `export default async function ({ origin, round, signal }) { ...; return requestsMade }`. */
export type ScenarioFn = (context: { origin: string; round: number; signal: AbortSignal }) => Promise<number | void>;

let autocannon: AutocannonFn | undefined;

function loadAutocannon(): AutocannonFn {
  // autocannon ships CommonJS without types; require keeps it lazy for `leakhound --help`.
  autocannon ??= createRequire(import.meta.url)('autocannon') as AutocannonFn;
  return autocannon;
}

export function runLoad(plan: LoadPlan, round: number, signal: AbortSignal, onProgress?: (done: number) => void): Promise<LoadResult> {
  if (plan.script !== undefined) return runScript(plan, round, signal);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    let responses = 0;
    let capped = false;
    const options: Record<string, unknown> = {
      url: plan.origin,
      connections: plan.connections,
      timeout: plan.timeoutSec,
      requests: plan.requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body })),
    };
    if (plan.amount !== undefined) options.amount = plan.amount;
    else options.duration = plan.durationSec ?? 5;
    if (plan.rate !== undefined) options.overallRate = plan.rate;
    const instance = loadAutocannon()(options);
    const cap = setTimeout(() => {
      capped = true;
      instance.stop();
    }, plan.maxSec * 1000);
    const tick = setInterval(() => onProgress?.(responses), 250);
    const onAbort = (): void => instance.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    instance.on('response', () => {
      responses++;
    });
    instance.on('error', (error) => {
      clearTimeout(cap);
      clearInterval(tick);
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    instance.on('done', (result) => {
      clearTimeout(cap);
      clearInterval(tick);
      signal.removeEventListener('abort', onAbort);
      onProgress?.(responses);
      resolvePromise({
        requests: responses,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        durationSec: (performance.now() - started) / 1000,
        latencyP50: result.latency.p50,
        latencyP99: result.latency.p99,
        capped,
      });
    });
  });
}

async function runScript(plan: LoadPlan, round: number, signal: AbortSignal): Promise<LoadResult> {
  const module = (await import(pathToFileURL(resolve(plan.script!)).href)) as { default?: unknown };
  if (typeof module.default !== 'function') throw new Error(`${plan.script} has no default export function`);
  const scenario = module.default as ScenarioFn;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let capped = false;
  const cap = new Promise<void>((resolveCap) => {
    timer = setTimeout(() => {
      capped = true;
      controller.abort();
      resolveCap();
    }, plan.maxSec * 1000);
  });
  try {
    const made = await Promise.race([scenario({ origin: plan.origin, round, signal: controller.signal }), cap]);
    return {
      requests: typeof made === 'number' ? made : 0,
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      durationSec: (performance.now() - started) / 1000,
      latencyP50: 0,
      latencyP99: 0,
      capped,
    };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
