// The accuracy bench's own rules on hand-made signals (bench/support/audience-*.ts): the matcher,
// the could-have-seen rule and the seed method's viewer-list diff, so a change to any of them that
// would move the bench's figures shows here first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignalLog } from '../../bench/support/audience-signals.js';
import { seedMoves } from '../../bench/support/audience-seed.js';
import { matchMoves, type ReportedMove, type TrueMove, visibility } from '../../bench/support/audience-truth.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const S = 1000;
const RULE = { lingerMs: 600 * S, windowMs: 600 * S, warmupMs: 120 * S, slackMs: 5 * S };
const MATCH = { slackMs: 5 * S, latenessMs: 600 * S };

function watchedLog(...channels: string[]): SignalLog {
  const log = new SignalLog();
  for (const c of channels) log.joined(c, T0);
  return log;
}

const move = (leftAt: number, joinedAt: number, over: Partial<TrueMove> = {}): TrueMove => ({ user: 'u', from: 'a', to: 'b', leftAt, joinedAt, cause: 'organic', ...over });
const report = (leftAt: number, joinedAt: number, over: Partial<ReportedMove> = {}): ReportedMove => ({ user: 'u', from: 'a', to: 'b', leftAt, joinedAt, ...over });

describe('the matcher', () => {
  test('a reported move matches a true move of the user between the same channels inside its times', () => {
    const truth = [move(T0 + 1000 * S, T0 + 1020 * S)];
    // last seen in A before the true leave, first seen in B after the true arrival
    assert.deepEqual(matchMoves([report(T0 + 900 * S, T0 + 1100 * S)], truth, MATCH).reportedMatched, [true]);
    // Lurk's read a little after the world's step: within the slack
    assert.deepEqual(matchMoves([report(T0 + 1003 * S, T0 + 1022 * S)], truth, MATCH).reportedMatched, [true]);
  });

  test('the wrong user, pair or times do not match', () => {
    const truth = [move(T0 + 1000 * S, T0 + 1020 * S)];
    const miss = (r: ReportedMove) => assert.deepEqual(matchMoves([r], truth, MATCH).reportedMatched, [false], JSON.stringify(r));
    miss(report(T0 + 900 * S, T0 + 1100 * S, { user: 'v' }));
    miss(report(T0 + 900 * S, T0 + 1100 * S, { to: 'c' }));
    miss(report(T0 + 900 * S, T0 + 1100 * S, { from: 'b', to: 'a' }));
    // claims the user was still in A after they had left
    miss(report(T0 + 1010 * S, T0 + 1100 * S));
    // claims the user arrived before they did
    miss(report(T0 + 900 * S, T0 + 1010 * S));
    // seen in B long after the arrival: more than the move window
    miss(report(T0 + 900 * S, T0 + 1700 * S));
  });

  test('each true move is matched once, to the report closest to its arrival', () => {
    const truth = [move(T0 + 1000 * S, T0 + 1020 * S)];
    const { reportedMatched, trueMatched } = matchMoves([report(T0 + 900 * S, T0 + 1300 * S), report(T0 + 900 * S, T0 + 1025 * S)], truth, MATCH);
    // reports are taken in order of arrival: the earlier one claims the move
    assert.deepEqual(reportedMatched, [false, true]);
    assert.deepEqual(trueMatched, [true]);
  });
});

