// Progress of long heap phases (reading, dominators, ...). Phases report
// `done` out of `total` in their own unit (bytes, nodes); the reporter draws
// one bar on a TTY and stays silent otherwise, so piped output stays clean.

export type ProgressFn = (phase: string, done: number, total: number) => void;

/** A ProgressFn that does nothing: lets hot code call onProgress unconditionally. */
export const noProgress: ProgressFn = () => {};

const REDRAW_MS = 100;
const BAR_WIDTH = 30;

interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * A progress bar on `stream` when it is a TTY, redrawn at most every 100 ms
 * and on phase changes; a no-op otherwise. Call `(phase, total, total)` for the
 * last phase to leave the line clean (the bar line is erased when done).
 */
export function createProgressReporter(stream: ProgressStream = process.stderr): ProgressFn {
  if (stream.isTTY !== true) return noProgress;
  let lastPhase = '';
  let lastDraw = 0;
  let drawn = false;
  return (phase, done, total) => {
    const now = Date.now();
    const finished = total > 0 && done >= total;
    if (phase === lastPhase && !finished && now - lastDraw < REDRAW_MS) return;
    lastPhase = phase;
    lastDraw = now;
    if (finished) {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
      return;
    }
    // A pseudo-terminal may report 0 columns.
    const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
    stream.write('\r\x1b[2K' + formatProgress(phase, done, total, columns));
    drawn = true;
  };
}

/** One progress line, e.g. `read      [#######.......]  41%  245.1/600.0 MB`. */
export function formatProgress(phase: string, done: number, total: number, columns = 80): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
  const pct = String(Math.floor(ratio * 100)).padStart(3);
  // Total 0: unknown (reading a pipe).
  const amount = phase === 'read' ? (total > 0 ? `${mb(done)}/${mb(total)} MB` : `${mb(done)} MB`) : `${done}/${total}`;
  const line = `${phase.padEnd(10)} [${bar}] ${pct}%  ${amount}`;
  return line.length < columns ? line : line.slice(0, Math.max(0, columns - 1));
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
