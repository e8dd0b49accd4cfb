// Logging in to a Lurk in simulator mode as a browser does: /auth/login, the simulator's consent
// page (its hidden fields read from the HTML), the decision posted from the simulator's origin,
// the callback back at Lurk with the browser's cookies. The feed, UI and bench tests log in with it.

const HTML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** a browser's cookies for one site: name → value */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  constructor(header?: string) {
    for (const part of (header ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) this.cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  /** takes the Set-Cookie headers of a response (Max-Age=0 deletes) */
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** GET /auth/login: the simulator's authorize URL it redirects to (the jar gets the login cookie) */
export async function startLogin(lurkBase: string, jar: CookieJar, features?: string, returnTo?: string): Promise<URL> {
  const query = new URLSearchParams();
  if (features !== undefined) query.set('features', features);
  if (returnTo !== undefined) query.set('return', returnTo);
  const res = await fetch(`${lurkBase}/auth/login?${query}`, { redirect: 'manual', headers: { cookie: jar.header() } });
  if (res.status !== 302) throw new Error(`/auth/login: HTTP ${res.status} ${await res.text()}`);
  jar.take(res);
  return new URL(res.headers.get('location')!);
}

/** the consent page read and answered as `login`: the URL the simulator sends the browser back to */
export async function consent(authorizeUrl: URL, login: string, decision: 'allow' | 'deny' = 'allow'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize page: HTTP ${page.status} ${html}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!.replace(/&(amp|lt|gt|quot|#39);/g, (e) => HTML_ENTITIES[e]!);
  const res = await fetch(new URL('authorize', authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: authorizeUrl.origin },
    body: new URLSearchParams({ ...fields, login, decision }),
  });
  if (res.status !== 302) throw new Error(`consent: HTTP ${res.status} ${await res.text()}`);
  return new URL(res.headers.get('location')!);
}

/** follows the callback with the browser's cookies; the response (302 on success) */
export async function finishLogin(callback: URL, jar: CookieJar): Promise<Response> {
  const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(res);
  return res;
}

/**
 * A whole login as the simulated user `login` (a broadcaster or viewer of the simulated world),
 * asking for `features` (comma-separated, e.g. 'follows,subs'). `cookie`: an earlier login's, for
 * an incremental one. The session cookie header and its CSRF token.
 */
export async function loginThroughSimulator(lurkBase: string, login: string, features?: string, cookie?: string): Promise<{ cookie: string; csrf: string }> {
  const jar = new CookieJar(cookie);
  const callback = await consent(await startLogin(lurkBase, jar, features), login);
  const res = await finishLogin(callback, jar);
  if (res.status !== 302) throw new Error(`/auth/callback: HTTP ${res.status} ${await res.text()}`);
  const session = jar.get('lurk_session');
  if (!session) throw new Error('no session cookie after the login');
  const sessionCookie = `lurk_session=${session}`;
  const me = (await (await fetch(`${lurkBase}/api/live/me`, { headers: { cookie: sessionCookie } })).json()) as { csrf: string | null };
  if (!me.csrf) throw new Error('logged in, but /api/live/me has no csrf');
  return { cookie: sessionCookie, csrf: me.csrf };
}
