/**
 * A and AAAA rdata from address text, written straight into the message buffer, with the bytes
 * dns-packet's address codec writes for the same text (except where that codec is wrong, below).
 */

const DOT = 0x2e;
const COLON = 0x3a;

/**
 * Text with at least three dots: write the 4 bytes at `at` and return true; fewer dots: false.
 * Each byte is dns-packet's reading of the first four dot-separated parts (the decimal value,
 * modulo 256, of a plain address). With fewer dots dns-packet left bytes of an earlier message
 * in the record, so the caller refuses those instead.
 */
export function writeIPv4(s: string, buf: Buffer, at: number): boolean {
  let n = 0;
  let part = 0;
  for (let i = 0; i < s.length && part < 4; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      buf[at + part++] = n;
      n = 0;
    } else n = n * 10 + (c - 0x30);
  }
  if (part < 3) return false;
  if (part === 3) buf[at + 3] = n;
  return true;
}

const v6 = new Uint8Array(16);

/**
 * An IPv6 address in RFC 4291 text (hex groups of 1-4 digits, at most one "::" standing for at
 * least one group, optionally ending in a dotted quad): write its 16 bytes at `at`, return true.
 */
export function writeIPv6(s: string, buf: Buffer, at: number): boolean {
  const n = s.length;
  if (n < 2 || n > 45) return false;
  let i = 0;
  let o = 0;
  let gap = -1;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let v = 0;
    let j = i;
    for (; j < n && j - i < 5; j++) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
    }
    if (j === i) return false;
    if (j < n && s.charCodeAt(j) === DOT) {
      if (o > 12 || !dottedQuad(s, i, v6, o)) return false;
      o += 4;
      break;
    }
    if (j - i > 4 || o === 16) return false;
    v6[o++] = v >> 8;
    v6[o++] = v & 0xff;
    if (j === n) break;
    if (s.charCodeAt(j) !== COLON || j + 1 === n) return false;
    i = j + 1;
    if (s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = o;
      i++;
    }
  }
  if (gap < 0 ? o !== 16 : o === 16) return false;
  if (gap < 0) {
    for (let k = 0; k < 16; k++) buf[at + k] = v6[k];
    return true;
  }
  const tail = o - gap;
  for (let k = 0; k < gap; k++) buf[at + k] = v6[k];
  for (let k = gap; k < 16 - tail; k++) buf[at + k] = 0;
  for (let k = 0; k < tail; k++) buf[at + 16 - tail + k] = v6[gap + k];
  return true;
}

/** s[from..] as exactly a.b.c.d (decimal, 1-3 digits, ≤ 255 each) into out[o..o+4). */
function dottedQuad(s: string, from: number, out: Uint8Array, o: number): boolean {
  let part = 0;
  let v = 0;
  let digits = 0;
  for (let i = from; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || v > 255 || part === 4) return false;
      out[o + part++] = v;
      v = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      v = v * 10 + (c - 0x30);
      digits++;
    } else return false;
  }
  return part === 4;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
