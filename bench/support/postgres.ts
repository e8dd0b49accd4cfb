// PostgreSQL for benches: a throwaway database, and the CPU time PostgreSQL's own processes
// use (process.cpuUsage() only sees Node's side of a query).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.LURK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchPostgres {
  url: string;
  drop(): Promise<void>;
}

/** A freshly created database with a random name, or undefined when PostgreSQL does not answer. */
export async function scratchPostgres(log: (message: string) => void): Promise<ScratchPostgres | undefined> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    log(`PostgreSQL unreachable at ${new URL(PG_ADMIN_URL).host} (${(err as Error).message}): skipping its figures`);
    await admin.end().catch(() => undefined);
    return undefined;
  }
  const name = `lurk_bench_${randomBytes(4).toString('hex')}`;
  const drop = async () => {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await drop();
    throw err;
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * CPU milliseconds used so far by every process named `postgres` on this machine (user +
 * system), or NaN when PostgreSQL is not local or /proc is not there. Only differences mean
 * anything, and only while nothing else uses the server.
 */
export function postgresCpuMs(): number {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return NaN;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (stat.slice(open + 1, close) !== 'postgres') continue;
    // fields after the command: state is field 3, utime 14 and stime 15 (1-based, man 5 proc)
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  return found ? ticks * TICK_MS : NaN;
}
