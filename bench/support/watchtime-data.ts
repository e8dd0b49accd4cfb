// Deterministic Watch time data for bench/watchtime.bench.ts: whole sweeps of Helix streams
// (heavy-tailed viewers, games by Zipf), and 30 days of rollup rows shaped like Twitch
// (lognormal channel popularity, the popular streaming more often, games by Zipf).
import type { HelixStream } from '../../src/twitch/helix.external.js';
import { mulberry32 } from './streams.js';

export type Rng = () => number;

export function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** ranks 0..n-1 drawn with weight 1 / (rank + 1)^s */
export class Zipf {
  private readonly cumulative: Float64Array;
  constructor(n: number, s: number) {
    this.cumulative = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) this.cumulative[i] = sum += 1 / (i + 1) ** s;
    for (let i = 0; i < n; i++) this.cumulative[i]! /= sum;
  }
  draw(rng: Rng): number {
    const u = rng();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export const GAMES = 3000;
const WORDS = ['Just', 'Chatting', 'League', 'Legends', 'Minecraft', 'Café', 'Simulator', 'Pokémon', 'Valorant', 'Chess', 'Art', 'Music', 'Souls', 'Kart', 'Quest', 'Ñandú', 'Tactics', 'Legacy'];

export const gameId = (g: number) => String(10_000 + g);
export const gameName = (g: number) => `${WORDS[g % WORDS.length]} ${WORDS[Math.floor(g / WORDS.length) % WORDS.length]} ${g}`;
// nine digits for any index below 900M, so text order is numeric order (rows go in key order)
export const userId = (c: number) => String(100_000_000 + c);
export const login = (c: number) => `streamer_${c}`;

/** Heavy-tailed like Twitch: about half the streams have 0 or 1 viewer, a few have 100k+. */
function viewers(rng: Rng): number {
  const u = rng();
  return u < 0.4 ? 0 : u < 0.55 ? 1 : Math.min(400_000, Math.floor((1 - rng()) ** -1.5));
}

/** One sweep of `n` live streams, ordered as Helix serves them (most viewers first). */
export function sweepStreams(n: number, startedBefore: number, seed = 7): HelixStream[] {
  const rng = mulberry32(seed);
  const zipf = new Zipf(GAMES, 1.1);
  const streams = Array.from({ length: n }, (_, i): HelixStream => {
    const g = zipf.draw(rng);
    return {
      id: String(40_000_000_000 + i),
      user_id: userId(i),
      user_login: login(i),
      user_name: `Streamer_${i}`,
      game_id: gameId(g),
      game_name: gameName(g),
      type: 'live',
      title: `stream ${i}`,
      viewer_count: viewers(rng),
      started_at: new Date(startedBefore - Math.floor(rng() * 6 * 3600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      language: 'en',
      thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${login(i)}-{width}x{height}.jpg`,
      tag_ids: [],
      tags: [],
      is_mature: false,
    };
  });
  return streams.sort((a, b) => b.viewer_count - a.viewer_count);
}

/** The same streams a sweep later: counts drift a few per cent, one in a thousand changes game. */
export function nextSweep(prev: readonly HelixStream[], rng: Rng, zipf = new Zipf(GAMES, 1.1)): HelixStream[] {
  return prev
    .map((s) => {
      const v = s.viewer_count === 0 ? (rng() < 0.05 ? 1 : 0) : Math.max(0, Math.round(s.viewer_count * (1 + 0.04 * normal(rng))));
      if (rng() < 0.001) {
        const g = zipf.draw(rng);
        return { ...s, viewer_count: v, game_id: gameId(g), game_name: gameName(g) };
      }
      return { ...s, viewer_count: v };
    })
    .sort((a, b) => b.viewer_count - a.viewer_count);
}

// ---------------------------------------------------------------- 30 days of rollups

export interface Measures {
  hoursWatched: Float64Array;
  hoursStreamed: Float64Array;
  peakViewers: Int32Array;
  streams: Int32Array;
}

export interface RollupDay {
  day: string;
  /** rows in primary-key order (user, then game) */
  channelGame: Measures & { user: Int32Array; game: Int32Array; length: number };
  channel: Measures & { user: Int32Array; length: number };
  game: Measures & { game: Int32Array; peakChannels: Int32Array; length: number };
  total: { hoursWatched: number; hoursStreamed: number; peakViewers: number; streams: number; peakChannels: number; hoursCovered: number };
}

export interface RollupShape {
  channels: number;
  /** mean channels live on a day */
  activePerDay: number;
  days: number;
  firstDay: string;
}

function measures(n: number): Measures {
  return { hoursWatched: new Float64Array(n), hoursStreamed: new Float64Array(n), peakViewers: new Int32Array(n), streams: new Int32Array(n) };
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Day after day of rollup rows; the same shape and seed give the same rows. */
export function* rollupDays(shape: RollupShape, seed = 11): Generator<RollupDay> {
  const rng = mulberry32(seed);
  const zipf = new Zipf(GAMES, 1.1);
  const n = shape.channels;
  const appeal = new Float64Array(n);
  const mainGame = new Int32Array(n);
  const chance = new Float64Array(n);
  let sum = 0;
  for (let c = 0; c < n; c++) {
    // mean viewers while live: most channels draw a viewer or two, a few draw tens of thousands
    appeal[c] = Math.exp(-0.3 + 2.2 * normal(rng));
    mainGame[c] = zipf.draw(rng);
    // the popular stream most days, the rest now and then
    sum += chance[c] = 0.25 + 0.08 * Math.log1p(appeal[c]!);
  }
  const scale = shape.activePerDay / sum;
  for (let c = 0; c < n; c++) chance[c] = Math.min(0.95, chance[c]! * scale);

  for (let d = 0; d < shape.days; d++) {
    const cg = {
      ...measures(Math.ceil(shape.activePerDay * 1.6) + 1000),
      user: new Int32Array(Math.ceil(shape.activePerDay * 1.6) + 1000),
      game: new Int32Array(Math.ceil(shape.activePerDay * 1.6) + 1000),
      length: 0,
    };
    const ch = { ...measures(Math.ceil(shape.activePerDay * 1.2) + 1000), user: new Int32Array(Math.ceil(shape.activePerDay * 1.2) + 1000), length: 0 };
    const gHours = measures(GAMES);
    const gChannels = new Int32Array(GAMES);
    const total = { hoursWatched: 0, hoursStreamed: 0, peakViewers: 0, streams: 0, peakChannels: 0, hoursCovered: 24 };
    for (let c = 0; c < n; c++) {
      if (rng() >= chance[c]!) continue;
      if (ch.length === ch.user.length || cg.length + 3 > cg.user.length) break; // a very unlucky day: cap it
      const hs = Math.min(20, Math.max(0.25, Math.exp(Math.log(3.5) + 0.5 * normal(rng))));
      const avg = appeal[c]! * Math.exp(0.35 * normal(rng));
      const peak = Math.ceil(avg * (1.2 + 0.5 * rng()));
      const u = rng();
      const games = [mainGame[c]!];
      if (u > 0.75) games.push(zipf.draw(rng));
      if (u > 0.95) games.push(zipf.draw(rng));
      const unique = [...new Set(games)].sort((a, b) => a - b);
      const shares = unique.map(() => 0.2 + rng());
      const shareSum = shares.reduce((a, b) => a + b, 0);
      const i = ch.length++;
      ch.user[i] = c;
      ch.hoursStreamed[i] = hs;
      ch.hoursWatched[i] = avg * hs;
      ch.peakViewers[i] = peak;
      ch.streams[i] = 1;
      for (const [k, g] of unique.entries()) {
        const j = cg.length++;
        const share = shares[k]! / shareSum;
        cg.user[j] = c;
        cg.game[j] = g;
        cg.hoursStreamed[j] = hs * share;
        cg.hoursWatched[j] = avg * hs * share;
        cg.peakViewers[j] = peak;
        cg.streams[j] = 1;
        gHours.hoursWatched[g]! += avg * hs * share;
        gHours.hoursStreamed[g]! += hs * share;
        gHours.peakViewers[g]! += Math.ceil(avg * share * 1.3);
        gHours.streams[g]!++;
        gChannels[g]!++;
      }
      total.hoursWatched += avg * hs;
      total.hoursStreamed += hs;
      total.peakViewers += Math.ceil(avg * 0.2);
      total.streams++;
    }
    total.peakChannels = Math.ceil(total.streams * 0.3);
    const liveGames = [...gChannels.keys()].filter((g) => gChannels[g]! > 0);
    const game = { ...measures(liveGames.length), game: Int32Array.from(liveGames), peakChannels: new Int32Array(liveGames.length), length: liveGames.length };
    for (const [i, g] of liveGames.entries()) {
      game.hoursWatched[i] = gHours.hoursWatched[g]!;
      game.hoursStreamed[i] = gHours.hoursStreamed[g]!;
      game.peakViewers[i] = gHours.peakViewers[g]!;
      game.streams[i] = gHours.streams[g]!;
      game.peakChannels[i] = Math.ceil(gChannels[g]! * 0.4);
    }
    yield { day: addDays(shape.firstDay, d), channelGame: cg, channel: ch, game, total };
  }
}
