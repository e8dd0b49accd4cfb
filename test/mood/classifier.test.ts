import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/load.js';
import { createClassifier, type EmoteSpan, LABEL_AT, LURK_LEXICON } from '../../src/mood/classifier/index.js';
import { parseLexicon, readLexicon } from '../../src/mood/classifier/lexicon.js';

// Every example here was written for Lurk's tests; none comes from a dataset or the simulator.

const mood = createClassifier();
const label = (text: string, emotes?: EmoteSpan[]) => mood.classify(text, emotes).label;
const score = (text: string, emotes?: EmoteSpan[]) => mood.classify(text, emotes).score;

function labels(expected: 'positive' | 'neutral' | 'negative', texts: string[]) {
  const wrong = texts.map((t) => [t, label(t)]).filter(([, l]) => l !== expected);
  assert.deepEqual(wrong, [], `expected ${expected}`);
}

/** the span of `code` at its `nth` occurrence in `text`, in UTF-16 units as the IRC tag's parser gives them */
function span(text: string, code: string, id = '1', nth = 0): EmoteSpan {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = text.indexOf(code, start + 1);
  assert.ok(start >= 0, `${code} in ${text}`);
  return { id, start, end: start + code.length };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-lexicon-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('labels', () => {
  test('every score is in [-1, 1] and the label follows it', () => {
    for (const t of ['', 'gg', 'LETS GOOOOOO POGGERS POGGERS 🔥🔥🔥 HYPE HYPE', 'worst trash garbage dogshit unwatchable 🤮 👎 L L', 'a'.repeat(10_000)]) {
      const r = mood.classify(t);
      assert.ok(r.score >= -1 && r.score <= 1, `${t.slice(0, 30)}: ${r.score}`);
      assert.equal(r.label, r.score >= LABEL_AT ? 'positive' : r.score <= -LABEL_AT ? 'negative' : 'neutral');
    }
  });

  test('most chat is neutral: greetings, questions, chatter, names', () => {
    labels('neutral', [
      'hi chat',
      'hello everyone',
      'first time here',
      'what rank is he',
      'anyone know the song name?',
      'what game is this?',
      'is this good?',
      'how long has he been live',
      'he is going mid',
      'good morning chat',
      'good night everyone',
      'brb getting food',
      'the boss has two phases',
      'where is the map',
      '',
      '   ',
      '1111111',
      'o7',
    ]);
  });

  test('chat slang and English words carry their lean', () => {
    labels('positive', [
      'gg',
      'W',
      'huge W',
      'he is cracked',
      'that was so clutch',
      'ez',
      'based',
      'this song is fire',
      'sheesh',
      'goated',
      'i love this song',
      'great run',
      'what a banger',
      'pog',
      'lets go',
    ]);
    labels('negative', [
      'L',
      'massive L',
      'he is washed',
      'this is mid',
      'cringe',
      'why did he throw',
      'so boring',
      'this is trash',
      'i hate this song',
      'what a terrible play',
      'rip',
      'he choked again',
      'scuffed stream',
    ]);
  });

  test('frustration, tedium and broken-stream complaints are negative', () => {
    labels('negative', [
      'this mode is so unfun',
      'queue times are unbearable',
      'that patch was brutal',
      'the movement feels clunky',
      'stream keeps buffering',
      'mic is cutting out',
      'the overlay is out of sync',
      'music way too loud',
      'another ad',
      'lag again',
      'thats rough buddy',
      'im so sick of this map',
      'the referee is biased',
      'this shrine is impossible lmao',
    ]);
    // a complaint word alone stays mild: "again", "missed", "poor" are everyday words
    labels('neutral', ['again', 'i missed the start', 'play it again next week', 'keeps going']);
  });

  test('game-chat blame and giving up: smurfs, diffs, fell off, go next, 0 kills, resets', () => {
    labels('negative', [
      'every lobby has smurfs',
      'support diff honestly',
      'mid diff',
      'this team fell off hard',
      'uninstall the game',
      'go next',
      'ff go next',
      'she went 0 kills that half',
      'he whiffed it',
      'that move was a blunder',
      'another reset',
      'the run is over',
      'backseating again chat',
      'this isnt it chat',
      'not the play',
    ]);
    // "gap" stays a word, and a game's next round is no complaint
    labels('neutral', ['mind the gap', 'next game starts in 5', 'he reset his keybinds']);
  });

  test('praise slang, clip-worthy moments and "what a …" exclamations are positive', () => {
    labels('positive', [
      'shes him fr',
      'hes him',
      'that support is built different',
      'the aura on this guy',
      'absolute cinema',
      'clip it',
      'play of the year',
      'chefs kiss',
      'props to the editor',
      'masterclass from him',
      'he is popping off',
      'he doesnt miss',
      'WHAT A SAVE',
      'what a round that was',
      'holy',
      'WE DID IT',
      'that clean split was so satisfying',
    ]);
    labels('negative', ['what a waste of a flash', 'what a joke of a ruling', 'WHAT A THROOOW']);
    // a phrase's words are matched stretched and in any case, each after its hash
    labels('positive', ['what a saaave', 'What A Game', 'hes  him']);
    // "what" alone or asking stays neutral, and a plain "winner" is information
    labels('neutral', ['what', 'what time is it', 'the winner gets a skin', 'hook']);
  });

  test('a word that is praise as chat slang stays neutral used plainly in a sentence; shouted, it cheers', () => {
    labels('neutral', ['props spawn on the left', 'cinema mode when', 'grande or venti', 'comfort food break', 'smile for the camera', 'top 3 plays of the week', 'pb is 1:23']);
    labels('positive', ['CINEMA', 'grande!', 'props to the mods']);
  });

  test("a viewer's own feeling: chills, smiles, comfort, belief; speedrun and gambling wins", () => {
    labels('positive', [
      'goosebumps',
      'that chorus gave me chills',
      'you made my day',
      'awwww',
      'my comfort streamer',
      'i believe in you',
      'you got this',
      'you deserve it',
      'new pb',
      'gold splits everywhere',
      'on wr pace',
      'MAX WIN',
      'im wheezing',
      'kusa',
    ]);
  });

  test('mocking slang and exasperation at a play are negative; welcomes are warm', () => {
    labels('negative', [
      'this guy is a fraud',
      'bozo',
      'stop yapping',
      'he is malding',
      'hardstuck gold',
      'ffs',
      'what the hell was that push',
      'are you serious',
      'why would you ult there',
      'cmon man',
      'ouch',
    ]);
    labels('positive', ['welcome back king', 'missed you', 'we are so back', 'HYPE TRAIN']);
    // "come on" cheering still cheers, and an npc is a game character
    labels('positive', ['come on lets go']);
    labels('neutral', ['talk to that npc first']);
  });

  test('F alone is sympathy, Kappa alone is no mood', () => {
    assert.equal(label('F'), 'negative');
    assert.equal(label('F in chat'), 'negative');
    assert.equal(label('Kappa'), 'neutral');
  });
});

describe('emotes and emoji', () => {
  test('third-party emotes are read by name and listed once', () => {
    labels('positive', ['POGGERS', 'PogU', 'widepeepoHappy', 'FeelsGoodMan', 'catJAM', 'peepoClap', 'EZ Clap']);
    labels('negative', ['Sadge', 'PepeHands', 'FeelsBadMan', 'WeirdChamp', 'peepoSad', 'ResidentSleeper', 'BibleThump', 'Madge']);
    assert.deepEqual(mood.classify('Sadge Sadge Sadge PepeHands').emotes, ['Sadge', 'PepeHands']);
  });

  test('the newer 7TV variants lean like their originals', () => {
    labels('negative', ['Despairge', 'Copege', 'Saj', 'RIPBOZO', 'Weirdge']);
    labels('positive', ['Hopege', 'PAGGING', 'YIPPEE', 'yippee']);
  });

  test('tension emotes alone are neutral (chat enjoys them); fear words or hype decide', () => {
    labels('neutral', ['monkaS', 'monkaW', 'monkaS he is close', '4Head']);
    labels('negative', ['monkaW im so scared', 'monkaS nope nope', 'this is terrifying monkaW']);
    labels('positive', ['monkaS CLUTCH', 'Hopium', 'Hopium they turn it around']);
  });

  test('laughter is amusement: 💀, KEKW, LUL, OMEGALUL, lol, lmao, xD, hahaha', () => {
    labels('positive', ['💀', '💀💀💀', 'KEKW', 'LUL', 'OMEGALUL', 'lol', 'lmao', 'LMAOOOO', 'xD', 'xDDD', 'hahaha', 'hahahhahaha', 'jajaja', 'kkkkkk', 'KEKW KEKW', 'KEKW that was insane', '😂😂']);
  });

  test('a laugh does not rescue an insult', () => {
    assert.equal(label('this streamer is trash lol'), 'negative');
    assert.equal(label('you are so bad at this KEKW'), 'negative');
    assert.equal(label("that's not funny lol"), 'negative');
  });

  test('plain Unicode emoji by their lean, listed by their text', () => {
    labels('positive', ['🔥', '❤️', '👍', '🐐', '🎉🎉', 'this 🔥']);
    labels('negative', ['👎', '🤡', '😭', '💔', '🤮 stream']);
    // run together with words, with skin tones and a ZWJ sequence
    assert.deepEqual(mood.classify('lol😂😂 👍🏽 🤦‍♂️').emotes, ['😂', '👍', '🤦']);
    assert.equal(label('nice👍🏽'), 'positive');
    // an emoji Lurk has no lean for still counts as used
    assert.deepEqual(mood.classify('🦀🦀🦀').emotes, ['🦀']);
    assert.equal(label('🦀🦀🦀'), 'neutral');
  });

  test('Twitch emotes from the tag: exact positions in UTF-16 after an emoji', () => {
    const text = '😂 LUL xqcL 🔥 moon2LOVE';
    // the tag lists emotes by id, not in the order of the text
    const spans = [span(text, 'moon2LOVE', '3'), span(text, 'LUL', '425618'), span(text, 'xqcL', '2')];
    assert.equal(spans[0]!.start, 15, 'each emoji before it counts two UTF-16 units');
    const r = mood.classify(text, spans);
    assert.deepEqual([...r.emotes].sort(), ['LUL', 'moon2LOVE', 'xqcL', '😂', '🔥'].sort());
    assert.equal(r.label, 'positive');
  });

  test("an unknown sub emote from the tag counts as an emote and is read by its suffix after the channel's prefix", () => {
    const sad = 'pokiCry pokiCry';
    const r = mood.classify(sad, [span(sad, 'pokiCry', '9'), span(sad, 'pokiCry', '9', 1)]);
    assert.deepEqual(r.emotes, ['pokiCry']);
    assert.equal(r.label, 'negative');
    assert.equal(label('xqcL', [{ id: '1', start: 0, end: 4 }]), 'positive');
    assert.equal(label('forsenKEKW', [{ id: '1', start: 0, end: 10 }]), 'positive');
    assert.equal(label('moon2Rage', [{ id: '1', start: 0, end: 9 }]), 'negative');
    // a suffix Lurk has no lean for: still an emote, no mood
    const odd = mood.classify('abcdQwzx', [{ id: '1', start: 0, end: 8 }]);
    assert.deepEqual(odd.emotes, ['abcdQwzx']);
    assert.equal(odd.label, 'neutral');
    // without the tag a sub emote is guessed by its suffix, a one-letter one too (L, W, H: a word
    // rarely ends in one capital), but only as a suffix: "abcKEKW"-style needs two letters or more
    assert.deepEqual(mood.classify('xqcL').emotes, ['xqcL']);
    assert.equal(label('hasanW'), 'positive');
    assert.deepEqual(mood.classify('pokiCry').emotes, ['pokiCry']);
    labels('neutral', ['iPhone', 'ok', 'abC', 'xqcQ']);
    // with the tag given, a word shaped like a sub emote that is not in it is a word
    assert.deepEqual(mood.classify('pokiCry', []).emotes, []);
  });

  test('spans out of range are ignored, not trusted', () => {
    const r = mood.classify('gg', [{ id: '1', start: 0, end: 50 }]);
    assert.equal(r.label, 'positive');
    assert.deepEqual(r.emotes, []);
  });

  test('an emote is case-sensitive: typed in lower case it still reads but is not counted', () => {
    assert.deepEqual(mood.classify('KEKW').emotes, ['KEKW']);
    assert.deepEqual(mood.classify('kekw').emotes, []);
    assert.equal(label('kekw'), 'positive');
  });

  test('a message without emotes shares one frozen empty list', () => {
    const a = mood.classify('hello');
    const b = mood.classify('gg');
    assert.equal(a.emotes, b.emotes);
    assert.ok(Object.isFrozen(a.emotes));
  });
});

describe('modifiers', () => {
  test('negation flips within its scope, and not beyond the clause', () => {
    labels('negative', ['not good', 'this is not good at all', "isn't fun", 'dont like it', 'never clutch', 'not very good', 'aint it']);
    assert.equal(label('aint it'), 'negative');
    assert.equal(label('not bad'), 'positive');
    assert.equal(label('not bad at all'), 'positive');
    assert.ok(score('not good') < 0 && score('good') > 0);
    // the comma ends the negation: "good" is read as is
    assert.ok(score('not sure, good play') > 0.25);
    // four tokens on it no longer reaches
    assert.equal(label('not in the mood today good stream'), 'positive');
  });

  test('a negator turns words, not the emote reacting to the line', () => {
    assert.equal(label('please dont leave yet BibleThump'), 'negative');
    assert.equal(label('he never listens SwiftRage'), 'negative');
    assert.equal(label('no loot again ResidentSleeper'), 'negative');
    // the word after the negator still turns
    assert.equal(label('never fun'), 'negative');
  });

  test('intensifiers raise, diminishers lower, ALL CAPS and stretched letters emphasise', () => {
    assert.ok(score('so good') > score('good'));
    assert.ok(score('very bad') < score('bad'));
    assert.ok(score('hella clean') > score('clean'));
    assert.ok(score('kinda good') < score('good') && score('kinda good') > 0);
    assert.ok(score('slightly bad') > score('bad') && score('slightly bad') < 0);
    assert.ok(score('GOOD') > score('good'));
    assert.ok(score('gooooood') > score('good'));
    assert.ok(score('sooooo good') > score('good'));
    assert.equal(label('noooooo'), 'negative');
    assert.equal(label('LETS GOOOOOO'), 'positive');
    assert.equal(label('lets gooo'), 'positive');
  });

  test('a repeated token counts once with a small boost; copypasta does not dominate', () => {
    assert.ok(score('KEKW KEKW') > score('KEKW'));
    assert.ok(score('KEKW KEKW') < score('KEKW') * 1.25);
    assert.ok(Math.abs(score(Array(50).fill('POGGERS').join(' ')) - score('POGGERS POGGERS POGGERS POGGERS')) < 1e-9);
    // a long repeated hype block and one complaint: the complaint is not drowned out
    const pasta = `${Array(30).fill('LETS GO').join(' ')} but this stream is boring`;
    assert.equal(label(pasta), 'negative');
  });

  test('"but": the clause after it weighs more', () => {
    assert.equal(label('the first half was boring but the ending was amazing'), 'positive');
    assert.equal(label('great game but the ending sucked'), 'negative');
    // a trailing "though" is no "but": the clause before it is the message
    assert.equal(label('it was fun tho'), 'positive');
  });

  test('sarcasm turns praise: Kappa, /s, "sure buddy", "yeah right"', () => {
    assert.equal(label('great play'), 'positive');
    assert.equal(label('great play Kappa'), 'negative');
    assert.equal(label('best streamer ever /s'), 'negative');
    assert.equal(label('sure buddy, best player in the world'), 'negative');
    assert.equal(label('yeah right he is so good'), 'negative');
    // a laugh beside Kappa is still a laugh
    assert.equal(label('LUL Kappa'), 'positive');
  });

  test('a mocking phrase on its own is disbelief; Kappa on its own stays no mood', () => {
    assert.equal(label('yeah right'), 'negative');
    assert.equal(label('he says he practised all day KEKW sure jan'), 'negative');
    assert.equal(label('Kappa'), 'neutral');
    assert.equal(label('nice try'), 'neutral');
  });

  test('questions are neutral unless loaded', () => {
    assert.equal(label('is this good?'), 'neutral');
    assert.equal(label('is he good?'), 'neutral');
    assert.equal(label('why is he so bad?'), 'negative');
    assert.equal(label('what? that was amazing'), 'positive');
    // without "?": a clause that opens with a question word asks
    assert.equal(label('who is winning'), 'neutral');
    assert.equal(label('is he good'), 'neutral');
    assert.equal(label('he is good'), 'positive');
    assert.equal(label('why is he so bad'), 'negative');
  });

  test('"??" is incredulity, not a question; a lone "???" disapproves, a lone "?" does not', () => {
    assert.equal(label('lag again??'), 'negative');
    assert.equal(label('lag again?'), 'neutral');
    assert.equal(label('is he good??'), 'neutral');
    assert.equal(label('???'), 'negative');
    assert.equal(label('?'), 'neutral');
    assert.equal(label('??'), 'neutral');
  });
});

describe('what says nothing', () => {
  test('commands, links and @mentions are neutral or ignored', () => {
    labels('neutral', ['!uptime', '!sr never gonna give you up', '!love', 'https://www.youtube.com/watch?v=awesome', 'clips.twitch.tv/AmazingGreatClip', '@LoveBot', '@GoodGuy hi']);
    assert.equal(label('@xqc you are amazing'), 'positive');
    assert.equal(label('!!! amazing'), 'positive', 'exclamation marks are no command');
  });

  test('non-English chat stays neutral unless an emote or emoji or a common chat word speaks', () => {
    labels('neutral', ['das ist ein spiel', 'これはゲームです', '这个游戏叫什么', 'o que ele está fazendo', 'что это за игра']);
    labels('positive', ['これはゲームです 😂', 'jajajaja', 'muy bueno', 'ㅋㅋㅋㅋ', '草', 'das ist KEKW']);
    labels('negative', ['これはゲームです 😭', 'que malo']);
  });

  test('game talk is no mood: lanes, frame-perfect tricks, patch notes; a no-hit run is no negation', () => {
    labels('neutral', ['support is going bot', 'their jungler is coming top', 'this clip is frame perfect timing', 'they nerfed the sniper', 'no deaths so far']);
    labels('positive', ['no hit run incoming lets go', 'hitless']);
    labels('negative', ['skip this song please']);
  });

  test('the common non-English chat words with a clear lean take it', () => {
    labels('positive', ['que partido tan increible', 'jogada perfeita, perfeito', 'das war krass', 'magnifique', 'ale akcja', 'harika oyun', 'красавчик', '대박', 'すごい']);
    labels('negative', ['muy aburrido hoy', 'que lixo', 'so langweilig', 'c est nul', 'che schifo', 'ten mecz jest nudny, nudy', 'çok kötü', 'скучно', '아쉽다']);
    // "ale" alone is a beer, not Polish cheering
    labels('neutral', ['ale or lager', 'hola chat', 'wie spät ist es']);
  });

  test('odd text does not throw', () => {
    for (const t of ['\uD83D', '\uDE00abc', '\u0000\u0001', 'x'.repeat(100_000), '😂'.repeat(5000), '"""', ' \u{E0000}', "'''", 'a\u200db', '🇫🇷🇫🇷', '1️⃣']) {
      const r = mood.classify(t);
      assert.ok(Number.isFinite(r.score));
    }
  });
});

describe('the lexicon', () => {
  test("Lurk's own lexicon is found in the source tree, versioned, and large", () => {
    const own = readLexicon(LURK_LEXICON);
    assert.ok(own.version && own.version.length > 0);
    assert.equal(mood.version, own.version);
    const byKind = new Map<string, number>();
    for (const e of own.entries) byKind.set(e.form, (byKind.get(e.form) ?? 0) + 1);
    assert.ok((byKind.get('emote') ?? 0) >= 300, `emotes: ${byKind.get('emote')}`);
    assert.ok((byKind.get('emoji') ?? 0) >= 80);
    assert.ok((byKind.get('word') ?? 0) >= 400);
    assert.ok((byKind.get('suffix') ?? 0) >= 60);
    for (const e of own.entries) assert.ok(e.value >= -1 && e.value <= 1);
  });

  test('the format: phrases, kinds, comments, CRLF, a version line', () => {
    const lex = parseLexicon('# a comment\r\nversion 7\r\n"not my thing" -0.4   # inline comment\r\nwow 0.3\r\nKEKW 0.5 emote:laugh\r\nCry -0.5 suffix\r\n');
    assert.equal(lex.version, '7');
    assert.deepEqual(
      lex.entries.map((e) => [e.term, e.value, e.form, e.role, e.line]),
      [
        ['not my thing', -0.4, 'word', 'sentiment', 3],
        ['wow', 0.3, 'word', 'sentiment', 4],
        ['KEKW', 0.5, 'emote', 'laugh', 5],
        ['Cry', -0.5, 'suffix', 'sentiment', 6],
      ],
    );
  });

  test('a user lexicon adds entries and overrides Lurk’s own', async () => {
    const file = path.join(dir, 'mine.txt');
    await writeFile(file, ['version mine-1', 'KEKW -0.8 emote', 'blorptastic 0.9', '"go outside" -0.6', 'Zzzz -0.5 suffix', 'grr -0.5 emote', 'mid 0 # a lane in our games'].join('\n'));
    const mine = createClassifier({ lexiconFile: file });
    assert.equal(mine.version, `${mood.version}+user`);
    assert.equal(mine.classify('KEKW').label, 'negative');
    assert.equal(mood.classify('KEKW').label, 'positive', "another classifier keeps Lurk's lexicon");
    assert.equal(mine.classify('blorptastic').label, 'positive');
    assert.equal(mine.classify('just go outside').label, 'negative');
    assert.equal(mood.classify('this is mid').label, 'negative');
    assert.equal(mine.classify('this is mid').label, 'neutral', 'a user entry of 0 silences one of Lurk’s');
    assert.equal(mine.classify('sodaZzzz', [{ id: '1', start: 0, end: 8 }]).label, 'negative');
    assert.deepEqual(mine.classify('grr').emotes, ['grr']);
    // the rest of Lurk's lexicon is still there
    assert.equal(mine.classify('POGGERS').label, 'positive');
    // a user file with no entries adds nothing to the version
    const empty = path.join(dir, 'empty.txt');
    await writeFile(empty, '# nothing yet\n');
    assert.equal(createClassifier({ lexiconFile: empty }).version, mood.version);
  });

  test('a bad user lexicon is a ConfigError naming the setting, the file, the line and the problem', async () => {
    const cases: [string, RegExp][] = [
      ['gg 0.5\nwow 2\n', /line 2: value "2" is not a number from -1 to 1/],
      ['gg 0.5\n\nwow nice\n', /line 3: value "nice" is not a number/],
      ['wow 0.5 feeling\n', /line 1: unknown kind "feeling"/],
      ['"sure buddy -0.5 sarcasm\n', /line 1: the quoted phrase has no closing "/],
      ['wow\n', /line 1: "wow" has no value/],
      ['wow 0.5 word extra\n', /line 1: too many fields/],
      ['wow 0.5\nWOW 0.2\n', /line 2: "WOW" is already defined on line 1/],
      ['lol 0.5 emoji\n', /line 1: "lol" is not one emoji/],
      ['but -0.5 contrast\n', /line 1: a contrast value is the weight/],
      ['version 1\nversion 2\n', /line 2: a second version line/],
      ['"one two three four five six" 0.5\n', /line 1: a phrase has at most 5 words/],
      ['"so not" -0.5 negator\n', /line 1: a phrase cannot be a negator/],
      ['KEKW 0.5 emote:question\n', /line 1: a question word is a word/],
      ['Cry -0.5 suffix\ncry -0.5 suffix\n', /line 2: suffix "cry" must start with an upper-case letter/],
    ];
    for (const [i, [text, problem]] of cases.entries()) {
      const file = path.join(dir, `bad-${i}.txt`);
      await writeFile(file, text);
      assert.throws(
        () => createClassifier({ lexiconFile: file }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.equal(err.problems[0]!.name, 'LURK_MOOD_LEXICON');
          assert.match(err.message, problem);
          assert.ok(err.message.includes(file), err.message);
          return true;
        },
      );
    }
  });

  test('an unreadable user lexicon names the file and why', async () => {
    const missing = path.join(dir, 'nope.txt');
    assert.throws(
      () => createClassifier({ lexiconFile: missing }),
      (err: unknown) => err instanceof ConfigError && err.message.includes(missing) && /no such file/.test(err.message),
    );
    assert.throws(
      () => createClassifier({ lexiconFile: dir, lexiconSetting: '--lexicon' }),
      (err: unknown) => err instanceof ConfigError && err.problems[0]!.name === '--lexicon' && /directory/.test(err.message),
    );
    const binary = path.join(dir, 'binary.txt');
    await writeFile(binary, Buffer.from([0x67, 0x67, 0x00, 0x01]));
    assert.throws(() => createClassifier({ lexiconFile: binary }), /is not a text file/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.txt');
      await writeFile(locked, 'gg 0.5\n');
      await chmod(locked, 0o000);
      assert.throws(() => createClassifier({ lexiconFile: locked }), /permission denied/);
    }
  });
});
