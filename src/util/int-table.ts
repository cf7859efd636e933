/**
 * Open-addressing hash tables in typed arrays, for tables that must make no garbage.
 */
const EMPTY = -1;

/**
 * Non-negative int32 keys to int32 values, open addressing in two Int32Arrays (linear probing,
 * backward-shift deletion). For tables whose keys churn in a long-lived process: a
 * Map<number, number> rebuilds its backing store again and again as keys come and go, and a
 * busy `skiff dns` promoted those stores to the old generation (its template index,
 * dns/server/fastpath.ts; bench/RESULTS.md, session 8).
 */
export class IntTable {
  private keys = new Int32Array(1024).fill(EMPTY);
  private values = new Int32Array(1024);
  private mask = 1023;
  size = 0;

  get(key: number): number | undefined {
    const keys = this.keys;
    for (let i = spread(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === key) return this.values[i];
      if (k === EMPTY) return undefined;
    }
  }

  set(key: number, value: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.resize(this.keys.length * 2);
    const keys = this.keys;
    let i = spread(key) & this.mask;
    for (; keys[i] !== EMPTY; i = (i + 1) & this.mask) {
      if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    keys[i] = key;
    this.values[i] = value;
    this.size++;
  }

  delete(key: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let hole = spread(key) & mask;
    while (keys[hole] !== key) {
      if (keys[hole] === EMPTY) return;
      hole = (hole + 1) & mask;
    }
    // Backward-shift deletion: later members of the probe run move up so none is cut off.
    for (let j = (hole + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      if (staysInRun(spread(keys[j]) & mask, hole, j)) continue;
      keys[hole] = keys[j];
      this.values[hole] = this.values[j];
      hole = j;
    }
    keys[hole] = EMPTY;
    this.size--;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.size = 0;
  }

  private resize(n: number): void {
    const { keys, values } = this;
    this.keys = new Int32Array(n).fill(EMPTY);
    this.values = new Int32Array(n);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i], values[i]);
  }
}

/**
 * Backward-shift deletion in a linear-probing table: the entry at bucket j, whose home bucket is
 * `home`, stays where it is when a hole opens at `hole` (earlier in its run) unless its home lies
 * cyclically outside (hole, j]: then it moves up into the hole. Shared by every such table here.
 */
export function staysInRun(home: number, hole: number, j: number): boolean {
  return hole <= j ? home > hole && home <= j : home > hole || home <= j;
}

/** Keys are hashes already; their low bits pick the bucket, mixed once more against patterns. */
function spread(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 2;
}
