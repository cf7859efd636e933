/**
 * IP text as Go's net package prints it (IPv4 dotted, IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952
 * form) and addresses read back from reverse names (dnsutil.ExtractAddressFromReverse).
 */
import { isIPv4, isIPv6 } from "node:net";

/** The canonical text of an IP (zone dropped), or undefined when `s` is none. */
export function canonicalIP(s: string): string | undefined {
  const i = s.indexOf("%");
  const addr = i >= 0 ? s.slice(0, i) : s;
  if (isIPv4(addr)) return addr.split(".").map(Number).join(".");
  if (!isIPv6(addr)) return undefined;
  const words = expandV6(addr);
  // IPv4-mapped: Go treats it as IPv4 (To4() != nil).
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff)
    return `${words[6] >> 8}.${words[6] & 255}.${words[7] >> 8}.${words[7] & 255}`;
  return compressV6(words);
}

export function isV4(canonical: string): boolean {
  return isIPv4(canonical);
}

function expandV6(addr: string): number[] {
  let s = addr;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1].split(".").map(Number);
    tail = [(o[0] << 8) | o[1], (o[2] << 8) | o[3]];
    s = s.slice(0, -v4[1].length);
    if (s.endsWith(":") && !s.endsWith("::")) s = s.slice(0, -1);
  }
  const [head, rest] = s.includes("::") ? s.split("::") : [s, undefined];
  const parse = (p: string | undefined) =>
    p
      ? p
          .split(":")
          .filter((x) => x !== "")
          .map((x) => parseInt(x, 16))
      : [];
  const h = parse(head);
  const r = [...parse(rest), ...tail];
  if (rest === undefined) return [...h, ...tail];
  return [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
}

/** RFC 5952: the longest run (≥2) of zero words becomes "::", lowercase hex. */
function compressV6(w: number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** The address a reverse name stands for ("" when it is not a full reverse name). */
export function addressFromReverse(name: string): string {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (n.endsWith(".in-addr.arpa")) {
    const labels = n.slice(0, -".in-addr.arpa".length).split(".");
    if (labels.length !== 4) return "";
    const ip = labels.reverse().join(".");
    return isIPv4(ip) ? ip : "";
  }
  if (n.endsWith(".ip6.arpa")) {
    const labels = n.slice(0, -".ip6.arpa".length).split(".");
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return "";
    const hex = labels.reverse().join("");
    const groups = hex.match(/.{4}/g)!.join(":");
    return canonicalIP(groups) ?? "";
  }
  return "";
}
