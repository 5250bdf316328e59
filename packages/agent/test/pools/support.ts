// Shared by the pool tests: a logger that records, a bounded wait, and the line of a marker comment.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentLogger } from '../../src/logger.js';

export interface RecordingLogger extends AgentLogger {
  lines: string[];
  matching(pattern: RegExp): string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    warn: (message) => void lines.push(message),
    info: (message) => void lines.push(message),
    matching: (pattern) => lines.filter((line) => pattern.test(line)),
  };
}

/** Polls `check` every 10 ms until it returns a value other than undefined/false; fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** 1-based line of the first line containing `marker` in the file at `url`. */
export function lineOf(url: string, marker: string): number {
  const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(marker));
  if (index === -1) throw new Error(`marker ${marker} not found`);
  return index + 1;
}
