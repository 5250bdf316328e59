// Leak: sessions kept in a plain object used as a dictionary (keyed by a
// unique id per request), never deleted.
import { runScenario } from './harness.mjs';

const sessionsById = {};

class UserSession {
  constructor(id) {
    this.id = id;
    this.startedAt = Date.now();
  }
}

await runScenario((i) => {
  sessionsById['session-' + i] = new UserSession(i);
});
