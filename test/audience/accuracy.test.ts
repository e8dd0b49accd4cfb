// Audience's accuracy against the simulator's truth, short enough for CI: a tiny seeded world
// (60 channels, 20 live, every room small enough for JOIN/PART) over real sockets, a full Lurk
// watching every channel, 25 simulated minutes at speed 100 after 10 settling ones. The matcher,
// the could-have-seen rule and the seed method are the bench's (bench/audience.bench.ts, whose
// header defines them); the full figures over hours of a larger world are `npm run bench -- audience`.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createAudienceEngine } from '../../src/audience/tracker.js';
import { type AccuracyRun, runAccuracy } from '../../bench/support/audience-run.js';

const SPEED = 100;

describe('Audience accuracy over 25 simulated minutes of a tiny world', () => {
  let run: AccuracyRun;
  before(async () => {
    run = await runAccuracy({
      seed: 5,
      channels: 60,
      live: 20,
      viewersPerLive: 50,
      speed: SPEED,
      hours: 25 / 60,
      lingerSeconds: 600,
      moveWindowSeconds: 600,
      slackMs: 100 * SPEED,
      mode: 'auto',
      engine: (o) => createAudienceEngine(o),
      log: () => {},
    });
  });

  test('the rule and the matcher are attainable: the seed method, on the same signals, finds the moves the wire showed', (t) => {
    const { seed } = run;
    t.diagnostic(`seed method: ${JSON.stringify(seed)}`);
    // enough of a sample that the shares mean something
    assert.ok(seed.seeable >= 100, `${seed.seeable} true moves could have been seen`);
    assert.ok(seed.recallSeeable >= 0.9, `the seed method's recall over the moves the wire showed ${seed.recallSeeable.toFixed(3)}`);
    // the simulator's truth has no move for a viewer its arrivals drew again moments after they
    // left (a re-arrival, counted from the world's own JOIN/PART); nothing on the wire tells one apart
    assert.ok(seed.precisionWorld >= 0.9, `the seed method's precision counting re-arrivals ${seed.precisionWorld.toFixed(3)}`);
  });

  test('Lurk reports moves the truth confirms (precision ≥ 0.95) and finds ≥ 0.85 of those it could have seen', (t) => {
    const { lurk } = run;
    t.diagnostic(`mode ${run.mode}; Lurk: ${JSON.stringify(lurk)}`);
    assert.ok(lurk.reported >= 100, `${lurk.reported} moves reported`);
    assert.ok(lurk.precision >= 0.95, `precision ${lurk.precision.toFixed(3)} (${lurk.matched} of ${lurk.reported}; ${lurk.rearrivals} re-arrivals)`);
    assert.ok(lurk.recallSeeable >= 0.85, `recall over the moves Lurk could have seen ${lurk.recallSeeable.toFixed(3)} of ${lurk.seeable}`);
  });
});
