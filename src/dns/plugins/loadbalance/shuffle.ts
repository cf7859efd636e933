/**
 * The record orderings of plugin/loadbalance, pure: round_robin (CNAMEs first, then the other
 * records, then the shuffled addresses, then the shuffled MX), weighted (one address, picked by
 * weight, moved to the top) and subnet preference. Input arrays are never modified: a backend
 * or the cache may own them.
 */
import { isIPv4 } from "node:net";
import type { Answer } from "dns-packet";

export type Rand = (n: number) => number;
export const defaultRand: Rand = (n) => Math.floor(Math.random() * n);

const isAddr = (r: Answer) => r.type === "A" || r.type === "AAAA";

/** The address of an A/AAAA record ("" for other records). */
export function addrOf(r: Answer): string {
  return (r.type === "A" || r.type === "AAAA") && typeof r.data === "string" ? r.data : "";
}

export function roundRobin(
  records: readonly Answer[] | undefined,
  rand: Rand = defaultRand,
): Answer[] | undefined {
  if (!records || records.length <= 1) return records as Answer[] | undefined;
  const t = records[0].type;
  if ((t === "A" || t === "AAAA") && records.every((r) => r.type === t)) return shuffle([...records], rand);
  const { cname, address, mx, rest } = partition(records);
  return [...cname, ...rest, ...shuffle(address, rand), ...shuffle(mx, rand)];
}

function partition(records: readonly Answer[]) {
  const cname: Answer[] = [];
  const address: Answer[] = [];
  const mx: Answer[] = [];
  const rest: Answer[] = [];
  for (const r of records) {
    if (r.type === "CNAME") cname.push(r);
    else if (isAddr(r)) address.push(r);
    else if (r.type === "MX") mx.push(r);
    else rest.push(r);
  }
  return { cname, address, mx, rest };
}

function shuffle<T>(xs: T[], rand: Rand): T[] {
  for (let j = 0; j < xs.length - 1; j++) {
    const p = j + rand(xs.length - j);
    if (p !== j) [xs[j], xs[p]] = [xs[p], xs[j]];
  }
  return xs;
}

/** Weights per owner name (lowercase, fully qualified) and address. */
export type Weights = Map<string, Map<string, number>>;

/** Move one address, chosen with probability weight/sum (default weight 1), to the top. */
export function weighted(
  records: readonly Answer[] | undefined,
  weights: Weights,
  rand: Rand = defaultRand,
): Answer[] | undefined {
  if (!records) return records;
  const { cname, address, mx, rest } = partition(records);
  if (address.length === 0) return records as Answer[];
  const ws = address.map((r, index) => ({
    index,
    weight: weights.get(r.name.toLowerCase())?.get(normalizeIP(addrOf(r))) ?? 1,
  }));
  const sum = ws.reduce((s, w) => s + w.weight, 0);
  // Heaviest first, as CoreDNS walks them (a stable sort keeps equal weights in answer order).
  ws.sort((a, b) => b.weight - a.weight);
  const v = rand(sum);
  let acc = 0;
  let top = 0;
  for (const w of ws) {
    acc += w.weight;
    if (v < acc) {
      top = w.index;
      break;
    }
  }
  if (top !== 0) [address[0], address[top]] = [address[top], address[0]];
  return [...cname, ...rest, ...address, ...mx];
}

/** Addresses in `prefer` subnets first, in the order of the subnets (plugin/loadbalance prefer.go). */
export function preferSubnets(
  records: readonly Answer[] | undefined,
  subnets: readonly Subnet[],
): Answer[] | undefined {
  if (!records) return records;
  const { cname, address, mx, rest } = partition(records);
  const seen = new Set<number>();
  const matched: Answer[] = [];
  for (const s of subnets) {
    address.forEach((r, i) => {
      if (!seen.has(i) && s.contains(addrOf(r))) {
        matched.push(r);
        seen.add(i);
      }
    });
  }
  const unmatched = address.filter((_, i) => !seen.has(i));
  return [...cname, ...matched, ...unmatched, ...mx, ...rest];
}

export interface Subnet {
  contains(ip: string): boolean;
}

/** A CIDR as net.ParseCIDR reads it; throws on a malformed one. */
export function parseCIDR(cidr: string): Subnet {
  const slash = cidr.indexOf("/");
  if (slash < 0) throw new Error(`invalid CIDR address: ${cidr}`);
  const bytes = ipBytes(cidr.slice(0, slash));
  const bitsText = cidr.slice(slash + 1);
  const bits = Number(bitsText);
  if (!bytes || !/^\d+$/.test(bitsText) || bits > bytes.length * 8)
    throw new Error(`invalid CIDR address: ${cidr}`);
  const v4 = bytes.length === 4;
  return {
    contains(ip: string): boolean {
      const b = ipBytes(ip);
      if (!b) return false;
      const other = v4 ? v4Of(b) : b.length === 16 ? b : undefined;
      if (!other || other.length !== bytes.length) return false;
      for (let i = 0; i < bits; i++) {
        const mask = 0x80 >> (i % 8);
        if ((other[i >> 3] & mask) !== (bytes[i >> 3] & mask)) return false;
      }
      return true;
    },
  };
}

/** The IPv4 bytes of an IPv4 or IPv4-mapped IPv6 address. */
function v4Of(b: number[]): number[] | undefined {
  if (b.length === 4) return b;
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  return undefined;
}

export function ipBytes(ip: string): number[] | undefined {
  if (isIPv4(ip)) return ip.split(".").map(Number);
  if (!ip.includes(":")) return undefined;
  let s = ip;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = s.slice(lastColon + 1);
    if (!isIPv4(v4)) return undefined;
    tail = v4.split(".").map(Number);
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const v = Number.parseInt(g, 16);
    out.push(v >> 8, v & 0xff);
  }
  if (tail.length) out.splice(12, 4, ...tail);
  return out;
}

/** A canonical text form to compare addresses written differently. */
export function normalizeIP(ip: string): string {
  const b = ipBytes(ip);
  if (!b) return ip.toLowerCase();
  const v4 = v4Of(b);
  return v4 ? v4.join(".") : b.join(",");
}
