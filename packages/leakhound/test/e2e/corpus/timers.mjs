// Leak: a polling interval started per request and never cleared; each keeps
// its request's session alive through the callback's closure.
import { runScenario } from './harness.mjs';

class Session {
  constructor(id) {
    this.id = id;
    this.buffer = new Array(16).fill(id);
  }
}

await runScenario((i) => {
  const session = new Session(i);
  const timer = setInterval(function pollSession() {
    session.buffer.push(Date.now());
  }, 3_600_000);
  timer.unref();
});
