/**
 * IP and CIDR checks with kube-apiserver's messages (apimachinery/pkg/util/validation/ip.go).
 *
 * Two flavours, as in kube: the "legacy" checks (isValidIP, isValidCIDR) accept what Go's
 * net.ParseIPSloppy / ParseCIDRSloppy accept (IPv4 octets with leading zeros, IPv4-mapped IPv6,
 * host bits set in a CIDR); they guard fields that predate strict validation (Service clusterIPs,
 * externalIPs, loadBalancerSourceRanges, status IPs). The strict checks (isValidIPStrict,
 * isValidCIDRStrict) guard newer fields (IPAddress names, ServiceCIDR cidrs) and also demand the
 * canonical spelling.
 */
import { isIPv4 as nodeIsIPv4, isIPv6 as nodeIsIPv6 } from "node:net";

export type IPFamily = "IPv4" | "IPv6";

export const invalidIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
export const invalidCIDRMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/** A parsed address: 16 bytes (IPv4 stored IPv4-mapped, like Go's net.IP) and whether it is IPv4. */
export interface ParsedIP {
  bytes: Uint8Array;
  /** Go's `ip.To4() != nil`: dotted quads and IPv4-mapped IPv6 both count as IPv4. */
  v4: boolean;
}

const sloppyV4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

