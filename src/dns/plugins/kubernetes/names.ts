/** Name and address helpers (CoreDNS's dnsutil and plugin.Zones, miekg/dns name functions). */
import { canonicalIP as canonical } from "../../../util/ip.ts";

export { addressFromReverse, reverseName } from "../../../util/ip.ts";

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

/** The labels of name left of zone, or undefined when name is not in zone (dnsutil.TrimZone). */
export function trimZone(name: string, zone: string): string {
  if (zone === ".") return name.replace(/\.$/, "");
  return name.slice(0, name.length - zone.length).replace(/\.$/, "");
}

/** The DNS name of an endpoint: hostname, then the pod name (endpoint_pod_names), then the dashed IP. */
export function endpointHostname(
  a: { ip: string; hostname: string; targetRefName: string },
  podNames: boolean,
): string {
  if (a.hostname) return a.hostname;
  if (podNames && a.targetRefName) return a.targetRefName;
  if (a.ip.includes(".")) return a.ip.replaceAll(".", "-");
  if (a.ip.includes(":")) {
    const h = a.ip.replaceAll(":", "-");
    return h.endsWith("-") ? `${h}0` : h;
  }
  return "";
}
