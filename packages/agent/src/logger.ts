// Anything with pino/winston/console-like methods works as a logger.
export interface AgentLogger {
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  error?(message: string, ...rest: unknown[]): void;
  debug?(message: string, ...rest: unknown[]): void;
}

export const consoleLogger: AgentLogger = {
  warn: (message, ...rest) => console.warn(message, ...rest),
  info: (message, ...rest) => console.info(message, ...rest),
  error: (message, ...rest) => console.error(message, ...rest),
  debug: () => {},
};

/** Calls a logger method and swallows anything it throws: the agent never throws into the host. */
export function safeLog(logger: AgentLogger, level: 'warn' | 'info' | 'error' | 'debug', message: string, fields?: object): void {
  try {
    const fn = logger[level] ?? logger.warn;
    if (fields === undefined) fn.call(logger, message);
    else fn.call(logger, message, fields);
  } catch {
    // A broken logger must not break the service.
  }
}
