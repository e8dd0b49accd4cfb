// Audience's routes (src/audience/routes.ts) in a real Fastify server built as the app builds its
// own (createWebServer: the app's error handler, origin guard, finite-number check and OpenAPI),
// over real HTTP, in front of an in-memory AudienceQueries that records what it is asked and
// answers fixed wire data. These tests prove what the routes own: validation and the 400s naming
// the parameter, parameter parsing (defaults, ISO times, lower-casing), that no wire field is lost
// in serialization, the CSV tables and their escaping, origin refusal, the rate limit and the
// OpenAPI document. What the figures are made of (presence, moves, raids, overlap, the map) is
// tested against the simulator in the service's tests (test/audience/service.test.ts and the
// others beside it); the last test here only shows the routes answer a real Lurk's real data.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLurk } from '../../src/app.js';
import type { AudienceQueries } from '../../src/audience/queries.js';
import { audienceRoutes } from '../../src/audience/routes.js';
import type {
  AudienceChannel,
  AudienceChannelsResponse,
  EndedResponse,
  FlowRow,
  FlowsResponse,
  MapResponse,
  MovePairRow,
  MovesResponse,
  OverlapResponse,
  RaidRow,
  RaidsResponse,
} from '../../src/audience/types.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createWebServer } from '../../src/web/server.js';
import type { Simulator } from '../../src/sim/index.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';
import { clockPasses } from '../mood/helpers.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const alice: AudienceChannel = {
  login: 'alice',
  sources: ['api', 'top'],
  added_at: '2026-11-30T10:00:00.000Z',
  live: true,
  viewer_count: 420,
  present: 310,
  active_chatters: 42,
  chat_ratio: 0.1,
  peer_ratio: null,
  flagged: false,
  membership: true,
  chat: { state: 'joined', reason: null },
};
const bob: AudienceChannel = {
  ...alice,
  login: 'bob',
  sources: ['config'],
  live: false,
  viewer_count: null,
  chat_ratio: null,
  peer_ratio: 0.08,
  membership: false,
  chat: { state: 'failed', reason: 'msg_banned' },
};
const CHANNELS: AudienceChannelsResponse = { channels: [alice, bob], settings: { linger_seconds: 600, move_window_seconds: 300, per_user_moves: false, per_user_days: 7 } };

/** text that a spreadsheet would read as a formula, or that needs quoting */
const NASTY = '=HYPERLINK("http://evil.example","x"),\nnext';

function flowsFor(q: { channel: string; direction: 'out' | 'in'; from: number; to: number }): FlowsResponse {
  return {
    channel: q.channel,
    direction: q.direction,
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    total: 7,
    flows: [
      { channel: 'bob', moves: 5, organic: 2, raid: 3 },
      { channel: 'carol', moves: 2, organic: 2, raid: 0 },
    ],
  };
}
const MOVES: MovesResponse = {
  from: '2026-11-30T12:00:00.000Z',
  to: '2026-12-01T12:00:00.000Z',
  total: 5,
  pairs: [{ from_channel: 'alice', to_channel: 'bob', moves: 5, organic: 2, raid: 3, median_gap_seconds: 41.5 }],
  moves: [
    {
      user: 'viewer_1',
      from_channel: 'alice',
      to_channel: 'bob',
      left_at: '2026-12-01T10:00:00.000Z',
      joined_at: '2026-12-01T10:00:40.000Z',
      cause: 'raid',
      raid_id: 'raid-1',
      evidence: [
        { channel: 'alice', kind: 'part', at: '2026-12-01T10:00:00.000Z' },
        { channel: 'bob', kind: 'chat', at: '2026-12-01T10:00:40.000Z' },
      ],
    },
  ],
};
const RAIDS: RaidsResponse = {
  from: '2026-11-30T12:00:00.000Z',
  to: '2026-12-01T12:00:00.000Z',
  raids: [{ id: NASTY, from_channel: 'alice', to_channel: 'bob', at: '2026-12-01T10:00:00.000Z', viewers: 120, sources: ['eventsub', 'chat'], raiders_seen: 80, retained_10m: 70, retained_30m: null }],
};
const OVERLAP: OverlapResponse = {
  channel: 'alice',
  days: 7,
  from: '2026-11-24T12:00:00.000Z',
  to: '2026-12-01T12:00:00.000Z',
  audience: 1000,
  shared_any: 300,
  others: [{ channel: 'bob', shared: 150, share_of_channel: 0.15, share_of_other: 0.3, probability: 0.5 }],
  ranking: [{ day: '2026-11-30', ranks: [{ channel: 'bob', rank: 1, shared: 120, probability: 0.48 }] }],
};
const ENDED: EndedResponse = {
  ended: [
    {
      channel: 'alice',
      ended_at: '2026-12-01T11:00:00.000Z',
      audience: 300,
      followed: 90,
      raid_share: 0.75,
      destinations: [
        { channel: 'bob', count: 80, raid: 70 },
        { channel: 'carol', count: 10, raid: 0 },
      ],
      final: true,
    },
    { channel: 'bob', ended_at: '2026-12-01T11:50:00.000Z', audience: 12, followed: 0, raid_share: null, destinations: [], final: false },
  ],
};
const MAP: MapResponse = {
  day: '2026-11-30',
  days: ['2026-11-30', '2026-11-29'],
  nodes: [
    { channel: 'alice', audience: 1000, community: 0, x: -0.25, y: 1.5 },
    { channel: 'bob', audience: 500, community: 1, x: 0.75, y: -2 },
  ],
  edges: [{ source: 'alice', target: 'bob', shared: 150, weight: 0.3 }],
  communities: 2,
  modularity: 0.41,
  computed_at: '2026-12-01T00:05:00.000Z',
};

