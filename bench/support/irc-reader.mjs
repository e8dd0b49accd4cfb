// Child process for bench/irc.bench.ts: one TCP connection (anonymous, with tags) joined to
// the given channels, counting the lines it receives.
import { connect } from 'node:net';

const [port, ...channels] = process.argv.slice(2);
const socket = connect(Number(port), '127.0.0.1');
let lines = 0;
let bytes = 0;
socket.on('data', (chunk) => {
  bytes += chunk.length;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
});
socket.on('connect', () => {
  socket.write('CAP REQ :twitch.tv/tags twitch.tv/commands\r\nPASS SCHMOOPIIE\r\nNICK justinfan12345\r\n');
  socket.write(channels.map((c) => `JOIN #${c}\r\n`).join(''));
});
socket.on('close', () => process.exit(0));
setInterval(() => process.send?.({ lines, bytes }), 100);
