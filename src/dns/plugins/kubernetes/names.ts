/**
 * Name and address helpers (CoreDNS's dnsutil and plugin.Zones, miekg/dns name functions), written
 * with index arithmetic: they run on every query, and each string or array they skip is garbage
 * the collector does not have to sweep.
 */
import { canonicalIP as canonical, addressFromReverse as slowAddressFromReverse } from "../../../util/ip.ts";

export { reverseName } from "../../../util/ip.ts";

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** The address in its canonical text form (Go's net.IP.String), or the input when not an IP. */
export function canonicalIP(ip: string): string {
  // A canonical dotted quad is its own canonical form: no parse, no copy.
  if (isCanonicalIPv4(ip)) return ip;
  return canonical(ip) ?? ip;
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
      if (i >= to || s.charCodeAt(i) !== DOT) return -1;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      i++;
      if (i - start > 3) return -1;
    }
    if (i === start || v > 255 || (i - start > 1 && s.charCodeAt(start) === ZERO)) return -1;
  }
  return i;
}

/**
 * The address a reverse name stands for, canonical, or "" (dnsutil.ExtractAddressFromReverse).
 * In-addr.arpa names of a lower-case fully qualified name are read in place; the rest goes
 * through util/ip's general reader.
 */
export function addressFromReverse(lname: string): string {
  const SUFFIX = ".in-addr.arpa.";
  if (!lname.endsWith(SUFFIX)) return slowAddressFromReverse(lname);
  const end = lname.length - SUFFIX.length;
  // Exactly four labels, each a canonical octet: then the address is those labels reversed.
  if (octetsEnd(lname, 0, end) !== end) {
    // Not four canonical octets: the general reader decides ("" or an address it accepts).
    return slowAddressFromReverse(lname);
  }
  const a = lname.indexOf(".");
  const b = lname.indexOf(".", a + 1);
  const c = lname.indexOf(".", b + 1);
  return `${lname.slice(c + 1, end)}.${lname.slice(b + 1, c)}.${lname.slice(a + 1, b)}.${lname.slice(0, a)}`;
}

/** 1 for in-addr.arpa, 2 for ip6.arpa names, 0 otherwise (dnsutil.IsReverse). */
export function isReverse(lname: string): number {
  if (lname.endsWith("in-addr.arpa.")) return 1;
  if (lname.endsWith("ip6.arpa.")) return 2;
  return 0;
}

/**
 * Where the labels of name left of zone end (dnsutil.TrimZone as an index): name.slice(0, end) is
 * the trimmed name. Like TrimZone it does not check that name is in zone.
 */
export function trimZoneEnd(name: string, zone: string): number {
  let end = zone === "." ? name.length : name.length - zone.length;
  // String.slice semantics for a name shorter than the zone.
  if (end < 0) end = Math.max(0, name.length + end);
  if (end > 0 && name.charCodeAt(end - 1) === DOT) end--;
  return end;
}

/** The labels of name left of zone (dnsutil.TrimZone). */
export function trimZone(name: string, zone: string): string {
  return name.slice(0, trimZoneEnd(name, zone));
}

/** The index of the last dot in s before `end`, or -1. */
export function dotBefore(s: string, end: number): number {
  // A loop the compiler inlines: lastIndexOf with a start is a builtin call each time.
  let i = end - 1;
  while (i >= 0 && s.charCodeAt(i) !== DOT) i--;
  return i;
}

/**
 * plugin.Name(zone).Matches(lname) without building `.zone`: lname is zone or below it (both
 * lower-case fqdn).
 */
export function inZone(lname: string, zone: string): boolean {
  if (zone === ".") return true;
  const d = lname.length - zone.length;
  if (d === 0) return lname === zone;
  return d > 0 && lname.charCodeAt(d - 1) === DOT && lname.endsWith(zone);
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

/** lname is `prefix` + `zone` ("" for the root zone), compared without concatenating. */
export function isPrefixed(lname: string, prefix: string, lzone: string): boolean {
  const z = lzone === "." ? 0 : lzone.length;
  return lname.length === prefix.length + z && lname.startsWith(prefix) && (z === 0 || lname.endsWith(lzone));
}

/**
 * 4 for a dotted quad of digits (/^\d+\.\d+\.\d+\.\d+$/), 6 for anything with a colon, 0 for a
 * name: how the handler tells an address host from a CNAME target.
 */
export function hostFamily(host: string): 0 | 4 | 6 {
  let dots = 0;
  let digits = 0;
  let quad = host.length > 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= ZERO && c <= NINE) digits++;
    else if (c === DOT && digits > 0 && dots < 3) {
      dots++;
      digits = 0;
    } else {
      quad = false;
      if (c === 58) return 6;
    }
  }
  return quad && dots === 3 && digits > 0 ? 4 : 0;
}

/** The DNS name of an endpoint: hostname, then the pod name (endpoint_pod_names), then the dashed IP. */
export function endpointHostname(
  a: { ip: string; hostname: string; targetRefName: string },
  podNames: boolean,
): string {
  return endpointName(a.ip, a.hostname, a.targetRefName, podNames);
}

/** endpointHostname from the address's parts. */
export function endpointName(ip: string, hostname: string, podName: string, podNames: boolean): string {
  if (hostname) return hostname;
  if (podNames && podName) return podName;
  if (ip.includes(".")) return ip.replaceAll(".", "-");
  if (ip.includes(":")) {
    const h = ip.replaceAll(":", "-");
    return h.endsWith("-") ? `${h}0` : h;
  }
  return "";
}
