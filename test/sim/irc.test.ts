// The simulator's IRC (TMI) server over real sockets: unmodified twurple ChatClient on TCP 6667,
// and raw TCP / WebSocket clients for the wire details (twitch-protocol.md §5).
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, afterEach, before, describe, test } from 'node:test';
import { StaticAuthProvider } from '@twurple/auth';
import { ChatClient, parseEmotePositions, type ChatMessage as TwurpleMessage } from '@twurple/chat';
import WebSocket from 'ws';
import { ircProtocol, type IrcProtocol } from '../../src/sim/protocols/irc/index.js';
import { oauthProtocol } from '../../src/sim/protocols/oauth.js';
import { parseLine } from '../../src/twitch/irc-message.js';
import { Simulator } from '../../src/sim/simulator.js';
import { EMOTES } from '../../src/sim/world/chat.js';
import type { ChatMessage, WorldEvent } from '../../src/sim/world/types.js';
import { memoryLogger, waitFor } from '../helpers/app.js';

/** live channels, busiest first */
function liveByViewers(sim: Simulator): number[] {
  return [...sim.world.liveChannelList()].sort((a, b) => sim.world.viewersNow(b) - sim.world.viewersNow(a));
}

function userToken(sim: Simulator, user: number, scopes = ['chat:read', 'chat:edit']): string {
  return sim.auth.issueUser(sim.auth.registeredClients()[0]!.clientId, user, scopes).accessToken;
}

const EMOTE_CODE = new Map(EMOTES.map((e) => [e.id, e.code]));

// ---------------------------------------------------------------- twurple on TCP 6667

