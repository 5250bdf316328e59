// Leak: a closure per request pushed to a global array of "cleanup hooks"
// that nothing ever runs or clears.
import { runScenario } from './harness.mjs';

globalThis.cleanupHooks = [];

class RequestContext {
  constructor(id) {
    this.id = id;
    this.headers = { 'x-request-id': 'req-' + id };
  }
}

await runScenario((i) => {
  const context = new RequestContext(i);
  globalThis.cleanupHooks.push(() => context.headers);
});
