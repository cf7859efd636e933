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
import { isIPv4 as nodeIsIPv4 } from "node:net";
import { formatIP, type IPFamily, type ParsedIP, parseIP } from "../../../util/ip.ts";

export { formatIP, type IPFamily, type ParsedIP };

export const invalidIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
export const invalidCIDRMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/** Go's netutils.ParseIPSloppy: null when not an IP. */
export function parseIPSloppy(s: string): ParsedIP | null {
  return parseIP(s, true) ?? null;
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
