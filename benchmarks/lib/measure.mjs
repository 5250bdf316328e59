// Runs one benchmarked command and measures it: wall time, CPU time, peak RSS of the
// process (GNU time's %M: ru_maxrss, which on Linux also covers waited-for
// descendants one by one) and the peak of the whole process tree's summed RSS
// (polled from /proc, so a tool that forks workers is not under-counted).
// A failing tool (exit code, signal, timeout, OOM) is a result, not a throw.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, createReadStream, openSync, closeSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem, tmpdir, release } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

// The tool being measured runs in its own process group (see measure()), so
// a signal to the harness does not reach it: killRunning() does.
let runningGroup = 0;
let runningDir = '';

/** Kills the process group of the tool being measured, if any. */
export function killRunning() {
  if (runningGroup === 0) return;
  try { process.kill(-runningGroup, 'SIGKILL'); } catch { /* already gone */ }
  runningGroup = 0;
  if (runningDir) rmSync(runningDir, { recursive: true, force: true });
}
const POLL_MS = 200;

/**
 * The commit leakhound was built from, and whether its sources differed from
 * it (other engineers commit while benchmarks run).
 */
export function gitRevision(cwd) {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'packages/leakhound/src'], { cwd, encoding: 'utf8' });
  return { commit: head.stdout.trim() || 'unknown', leakhoundSourcesModified: dirty.stdout.trim().length > 0 };
}

/** Machine facts recorded with every result. */
export function machineInfo() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1].trim();
  } catch { /* not Linux: os.cpus() is good enough */ }
  return {
    cpuModel, nproc: cpus().length, ramBytes: totalmem(), freeRamBytesAtStart: freemem(),
    node: process.version, kernel: release(), loadavgAtStart: loadavg().map((l) => +l.toFixed(2)),
  };
}

function childrenOf() {
  // pid -> [child pids] for every process we can see.
  const map = new Map();
  let entries;
  try { entries = readdirSync('/proc'); } catch { return map; }
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let stat;
    try { stat = readFileSync(`/proc/${name}/stat`, 'utf8'); } catch { continue; }
    // Field 4 (ppid) follows the parenthesised command, which may hold spaces.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(after[1]);
    const list = map.get(ppid);
    if (list) list.push(Number(name)); else map.set(ppid, [Number(name)]);
  }
  return map;
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch { return 0; }
}

function treeRss(rootPid) {
  const kids = childrenOf();
  let total = 0;
  const stack = [rootPid];
  let guard = 0;
  while (stack.length > 0 && guard++ < 10_000) {
    const pid = stack.pop();
    total += rssOf(pid);
    for (const k of kids.get(pid) ?? []) stack.push(k);
  }
  return total;
}

function classify(exitCode, signal, timedOut, stderr) {
  if (timedOut) return 'timeout';
  if (/heap out of memory|Reached heap limit|OutOfMemory/i.test(stderr)) return 'out of memory';
  if (/Invalid string length|Cannot create a string longer/i.test(stderr)) return 'string too long';
  if (/invalid size error|invalid array length/i.test(stderr)) return 'array too large';
  if (signal === 'SIGKILL') return 'killed (SIGKILL: likely the kernel OOM killer)';
  if (signal) return `signal ${signal}`;
  return `exit code ${exitCode}`;
}

/**
 * Runs `argv` (argv[0] is the program) with stdout discarded (or kept, when
 * keepStdout), under GNU time when present. Never throws for a failing tool.
 */
