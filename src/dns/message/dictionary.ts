/**
 * The compression dictionary of the message being written: every name suffix (from a label start
 * to the name's end) written so far and the offset it was written at. An entry points into its
 * name (string, from, to) instead of holding a suffix string, and all of them live in typed
 * arrays made once, so neither a lookup nor an insert allocates; a generation number empties
 * the table in O(1) for the next message. Suffixes compare case-sensitively, char by char, as
 * string keys did.
 */

/** Entries are ≥ 2 bytes apart below offset 0x3fff, so at most 8191 of them fit in a message. */
const CAP = 8192;
const HEADS = 1024;
const DOT = 0x2e;

export class Dictionary {
  private gen = 1;
  private count = 0;
  private readonly headGen = new Uint32Array(HEADS);
  private readonly head = new Int32Array(HEADS);
  private readonly next = new Int32Array(CAP);
  private readonly hash = new Int32Array(CAP);
  private readonly from = new Int32Array(CAP);
  private readonly to = new Int32Array(CAP);
  private readonly offset = new Int32Array(CAP);
  private names: string[] = [];

  clear(): void {
    // Drop references to a big message's names; small ones are overwritten by the next message.
    if (this.count > 64) this.names = [];
    this.count = 0;
    this.gen = (this.gen + 1) >>> 0 || 1;
  }

  /** The offset of s[from, to) written earlier, or -1. `h` is suffixHash of it. */
  find(s: string, from: number, to: number, h: number): number {
    const slot = h & (HEADS - 1);
    if (this.headGen[slot] !== this.gen) return -1;
    const len = to - from;
    for (let e = this.head[slot]; e >= 0; e = this.next[e]) {
      if (this.hash[e] !== h || this.to[e] - this.from[e] !== len) continue;
      const t = this.names[e];
      const d = this.from[e] - from;
      let i = from;
      while (i < to && t.charCodeAt(i + d) === s.charCodeAt(i)) i++;
      if (i === to) return this.offset[e];
    }
    return -1;
  }

  /** Remember that s[from, to) (hash `h`) is written at `offset`; false when the table is full. */
  add(s: string, from: number, to: number, h: number, offset: number): boolean {
    const e = this.count;
    if (e === CAP) return false;
    this.count = e + 1;
    const slot = h & (HEADS - 1);
    if (this.headGen[slot] !== this.gen) {
      this.headGen[slot] = this.gen;
      this.head[slot] = -1;
    }
    this.next[e] = this.head[slot];
    this.head[slot] = e;
    this.hash[e] = h;
    this.from[e] = from;
    this.to[e] = to;
    this.offset[e] = offset;
    this.names[e] = s;
    return true;
  }
}

/**
 * The labels of s[0, to), split at every dot, found in one scan backwards that also hashes
 * every suffix: label i counted from the right starts at `start[i]`, and `hash[i]` is the hash
 * of s[start[i], to).
 */
export class Labels {
  start: Int32Array = new Int32Array(128);
  hash: Int32Array = new Int32Array(128);
  /** All of s[0, to) is ASCII (one byte per char). */
  ascii = true;

  /** Split s[0, to); returns the number of labels. */
  split(s: string, to: number): number {
    let start = this.start;
    let hash = this.hash;
    let ascii = true;
    let n = 0;
    let h = 0;
    for (let i = to - 1; i >= 0; i--) {
      const c = s.charCodeAt(i);
      if (c === DOT) {
        if (n === start.length) [start, hash] = this.grow();
        start[n] = i + 1;
        hash[n++] = h ^ (h >>> 15); // high bits into the low ones, which pick the head
      } else if (c > 0x7f) ascii = false;
      h = (Math.imul(h, 31) + c) | 0;
    }
    if (n === start.length) [start, hash] = this.grow();
    start[n] = 0;
    hash[n++] = h ^ (h >>> 15);
    this.ascii = ascii;
    return n;
  }

  private grow(): [Int32Array, Int32Array] {
    const start = new Int32Array(this.start.length * 2);
    const hash = new Int32Array(this.hash.length * 2);
    start.set(this.start);
    hash.set(this.hash);
    this.start = start;
    this.hash = hash;
    return [start, hash];
  }
}
