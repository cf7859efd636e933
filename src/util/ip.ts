/**
 * IP addresses as Go's net package reads and prints them, for every layer: parsing (strict, as
 * net.ParseIP, or sloppy, as Kubernetes' netutils.ParseIPSloppy), the canonical text
 * (net.IP.String: dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952 otherwise), addresses as
 * integers, and reverse names (dns.ReverseAddr, dnsutil.ExtractAddressFromReverse).
 */
import { isIPv6 } from "node:net";

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

const dotted = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/** The four octets of a dotted quad; leading zeros only when `sloppy` (Go ≥ 1.17 rejects them). */
function v4Octets(s: string, sloppy: boolean): number[] | undefined {
  const m = dotted.exec(s);
  if (!m) return undefined;
  const out: number[] = [];
  for (let i = 1; i <= 4; i++) {
    if (!sloppy && m[i].length > 1 && m[i][0] === "0") return undefined;
    const n = Number(m[i]);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function mapped(v4: number[]): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(v4, 12);
  return b;
}

function v6Bytes(s: string): Uint8Array | undefined {
  // Go's parser has no zones; node's accepts them.
  if (s.includes("%") || !isIPv6(s)) return undefined;
  const words = (part: string): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (g.includes(".")) {
        const q = v4Octets(g, true) ?? [0, 0, 0, 0];
        out.push((q[0] << 8) | q[1], (q[2] << 8) | q[3]);
      } else out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const hw = words(head);
  const tw = tail === undefined ? [] : words(tail);
  const all = [...hw, ...new Array<number>(8 - hw.length - tw.length).fill(0), ...tw];
  const b = new Uint8Array(16);
  all.forEach((w, i) => {
    b[2 * i] = w >> 8;
    b[2 * i + 1] = w & 0xff;
  });
  return b;
}

function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Go's net.ParseIP, or with `sloppy` netutils.ParseIPSloppy (IPv4 octets with leading zeros). */
export function parseIP(s: string, sloppy = false): ParsedIP | undefined {
  if (!s.includes(":")) {
    const q = v4Octets(s, sloppy);
    return q ? { bytes: mapped(q), v4: true } : undefined;
  }
  const b = v6Bytes(s);
  return b ? { bytes: b, v4: isMapped(b) } : undefined;
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
  return octetsEnd(s, 0, s.length) === s.length;
}

/**
 * Where four canonical octets starting at `from` and separated by dots end (the index after the
 * last digit), or -1. Only `to` may follow them.
 */
function octetsEnd(s: string, from: number, to: number): number {
  let i = from;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (i >= to || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
      if (i - start > 3) return -1;
    }
    if (i === start || v > 255 || (i - start > 1 && s.charCodeAt(start) === 48)) return -1;
  }
  return i;
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
    if (octetsEnd(name, 0, end) === end) {
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
