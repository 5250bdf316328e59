// The control channel between `leakhound run` and the agent inside the service
// under test. Loopback only, random port, a random token on every request, the
// socket unref'd so it never keeps the service alive. The address is published
// as `<dir>/agent-<pid>.json` (mode 0600): wrappers such as npm or tsx start
// several Node processes that all load the agent, and the runner picks the one
// that listens.
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import v8 from 'node:v8';
import { fullGc } from './gc.js';
import { HeapSampler } from './profiler.js';
import { originalLocation, type CodeLocation } from './source-map.js';
import { installListenWatch, listeningPorts, markInternalServer, watchListeningPorts, type ListeningPort } from './listen-watch.js';
import { safeLog, type AgentLogger } from '../logger.js';

export const CONTROL_PROTOCOL_VERSION = 1;
/** Header carrying the token of the control file. */
export const CONTROL_TOKEN_HEADER = 'x-leakhound-token';

/** What the agent publishes in its control file. */
export interface ControlAnnouncement {
  protocol: number;
  pid: number;
  ppid: number;
  /** Port of the control server on 127.0.0.1. */
  port: number;
  token: string;
  /** The service's own listening ports, in the order they opened. */
  servicePorts: ListeningPort[];
  argv: string[];
  startedAt: string;
}

export interface ControlServerOptions {
  /** Directory shared with the runner; the agent writes `agent-<pid>.json` into it. */
  dir: string;
  logger: AgentLogger;
  /** Current pools with their stats and holders (`describeMonitoredPools()`). */
  pools: () => unknown;
}

const MAX_BODY = 1024 * 1024;

/**
 * Lives as long as the process, under a name nothing else uses: `leakhound run`
 * finds it in every snapshot and checks that V8 kept its object id. V8 renumbers
 * every object when a heap profiler session closes (DevTools, an inspector
 * client), and the run's analysis relies on the ids.
 */
class LeakhoundIdSentinel {
  readonly createdAt = Date.now();
}
const idSentinel = new LeakhoundIdSentinel();

export class ControlServer {
  private readonly _options: ControlServerOptions;
  private readonly _token = randomBytes(24).toString('hex');
  private readonly _sampler = new HeapSampler();
  private _server: http.Server | undefined;
  private _unwatch: (() => void) | undefined;
  private _file: string;
  private _busy = false;

  constructor(options: ControlServerOptions) {
    this._options = options;
    this._file = join(options.dir, `agent-${process.pid}.json`);
    // Synchronously, before the service's main module gets to call listen().
    installListenWatch();
  }

  /** Keeps the sentinel reachable from the server (and so from the process). */
  readonly sentinel = idSentinel;

  get file(): string {
    return this._file;
  }

  async start(): Promise<number> {
    const server = http.createServer((req, res) => {
      this._handle(req, res).catch((error: unknown) => this._reply(res, 500, { error: errorMessage(error) }));
    });
    markInternalServer(server);
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    this._server = server;
    this._unwatch = watchListeningPorts(() => this._publish());
    this._publish();
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  stop(): void {
    this._unwatch?.();
    this._unwatch = undefined;
    this._server?.close();
    this._server?.closeAllConnections();
    this._server = undefined;
    try {
      rmSync(this._file, { force: true });
    } catch {
      // The runner removes its directory anyway.
    }
  }

  /** Rewrites the control file atomically so the runner never reads half of it. */
  private _publish(): void {
    const address = this._server?.address();
    if (typeof address !== 'object' || address === null) return;
    const announcement: ControlAnnouncement = {
      protocol: CONTROL_PROTOCOL_VERSION,
      pid: process.pid,
      ppid: process.ppid,
      port: address.port,
      token: this._token,
      servicePorts: listeningPorts(),
      argv: process.argv.slice(0, 8),
      startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    };
    try {
      mkdirSync(this._options.dir, { recursive: true, mode: 0o700 });
      const temp = `${this._file}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temp, JSON.stringify(announcement), { mode: 0o600 });
      renameSync(temp, this._file);
    } catch (error) {
      safeLog(this._options.logger, 'warn', `leakhound agent: cannot write the control file ${this._file}: ${errorMessage(error)}`);
    }
  }

  private _authorized(req: http.IncomingMessage): boolean {
    const given = req.headers[CONTROL_TOKEN_HEADER];
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this._token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async _handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!this._authorized(req)) {
      req.resume();
      this._reply(res, 401, { error: 'missing or wrong token' });
      return;
    }
    const body = await readBody(req);
    const route = `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`;
    // One command at a time: two overlapping snapshots would double the memory cost.
    if (this._busy && route !== 'GET /status') {
      this._reply(res, 409, { error: 'another control command is running' });
      return;
    }
    this._busy = true;
    try {
      this._reply(res, 200, await this._dispatch(route, body));
    } catch (error) {
      const status = error instanceof ControlRequestError ? 400 : 500;
      this._reply(res, status, { error: errorMessage(error) });
    } finally {
      this._busy = false;
    }
  }

  private async _dispatch(route: string, body: Record<string, unknown>): Promise<unknown> {
    switch (route) {
      case 'GET /status':
        return { pid: process.pid, servicePorts: listeningPorts(), uptime: process.uptime(), node: process.version, profiling: this._sampler.running };
      case 'POST /gc':
      case 'GET /heap':
        return fullGc();
      case 'POST /snapshot': {
        const path = body.path;
        if (typeof path !== 'string' || !isAbsolute(path) || !path.endsWith('.heapsnapshot')) {
          throw new ControlRequestError('snapshot needs an absolute "path" ending in .heapsnapshot');
        }
        const started = performance.now();
        const written = v8.writeHeapSnapshot(path);
        return { path: written, millis: performance.now() - started };
      }
      case 'GET /pools': {
        const pools = this._options.pools();
        return { available: Array.isArray(pools) && pools.length > 0, pools: pools ?? null };
      }
      case 'POST /profile/start': {
        const interval = typeof body.samplingInterval === 'number' ? body.samplingInterval : undefined;
        await this._sampler.start(interval);
        return { started: true };
      }
      case 'POST /source-locations': {
        // Heap snapshot locations are generated-code positions; only this process has the source maps.
        const list = Array.isArray(body.locations) ? (body.locations as unknown[]).slice(0, 10_000) : [];
        return { locations: list.map((item) => (isLocation(item) ? originalLocation(item) : null)) };
      }
      case 'POST /profile/stop':
        if (!this._sampler.running) throw new ControlRequestError('the sampling heap profiler is not running');
        return this._sampler.stop();
      default:
        throw new ControlRequestError(`unknown control command ${route}`);
    }
  }

  private _reply(res: http.ServerResponse, status: number, payload: unknown): void {
    if (res.headersSent) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

class ControlRequestError extends Error {}

function isLocation(value: unknown): value is CodeLocation {
  const v = value as Partial<CodeLocation> | null;
  return typeof v === 'object' && v !== null && typeof v.url === 'string' && typeof v.line === 'number' && typeof v.column === 'number';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ControlRequestError('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size === 0) return resolve({});
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {});
      } catch {
        reject(new ControlRequestError('request body is not JSON'));
      }
    });
  });
}