describe('IRC server with twurple ChatClient on TCP 6667', () => {
  const { log } = memoryLogger('warn');
  const sim = new Simulator({ seed: 7, channels: 400, live: 100, speed: 0, port: 0, ircPort: 6667, ircWsPort: 0, log });
  // twurple checks every token at /auth/validate
  sim.use(oauthProtocol()).use(ircProtocol({ port: 6667, wsPort: 0 }));
  const clients: ChatClient[] = [];
  const savedMockPort = process.env.TWURPLE_MOCK_API_PORT;
  let channel = -1;
  let channelLogin = '';
  let anon: ChatClient;
  const anonMessages: TwurpleMessage[] = [];
  const worldMessages: ChatMessage[] = [];

  before(async () => {
    const address = await sim.start();
    assert.equal(address.ircPort, 6667);
    process.env.TWURPLE_MOCK_API_PORT = String(address.port);
    channel = liveByViewers(sim)[0]!;
    channelLogin = sim.world.login(channel);
    sim.world.onChat((m) => {
      if (m.channel === channel) worldMessages.push(m);
    });
  });

  after(async () => {
    for (const c of clients) c.quit();
    await sim.stop();
    if (savedMockPort === undefined) delete process.env.TWURPLE_MOCK_API_PORT;
    else process.env.TWURPLE_MOCK_API_PORT = savedMockPort;
  });

  function chatClient(options: ConstructorParameters<typeof ChatClient>[0] = {}): ChatClient {
    const c = new ChatClient({ hostName: 'localhost', webSocket: false, ssl: false, rejoinChannelsOnReconnect: true, logger: { minLevel: 'critical' }, ...options });
    clients.push(c);
    return c;
  }

  async function connectAndJoin(c: ChatClient): Promise<void> {
    let registered = false;
    c.onAuthenticationSuccess(() => (registered = true));
    c.connect();
    await waitFor('twurple to log in', () => registered);
    await c.join(channelLogin);
  }

  test('anonymous client joins a live channel and receives its messages as the world produced them', async () => {
    anon = chatClient();
    anon.onMessage((_channel, _user, _text, msg) => anonMessages.push(msg));
    await connectAndJoin(anon);
    assert.ok(anon.currentChannels.includes(`#${channelLogin}`));
    const before = worldMessages.length;
    sim.advance(60_000);
    const produced = worldMessages.slice(before);
    assert.ok(produced.length > 5, `the busiest channel chats (${produced.length} messages)`);
    await waitFor('every message', () => produced.every((m) => anonMessages.some((t) => t.id === m.id)));
    for (const m of produced) {
      const got = anonMessages.find((t) => t.id === m.id)!;
      assert.equal(got.text, m.text);
      assert.equal(got.userInfo.userName, sim.world.login(m.user));
      assert.equal(got.userInfo.userId, sim.world.userId(m.user));
      assert.equal(got.channelId, sim.world.userId(channel));
      assert.equal(got.date.getTime(), m.at);
      assert.equal(got.isFirst, m.firstMsg);
      // twurple's emote parsing finds each emote's code at the positions the world gave
      const emotes = parseEmotePositions(got.text, got.emoteOffsets);
      const expected = m.emotes ? m.emotes.split('/').reduce((n, part) => n + part.split(':')[1]!.split(',').length, 0) : 0;
      assert.equal(emotes.length, expected);
      for (const e of emotes) assert.equal(e.name, EMOTE_CODE.get(e.id), `emote ${e.id} in "${got.text}"`);
    }
  });

  test('a raid into the channel and a subscription arrive as twurple events', async () => {
    const raids: { user: string; viewers: number }[] = [];
    const subs: { kind: string; user: string; months?: number; plan?: string; count?: number }[] = [];
    anon.onRaid((_c, user, info) => raids.push({ user, viewers: info.viewerCount }));
    anon.onSub((_c, user, info) => subs.push({ kind: 'sub', user, months: info.months, plan: info.plan }));
    anon.onResub((_c, user, info) => subs.push({ kind: 'resub', user, months: info.months, plan: info.plan }));
    anon.onCommunitySub((_c, user, info) => subs.push({ kind: 'gift', user, count: info.count, plan: info.plan }));

    const raider = liveByViewers(sim).find((c) => c !== channel && sim.world.viewersNow(c) > 0)!;
    const raid = sim.world.trigger('channel.raid', raider, { toChannel: channel })!;
    assert.equal(raid.type, 'channel.raid');
    await waitFor('the raid', () => raids.length > 0);
    assert.deepEqual(raids[0], { user: sim.world.login(raider), viewers: raid.viewers });

    const events: WorldEvent[] = [];
    const off = sim.world.onEvent((e) => events.push(e));
    sim.world.trigger('channel.subscribe', channel);
    off();
    const first = events[0]!;
    await waitFor('the subscription', () => subs.length > 0);
    if (first.type === 'channel.subscription.gift') {
      assert.equal(subs[0]!.kind, 'gift');
      assert.equal(subs[0]!.count, first.total);
      assert.equal(subs[0]!.user, first.anonymous ? 'ananonymousgifter' : sim.world.login(first.user!));
    } else {
      assert.equal(subs[0]!.kind, first.type === 'channel.subscription.message' ? 'resub' : 'sub');
      assert.equal(subs[0]!.user, sim.world.login(first.user!));
      assert.equal(subs[0]!.plan, first.tier);
      assert.equal(subs[0]!.months, first.cumulativeMonths ?? 1);
    }
  });

  test('a client with a user token logs in as its user and its messages reach the others in the room', async () => {
    const user = sim.world.channelCount + 11;
    const login = sim.world.login(user);
    const clientId = sim.auth.registeredClients()[0]!.clientId;
    const authed = chatClient({ authProvider: new StaticAuthProvider(clientId, userToken(sim, user), ['chat:read', 'chat:edit']) });
    await connectAndJoin(authed);
    assert.equal(authed.irc.currentNick, login);
    await authed.say(channelLogin, 'hello from the test Kappa');
    await waitFor('the message at the anonymous client', () => anonMessages.find((m) => m.text === 'hello from the test Kappa' && m.userInfo.userName === login));
  });

  test('clients reconnect and rejoin after RECONNECT', async () => {
    const disconnected = new Set<ChatClient>();
    const rejoined = new Set<ChatClient>();
    for (const c of clients) {
      c.onDisconnect(() => disconnected.add(c));
      // the JOIN echo comes once the server has put the new connection in the room
      c.onJoin((joinedChannel) => {
        if (disconnected.has(c) && joinedChannel === channelLogin) rejoined.add(c);
      });
    }
    sim.faults.ircReconnect = true;
    sim.advance(1000);
    assert.equal(sim.faults.ircReconnect, false, 'the fault fires once');
    await waitFor('both clients to be disconnected', () => clients.every((c) => disconnected.has(c)));
    await waitFor('both clients to rejoin', () => clients.every((c) => rejoined.has(c)));
    const before = worldMessages.length;
    sim.advance(30_000);
    const produced = worldMessages.slice(before);
    assert.ok(produced.length > 0);
    await waitFor('messages after the reconnect', () => produced.every((m) => anonMessages.some((t) => t.id === m.id)));
  });
});

