// `node --import @leakhound/agent/register` (ESM) or `--require` (CJS entry
// register.cjs, same effect): starts the agent configured from LEAKHOUND_*
// environment variables (docs/configuration.md). Never throws into the host.
import { startAgentFromEnv } from './agent.js';

startAgentFromEnv();
