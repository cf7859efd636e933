/**
 * Names as CoreDNS's plugin package and miekg/dns treat them (plugin.Name, plugin.Zones,
 * dns.Fqdn, dns.IsDomainName), for the server and every plugin.
 */

/** Fully qualified, case kept ("." for the root and for ""). */
export function fqdn(name: string): string {
  if (name === "" || name === ".") return ".";
  return name.endsWith(".") ? name : `${name}.`;
}

/** Lower case and fully qualified (plugin.Name.Normalize). */
export function fqdnLower(name: string): string {
  return fqdn(name.toLowerCase());
}

/**
 * plugin.Name(zone).Matches(name): `lname` is `zone` or below it (both lower-case fqdn). Runs on
 * every query, so it compares in place instead of building `.zone`.
 */
export function inZone(lname: string, zone: string): boolean {
  if (zone === ".") return true;
  const d = lname.length - zone.length;
  if (d === 0) return lname === zone;
  return d > 0 && lname.charCodeAt(d - 1) === 46 && lname.endsWith(zone);
}

/** plugin.Zones.Matches: the longest of `zones` that contains `lname`, or "". */
export function matchZone(zones: readonly string[], lname: string): string {
  let best = "";
  for (let i = 0; i < zones.length; i++) {
    const z = zones[i];
    if (z.length > best.length && inZone(lname, z)) best = z;
  }
  return best;
}

/** dns.IsDomainName: labels of 1–63 octets, at most 255 octets on the wire. */
export function isDomainName(n: string): boolean {
  if (n === ".") return true;
  if (n === "" || n.startsWith(".")) return false;
  const body = n.endsWith(".") ? n.slice(0, -1) : n;
  if (Buffer.byteLength(body) + 2 > 255) return false;
  for (const label of body.split(".")) {
    const len = Buffer.byteLength(label);
    if (len === 0 || len > 63) return false;
  }
  return true;
}
