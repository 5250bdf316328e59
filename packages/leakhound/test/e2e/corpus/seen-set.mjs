// Leak: a Set of "already processed" request objects that is never pruned.
import { runScenario } from './harness.mjs';

const processed = new Set();

class IncomingMessage {
  constructor(id) {
    this.id = id;
    this.body = { items: [id, id + 1] };
  }
}

await runScenario((i) => {
  processed.add(new IncomingMessage(i));
});
