// Whether Discover's sweeps keep up with an accelerated simulated Twitch: when two sweeps end
// further apart than Watch time's gap cap, streams are counted as ending and starting again and
// the hours in between come out short. Warned about, not hidden.
import type { Logger } from 'pino';
import type { Bus } from '../core/bus.js';
import './events.js';

/** what is read of an accelerated Twitch: its speed, and whether its world lags its clock */
export interface AcceleratedTwitch {
  readonly clock: { readonly speed: number };
  readonly lagging: boolean;
}

/**
 * Warns (at most once a real minute) while an accelerated world is not sampled honestly: the
 * world lags its clock, or two sweeps ended further apart than the gap cap, so streams were
 * counted as ending and starting again and the hours in between are short.
 */
export function watchSpeed(sim: AcceleratedTwitch, bus: Bus, log: Pick<Logger, 'warn'>, gapCapMs: number): () => void {
  let lastEnd: number | undefined;
  let warnedAt = -Infinity;
  return bus.subscribe('streams.sweep.completed', (e) => {
    const gapMs = lastEnd === undefined ? 0 : e.finishedAt - lastEnd;
    lastEnd = e.finishedAt;
    if (sim.clock.speed <= 1 || (gapMs <= gapCapMs && !sim.lagging) || Date.now() - warnedAt < 60_000) return;
    warnedAt = Date.now();
    log.warn(
      { speed: sim.clock.speed, gapSeconds: Math.round(gapMs / 1000), gapCapSeconds: gapCapMs / 1000, worldLagging: sim.lagging },
      `LURK_SIM_SPEED=${sim.clock.speed} is too fast for this machine: ${sim.lagging ? 'the world lags its clock' : `sweeps ended ${Math.round(gapMs / 1000)} simulated seconds apart, beyond the ${gapCapMs / 1000} s gap cap`}, so hours watched from now on are short; lower LURK_SIM_SPEED`,
    );
  });
}
