// The simulated Twitch's fixed vocabulary: games, languages, tags, title and name parts.
// Written for Lurk; real game titles are used as category names only, as Twitch lists them.
import { Random, hash32 } from './random.js';

export interface Game {
  id: string;
  name: string;
  boxArtUrl: string;
  igdbId: string;
}

// The head of the catalogue, most popular first (popularity is Zipf by position).
const KNOWN_GAMES: [string, string][] = [
  ['509658', 'Just Chatting'],
  ['21779', 'League of Legends'],
  ['32982', 'Grand Theft Auto V'],
  ['516575', 'VALORANT'],
  ['32399', 'Counter-Strike'],
  ['33214', 'Fortnite'],
  ['27471', 'Minecraft'],
  ['29595', 'Dota 2'],
  ['18122', 'World of Warcraft'],
  ['511224', 'Apex Legends'],
  ['1095275650', "Baldur's Gate 3"],
  ['512710', 'Call of Duty: Warzone'],
  ['490100', 'Lost Ark'],
  ['26936', 'Music'],
  ['509660', 'Art'],
  ['518203', 'Sports'],
  ['493057', "PLAYERUNKNOWN'S BATTLEGROUNDS"],
  ['460630', "Tom Clancy's Rainbow Six Siege"],
  ['491931', 'Escape from Tarkov'],
  ['513143', 'Teamfight Tactics'],
  ['138585', 'Hearthstone'],
  ['21465', 'Overwatch 2'],
  ['417752', 'Talk Shows & Podcasts'],
  ['509663', 'Special Events'],
  ['65632', 'DayZ'],
  ['491487', 'Dead by Daylight'],
  ['1469308723', 'Software and Game Development'],
  ['509672', 'Makers & Crafting'],
  ['66082', 'Games + Demos'],
  ['490377', 'Sea of Thieves'],
  ['1745202732', 'Elden Ring'],
  ['263490', 'Rust'],
  ['497057', 'Destiny 2'],
  ['18846', "Garry's Mod"],
  ['506415', "Sid Meier's Civilization VI"],
  ['493244', 'Pokémon Scarlet and Violet'],
  ['1119981917', 'Pokémon Legends: Arceus'],
  ['490422', "Marvel's Spider-Man 2"],
  ['515025', "Assassin's Creed Valhalla"],
  ['30921', 'Rocket League'],
  ['490744', 'Stardew Valley'],
  ['1597075226', 'Palworld'],
  ['2083076089', 'Helldivers 2'],
  ['504462', 'Old School RuneScape'],
  ['459931', 'Old School RuneScape Mobile'],
  ['369574', "Five Nights at Freddy's"],
  ['10229', 'Ōkami HD'],
  ['1678052513', 'Café Owner Simulator'],
  ['506438', 'Slay the Spire'],
  ['488552', 'Overwatch'],
  ['491115', 'Paladins'],
  ['512953', 'Elden Ring: Shadow of the Erdtree'],
  ['1833694612', 'Balatro'],
  ['515024', 'Diablo IV'],
  ['1230', 'Chess'],
  ['509670', 'Science & Technology'],
  ['1469308724', 'ASMR'],
  ['516086', 'Phasmophobia'],
  ['511399', 'Among Us'],
  ['27546', 'World of Tanks'],
  ['490292', 'Dark Souls III'],
  ['497078', 'Sekiro: Shadows Die Twice'],
  ['19619', 'The Legend of Zelda: Ocarina of Time'],
  ['1229', 'Super Mario 64'],
  ['12924', 'Warcraft III'],
  ['490422001', 'Tom Clancy’s The Division 2'],
  ['29452', 'Virtual Casino'],
  ['509667', 'Food & Drink'],
  ['509671', 'Fitness & Health'],
  ['509673', 'Travel & Outdoors'],
];

