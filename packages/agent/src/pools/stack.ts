// Borrower stacks: captured cheaply at every borrow, formatted only when reported.
// `Error.captureStackTrace` records V8's structured frames; the text is built lazily
// on first read of `.stack`, which happens only for a leak report or a holders() call.
import { fileURLToPath } from 'node:url';

export interface CapturedStack {
  stack?: string;
}

const NOT_CAPTURED: CapturedStack = Object.freeze({});
const NOT_SAMPLED: CapturedStack = Object.freeze({});
const LIBRARY_BORROW: CapturedStack = Object.freeze({});
// Capture cost is mostly fixed per capture (V8 starting the stack walk: ~1.4 µs for one frame,
// +40-300 ns for 8, see docs/benchmarks.md), so fewer frames save little;
// frames above the adapter's wrapper are cut, so at most 3 pool-library frames (mysql2's
// promise wrapper, tarn's event dispatch) come before the user's: 8 leaves 5+ user frames.
const CAPTURE_LIMIT = 8;
const MAX_FRAME_CHARS = 300;

// The agent's own frames: compiled (dist/) or, through source maps, original (src/).
const AGENT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AGENT_DIRS = [`${AGENT_ROOT}src/`, `${AGENT_ROOT}dist/`];
const POOL_LIBS = ['pg', 'pg-pool', 'pg-cursor', 'pg-query-stream', 'mysql2', 'mariadb', 'generic-pool', 'tarn', 'knex'];
const LIB_MARKERS = POOL_LIBS.map((name) => `/node_modules/${name}/`);

/** The function whose frame and everything above it is left out of a captured stack. */
export type StackCaller = (...args: never[]) => unknown;

export function captureStack(caller: StackCaller): CapturedStack {
  const holder: CapturedStack = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = CAPTURE_LIMIT;
  Error.captureStackTrace(holder, caller);
  Error.stackTraceLimit = limit;
  return holder;
}

export function noStack(): CapturedStack {
  return NOT_CAPTURED;
}

/** Marks a borrow whose stack the adaptive mode skipped (healthy pool, not one of the sampled borrows). */
export function notSampled(): CapturedStack {
  return NOT_SAMPLED;
}

/** Marks a borrow made by the pool library for itself (pool.query()), which it also returns. */
export function libraryBorrow(): CapturedStack {
  return LIBRARY_BORROW;
}

/** Why a report has no frames: text for the log line. */
export function missingFramesReason(trace: CapturedStack): string {
  if (trace === LIBRARY_BORROW) return 'borrowed inside the pool library (pool.query() or similar), no stack captured';
  if (trace === NOT_CAPTURED) return 'borrower stack not captured';
  if (trace === NOT_SAMPLED) return 'borrower stack not sampled: captureStacks "adaptive" captures every borrow only while a leak is outstanding or a connection has been held for a quarter of the threshold';
  return "no user frame in the borrower's stack";
}

/** The user frames of a captured stack ("at fn (/path:1:2)"), without node internals, pool libraries or the agent. */
export function userFrames(trace: CapturedStack, max: number): string[] {
  let text: string | undefined;
  try {
    text = trace.stack;
  } catch {
    return []; // a host's Error.prepareStackTrace may throw
  }
  if (typeof text !== 'string') return [];
  const frames: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ') || !isUserFrame(line)) continue;
    frames.push(line.length > MAX_FRAME_CHARS ? `${line.slice(0, MAX_FRAME_CHARS)}...` : line);
    if (frames.length >= max) break;
  }
  return frames;
}

/** "/srv/app/stats.ts:21:30" out of "at leakyStats (file:///srv/app/stats.ts:21:30)". */
export function frameLocation(frame: string): string {
  const open = frame.lastIndexOf('(');
  let location = open !== -1 && frame.endsWith(')') ? frame.slice(open + 1, -1) : frame.replace(/^at (async )?/, '');
  if (location.startsWith('file://')) location = location.slice('file://'.length);
  return location;
}

function isUserFrame(line: string): boolean {
  if (line.includes('node:') || line.endsWith('(<anonymous>)') || line === 'at <anonymous>') return false;
  for (const dir of AGENT_DIRS) if (line.includes(dir)) return false;
  for (const marker of LIB_MARKERS) if (line.includes(marker)) return false;
  return true;
}
