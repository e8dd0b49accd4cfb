// The simulator at Twitch's scale: serving a full sweep of /helix/streams (1,000 pages of
// 100 at 100,000 live channels, rate limit off), its memory at 100,000 live channels with
// 2,000,000 viewers, and how fast its world can run.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { BenchContext, Figure } from './lib.js';

interface Child {
  process: ChildProcess;
  info: Record<string, unknown> & { port: number };
}

async function launch(root: string, script: string, args: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', path.join(root, 'bench/support', script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, 'line')) as [string];
  return { process: child, info: JSON.parse(first) };
}

async function stop(child: Child): Promise<void> {
  const exited = once(child.process, 'exit');
  child.process.kill('SIGTERM');
  await exited;
}

function rssMiB(pid: number): number {
  return (
    Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    ) / 1024
  );
}

/** pages through every live stream; returns ms and the number of streams seen */
async function sweep(base: string, headers: Record<string, string>): Promise<{ ms: number; streams: number; pages: number }> {
  const started = performance.now();
  let cursor: string | undefined;
  let streams = 0;
  let pages = 0;
  do {
    const res = await fetch(`${base}/helix/streams?first=100${cursor ? `&after=${cursor}` : ''}`, { headers });
    const body = (await res.json()) as { data: unknown[]; pagination: { cursor?: string } };
    streams += body.data.length;
    pages++;
    cursor = body.pagination.cursor;
  } while (cursor);
  return { ms: performance.now() - started, streams, pages };
}

/** the same number of requests against the anchor server */
async function sweepStatic(base: string, pages: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < pages; i++) await (await fetch(`${base}/helix/streams?first=100`)).json();
  return performance.now() - started;
}

export default async function simBench(ctx: BenchContext): Promise<Figure[]> {
  const live = ctx.quick ? 10_000 : 100_000;
  ctx.log(`growing a world of ${live.toLocaleString()} live channels…`);
  const sim = await launch(ctx.root, 'sim-server.ts', [String(live), '23']);
  try {
    const base = `http://127.0.0.1:${sim.info.port}`;
    const token = (await (await fetch(`${base}/oauth2/token?grant_type=client_credentials&client_id=${sim.info.clientId}&client_secret=${sim.info.clientSecret}`, { method: 'POST' })).json()) as {
      access_token: string;
    };
    const headers = { 'client-id': String(sim.info.clientId), authorization: `Bearer ${token.access_token}` };
    const page = JSON.stringify(await (await fetch(`${base}/helix/streams?first=100`, { headers })).json());
    const anchor = await launch(ctx.root, 'static-server.ts', [page]);
    try {
      const anchorBase = `http://127.0.0.1:${anchor.info.port}`;
      ctx.log('sweeping (warm-up)…');
      const warm = await sweep(base, headers);
      await sweepStatic(anchorBase, warm.pages);
      const runs: number[] = [];
      const anchorRuns: number[] = [];
      let streams = 0;
      for (let i = 0; i < 3; i++) {
        ctx.log(`sweep ${i + 1}/3…`);
        const s = await sweep(base, headers);
        runs.push(s.ms);
        streams = s.streams;
        anchorRuns.push(await sweepStatic(anchorBase, s.pages));
      }
      const med = (v: number[]) => [...v].sort((a, b) => a - b)[1]!;
      const simRss = rssMiB(sim.process.pid!);
      const anchorRss = rssMiB(anchor.process.pid!);
      ctx.log('running the world for 60 simulated seconds…');
      const t0 = performance.now();
      await fetch(`${base}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: 60 }) });
      const stepMs = (performance.now() - t0) / 60;
      const rssAfter = rssMiB(sim.process.pid!);
      return [
        {
          name: `sim: full /helix/streams sweep, ${streams.toLocaleString()} streams in ${Math.ceil(streams / 100)} pages (target < 5 s)`,
          value: med(runs) / 1000,
          unit: 's',
          anchor: 'same pages from a bare node:http server',
          anchorValue: med(anchorRuns) / 1000,
          better: 'lower',
          note: 'rate limit off; median of 3 after a warm-up; client in the bench process',
        },
        {
          name: `sim: memory at ${live.toLocaleString()} live, ${Number(sim.info.viewers).toLocaleString()} viewers (target < 1 GiB)`,
          value: Math.max(simRss, rssAfter),
          unit: 'MiB',
          anchor: 'bare node:http server process',
          anchorValue: anchorRss,
          better: 'lower',
          note: `RSS after the sweeps and after 60 simulated seconds; world built in ${Math.round(Number(sim.info.buildMs))} ms`,
        },
        {
          name: `sim: one world second at ${live.toLocaleString()} live channels`,
          value: stepMs,
          unit: 'ms',
          anchor: 'one real second',
          anchorValue: 1000,
          better: 'lower',
          note: 'ratio < 1 means the world can run faster than real time; 1/ratio is its top speed',
        },
      ];
    } finally {
      await stop(anchor);
    }
  } finally {
    await stop(sim);
  }
}
