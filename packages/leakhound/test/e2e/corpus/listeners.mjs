// Leak: a listener added per request to a long-lived emitter, never removed.
import { EventEmitter } from 'node:events';
import { runScenario } from './harness.mjs';

const bus = new EventEmitter();
bus.setMaxListeners(0);

await runScenario((i) => {
  const request = { id: i, path: '/orders/' + i };
  bus.on('config-changed', function onConfigChanged() {
    request.stale = true;
  });
});
