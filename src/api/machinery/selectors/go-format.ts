/**
 * The bits of Go formatting that selector error texts carry (fmt's %q and %#v), so messages are
 * byte-for-byte those of kube-apiserver.
 */

const shortEscapes: Record<string, string> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\u000b": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Go's %q for a string: printable characters as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = shortEscapes[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's %#v for a []string; `nil` distinguishes a nil slice from an empty one. */
export function goStringSlice(v: readonly string[] | null): string {
  if (v === null) return "[]string(nil)";
  return `[]string{${v.map(goQuote).join(", ")}}`;
}

const surrogate = /[\uD800-\uDFFF]/;

/** Go's string ordering (bytewise on UTF-8), which sort.Strings uses. */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 order unless surrogate pairs are involved.
  if (!surrogate.test(a) && !surrogate.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
