// Public API of @leakhound/agent. Dependency-free: imports only node: modules.
export { LeakhoundAgentError, AGENT_ERROR_CODES, type AgentErrorCode } from './errors.js';
export type { AgentLogger } from './logger.js';
export { startControlFromEnv, stopControl, setControlPoolsProvider, markInternalServer, CONTROL_ENV, type ControlAnnouncement, type HeapMeasurement, type AllocationProfile, type AllocationSite, type AllocationFrame } from './control/index.js';
export { runWithContext, currentContext, setRoute, describeContext, type RequestContext } from './context/request-context.js';
export { enableHttpContext, disableHttpContext, httpContextEnabled } from './context/http-context.js';
export { MetricsBridge, type MetricDefinition, type HistogramDefinition, type MetricsBridgeOptions, type Observe, type CounterInstrument, type HistogramInstrument } from './metrics/bridge.js';
export type { PromRegistryLike, OtelMeterProviderLike, MetricAttributes } from './metrics/types.js';
export { CHANNELS } from './diagnostics.js';
export { monitorPool, listMonitoredPools, describeMonitoredPools, PoolMonitor, type PoolReport } from './pools/monitor.js';
export { POOL_METRICS } from './pools/pool-metrics.js';
export { SUPPORTED_POOLS } from './pools/detect.js';
export type { PoolMonitorOptions, PoolStats, HolderInfo, LeakReport, PoolKind } from './pools/types.js';
