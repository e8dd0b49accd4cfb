import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { SYSTEM_CHROMIUM } from './services.js';

/**
 * The Chromium the tests drive: `CHROMIUM_PATH`, which scripts/run-tests.mjs sets to Debian's
 * /usr/bin/chromium when installed and otherwise to the build @sparticuz/chromium ships; read at
 * each launch, so a test can point it elsewhere.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || SYSTEM_CHROMIUM;
}

/**
 * Chromium, headless, with the flags this offline machine needs, in US English whatever the
 * machine's locale: under LANG=C.UTF-8 the bundled build's default locale is "en-US@posix", which
 * the page's Intl calls reject (Debian's build maps it to en-US itself).
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new Error(`chromium not found at ${executablePath}; run the tests with node scripts/run-tests.mjs (it finds or unpacks one), or set CHROMIUM_PATH`);
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'en_US.UTF-8' };
  delete env.LC_ALL;
  return chromium.launch({
    executablePath,
    headless: true,
    env,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
