// The runner's side of the agent control channel (packages/agent/src/control):
// finds the agent that owns the service's port and sends it commands.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import type { ControlAnnouncement, HeapMeasurement, AllocationProfile } from '@leakhound/agent';

export type { ControlAnnouncement, HeapMeasurement, AllocationProfile };

export const CONTROL_TOKEN_HEADER = 'x-leakhound-token';

export interface CodeLocation {
  url: string;
  line: number;
  column: number;
}

/** Every agent that announced itself in the control directory. */
export function readAnnouncements(dir: string): ControlAnnouncement[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: ControlAnnouncement[] = [];
  for (const name of names) {
    if (!/^agent-\d+\.json$/.test(name)) continue;
    try {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ControlAnnouncement;
      if (typeof parsed.port === 'number' && typeof parsed.token === 'string') found.push(parsed);
    } catch {
      // Being rewritten (rename is atomic, but a reader may still race a delete): next poll.
    }
  }
  return found;
}

/**
 * The agent of the process that serves the load: the one listening on `port`
 * when it is known, else the one that listens at all (wrappers like npm/tsx load
 * the agent too but do not listen).
 */
export function pickAgent(announcements: ControlAnnouncement[], port: number | undefined): ControlAnnouncement | undefined {
  const listening = announcements.filter((a) => a.servicePorts.length > 0);
  if (port !== undefined) return listening.find((a) => a.servicePorts.some((p) => p.port === port));
  return listening.sort((a, b) => a.pid - b.pid)[0];
}

export class ControlClient {
  readonly announcement: ControlAnnouncement;

  constructor(announcement: ControlAnnouncement) {
    this.announcement = announcement;
  }

  get pid(): number {
    return this.announcement.pid;
  }

  gc(): Promise<HeapMeasurement> {
    return this._call('POST', '/gc', undefined, 60_000) as Promise<HeapMeasurement>;
  }

  /** The event loop of the service stops while V8 writes; big heaps take minutes. */
  snapshot(path: string): Promise<{ path: string; millis: number }> {
    return this._call('POST', '/snapshot', { path }, 600_000) as Promise<{ path: string; millis: number }>;
  }

  pools(): Promise<{ available: boolean; pools: unknown }> {
    return this._call('GET', '/pools', undefined, 10_000) as Promise<{ available: boolean; pools: unknown }>;
  }

  /** Generated-code positions (1-based) -> the positions in the service's sources, via its source maps. */
  async mapLocations(locations: CodeLocation[]): Promise<(CodeLocation | null)[]> {
    const answer = (await this._call('POST', '/source-locations', { locations }, 30_000)) as { locations: (CodeLocation | null)[] };
    return answer.locations;
  }

  startProfile(samplingInterval: number): Promise<unknown> {
    return this._call('POST', '/profile/start', { samplingInterval }, 10_000);
  }

  stopProfile(): Promise<AllocationProfile> {
    return this._call('POST', '/profile/stop', undefined, 60_000) as Promise<AllocationProfile>;
  }

  private _call(method: string, path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.announcement.port,
          method,
          path,
          agent: false,
          timeout: timeoutMs,
          headers: {
            [CONTROL_TOKEN_HEADER]: this.announcement.token,
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(new Error(`agent answered ${method} ${path} with non-JSON (status ${res.statusCode})`));
              return;
            }
            if (res.statusCode !== 200) {
              const message = (parsed as { error?: string }).error ?? `status ${res.statusCode}`;
              reject(new Error(`agent refused ${method} ${path}: ${message}`));
              return;
            }
            resolve(parsed);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`agent did not answer ${method} ${path} within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
