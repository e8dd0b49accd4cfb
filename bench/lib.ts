// Shared types and helpers of the benchmark harness (bench/run.ts) and its *.bench.ts files.

/** One measured number, always next to an anchor measured in the same run on the same machine. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** what the value is compared with, e.g. a hand-written better-sqlite3 loop */
  anchor: string;
  anchorValue: number;
  /** value / anchorValue; the harness fills it in when a bench leaves it out */
  ratio?: number;
  better: 'higher' | 'lower';
  note?: string;
}

export interface BenchContext {
  /** LURK_BENCH_QUICK=1: shrink sizes and repetitions for a smoke test */
  quick: boolean;
  /** the repository root, for spawning bin/lurk.mjs and the like */
  root: string;
  /** a progress line on stderr, prefixed with the bench's name */
  log(message: string): void;
}

/** a bench's figures, and optionally details that bench/results/latest.json keeps under the bench's name */
export type Bench = (ctx: BenchContext) => Promise<Figure[] | { figures: Figure[]; details: unknown }>;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Medians of several measurements taken in rounds (a, b, c, a, b, c…) after one warm-up
 * round, so drift on a busy machine hits each of them alike instead of whichever ran last.
 * `before` hears of every measurement about to run; round 0 is the warm-up.
 */
export async function interleavedMedians(runs: number, measures: readonly (() => Promise<number>)[], before?: (round: number, index: number) => void): Promise<number[]> {
  const samples = measures.map(() => [] as number[]);
  for (let round = 0; round <= runs; round++) {
    for (const [i, measure] of measures.entries()) {
      before?.(round, i);
      const value = await measure();
      if (round > 0) samples[i]!.push(value);
    }
  }
  return samples.map(median);
}

export function withRatio(figure: Figure): Figure & { ratio: number } {
  return { ...figure, ratio: figure.ratio ?? figure.value / figure.anchorValue };
}

/** Big numbers get thousands separators, small ones three significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(3)).toString();
}

const COLUMNS = ['name', 'value', 'unit', 'anchor', 'anchor value', 'ratio'] as const;
/** numeric columns are right-aligned so their digits line up */
const NUMERIC = new Set<string>(['value', 'anchor value', 'ratio']);

/** A Markdown table, padded so it also reads well in a terminal. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map(withRatio).map((f) => [f.name, formatNumber(f.value), f.unit, f.anchor, formatNumber(f.anchorValue), Number.isFinite(f.ratio) ? f.ratio.toFixed(2) : '–']);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const cell = (text: string, i: number) => (NUMERIC.has(COLUMNS[i]!) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (NUMERIC.has(COLUMNS[i]!) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(COLUMNS), rule, ...rows.map(line)].join('\n');
}
