// Preloaded by `leakhound run` next to the agent's register: opens the control
// channel when LEAKHOUND_CONTROL is set. Idempotent with the agent's own start-up.
import { startControlFromEnv } from './index.js';

startControlFromEnv();
