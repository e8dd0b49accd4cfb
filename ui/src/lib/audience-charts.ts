// Audience's charts as ECharts options, built from the API's answers: plain data (no ECharts
// import here), so the shapes can be checked without a browser. Every text on them is drawn on
// the canvas; tooltips use ECharts' rich text, never HTML, so no server text becomes markup.
import type { FlowRow, MapResponse, OverlapResponse } from '../../../src/audience/types';

/** the colours a chart is drawn in, resolved from the theme (a canvas knows no CSS variables) */
export interface Palette {
  text: string;
  muted: string;
  grid: string;
  organic: string;
  raid: string;
  channel: string;
}

/** how many channels a side of the Sankey names; the rest are summed as one node */
export const SANKEY_SIDE = 12;

export interface SankeyNode {
  name: string;
  /** the text drawn beside it */
  label: string;
  depth: number;
  itemStyle: { color: string };
}

export interface SankeyLink {
  source: string;
  target: string;
  value: number;
  cause: 'organic' | 'raid';
  lineStyle: { color: string; opacity: number };
}

export interface SankeyData {
  nodes: SankeyNode[];
  links: SankeyLink[];
}

/** the side's rows, biggest first, the tail beyond SANKEY_SIDE summed into "other channels" */
function side(rows: readonly FlowRow[]): FlowRow[] {
  const sorted = rows.filter((r) => r.moves > 0).sort((a, b) => b.moves - a.moves || a.channel.localeCompare(b.channel));
  if (sorted.length <= SANKEY_SIDE) return sorted;
  const kept = sorted.slice(0, SANKEY_SIDE - 1);
  const rest = sorted.slice(SANKEY_SIDE - 1);
  const sum = (k: 'moves' | 'organic' | 'raid') => rest.reduce((n, r) => n + r[k], 0);
  return [...kept, { channel: '', moves: sum('moves'), organic: sum('organic'), raid: sum('raid') }];
}

/**
 * Sources (moves in) on the left, the channel in the middle, destinations (moves out) on the
 * right; organic and raid moves as links of two colours. A Sankey must be acyclic, so a channel
 * that is both a source and a destination is two nodes: "x →" on the left, "→ x" on the right.
 */
export function sankeyData(channel: string, inflows: readonly FlowRow[], outflows: readonly FlowRow[], palette: Palette): SankeyData {
  const sources = side(inflows);
  const destinations = side(outflows);
  const nodes: SankeyNode[] = [];
  const links: SankeyLink[] = [];
  const centre = `● ${channel}`;
  const middle = sources.length > 0 ? 1 : 0;
  nodes.push({ name: centre, label: channel, depth: middle, itemStyle: { color: palette.channel } });
  const link = (source: string, target: string, row: FlowRow) => {
    if (row.organic > 0) links.push({ source, target, value: row.organic, cause: 'organic', lineStyle: { color: palette.organic, opacity: 0.45 } });
    if (row.raid > 0) links.push({ source, target, value: row.raid, cause: 'raid', lineStyle: { color: palette.raid, opacity: 0.6 } });
    // moves of neither cause (should not happen) still show, as organic
    const rest = row.moves - row.organic - row.raid;
    if (rest > 0) links.push({ source, target, value: rest, cause: 'organic', lineStyle: { color: palette.organic, opacity: 0.45 } });
  };
  for (const r of sources) {
    const label = r.channel || 'other channels';
    const name = `${label} →`;
    nodes.push({ name, label, depth: 0, itemStyle: { color: palette.muted } });
    link(name, centre, r);
  }
  for (const r of destinations) {
    const label = r.channel || 'other channels';
    const name = `→ ${label}`;
    nodes.push({ name, label, depth: middle + 1, itemStyle: { color: palette.muted } });
    link(centre, name, r);
  }
  return { nodes, links };
}

export function sankeyOption(data: SankeyData, palette: Palette): Record<string, unknown> {
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      renderMode: 'richText',
      formatter: (p: { dataType?: string; data: SankeyLink | SankeyNode; value?: number }) => {
        if (p.dataType === 'edge') {
          const l = p.data as SankeyLink;
          return `${l.source.replace(/ →$/, '').replace(/^● /, '')} → ${l.target.replace(/^→ /, '').replace(/^● /, '')}: ${l.value} ${l.cause === 'raid' ? 'with a raid' : 'organic'}`;
        }
        return `${(p.data as SankeyNode).label}: ${p.value ?? 0} moves`;
      },
    },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: 110,
        top: 10,
        bottom: 10,
        nodeWidth: 14,
        nodeGap: 10,
        nodeAlign: 'justify',
        layoutIterations: 32,
        draggable: false,
        emphasis: { focus: 'adjacency' },
        label: { color: palette.text, formatter: (p: { data: SankeyNode }) => p.data.label },
        data: data.nodes,
        links: data.links,
      },
    ],
  };
}

/** a node's size from its audience: area grows with it, between 8 and 56 px across */
function nodeSize(audience: number, max: number): number {
  if (max <= 0) return 8;
  return 8 + 48 * Math.sqrt(audience / max);
}