const PREFIXES = ['Shadows of', 'Legends of', 'Tales of', 'Echoes of', 'Chronicles of', 'Rise of', 'Fall of', 'Heart of', 'Call of', 'Dawn of', 'Rhapsody of', 'Secrets of'];
const PLACES = [
  'Valdûr',
  'Ashenmoor',
  'Eldoria',
  'Kéroth',
  'the Void',
  'Nightfall',
  'Brightwater',
  'Sølheim',
  'Orrin’s Reach',
  'Mirewood',
  'Ironhold',
  'Zénith',
  'the Deep',
  'Starfall',
  'Hollowmere',
  'Córdova',
  'Frostpeak',
  'Aurelia',
];
const SIMS = ['Farming', 'Truck', 'Bus', 'PC Building', 'House Flipper', 'Train', 'Airport', 'Pizza', 'Supermarket', 'Powerwash', 'Gas Station', 'Lighthouse', 'Café', 'Bakery', 'Hotel', 'Zoo'];
const NOUNS = ['Kingdom', 'Dungeon', 'Galaxy', 'Odyssey', 'Frontier', 'Arena', 'Empire', 'Rally', 'Outpost', 'Saga', 'Crusade', 'Harbor', 'Circuit', 'Colony', 'Requiem', 'Tactics'];
const ADJECTIVES = ['Super', 'Mega', 'Hyper', 'Tiny', 'Eternal', 'Broken', 'Lucky', 'Silent', 'Neon', 'Golden', 'Crimson', 'Wild', 'Lost', 'Final', 'Infinite', 'Pixel'];
const SUFFIXES = ['', '', ' II', ' III', ' 2', ' Remastered', ': Definitive Edition', " Director's Cut", ' Online', ' Deluxe', ' Reborn', ' 64'];

