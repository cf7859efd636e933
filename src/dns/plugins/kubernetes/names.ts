/** Name and address helpers (CoreDNS's dnsutil and plugin.Zones, miekg/dns name functions). */
import net from "node:net";

/** The address in its canonical text form (Go's net.IP.String), or the input when not an IP. */
export function canonicalIP(ip: string): string {
  const fam = net.isIP(ip);
  if (fam === 4)
    return ip
      .split(".")
      .map((p) => String(Number(p)))
      .join(".");
  if (fam === 6) return formatIPv6(expandIPv6(ip));
  return ip;
}

/** 8 groups of an IPv6 address (an embedded IPv4 tail is folded into the last two). */
function expandIPv6(ip: string): number[] {
  let s = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1].split(".").map(Number);
    s = `${s.slice(0, -v4[1].length)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
}

/** RFC 5952 text: lowercase, longest run (≥2) of zero groups compressed. */
function formatIPv6(g: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** 1 for in-addr.arpa, 2 for ip6.arpa names, 0 otherwise (dnsutil.IsReverse). */
export function isReverse(lname: string): number {
  if (lname.endsWith("in-addr.arpa.")) return 1;
  if (lname.endsWith("ip6.arpa.")) return 2;
  return 0;
}

/** The address a full reverse name stands for, or "" (dnsutil.ExtractAddressFromReverse). */
export function addressFromReverse(lname: string): string {
  if (lname.endsWith(".in-addr.arpa.")) {
    const labels = lname.slice(0, -".in-addr.arpa.".length).split(".");
    if (labels.length !== 4 || labels.some((l) => !/^\d{1,3}$/.test(l) || Number(l) > 255)) return "";
    return labels.reverse().map(Number).join(".");
  }
  if (lname.endsWith(".ip6.arpa.")) {
    const labels = lname.slice(0, -".ip6.arpa.".length).split(".");
    if (labels.length !== 32 || labels.some((l) => !/^[0-9a-f]$/.test(l))) return "";
    const nibbles = labels.reverse();
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(nibbles.slice(i, i + 4).join(""));
    return canonicalIP(groups.join(":"));
  }
  return "";
}

/** The reverse name of an address (dns.ReverseAddr), lowercase and fully qualified. */
export function reverseName(ip: string): string {
  const fam = net.isIP(ip);
  if (fam === 4) return `${ip.split(".").reverse().map(Number).join(".")}.in-addr.arpa.`;
  if (fam === 6) {
    const nibbles = expandIPv6(ip)
      .map((g) => g.toString(16).padStart(4, "0"))
      .join("");
    return `${[...nibbles].reverse().join(".")}.ip6.arpa.`;
  }
  return "";
}

/** child is at or below parent (both fully qualified; compared case-insensitively). */
export function isSubDomain(parent: string, child: string): boolean {
  const p = parent.toLowerCase();
  const c = child.toLowerCase();
  if (p === ".") return true;
  return c === p || c.endsWith(`.${p}`);
}

/** The longest zone that contains name, or "" (plugin.Zones.Matches). */
export function matchZone(zones: readonly string[], lname: string): string {
  let best = "";
  for (const z of zones) if (isSubDomain(z, lname) && z.length > best.length) best = z;
  return best;
}

export function fqdn(name: string): string {
  return name.endsWith(".") ? name : `${name}.`;
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
