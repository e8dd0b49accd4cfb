// Lurk's own labelled chat bank: phrases and emotes written for the simulator, each with a
// sentiment label, so every generated message carries its ground-truth label.
import type { Random } from './random.js';

export type Sentiment = 'positive' | 'neutral' | 'negative';

export interface Emote {
  id: string;
  code: string;
  sentiment: Sentiment;
}

// Global Twitch emotes (ids as Twitch serves them) with the feeling chat uses them for.
export const EMOTES: Emote[] = [
  { id: '305954156', code: 'PogChamp', sentiment: 'positive' },
  { id: '41', code: 'Kreygasm', sentiment: 'positive' },
  { id: '425618', code: 'LUL', sentiment: 'positive' },
  { id: '64138', code: 'SeemsGood', sentiment: 'positive' },
  { id: '30259', code: 'HeyGuys', sentiment: 'positive' },
  { id: '81274', code: 'VoHiYo', sentiment: 'positive' },
  { id: '354', code: '4Head', sentiment: 'positive' },
  { id: '114836', code: 'Jebaited', sentiment: 'positive' },
  { id: '9', code: '<3', sentiment: 'positive' },
  { id: '25', code: 'Kappa', sentiment: 'neutral' },
  { id: '123171', code: 'CoolStoryBob', sentiment: 'neutral' },
  { id: '28087', code: 'WutFace', sentiment: 'neutral' },
  { id: '86', code: 'BibleThump', sentiment: 'negative' },
  { id: '245', code: 'ResidentSleeper', sentiment: 'negative' },
  { id: '58765', code: 'NotLikeThis', sentiment: 'negative' },
  { id: '33', code: 'DansGame', sentiment: 'negative' },
  { id: '360', code: 'FailFish', sentiment: 'negative' },
  { id: '22639', code: 'BabyRage', sentiment: 'negative' },
  { id: '36', code: 'PJSalt', sentiment: 'negative' },
  { id: '34', code: 'SwiftRage', sentiment: 'negative' },
];

const EMOTES_BY: Record<Sentiment, Emote[]> = {
  positive: EMOTES.filter((e) => e.sentiment === 'positive'),
  neutral: EMOTES.filter((e) => e.sentiment === 'neutral'),
  negative: EMOTES.filter((e) => e.sentiment === 'negative'),
};

// {g} is replaced by the game's name, {s} by the streamer's display name.
const PHRASES: Record<Sentiment, string[]> = {
  positive: [
    'that was insane',
    "let's gooo",
    'what a play',
    'huge clutch',
    'love this stream',
    'this is so cozy',
    'GG well played',
    'best streamer on the site',
    'you are cracked at {g}',
    'hype hype hype',
    'that was clean',
    'so good',
    'W',
    'massive W',
    'this song slaps',
    'thank you for the stream {s}',
    'finally we did it',
    'chat we are so back',
    'perfect run so far',
    'lmao that timing',
    'this is peak {g}',
    'clip it clip it',
    'you made my day',
    'unreal aim',
  ],
  neutral: [
    'what game is this',
    'hi chat',
    'how long have you been playing {g}',
    'first time here',
    'what rank are you',
    'is this the new patch',
    'what are the settings',
    'anyone else watching from europe',
    'brb',
    'back',
    'what time is it there',
    'did he say left or right',
    'what is the song',
    'how many deaths so far',
    'morning chat',
    'lurking while working',
    'what keyboard is that',
    'is there a discord',
    'how old is this game',
    '!uptime',
    'what did I miss',
    'which map is next',
    'hello from brazil',
    'what character is that',
  ],
  negative: [
    'that was so bad',
    'L',
    'massive L',
    'unlucky',
    'this is painful to watch',
    'why would you do that',
    'so boring',
    'lag again',
    'the audio is broken',
    'we lost it',
    'throwing again',
    'this patch ruined {g}',
    'cant believe we lost',
    'rigged',
    'I am falling asleep',
    'worst game ever',
    'that hurt',
    'nooo',
    'tilted',
    'so much grinding for nothing',
    'not again',
    'mic is muted',
    'this boss is unfair',
    'pain',
  ],
};

export interface ComposedMessage {
  text: string;
  sentiment: Sentiment;
  /** IRC `emotes` tag value: `id:start-end,start-end/id2:…` (inclusive code-point positions), '' when none */
  emotesTag: string;
}

/**
 * Composes one message with the wanted sentiment: a phrase, an emote-only burst, or a
 * phrase with emotes that agree with it (neutral phrases may carry any emote but then take
 * its feeling, so the label always matches the whole message).
 */
export function composeMessage(rng: Random, wanted: Sentiment, ctx: { game: string; streamer: string }): ComposedMessage {
  const parts: { text: string; emote?: Emote }[] = [];
  let sentiment = wanted;
  const style = rng.float();
  if (style < 0.18) {
    // emote only, e.g. "LUL LUL LUL"
    const emote = rng.pick(EMOTES_BY[wanted]);
    const n = 1 + rng.int(4);
    for (let i = 0; i < n; i++) parts.push({ text: emote.code, emote });
  } else {
    let phrase = rng.pick(PHRASES[wanted]).replace('{g}', ctx.game).replace('{s}', ctx.streamer);
    if (rng.chance(0.15)) phrase = phrase.toUpperCase();
    else if (rng.chance(0.3)) phrase = phrase.charAt(0).toUpperCase() + phrase.slice(1);
    parts.push({ text: phrase });
    if (style > 0.55) {
      const emote = rng.pick(EMOTES_BY[wanted]);
      const n = 1 + (rng.chance(0.3) ? rng.int(3) : 0);
      for (let i = 0; i < n; i++) parts.push({ text: emote.code, emote });
    }
    if (rng.chance(0.05)) {
      // emoji outside the BMP (a skin-tone modifier and a ZWJ sequence among them), before,
      // between or after the emotes: Twitch counts emote positions in code points, and only an
      // emoji ahead of an emote shows a client that counts UTF-16 units instead. The style
      // already drawn picks the place, so the draws (and every later message) stay the same.
      const emoji = wanted === 'negative' ? '😭' : wanted === 'positive' ? (style > 0.8 ? '👍🏽' : '🔥') : style > 0.8 ? '🧑‍💻' : '👀';
      if (style > 0.75) parts.splice(1, 0, { text: emoji });
      else if (style > 0.6) parts.unshift({ text: emoji });
      else parts.push({ text: emoji });
    }
  }
  if (sentiment === 'neutral' && parts.some((p) => p.emote && p.emote.sentiment !== 'neutral')) sentiment = parts.find((p) => p.emote)!.emote!.sentiment;

  let text = '';
  let position = 0; // in code points
  const positions = new Map<string, string[]>();
  for (const [i, part] of parts.entries()) {
    if (i > 0) {
      text += ' ';
      position += 1;
    }
    const length = [...part.text].length;
    if (part.emote) {
      const list = positions.get(part.emote.id) ?? [];
      list.push(`${position}-${position + length - 1}`);
      positions.set(part.emote.id, list);
    }
    text += part.text;
    position += length;
  }
  const emotesTag = [...positions.entries()].map(([id, ranges]) => `${id}:${ranges.join(',')}`).join('/');
  return { text, sentiment, emotesTag };
}
