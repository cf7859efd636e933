/**
 * Name helpers CoreDNS's plugin package provides (plugin.Name, plugin.Host, plugin.Zones):
 * normalizing a zone argument (CIDRs become reverse zones) and matching names against zones.
 */
import { reverseZones } from "../../corefile/address.ts";

/** Lowercase and fully qualified ("." for the root). */
export function fqdn(name: string): string {
  const l = name.toLowerCase();
  if (l === "" || l === ".") return ".";
  return l.endsWith(".") ? l : `${l}.`;
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
  return [fqdn(s)];
}

/** dns.IsDomainName, roughly: labels 1-63 bytes, 255 bytes in all. */
export function isDomainName(s: string): boolean {
  if (s === "" || s === ".") return true;
  const n = s.endsWith(".") ? s.slice(0, -1) : s;
  if (n.startsWith(".") || n.includes("..")) return false;
  return n.split(".").every((l) => l.length > 0 && l.length <= 63) && Buffer.byteLength(n) + 1 <= 255;
}

/** plugin.Name(zone).Matches(name): name equals zone or is below it (both lowercase fqdn). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === ".") return true;
  return name === zone || name.endsWith(`.${zone}`);
}

/** plugin.Zones.Matches: the longest zone that contains `name`, or "". */
export function matchZone(zones: readonly string[], name: string): string {
  let best = "";
  for (const z of zones) if (isSubdomain(name, z) && z.length > best.length) best = z;
  return best;
}
