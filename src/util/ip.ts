/**
 * IP addresses as Go's net package reads and prints them, for every layer: parsing (strict, as
 * net.ParseIP, or sloppy, as Kubernetes' netutils.ParseIPSloppy), the canonical text
 * (net.IP.String: dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952 otherwise), addresses as
 * integers, and reverse names (dns.ReverseAddr, dnsutil.ExtractAddressFromReverse).
 */
export type IPFamily = "IPv4" | "IPv6";

/** A parsed address: 16 bytes (IPv4 stored IPv4-mapped, like Go's net.IP) and whether it is IPv4. */
export interface ParsedIP {
  bytes: Uint8Array;
  /** Go's `ip.To4() != nil`: dotted quads and IPv4-mapped IPv6 both count as IPv4. */
  v4: boolean;
}

/** An address as an integer: 32 bits for IPv4, 128 for IPv6. */
export interface IPValue {
  family: IPFamily;
  value: bigint;
}

/**
 * Read a dotted quad s[from, to) into out[at, at + 4) (out undefined: only check it). Leading
 * zeros only when `sloppy` (Go ≥ 1.17 rejects them; ParseIPSloppy reads them as decimal).
 * Allocates nothing: the DNS encoder writes A rdata with it.
 */
export function readIPv4(
  s: string,
  from: number,
  to: number,
  out: Uint8Array | undefined,
  at: number,
  sloppy = false,
): boolean {
  let i = from;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (i >= to || s.charCodeAt(i) !== 46) return false;
      i++;
    }
    const start = i;
    let v = 0;
    for (; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      if (v > 255) return false;
    }
    const digits = i - start;
    if (digits === 0 || (!sloppy && digits > 1 && s.charCodeAt(start) === 48)) return false;
    if (out) out[at + k] = v;
  }
  return i === to;
}

/** Scratch for the groups before and after "::". */
const v6 = new Uint8Array(16);

/**
 * Read IPv6 text (RFC 4291 §2.2: hex groups of 1-4 digits, at most one "::" standing for at least
 * one group, optionally ending in a dotted quad; no zone, as Go's parser) into out[at, at + 16).
 */
export function readIPv6(s: string, out: Uint8Array, at: number): boolean {
  const n = s.length;
  if (n < 2 || n > 45) return false;
  let i = 0;
  let o = 0;
  let gap = -1;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
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
    if (j < n && s.charCodeAt(j) === 46) {
      // The dotted quad ends the text and takes the last 4 bytes.
      if (o > 12 || !readIPv4(s, i, n, v6, o)) return false;
      o += 4;
      break;
    }
    if (j - i > 4 || o === 16) return false;
    v6[o++] = v >> 8;
    v6[o++] = v & 0xff;
    if (j === n) break;
    if (s.charCodeAt(j) !== 58 || j + 1 === n) return false;
    i = j + 1;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = o;
      i++;
    }
  }
  if (gap < 0 ? o !== 16 : o === 16) return false;
  const tail = gap < 0 ? 0 : o - gap;
  const head = gap < 0 ? 16 : gap;
  for (let k = 0; k < head; k++) out[at + k] = v6[k];
  for (let k = head; k < 16 - tail; k++) out[at + k] = 0;
  for (let k = 0; k < tail; k++) out[at + 16 - tail + k] = v6[head + k];
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Go's net.ParseIP, or with `sloppy` netutils.ParseIPSloppy (IPv4 octets with leading zeros). */
export function parseIP(s: string, sloppy = false): ParsedIP | undefined {
  const b = new Uint8Array(16);
  if (!s.includes(":")) {
    if (!readIPv4(s, 0, s.length, b, 12, sloppy)) return undefined;
    b[10] = 0xff;
    b[11] = 0xff;
    return { bytes: b, v4: true };
  }
  return readIPv6(s, b, 0) ? { bytes: b, v4: isMapped(b) } : undefined;
}

/** RFC 5952 text of eight 16-bit groups: lower-case hex, the first longest run (≥ 2) of zero groups as "::". */
export function formatIPv6Groups(g: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: readonly number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Go's net.IP.String(). */
export function formatIP(ip: ParsedIP): string {
  const b = ip.bytes;
  if (ip.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  return formatIPv6Groups(g);
}

/** The canonical text of an IP (Go's net.ParseIP(s).String()), or undefined when `s` is none. */
export function canonicalIP(s: string): string | undefined {
  // A canonical dotted quad is its own canonical form: no parse, no copy (the DNS hot path).
  if (isCanonicalIPv4(s)) return s;
  const ip = parseIP(s);
  return ip ? formatIP(ip) : undefined;
}

/** Four decimal octets without leading zeros, each at most 255: what Go prints for IPv4. */
export function isCanonicalIPv4(s: string): boolean {
  return readIPv4(s, 0, s.length, undefined, 0);
}

/** The address as an integer. */
export function ipValue(ip: ParsedIP): IPValue {
  let v = 0n;
  for (let i = ip.v4 ? 12 : 0; i < 16; i++) v = (v << 8n) | BigInt(ip.bytes[i]);
  return { family: ip.v4 ? "IPv4" : "IPv6", value: v };
}

/** The address an integer stands for. */
export function ipFromValue(a: IPValue): ParsedIP {
  const bytes = new Uint8Array(16);
  let v = a.value;
  const from = a.family === "IPv4" ? 12 : 0;
  for (let i = 15; i >= from; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (a.family === "IPv4") {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
  }
  return { bytes, v4: a.family === "IPv4" };
}

/** Canonical text of an integer address. */
export function formatIPValue(a: IPValue): string {
  return formatIP(ipFromValue(a));
}

/** The reverse name of an address (dns.ReverseAddr), lower case and fully qualified; "" for none. */
export function reverseName(s: string): string {
  const ip = parseIP(s);
  if (!ip) return "";
  const b = ip.bytes;
  if (ip.v4) return `${b[15]}.${b[14]}.${b[13]}.${b[12]}.in-addr.arpa.`;
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) nibbles.push((b[i] & 0xf).toString(16), (b[i] >> 4).toString(16));
  return `${nibbles.join(".")}.ip6.arpa.`;
}

/**
 * The canonical address a full reverse name stands for, any case, with or without the final
 * dot (dnsutil.ExtractAddressFromReverse); "" when it is not one.
 */
export function addressFromReverse(name: string): string {
  // The common case read in place: a lower-case fqdn of four canonical octets.
  const SUFFIX = ".in-addr.arpa.";
  if (name.endsWith(SUFFIX)) {
    const end = name.length - SUFFIX.length;
    if (readIPv4(name, 0, end, undefined, 0)) {
      const a = name.indexOf(".");
      const b = name.indexOf(".", a + 1);
      const c = name.indexOf(".", b + 1);
      return `${name.slice(c + 1, end)}.${name.slice(b + 1, c)}.${name.slice(a + 1, b)}.${name.slice(0, a)}`;
    }
  }
  const n = name.toLowerCase().replace(/\.$/, "");
  if (n.endsWith(".in-addr.arpa")) {
    const labels = n.slice(0, -".in-addr.arpa".length).split(".");
    if (labels.length !== 4) return "";
    return canonicalIP(labels.reverse().join(".")) ?? "";
  }
  if (n.endsWith(".ip6.arpa")) {
    const labels = n.slice(0, -".ip6.arpa".length).split(".");
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return "";
    const hex = labels.reverse().join("");
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIP(groups.join(":")) ?? "";
  }
  return "";
}