interface Call {
  name: string;
  args: unknown[];
}

/** answers fixed data and records every call, so the tests see what the routes asked */
class RecordingQueries implements AudienceQueries {
  calls: Call[] = [];
  perUser = false;
  unknownLogins = new Set<string>();
  apiWatched = new Set(['alice']);
  maps = new Map<string, MapResponse>([[MAP.day, MAP]]);

  now(): number {
    return NOW;
  }
  private record(name: string, ...args: unknown[]) {
    this.calls.push({ name, args });
  }
  /** the calls named `name` */
  asked(name: string): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args[0]);
  }
  async channels() {
    this.record('channels');
    return CHANNELS;
  }
  async watch(logins: string[]) {
    this.record('watch', logins);
    const unknown = logins.filter((l) => this.unknownLogins.has(l));
    return { added: logins.filter((l) => !this.unknownLogins.has(l)).map((login) => ({ ...alice, login, sources: ['api' as const] })), unknown };
  }
  async unwatch(login: string) {
    this.record('unwatch', login);
    return this.apiWatched.has(login);
  }
  async flows(q: Parameters<AudienceQueries['flows']>[0]) {
    this.record('flows', q);
    return flowsFor(q);
  }
  async moves(q: Parameters<AudienceQueries['moves']>[0]) {
    this.record('moves', q);
    // answers the per-user rows even when off: the routes must not pass them on then
    return MOVES;
  }
  async raids(q: Parameters<AudienceQueries['raids']>[0]) {
    this.record('raids', q);
    return RAIDS;
  }
  async overlap(q: Parameters<AudienceQueries['overlap']>[0]) {
    this.record('overlap', q);
    return { ...OVERLAP, days: q.days };
  }
  async ended(q: Parameters<AudienceQueries['ended']>[0]) {
    this.record('ended', q);
    return ENDED;
  }
  async map(q: { day?: string }) {
    this.record('map', q);
    return q.day === undefined ? this.maps.values().next().value : this.maps.get(q.day);
  }
}

async function serve(queries: AudienceQueries, rateLimitPerMinute: number): Promise<{ app: FastifyInstance; base: string }> {
  const app = await createWebServer({
    log: memoryLogger('warn').log,
    metrics: createMetrics(),
    bodyLimit: 64 * 1024,
    version: 'test',
    readiness: [],
    hosts: { listenHost: '127.0.0.1' },
  });
  await app.register(audienceRoutes, { queries, rateLimitPerMinute });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base };
}

let queries: RecordingQueries;
let server: { app: FastifyInstance; base: string };

before(async () => {
  queries = new RecordingQueries();
  server = await serve(queries, 0);
});
after(async () => {
  await server.app.close();
});
beforeEach(() => {
  queries.calls = [];
  queries.perUser = false;
});

async function get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(server.base + path);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

async function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(server.base + path, { method, headers: { origin: server.base, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** a 400 in the one error format whose message matches */
function assertBad(res: { status: number; body: any }, message: RegExp) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'bad_request');
  assert.match(res.body.error.message, message);
}

/** CSV text as rows of cells (RFC 4180: quoted cells may hold commas, quotes and line breaks) */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  assert.equal(cell, '', 'the CSV ends with a line break');
  return rows;
}

