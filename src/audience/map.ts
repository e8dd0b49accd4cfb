// The community map of a UTC day: watched channels as nodes (sized by their active users that
// day), edges weighted by shared users, Louvain communities and a ForceAtlas2 layout. Seeded and
// with a fixed number of iterations, so the same day's activity always gives the same map.
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import randomModule from 'graphology-layout/random.js';
import forceAtlas2Module from 'graphology-layout-forceatlas2';
import { mulberry32 } from '../core/random.js';
import type { DayOverlap } from './store.js';
import type { MapEdge, MapNode, MapResponse } from './types.js';

// CommonJS packages whose types declare an ES default export: under NodeNext the default import is
// typed as the module, while at run time it is module.exports, the function itself
const louvain = louvainModule as unknown as typeof louvainModule.default;
const random = randomModule as unknown as typeof randomModule.default;
const forceAtlas2 = forceAtlas2Module as unknown as typeof forceAtlas2Module.default;

export interface MapOptions {
  /** edges need at least this many shared users (one shared user is noise) */
  minShared?: number;
  /** edges need shared / the smaller audience above this */
  minWeight?: number;
  /** each node keeps its strongest edges only (an edge stays when either end keeps it) */
  edgesPerNode?: number;
  /** ForceAtlas2 iterations */
  iterations?: number;
  seed?: number;
}

const DEFAULTS: Required<MapOptions> = { minShared: 2, minWeight: 0.01, edgesPerNode: 12, iterations: 300, seed: 0x5eed };

export type DayMap = Omit<MapResponse, 'days' | 'computed_at'>;

/** the map of `day` from its overlap (dayOverlap) */
export function buildMap(day: string, o: DayOverlap, options: MapOptions = {}): DayMap {
  const opt = { ...DEFAULTS, ...options };
  const channels = [...o.audience.keys()].sort();
  const candidates: MapEdge[] = [];
  for (const p of o.pairs) {
    // each pair appears both ways: taken once
    if (p.a >= p.b || p.shared < opt.minShared) continue;
    const smaller = Math.min(o.audience.get(p.a) ?? 0, o.audience.get(p.b) ?? 0);
    if (smaller <= 0) continue;
    const weight = p.shared / smaller;
    if (weight <= opt.minWeight) continue;
    candidates.push({ source: p.a, target: p.b, shared: p.shared, weight });
  }
  candidates.sort((x, y) => y.weight - x.weight || y.shared - x.shared || key(x).localeCompare(key(y)));
  const strongest = new Map<string, MapEdge[]>();
  for (const e of candidates)
    for (const n of [e.source, e.target]) {
      let list = strongest.get(n);
      if (!list) strongest.set(n, (list = []));
      if (list.length < opt.edgesPerNode) list.push(e);
    }
  const kept = new Set<MapEdge>();
  for (const list of strongest.values()) for (const e of list) kept.add(e);
  const edges = candidates.filter((e) => kept.has(e));

  const graph = new UndirectedGraph();
  for (const c of channels) graph.addNode(c, { size: o.audience.get(c) ?? 0 });
  for (const e of edges) graph.addEdge(e.source, e.target, { weight: e.weight });

  let community = new Map<string, number>(channels.map((c, i) => [c, i]));
  let modularity: number | null = null;
  if (graph.size > 0) {
    const detailed = louvain.detailed(graph, { getEdgeWeight: 'weight', rng: mulberry32(opt.seed), randomWalk: true });
    community = new Map(Object.entries(detailed.communities));
    modularity = Number.isFinite(detailed.modularity) ? detailed.modularity : null;
  }
  const numbered = renumber(channels, community, o.audience);

  const positions = new Map<string, { x: number; y: number }>();
  if (graph.order > 0) {
    random.assign(graph, { rng: mulberry32(opt.seed ^ 0x9e3779b9), scale: Math.sqrt(graph.order) * 10, center: 0 });
    if (graph.size > 0) forceAtlas2.assign(graph, { iterations: opt.iterations, getEdgeWeight: 'weight', settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: false } });
    graph.forEachNode((n, a) => positions.set(n, { x: Number(a.x), y: Number(a.y) }));
  }
  const nodes: MapNode[] = channels.map((channel) => ({ channel, audience: o.audience.get(channel) ?? 0, community: numbered.get(channel)!, x: 0, y: 0 }));
  normalise(nodes, positions);
  return { day, nodes, edges, communities: new Set(numbered.values()).size, modularity };
}

function key(e: MapEdge): string {
  return `${e.source} ${e.target}`;
}

/** communities numbered 0.. by total audience, largest first (ties by their first channel's name) */
function renumber(channels: string[], community: Map<string, number>, audience: Map<string, number>): Map<string, number> {
  const groups = new Map<number, { members: string[]; audience: number }>();
  for (const c of channels) {
    const id = community.get(c)!;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { members: [], audience: 0 }));
    g.members.push(c);
    g.audience += audience.get(c) ?? 0;
  }
  const order = [...groups.values()].sort((a, b) => b.audience - a.audience || (a.members[0]! < b.members[0]! ? -1 : 1));
  const out = new Map<string, number>();
  order.forEach((g, i) => {
    for (const m of g.members) out.set(m, i);
  });
  return out;
}

/** positions centred and scaled into [-1, 1] (the same scale on both axes, so shapes keep) */
function normalise(nodes: MapNode[], positions: Map<string, { x: number; y: number }>): void {
  if (nodes.length === 0) return;
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const p of positions.values()) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const half = Math.max(maxX - minX, maxY - minY) / 2;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  for (const n of nodes) {
    const p = positions.get(n.channel);
    if (!p || !(half > 0)) continue;
    n.x = round((p.x - cx) / half);
    n.y = round((p.y - cy) / half);
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
