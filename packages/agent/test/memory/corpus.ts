// Replays the labelled trace corpus (corpus/*.json) through the leak detector in
// simulated time and scores it. Used by corpus.test.ts and evaluate.mjs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LeakDetector, type DetectorOptions } from '../../src/memory/trend.js';

export interface CorpusTrace {
  name: string;
  scenario: string;
  label: 'leak' | 'healthy';
  /** Seconds (synthetic) or milliseconds times timeScale (recorded); see unitMs. */
  t: number[];
  kb: number[];
  leakStartS?: number;
  rateMBh?: number;
  /** Recorded traces: real milliseconds; replayed with time multiplied by timeScale. */
  source?: 'recorded';
  timeScale?: number;
  note?: string;
}

export interface TraceOutcome {
  name: string;
  scenario: string;
  label: 'leak' | 'healthy';
  simulatedHours: number;
  /** First "leaking" verdict, simulated ms from the trace start; null if never. */
  firstLeakingAt: number | null;
  falseAlarm: boolean;
  detected: boolean;
  delayMs: number | null;
}

export const corpusDir = join(new URL('.', import.meta.url).pathname, 'corpus');

export function loadCorpus(dir = corpusDir): CorpusTrace[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CorpusTrace);
}

/** Evaluates a detector once per simulated minute, as the agent does (its default evaluation period). */
export function replay(trace: CorpusTrace, options: Partial<DetectorOptions> = {}, evaluateEveryMs = 60_000): TraceOutcome {
  const detector = new LeakDetector(options);
  const unit = trace.source === 'recorded' ? (trace.timeScale ?? 1) : 1000;
  let nextEval = evaluateEveryMs;
  let firstLeakingAt: number | null = null;
  let end = 0;
  for (let i = 0; i < trace.t.length; i++) {
    const at = (trace.t[i] as number) * unit;
    while (at >= nextEval) {
      if (firstLeakingAt === null && detector.evaluate(nextEval).state === 'leaking') firstLeakingAt = nextEval;
      nextEval += evaluateEveryMs;
    }
    detector.add(at, (trace.kb[i] as number) * 1024);
    end = at;
  }
  if (firstLeakingAt === null && detector.evaluate(end).state === 'leaking') firstLeakingAt = end;
  const leakStart = (trace.leakStartS ?? 0) * 1000;
  const falseAlarm = firstLeakingAt !== null && (trace.label === 'healthy' || firstLeakingAt < leakStart);
  const detected = trace.label === 'leak' && firstLeakingAt !== null && firstLeakingAt >= leakStart;
  return {
    name: trace.name,
    scenario: trace.scenario,
    label: trace.label,
    simulatedHours: end / 3_600_000,
    firstLeakingAt,
    falseAlarm,
    detected,
    delayMs: detected && firstLeakingAt !== null ? firstLeakingAt - leakStart : null,
  };
}

export interface CorpusScore {
  outcomes: TraceOutcome[];
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  healthyHours: number;
  healthyFalseAlarms: number;
  table: string;
}

export function scoreCorpus(traces: CorpusTrace[], optionsFor: (t: CorpusTrace) => Partial<DetectorOptions> = () => ({})): CorpusScore {
  const outcomes = traces.map((t) => replay(t, optionsFor(t)));
  const tp = outcomes.filter((o) => o.detected).length;
  const fp = outcomes.filter((o) => o.falseAlarm).length;
  const fn = outcomes.filter((o) => o.label === 'leak' && !o.detected).length;
  const healthy = outcomes.filter((o) => o.label === 'healthy');
  return {
    outcomes,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    healthyHours: healthy.reduce((sum, o) => sum + o.simulatedHours, 0),
    healthyFalseAlarms: healthy.filter((o) => o.falseAlarm).length,
    table: renderTable(outcomes, traces),
  };
}

function renderTable(outcomes: TraceOutcome[], traces: CorpusTrace[]): string {
  const scenarios = [...new Set(outcomes.map((o) => o.scenario))];
  const lines = [
    '| scenario | label | traces | simulated h (each) | leak rates MB/h | detected | false alarms | detection delay (median, max) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const scenario of scenarios) {
    const group = outcomes.filter((o) => o.scenario === scenario);
    const label = group[0]?.label ?? 'healthy';
    const rates = traces.filter((t) => t.scenario === scenario && t.rateMBh !== undefined).map((t) => t.rateMBh);
    const delays = group.flatMap((o) => (o.delayMs === null ? [] : [o.delayMs])).sort((a, b) => a - b);
    const median = delays.length === 0 ? null : (delays[(delays.length - 1) >> 1] as number);
    const max = delays.length === 0 ? null : (delays[delays.length - 1] as number);
    const hours = [...new Set(group.map((o) => Math.round(o.simulatedHours)))].join(', ');
    lines.push(
      `| ${scenario} | ${label} | ${group.length} | ${hours} | ${rates.length ? rates.join(', ') : '-'} | ${label === 'leak' ? `${group.filter((o) => o.detected).length}/${group.length}` : '-'} | ${group.filter((o) => o.falseAlarm).length} | ${median === null ? '-' : `${fmtDelay(median)}, ${fmtDelay(max ?? median)}`} |`,
    );
  }
  return lines.join('\n');
}

function fmtDelay(ms: number): string {
  return ms >= 7_200_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;
}
