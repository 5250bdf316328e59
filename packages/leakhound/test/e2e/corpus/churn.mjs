// Not a leak: many short-lived objects per request; only the last 20
// responses are kept (a fixed-size ring).
import { runScenario } from './harness.mjs';

const recent = new Array(20).fill(null);

await runScenario((i) => {
  const rows = [];
  for (let k = 0; k < 50; k++) rows.push({ k, value: 'row ' + k + ' of ' + i });
  const body = JSON.stringify(rows);
  recent[i % recent.length] = { id: i, length: body.length };
});