export async function measure(argv, { timeoutSeconds = 600, cwd = process.cwd(), keepStdout = false, okExitCodes = [0] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-'));
  runningDir = dir;
  const timeFile = join(dir, 'time.txt');
  const useGnuTime = existsSync(GNU_TIME);
  const full = useGnuTime ? [GNU_TIME, '-f', '%e %M %U %S', '-o', timeFile, ...argv] : argv;
  const loadBefore = +loadavg()[0].toFixed(2);
  const started = performance.now();
  let stderr = '';
  let stdout = '';
  let treePeak = 0;
  let timedOut = false;
  const result = await new Promise((resolveRun) => {
    // detached: its own process group, so a timeout kills the tool and any
    // worker it forked, not just GNU time.
    const child = spawn(full[0], full.slice(1), { cwd, detached: true, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    runningGroup = child.pid ?? 0;
    child.stderr.on('data', (chunk) => { stderr = (stderr + chunk.toString()).slice(-20_000); });
    if (keepStdout) child.stdout.on('data', (chunk) => { stdout = (stdout + chunk.toString()).slice(-200_000); });
    const poll = setInterval(() => { treePeak = Math.max(treePeak, treeRss(child.pid)); }, POLL_MS);
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutSeconds * 1000);
    child.on('error', (err) => { stderr += String(err); });
    child.on('close', (code, signal) => {
      runningGroup = 0;
      clearInterval(poll);
      clearTimeout(timer);
      resolveRun({ code, signal });
    });
  });
  const wallSeconds = (performance.now() - started) / 1000;
  let timeWall = null;
  let peakRssBytes = null;
  let cpuSeconds = null;
  let innerSignal = result.signal;
  let innerCode = result.code;
  if (useGnuTime && existsSync(timeFile)) {
    const text = readFileSync(timeFile, 'utf8').trim().split('\n');
    // GNU time prefixes "Command terminated by signal N" / "Command exited with non-zero status N".
    for (const line of text) {
      const sig = /terminated by signal (\d+)/.exec(line);
      if (sig) innerSignal = sig[1] === '9' ? 'SIGKILL' : `signal ${sig[1]}`;
      const st = /non-zero status (\d+)/.exec(line);
      if (st) innerCode = Number(st[1]);
    }
    const last = text[text.length - 1]?.split(' ') ?? [];
    if (last.length === 4 && !Number.isNaN(Number(last[0]))) {
      timeWall = Number(last[0]);
      peakRssBytes = Number(last[1]) * 1024;
      // user + system CPU of the tool (and its waited-for children): less
      // sensitive than wall time to other processes on a shared machine.
      cpuSeconds = +(Number(last[2]) + Number(last[3])).toFixed(2);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  runningDir = '';
  const ok = !timedOut && !innerSignal && okExitCodes.includes(innerCode);
  return {
    ok,
    error: ok ? null : `${classify(innerCode, innerSignal, timedOut, stderr)}: ${lastLines(stderr, 3)}`,
    exitCode: innerCode,
    wallSeconds: +(timeWall ?? wallSeconds).toFixed(2),
    cpuSeconds,
    loadavg1mBefore: loadBefore,
    peakRssBytes: peakRssBytes ?? treePeak,
    treePeakRssBytes: treePeak,
    stdout: keepStdout ? stdout : undefined,
    stderrTail: lastLines(stderr, 5),
  };
}

function lastLines(text, n) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0).slice(-n).join(' | ').slice(0, 600);
}

/**
 * Reads the file once, sequentially, in 8 MB chunks: warms the page cache so
 * the first tool is not charged for the disk, and gives the raw read speed
 * (the floor for any tool that must look at every byte).
 */
export async function rawReadSpeed(file) {
  let started = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 8 << 20 })) bytes += chunk.length;
  const readSeconds = (performance.now() - started) / 1000;
  // A second pass that touches every byte in JS (counting separators), the
  // least a single-threaded JS parser has to do.
  started = performance.now();
  let commas = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 8 << 20 })) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 44) commas++;
  }
  const scanSeconds = (performance.now() - started) / 1000;
  return {
    bytes, commas, readSeconds: +readSeconds.toFixed(2), readMBps: +(bytes / 1e6 / readSeconds).toFixed(0),
    scanSeconds: +scanSeconds.toFixed(2), scanMBps: +(bytes / 1e6 / scanSeconds).toFixed(0),
  };
}

/**
 * How much a second thread gives right now: a fixed busy loop (no memory
 * traffic) on one thread, then on two at once. A speedup near 2 means two
 * free cores; near 1 means the machine (or the host under the VM) gives this
 * process one core's worth, and leakhound's worker threads cannot pay.
 */
export async function threadScaling() {
  const loop = 'let s = 0; for (let i = 0; i < 2e8; i++) s = (s + i % 7) | 0;';
  const time = (code) => {
    const started = performance.now();
    new Function(code)();
    return performance.now() - started;
  };
  time(loop);
  const oneMs = time(loop);
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.once('message', () => { ${loop} parentPort.postMessage(0); });`, { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
  const started = performance.now();
  const done = new Promise((resolve) => worker.once('message', resolve));
  worker.postMessage(0);
  time(loop);
  await done;
  const twoMs = performance.now() - started;
  await worker.terminate();
  return { oneThreadMs: +oneMs.toFixed(0), twoThreadsMs: +twoMs.toFixed(0), speedup: +((2 * oneMs) / twoMs).toFixed(2) };
}

/** True when the file can be opened for reading. */
export function readable(file) {
  try { closeSync(openSync(file, 'r')); return true; } catch { return false; }
}

export function mb(bytes) { return bytes == null ? 'n/a' : `${(bytes / 1e6).toFixed(0)} MB`; }
export function gb(bytes) { return bytes == null ? 'n/a' : bytes < 1e9 ? mb(bytes) : `${(bytes / 1e9).toFixed(2)} GB`; }
