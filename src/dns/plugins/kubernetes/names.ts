/**
 * Name and address helpers (CoreDNS's dnsutil and plugin.Zones, miekg/dns name functions), written
 * with index arithmetic: they run on every query, and each string or array they skip is garbage
 * the collector does not have to sweep.
 */
import { canonicalIP as canonical } from "../../../util/ip.ts";

export { addressFromReverse, isCanonicalIPv4, reverseName } from "../../../util/ip.ts";
export { inZone, matchZone } from "../../names.ts";

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** The address in its canonical text form (Go's net.IP.String), or the input when not an IP. */
export function canonicalIP(ip: string): string {
  return canonical(ip) ?? ip;
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