// ---------------------------------------------------------------- raw sockets

/** a line-recording IRC client over TCP or WebSocket that answers the server's PINGs unless told not to */
class RawClient {
  readonly lines: string[] = [];
  readonly frames: string[] = [];
  closed = false;
  answerPings = true;
  private buffer = '';

  private constructor(
    private readonly sendText: (text: string) => void,
    readonly close: () => void,
    readonly socket?: Socket,
    readonly ws?: WebSocket,
  ) {}

  static tcp(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.setEncoding('utf8');
      const client = new RawClient(
        (t) => socket.write(t),
        () => socket.destroy(),
        socket,
      );
      socket.on('data', (chunk: string) => client.receive(chunk, false));
      socket.on('close', () => (client.closed = true));
      socket.on('error', () => undefined);
      socket.once('error', reject);
      socket.once('connect', () => resolve(client));
    });
  }

  static ws(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/any/path`, 'irc');
      const client = new RawClient(
        (t) => ws.send(t),
        () => ws.terminate(),
        undefined,
        ws,
      );
      ws.on('message', (data) => client.receive(String(data), true));
      ws.on('close', () => (client.closed = true));
      ws.on('error', () => undefined);
      ws.once('error', reject);
      ws.once('open', () => resolve(client));
    });
  }

  /** sends lines; over WebSocket all of them in one frame, without a final CRLF (as tmi.js does) */
  send(...lines: string[]): void {
    this.sendText(this.ws ? lines.join('\r\n') : lines.map((l) => l + '\r\n').join(''));
  }

  private receive(text: string, frame: boolean): void {
    if (frame) this.frames.push(text);
    this.buffer += text;
    const parts = this.buffer.split('\r\n');
    this.buffer = parts.pop()!;
    for (const l of parts) {
      this.lines.push(l);
      if (this.answerPings && l.startsWith('PING ')) this.sendText('PONG' + l.slice(4) + (this.ws ? '' : '\r\n'));
    }
  }

  async line(what: string, match: (line: string) => boolean, from = 0): Promise<string> {
    return waitFor(what, () => this.lines.slice(from).find(match));
  }

  async login(nick = `justinfan${1000 + Math.floor(Math.random() * 9000)}`, pass?: string): Promise<void> {
    this.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership', ...(pass ? [`PASS ${pass}`] : []), `NICK ${nick}`);
    await this.line('376', (l) => l.includes(' 376 '));
  }
}

describe('IRC server on the wire', () => {
  const { log, lines } = memoryLogger('debug');
  // more viewers per channel, so some rooms pass the 1,000-user membership ceiling
  const sim = new Simulator({ seed: 11, channels: 60, live: 30, speed: 0, port: 0, ircPort: 0, ircWsPort: 0, viewersPerLive: 400, log });
  const irc: IrcProtocol = ircProtocol({ port: 0, wsPort: 0, pingIntervalMs: 600, pongTimeoutMs: 600, maxBufferBytes: 512 * 1024 });
  sim.use(irc);
  const clients: RawClient[] = [];
  let tcpPort = 0;
  let wsPort = 0;

  before(async () => {
    const address = await sim.start();
    tcpPort = address.ircPort!;
    wsPort = address.ircWsPort!;
  });
  // each test's clients go away with it, so the busy rooms they joined do not slow later tests
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(async () => {
    await sim.stop();
  });

  async function tcp(host?: string): Promise<RawClient> {
    const c = await RawClient.tcp(tcpPort, host);
    clients.push(c);
    return c;
  }

  test('handshake: CAP LS/REQ/END, PASS, NICK, USER, then 001–004, MOTD and GLOBALUSERSTATE', async () => {
    const user = sim.world.channelCount + 3;
    const login = sim.world.login(user);
    const c = await tcp();
    c.send('CAP LS 302');
    await c.line('CAP LS', (l) => l === ':tmi.twitch.tv CAP * LS :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
    c.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
    await c.line('CAP ACK', (l) => l === ':tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
    c.send('CAP END', `PASS oauth:${userToken(sim, user)}`, `NICK ${login.toUpperCase()}`, `USER ${login} 8 * :${login}`);
    const gus = await c.line('GLOBALUSERSTATE', (l) => l.endsWith(':tmi.twitch.tv GLOBALUSERSTATE'));
    assert.deepEqual(c.lines.slice(2, 9), [
      `:tmi.twitch.tv 001 ${login} :Welcome, GLHF!`,
      `:tmi.twitch.tv 002 ${login} :Your host is tmi.twitch.tv`,
      `:tmi.twitch.tv 003 ${login} :This server is rather new`,
      `:tmi.twitch.tv 004 ${login} :-`,
      `:tmi.twitch.tv 375 ${login} :-`,
      `:tmi.twitch.tv 372 ${login} :You are in a maze of twisty passages, all alike.`,
      `:tmi.twitch.tv 376 ${login} :>`,
    ]);
    const tags = parseLine(gus)!.tags;
    assert.equal(tags.get('user-id'), sim.world.userId(user));
    assert.equal(tags.get('display-name'), sim.world.displayName(user));
    assert.equal(tags.get('emote-sets'), '0');
  });

  test('an unknown capability is refused as a whole; CAP LIST shows what was granted', async () => {
    const c = await tcp();
    c.send('CAP REQ :twitch.tv/tags example.com/nope', 'CAP REQ :twitch.tv/commands', 'CAP LIST');
    await c.line('NAK', (l) => l === ':tmi.twitch.tv CAP * NAK :twitch.tv/tags example.com/nope');
    await c.line('LIST', (l) => l === ':tmi.twitch.tv CAP * LIST :twitch.tv/commands');
  });

  test('tmi.js-style anonymous login (PASS SCHMOOPIIE, no CAP END), over ::1 when the machine has it', async () => {
    const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === '::1'));
    const c = await tcp(hasIpv6Loopback ? '::1' : '127.0.0.1');
    c.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership', 'PASS SCHMOOPIIE', 'NICK justinfan4242');
    await c.line('376', (l) => l === ':tmi.twitch.tv 376 justinfan4242 :>');
    assert.ok(!c.lines.some((l) => l.includes('GLOBALUSERSTATE')), 'anonymous users have no GLOBALUSERSTATE');
  });

  test('failed logins get Twitch’s NOTICE and are disconnected', async () => {
    const user = sim.world.channelCount + 4;
    const other = sim.world.channelCount + 5;
    const cases: [string | undefined, string, string][] = [
      ['oauth:doesnotexist', sim.world.login(user), 'Login authentication failed'],
      [`oauth:${userToken(sim, other)}`, sim.world.login(user), 'Login authentication failed'],
      [`oauth:${userToken(sim, user, ['chat:edit'])}`, sim.world.login(user), 'Login authentication failed'],
      [`oauth:${sim.auth.issueApp(sim.auth.registeredClients()[0]!.clientId).accessToken}`, sim.world.login(user), 'Login authentication failed'],
      [userToken(sim, user), sim.world.login(user), 'Improperly formatted auth'],
      [undefined, sim.world.login(user), 'Improperly formatted auth'],
    ];
    for (const [pass, nick, text] of cases) {
      const c = await tcp();
      c.send('CAP REQ :twitch.tv/tags twitch.tv/commands', ...(pass ? [`PASS ${pass}`] : []), `NICK ${nick}`);
      await c.line(text, (l) => l === `:tmi.twitch.tv NOTICE * :${text}`);
      await waitFor('the disconnect', () => c.closed);
      assert.ok(!c.lines.some((l) => l.includes(' 001 ')));
    }
  });

  test('JOIN a small room: own JOIN, NAMES of its audience, USERSTATE, full ROOMSTATE, then membership and chat', async () => {
    const small = liveByViewers(sim).find((ch) => sim.world.viewersNow(ch) < 1000 && sim.world.viewersNow(ch) > 50)!;
    assert.ok(small !== undefined, 'a live room under 1,000 users');
    const login = sim.world.login(small);
    const c = await tcp();
    await c.login('justinfan777');
    const from = c.lines.length;
    c.send(`JOIN #${login}`);
    await c.line('ROOMSTATE', (l) => l.endsWith(`ROOMSTATE #${login}`), from);
    const joined = c.lines.slice(from);
    assert.equal(joined[0], `:justinfan777!justinfan777@justinfan777.tmi.twitch.tv JOIN #${login}`);
    const names = joined.filter((l) => l.startsWith(`:justinfan777.tmi.twitch.tv 353 justinfan777 = #${login} :`)).flatMap((l) => l.split(' :')[1]!.split(' '));
    assert.deepEqual(new Set(names), new Set([...sim.world.audience(small).map((u) => sim.world.login(u)), 'justinfan777']));
    assert.ok(joined.includes(`:justinfan777.tmi.twitch.tv 366 justinfan777 #${login} :End of /NAMES list`));
    const userstate = joined.findIndex((l) => l.includes(`USERSTATE #${login}`));
    const roomstate = joined.findIndex((l) => l.includes(`ROOMSTATE #${login}`));
    assert.ok(userstate > 0 && roomstate > userstate);
    assert.equal(joined[roomstate], `@emote-only=0;followers-only=-1;r9k=0;rituals=0;room-id=${sim.world.userId(small)};slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #${login}`);

    sim.advance(120_000);
    await c.line('someone else joining or leaving', (l) => / (JOIN|PART) #/.test(l) && !l.startsWith(':justinfan777!'), from);
    await c.line('a PRIVMSG', (l) => l.includes(` PRIVMSG #${login} :`), from);
    c.send(`PART #${login}`);
    await c.line('own PART', (l) => l === `:justinfan777!justinfan777@justinfan777.tmi.twitch.tv PART #${login}`, from);
  });

  test('a room of 1,000 users or more gets no NAMES and no membership lines', async () => {
    const big = liveByViewers(sim)[0]!;
    assert.ok(sim.world.viewersNow(big) >= 1000, `the busiest room has ${sim.world.viewersNow(big)} users`);
    const login = sim.world.login(big);
    const c = await tcp();
    await c.login();
    const from = c.lines.length;
    c.send(`JOIN #${login}`);
    await c.line('ROOMSTATE', (l) => l.endsWith(`ROOMSTATE #${login}`), from);
    sim.advance(30_000);
    await c.line('a PRIVMSG', (l) => l.includes(` PRIVMSG #${login} :`), from);
    const after = c.lines.slice(from);
    assert.ok(!after.some((l) => / 35[3] /.test(l) || / 366 /.test(l)), 'no NAMES');
    assert.ok(!after.some((l) => / (JOIN|PART) #/.test(l) && !l.includes('justinfan')), 'no membership lines');
  });

  test('JOIN of an unknown channel gets msg_channel_suspended; the 21st JOIN within 10 s is refused', async () => {
    const c = await tcp();
    await c.login();
    c.send('JOIN #nosuchchannel_zzz');
    await c.line('suspended', (l) => l === '@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #nosuchchannel_zzz :This channel does not exist or has been suspended.');
    const logins = liveByViewers(sim)
      .slice(0, 20)
      .map((ch) => `#${sim.world.login(ch)}`);
    c.send(`JOIN ${logins.join(',')}`);
    await c.line('rate limited', (l) => l.startsWith('@msg-id=msg_ratelimit :tmi.twitch.tv NOTICE ' + logins[19]));
    assert.equal(c.lines.filter((l) => / JOIN #/.test(l) && l.startsWith(':justinfan')).length, 19);
  });

  test('PRIVMSG: anonymous clients may not send; a logged-in one gets USERSTATE and the room sees the message', async () => {
    const room = liveByViewers(sim)[3]!;
    const channelName = `#${sim.world.login(room)}`;
    const listener = await tcp();
    await listener.login();
    listener.send(`JOIN ${channelName}`);
    await listener.line('joined', (l) => l.endsWith(`ROOMSTATE ${channelName}`));

    const anonymous = await tcp();
    await anonymous.login();
    anonymous.send(`PRIVMSG ${channelName} :hi`);
    await anonymous.line('no_permission', (l) => l.startsWith(`@msg-id=no_permission :tmi.twitch.tv NOTICE ${channelName} :`));

    const user = sim.world.channelCount + 21;
    const login = sim.world.login(user);
    const sender = await tcp();
    await sender.login(login, `oauth:${userToken(sim, user)}`);
    const from = sender.lines.length;
    sender.send(`PRIVMSG ${channelName} :hello there`);
    const userstate = await sender.line('USERSTATE', (l) => l.endsWith(`USERSTATE ${channelName}`), from);
    const id = parseLine(userstate)!.tags.get('id')!;
    const seen = await listener.line('the message', (l) => l.endsWith(`:${login}!${login}@${login}.tmi.twitch.tv PRIVMSG ${channelName} :hello there`));
    assert.equal(parseLine(seen)!.tags.get('id'), id);
    assert.equal(parseLine(seen)!.tags.get('user-id'), sim.world.userId(user));
    assert.ok(!sender.lines.slice(from).some((l) => l.includes('PRIVMSG')), 'no echo to the sender');
    for (let i = 0; i < 25; i++) sender.send(`PRIVMSG ${channelName} :spam ${i}`);
    await sender.line('rate limit', (l) => l.startsWith(`@msg-id=msg_ratelimit :tmi.twitch.tv NOTICE ${channelName} :`), from);
  });

  test('WebSocket: subprotocol irc, several lines per frame in both directions', async () => {
    const c = await RawClient.ws(wsPort);
    clients.push(c);
    assert.equal(c.ws!.protocol, 'irc');
    c.send('CAP REQ :twitch.tv/tags twitch.tv/commands', 'PASS SCHMOOPIIE', 'NICK justinfan55555');
    await c.line('376', (l) => l === ':tmi.twitch.tv 376 justinfan55555 :>');
    assert.ok(
      c.frames.some((f) => f.split('\r\n').filter(Boolean).length >= 7),
      'the welcome lines share a frame',
    );
    const room = liveByViewers(sim)[0]!;
    c.send(`JOIN #${sim.world.login(room)}`, 'PING :hello');
    await c.line('PONG', (l) => l === ':tmi.twitch.tv PONG tmi.twitch.tv :hello');
    await c.line('ROOMSTATE', (l) => l.includes(' ROOMSTATE #'));
  });

  test('PING/PONG: the client’s PING is answered; an idle client is PINGed and dropped without PONG', async () => {
    const good = await tcp();
    await good.login();
    good.send('PING :tmi.twitch.tv');
    await good.line('PONG', (l) => l === ':tmi.twitch.tv PONG tmi.twitch.tv :tmi.twitch.tv');
    const silent = await tcp();
    silent.answerPings = false;
    await silent.login();
    await silent.line('server PING', (l) => l === 'PING :tmi.twitch.tv');
    await waitFor('the silent client to be dropped', () => silent.closed);
    assert.ok(good.lines.includes('PING :tmi.twitch.tv'), 'the answering client was PINGed too');
    assert.equal(good.closed, false);
  });

  test('moderation: some messages are deleted (CLEARMSG) and some chatters timed out (CLEARCHAT), from their ids', async () => {
    const room = liveByViewers(sim)[0]!;
    const login = sim.world.login(room);
    const c = await tcp();
    await c.login();
    c.send(`JOIN #${login}`);
    await c.line('joined', (l) => l.endsWith(`ROOMSTATE #${login}`));
    for (let i = 0; i < 10; i++) {
      sim.advance(60_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const cleared = await c.line('CLEARMSG or CLEARCHAT', (l) => / CLEAR(MSG|CHAT) #/.test(l));
    const msg = parseLine(cleared)!;
    const said = sim.world.messagesBetween(room, 0, Number.MAX_SAFE_INTEGER);
    if (msg.command === 'CLEARMSG') {
      const target = said.find((m) => m.id === msg.tags.get('target-msg-id'));
      assert.ok(target, 'the deleted message is one the world produced');
      assert.equal(msg.params[1], target.text);
      assert.equal(msg.tags.get('login'), sim.world.login(target.user));
    } else {
      assert.equal(msg.tags.get('ban-duration'), '600');
      assert.ok(
        said.some((m) => sim.world.userId(m.user) === msg.tags.get('target-user-id')),
        'the timed-out user chatted there',
      );
    }
  });

  test('faults: malformed lines, dropped connections', async () => {
    const room = liveByViewers(sim)[0]!;
    const login = sim.world.login(room);
    const c = await tcp();
    await c.login();
    c.send(`JOIN #${login}`);
    await c.line('joined', (l) => l.endsWith(`ROOMSTATE #${login}`));
    const from = c.lines.length;
    sim.faults.ircMalformedRate = 1;
    sim.advance(20_000);
    sim.faults.ircMalformedRate = 0;
    await c.line('a malformed line', (l) => parseLine(l) === undefined, from);
    sim.faults.ircDropRate = 1;
    await waitFor('the drop', () => c.closed);
    sim.faults.ircDropRate = 0;
  });

  test('a reader that stops reading is disconnected once its buffer limit is passed', async () => {
    const room = liveByViewers(sim)[1]!;
    const login = sim.world.login(room);
    const c = await tcp();
    await c.login('justinfan999001');
    c.send(`JOIN #${login}`);
    await c.line('joined', (l) => l.endsWith(`ROOMSTATE #${login}`));
    // the paused client cannot answer PINGs either, so the log tells which rule dropped it
    c.socket!.pause();
    const text = 'a fairly long synthetic message to fill the buffers '.repeat(4);
    const slowReaderDrops = () => lines().filter((l) => l.reason === 'slow reader' && l.nick === 'justinfan999001').length;
    for (let batch = 0; batch < 400 && slowReaderDrops() === 0; batch++) {
      for (let i = 0; i < 500; i++) {
        const id = `00000000-0000-4000-8000-${String(batch * 1000 + i).padStart(12, '0')}`;
        irc.deliverChat({ id, at: sim.world.now(), channel: room, user: sim.world.channelCount + i, text, sentiment: 'neutral', emotes: '', firstMsg: false });
      }
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(slowReaderDrops(), 1);
    c.socket!.resume();
    await waitFor('the slow reader to be disconnected', () => c.closed);
  });
});
