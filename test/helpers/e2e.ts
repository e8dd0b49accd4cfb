import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort, waitFor } from './app.js';
import { launchBrowser } from './browser.js';
import { tempSqlite, type TestDatabase } from './db.js';
import { ROOT, startLurk, type Running } from './process.js';

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

export async function startLurkInBrowser(
  env: Record<string, string> = {},
  options: { readyTimeoutMs?: number; colorScheme?: 'dark' | 'light' } = {},
): Promise<LurkInBrowser> {
  assert.ok(existsSync(path.join(ROOT, 'dist/ui/index.html')), 'the UI must be built first (npm test runs the build)');
  const db = await tempSqlite();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const lurk = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url, ...env });
  await waitFor('lurk /readyz', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), options.readyTimeoutMs);
  const browser = await launchBrowser();
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
    async stop() {
      await browser.close();
      e.lurk.child.kill('SIGTERM');
      await e.lurk.exited;
      await db.drop();
    },
  };
  return e;
}
