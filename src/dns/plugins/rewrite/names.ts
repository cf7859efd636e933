/** Name helpers as miekg/dns and CoreDNS's plugin.Name use them. */

/** Lowercase and fully qualified (plugin.Name.Normalize). */
export function normalize(n: string): string {
  return (n.endsWith(".") ? n : `${n}.`).toLowerCase();
}

/** Fully qualified, case kept. */
export function fqdn(n: string): string {
  if (n === "" || n === ".") return ".";
  return n.endsWith(".") ? n : `${n}.`;
}

/** dns.IsDomainName: labels of 1–63 octets, at most 255 octets in all. */
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
