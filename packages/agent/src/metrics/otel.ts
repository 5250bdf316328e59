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
  return cached === null ? undefined : cached.metrics.getMeterProvider();
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
