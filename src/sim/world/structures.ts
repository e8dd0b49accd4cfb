// Small data structures the world needs at 150,000 channels and millions of viewers.

/** Fenwick tree over non-negative weights: O(log n) update and weighted draw. */
export class WeightedSet {
  private readonly tree: Float64Array;
  private readonly weights: Float64Array;
  private total = 0;
  constructor(readonly size: number) {
    this.tree = new Float64Array(size + 1);
    this.weights = new Float64Array(size);
  }
  set(index: number, weight: number): void {
    const delta = weight - this.weights[index]!;
    if (delta === 0) return;
    this.weights[index] = weight;
    this.total += delta;
    for (let i = index + 1; i <= this.size; i += i & -i) this.tree[i] = this.tree[i]! + delta;
  }
  get(index: number): number {
    return this.weights[index]!;
  }
  get sum(): number {
    return this.total;
  }
  /** the index whose cumulative weight range contains `u × sum`, for u in [0, 1) */
  find(u: number): number {
    let target = u * this.total;
    let pos = 0;
    let step = 1;
    while (step * 2 <= this.size) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && this.tree[next]! <= target) {
        pos = next;
        target -= this.tree[next]!;
      }
    }
    return Math.min(pos, this.size - 1);
  }
}

/** A set of small integers with O(1) add, delete and uniform random pick. */
export class DenseSet {
  private items: Int32Array;
  private readonly position: Int32Array;
  private count = 0;
  constructor(universe: number, initialCapacity = 1024) {
    this.items = new Int32Array(Math.max(16, initialCapacity));
    this.position = new Int32Array(universe).fill(-1);
  }
  get size(): number {
    return this.count;
  }
  has(value: number): boolean {
    return this.position[value]! >= 0;
  }
  add(value: number): void {
    if (this.position[value]! >= 0) return;
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.count] = value;
    this.position[value] = this.count++;
  }
  delete(value: number): void {
    const pos = this.position[value]!;
    if (pos < 0) return;
    const last = this.items[--this.count]!;
    this.items[pos] = last;
    this.position[last] = pos;
    this.position[value] = -1;
  }
  at(i: number): number {
    return this.items[i]!;
  }
  /** a copy of the members, in no particular order */
  values(): Int32Array {
    return this.items.slice(0, this.count);
  }
}

/** Binary min-heap of (time, value) pairs. */
export class TimeHeap {
  private times: number[] = [];
  private values: number[] = [];
  get size(): number {
    return this.times.length;
  }
  peekTime(): number {
    return this.times.length ? this.times[0]! : Infinity;
  }
  push(time: number, value: number): void {
    const t = this.times;
    const v = this.values;
    let i = t.length;
    t.push(time);
    v.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (t[parent]! <= time) break;
      t[i] = t[parent]!;
      v[i] = v[parent]!;
      i = parent;
    }
    t[i] = time;
    v[i] = value;
  }
  /** removes and returns the value with the smallest time */
  pop(): number {
    const t = this.times;
    const v = this.values;
    const top = v[0]!;
    const lastT = t.pop()!;
    const lastV = v.pop()!;
    if (t.length > 0) {
      let i = 0;
      const n = t.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && t[r]! < t[l]! ? r : l;
        if (t[c]! >= lastT) break;
        t[i] = t[c]!;
        v[i] = v[c]!;
        i = c;
      }
      t[i] = lastT;
      v[i] = lastV;
    }
    return top;
  }
}

/** Fixed-capacity ring buffer: keeps the newest `capacity` items. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;
  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }
  get size(): number {
    return this.count;
  }
  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count++) % this.capacity] = item;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }
  /** oldest first */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.start + i) % this.capacity]!;
  }
  oldest(): T | undefined {
    return this.count ? this.items[this.start] : undefined;
  }
}
