// Writes a real heap snapshot with Node: a child process runs a small program
// that leaks `entries` LeakyEntry objects into a module-level Map (the
// everyday "per-request object registered in a long-lived registry" leak),
// then calls v8.writeHeapSnapshot. Tests analyse the file it leaves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LEAKY_PROGRAM = `import v8 from 'node:v8';

class LeakyEntry {
  constructor(id) {
    this.id = id;
    this.payload = 'request-' + id + '-' + 'x'.repeat(160);
    this.createdAt = Date.now();
  }
}

const registry = new Map();

function handleRequest(id) {
  registry.set('req-' + id, new LeakyEntry(id));
}

const count = Number(process.argv[3]);
for (let i = 0; i < count; i++) handleRequest(i);
v8.writeHeapSnapshot(process.argv[2]);
`;

export interface LeakySnapshot {
  dir: string;
  programPath: string;
  snapshotPath: string;
  /** 1-based line of `text` in the program. */
  lineOf(text: string): number;
  cleanup(): void;
}

export function writeLeakySnapshot(entries = 5000): LeakySnapshot {
  return writeProgramSnapshot(LEAKY_PROGRAM, 'leaky-service.mjs', [String(entries)]);
}

/**
 * Runs `program` (saved as `fileName`, so .mjs or .cjs decides the module
 * kind) with argv [snapshotPath, ...args]; the program writes the snapshot.
 */
export function writeProgramSnapshot(program: string, fileName: string, args: string[] = []): LeakySnapshot {
  const dir = mkdtempSync(join(tmpdir(), 'leakhound-snap-'));
  const programPath = join(dir, fileName);
  const snapshotPath = join(dir, 'leaky.heapsnapshot');
  writeFileSync(programPath, program);
  execFileSync(process.execPath, [programPath, snapshotPath, ...args], { timeout: 60_000, stdio: 'pipe' });
  const lines = readFileSync(programPath, 'utf8').split('\n');
  return {
    dir,
    programPath,
    snapshotPath,
    lineOf: (text) => lines.findIndex((line) => line.includes(text)) + 1,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