describe('could Lurk have seen it', () => {
  const m = move(T0 + 1000 * S, T0 + 1020 * S);

  test('a PART of A at the leave and a JOIN of B at the arrival: seeable', () => {
    const log = watchedLog('a', 'b');
    log.push('a', 'u', 'names', T0);
    log.push('a', 'u', 'part', T0 + 1001 * S);
    log.push('b', 'u', 'join', T0 + 1021 * S);
    assert.equal(visibility(m, log, RULE), 'seeable');
  });

  test('a chat in A within the linger and a first chat in B within the window of it: seeable', () => {
    const log = watchedLog('a', 'b');
    log.push('a', 'u', 'chat', T0 + 700 * S);
    log.push('b', 'u', 'chat', T0 + 1200 * S);
    assert.equal(visibility(m, log, RULE), 'seeable');
  });

  test('nothing of the user in A in the linger before the leave, nothing in B in the window, or B only just joined: not seeable', () => {
    const silentA = watchedLog('a', 'b');
    silentA.push('a', 'u', 'chat', T0 + 300 * S);
    silentA.push('b', 'u', 'join', T0 + 1021 * S);
    assert.equal(visibility(m, silentA, RULE), 'watched');

    const lateB = watchedLog('a', 'b');
    lateB.push('a', 'u', 'chat', T0 + 700 * S);
    lateB.push('b', 'u', 'chat', T0 + 1400 * S);
    assert.equal(visibility(m, lateB, RULE), 'watched');

    const freshB = watchedLog('a');
    freshB.joined('b', T0 + 950 * S);
    freshB.push('a', 'u', 'part', T0 + 1001 * S);
    freshB.push('b', 'u', 'join', T0 + 1021 * S);
    assert.equal(visibility(m, freshB, RULE), 'watched');
  });

  test('a presence in B still open from before: not seeable, unless it ended with a PART', () => {
    const open = watchedLog('a', 'b');
    open.push('b', 'u', 'chat', T0 + 800 * S);
    open.push('a', 'u', 'part', T0 + 1001 * S);
    open.push('b', 'u', 'chat', T0 + 1030 * S);
    assert.equal(visibility(m, open, RULE), 'watched');

    const parted = watchedLog('a', 'b');
    parted.push('b', 'u', 'chat', T0 + 800 * S);
    parted.push('b', 'u', 'part', T0 + 850 * S);
    parted.push('a', 'u', 'part', T0 + 1001 * S);
    parted.push('b', 'u', 'join', T0 + 1021 * S);
    assert.equal(visibility(m, parted, RULE), 'seeable');
  });

  test('a channel whose chat was not joined: unwatched', () => {
    const log = watchedLog('a');
    log.push('a', 'u', 'part', T0 + 1001 * S);
    assert.equal(visibility(m, log, RULE), 'unwatched');
  });
});

describe('the seed method', () => {
  test("a user leaving A's list and appearing in B's a poll later is a move, its times the last listing in A and the first in B", () => {
    const log = watchedLog('a', 'b');
    log.push('a', 'u', 'names', T0);
    log.push('a', 'u', 'part', T0 + 630 * S);
    log.push('b', 'u', 'join', T0 + 650 * S);
    const moves = seedMoves(log, T0, T0 + 1200 * S);
    // polls every 60 s from T0: listed in A at 600, gone at 660, listed in B at 660
    assert.deepEqual(moves, [{ user: 'u', from: 'a', to: 'b', leftAt: T0 + 600 * S, joinedAt: T0 + 660 * S }]);
  });

  test('a chatter stays listed 5 minutes after their last message; apart by more than 300 s, no move', () => {
    const near = watchedLog('a', 'b');
    near.push('a', 'u', 'chat', T0 + 100 * S);
    near.push('b', 'u', 'chat', T0 + 200 * S);
    // left A's list at 420 (the chat at 100 is older than 5 minutes), appeared in B's at 240
    assert.deepEqual(seedMoves(near, T0, T0 + 1200 * S), [{ user: 'u', from: 'a', to: 'b', leftAt: T0 + 100 * S, joinedAt: T0 + 240 * S }]);

    const far = watchedLog('a', 'b');
    far.push('a', 'u', 'names', T0);
    far.push('a', 'u', 'part', T0 + 100 * S);
    far.push('b', 'u', 'join', T0 + 700 * S);
    assert.deepEqual(seedMoves(far, T0, T0 + 1200 * S), []);
  });

  test("a channel's first poll is its baseline: those listed then do not appear", () => {
    const log = watchedLog('a');
    log.joined('b', T0 + 300 * S);
    log.push('a', 'u', 'names', T0);
    log.push('a', 'u', 'part', T0 + 250 * S);
    // listed in B by its NAMES at the join, before its first poll
    log.push('b', 'u', 'names', T0 + 300 * S);
    assert.deepEqual(seedMoves(log, T0, T0 + 1200 * S), []);
  });
});