async function csv(path: string): Promise<string[][]> {
  const res = await get(path);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="lurk-audience-[A-Za-z0-9_.-]+\.csv"$/);
  return parseCsv(res.text);
}

describe('watched channels', () => {
  test('GET answers the service’s channels and settings, every field intact', async () => {
    const res = await get('/api/audience/channels');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, CHANNELS);
  });

  test('POST lower-cases, trims and de-duplicates the logins, and answers 201 with the channels added', async () => {
    const res = await send('POST', '/api/audience/channels', { logins: [' Alice ', 'ALICE', 'bob_2'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(queries.asked('watch'), [['alice', 'bob_2']]);
    assert.deepEqual(
      res.body.added.map((c: AudienceChannel) => c.login),
      ['alice', 'bob_2'],
    );
    assert.deepEqual(res.body.added[0], { ...alice, sources: ['api'] });
  });

  test('POST: logins Twitch does not know are a 404 naming them (and the ones watched all the same)', async () => {
    queries.unknownLogins = new Set(['ghost', 'nobody']);
    try {
      const some = await send('POST', '/api/audience/channels', { logins: ['ghost', 'alice', 'nobody'] });
      assert.equal(some.status, 404);
      assert.deepEqual(some.body, { error: { code: 'not_found', message: 'logins: no Twitch user ghost, nobody; the others are watched: alice' } });
      const none = await send('POST', '/api/audience/channels', { logins: ['ghost'] });
      assert.deepEqual(none.body, { error: { code: 'not_found', message: 'logins: no Twitch user ghost' } });
    } finally {
      queries.unknownLogins = new Set();
    }
  });

  test('POST: bad logins and counts are a 400 naming logins, and nothing is asked of the service', async () => {
    assertBad(await send('POST', '/api/audience/channels', { logins: ['alice', 'not a login'] }), /^logins: "not a login" is not a Twitch login/);
    assertBad(await send('POST', '/api/audience/channels', { logins: ['a'.repeat(26)] }), /^logins: "a{26}" is not a Twitch login/);
    assertBad(await send('POST', '/api/audience/channels', { logins: ['ünïcode'] }), /^logins: "ünïcode"/);
    assertBad(await send('POST', '/api/audience/channels', { logins: [''] }), /^logins: "" is not/);
    assertBad(await send('POST', '/api/audience/channels', { logins: [] }), /body\.logins must NOT have fewer than 1 items/);
    const many = Array.from({ length: 101 }, (_, i) => `user${i}`);
    assertBad(await send('POST', '/api/audience/channels', { logins: many }), /body\.logins must NOT have more than 100 items/);
    assertBad(await send('POST', '/api/audience/channels', {}), /body\.logins must have required property 'logins'/);
    assertBad(await send('POST', '/api/audience/channels', { logins: 'alice' }), /body\.logins must be array/);
    assert.deepEqual(queries.asked('watch'), []);
    // exactly 100 is fine
    assert.equal((await send('POST', '/api/audience/channels', { logins: many.slice(0, 100) })).status, 201);
  });

  test('DELETE stops watching a channel added by the API and answers the channels; one not watched so is a 404', async () => {
    const res = await send('DELETE', '/api/audience/channels/ALICE', {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, CHANNELS);
    assert.deepEqual(queries.asked('unwatch'), ['alice']);
    const missing = await send('DELETE', '/api/audience/channels/bob', {});
    assert.deepEqual(missing, { status: 404, body: { error: { code: 'not_found', message: 'login: bob is not watched through the API' } } });
    assertBad(await send('DELETE', '/api/audience/channels/no-such!', {}), /params\.login must match pattern/);
  });

  test('other origins may neither add nor remove; scripts without Origin may', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const add = await send('POST', '/api/audience/channels', { logins: ['alice'] }, headers);
      assert.equal(add.status, 403, JSON.stringify(headers));
      assert.equal(add.body.error.code, 'cross_origin');
      assert.equal((await send('DELETE', '/api/audience/channels/alice', {}, headers)).status, 403);
    }
    // a form post (not JSON) is refused before the body is read
    const form = await fetch(`${server.base}/api/audience/channels`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'logins=alice' });
    assert.equal(form.status, 415);
    assert.deepEqual(queries.calls, []);
    const script = await fetch(`${server.base}/api/audience/channels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"logins":["alice"]}' });
    assert.equal(script.status, 201);
  });
});

describe('flows', () => {
  test('defaults: direction out, the 24 hours up to Lurk’s now; the channel lower-cased', async () => {
    const res = await get('/api/audience/flows?channel=Alice');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(queries.asked('flows'), [{ channel: 'alice', direction: 'out', from: NOW - DAY, to: NOW }]);
    assert.deepEqual(res.body, flowsFor({ channel: 'alice', direction: 'out', from: NOW - DAY, to: NOW }));
  });

  test('ISO 8601 times, with an offset or a date alone; from alone is the 24 hours after it, to alone the 24 hours before it', async () => {
    await get('/api/audience/flows?channel=alice&direction=in&from=2026-11-20T08:00:00Z&to=2026-11-21T09:30:00%2B01:00');
    await get('/api/audience/flows?channel=alice&from=2026-11-28');
    await get('/api/audience/flows?channel=alice&from=2026-12-01T06:00:00.000Z');
    await get('/api/audience/flows?channel=alice&to=2026-11-25T00:00:00Z');
    assert.deepEqual(queries.asked('flows'), [
      { channel: 'alice', direction: 'in', from: Date.parse('2026-11-20T08:00:00Z'), to: Date.parse('2026-11-21T08:30:00Z') },
      { channel: 'alice', direction: 'out', from: Date.parse('2026-11-28T00:00:00Z'), to: Date.parse('2026-11-29T00:00:00Z') },
      // the 24 hours after from end after now: now it is
      { channel: 'alice', direction: 'out', from: Date.parse('2026-12-01T06:00:00Z'), to: NOW },
      { channel: 'alice', direction: 'out', from: Date.parse('2026-11-24T00:00:00Z'), to: Date.parse('2026-11-25T00:00:00Z') },
    ]);
  });

  test('bad input is a 400 naming the parameter, and the service is not asked', async () => {
    assertBad(await get('/api/audience/flows'), /querystring\.channel must have required property 'channel'/);
    assertBad(await get('/api/audience/flows?channel=al%20ice'), /querystring\.channel must match pattern/);
    assertBad(await get('/api/audience/flows?channel=alice&direction=up'), /querystring\.direction must be equal to one of the allowed values: out, in/);
    // epoch milliseconds are not taken (ISO 8601 only, as Mood's routes)
    assertBad(await get(`/api/audience/flows?channel=alice&from=${NOW - HOUR}`), /^from: "\d+" is not an ISO 8601 time/);
    assertBad(await get('/api/audience/flows?channel=alice&to=yesterday'), /^to: "yesterday" is not an ISO 8601 time/);
    assertBad(await get('/api/audience/flows?channel=alice&from=2026-02-30T00:00:00Z'), /^from: "2026-02-30T00:00:00Z" is not an ISO 8601 time/);
    assertBad(await get('/api/audience/flows?channel=alice&from=2026-13-01'), /^from: /);
    assertBad(await get(`/api/audience/flows?channel=alice&from=${'2026-11-01T00:00:00Z'.padEnd(41, '0')}`), /querystring\.from must NOT have more than 40 characters/);
    assertBad(await get('/api/audience/flows?channel=alice&from=2026-11-30T10:00:00Z&to=2026-11-30T10:00:00Z'), /^from: 2026-11-30T10:00:00\.000Z is not before to \(2026-11-30T10:00:00\.000Z\)/);
    assertBad(await get('/api/audience/flows?channel=alice&from=2026-12-02T00:00:00Z'), /^from: 2026-12-02T00:00:00\.000Z is not before to \(2026-12-01T12:00:00\.000Z\)/);
    assertBad(await get('/api/audience/flows?channel=alice&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:01Z'), /^from\/to: the period is 31\.0 days, more than 31/);
    assertBad(await get('/api/audience/flows?channel=alice&colour=red'), /querystring must NOT have additional properties/);
    assertBad(await get('/api/audience/flows?channel=alice&format=xml'), /querystring\.format must be equal to one of the allowed values: json, csv/);
    assert.deepEqual(queries.asked('flows'), []);
    // 31 days exactly is allowed
    assert.equal((await get('/api/audience/flows?channel=alice&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z')).status, 200);
  });

  test('CSV: one row per other channel, with from and to spelled out for either direction', async () => {
    assert.deepEqual(await csv('/api/audience/flows?channel=alice&format=csv'), [
      ['from_channel', 'to_channel', 'moves', 'organic', 'raid'],
      ['alice', 'bob', '5', '2', '3'],
      ['alice', 'carol', '2', '2', '0'],
    ]);
    const into = await csv('/api/audience/flows?channel=alice&direction=in&format=csv');
    assert.deepEqual(into.slice(1), [
      ['bob', 'alice', '5', '2', '3'],
      ['carol', 'alice', '2', '2', '0'],
    ]);
  });
});

describe('moves', () => {
  test('pairs only while per-user rows are off, even when the service answers rows', async () => {
    const res = await get('/api/audience/moves');
    assert.equal(res.status, 200, res.text);
    const { moves: _rows, ...aggregates } = MOVES;
    assert.deepEqual(res.body, aggregates);
    assert.equal('moves' in res.body, false);
    assert.deepEqual(queries.asked('moves'), [{ from: NOW - DAY, to: NOW, limit: 100 }]);
  });

  test('with per-user rows on, every field of the rows, evidence too', async () => {
    queries.perUser = true;
    const res = await get('/api/audience/moves?from_channel=ALICE&to_channel=bob&limit=1000&from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, MOVES);
    assert.deepEqual(queries.asked('moves'), [{ fromChannel: 'alice', toChannel: 'bob', from: Date.parse('2026-11-30T00:00:00Z'), to: Date.parse('2026-12-01T00:00:00Z'), limit: 1000 }]);
  });

  test('limit is 1 to 1000; channels are logins', async () => {
    assertBad(await get('/api/audience/moves?limit=0'), /querystring\.limit must be >= 1/);
    assertBad(await get('/api/audience/moves?limit=1001'), /querystring\.limit must be <= 1000/);
    assertBad(await get('/api/audience/moves?limit=2.5'), /querystring\.limit must be integer/);
    assertBad(await get('/api/audience/moves?limit=1e309'), /querystring\.limit must be a finite number/);
    assertBad(await get('/api/audience/moves?from_channel=a;b'), /querystring\.from_channel must match pattern/);
    assertBad(await get('/api/audience/moves?table=rows'), /querystring\.table must be equal to one of the allowed values: pairs, moves/);
    assert.deepEqual(queries.asked('moves'), []);
  });

  test('CSV: the pairs, or the per-user rows when they are on (a 404 naming table when they are off)', async () => {
    assert.deepEqual(await csv('/api/audience/moves?format=csv'), [
      ['from_channel', 'to_channel', 'moves', 'organic', 'raid', 'median_gap_seconds'],
      ['alice', 'bob', '5', '2', '3', '41.5'],
    ]);
    const off = await get('/api/audience/moves?format=csv&table=moves');
    assert.equal(off.status, 404);
    assert.match(off.body.error.message, /^table: per-user move rows are off/);
    queries.perUser = true;
    assert.deepEqual(await csv('/api/audience/moves?format=csv&table=moves'), [
      ['user', 'from_channel', 'to_channel', 'left_at', 'joined_at', 'cause', 'raid_id', 'evidence'],
      ['viewer_1', 'alice', 'bob', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:40.000Z', 'raid', 'raid-1', 'part alice 2026-12-01T10:00:00.000Z; chat bob 2026-12-01T10:00:40.000Z'],
    ]);
  });
});

describe('raids', () => {
  test('every field; channel optional and lower-cased; limit default 100', async () => {
    const res = await get('/api/audience/raids');
    assert.deepEqual(res.body, RAIDS);
    await get('/api/audience/raids?channel=Bob&limit=5&to=2026-11-30T00:00:00Z');
    assert.deepEqual(queries.asked('raids'), [
      { from: NOW - DAY, to: NOW, limit: 100 },
      { channel: 'bob', from: Date.parse('2026-11-29T00:00:00Z'), to: Date.parse('2026-11-30T00:00:00Z'), limit: 5 },
    ]);
    assertBad(await get('/api/audience/raids?limit=5000'), /querystring\.limit must be <= 1000/);
    assertBad(await get('/api/audience/raids?from=1700000000000'), /^from: "1700000000000" is not an ISO 8601 time/);
  });

  test('CSV: text is escaped and never read as a formula; empty for null', async () => {
    const res = await get('/api/audience/raids?format=csv');
    // the raw text: quoted, quotes doubled, the formula defused with a leading '
    assert.ok(res.text.includes(`"'=HYPERLINK(""http://evil.example"",""x""),\nnext"`), res.text);
    assert.deepEqual(parseCsv(res.text), [
      ['id', 'from_channel', 'to_channel', 'at', 'viewers', 'sources', 'raiders_seen', 'retained_10m', 'retained_30m'],
      [`'${NASTY}`, 'alice', 'bob', '2026-12-01T10:00:00.000Z', '120', 'eventsub chat', '80', '70', ''],
    ]);
  });
});

