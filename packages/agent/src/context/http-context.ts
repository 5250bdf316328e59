// Puts every incoming HTTP(S) request in its own request context.
//
// Node 20 has the `http.server.request.start` diagnostics channel, but a
// subscriber can only `enterWith()` the context, which leaves it set on the
// socket's async resource after the request (keep-alive and pipelined requests
// would inherit the previous request's context). Running the 'request' emit
// inside `AsyncLocalStorage.run()` scopes it exactly, so we wrap `emit` on the
// two server prototypes, and only for the 'request' event.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { runWithContext, type RequestContext } from './request-context.js';

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

interface Patch {
  proto: { emit: Emit };
  original: Emit;
  patched: Emit;
  hadOwn: boolean;
}

let patches: Patch[] | undefined;

/** Idempotent. Every request handled by an http or https server runs with `{ method, url }` as context. */
export function enableHttpContext(): void {
  if (patches !== undefined) return;
  patches = [patchServer(http.Server.prototype as unknown as { emit: Emit }), patchServer(https.Server.prototype as unknown as { emit: Emit })];
}

/** Removes the wrappers if nobody has wrapped `emit` on top of them since; otherwise leaves them (removing would drop the other wrapper). */
export function disableHttpContext(): void {
  if (patches === undefined) return;
  for (const patch of patches) {
    if (patch.proto.emit !== patch.patched) continue;
    if (patch.hadOwn) patch.proto.emit = patch.original;
    else delete (patch.proto as { emit?: Emit }).emit;
  }
  patches = undefined;
}

export function httpContextEnabled(): boolean {
  return patches !== undefined;
}

function patchServer(proto: { emit: Emit }): Patch {
  const hadOwn = Object.prototype.hasOwnProperty.call(proto, 'emit');
  const original = proto.emit;
  const patched: Emit = function (this: unknown, event, ...args) {
    if (event !== 'request') return original.call(this, event, ...args);
    const request = args[0] as IncomingMessage | undefined;
    const context: RequestContext = { method: request?.method, url: request?.url };
    return runWithContext(context, () => original.call(this, event, ...args));
  };
  proto.emit = patched;
  return { proto, original, patched, hadOwn };
}
