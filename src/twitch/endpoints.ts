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
