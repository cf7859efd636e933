/**
 * Open-addressing hash tables in typed arrays, for tables that must make no garbage.
 */
const EMPTY = -1;

/**
 * Non-negative int32 keys to int32 values, open addressing in one Int32Array (linear probing,
 * backward-shift deletion). For tables whose keys churn in a long-lived process: a
 * Map<number, number> rebuilds its backing store again and again as keys come and go, and a
 * busy `skiff dns` promoted those stores to the old generation (its template index,
 * dns/server/fastpath.ts; bench/RESULTS.md, session 8). A key and its value sit side by side
 * (slot 2i, 2i + 1): a lookup in a table bigger than the CPU's caches then misses memory once,
 * not once per array.
 */
export class IntTable {
  private slots = new Int32Array(2 * 1024).fill(EMPTY);
  private mask = 1023;
  size = 0;

  get(key: number): number | undefined {
    const slots = this.slots;
    for (let i = spread(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = slots[2 * i];
      if (k === key) return slots[2 * i + 1];
      if (k === EMPTY) return undefined;
    }
  }

  set(key: number, value: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.resize(2 * (this.mask + 1));
    const slots = this.slots;
    let i = spread(key) & this.mask;
    for (; slots[2 * i] !== EMPTY; i = (i + 1) & this.mask) {
      if (slots[2 * i] === key) {
        slots[2 * i + 1] = value;
        return;
      }
    }
    slots[2 * i] = key;
    slots[2 * i + 1] = value;
    this.size++;
  }

  delete(key: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = spread(key) & mask;
    while (slots[2 * hole] !== key) {
      if (slots[2 * hole] === EMPTY) return;
      hole = (hole + 1) & mask;
    }
    // Backward-shift deletion: later members of the probe run move up so none is cut off.
    for (let j = (hole + 1) & mask; slots[2 * j] !== EMPTY; j = (j + 1) & mask) {
      if (staysInRun(spread(slots[2 * j]) & mask, hole, j)) continue;
      slots[2 * hole] = slots[2 * j];
      slots[2 * hole + 1] = slots[2 * j + 1];
      hole = j;
    }
    slots[2 * hole] = EMPTY;
    this.size--;
  }

  clear(): void {
    this.slots.fill(EMPTY);
    this.size = 0;
  }

  private resize(n: number): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * n).fill(EMPTY);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.set(old[i], old[i + 1]);
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
