// Learns the service's own listening ports so `leakhound run` does not need
// `--port`. Wraps `net.Server.prototype.listen` once per process: every HTTP,
// HTTPS and raw TCP server goes through it, on every Node version the agent
// supports (the `net.server.listen` tracing channel is not in all Node 20s).
import net from 'node:net';

export interface ListeningPort {
  port: number;
  address: string;
  family: string;
}

type ListenFn = (this: net.Server, ...args: unknown[]) => net.Server;

const watchers = new Set<(ports: ListeningPort[]) => void>();
/** Servers the agent opens for itself; never reported as the service's ports. */
const internalServers = new WeakSet<net.Server>();
const active = new Map<net.Server, ListeningPort>();
let installed = false;

/** Marks a server the agent opened so it is not taken for the service. */
export function markInternalServer(server: net.Server): void {
  internalServers.add(server);
  if (active.delete(server)) notify();
}

/** The TCP ports the service listens on, in the order they started listening. */
export function listeningPorts(): ListeningPort[] {
  return [...active.values()];
}

/** Calls `onChange` whenever the set of listening ports changes; returns the unsubscribe. */
export function watchListeningPorts(onChange: (ports: ListeningPort[]) => void): () => void {
  installListenWatch();
  watchers.add(onChange);
  return () => {
    watchers.delete(onChange);
  };
}

function notify(): void {
  const ports = listeningPorts();
  for (const watcher of watchers) {
    try {
      watcher(ports);
    } catch {
      // A failing watcher must not break the host's listen().
    }
  }
}

function record(server: net.Server): void {
  try {
    if (internalServers.has(server)) return;
    const address = server.address();
    // Unix sockets and pipes have a string address: nothing to load-test on 127.0.0.1.
    if (address === null || typeof address === 'string') return;
    active.set(server, { port: address.port, address: address.address, family: String(address.family) });
    notify();
  } catch {
    // Never throw into the host.
  }
}

function forget(server: net.Server): void {
  if (active.delete(server)) notify();
}

/** Idempotent; must run before the service calls listen(), hence at agent start-up. */
export function installListenWatch(): void {
  if (installed) return;
  installed = true;
  const proto = net.Server.prototype as unknown as { listen: ListenFn };
  const original = proto.listen;
  proto.listen = function leakhoundListen(this: net.Server, ...args: unknown[]): net.Server {
    try {
      // 'listening' is always emitted asynchronously, so subscribing after the call is safe too;
      // subscribing first keeps the order of servers that listen in the same tick.
      this.once('listening', () => record(this));
      this.once('close', () => forget(this));
    } catch {
      // Keep the host's listen() working whatever happens here.
    }
    return original.apply(this, args);
  };
}
