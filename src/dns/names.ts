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
 * `a` and `b` are equal ignoring case (strings.EqualFold, as CoreDNS compares names): ASCII is
 * compared in place, anything else through toLowerCase.
 */
export function equalFold(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return a.toLowerCase() === b.toLowerCase();
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 127 || y > 127) return a.toLowerCase() === b.toLowerCase();
    if ((x | 32) !== (y | 32) || (x | 32) < 97 || (x | 32) > 122) return false;
  }
  return true;
}

/**
 * fqdnLower(name) === lname without making the lower-case string (lname: a request's or a cache
 * key's name). ASCII names, all of them in practice, are compared in place.
 */
export function lowersTo(name: string, lname: string): boolean {
  const l = lname.length;
  if (l === 0 || lname.charCodeAt(l - 1) !== 46) return fqdnLower(name) === lname;
  if (name === lname) return true;
  const n = name.length;
  const dotted = n > 0 && name.charCodeAt(n - 1) === 46;
  if (dotted ? n !== l : n !== l - 1) {
    // Of all characters only U+0130 lowercases to two: otherwise the lengths settle it.
    return name.indexOf("\u0130") >= 0 && fqdnLower(name) === lname;
  }
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const d = lname.charCodeAt(i);
    if (c === d || (c >= 65 && c <= 90 && c + 32 === d)) continue;
    // Beyond ASCII, lowercasing depends on more than the character: the exact way.
    return c > 127 && fqdnLower(name) === lname;
  }
  return true;
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
