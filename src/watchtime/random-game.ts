import { createHash } from 'node:crypto';

/**
 * The day's random game, chosen with weight by hours watched: a hash of (day, seed) picks a
 * point on the cumulative hours of every game in id order, so the same day and seed always
 * give the same game, on any machine.
 */
export function pickWeighted<T extends { id: string; hours: number }>(items: T[], day: string, seed: number): T | undefined {
  const total = items.reduce((sum, g) => sum + Math.max(0, g.hours), 0);
  if (total <= 0) return undefined;
  const digest = createHash('sha256').update(`${day}:${seed}`).digest();
  const unit = digest.readUIntBE(0, 6) / 2 ** 48;
  let point = unit * total;
  for (const g of items) {
    point -= Math.max(0, g.hours);
    if (point < 0) return g;
  }
  return items[items.length - 1];
}