function v4Bytes(s: string): number[] | null {
  const m = sloppyV4.exec(s);
  if (!m) return null;
  const out: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return null;
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

function v6Bytes(s: string): Uint8Array | null {
  // Go's parser has no zones; node's accepts them.
  if (s.includes("%") || !nodeIsIPv6(s)) return null;
  const b = new Uint8Array(16);
  const words = (part: string): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (g.includes(".")) {
        const q = v4Bytes(g) ?? [0, 0, 0, 0];
        out.push((q[0] << 8) | q[1], (q[2] << 8) | q[3]);
      } else out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const hw = words(head);
  const tw = tail === undefined ? [] : words(tail);
  const all = [...hw, ...new Array(8 - hw.length - tw.length).fill(0), ...tw];
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

/** Go's netutils.ParseIPSloppy: null when not an IP. */
export function parseIPSloppy(s: string): ParsedIP | null {
  if (!s.includes(":")) {
    const q = v4Bytes(s);
    return q ? { bytes: mapped(q), v4: true } : null;
  }
  const b = v6Bytes(s);
  return b ? { bytes: b, v4: isMapped(b) } : null;
}

/** Go's net.IP.String(): dotted quad for IPv4, RFC 5952 text for IPv6. */
export function formatIP(ip: ParsedIP): string {
  const b = ip.bytes;
  if (ip.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[2 * i] << 8) | b[2 * i + 1]);
  // The first longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/** Legacy IP check (kube's IsValidIPForLegacyField without strict mode). */
export function isValidIP(s: string): string[] {
  return parseIPSloppy(s) ? [] : [invalidIPMessage];
}

/** Strict IP check (kube's IsValidIP): no leading zeros, no IPv4-mapped IPv6, canonical form. */
export function isValidIPStrict(s: string): string[] {
  const ip = parseIPSloppy(s);
  if (!ip) return [invalidIPMessage];
  const errs: string[] = [];
  const strictOK = s.includes(":") ? true : nodeIsIPv4(s);
  if (!strictOK) errs.push("must not have leading 0s");
  if (s.includes(":") && ip.v4) errs.push("must not be an IPv4-mapped IPv6 address");
  if (errs.length > 0) return errs;
  const canon = formatIP(ip);
  return s === canon ? [] : [`must be in canonical form (${JSON.stringify(canon)})`];
}

export function isValidIPv4(s: string): string[] {
  const ip = parseIPSloppy(s);
  return ip?.v4 ? [] : ["must be a valid IPv4 address"];
}

export function isValidIPv6(s: string): string[] {
  const ip = parseIPSloppy(s);
  return ip && !ip.v4 ? [] : ["must be a valid IPv6 address"];
}

/** The family of an IP string (k8s.io/utils/net IPFamilyOfString), "" when not an IP. */
export function ipFamilyOf(s: string): IPFamily | "" {
  const ip = parseIPSloppy(s);
  if (!ip) return "";
  return ip.v4 ? "IPv4" : "IPv6";
}

export interface ParsedCIDR {
  /** The address as written. */
  ip: ParsedIP;
  /** Prefix length in the address's own width (32 for dotted quads, 128 otherwise). */
  prefix: number;
  /** 32 when written as a dotted quad, 128 otherwise (Go's ParseCIDR decides by the text). */
  bits: 32 | 128;
}

/** Go's netutils.ParseCIDRSloppy: null when not a CIDR. */
export function parseCIDRSloppy(s: string): ParsedCIDR | null {
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  const ip = parseIPSloppy(addr);
  if (!ip || !/^\d+$/.test(len)) return null;
  const bits = addr.includes(":") ? 128 : 32;
  const prefix = Number(len);
  if (prefix > bits) return null;
  return { ip, prefix, bits };
}

/** The network address of a CIDR (host bits cleared). */
export function maskedIP(c: ParsedCIDR): ParsedIP {
  const ones = c.bits === 32 ? 96 + c.prefix : c.prefix;
  const b = new Uint8Array(c.ip.bytes);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, ones - 8 * i));
    b[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  return { bytes: b, v4: c.ip.v4 };
}

/** Legacy CIDR check (kube's IsValidCIDRForLegacyField without strict mode). */
export function isValidCIDR(s: string): string[] {
  return parseCIDRSloppy(s) ? [] : [invalidCIDRMessage];
}

/** Strict CIDR check (kube's IsValidCIDR): a subnet in canonical form, e.g. 10.96.0.0/12. */
export function isValidCIDRStrict(s: string): string[] {
  const c = parseCIDRSloppy(s);
  if (!c) return [invalidCIDRMessage];
  const [addr, len] = [s.slice(0, s.indexOf("/")), s.slice(s.indexOf("/") + 1)];
  const leadingZeros = (!addr.includes(":") && !nodeIsIPv4(addr)) || (len.length > 1 && len.startsWith("0"));
  if (leadingZeros) return ["must not have leading 0s in IP or prefix length"];
  if (c.bits === 128 && c.ip.v4) return ["must not have an IPv4-mapped IPv6 address"];
  const net = maskedIP(c);
  if (formatIP(net) !== formatIP(c.ip)) return ["must not have bits set beyond the prefix length"];
  const canon = `${formatIP(net)}/${c.prefix}`;
  return s === canon ? [] : [`must be in canonical form (${JSON.stringify(canon)})`];
}

/** The family of a CIDR string (k8s.io/utils/net IPFamilyOfCIDRString), "" when not a CIDR. */
export function cidrFamilyOf(s: string): IPFamily | "" {
  const c = parseCIDRSloppy(s);
  if (!c) return "";
  return c.ip.v4 ? "IPv4" : "IPv6";
}

/**
 * kube's ValidateNonSpecialIP / ValidateEndpointIP: addresses that make no sense as endpoints or
 * external IPs (unspecified, loopback, link-local unicast and multicast).
 */
export function nonSpecialIPErrors(s: string): string[] {
  const ip = parseIPSloppy(s);
  if (!ip) return ["must be a valid IP address"];
  const b = ip.bytes;
  const errs: string[] = [];
  const allZero = (from: number) => b.slice(from).every((x) => x === 0);
  if ((ip.v4 && allZero(12)) || allZero(0)) errs.push(`may not be unspecified (${s})`);
  const loopback = ip.v4 ? b[12] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  if (loopback) errs.push("may not be in the loopback range (127.0.0.0/8, ::1/128)");
  const linkLocal = ip.v4 ? b[12] === 169 && b[13] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  if (linkLocal) errs.push("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
  const llMulticast = ip.v4
    ? b[12] === 224 && b[13] === 0 && b[14] === 0
    : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  if (llMulticast) errs.push("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
  return errs;
}
