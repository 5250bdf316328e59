// Optional HTTP health endpoint for orchestrators (Kubernetes probes, load
// balancers): GET /health -> 200 ok / 503 degraded, GET /memory -> the report.
// Binds 127.0.0.1 unless told otherwise: the report is about this process only
// and need not leave the host.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentHealth } from './memory/health.js';
import type { MemoryReport } from './memory/watch.js';
import { markInternalServer } from './control/listen-watch.js';

export interface HealthServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** URL path of the health check. Default /health. */
  path?: string;
}

export interface HealthSource {
  health(): AgentHealth;
  memory(): MemoryReport | null;
}

export class HealthServer {
  private readonly _server: Server;
  private readonly _options: Required<HealthServerOptions>;

  constructor(source: HealthSource, options: HealthServerOptions) {
    this._options = { host: '127.0.0.1', path: '/health', ...options };
    this._server = createServer((req, res) => {
      try {
        const url = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
        if (url === this._options.path || url === '/healthz') {
          const health = source.health();
          return send(res, health.status === 'ok' ? 200 : 503, health);
        }
        if (url === '/memory') return send(res, 200, source.memory());
        return send(res, 404, { error: 'not found', paths: [this._options.path, '/memory'] });
      } catch {
        try {
          send(res, 500, { error: 'internal error' });
        } catch {
          // The socket is gone; nothing to do.
        }
      }
    });
    // Probes must not keep the service alive, nor hold sockets open at shutdown.
    this._server.keepAliveTimeout = 1000;
    markInternalServer(this._server);
  }

  /** Resolves with the bound address; rejects when the port is taken (the agent logs it). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this._server.once('error', onError);
      this._server.listen(this._options.port, this._options.host, () => {
        this._server.removeListener('error', onError);
        this._server.unref();
        resolve(this._server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this._server.listening) return resolve();
      this._server.close(() => resolve());
      this._server.closeAllConnections();
    });
  }
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
