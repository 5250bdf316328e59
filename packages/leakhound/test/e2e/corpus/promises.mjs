// Leak: every request's promise is kept in a list "for tracing" and never removed.
import { runScenario } from './harness.mjs';

const inflight = [];

async function handle(id) {
  return { id, status: 200 };
}

await runScenario(async (i) => {
  const promise = handle(i);
  inflight.push(promise);
  await promise;
});
