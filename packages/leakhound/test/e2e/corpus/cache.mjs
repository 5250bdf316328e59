// Leak: an unbounded cache keyed by a unique value per request.
import { runScenario } from './harness.mjs';

const cache = new Map();

function lookupUser(id) {
  let user = cache.get('user:' + id);
  if (!user) {
    user = { id, name: 'user ' + id, roles: ['reader'] };
    cache.set('user:' + id, user);
  }
  return user;
}

await runScenario((i) => lookupUser(i).name.length);
