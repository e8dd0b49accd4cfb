// Child process for bench/chat-pool.bench.ts: Lurk's chat pool joined to the given channels of the
// simulator, counting the chat.message items that reach its bus.
//   pool-reader.ts <irc port> <channel…>
import { Writable } from 'node:stream';
import { InProcessBus } from '../../src/core/bus.js';
import { SystemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { ChatPool } from '../../src/twitch/chat/pool.js';
import { simulatorEndpoints } from '../../src/twitch/endpoints.js';

const [port, ...channels] = process.argv.slice(2);
const bus = new InProcessBus();
let messages = 0;
bus.subscribe('chat.message', ({ items }) => void (messages += items.length));
const pool = new ChatPool({ bus, clock: new SystemClock(), log: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
pool.want('bench', channels);
pool.start(simulatorEndpoints({ port: 0, ircPort: Number(port), ircWsPort: null }), () => undefined);
setInterval(() => process.send?.({ lines: messages, joined: pool.stats().channels.joined }), 100);
process.on('disconnect', () => process.exit(0));