describe('overlap', () => {
  test('days 1, 3 or 7 (default 7), channel required', async () => {
    const res = await get('/api/audience/overlap?channel=ALICE');
    assert.deepEqual(res.body, OVERLAP);
    assert.equal((await get('/api/audience/overlap?channel=alice&days=3')).body.days, 3);
    await get('/api/audience/overlap?channel=alice&days=1');
    assert.deepEqual(queries.asked('overlap'), [
      { channel: 'alice', days: 7 },
      { channel: 'alice', days: 3 },
      { channel: 'alice', days: 1 },
    ]);
    assertBad(await get('/api/audience/overlap?channel=alice&days=2'), /querystring\.days must be equal to one of the allowed values: 1, 3, 7/);
    assertBad(await get('/api/audience/overlap?channel=alice&days=seven'), /querystring\.days must be integer/);
    assertBad(await get('/api/audience/overlap?days=7'), /querystring\.channel must have required property 'channel'/);
  });

  test('CSV: one row per other channel', async () => {
    assert.deepEqual(await csv('/api/audience/overlap?channel=alice&days=7&format=csv'), [
      ['channel', 'shared', 'share_of_channel', 'share_of_other', 'probability'],
      ['bob', '150', '0.15', '0.3', '0.5'],
    ]);
  });
});

