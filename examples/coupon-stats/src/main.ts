// Runs the coupon service: `node --import tsx examples/coupon-stats/src/main.ts [leaky|fixed] [port]`.
// PostgreSQL from PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (default 127.0.0.1:5432, postgres, test).
import { createCouponService, type Variant } from './server.js';

const variant: Variant = process.argv[2] === 'fixed' ? 'fixed' : 'leaky';
const port = Number(process.argv[3] ?? 3000);
const service = createCouponService({
  variant,
  database: {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD,
    database: process.env.PGDATABASE ?? 'test',
  },
  statsInterval: 5000,
});
service.server.listen(port, '127.0.0.1', () => {
  console.info(`coupon-stats (${variant}) on http://127.0.0.1:${port}/coupons/stats; pool view at /pool`);
});
process.once('SIGINT', () => void service.close().then(() => process.exit(0)));
