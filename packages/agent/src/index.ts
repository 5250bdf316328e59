// Public API of @leakhound/agent. Dependency-free: imports only node: modules.
export { LeakhoundAgentError, AGENT_ERROR_CODES, type AgentErrorCode } from './errors.js';
export type { AgentLogger } from './logger.js';
