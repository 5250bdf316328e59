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

/**
 * Wraps methods that borrow and always return by themselves (pg's pool.query, generic-pool's use)
 * so the adapter knows, during their synchronous part, that the borrow it sees is theirs.
 */
export class SelfReturningCalls {
  depth = 0;

  wrap(target: object, names: readonly string[]): Array<() => void> {
    const enter = (): number => this.depth++;
    const leave = (): number => this.depth--;
    return names
      .filter((name) => isFunction((target as Record<string, unknown>)[name]))
      .map((name) =>
        patchMethod(target, name, (original) =>
          function selfReturning(this: unknown): unknown {
            enter();
            try {
              // `arguments` rather than rest parameters: no array allocated on this hot path.
              // eslint-disable-next-line prefer-rest-params
              return original.apply(this, arguments as unknown as unknown[]);
            } finally {
              leave();
            }
          },
        ),
      );
  }

  /** `caller` unless a self-returning call is on the stack. */
  callerOr<T>(caller: T): T | undefined {
    return this.depth > 0 ? undefined : caller;
  }
}

/** Undoes every patch in the list, newest first, and empties it. */
export function undoAll(undo: Array<() => void>): void {
  for (const step of undo.splice(0).reverse()) step();
}

/** A MySQL/MariaDB connection's server thread id, used as its connection number. */
export function threadIdOf(connection: object): number | undefined {
  const id = (connection as { threadId?: unknown }).threadId;
  return typeof id === 'number' ? id : undefined;
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
