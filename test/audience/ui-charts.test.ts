// The Audience page's charts as ECharts options, from the API's answers: the Sankey stays acyclic
// when a channel is both a source and a destination, organic and raid moves stay apart, the map
// keeps the server's layout, and the ranking draws rank 1 on top with gaps for unranked days.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowRow, MapResponse, OverlapResponse } from '../../src/audience/types.js';

// imported by a computed name: the server's type check must not take in the UI's DOM types
const uiModule = '../../ui/src/lib/audience-charts.js';
interface Link {
  source: string;
  target: string;
  value: number;
  cause: 'organic' | 'raid';
  lineStyle: { color: string };
}
const charts = (await import(uiModule)) as {
  SANKEY_SIDE: number;
  sankeyData(channel: string, inflows: FlowRow[], outflows: FlowRow[], palette: object): { nodes: { name: string; label: string; depth: number }[]; links: Link[] };
  mapOption(map: MapResponse, palette: object): Record<string, unknown>;
  rankingOption(ranking: OverlapResponse['ranking'], palette: object): Record<string, unknown>;
};

const palette = { text: 't', muted: 'm', grid: 'g', organic: 'o', raid: 'r', channel: 'c' };
const row = (channel: string, organic: number, raid: number): FlowRow => ({ channel, moves: organic + raid, organic, raid });

/** true when the links have no cycle (what ECharts' sankey needs) */
function acyclic(links: { source: string; target: string }[]): boolean {
  const out = new Map<string, string[]>();
  for (const l of links) out.set(l.source, [...(out.get(l.source) ?? []), l.target]);
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string): boolean => {
    if (state.get(n) === 'done') return true;
    if (state.get(n) === 'open') return false;
    state.set(n, 'open');
    const ok = (out.get(n) ?? []).every(visit);
    state.set(n, 'done');
    return ok;
  };
  return [...out.keys()].every(visit);
}

test('a channel both source and destination becomes two nodes; organic and raid moves are links of their own colours', () => {
  const { nodes, links } = charts.sankeyData('bee', [row('ant', 3, 5), row('cat', 2, 0)], [row('ant', 4, 0), row('dog', 0, 1)], palette);
  const names = nodes.map((n) => n.name);
  assert.equal(new Set(names).size, names.length, 'node names are distinct');
  assert.ok(acyclic(links), 'no cycle');
  assert.deepEqual(
    nodes.map((n) => [n.label, n.depth]),
    [
      ['bee', 1],
      ['ant', 0],
      ['cat', 0],
      ['ant', 2],
      ['dog', 2],
    ],
  );
  const fromAnt = links.filter((l) => l.source === 'ant →');
  assert.deepEqual(
    fromAnt.map((l) => [l.cause, l.value, l.lineStyle.color]),
    [
      ['organic', 3, 'o'],
      ['raid', 5, 'r'],
    ],
  );
  assert.deepEqual(
    links.filter((l) => l.target === '→ dog').map((l) => [l.cause, l.value]),
    [['raid', 1]],
  );
  // every move is drawn once
  assert.equal(
    links.reduce((n, l) => n + l.value, 0),
    3 + 5 + 2 + 4 + 1,
  );
});

test('with no sources the channel is the left column; a long tail is summed into one node', () => {
  const many = Array.from({ length: 20 }, (_, i) => row(`c${String(i).padStart(2, '0')}`, 20 - i, 0));
  const { nodes, links } = charts.sankeyData('bee', [], many, palette);
  assert.equal(nodes[0]!.depth, 0);
  const destinations = nodes.filter((n) => n.depth === 1);
  assert.equal(destinations.length, charts.SANKEY_SIDE);
  assert.equal(destinations.at(-1)!.label, 'other channels');
  const tail = many.slice(charts.SANKEY_SIDE - 1).reduce((n, r) => n + r.moves, 0);
  assert.equal(links.find((l) => l.target === '→ other channels')!.value, tail);
  assert.equal(
    links.reduce((n, l) => n + l.value, 0),
    many.reduce((n, r) => n + r.moves, 0),
  );
});

test("the map keeps the server's positions, colours by community and sizes by audience", () => {
  const map: MapResponse = {
    day: '2026-12-01',
    days: ['2026-12-01'],
    nodes: [
      { channel: 'ant', audience: 400, community: 1, x: 10, y: -5 },
      { channel: 'bee', audience: 100, community: 0, x: -3, y: 8 },
    ],
    edges: [{ source: 'ant', target: 'bee', shared: 30, weight: 0.3 }],
    communities: 2,
    modularity: 0.2,
    computed_at: '2026-12-01T12:00:00.000Z',
  };
  const series = (charts.mapOption(map, palette).series as Record<string, unknown>[])[0] as {
    layout: string;
    data: { id: string; x: number; y: number; category: number; symbolSize: number }[];
    categories: { name: string }[];
  };
  assert.equal(series.layout, 'none');
  assert.deepEqual(
    series.data.map((d) => [d.id, d.x, d.y]),
    [
      ['ant', 10, -5],
      ['bee', -3, 8],
    ],
  );
  assert.equal(series.categories[series.data[0]!.category]!.name, 'Community 2');
  assert.equal(series.categories[series.data[1]!.category]!.name, 'Community 1');
  assert.ok(series.data[0]!.symbolSize > series.data[1]!.symbolSize);
  // without positions, ECharts lays it out itself
  const unplaced = { ...map, nodes: map.nodes.map((n) => ({ ...n, x: Number.NaN })) };
  assert.equal(((charts.mapOption(unplaced, palette).series as Record<string, unknown>[])[0] as { layout: string }).layout, 'force');
});

test('the ranking is drawn rank 1 on top, one line per channel, a gap on a day it was not ranked', () => {
  const ranking: OverlapResponse['ranking'] = [
    { day: '2026-11-30', ranks: [{ channel: 'ant', rank: 1, shared: 9, probability: 0.6 }] },
    {
      day: '2026-12-01',
      ranks: [
        { channel: 'bee', rank: 1, shared: 9, probability: 0.5 },
        { channel: 'ant', rank: 2, shared: 5, probability: 0.3 },
      ],
    },
  ];
  const option = charts.rankingOption(ranking, palette) as { yAxis: { inverse: boolean; max: number }; xAxis: { data: string[] }; series: { name: string; data: (number | null)[] }[] };
  assert.equal(option.yAxis.inverse, true);
  // ranks 1 to 3 at least, however few were ranked
  assert.equal(option.yAxis.max, 3);
  assert.deepEqual(option.xAxis.data, ['2026-11-30', '2026-12-01']);
  assert.deepEqual(
    option.series.map((s) => [s.name, s.data]),
    [
      ['ant', [1, 2]],
      ['bee', [null, 1]],
    ],
  );
});
