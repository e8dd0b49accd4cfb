import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessBus } from '../src/core/bus.js';

interface Events {
  'thing.happened': { id: number; tags: string[] };
  other: { n: number };
}

test('delivers to every subscriber of a topic, and only that topic', async () => {
  const bus = new InProcessBus<Events>();
  const a: number[] = [];
  const b: number[] = [];
  const other: number[] = [];
  bus.subscribe('thing.happened', (e) => void a.push(e.id));
  bus.subscribe('thing.happened', (e) => void b.push(e.id));
  bus.subscribe('other', (e) => void other.push(e.n));
  await bus.publish('thing.happened', { id: 1, tags: [] });
  await bus.publish('thing.happened', { id: 2, tags: [] });
  await bus.drain();
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(b, [1, 2]);
  assert.deepEqual(other, []);
});

test('a throwing subscriber does not stop others and is reported', async () => {
  const failures: string[] = [];
  const bus = new InProcessBus<Events>(undefined, (topic) => failures.push(topic));
  const got: number[] = [];
  bus.subscribe('other', () => {
    throw new Error('boom');
  });
  bus.subscribe('other', async () => {
    await Promise.resolve();
    throw new Error('async boom');
  });
  bus.subscribe('other', (e) => void got.push(e.n));
  await bus.publish('other', { n: 5 });
  await bus.drain();
  assert.deepEqual(got, [5]);
  assert.deepEqual(failures, ['other', 'other']);
});

test('publish does not wait for slow subscribers; drain does', async () => {
  const bus = new InProcessBus<Events>();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let finished = false;
  bus.subscribe('other', async () => {
    await gate;
    finished = true;
  });
  await bus.publish('other', { n: 1 });
  assert.equal(finished, false);
  const drained = bus.drain();
  release();
  await drained;
  assert.equal(finished, true);
});

test('subscribers share the one payload, read-only by type: a change does not compile', async () => {
  const bus = new InProcessBus<Events>();
  const seen: (readonly string[])[] = [];
  bus.subscribe('thing.happened', (e) => {
    // @ts-expect-error payloads are DeepReadonly: a subscriber cannot change what others read
    if (false as boolean) e.tags.push('mutated');
    // @ts-expect-error nor a field of it
    if (false as boolean) e.id = 2;
  });
  bus.subscribe('thing.happened', (e) => void seen.push(e.tags));
  bus.subscribe('thing.happened', (e) => void seen.push(e.tags));
  const payload = { id: 1, tags: ['x'] };
  await bus.publish('thing.happened', payload);
  await bus.drain();
  assert.deepEqual(seen, [['x'], ['x']]);
  assert.equal(seen[0], seen[1], 'no copy per subscriber');
  assert.equal(seen[0], payload.tags);
});

test('unsubscribe stops delivery; a closed bus refuses to publish', async () => {
  const bus = new InProcessBus<Events>();
  const got: number[] = [];
  const off = bus.subscribe('other', (e) => void got.push(e.n));
  await bus.publish('other', { n: 1 });
  off();
  await bus.publish('other', { n: 2 });
  await bus.close();
  assert.deepEqual(got, [1]);
  await assert.rejects(bus.publish('other', { n: 3 }), /bus is closed/);
});
