// Where Lurk's Twitch clients connect. Real Twitch and the simulator differ only here.

export interface TwitchEndpoints {
  /** Helix base, e.g. https://api.twitch.tv/helix */
  helix: string;
  /** OAuth base, e.g. https://id.twitch.tv/oauth2 */
  oauth: string;
  /** EventSub WebSocket */
  eventSubWs: string;
  /** IRC over TCP (plain) */
  ircTcp: { host: string; port: number; tls: boolean };
  /** IRC over WebSocket */
  ircWs: string;
  /** the simulator's control and truth API, when simulated */
  simControl?: string;
}

export const REAL_TWITCH: TwitchEndpoints = {
  helix: 'https://api.twitch.tv/helix',
  oauth: 'https://id.twitch.tv/oauth2',
  eventSubWs: 'wss://eventsub.wss.twitch.tv/ws',
  ircTcp: { host: 'irc.chat.twitch.tv', port: 6697, tls: true },
  ircWs: 'wss://irc-ws.chat.twitch.tv:443',
};

/** where the settings point (real Twitch by default, or any Twitch-compatible server such as another process's `lurk sim`) */
export function configuredEndpoints(twitch: { oauthUrl: string; helixUrl: string; eventSubWsUrl: string; ircUrl: string }): TwitchEndpoints {
  const irc = new URL(twitch.ircUrl);
  const tls = irc.protocol === 'ircs:';
  return {
    helix: twitch.helixUrl,
    oauth: twitch.oauthUrl,
    eventSubWs: twitch.eventSubWsUrl,
    ircTcp: { host: irc.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(irc.port), tls },
    // chat over WebSocket is only used towards Twitch itself; elsewhere the TCP endpoint is the one configured
    ircWs: isTwitch(twitch.helixUrl) ? REAL_TWITCH.ircWs : `${tls ? 'wss' : 'ws'}://${irc.host}`,
  };
}

/** what a person reads: real Twitch, or the Twitch-compatible server the settings point at */
export function describeEndpoints(endpoints: TwitchEndpoints): string {
  return isTwitch(endpoints.helix) ? 'Twitch' : `Twitch-compatible server at ${new URL(endpoints.helix).host} (not twitch.tv)`;
}

/** Helix at Twitch's own address */
function isTwitch(helixUrl: string): boolean {
  return new URL(helixUrl).hostname === 'api.twitch.tv';
}

export function simulatorEndpoints(addresses: { port: number; ircPort: number | null; ircWsPort: number | null }): TwitchEndpoints {
  const http = `http://localhost:${addresses.port}`;
  return {
    helix: `${http}/helix`,
    oauth: `${http}/oauth2`,
    eventSubWs: `ws://127.0.0.1:${addresses.port}/ws`,
    ircTcp: { host: 'localhost', port: addresses.ircPort ?? 0, tls: false },
    ircWs: `ws://localhost:${addresses.ircWsPort ?? 0}`,
    simControl: `${http}/_sim`,
  };
}
