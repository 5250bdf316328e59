// examples/device-price: the mapper incident as a small HTTP service.
//   GET /devices/:id/price         leaky (a mapper per call), or fixed with --fixed / DEVICE_PRICE_FIXED=1
//   GET /devices/:id/price-shared  always the fixed code path
//   GET /health
// PORT=0 (the default) picks a free port; the address is printed on stdout.
import http from 'node:http';
import { loadDevicePrice, toDevicePricePerCall, toDevicePriceShared } from './device-price.js';

const fixed = process.argv.includes('--fixed') || process.env.DEVICE_PRICE_FIXED === '1';
const route = /^\/devices\/(\d+)\/(price|price-shared)$/;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createServer(options: { fixed: boolean }): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true, mode: options.fixed ? 'fixed' : 'leaky' });
    const match = route.exec(path);
    if (req.method !== 'GET' || !match) return send(res, 404, { error: 'not found' });
    const entity = loadDevicePrice(Number(match[1]));
    const shared = options.fixed || match[2] === 'price-shared';
    send(res, 200, shared ? toDevicePriceShared(entity) : toDevicePricePerCall(entity));
  });
}

const server = createServer({ fixed });
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`device-price (${fixed ? 'fixed' : 'leaky'}) listening on http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
