// The coupon admin service: a small HTTP server on a pg pool of five, with
// leakhound's pool monitor and HTTP request context turned on.
import http from 'node:http';
import pg from 'pg';
import { enableHttpContext, monitorPool, setRoute, type AgentLogger, type PoolMonitor } from '@leakhound/agent';
import { topCouponsFixed } from './stats-fixed.js';
import { topCouponsLeaky } from './stats-leaky.js';

export type Variant = 'leaky' | 'fixed';

export interface CouponServiceOptions {
  variant: Variant;
  database: pg.PoolConfig;
  /** ms; the example uses 2000 like HikariCP's minimum, tests use less. */
  leakDetectionThreshold?: number;
  statsInterval?: number;
  /** pg's own wait limit for a connection (0 = wait forever). */
  connectionTimeoutMillis?: number;
  logger?: AgentLogger;
}

export interface CouponService {
  server: http.Server;
  pool: pg.Pool;
  monitor: PoolMonitor;
  close(): Promise<void>;
}

export function createCouponService(options: CouponServiceOptions): CouponService {
  enableHttpContext();
  const pool = new pg.Pool({ ...options.database, max: 5, connectionTimeoutMillis: options.connectionTimeoutMillis ?? 0 });
  const monitor = monitorPool(pool, {
    name: 'coupons',
    leakDetectionThreshold: options.leakDetectionThreshold ?? 2000,
    statsInterval: options.statsInterval ?? 30_000,
    logger: options.logger,
  });
  const topCoupons = options.variant === 'leaky' ? topCouponsLeaky : topCouponsFixed;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/coupons/stats') {
      setRoute('/coupons/stats');
      topCoupons(pool, 10).then(
        (rows) => reply(200, rows),
        (error: unknown) => reply(503, { error: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    if (req.method === 'GET' && path === '/pool') {
      reply(200, { stats: monitor.stats(), holders: monitor.holders() });
      return;
    }
    reply(404, { error: 'not found' });
  });

  return {
    server,
    pool,
    monitor,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      monitor.stop();
      await pool.end();
    },
  };
}
