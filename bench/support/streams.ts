// Deterministic Helix-shaped streams for benches: heavy-tailed viewers, many with none.
import { mulberry32 } from '../../src/core/random.js';
import type { HelixStream } from '../../src/twitch/helix.external.js';

// the one generator, Lurk's own (src/core/random.ts); re-exported for the benches and tests that import it from here
export { mulberry32 };

const GAMES = ['Just Chatting', "Baldur's Gate 3", 'Minecraft', 'Pokémon Scarlet and Violet', 'Café Owner Simulator', 'VALORANT', 'Chess', 'Art'];
const LANGUAGES = ['en', 'en', 'en', 'es', 'de', 'pt', 'fr', 'ja'];

export function benchStreams(count: number, seed = 1): HelixStream[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const g = Math.floor(random() * GAMES.length);
    const u = random();
    const viewers = u < 0.55 ? 0 : u < 0.7 ? 1 : Math.floor(1 / (1 - random()) ** 1.6);
    const login = `streamer${i}`;
    return {
      id: String(40_000_000_000 + i),
      user_id: String(100_000 + i),
      user_login: login,
      user_name: `Streamer${i}`,
      game_id: String(1000 + g),
      game_name: GAMES[g]!,
      type: 'live' as const,
      title: `Day ${i % 400} of ${GAMES[g]} — chill & café vibes`,
      viewer_count: viewers,
      started_at: new Date(Date.UTC(2026, 10, 22, 10) + Math.floor(random() * 3_600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      language: LANGUAGES[Math.floor(random() * LANGUAGES.length)]!,
      thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${login}-{width}x{height}.jpg`,
      tag_ids: [],
      tags: ['English', 'chill'],
      is_mature: false,
    };
  });
}
