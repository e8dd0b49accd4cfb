// The community map: Louvain finds two obvious clusters, the layout is deterministic and in [-1, 1].
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMap } from '../../src/audience/map.js';
import type { DayOverlap } from '../../src/audience/store.js';

/** two groups of five channels sharing many users within, one weak tie across, and a loner */
function twoClusters(): DayOverlap {
  const left = ['a1', 'a2', 'a3', 'a4', 'a5'];
  const right = ['b1', 'b2', 'b3', 'b4', 'b5'];
  const audience = new Map<string, number>([...left, ...right].map((c) => [c, 200]));
  audience.set('loner', 50);
  const pairs: DayOverlap['pairs'] = [];
  const both = (a: string, b: string, shared: number) => pairs.push({ a, b, shared }, { a: b, b: a, shared });
  for (const group of [left, right]) for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) both(group[i]!, group[j]!, 60 + i + j);
  both('a1', 'b1', 5);
  // one shared user is noise: no edge
  both('loner', 'a2', 1);
  return { audience, sharedAny: new Map(), pairs };
}

test('two obvious clusters: two communities (plus the loner alone), a positive modularity, the same map every time', () => {
  const map = buildMap('2026-12-01', twoClusters());
  const community = new Map(map.nodes.map((n) => [n.channel, n.community]));
  const left = new Set(['a1', 'a2', 'a3', 'a4', 'a5'].map((c) => community.get(c)));
  const right = new Set(['b1', 'b2', 'b3', 'b4', 'b5'].map((c) => community.get(c)));
  assert.equal(left.size, 1);
  assert.equal(right.size, 1);
  assert.notEqual([...left][0], [...right][0]);
  assert.ok(![...left, ...right].includes(community.get('loner')), 'the loner has a community of its own');
  assert.equal(map.communities, 3);
  assert.ok(map.modularity !== null && map.modularity > 0.3, `modularity ${map.modularity}`);
  assert.equal(map.edges.length, 10 + 10 + 1, 'every edge within, the weak tie, not the single shared user');
  const tie = map.edges.find((e) => e.source === 'a1' && e.target === 'b1')!;
  assert.equal(tie.weight, 5 / 200);
  for (const n of map.nodes) assert.ok(Math.abs(n.x) <= 1 && Math.abs(n.y) <= 1, `${n.channel} at ${n.x}, ${n.y}`);
  assert.ok(
    map.nodes.some((n) => Math.abs(n.x) === 1 || Math.abs(n.y) === 1),
    'scaled to fill the square',
  );
  // a cluster's members sit closer to each other than to the other cluster's
  const at = new Map(map.nodes.map((n) => [n.channel, n]));
  const dist = (p: string, q: string) => Math.hypot(at.get(p)!.x - at.get(q)!.x, at.get(p)!.y - at.get(q)!.y);
  assert.ok(dist('a2', 'a3') < dist('a2', 'b3'), `a2–a3 ${dist('a2', 'a3')}, a2–b3 ${dist('a2', 'b3')}`);
  assert.ok(dist('b4', 'b5') < dist('b4', 'a5'));
  assert.deepEqual(buildMap('2026-12-01', twoClusters()), map, 'deterministic');
});

test('edges are capped per node and weak ones dropped; no edges: every channel its own community, no modularity', () => {
  const audience = new Map<string, number>([['hub', 1000]]);
  const pairs: DayOverlap['pairs'] = [];
  for (let i = 0; i < 30; i++) {
    audience.set(`s${String(i).padStart(2, '0')}`, 100);
    pairs.push({ a: 'hub', b: `s${String(i).padStart(2, '0')}`, shared: 10 + i }, { a: `s${String(i).padStart(2, '0')}`, b: 'hub', shared: 10 + i });
  }
  const capped = buildMap('2026-12-01', { audience, sharedAny: new Map(), pairs }, { edgesPerNode: 5 });
  // every spoke keeps its one edge (an edge stays when either end keeps it)
  assert.equal(capped.edges.length, 30);
  const weak = buildMap('2026-12-01', { audience, sharedAny: new Map(), pairs }, { minWeight: 0.3 });
  assert.deepEqual(
    weak.edges.map((e) => e.target),
    ['s29', 's28', 's27', 's26', 's25', 's24', 's23', 's22', 's21'],
  );
  const none = buildMap('2026-12-02', {
    audience: new Map([
      ['x', 3],
      ['y', 4],
    ]),
    sharedAny: new Map(),
    pairs: [],
  });
  assert.equal(none.communities, 2);
  assert.equal(none.modularity, null);
  assert.deepEqual(none.edges, []);
  assert.deepEqual(buildMap('2026-12-03', { audience: new Map(), sharedAny: new Map(), pairs: [] }), { day: '2026-12-03', nodes: [], edges: [], communities: 0, modularity: null });
});
