// Finds the host's OpenTelemetry meter provider without depending on
// @opentelemetry/api: loaded only if the host has it installed.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { OtelMeterProviderLike } from './types.js';

interface OtelApi {
  metrics: { getMeterProvider(): OtelMeterProviderLike };
}

let cached: OtelApi | null | undefined;

/**
 * The global meter provider of the host's @opentelemetry/api, or undefined when it is not installed.
 * Resolved from the host's working directory first (its copy holds the registered SDK), then from the agent.
 * Synchronous on purpose: `require` of the API's CommonJS build, so instruments exist before the first borrow.
 */
export function globalMeterProvider(): OtelMeterProviderLike | undefined {
  if (cached === undefined) cached = loadApi();
  if (cached === null) return undefined;
  const provider = cached.metrics.getMeterProvider();
  // The API alone (no SDK registered) hands out a no-op provider: recording into it would
  // only cost time on every borrow. An SDK must be registered before monitoring starts.
  return (provider as { constructor?: { name?: string } }).constructor?.name === 'NoopMeterProvider' ? undefined : provider;
}

function loadApi(): OtelApi | null {
  for (const base of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      const api = createRequire(base)('@opentelemetry/api') as Partial<OtelApi>;
      if (api.metrics !== undefined && typeof api.metrics.getMeterProvider === 'function') return api as OtelApi;
    } catch {
      // Not installed there; try the next place.
    }
  }
  return null;
}
