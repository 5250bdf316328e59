// Errors the agent raises to its caller (never into the host's own code paths).
// docs/errors.md documents every code.

export const AGENT_ERROR_CODES = {
  LH_ERR_AGENT_OPTIONS: 'an agent option has a wrong type or value',
  LH_ERR_POOL_UNSUPPORTED: 'monitorPool() was given an object that is not a supported connection pool',
} as const;

export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;

export class LeakhoundAgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LeakhoundAgentError';
    this.code = code;
  }
}
