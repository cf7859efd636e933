/**
 * What is left after each page of a paged list, remembered so that the next page need not count
 * again. Every page of one list is read at the first page's revision, and a list at a fixed
 * revision never changes (compaction only drops revisions a list may no longer use), so the count
 * after page k+1 is the count after page k minus page k+1's length. Counting the rest of the
 * range for every page made a paged list O(N²/limit).
 */
export class PageCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly capacity = 256) {}

  set(prefix: string, revision: number, after: string, remaining: number): void {
    const key = keyOf(prefix, revision, after);
    this.counts.delete(key);
    this.counts.set(key, remaining);
    // Lists that stop halfway are never followed up; drop the oldest so they cannot pile up.
    if (this.counts.size > this.capacity) {
      const oldest = this.counts.keys().next();
      if (!oldest.done) this.counts.delete(oldest.value);
    }
  }

  /** The count of matches after `after` left by the previous page, if any; forgotten once taken. */
  take(prefix: string, revision: number, after: string): number | undefined {
    const key = keyOf(prefix, revision, after);
    const n = this.counts.get(key);
    if (n !== undefined) this.counts.delete(key);
    return n;
  }
}

function keyOf(prefix: string, revision: number, after: string): string {
  return `${revision}\0${prefix}\0${after}`;
}
