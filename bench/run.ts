// Runs every bench/*.bench.ts (or those whose name contains the first argument), prints
// one table of figures on stdout and keeps them in bench/results/latest.json.
//   node --import tsx bench/run.ts [filter]      LURK_BENCH_QUICK=1 for a smoke test
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, withRatio, type Bench, type BenchContext, type Figure } from './lib.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const SUFFIX = '.bench.ts';

interface Outcome {
  bench: string;
  figures: Figure[];
  /** what the bench keeps beside its figures, written under its name */
  details?: unknown;
  error?: unknown;
}

function discover(filter: string | undefined): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith(SUFFIX) && (!filter || f.includes(filter)))
    .sort();
}

async function runOne(file: string, quick: boolean): Promise<Outcome> {
  const bench = file.slice(0, -SUFFIX.length);
  const ctx: BenchContext = { quick, root, log: (message) => process.stderr.write(`[${bench}] ${message}\n`) };
  try {
    const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') throw new Error(`${file} has no default export function`);
    const result = await (mod.default as Bench)(ctx);
    const { figures, details } = Array.isArray(result) ? { figures: result, details: undefined } : result;
    return { bench, figures: figures.map(withRatio), ...(details !== undefined ? { details } : {}) };
  } catch (error) {
    process.stderr.write(`[${bench}] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return { bench, figures: [], error };
  }
}

function writeResults(outcomes: readonly Outcome[], quick: boolean, filter: string | undefined): string {
  const cpus = os.cpus();
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    // a quick or filtered run is not comparable with a full one; say so in the file
    quick,
    filter: filter ?? null,
    figures: outcomes.flatMap((o) => o.figures.map((f) => ({ bench: o.bench, ...f }))),
    failed: outcomes.filter((o) => o.error !== undefined).map((o) => ({ bench: o.bench, error: String(o.error) })),
    // a bench's details under its own name (e.g. "audience"), beside the flat list of figures
    ...Object.fromEntries(outcomes.filter((o) => o.details !== undefined).map((o) => [o.bench, o.details])),
  };
  const file = path.join(benchDir, 'results', 'latest.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

async function main(): Promise<number> {
  const filter = process.argv[2];
  const quick = process.env.LURK_BENCH_QUICK === '1';
  const files = discover(filter);
  if (files.length === 0) {
    process.stderr.write(`no bench/*${SUFFIX} matches ${JSON.stringify(filter ?? '')}\n`);
    return 1;
  }
  const outcomes: Outcome[] = [];
  for (const file of files) outcomes.push(await runOne(file, quick));

  const figures = outcomes.flatMap((o) => o.figures);
  process.stdout.write(`${formatTable(figures)}\n`);
  const written = writeResults(outcomes, quick, filter);
  process.stderr.write(`results: ${path.relative(process.cwd(), written)}\n`);
  const failed = outcomes.filter((o) => o.error !== undefined).map((o) => o.bench);
  if (failed.length > 0) process.stderr.write(`failed: ${failed.join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

const code = await main();
// Exit explicitly: a failed bench may leave a socket or child behind, which must not
// keep the harness hanging after the results are out.
process.stdout.write('', () => process.exit(code));
