// Sampling heap profile of live objects through the in-process inspector: after
// a full GC, V8 keeps only the samples of objects still alive, so the sites that
// keep growing are the allocation sites of the leak (function, file:line).
import inspector from 'node:inspector';
import { originalLocation } from './source-map.js';

export interface AllocationFrame {
  functionName: string;
  url: string;
  /** 1-based, as editors show it. */
  line: number;
  column: number;
}

export interface AllocationSite extends AllocationFrame {
  /** Estimated bytes of live objects allocated here (sampled, scaled by V8). */
  liveBytes: number;
  samples: number;
  /** Callers, innermost first, bounded. */
  stack: AllocationFrame[];
}

export interface AllocationProfile {
  samplingInterval: number;
  totalLiveBytes: number;
  /** Sites in user code (not node: internals), largest first, bounded. */
  sites: AllocationSite[];
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  id: number;
  children: ProfileNode[];
}

interface SamplingProfile {
  head: ProfileNode;
  samples?: { size: number; nodeId: number }[];
}

const MAX_SITES = 25;
const MAX_STACK = 8;
const MAX_NODES = 200_000;

function isUserFrame(frame: ProfileNode['callFrame']): boolean {
  const url = frame.url;
  if (url === '' || url.startsWith('node:') || url.includes('/node_modules/')) return false;
  return !url.includes('/@leakhound/agent/') && !url.includes('/packages/agent/');
}

/** Positions are translated through source maps (tsx, ts-node, bundlers) when the module has one. */
function toFrame(frame: ProfileNode['callFrame']): AllocationFrame {
  const at = originalLocation({ url: frame.url, line: frame.lineNumber + 1, column: frame.columnNumber + 1 });
  return { functionName: frame.functionName || '(anonymous)', ...at };
}

export class HeapSampler {
  private _session: inspector.Session | undefined;
  private _interval = 0;

  get running(): boolean {
    return this._session !== undefined;
  }

  async start(samplingInterval = 16_384): Promise<void> {
    if (this._session) return;
    const session = new inspector.Session();
    session.connect();
    try {
      await this._post(session, 'HeapProfiler.enable', {});
      await this._post(session, 'HeapProfiler.startSampling', { samplingInterval });
    } catch (error) {
      session.disconnect();
      throw error;
    }
    this._session = session;
    this._interval = samplingInterval;
  }

  async stop(): Promise<AllocationProfile> {
    const session = this._session;
    if (!session) throw new Error('the sampling heap profiler is not running');
    this._session = undefined;
    try {
      const result = (await this._post(session, 'HeapProfiler.stopSampling', {})) as { profile: SamplingProfile };
      return this._summarize(result.profile);
    } finally {
      session.disconnect();
    }
  }

  /** Aggregates the call tree by allocating frame; the stack of the heaviest path is kept. */
  private _summarize(profile: SamplingProfile): AllocationProfile {
    const bySite = new Map<string, AllocationSite>();
    const sampleCount = new Map<number, number>();
    for (const sample of profile.samples ?? []) sampleCount.set(sample.nodeId, (sampleCount.get(sample.nodeId) ?? 0) + 1);
    let total = 0;
    // Iterative DFS with an explicit path: profiles can be deep.
    const stack: { node: ProfileNode; depth: number }[] = [{ node: profile.head, depth: 0 }];
    const path: ProfileNode[] = [];
    let visited = 0;
    while (stack.length > 0 && visited < MAX_NODES) {
      const { node, depth } = stack.pop()!;
      visited++;
      path.length = depth;
      path.push(node);
      total += node.selfSize;
      if (node.selfSize > 0) {
        // Attribute to the innermost user frame: allocations inside node: or libraries count for the caller.
        let at = path.length - 1;
        while (at > 0 && !isUserFrame(path[at]!.callFrame)) at--;
        if (at > 0) {
          const frame = path[at]!.callFrame;
          const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
          let site = bySite.get(key);
          if (!site) {
            const callers: AllocationFrame[] = [];
            for (let i = at - 1; i > 0 && callers.length < MAX_STACK; i--) callers.push(toFrame(path[i]!.callFrame));
            site = { ...toFrame(frame), liveBytes: 0, samples: 0, stack: callers };
            bySite.set(key, site);
          }
          site.liveBytes += node.selfSize;
          site.samples += sampleCount.get(node.id) ?? 0;
        }
      }
      for (const child of node.children) stack.push({ node: child, depth: depth + 1 });
    }
    const sites = [...bySite.values()].sort((a, b) => b.liveBytes - a.liveBytes).slice(0, MAX_SITES);
    return { samplingInterval: this._interval, totalLiveBytes: total, sites };
  }

  private _post(session: inspector.Session, method: string, params: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
}