describe('ended', () => {
  test('every field; channel optional; limit default 50', async () => {
    assert.deepEqual((await get('/api/audience/ended')).body, ENDED);
    await get('/api/audience/ended?channel=Alice&limit=3');
    assert.deepEqual(queries.asked('ended'), [{ limit: 50 }, { channel: 'alice', limit: 3 }]);
    assertBad(await get('/api/audience/ended?limit=-1'), /querystring\.limit must be >= 1/);
  });

  test('CSV: one row per destination; a stream whose viewers went nowhere seen keeps one row', async () => {
    assert.deepEqual(await csv('/api/audience/ended?format=csv'), [
      ['channel', 'ended_at', 'audience', 'followed', 'raid_share', 'final', 'destination', 'count', 'raid'],
      ['alice', '2026-12-01T11:00:00.000Z', '300', '90', '0.75', 'true', 'bob', '80', '70'],
      ['alice', '2026-12-01T11:00:00.000Z', '300', '90', '0.75', 'true', 'carol', '10', '0'],
      ['bob', '2026-12-01T11:50:00.000Z', '12', '0', '', 'false', '', '', ''],
    ]);
  });
});

describe('map', () => {
  test('the newest map by default, a day by YYYY-MM-DD, a JSON 404 when there is none', async () => {
    assert.deepEqual((await get('/api/audience/map')).body, MAP);
    assert.deepEqual((await get('/api/audience/map?day=2026-11-30')).body, MAP);
    const missing = await get('/api/audience/map?day=2026-11-01');
    assert.deepEqual(missing.body, { error: { code: 'not_found', message: 'day: no community map for 2026-11-01' } });
    assert.equal(missing.status, 404);
    assert.deepEqual(queries.asked('map'), [{}, { day: '2026-11-30' }, { day: '2026-11-01' }]);
    queries.maps.clear();
    try {
      const none = await get('/api/audience/map');
      assert.equal(none.status, 404);
      assert.match(none.body.error.message, /^day: no community map yet/);
    } finally {
      queries.maps.set(MAP.day, MAP);
    }
  });

  test('bad days are a 400 naming day', async () => {
    assertBad(await get('/api/audience/map?day=30-11-2026'), /querystring\.day must match pattern/);
    assertBad(await get('/api/audience/map?day=2026-11-30T00:00:00Z'), /querystring\.day must match pattern/);
    assertBad(await get('/api/audience/map?day=2026-02-29'), /^day: "2026-02-29" is not a day of the calendar/);
    assertBad(await get('/api/audience/map?day=2026-00-10'), /^day: /);
    assert.deepEqual(queries.asked('map'), []);
    assert.equal((await get('/api/audience/map?day=2028-02-29')).status, 404, 'a leap day is a day');
  });

  test('CSV: the edges, or the nodes (negative coordinates stay numbers)', async () => {
    assert.deepEqual(await csv('/api/audience/map?format=csv'), [
      ['source', 'target', 'shared', 'weight'],
      ['alice', 'bob', '150', '0.3'],
    ]);
    assert.deepEqual(await csv('/api/audience/map?day=2026-11-30&format=csv&table=nodes'), [
      ['channel', 'audience', 'community', 'x', 'y'],
      ['alice', '1000', '0', '-0.25', '1.5'],
      ['bob', '500', '1', '0.75', '-2'],
    ]);
  });
});

