/**
 * Server block keys as CoreDNS reads them (core/dnsserver/register.go, plugin/normalize.go):
 * `[dns://]ZONE[:PORT]`, where ZONE may be a CIDR that becomes its reverse zones, split on
 * octet (IPv4) or nibble (IPv6) boundaries as plugin/pkg/cidr does.
 */
import { isIPv4, isIPv6 } from "node:net";
import { fqdnLower, isDomainName } from "../names.ts";

export interface ZoneAddr {
  /** Lowercase, fully qualified. */
  zone: string;
  port: number;
  transport: "dns";
}

/** Split `host[:port]` the CoreDNS way: a trailing `:digits` is the port. */
export function splitHostPort(s: string): { host: string; port?: number } {
  const colon = s.lastIndexOf(":");
  if (colon === s.length - 1 && colon >= 0) throw new Error(`expecting data after last colon: "${s}"`);
  if (colon !== -1) {
    const p = s.slice(colon + 1);
    if (/^\d+$/.test(p)) {
      const port = Number(p);
      if (port > 65535) throw new Error(`invalid port ${p}`);
      return { host: s.slice(0, colon), port };
    }
  }
  return { host: s };
}

/** Normalize one server block key into its zones (several for a CIDR that spans boundaries). */
export function normalizeKey(key: string, defaultPort: number): ZoneAddr[] {
  let s = key;
  const scheme = /^([a-z0-9+]+):\/\//i.exec(s);
  if (scheme) {
    if (scheme[1].toLowerCase() !== "dns") {
      throw new Error(`transport ${scheme[1]}:// is not supported (only dns://) in '${key}'`);
    }
    s = s.slice(scheme[0].length);
  }
  const { host, port } = splitHostPort(s);
  if (host.length > 255) throw new Error(`specified zone is too long: ${host.length} > 255`);
  const zones = reverseZones(host) ?? [fqdnLower(host)];
  for (const z of zones) {
    if (!isDomainName(z)) throw new Error(`zone is not a valid domain name: ${host}`);
  }
  return zones.map((zone) => ({ zone, port: port ?? defaultPort, transport: "dns" }));
}

/** The reverse zones of a CIDR, or undefined when `s` is not one. */
export function reverseZones(s: string): string[] | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  if (!/^\d+$/.test(bitsText)) return undefined;
  const ones = Number(bitsText);
  if (isIPv4(ip)) {
    if (ones > 32) return undefined;
    return reverseV4(ip, ones);
  }
  if (isIPv6(ip)) {
    if (ones > 128) return undefined;
    if (s.startsWith(":") || (s.startsWith("0") && s.includes(":"))) throw new Error(`invalid CIDR ${s}`);
    return reverseV6(ip, ones);
  }
  return undefined;
}

function reverseV4(ip: string, ones: number): string[] {
  const masked = v4ToInt(ip) & maskV4(ones);
  const aligned = Math.ceil(ones / 8) * 8;
  const count = 2 ** (aligned - ones);
  const labels = aligned / 8;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const net = (masked + i * 2 ** (32 - aligned)) >>> 0;
    const octets = [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].slice(0, labels);
    out.push(labels === 0 ? "in-addr.arpa." : `${octets.reverse().join(".")}.in-addr.arpa.`);
  }
  return out;
}

function maskV4(ones: number): number {
  return ones === 0 ? 0 : (0xffffffff << (32 - ones)) >>> 0;
}

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0) >>> 0;
}

function reverseV6(ip: string, ones: number): string[] {
  const nibbles = v6Nibbles(ip);
  // Clear host bits.
  for (let i = 0; i < 32; i++) {
    const bitStart = i * 4;
    if (bitStart >= ones) nibbles[i] = 0;
    else if (bitStart + 4 > ones) nibbles[i] &= (0xf << (4 - (ones - bitStart))) & 0xf;
  }
  const aligned = Math.ceil(ones / 4) * 4;
  const count = 2 ** (aligned - ones);
  const keep = aligned / 4;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = nibbles.slice(0, keep);
    if (keep > 0) n[keep - 1] += i;
    out.push(
      keep === 0
        ? "ip6.arpa."
        : `${n
            .reverse()
            .map((x) => x.toString(16))
            .join(".")}.ip6.arpa.`,
    );
  }
  return out;
}

function v6Nibbles(ip: string): number[] {
  let text = ip;
  // An embedded IPv4 tail becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = v4ToInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out: number[] = [];
  for (const g of groups) {
    const v = Number.parseInt(g || "0", 16);
    out.push((v >> 12) & 15, (v >> 8) & 15, (v >> 4) & 15, v & 15);
  }
  return out;
}

/** plugin.Host(s).NormalizeExact: a zone argument, a CIDR expanding to its reverse zones. */
export function normalizeZone(arg: string): string[] {
  let s = arg.replace(/^dns:\/\//i, "");
  // A trailing :port is not part of the zone.
  const port = /:(\d+)$/.exec(s);
  if (port && !s.includes("/") && s.indexOf(":") === s.lastIndexOf(":")) s = s.slice(0, port.index);
  const rev = reverseZones(s);
  if (rev) return rev;
  if (!isDomainName(s)) return [];
  return [fqdnLower(s)];
}