/** the community colours, repeated when there are more communities than colours */
export const COMMUNITY_COLOURS = ['#7c3aed', '#0ea5e9', '#f59e0b', '#15803d', '#dc2626', '#db2777', '#0d9488', '#65a30d', '#9333ea', '#ea580c', '#2563eb', '#a16207'];

export function mapOption(map: MapResponse, palette: Palette): Record<string, unknown> {
  const max = Math.max(0, ...map.nodes.map((n) => n.audience));
  const communities = [...new Set(map.nodes.map((n) => n.community))].sort((a, b) => a - b);
  const placed = map.nodes.length > 0 && map.nodes.every((n) => Number.isFinite(n.x) && Number.isFinite(n.y));
  const maxWeight = Math.max(0, ...map.edges.map((e) => e.weight));
  // the biggest channels are named on the map; every one is named on hover
  const named = new Set(
    [...map.nodes]
      .sort((a, b) => b.audience - a.audience)
      .slice(0, 25)
      .map((n) => n.channel),
  );
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      renderMode: 'richText',
      formatter: (p: { dataType?: string; data: { name?: string; value?: number; source?: string; target?: string; shared?: number; weight?: number } }) =>
        p.dataType === 'edge'
          ? `${p.data.source} – ${p.data.target}: ${p.data.shared} shared (${Math.round((p.data.weight ?? 0) * 100)} % of the smaller)`
          : `${p.data.name}: ${p.data.value} active users`,
    },
    legend: { show: communities.length > 1 && communities.length <= 12, bottom: 0, textStyle: { color: palette.muted }, data: communities.map((c) => `Community ${c + 1}`) },
    series: [
      {
        type: 'graph',
        // the server lays the map out (ForceAtlas2, the same every time it is drawn); force only when it gave no positions
        layout: placed ? 'none' : 'force',
        // the server's plane scaled the same both ways, so distances and the nodes' shapes stay true
        preserveAspect: 'contain',
        force: { repulsion: 120, edgeLength: [40, 160], gravity: 0.08 },
        roam: true,
        draggable: false,
        // room for the names beside the outermost nodes
        top: 30,
        bottom: 50,
        left: 40,
        right: 100,
        emphasis: { focus: 'adjacency' },
        categories: communities.map((c) => ({ name: `Community ${c + 1}`, itemStyle: { color: COMMUNITY_COLOURS[c % COMMUNITY_COLOURS.length] } })),
        label: { show: true, position: 'right', color: palette.text, fontSize: 11, formatter: (p: { name: string }) => (named.has(p.name) ? p.name : '') },
        lineStyle: { color: palette.muted, curveness: 0.1 },
        data: map.nodes.map((n) => ({
          id: n.channel,
          name: n.channel,
          value: n.audience,
          category: communities.indexOf(n.community),
          symbolSize: nodeSize(n.audience, max),
          ...(placed ? { x: n.x, y: n.y } : {}),
        })),
        links: map.edges.map((e) => ({
          source: e.source,
          target: e.target,
          shared: e.shared,
          weight: e.weight,
          value: e.shared,
          lineStyle: { width: maxWeight > 0 ? 0.5 + 5 * (e.weight / maxWeight) : 1, opacity: 0.2 + 0.6 * (maxWeight > 0 ? e.weight / maxWeight : 0) },
        })),
      },
    ],
  };
}

/** the channels that were ever in the daily ranking, best first by their best rank then by name */
export function rankedChannels(ranking: OverlapResponse['ranking']): string[] {
  const best = new Map<string, number>();
  for (const day of ranking) for (const r of day.ranks) best.set(r.channel, Math.min(best.get(r.channel) ?? Number.POSITIVE_INFINITY, r.rank));
  return [...best].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

/** rank per day per channel as lines, rank 1 on top; a day a channel was not ranked is a gap */
export function rankingOption(ranking: OverlapResponse['ranking'], palette: Palette): Record<string, unknown> {
  const days = ranking.map((d) => d.day);
  const channels = rankedChannels(ranking);
  // at least ranks 1 to 3 on the axis: one rank alone gives ECharts no range to draw
  const maxRank = Math.max(3, ...ranking.flatMap((d) => d.ranks.map((r) => r.rank)));
  return {
    animation: false,
    color: COMMUNITY_COLOURS,
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { bottom: 0, textStyle: { color: palette.muted } },
    grid: { left: 40, right: 20, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: days, axisLabel: { color: palette.muted }, axisLine: { lineStyle: { color: palette.grid } } },
    yAxis: {
      type: 'value',
      inverse: true,
      min: 1,
      max: maxRank,
      interval: 1,
      name: 'rank',
      nameTextStyle: { color: palette.muted },
      axisLabel: { color: palette.muted },
      splitLine: { lineStyle: { color: palette.grid } },
    },
    series: channels.map((c) => ({
      type: 'line',
      name: c,
      connectNulls: false,
      symbolSize: 6,
      data: ranking.map((d) => d.ranks.find((r) => r.channel === c)?.rank ?? null),
    })),
  };
}
