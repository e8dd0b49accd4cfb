// The pool's line splitter: reads cut anywhere (inside CRLF, inside an emoji's bytes) give back
// the lines that were sent, LF alone ends a line too, and a line longer than the limit is
// dropped and counted without holding its bytes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mulberry32 } from '../../../bench/support/streams.js';
import { LineSplitter } from '../../../src/twitch/chat/lines.js';
import { FUZZ_SEED } from '../../helpers/fuzz.js';

const SENT = [
  '@badge-info=;badges=premium/1;color=#9CE2F2;display-name=Salty;emotes=25:2-6;id=5a7 :salty!salty@salty.tmi.twitch.tv PRIVMSG #chan :🔥 Kappa',
  'PING :tmi.twitch.tv',
  ':justinfan1!justinfan1@justinfan1.tmi.twitch.tv JOIN #chan',
  '@id=x :a!a@a.tmi.twitch.tv PRIVMSG #chan :👍🏽 é ü 中文',
];

/** `wire` fed to a splitter in reads ending at `cuts` */
function read(wire: Buffer, cuts: readonly number[], splitter = new LineSplitter()): string[] {
  const out: string[] = [];
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    splitter.push(wire.subarray(from, cut), out);
    from = cut;
  }
  return out;
}

describe('LineSplitter', () => {
  const wire = Buffer.from(SENT.map((l) => `${l}\r\n`).join(''));

  test('one read holding every line', () => {
    assert.deepEqual(new LineSplitter().push(wire), SENT);
  });

  test('reads cut at every byte: between CR and LF, inside the emoji and the accented letters', () => {
    for (let cut = 1; cut < wire.length; cut++) assert.deepEqual(read(wire, [cut]), SENT, `cut at ${cut}`);
    // one byte a read
    assert.deepEqual(
      read(
        wire,
        Array.from({ length: wire.length - 1 }, (_, i) => i + 1),
      ),
      SENT,
    );
  });

  test('seeded random reads give back the lines sent', () => {
    const random = mulberry32(FUZZ_SEED);
    const big = Buffer.concat(Array.from({ length: 50 }, () => wire));
    const expected = Array.from({ length: 50 }, () => SENT).flat();
    for (let round = 0; round < 200; round++) {
      const cuts: number[] = [];
      for (let at = Math.floor(random() * 400); at < big.length; at += 1 + Math.floor(random() * 400)) cuts.push(at);
      assert.deepEqual(read(big, cuts), expected, `round ${round}`);
    }
  });

  test('LF alone ends a line; empty lines are skipped; the unfinished tail waits', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(Buffer.from('a\nb\r\n\r\n\nc')), ['a', 'b']);
    assert.equal(s.pending, 1);
    assert.deepEqual(s.push(Buffer.from('d\n')), ['cd']);
    assert.equal(s.pending, 0);
  });

  test('a line longer than the limit is dropped and counted, in one read or across several', () => {
    const s = new LineSplitter(10);
    assert.deepEqual(s.push(Buffer.from('short\r\n0123456789ABC\r\nnext\r\n')), ['short', 'next']);
    assert.equal(s.dropped, 1);
    // the long line spans reads: its bytes are not held past the limit
    assert.deepEqual(s.push(Buffer.from('01234567')), []);
    assert.deepEqual(s.push(Buffer.from('89ABCDEF')), []);
    assert.equal(s.pending, 0);
    assert.equal(s.dropped, 2);
    assert.deepEqual(s.push(Buffer.from('GHIJ')), []);
    assert.deepEqual(s.push(Buffer.from('KL\r\nafter\r\n')), ['after']);
    assert.equal(s.dropped, 2);
    // a line at the limit is kept
    assert.deepEqual(s.push(Buffer.from('0123456789\r\n')), ['0123456789']);
  });
});
