// Bounded write queues: what a capability queues while its database fails fills memory no further.

/** removes the oldest entries beyond `max`; how many went */
export function dropOldest(queue: unknown[], max: number): number {
  const excess = queue.length - max;
  if (excess <= 0) return 0;
  queue.splice(0, excess);
  return excess;
}
