// The example's own behaviour: the per-call route registers one TypeMap per
// request in the long-lived registry (the leak), the shared one registers none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registeredTypeMapCount, registeredTypeMaps } from '../src/mapper/mapper.js';
import { TypeMap } from '../src/mapper/type-map.js';
import { DevicePrice, loadDevicePrice, toDevicePricePerCall, toDevicePriceShared } from '../src/device-price.js';

test('both code paths map a DevicePriceEntity to the same DevicePrice', () => {
  const entity = loadDevicePrice(7);
  const expected = { deviceId: 7, model: 'model-7', price: '206.00', currency: 'KRW', updated: '2024-01-08T00:00:00.000Z' };
  const perCall = toDevicePricePerCall(entity);
  assert.ok(perCall instanceof DevicePrice);
  assert.deepEqual({ ...perCall }, expected);
  assert.deepEqual({ ...toDevicePriceShared(entity) }, expected);
});

test('a mapper per call grows the registry by one TypeMap per call; the shared mapper does not', () => {
  const before = registeredTypeMapCount();
  for (let i = 0; i < 100; i++) toDevicePriceShared(loadDevicePrice(i));
  assert.equal(registeredTypeMapCount(), before);
  for (let i = 0; i < 100; i++) toDevicePricePerCall(loadDevicePrice(i));
  assert.equal(registeredTypeMapCount(), before + 100);
  assert.ok(registeredTypeMaps().every((m) => m instanceof TypeMap));
});

test('the server answers the leaky and the fixed route', { timeout: 30_000 }, async () => {
  const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', server], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORT: '0' } });
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    for (const path of ['/devices/3/price', '/devices/3/price-shared']) {
      const res = await fetch(origin + path);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { model: string }).model, 'model-3');
    }
    assert.equal((await fetch(origin + '/devices/x/price')).status, 404);
    assert.deepEqual(await (await fetch(origin + '/health')).json(), { ok: true, mode: 'leaky' });
  } finally {
    child.kill('SIGKILL');
  }
});
