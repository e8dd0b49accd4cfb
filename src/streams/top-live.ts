// The N live channels with the most viewers, read off Discover's sweep of Helix /streams (its
// pages come sorted by viewers, so the first pages of a generation hold the top). Mood and
// Audience both follow this ranking; each feeds it the bus's pages and gets the list once per
// sweep generation, as soon as it is known.

/** what it reads of a sweep's page (Discover's `streams.page` event has this shape) */
export interface RankedPage {
  readonly generation: number;
  readonly streams: readonly { readonly user_id: string; readonly user_login: string; readonly user_name: string; readonly viewer_count: number }[];
}

/** one of the top channels, as the sweep saw it */
export interface TopChannel {
  id: string;
  login: string;
  name: string;
  viewers: number;
}

const LOGIN = /^[a-z0-9_]{1,25}$/;

export class TopLive {
  private generation = -1;
  private applied = true;
  private seen: TopChannel[] = [];
  /** the distinct valid logins among seen: a stream listed twice (pages shift as viewers move) counts once */
  private logins = new Set<string>();

  constructor(private readonly n: number) {}

  /** a page of the sweep; answers the top N once a generation has shown N distinct channels, else undefined */
  page(e: RankedPage): TopChannel[] | undefined {
    if (this.n <= 0) return undefined;
    if (e.generation !== this.generation) {
      if (e.generation < this.generation) return undefined;
      this.generation = e.generation;
      this.seen = [];
      this.logins = new Set();
      this.applied = false;
    }
    if (this.applied) return undefined;
    for (const s of e.streams) {
      const login = s.user_login.toLowerCase();
      this.seen.push({ id: s.user_id, login, name: s.user_name, viewers: s.viewer_count });
      if (LOGIN.test(login)) this.logins.add(login);
    }
    return this.logins.size < this.n ? undefined : this.top();
  }

  /** a sweep that ended with fewer than N live channels: those it saw are the top (undefined when already answered) */
  completed(generation: number): TopChannel[] | undefined {
    if (this.n <= 0 || generation !== this.generation || this.applied) return undefined;
    return this.top();
  }

  private top(): TopChannel[] {
    this.applied = true;
    const byLogin = new Map<string, TopChannel>();
    for (const s of [...this.seen].sort((a, b) => b.viewers - a.viewers)) if (!byLogin.has(s.login) && LOGIN.test(s.login)) byLogin.set(s.login, s);
    return [...byLogin.values()].slice(0, this.n);
  }
}
