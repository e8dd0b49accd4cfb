// The simulator's Twitch IRC (TMI) server, over TCP and WebSocket: see server.ts.
import type { SimProtocol, Simulator } from '../../simulator.js';
import type { ChatMessage } from '../../world/types.js';
import { IrcServer, type IrcOptions, type IrcStats } from './server.js';

export type { IrcOptions, IrcStats };

export interface IrcProtocol extends SimProtocol {
  /** connection count and fan-out counter (undefined before start) */
  stats(): IrcStats | undefined;
  /**
   * Delivers a chat message as if the world had produced it (benches drive the broadcast path
   * with this, without the cost of simulating the world).
   */
  deliverChat(message: ChatMessage): void;
}

export function ircProtocol(options: IrcOptions): IrcProtocol {
  let server: IrcServer | undefined;
  return {
    name: 'irc',
    async start(sim: Simulator) {
      server = new IrcServer(sim, options);
      const ports = await server.start();
      sim.setIrcPorts(ports);
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    stats: () => server?.stats(),
    deliverChat: (message) => server?.chat(message),
  };
}
