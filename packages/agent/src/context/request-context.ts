// The agent's async request context: whatever is stored here when a pool lends a
// connection is remembered with the borrow, so a leak report can say "by GET /coupons/stats".
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  method?: string;
  url?: string;
  /** A route template ("/coupons/:id") set by the app or a framework hook; preferred over url in reports. */
  route?: string;
  /** Any short text the app wants reports to show when there is no HTTP request (a job name, a queue message type). */
  label?: string;
  [key: string]: unknown;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` as the current context for everything it starts, sync or async. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Records the matched route template on the current context (no-op outside a context). */
export function setRoute(route: string): void {
  const context = storage.getStore();
  if (context !== undefined) context.route = route;
}

/** One short line for reports: "GET /coupons/stats", a label, or undefined. Query strings are dropped (they may hold secrets). */
export function describeContext(context: RequestContext | undefined): string | undefined {
  if (context === undefined) return undefined;
  const where = context.route ?? stripQuery(context.url);
  if (context.method !== undefined && where !== undefined) return `${context.method} ${where}`;
  if (where !== undefined) return where;
  return typeof context.label === 'string' ? context.label : undefined;
}

function stripQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