/** About 500 games: the well-known head, then generated names with apostrophes and accents. */
export function buildGames(count = 500): Game[] {
  const games: Game[] = [];
  const names = new Set<string>();
  for (const [id, name] of KNOWN_GAMES.slice(0, count)) {
    games.push(game(id, name, games.length));
    names.add(name);
  }
  const rng = new Random(0x6a3e5, 7); // the catalogue is the same for every world seed
  while (games.length < count) {
    let name: string;
    switch (rng.int(5)) {
      case 0:
        name = `${rng.pick(PREFIXES)} ${rng.pick(PLACES)}${rng.pick(SUFFIXES)}`;
        break;
      case 1:
        name = `${rng.pick(SIMS)} Simulator${rng.chance(0.4) ? ` ${2019 + rng.int(8)}` : ''}`;
        break;
      case 2:
        name = `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}${rng.pick(SUFFIXES)}`;
        break;
      case 3:
        name = `${rng.pick(PLACES)}'s ${rng.pick(NOUNS)}${rng.pick(SUFFIXES)}`;
        break;
      default:
        name = `${rng.pick(NOUNS)} of ${rng.pick(PLACES)}: ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
    }
    if (names.has(name)) continue;
    names.add(name);
    games.push(game(String(600_000 + games.length * 7919), name, games.length));
  }
  return games;
}

function game(id: string, name: string, index: number): Game {
  return {
    id,
    name,
    boxArtUrl: `https://static-cdn.jtvnw.net/ttv-boxart/${id}-{width}x{height}.jpg`,
    igdbId: index % 9 === 4 ? '' : String(1000 + ((hash32(index, 77) % 250_000) >>> 0)),
  };
}

/** Broadcast languages with rough shares of live channels (English dominant). */
export const LANGUAGES: [string, number][] = [
  ['en', 46],
  ['es', 11],
  ['de', 7],
  ['pt', 7],
  ['ru', 5],
  ['fr', 5],
  ['ja', 4],
  ['ko', 3],
  ['it', 3],
  ['zh', 2],
  ['pl', 2],
  ['tr', 1.5],
  ['other', 1.5],
  ['nl', 1],
  ['sv', 0.5],
  ['ar', 0.5],
];

const LANGUAGE_TAGS: Record<string, string> = {
  en: 'English',
  es: 'Español',
  de: 'Deutsch',
  pt: 'Português',
  ru: 'Русский',
  fr: 'Français',
  ja: '日本語',
  ko: '한국어',
  it: 'Italiano',
  zh: '中文',
  pl: 'Polski',
  tr: 'Türkçe',
  nl: 'Nederlands',
  sv: 'Svenska',
  ar: 'العربية',
};

const TAGS = [
  'chill',
  'competitive',
  'speedrun',
  'NoBackseating',
  'FirstPlaythrough',
  'Chatting',
  'cozy',
  'LGBTQIAPlus',
  'Ranked',
  'Casual',
  'Funny',
  'Educational',
  'vtuber',
  'DropsEnabled',
  'Blind',
  'Hardcore',
  'challenge',
  'community',
  'Retro',
  'Horror',
  'Rust',
  'music',
  'IRL',
  'coding',
  'Variety',
];

export function tagsFor(rng: Random, language: string): string[] {
  const tags: string[] = [];
  const languageTag = LANGUAGE_TAGS[language];
  if (languageTag && rng.chance(0.8)) tags.push(languageTag);
  const n = rng.int(4);
  for (let i = 0; i < n; i++) {
    const t = rng.pick(TAGS);
    if (!tags.includes(t)) tags.push(t);
  }
  return tags;
}

const TITLE_OPENERS = [
  'Day',
  'Road to',
  'First time playing',
  'Chill',
  'Late night',
  'Morning',
  'Sunday',
  'Grinding',
  'Blind playthrough of',
  'Learning',
  'Ranked',
  'Cozy',
  'Just vibing with',
  '!drops',
  'Trying',
  'Back with',
];
const TITLE_ENDINGS = ['| !discord', '— come hang out', '(no backseating pls)', "let's go!!", '| !socials', '💜', '🔴 LIVE', '#ad', 'w/ chat', '— café & chill', "I'm so back", '| day 1 of 100', ''];

export function titleFor(rng: Random, gameName: string): string {
  const opener = rng.pick(TITLE_OPENERS);
  const day = opener === 'Day' ? ` ${1 + rng.int(400)}` : '';
  const subject = rng.chance(0.6) ? ` ${gameName}` : '';
  return `${opener}${day}${subject} ${rng.pick(TITLE_ENDINGS)}`.trim().slice(0, 140);
}

const SYLLABLES = [
  'ka',
  'ri',
  'mo',
  'zu',
  'ne',
  'ta',
  'lo',
  'vi',
  'sa',
  'pe',
  'ko',
  'mi',
  'ra',
  'shi',
  'do',
  'na',
  'el',
  'an',
  'or',
  'us',
  'ix',
  'qua',
  'ben',
  'tor',
  'lyn',
  'dax',
  'fen',
  'gil',
  'hal',
  'jor',
];
const WORDS = [
  'sandy',
  'pixel',
  'shadow',
  'cozy',
  'night',
  'frost',
  'lucky',
  'toast',
  'mango',
  'noodle',
  'sleepy',
  'turbo',
  'velvet',
  'crispy',
  'echo',
  'lunar',
  'panda',
  'rogue',
  'salty',
  'tiny',
  'waffle',
  'zen',
  'blaze',
  'cactus',
  'dizzy',
  'ember',
  'fizzy',
  'gamer',
  'honey',
  'indigo',
];

/**
 * A unique, real-looking login for user `index`, derived (not stored) from the index: the
 * base-36 index at the end keeps every login distinct.
 */
export function loginFor(index: number): string {
  const h = hash32(index, 0x10f1);
  let base: string;
  switch (h % 4) {
    case 0:
      base = WORDS[h % WORDS.length]! + WORDS[(h >>> 8) % WORDS.length]!;
      break;
    case 1:
      base = SYLLABLES[(h >>> 4) % SYLLABLES.length]! + SYLLABLES[(h >>> 9) % SYLLABLES.length]! + SYLLABLES[(h >>> 14) % SYLLABLES.length]!;
      break;
    case 2:
      base = `${WORDS[(h >>> 3) % WORDS.length]!}_${SYLLABLES[(h >>> 11) % SYLLABLES.length]!}`;
      break;
    default:
      base = `the${WORDS[(h >>> 6) % WORDS.length]!}${SYLLABLES[(h >>> 12) % SYLLABLES.length]!}`;
  }
  return `${base}${index.toString(36)}`.slice(0, 25);
}

/** Display name: the login with some letters capitalised, as streamers style theirs. */
export function displayNameFor(index: number): string {
  const login = loginFor(index);
  const h = hash32(index, 0xd15);
  if (h % 3 === 0) return login;
  return login
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('_');
}

/** Parses the base-36 index back out of a simulated login; undefined if it is not one. */
export function indexFromLogin(login: string, candidates: (index: number) => boolean): number | undefined {
  // the suffix is 1-4 base-36 chars; try each split from the longest
  for (let len = Math.min(5, login.length - 1); len >= 1; len--) {
    const idx = parseInt(login.slice(-len), 36);
    if (Number.isFinite(idx) && candidates(idx) && loginFor(idx) === login) return idx;
  }
  return undefined;
}
