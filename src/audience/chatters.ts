// Helix Get Chatters (GET chat/chatters): the one listing of who is in a chat that still works in
// rooms over 1,000 users, but only with a user token of the broadcaster or one of its moderators
// (scope moderator:read:chatters). Who holds such a token is not Audience's business: a provider
// says, per channel (the Live capability will provide one; until then none is known).

export interface ChattersToken {
  /** a user access token of Lurk's client id with moderator:read:chatters */
  token: string;
  /** the token's user: the broadcaster or one of its moderators */
  moderatorId: string;
}

/** the token to list a channel's chatters with, or undefined when Lurk holds none */
export type ChattersTokenProvider = (channelId: string) => Promise<ChattersToken | undefined>;

/** the part of the Helix client the poller uses */
export interface ChattersHelix {
  get<T>(path: string, query: Record<string, string | number | undefined>, call: { priority: 'background'; userToken: () => string }): Promise<T>;
}

interface ChattersPage {
  data: { user_id: string; user_login: string; user_name: string }[];
  pagination: { cursor?: string };
  total: number;
}

/** Twitch's largest page */
const PAGE = 1000;

export interface ChattersPollerOptions {
  helix: () => ChattersHelix;
  tokenFor: ChattersTokenProvider;
  /** pages read per channel and round at most (a channel of 50,000 chatters costs 50 requests) */
  maxPages?: number;
  /** chatters per page (Twitch's largest, 1,000, unless a test asks for less) */
  pageSize?: number;
}

export class ChattersPoller {
  private readonly maxPages: number;
  private readonly pageSize: number;

  constructor(private readonly o: ChattersPollerOptions) {
    this.maxPages = o.maxPages ?? 100;
    this.pageSize = o.pageSize ?? PAGE;
  }

  /**
   * The channel's chatters (lower-case logins), every page; undefined when no token is held for
   * it. Helix errors (a token revoked, a moderator removed) are the caller's to log.
   */
  async list(channelId: string): Promise<string[] | undefined> {
    const grant = await this.o.tokenFor(channelId);
    if (!grant) return undefined;
    const logins: string[] = [];
    const call = { priority: 'background' as const, userToken: () => grant.token };
    let after: string | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      const res = await this.o.helix().get<ChattersPage>('chat/chatters', { broadcaster_id: channelId, moderator_id: grant.moderatorId, first: this.pageSize, after }, call);
      for (const c of res.data) logins.push(c.user_login.toLowerCase());
      after = res.pagination.cursor;
      if (!after || res.data.length === 0) break;
    }
    return logins;
  }
}
