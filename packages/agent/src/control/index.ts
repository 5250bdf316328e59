// Entry of the control channel: `startControlFromEnv()` is called by the agent's
// start-up; it does nothing unless `leakhound run` set LEAKHOUND_CONTROL.
import v8 from 'node:v8';
import { ControlServer } from './server.js';
import { consoleLogger, safeLog, type AgentLogger } from '../logger.js';
import { describeMonitoredPools } from '../pools/monitor.js';

export { ControlServer, CONTROL_TOKEN_HEADER, CONTROL_PROTOCOL_VERSION, type ControlAnnouncement } from './server.js';
export { markInternalServer, listeningPorts, type ListeningPort } from './listen-watch.js';
export type { HeapMeasurement } from './gc.js';
export type { AllocationProfile, AllocationSite, AllocationFrame } from './profiler.js';

export const CONTROL_ENV = 'LEAKHOUND_CONTROL';
/** Pid of the `leakhound run` that started this service: the service ends itself when it is gone. */
export const CONTROL_PARENT_ENV = 'LEAKHOUND_CONTROL_PARENT';

const WATCHDOG_MS = 1000;

/**
 * `leakhound run` kills the service's process group on every exit path it
 * sees; SIGKILL is the one it cannot see. Then the service notices its runner
 * is gone and stops itself with SIGTERM (its own shutdown handlers run).
 */
function watchRunner(pid: number, logger: AgentLogger): void {
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return;
      clearInterval(timer);
      safeLog(logger, 'warn', `leakhound agent: the leakhound run that started this service (pid ${pid}) is gone; stopping`);
      try {
        process.kill(process.pid, 'SIGTERM');
      } catch {
        // Nothing more the agent can do.
      }
    }
  }, WATCHDOG_MS);
  timer.unref();
}

let current: ControlServer | undefined;
let poolsProvider: (() => unknown) | undefined;

/** Replaces what the channel's `pools` command returns (default: every pool given to monitorPool()). */
export function setControlPoolsProvider(provider: (() => unknown) | undefined): void {
  poolsProvider = provider;
}

/**
 * Starts the control server when LEAKHOUND_CONTROL names a directory. Never
 * throws: a failure is logged and the service runs on without it.
 */
export function startControlFromEnv(options: { logger?: AgentLogger; env?: NodeJS.ProcessEnv } = {}): ControlServer | undefined {
  const dir = (options.env ?? process.env)[CONTROL_ENV];
  if (dir === undefined || dir === '' || current) return current;
  const logger = options.logger ?? consoleLogger;
  try {
    // Forced GCs age functions fast, so V8 would flush and later recompile bytecode between
    // measurements: +-300 KB of noise per round. Only under `leakhound run`, never in production.
    v8.setFlagsFromString('--no-flush-bytecode');
    const server = new ControlServer({ dir, logger, pools: () => (poolsProvider ?? describeMonitoredPools)() });
    const parent = Number((options.env ?? process.env)[CONTROL_PARENT_ENV]);
    if (Number.isInteger(parent) && parent > 0) watchRunner(parent, logger);
    current = server;
    server.start().catch((error: unknown) => {
      current = undefined;
      safeLog(logger, 'warn', `leakhound agent: control channel not started: ${error instanceof Error ? error.message : String(error)}`);
    });
    return server;
  } catch (error) {
    safeLog(logger, 'warn', `leakhound agent: control channel not started: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export function stopControl(): void {
  current?.stop();
  current = undefined;
}
