/**
 * TO arguments as CoreDNS's parse.HostPortOrFile reads them: `IP`, `IP:port`, `[IPv6]:port`,
 * `dns://…`, or a resolv.conf-style file whose `nameserver` lines become upstreams on port 53.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";

export interface HostPort {
  host: string;
  port: number;
}

/** Split an address with an optional port, or undefined when the host part is no IP. */
export function parseHostPort(s: string, defaultPort: number): HostPort | undefined {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6)
    return isIP(stripZone(v6[1])) === 6
      ? { host: stripZone(v6[1]), port: portOf(v6[2], defaultPort) }
      : undefined;
  if (isIP(stripZone(s))) return { host: stripZone(s), port: defaultPort };
  const m = /^([^:]+):(\d+)$/.exec(s);
  if (m && isIP(m[1]) === 4) return { host: m[1], port: portOf(m[2], defaultPort) };
  return undefined;
}

function portOf(p: string | undefined, d: number): number {
  if (p === undefined) return d;
  const n = Number(p);
  if (n > 65535) throw new Error(`invalid port ${p}`);
  return n;
}

function stripZone(h: string): string {
  const i = h.indexOf("%");
  return i < 0 ? h : h.slice(0, i);
}

/** The nameservers of a resolv.conf file (miekg/dns ClientConfigFromFile), on port 53. */
export function resolvConfServers(path: string): HostPort[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT")
      throw new Error(`not an IP address or file "${path}": failed to open file "${path}"`);
    throw new Error(`not an IP address or file "${path}": ${e.message}`);
  }
  const out: HostPort[] = [];
  for (const addr of nameserverTokens(text)) {
    const host = stripZone(addr);
    if (isIP(host)) out.push({ host, port: 53 });
  }
  return out;
}

/** The address token of each `nameserver` line of resolv.conf text, comments removed. */
export function nameserverTokens(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const f = line
      .replace(/[#;].*$/, "")
      .trim()
      .split(/\s+/);
    if (f[0] === "nameserver" && f.length >= 2) out.push(f[1]);
  }
  return out;
}

/** Expand TO arguments into upstream addresses, in order. */
export function upstreamsOf(to: readonly string[]): HostPort[] {
  const out: HostPort[] = [];
  for (const raw of to) {
    const t = raw.replace(/^dns:\/\//i, "");
    if (t === "") throw new Error(`invalid address: "${raw}"`);
    const hp = parseHostPort(t, 53);
    if (hp) out.push(hp);
    else out.push(...resolvConfServers(t.replace(/^\[|\]$/g, "")));
  }
  if (out.length === 0) throw new Error("no nameservers found");
  return out;
}
