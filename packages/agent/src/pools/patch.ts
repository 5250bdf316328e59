// Replacing a pool's method on the instance (never on the library's prototype),
// so other pools of the same library are untouched and stop() can undo it exactly.

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export function patchMethod(target: object, name: string, make: (original: AnyFunction) => AnyFunction): () => void {
  const record = target as Record<string, unknown>;
  const hadOwn = Object.prototype.hasOwnProperty.call(target, name);
  const ownValue = record[name];
  const original = record[name] as AnyFunction;
  const patched = make(original);
  record[name] = patched;
  return () => {
    // If someone wrapped us since, removing our layer would remove theirs too: leave it.
    if (record[name] !== patched) return;
    if (hadOwn) record[name] = ownValue;
    else delete record[name];
  };
}

export interface EventSource {
  on(event: string, listener: AnyFunction): unknown;
  removeListener(event: string, listener: AnyFunction): unknown;
}

export function listen(source: EventSource, event: string, listener: AnyFunction): () => void {
  source.on(event, listener);
  return () => {
    source.removeListener(event, listener);
  };
}

export function isFunction(value: unknown): value is AnyFunction {
  return typeof value === 'function';
}

/** `value.name` for objects that have it as a string, else ''. */
export function nameOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' ? ctor.name : '';
}
