import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/app.js';
import { startLurkInBrowser, type LurkInBrowser } from '../helpers/e2e.js';

// In real chromium: a page on another origin cannot act through the browser, and Lurk's own
// pages still work under its Content-Security-Policy.

let e: LurkInBrowser;
let attacker: Server;
let attackerBase: string;

/** what a hostile page does with a visitor's browser: a form post, no-cors and cors fetches, a socket */
function attackPage(lurk: string): string {
  const run = `${lurk}/api/jobs/store.maintenance/run`;
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" enctype="text/plain" action="${run}" target="sink"><input name='{"a":"' value='"}'></form>
<script>
  const report = {};
  window.report = report;
  document.getElementById('f').submit();
  fetch(${JSON.stringify(run)}, { method: 'POST', mode: 'no-cors', body: '{}' }).then(() => (report.noCors = 'sent'), (e) => (report.noCors = String(e)));
  fetch(${JSON.stringify(run)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => (report.cors = r.status), (e) => (report.cors = 'blocked'));
  const ws = new WebSocket(${JSON.stringify(`${lurk.replace('http', 'ws')}/api/status/live`)});
  ws.onmessage = () => (report.socket = 'message');
  ws.onerror = () => (report.socket = report.socket ?? 'refused');
</script></body></html>`;
}

before(async () => {
  e = await startLurkInBrowser();
  attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(e.base)));
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  // another origin of the same machine: another port
  attackerBase = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => attacker?.close(r));
  await e?.stop();
});

const manualRuns = async () => (await e.api<{ trigger: string }[]>('/api/jobs/store.maintenance/runs')).filter((r) => r.trigger === 'manual').length;

/** CSP violations the page reports, as events and as console errors */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (ev) => window.reportViolation(ev.violatedDirective + ' ' + ev.blockedURI));" });
  return violations;
}

test('a page on another origin cannot run a job or open a socket through the browser', async () => {
  const before = await manualRuns();
  const { page } = await e.openPage();
  await page.goto(`${attackerBase}/`);
  const report = await waitFor('every attempt to settle', async () => {
    const r = await page.evaluate<Record<string, unknown>>('window.report');
    return r.noCors && r.cors && r.socket ? r : undefined;
  });
  // the form and the no-cors fetch did reach Lurk (the form's answer has landed in its frame)
  await waitFor('the form post to be answered', () => (page.frame({ name: 'sink' })?.url() !== 'about:blank' ? true : undefined));
  // one run of our own, recorded after anything the attack triggered: only it may be there
  const res = await fetch(`${e.base}/api/jobs/store.maintenance/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  await waitFor('our run to be stored', async () => ((await manualRuns()) > before ? true : undefined));
  assert.equal(await manualRuns(), before + 1, 'no job was run by the foreign page');
  assert.equal(report.cors, 'blocked', 'the JSON fetch dies at its preflight');
  assert.equal(report.socket, 'refused');
  await page.close();
});

test("Lurk's pages work under its CSP: no violation, the live socket connects, Run now runs a job", async () => {
  const { page, errors } = await e.openPage();
  const violations = await watchCsp(page);

  const response = await page.goto(`${e.base}/status`);
  assert.match((await response!.allHeaders())['content-security-policy'] ?? '', /script-src 'self'/, 'the page is served with its policy');
  await page.locator('[data-connection="live"]').waitFor();
  const before = await manualRuns();
  await page.locator('tr[data-job="store.maintenance"]').getByRole('button', { name: 'Run now' }).click();
  await waitFor('the Run now to be stored', async () => ((await manualRuns()) > before ? true : undefined));
  assert.equal(await page.locator('tr[data-job="store.maintenance"] [data-field="outcome"] .pill').textContent(), 'ok');

  await page.goto(`${e.base}/`);
  await page.locator('.dsc-stage[data-stream-id]').waitFor({ timeout: 20_000 });
  await page.goto(`${e.base}/watchtime`);
  await page.locator('[data-field="day-boundary"]').waitFor();
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);

  // the API docs run under Swagger UI's own policy (which blocks one inline style of its own; it still renders)
  await page.goto(`${e.base}/api/docs/`);
  await page.locator('.swagger-ui .info').waitFor();
  await page.close();
});