describe('the API around the routes', () => {
  test('every route is in the OpenAPI document with its parameters and response schema', async () => {
    const doc = (await get('/api/openapi.json')).body;
    const paths = [
      ['/api/audience/channels', 'get'],
      ['/api/audience/channels', 'post'],
      ['/api/audience/channels/{login}', 'delete'],
      ['/api/audience/flows', 'get'],
      ['/api/audience/moves', 'get'],
      ['/api/audience/raids', 'get'],
      ['/api/audience/overlap', 'get'],
      ['/api/audience/ended', 'get'],
      ['/api/audience/map', 'get'],
    ] as const;
    for (const [path, method] of paths) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path}`);
      assert.deepEqual(op.tags, ['audience']);
      const ok = op.responses[method === 'post' ? '201' : '200'];
      assert.ok(ok.content['application/json'].schema.properties, `${method} ${path} has a response schema`);
      assert.ok(op.responses['400'] || path === '/api/audience/channels', `${method} ${path} documents its 400`);
    }
    const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name);
    assert.deepEqual(param('/api/audience/flows', 'direction').schema.enum, ['out', 'in']);
    assert.equal(param('/api/audience/flows', 'channel').required, true);
    assert.equal(param('/api/audience/moves', 'limit').schema.maximum, 1000);
    assert.deepEqual(param('/api/audience/overlap', 'days').schema.enum, [1, 3, 7]);
    assert.deepEqual(param('/api/audience/raids', 'format').schema.enum, ['json', 'csv']);
    assert.ok(param('/api/audience/map', 'day').schema.pattern);
    const post = doc.paths['/api/audience/channels'].post;
    assert.equal(post.requestBody.content['application/json'].schema.properties.logins.maxItems, 100);
    assert.ok(post.responses['403'], 'the origin refusal is documented');
    const moves = doc.paths['/api/audience/moves'].get.responses['200'].content['application/json'].schema;
    assert.ok(moves.properties.moves.items.properties.evidence);
  });

  test('the rate limit answers 429 in the one error format, with Retry-After', async () => {
    const limited = await serve(new RecordingQueries(), 2);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await fetch(`${limited.base}/api/audience/raids`)).status, 200);
      const res = await fetch(`${limited.base}/api/audience/map`);
      assert.equal(res.status, 429);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'rate_limited');
    } finally {
      await limited.app.close();
    }
  });

  test('a failing service is a 500 that reveals nothing', async () => {
    const failing = new RecordingQueries();
    failing.raids = async () => {
      throw new Error('database is on fire at /var/lib/secret');
    };
    const s = await serve(failing, 0);
    try {
      const res = await fetch(`${s.base}/api/audience/raids`);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: { code: 'internal_error', message: 'Something went wrong on the server; the details are in its log.' } });
    } finally {
      await s.app.close();
    }
  });
});

describe('through the full app', () => {
  /** the two live channels with most viewers among rooms small enough for JOIN/PART (under 1,000) */
  function twoLive(sim: Simulator): [string, string] {
    const live = [...sim.world.liveChannelList()]
      .filter((c) => sim.world.viewersNow(c) >= 30 && sim.world.viewersNow(c) < 600)
      .sort((x, y) => sim.world.viewersNow(y) - sim.world.viewersNow(x) || x - y);
    if (live.length < 2) throw new Error('the world has too few live channels of a fitting size');
    return [sim.world.login(live[0]!), sim.world.login(live[1]!)];
  }
  const userId = (sim: Simulator, login: string) => sim.world.userId(sim.world.userByLogin(login)!);

  test('a real Lurk on the simulator: channels watched over HTTP, a raid between them answered by raids, flows and moves with their default period on Lurk’s clock, and as CSV', async () => {
    const db = await tempSqlite();
    // 10 simulated seconds a second: the engine's warm-up passes quickly, and Lurk's clock runs
    // ahead of the wall, so a default period taken from the wall clock would miss what was counted;
    // no rate limit: the polls below ask more often than 120 times a minute (it is tested above)
    const env = { DATABASE_URL: db.url, LURK_DIGEST_DIR: 'off', LURK_SIM_SPEED: '10', LURK_AUDIENCE_TOP: '0', LURK_AUDIENCE_LINGER_SECONDS: '120', LURK_API_RATE_LIMIT: '0' };
    const lurk = await createLurk(testConfig(env), { log: memoryLogger('warn').log, sweep: true });
    try {
      const base = await lurk.start();
      const sim = lurk.simulator!;
      const [a, b] = twoLive(sim);
      const at = (path: string) => fetch(base + path).then(async (res) => ({ status: res.status, text: await res.text(), headers: res.headers }));
      const json = async (path: string) => {
        const res = await at(path);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        return JSON.parse(res.text);
      };
      const post = await fetch(`${base}/api/audience/channels`, {
        method: 'POST',
        headers: { origin: base, 'content-type': 'application/json' },
        body: JSON.stringify({ logins: [a.toUpperCase(), b] }),
      });
      assert.equal(post.status, 201);
      assert.deepEqual(((await post.json()) as { added: AudienceChannel[] }).added.map((c) => c.login).sort(), [a, b].sort());
      const unknown = await fetch(`${base}/api/audience/channels`, {
        method: 'POST',
        headers: { origin: base, 'content-type': 'application/json' },
        body: JSON.stringify({ logins: ['no_such_user_here'] }),
      });
      assert.equal(unknown.status, 404);
      const watchedAt = lurk.clock.now();
      await waitFor(
        'both rooms joined',
        async () => ((await json('/api/audience/channels')).channels.filter((c: AudienceChannel) => c.chat.state === 'joined').length === 2 ? true : undefined),
        30_000,
      );
      // past the warm-up: arrivals in B are no longer baseline
      await clockPasses(lurk, watchedAt + 150_000, 60_000);
      const raidAt = lurk.clock.now();
      const trigger = await fetch(`${sim.address.httpUrl}/_sim/trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'channel.raid', broadcaster_user_id: userId(sim, a), to_broadcaster_user_id: userId(sim, b) }),
      });
      assert.equal(trigger.status, 200);
      const { event_id: eventId } = (await trigger.json()) as { event_id: string };
      const truth = await fetch(`${sim.address.httpUrl}/_sim/truth/events?type=channel.raid&from=${new Date(raidAt - HOUR).toISOString()}&to=${new Date(raidAt + HOUR).toISOString()}`);
      const event = ((await truth.json()) as { events: { id: string; viewers: number }[] }).events.find((e) => e.id === eventId);
      assert.ok(event && event.viewers > 0, `the world raided (event ${eventId})`);

      // the default period: the 24 hours up to Lurk's now (the world may raid A → B by itself too:
      // this raid is the one that came after the trigger)
      const raid = await waitFor(
        'the raid in GET /api/audience/raids',
        async () => (await json(`/api/audience/raids?channel=${b}`)).raids.find((r: RaidRow) => r.from_channel === a && Date.parse(r.at) >= raidAt - 5000 && r.raiders_seen > 0) as RaidRow | undefined,
        60_000,
        200,
      );
      assert.equal(raid.to_channel, b);
      assert.equal(raid.viewers, event.viewers, 'the viewers Twitch reported');
      assert.ok(Math.abs(Date.parse(raid.at) - raidAt) < 60_000, `raid at ${raid.at}, triggered at ${new Date(raidAt).toISOString()}`);
      const flow = await waitFor(
        'raid moves in GET /api/audience/flows',
        async () => (await json(`/api/audience/flows?channel=${a}`)).flows.find((f: FlowRow) => f.channel === b && f.raid > 0) as FlowRow | undefined,
        60_000,
        200,
      );
      assert.equal(flow.moves, flow.raid + flow.organic);
      const moves = await json(`/api/audience/moves?from_channel=${a}&to_channel=${b}`);
      assert.equal('moves' in moves, false, 'per-user rows are off by default');
      assert.ok(moves.pairs.find((p: MovePairRow) => p.to_channel === b)?.raid >= flow.raid);

      const csvRaids = await at(`/api/audience/raids?channel=${b}&format=csv`);
      assert.match(csvRaids.headers.get('content-type') ?? '', /^text\/csv/);
      const row = parseCsv(csvRaids.text).find((r) => r[0] === raid.id);
      assert.deepEqual(row?.slice(1, 5), [a, b, raid.at, String(raid.viewers)]);
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });
});
