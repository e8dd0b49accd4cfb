import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort, waitFor } from './app.js';
import { launchBrowser } from './browser.js';
import { tempSqlite, type TestDatabase } from './db.js';
import { ROOT, startLurk, stopLurk, type Running } from './process.js';

export interface RecordedPage {
  page: Page;
  errors: string[];
  requests: string[];
}

/** A `lurk start` child on a free port with its own database, and a browser to look at it. */
export interface LurkInBrowser {
  base: string;
  db: TestDatabase;
  browser: Browser;
  /** replaced by a test that restarts Lurk */
  lurk: Running;
  /** GET a JSON endpoint, asserting 200 */
  api<T>(url: string): Promise<T>;
  /** a fresh page (own storage) that records page errors and every request it makes */
  openPage(options?: { width?: number; colorScheme?: 'dark' | 'light' }): Promise<RecordedPage>;
  stop(): Promise<void>;
}

/**
 * Starts Lurk, waits for it to be ready and launches the browser. When any step fails (Lurk not
 * ready in time or exited, the browser not launching), what was started is stopped before the
 * error is thrown: no `lurk` child outlives a failed start, so the test file ends instead of hanging.
 */
export async function startLurkInBrowser(env: Record<string, string> = {}, options: { readyTimeoutMs?: number; colorScheme?: 'dark' | 'light' } = {}): Promise<LurkInBrowser> {
  assert.ok(existsSync(path.join(ROOT, 'dist/ui/index.html')), 'the UI must be built first (npm test runs the build)');
  const db = await tempSqlite();
  let lurk: Running | undefined;
  let browser: Browser | undefined;
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const started = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url, ...env });
    lurk = started;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void started.exited.then((x) => (exit = x));
    const outcome = await waitFor('lurk /readyz', async () => (exit ? 'exited' : (await fetch(`${base}/readyz`)).ok ? 'ready' : undefined), options.readyTimeoutMs);
    if (outcome === 'exited') throw new Error(`lurk exited (code ${exit!.code}, signal ${exit!.signal}) before it was ready:\n${started.output()}`);
    browser = await launchBrowser();
    return handle(base, db, browser, started, options);
  } catch (err) {
    await browser?.close().catch(() => {});
    if (lurk) await stopLurk(lurk);
    await db.drop();
    throw err;
  }
}

function handle(base: string, db: TestDatabase, browser: Browser, lurk: Running, options: { colorScheme?: 'dark' | 'light' }): LurkInBrowser {
  const e: LurkInBrowser = {
    base,
    db,
    browser,
    lurk,
    async api<T>(url: string): Promise<T> {
      const res = await fetch(`${base}${url}`);
      assert.equal(res.status, 200, `${url} answered ${res.status}`);
      return (await res.json()) as T;
    },
    async openPage(o = {}) {
      const page = await browser.newPage({ viewport: { width: o.width ?? 1280, height: 900 }, colorScheme: o.colorScheme ?? options.colorScheme ?? 'light' });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('request', (req) => requests.push(req.url()));
      return { page, errors, requests };
    },
    /** closes the browser, stops Lurk (SIGKILL if it does not stop) and drops the database, each even if one before failed */
    async stop() {
      try {
        await browser.close();
      } finally {
        try {
          await stopLurk(e.lurk);
        } finally {
          await db.drop();
        }
      }
    },
  };
  return e;
}
