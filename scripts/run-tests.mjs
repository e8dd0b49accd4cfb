// Runs every test/**/*.test.ts with node's test runner (Node 20 has no glob in --test), after the
// set-up the tests need: PostgreSQL, Redis and Chromium, found or started by
// test/helpers/services.ts and handed to the test files as environment variables. What this
// machine cannot provide stops the run at once with one line. Everything started here is stopped
// on every way out: the tests passing or failing, SIGINT, SIGTERM, SIGHUP.
//
//   node scripts/run-tests.mjs [word…]   test files whose path contains a word (all without one)
//   node scripts/run-tests.mjs --check   only checks that the set-up can be had (npm's pretest)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const checkOnly = args.includes('--check');
const filter = args.filter((a) => a !== '--check');

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return find(full);
    return e.name.endsWith('.test.ts') ? [path.relative(root, full)] : [];
  });
}

const files = find(path.join(root, 'test'))
  .filter((f) => filter.length === 0 || filter.some((word) => f.includes(word)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// A service is set up only when a selected file uses it: the helpers or variables that reach it.
const sources = files.map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
const needs = {
  postgres: /\b(tempPostgres|withEachDialect|dialects|PG_ADMIN_URL|LURK_TEST_PG_URL)\b/.test(sources),
  redis: /\bLURK_TEST_REDIS_URL\b/.test(sources),
  browser: /\b(startLurkInBrowser|launchBrowser)\b/.test(sources),
};

const { planServices, startServices, SetupError } = await tsImport('../test/helpers/services.ts', import.meta.url);

function fail(err) {
  if (err instanceof SetupError) console.error(`test setup: ${err.message}`);
  else console.error('test setup failed:', err);
  process.exit(1);
}

let plan;
try {
  plan = await planServices(needs);
} catch (err) {
  fail(err);
}
if (checkOnly) process.exit(0);

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const abort = new AbortController();
let services;
let child;
let exiting = false;
let interrupted; // the number of the signal that ended the run, if one did
let signals = 0;

async function finish(code) {
  if (exiting) return;
  exiting = true;
  await services?.stop();
  process.exit(code);
}

for (const [signal, n] of Object.entries(SIGNALS)) {
  process.on(signal, () => {
    interrupted ??= n;
    signals++;
    if (child && child.exitCode === null && child.signalCode === null) {
      // the test run is its own process group: the signal reaches every test file and what they
      // started; a second one, while the first is still being handled, ends them at once
      try {
        process.kill(-child.pid, signals > 1 ? 'SIGKILL' : signal);
      } catch {
        child.kill(signals > 1 ? 'SIGKILL' : signal);
      }
      return; // its exit ends the run
    }
    abort.abort();
    if (services) void finish(128 + n);
    else setTimeout(() => process.exit(128 + n), 15_000).unref(); // setup settles and stops what it started
  });
}

try {
  services = await startServices(plan, abort.signal);
} catch (err) {
  if (abort.signal.aborted) process.exit(128 + interrupted);
  fail(err);
}
if (abort.signal.aborted) await finish(128 + interrupted);
for (const note of services.notes) console.log(`test setup: ${note}`);

child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ...services.env },
  detached: true,
});
child.on('error', (err) => {
  console.error('could not start the test runner:', err);
  void finish(1);
});
/** Processes still running in a process group, with their names (Linux reads /proc; elsewhere only whether any is left). */
function leftIn(pgid) {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return ['?'];
    } catch {
      return [];
    }
  }
  const left = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === pgid && state !== 'Z') left.push(`${pid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`);
    } catch {
      // it ended while being read
    }
  }
  return left;
}

child.on('exit', (code) => {
  // nothing a test started outlives the run: whatever is left in its process group is ended
  const left = leftIn(child.pid);
  if (left.length > 0) {
    console.error(`test run: processes started by the tests were still running after it ended, killed: ${left.join(', ')}`);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  void finish(interrupted ? 128 + interrupted : (code ?? 1));
});
