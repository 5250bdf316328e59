// The holder registry: borrow order, the per-connection slot and its fallbacks, the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HolderRegistry } from '../../src/pools/holders.js';
import { noStack } from '../../src/pools/stack.js';
import { Borrow } from '../../src/pools/types.js';

const borrow = (): Borrow => new Borrow(0, noStack(), undefined);
const ids = (registry: HolderRegistry): number[] => registry.borrows().map((b) => b.connectionId);

test('holders come out oldest first whatever order they are returned in; a connection keeps its number', () => {
  const registry = new HolderRegistry(10, 5);
  const conns = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }];
  for (const conn of conns) registry.add(conn, borrow(), undefined);
  assert.deepEqual(ids(registry), [1, 2, 3, 4]);
  assert.ok(registry.take(conns[1]!));
  assert.ok(registry.take(conns[3]!));
  assert.deepEqual(ids(registry), [1, 3]);
  assert.equal(registry.take(conns[1]!), undefined, 'a second return of the same connection finds nothing');
  registry.add(conns[1]!, borrow(), undefined);
  assert.deepEqual(ids(registry), [1, 3, 2], 'lent again: newest, same number');
  assert.ok(registry.take(conns[0]!));
  assert.ok(registry.take(conns[1]!));
  assert.ok(registry.take(conns[2]!));
  assert.deepEqual(ids(registry), []);
  assert.equal(registry.size, 0);
});

test('the pool\'s own id wins; a connection lent again without a seen release replaces its old borrow', () => {
  const registry = new HolderRegistry(10, 5);
  const conn = {};
  const first = borrow();
  assert.equal(registry.add(conn, first, 42), undefined);
  const second = borrow();
  assert.equal(registry.add(conn, second, 42), first);
  assert.equal(second.connectionId, 42);
  assert.deepEqual(registry.borrows(), [second]);
  assert.equal(registry.take(conn), second);
});

test('the slot is invisible to the host: no enumerable key, not copied by spread, Object.assign or JSON', () => {
  const registry = new HolderRegistry(10, 5);
  const conn = { host: 'db', port: 5432 };
  registry.add(conn, borrow(), undefined);
  assert.deepEqual(Object.keys(conn), ['host', 'port']);
  assert.deepEqual({ ...conn }, { host: 'db', port: 5432 });
  assert.equal(Object.getOwnPropertySymbols({ ...conn }).length, 0);
  assert.equal(Object.getOwnPropertySymbols(Object.assign({}, conn)).length, 0);
  assert.equal(JSON.stringify(conn), '{"host":"db","port":5432}');
  for (const key in conn) assert.ok(key === 'host' || key === 'port');
});

test('frozen and sealed connections are tracked through the fallback, with their own numbers', () => {
  const registry = new HolderRegistry(10, 5);
  const frozen = Object.freeze({ kind: 'frozen' });
  const sealed = Object.seal({ kind: 'sealed' });
  const plain = { kind: 'plain' };
  registry.add(frozen, borrow(), undefined);
  registry.add(sealed, borrow(), undefined);
  registry.add(plain, borrow(), undefined);
  assert.deepEqual(ids(registry), [1, 2, 3]);
  assert.ok(registry.take(sealed));
  registry.add(sealed, borrow(), undefined);
  assert.deepEqual(ids(registry), [1, 3, 2]);
  assert.ok(registry.take(frozen));
  assert.ok(registry.take(sealed));
  assert.ok(registry.take(plain));
  assert.equal(registry.size, 0);
});

test('past the cap borrows are counted, not tracked; a slot freed by a return is reused', () => {
  const registry = new HolderRegistry(2, 5);
  const conns = [{}, {}, {}];
  const borrows = conns.map((conn) => {
    const b = borrow();
    registry.add(conn, b, undefined);
    return b;
  });
  assert.equal(registry.size, 2);
  assert.equal(registry.untracked, 1);
  assert.equal(borrows[2]!.slot, undefined);
  assert.equal(registry.take(conns[2]!), undefined, 'an untracked borrow has nothing to return');
  assert.ok(registry.take(conns[0]!));
  registry.add(conns[2]!, borrow(), undefined);
  assert.equal(registry.size, 2);
  assert.deepEqual(ids(registry), [2, 3]);
});

test('clear() forgets every holder; connections lent afterwards start a new list', () => {
  const registry = new HolderRegistry(10, 5);
  const a = {};
  const b = {};
  registry.add(a, borrow(), undefined);
  registry.add(b, borrow(), undefined);
  registry.clear();
  assert.equal(registry.size, 0);
  assert.deepEqual(registry.borrows(), []);
  assert.equal(registry.take(a), undefined);
  assert.equal(registry.add(b, borrow(), undefined), undefined, 'nothing to replace after clear()');
  assert.deepEqual(ids(registry), [2]);
});

test('a long list stays consistent under interleaved lends and returns', () => {
  const registry = new HolderRegistry(1000, 5);
  const conns = Array.from({ length: 200 }, () => ({}));
  const held = new Set<object>();
  let seed = 7;
  const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let step = 0; step < 20_000; step++) {
    const conn = conns[Math.floor(random() * conns.length)]!;
    if (held.has(conn)) {
      assert.ok(registry.take(conn));
      held.delete(conn);
    } else {
      registry.add(conn, borrow(), undefined);
      held.add(conn);
    }
  }
  assert.equal(registry.size, held.size);
  assert.equal(registry.borrows().length, held.size);
  for (const conn of held) assert.ok(registry.take(conn));
  assert.equal(registry.size, 0);
});
