// Names of the node:diagnostics_channel channels the agent publishes on.
// Subscribers get plain data objects (never the pool's connections), so a
// subscriber cannot change what the pool does.
import diagnosticsChannel from 'node:diagnostics_channel';

export const CHANNELS = {
  /** `{ pool, connectionId, heldMs, context, stack }`: a connection was held past leakDetectionThreshold. */
  poolLeak: 'leakhound:pool:leak',
  /** `{ pool, connectionId, heldMs }`: a connection reported as leaked came back. */
  poolUnleak: 'leakhound:pool:unleak',
  /** `{ pool, reason: 'slow-acquire' | 'timeout', waitedMs, stats, holders }`: the pool could not lend a connection in time. */
  poolExhausted: 'leakhound:pool:exhausted',
  /** `{ pool, stats }`: one periodic stats sample. */
  poolStats: 'leakhound:pool:stats',
} as const;

export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Publishes only when someone listens; a throwing subscriber never reaches the host. */
export function publish(channel: diagnosticsChannel.Channel, message: object): void {
  if (!channel.hasSubscribers) return;
  try {
    channel.publish(message);
  } catch {
    // Subscribers are someone else's code; their failure must not become ours.
  }
}
